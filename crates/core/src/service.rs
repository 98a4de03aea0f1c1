//! The host every front end (the Tauri shell, later the CLI) drives: the store, the keyring and
//! the data directory behind plain methods, with an event sink that announces each write.

use crate::checklist::{checklist, implemented_checks};
use crate::error::{CoreError, Result};
use crate::model::*;
use crate::secrets::{AccessKeys, Secrets};
use crate::store::{schema_version, Store};
use crate::validate::validate_settings;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod credentials;
mod evidence;
mod listing;
mod purchase;
mod signing;
pub use credentials::Credentials;
pub use purchase::NewSession;

/// Largest evidence file accepted (screenshots, PDFs, logs); bigger files belong in a link.
pub const MAX_EVIDENCE_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Workspaces,
    Environment,
    ItemStatus,
    Evidence,
    Preferences,
    /// A test purchase session started, ended, or its results changed.
    Purchase,
}

/// Announced after every committed write so views refresh without polling.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ChangeEvent {
    pub workspace_id: Option<String>,
    pub kind: ChangeKind,
}

pub trait EventSink: Send + Sync {
    fn changed(&self, event: ChangeEvent);
}

/// An event sink that drops everything (CLI, tests that do not care).
pub struct NoEvents;
impl EventSink for NoEvents {
    fn changed(&self, _: ChangeEvent) {}
}

pub struct Core {
    store: Store,
    secrets: Secrets,
    data_dir: PathBuf,
    events: Arc<dyn EventSink>,
    /// The report-signing key, read from the keyring on first use (see `service/signing.rs`).
    signing: std::sync::OnceLock<crate::signing::SigningKey>,
}

impl Core {
    /// Opens the data directory (creating it), migrates the database and, on the very first
    /// start, seeds the demo workspace.
    pub fn open(data_dir: &Path, secrets: Secrets, events: Arc<dyn EventSink>) -> Result<Self> {
        // Store::open makes the folder (private to the user) and says specifically why it cannot.
        let store = Store::open(&data_dir.join("listing-assistant.sqlite3"))?;
        let core = Self {
            store,
            secrets,
            data_dir: data_dir.to_path_buf(),
            events,
            signing: Default::default(),
        };
        crate::demo::seed_on_first_start(&core)?;
        let cut = core.store.mark_interrupted_sessions()?;
        if cut > 0 {
            tracing::warn!(
                cut,
                "test purchase sessions were cut short by the last shutdown"
            );
        }
        let interrupted = core.store.mark_interrupted_runs()?;
        if interrupted > 0 {
            tracing::warn!(
                interrupted,
                "check runs were cut short by the last shutdown"
            );
        }
        Ok(core)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    fn emit(&self, workspace_id: Option<&str>, kind: ChangeKind) {
        self.events.changed(ChangeEvent {
            workspace_id: workspace_id.map(str::to_string),
            kind,
        });
    }

    /// Who is recorded on changes: the name set in preferences, else the OS user.
    pub fn actor(&self) -> String {
        let prefs = self.store.preferences().unwrap_or_default();
        if !prefs.actor.trim().is_empty() {
            return prefs.actor.trim().to_string();
        }
        std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "local user".into())
    }

    pub fn app_info(&self) -> AppInfo {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: self.data_dir.display().to_string(),
            database_path: self.store.path().display().to_string(),
            schema_version: schema_version(),
            implemented_checks: implemented_checks().iter().map(|s| s.to_string()).collect(),
        }
    }

    pub fn preferences(&self) -> Result<Preferences> {
        self.store.preferences()
    }

    pub fn set_preferences(&self, prefs: &Preferences) -> Result<Preferences> {
        if prefs.actor.chars().count() > 120 {
            return Err(CoreError::Invalid(
                "A name has at most 120 characters.".into(),
            ));
        }
        self.store.save_preferences(prefs)?;
        self.emit(None, ChangeKind::Preferences);
        Ok(prefs.clone())
    }

    // ---- workspaces --------------------------------------------------------------------------

    pub fn list_workspaces(&self) -> Result<Vec<WorkspaceSummary>> {
        self.store
            .list_workspaces()?
            .into_iter()
            .map(|w| {
                let states = self.store.item_states(&w.id)?;
                let (_, phases) = progress(&states);
                Ok(WorkspaceSummary {
                    workspace: w,
                    phases,
                })
            })
            .collect()
    }

    pub fn create_workspace(&self, name: &str, product_name: &str) -> Result<Workspace> {
        let ws = self.store.create_workspace(name, product_name, false)?;
        self.emit(Some(&ws.id), ChangeKind::Workspaces);
        Ok(ws)
    }

    pub fn rename_workspace(&self, id: &str, name: &str, product_name: &str) -> Result<Workspace> {
        let ws = self.store.rename_workspace(id, name, product_name)?;
        self.emit(Some(id), ChangeKind::Workspaces);
        Ok(ws)
    }

    pub fn delete_workspace(&self, id: &str) -> Result<()> {
        let files = self.store.delete_workspace(id)?;
        for f in files {
            // The rows are gone; a file we cannot remove is only wasted space.
            let _ = std::fs::remove_file(f);
        }
        let _ = std::fs::remove_dir_all(self.data_dir.join("evidence").join(id));
        for env in EnvKind::ALL {
            let _ = self.secrets.delete_access_keys(id, env);
        }
        self.emit(Some(id), ChangeKind::Workspaces);
        Ok(())
    }

    pub fn workspace_detail(&self, id: &str) -> Result<WorkspaceDetail> {
        let workspace = self.store.workspace(id)?;
        let environments = EnvKind::ALL
            .into_iter()
            .map(|kind| self.environment_view(id, kind))
            .collect::<Result<Vec<_>>>()?;
        let items = self.store.item_states(id)?;
        let (steps, phases) = progress(&items);
        Ok(WorkspaceDetail {
            workspace,
            environments,
            items,
            steps,
            phases,
        })
    }

    fn environment_view(&self, workspace_id: &str, kind: EnvKind) -> Result<EnvironmentView> {
        let (settings, updated_at) = self.store.environment(workspace_id, kind)?;
        let presence = self.secrets.access_keys_presence(workspace_id, kind);
        Ok(EnvironmentView {
            kind,
            has_access_keys: matches!(presence, Ok(true)),
            keychain_problem: presence.err(),
            demo_saas: crate::demo::is_demo_saas(&settings),
            settings,
            updated_at,
        })
    }

    // ---- environments ------------------------------------------------------------------------

    pub fn save_environment(
        &self,
        workspace_id: &str,
        kind: EnvKind,
        settings: &EnvironmentSettings,
    ) -> Result<EnvironmentView> {
        let errors = validate_settings(settings);
        if let Some(first) = errors.first() {
            return Err(CoreError::Invalid(format!(
                "{} ({}{})",
                first.message.en,
                first.field,
                if errors.len() > 1 {
                    format!(", and {} more", errors.len() - 1)
                } else {
                    String::new()
                }
            )));
        }
        self.store.save_environment(workspace_id, kind, settings)?;
        self.emit(Some(workspace_id), ChangeKind::Environment);
        self.environment_view(workspace_id, kind)
    }

    pub fn set_access_keys(
        &self,
        workspace_id: &str,
        kind: EnvKind,
        access_key_id: &str,
        secret_access_key: &str,
    ) -> Result<()> {
        self.set_access_keys_with_token(workspace_id, kind, access_key_id, secret_access_key, None)
    }

    /// Stores keys entered by hand, with the session token temporary keys (`ASIA…`) come with.
    /// All three go to the keyring as one entry, so a token never outlives or mixes with the
    /// key pair it was issued for.
    pub fn set_access_keys_with_token(
        &self,
        workspace_id: &str,
        kind: EnvKind,
        access_key_id: &str,
        secret_access_key: &str,
        session_token: Option<&str>,
    ) -> Result<()> {
        let keys =
            crate::secrets::validate_access_keys(access_key_id, secret_access_key, session_token)?;
        self.store.workspace(workspace_id)?;
        self.secrets.set_access_keys(workspace_id, kind, &keys)?;
        self.emit(Some(workspace_id), ChangeKind::Environment);
        Ok(())
    }

    /// Writes an environment's settings as an environment file (TOML, no secrets).
    pub fn export_environment_file(
        &self,
        workspace_id: &str,
        kind: EnvKind,
        path: &Path,
    ) -> Result<()> {
        let ws = self.store.workspace(workspace_id)?;
        let (settings, _) = self.store.environment(workspace_id, kind)?;
        let name = format!("{}-{}", ws.name, kind.as_str());
        let text = crate::envfile::to_toml(&name, &settings);
        // Written aside and renamed: an existing file is replaced whole or kept as it was.
        (|| {
            let mut f = crate::fsutil::AtomicFile::create(path)?;
            std::io::Write::write_all(f.file(), text.as_bytes())?;
            f.commit()
        })()
        .map_err(|e| CoreError::File(crate::fsutil::describe("the environment file", path, &e)))
    }

    /// Replaces an environment's settings with an environment file's (validated first; nothing
    /// changes when the file has a problem).
    pub fn import_environment_file(
        &self,
        workspace_id: &str,
        kind: EnvKind,
        path: &Path,
    ) -> Result<EnvironmentView> {
        let file = crate::envfile::read(path)?;
        self.save_environment(workspace_id, kind, &file.settings)
    }

    /// The environment's access keys from the keyring, when any are stored.
    pub fn access_keys(&self, workspace_id: &str, kind: EnvKind) -> Result<Option<AccessKeys>> {
        self.secrets.access_keys(workspace_id, kind)
    }

    pub fn clear_access_keys(&self, workspace_id: &str, kind: EnvKind) -> Result<()> {
        self.secrets.delete_access_keys(workspace_id, kind)?;
        self.emit(Some(workspace_id), ChangeKind::Environment);
        Ok(())
    }

    // ---- statuses ----------------------------------------------------------------------------

    pub fn set_item_status(&self, change: &StatusChange) -> Result<HistoryEntry> {
        // A note pasted from a terminal or a request log can carry keys or tokens: mask them
        // before they reach the database (and from there reports).
        let change = &StatusChange {
            note: crate::redact::redact(&change.note),
            waiver_reason: change.waiver_reason.as_deref().map(crate::redact::redact),
            ..change.clone()
        };
        let entry = self
            .store
            .set_status(change, &self.actor(), ChangeSource::User)?;
        self.emit(Some(&change.workspace_id), ChangeKind::ItemStatus);
        Ok(entry)
    }

    pub fn item_history(&self, workspace_id: &str, item_id: &str) -> Result<Vec<HistoryEntry>> {
        self.store.history(workspace_id, item_id)
    }

    // ---- check runs --------------------------------------------------------------------------

    /// The automated checks that prove the items of a step (or of every step of the environment),
    /// limited to checks this build has: the union of the steps' `checks`.
    pub fn checks_for(&self, env: EnvKind, step_id: Option<&str>) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for step in &checklist().steps {
            let env_ok = match step.env {
                crate::checklist::StepEnv::None => true,
                crate::checklist::StepEnv::Staging => env == EnvKind::Staging,
                crate::checklist::StepEnv::Production => env == EnvKind::Production,
            };
            if !env_ok || step_id.is_some_and(|s| s != step.id) {
                continue;
            }
            for c in &step.checks {
                if !ids.contains(c) {
                    ids.push(c.clone());
                }
            }
        }
        ids
    }

    pub fn start_check_run(
        &self,
        workspace_id: &str,
        env: EnvKind,
        total: u32,
    ) -> Result<CheckRun> {
        self.store.workspace(workspace_id)?;
        self.store.start_check_run(workspace_id, env, total)
    }

    pub fn record_check_result(&self, run_id: &str, result: &CheckResult) -> Result<()> {
        self.store.record_check_result(run_id, result)
    }

    /// Ends a run and moves the items its checks prove: pass → passed, fail → failed, with the
    /// run as evidence in the history. Warnings, errors and skips leave the item as it is.
    pub fn finish_check_run(
        &self,
        run: &CheckRun,
        results: &[CheckResult],
        state: CheckRunState,
    ) -> Result<u32> {
        self.store.finish_check_run(&run.id, state)?;
        let cl = checklist();
        let states = self.store.item_states(&run.workspace_id)?;
        let mut changed = 0;
        for r in results {
            let to = match r.status {
                CheckStatus::Pass => ItemStatus::Passed,
                CheckStatus::Fail => ItemStatus::Failed,
                _ => continue,
            };
            for item in cl
                .items
                .iter()
                .filter(|i| i.check.as_deref() == Some(r.id.as_str()))
            {
                let Some(step) = cl.step(&item.step) else {
                    continue;
                };
                let applies = match step.env {
                    crate::checklist::StepEnv::None => true,
                    crate::checklist::StepEnv::Staging => run.env == EnvKind::Staging,
                    crate::checklist::StepEnv::Production => run.env == EnvKind::Production,
                };
                let current = states
                    .iter()
                    .find(|s| s.item_id == item.id)
                    .map(|s| s.status);
                if !applies
                    || current == Some(to)
                    || matches!(
                        current,
                        Some(ItemStatus::Waived | ItemStatus::NotApplicable)
                    )
                {
                    continue;
                }
                self.store.set_status(
                    &StatusChange {
                        workspace_id: run.workspace_id.clone(),
                        item_id: item.id.clone(),
                        status: to,
                        note: format!("{} — check {} in run {}", r.summary.en, r.id, run.id),
                        waiver_reason: None,
                    },
                    "check run",
                    ChangeSource::Check,
                )?;
                changed += 1;
            }
        }
        self.emit(Some(&run.workspace_id), ChangeKind::ItemStatus);
        Ok(changed)
    }

    pub fn latest_check_results(
        &self,
        workspace_id: &str,
        env: EnvKind,
    ) -> Result<Vec<StoredCheckResult>> {
        self.store.latest_check_results(workspace_id, env)
    }

    pub fn check_runs(&self, workspace_id: &str, env: EnvKind) -> Result<Vec<CheckRun>> {
        self.store.check_runs(workspace_id, env)
    }

    /// The environment's runs, newest first, each with its counts and its changes against the
    /// run before it (for checks both ran).
    pub fn check_history(&self, workspace_id: &str, env: EnvKind) -> Result<Vec<CheckRunSummary>> {
        let runs = self.store.check_runs(workspace_id, env)?;
        let results: Vec<Vec<CheckResult>> = runs
            .iter()
            .map(|r| self.store.run_results(&r.id))
            .collect::<Result<_>>()?;
        Ok(runs
            .iter()
            .enumerate()
            .map(|(i, run)| {
                let mine = &results[i];
                let prev = results.get(i + 1);
                let count = |s: CheckStatus| mine.iter().filter(|r| r.status == s).count() as u32;
                let changes = match prev {
                    None => Vec::new(),
                    Some(prev) => mine
                        .iter()
                        .filter_map(|r| {
                            let before = prev.iter().find(|p| p.id == r.id).map(|p| p.status);
                            (before != Some(r.status)).then(|| CheckChange {
                                check_id: r.id.clone(),
                                from: before,
                                to: r.status,
                            })
                        })
                        .collect(),
                };
                CheckRunSummary {
                    run: run.clone(),
                    passed: count(CheckStatus::Pass),
                    failed: count(CheckStatus::Fail),
                    other: mine.len() as u32 - count(CheckStatus::Pass) - count(CheckStatus::Fail),
                    changes,
                }
            })
            .collect())
    }
}

/// Progress per step and per phase from the stored item states.
pub fn progress(states: &[ItemState]) -> (Vec<StepProgress>, Vec<PhaseProgress>) {
    let cl = checklist();
    let by_id: HashMap<&str, ItemStatus> = states
        .iter()
        .map(|s| (s.item_id.as_str(), s.status))
        .collect();
    let status = |id: &str| by_id.get(id).copied().unwrap_or(ItemStatus::NotStarted);
    let mut steps: Vec<StepProgress> = cl
        .steps
        .iter()
        .map(|s| StepProgress {
            step_id: s.id.clone(),
            done: s.items.iter().filter(|i| status(i).is_done()).count() as u32,
            failed: s
                .items
                .iter()
                .filter(|i| status(i) == ItemStatus::Failed)
                .count() as u32,
            total: s.items.len() as u32,
            blocked_by: Vec::new(),
        })
        .collect();
    let complete: HashMap<String, bool> = steps
        .iter()
        .map(|p| (p.step_id.clone(), p.done == p.total))
        .collect();
    for (p, s) in steps.iter_mut().zip(&cl.steps) {
        p.blocked_by = s
            .blocked_by
            .iter()
            .filter(|b| !complete.get(b.as_str()).copied().unwrap_or(true))
            .cloned()
            .collect();
    }
    let phases = cl
        .phases
        .iter()
        .map(|ph| {
            let (done, total) = steps
                .iter()
                .filter(|p| ph.steps.contains(&p.step_id))
                .fold((0, 0), |(d, t), p| (d + p.done, t + p.total));
            PhaseProgress {
                phase_id: ph.id.clone(),
                done,
                total,
            }
        })
        .collect();
    (steps, phases)
}
