//! Running checks: one run at a time per app (the slot), cancellable, with live progress; the
//! environment's history; who its credentials resolve to; and ad-hoc runs from an environment
//! file (the CLI's `check`). Runs share the caller's runtime: the engine's futures are `Send`.

use crate::events::{AppEvent, CheckProgress};
use crate::App;
use la_aws::engine::{CheckResult as EngineResult, EngineOptions, Progress};
use la_core::model::{CheckRun, CheckRunSummary, EnvKind, StoredCheckResult};
use la_core::{AppError, ErrorCode};
use std::path::PathBuf;
use std::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// The running check run's cancel token, if one runs.
#[derive(Default)]
pub(crate) struct Slot(Mutex<Option<CancellationToken>>);

/// Holds the slot for one run and frees it however the run ends (also on panic or drop).
struct Held<'a>(&'a Slot);

impl Drop for Held<'_> {
    fn drop(&mut self) {
        *self.0 .0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

impl Slot {
    fn take(&self) -> Result<(Held<'_>, CancellationToken), AppError> {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "Checks are already running; wait for them or cancel them.",
            ));
        }
        let token = CancellationToken::new();
        *slot = Some(token.clone());
        Ok((Held(self), token))
    }
}

/// "Run checks" on a step (or the whole environment) of a workspace.
#[derive(Debug, Clone)]
pub struct RunChecks {
    pub workspace_id: String,
    pub env: EnvKind,
    pub step_id: Option<String>,
}

/// Runs the checks, records the run and its results, moves the items they prove, and announces
/// each check as it starts and finishes.
pub async fn run(app: &App, req: RunChecks) -> Result<CheckRun, AppError> {
    let core = app.core()?.clone();
    let (_held, token) = app.checks.take()?;
    // The Demo workspace's endpoint is final once the built-in sandbox has started. Waited for
    // with the slot held, so a second run asked meanwhile is refused as before.
    crate::sandbox::wait_builtin(app).await;
    let host = app.host().clone();
    let emit = move |run: &CheckRun, p: Progress| {
        let (started, finished) = match p {
            Progress::Started { id } => (Some(id), None),
            Progress::Finished { result } => (None, Some(result)),
        };
        host.emit(AppEvent::CheckProgress(CheckProgress {
            run_id: run.id.clone(),
            workspace_id: run.workspace_id.clone(),
            total: run.total,
            started,
            finished,
        }));
    };
    la_aws::run::run_for_environment(
        &core,
        &req.workspace_id,
        req.env,
        req.step_id.as_deref(),
        &EngineOptions::default(),
        &emit,
        &token,
    )
    .await
}

/// Cancels the running check run; false when none runs.
pub async fn cancel(app: &App) -> Result<bool, AppError> {
    let slot = app.checks.0.lock().unwrap_or_else(|p| p.into_inner());
    Ok(match slot.as_ref() {
        Some(t) => {
            t.cancel();
            true
        }
        None => false,
    })
}

pub async fn latest_results(
    app: &App,
    workspace_id: &str,
    env: EnvKind,
) -> Result<Vec<StoredCheckResult>, AppError> {
    Ok(app.core()?.latest_check_results(workspace_id, env)?)
}

pub async fn history(
    app: &App,
    workspace_id: &str,
    env: EnvKind,
) -> Result<Vec<CheckRunSummary>, AppError> {
    Ok(app.core()?.check_history(workspace_id, env)?)
}

/// The profiles in the user's AWS config and credentials files.
pub async fn aws_profiles() -> Result<Vec<String>, AppError> {
    Ok(la_aws::access::list_profiles())
}

/// Who the environment's saved credentials resolve to (STS GetCallerIdentity).
pub async fn identity(
    app: &App,
    workspace_id: &str,
    env: EnvKind,
) -> Result<la_aws::access::CallerIdentity, AppError> {
    crate::sandbox::wait_builtin(app).await;
    let creds = app.core()?.credentials(workspace_id, env)?;
    la_aws::access::who_am_i(&creds.settings, creds.keys).await
}

/// Where an ad-hoc run (the CLI's `check`) gets its environment.
#[derive(Debug, Clone)]
pub enum Target {
    /// An environment file (TOML).
    EnvFile(PathBuf),
    /// A workspace of the app's database, by name.
    Workspace { name: String, env: EnvKind },
}

#[derive(Debug, Clone)]
pub struct AdHocRun {
    pub target: Target,
    /// Check id prefixes; every check when empty.
    pub only: Vec<String>,
    pub options: EngineOptions,
}

/// What an ad-hoc run checked and found.
#[derive(Debug, Clone)]
pub struct AdHocResults {
    /// `file name` or `workspace/env`.
    pub name: String,
    pub results: Vec<EngineResult>,
}

/// Runs checks on an environment file or on a workspace's environment without recording a run
/// (CI's view; the app records its runs). `app` is needed for the workspace target only.
pub async fn run_ad_hoc(
    app: Option<&App>,
    req: AdHocRun,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<AdHocResults, AppError> {
    let (name, settings, keys, ca_bundle, limit) = match &req.target {
        Target::EnvFile(path) => {
            let f = la_core::envfile::read(path).map_err(AppError::from)?;
            (
                f.name,
                f.settings,
                None,
                f.ca_bundle,
                f.response_time_limit_ms,
            )
        }
        Target::Workspace { name, env } => {
            let app = app.ok_or_else(|| AppError::invalid("no data folder is open"))?;
            let core = app.core()?;
            let ws = crate::workspace::by_name(app, name).await?;
            let creds = core.credentials(&ws.id, *env)?;
            (
                format!("{name}/{}", env.as_str()),
                creds.settings,
                creds.keys,
                None,
                la_core::envfile::DEFAULT_RESPONSE_TIME_LIMIT_MS,
            )
        }
    };
    let input = la_aws::run::RunInput {
        settings,
        keys,
        ca_bundle: ca_bundle.as_deref(),
        response_time_limit_ms: limit,
        only: req.only,
    };
    let results =
        la_aws::run::run_checks(input, &req.options, progress, &CancellationToken::new()).await?;
    Ok(AdHocResults { name, results })
}

/// A check run's future is `Send`, so it runs on the caller's runtime (Tauri's, the CLI's)
/// instead of a thread and runtime of its own. Compiling is the test.
#[allow(dead_code)]
fn run_is_send(app: &App) {
    fn send<T: Send>(_: &T) {}
    let req = RunChecks {
        workspace_id: String::new(),
        env: EnvKind::Staging,
        step_id: None,
    };
    send(&run(app, req));
}
