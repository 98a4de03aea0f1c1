//! Test purchase sessions: one running session per environment, whose watchers (`la_purchase`)
//! feed a timeline that is stored as it arrives and shown live; the buyer played against the
//! sandbox; the product page opened in the browser; the tester's notes, steps and scenario
//! results recorded through the core.

mod rules;
mod sink;

pub use rules::{Quantity, SandboxAction, TesterNote};

use crate::App;
use la_core::model::{EnvKind, EnvMode, HistoryEntry};
use la_core::purchase::*;
use la_core::service::NewSession;
use la_core::{AppError, ErrorCode};
use la_purchase::sandbox::SandboxBuyer;
use la_purchase::watch::Session;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::HashMap;
use std::sync::Arc;

/// How long a purchase waits for the watchers' first calls (a watcher still retrying does not
/// hold the tester up longer than this).
const READY_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

struct Live {
    session: Session,
    workspace_id: String,
    env: EnvKind,
    buyer: String,
    sandbox: Option<SandboxBuyer>,
    product_id: String,
    fulfillment_url: String,
    license_arn: Option<String>,
}

impl Live {
    /// The sandbox buyer of a sandbox session.
    fn sandbox(&self) -> Result<&SandboxBuyer, AppError> {
        self.sandbox.as_ref().ok_or_else(not_sandbox)
    }

    fn license(&self) -> Result<String, AppError> {
        self.license_arn
            .clone()
            .ok_or_else(|| AppError::invalid("Make a purchase in this session first."))
    }
}

/// The running sessions; dropping one stops its watchers.
#[derive(Default)]
pub(crate) struct Sessions {
    live: tokio::sync::Mutex<HashMap<String, Live>>,
}

/// What the session page shows.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PurchaseView {
    pub detail: SessionDetail,
    pub running: bool,
    pub watchers: Vec<WatcherStatus>,
}

/// What "Start test purchase" asks for.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct StartPurchase {
    pub workspace_id: String,
    pub env: EnvKind,
    pub buyer_account: String,
    /// Delete what the watcher reads (a dedicated watcher queue) instead of peeking.
    pub delete_messages: bool,
    /// Real mode: open the product page in the system browser once the watchers run.
    pub open_product_page: bool,
}

fn not_sandbox() -> AppError {
    AppError::invalid("This session is against AWS, not the sandbox.")
}

fn not_running(id: &str) -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        format!("Test purchase session {id} is not running; start a new one."),
    )
}

fn running<'a>(live: &'a HashMap<String, Live>, id: &str) -> Result<&'a Live, AppError> {
    live.get(id).ok_or_else(|| not_running(id))
}

/// `purchase watch` on an environment file: which buyer's purchase to follow.
#[derive(Debug, Clone)]
pub struct WatchFile {
    pub env_file: std::path::PathBuf,
    pub buyer_account: String,
    pub delete_messages: bool,
}

/// Starts the watchers of a session on an environment file (no store: the CLI's timeline goes
/// to `sink` only). The buyer must be one of the file's test buyers. Returns the file's name
/// and the running session.
pub async fn watch_env_file(
    req: WatchFile,
    sink: Arc<dyn la_purchase::watch::Sink>,
) -> Result<(String, Session), AppError> {
    let file = la_core::envfile::read(&req.env_file)?;
    let buyer = req.buyer_account.trim();
    let buyers = &file.settings.test_buyer_account_ids;
    if !buyers.iter().any(|b| b == buyer) {
        return Err(AppError::invalid(format!(
            "{buyer} is not in test_buyer_account_ids of {} ({})",
            req.env_file.display(),
            buyers.join(", ")
        )));
    }
    // An environment file holds no secrets: it signs with its profile, role or default chain.
    let cfg = {
        let ca_pem = file
            .ca_bundle
            .as_deref()
            .map(la_aws::access::read_ca_bundle)
            .transpose()?;
        la_purchase::config::watch_config_trusting(
            &file.settings,
            None,
            buyer,
            req.delete_messages,
            ca_pem.as_deref(),
        )
        .await?
    };
    Ok((file.name, Session::start(cfg, sink)))
}

pub async fn scenarios() -> Result<Vec<Scenario>, AppError> {
    Ok(la_core::purchase::scenarios())
}

/// Starts a session: the watchers first, then (real mode, when asked) the product page.
pub async fn start(app: &App, req: StartPurchase) -> Result<PurchaseSession, AppError> {
    // The Demo workspace's endpoint is final once the built-in sandbox has started.
    crate::sandbox::wait_builtin(app).await;
    let StartPurchase {
        workspace_id,
        env,
        buyer_account,
        delete_messages,
        open_product_page,
    } = req;
    let core = app.core()?;
    let creds = core.credentials(&workspace_id, env)?;
    let settings = creds.settings;
    let mut live = app.purchases.live.lock().await;
    if live
        .values()
        .any(|l| l.workspace_id == workspace_id && l.env == env)
    {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "A test purchase session is already running for this environment; stop it first.",
        ));
    }
    let cfg = la_purchase::config::watch_config(
        &settings,
        creds.keys.clone(),
        &buyer_account,
        delete_messages,
    )
    .await?;
    let sandbox = settings.mode == EnvMode::Sandbox;
    let page = if !sandbox && open_product_page {
        let sdk = la_aws::sdk_config(&settings, creds.keys)
            .await
            .map_err(|e| AppError::new(ErrorCode::Credentials, e.to_string()))?;
        Some(la_purchase::config::product_page_url(&sdk, &settings.product_id).await?)
    } else {
        None
    };
    let session = core.start_session(&NewSession {
        workspace_id: workspace_id.clone(),
        env,
        buyer_account: buyer_account.clone(),
        mode: if sandbox {
            SessionMode::Sandbox
        } else {
            SessionMode::Real
        },
        delete_messages,
    })?;
    let watchers = Session::start(
        cfg,
        Arc::new(sink::StoreAndHost::new(
            core.clone(),
            app.host().clone(),
            &session.id,
        )),
    );
    if let Some(url) = &page {
        // CloudTrail's first read is taken as history: let it happen before the buyer can buy.
        watchers.ready(READY_WAIT).await;
        watchers.tester("product-page", &format!("opened the product page {url}"));
        open_in_browser(app, url)?;
    }
    live.insert(
        session.id.clone(),
        Live {
            session: watchers,
            workspace_id,
            env,
            buyer: buyer_account,
            sandbox: sandbox.then(|| SandboxBuyer::new(&settings.endpoint_url)),
            product_id: settings.product_id.clone(),
            fulfillment_url: settings.fulfillment_url.clone(),
            license_arn: None,
        },
    );
    Ok(session)
}

/// Opens an https page in the system browser (http only on loopback, for the sandbox).
fn open_in_browser(app: &App, url: &str) -> Result<(), AppError> {
    rules::openable(url)?;
    app.host().open_url(url)
}

pub async fn stop(app: &App, session_id: &str) -> Result<(), AppError> {
    let live = app.purchases.live.lock().await.remove(session_id);
    if let Some(l) = live {
        l.session.close().await;
    }
    app.core()?.end_session(session_id)?;
    Ok(())
}

pub async fn sessions(
    app: &App,
    workspace_id: &str,
    env: EnvKind,
) -> Result<Vec<PurchaseSession>, AppError> {
    Ok(app.core()?.sessions(workspace_id, env)?)
}

pub async fn view(app: &App, session_id: &str) -> Result<PurchaseView, AppError> {
    let detail = app.core()?.session_detail(session_id)?;
    let live = app.purchases.live.lock().await;
    let l = live.get(session_id);
    Ok(PurchaseView {
        detail,
        running: l.is_some(),
        watchers: l.map(|l| l.session.statuses()).unwrap_or_default(),
    })
}

/// The tester's own step ("landed on the SaaS page") or note, on the timeline.
pub async fn note(
    app: &App,
    session_id: &str,
    kind: TesterNote,
    text: &str,
) -> Result<TimelineEvent, AppError> {
    let text = rules::note_text(text)?;
    let live = app.purchases.live.lock().await;
    let l = running(&live, session_id)?;
    Ok(l.session.tester(kind.as_str(), text))
}

/// Plays the buyer in a sandbox session.
pub async fn sandbox(app: &App, session_id: &str, action: SandboxAction) -> Result<(), AppError> {
    let mut live = app.purchases.live.lock().await;
    let l = live
        .get_mut(session_id)
        .ok_or_else(|| not_running(session_id))?;
    // Fields, not `l.sandbox()`: the purchase below records its license on `l`.
    let sb = l.sandbox.as_ref().ok_or_else(not_sandbox)?;
    match action {
        SandboxAction::Purchase | SandboxAction::PurchaseInBrowser => {
            // What exists before the watchers' first reads is history; buy after them.
            l.session.ready(READY_WAIT).await;
            let browser = matches!(action, SandboxAction::PurchaseInBrowser);
            let p = sb
                .purchase(&l.session, &l.product_id, &l.buyer, browser)
                .await?;
            app.core()?
                .store()
                .set_session_license(session_id, &p.license_arn)?;
            l.license_arn = Some(p.license_arn);
            if let Some(url) = p.browser_url {
                open_in_browser(app, &url)?;
            }
        }
        SandboxAction::Cancel => {
            let arn = l.license()?;
            sb.cancel(&l.session, &arn).await?;
        }
    }
    Ok(())
}

/// The buyer changes the contract's quantities.
pub async fn sandbox_change(
    app: &App,
    session_id: &str,
    quantities: Vec<Quantity>,
) -> Result<(), AppError> {
    let q = rules::quantities(quantities)?;
    let live = app.purchases.live.lock().await;
    let l = running(&live, session_id)?;
    l.sandbox()?.change(&l.session, &l.license()?, &q).await
}

/// Moves the sandbox clock forward (to pass the final-metering hour).
pub async fn sandbox_clock(app: &App, session_id: &str, minutes: u32) -> Result<String, AppError> {
    let secs = rules::clock_secs(minutes)?;
    let live = app.purchases.live.lock().await;
    let l = running(&live, session_id)?;
    l.sandbox()?.advance_clock(&l.session, secs).await
}

/// Asks the sandbox's demo SaaS to send a metering record for the buyer (final metering).
pub async fn demo_meter(
    app: &App,
    session_id: &str,
    dimension: &str,
    quantity: i32,
) -> Result<(), AppError> {
    let live = app.purchases.live.lock().await;
    let l = running(&live, session_id)?;
    l.sandbox()?
        .demo_saas_meter(
            &l.session,
            &l.fulfillment_url,
            &l.buyer,
            &l.license()?,
            dimension,
            i64::from(quantity),
        )
        .await
}

/// One runbook step of a scenario: what the tester saw.
#[derive(Debug, Clone)]
pub struct SetStep {
    pub session_id: String,
    pub scenario_id: String,
    pub step: u32,
    pub outcome: StepOutcome,
    pub note: String,
}

pub async fn set_step(app: &App, req: SetStep) -> Result<StepResult, AppError> {
    Ok(app.core()?.set_step_result(
        &req.session_id,
        &req.scenario_id,
        req.step,
        req.outcome,
        &req.note,
    )?)
}

pub async fn attach_file(
    app: &App,
    session_id: &str,
    scenario_id: &str,
    step: u32,
    path: &std::path::Path,
) -> Result<StepResult, AppError> {
    Ok(app
        .core()?
        .attach_step_file(session_id, scenario_id, step, path)?)
}

/// A pasted screenshot, base64 (IPC carries JSON; a number array would be four times larger).
pub async fn attach_pasted(
    app: &App,
    session_id: &str,
    scenario_id: &str,
    step: u32,
    file_name: &str,
    base64_data: &str,
) -> Result<StepResult, AppError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64_data.trim())
        .map_err(|e| AppError::invalid(format!("The pasted image is not valid base64: {e}")))?;
    Ok(app
        .core()?
        .attach_step_bytes(session_id, scenario_id, step, file_name, &bytes)?)
}

pub async fn finish_scenario(
    app: &App,
    session_id: &str,
    scenario_id: &str,
) -> Result<HistoryEntry, AppError> {
    Ok(app.core()?.finish_scenario(session_id, scenario_id)?)
}
