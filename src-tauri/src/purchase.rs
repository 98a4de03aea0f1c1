//! Test purchase sessions in the app: commands that start and stop a session's watchers
//! (`la_purchase`), play the buyer against the sandbox, open the product page, and record the
//! tester's scenario results through the core. Timeline events, watcher states and verdicts
//! reach the window as events; every event is stored as it arrives.

use crate::AppState;
use la_core::model::{EnvKind, EnvMode, HistoryEntry};
use la_core::purchase::*;
use la_core::service::{Core, NewSession};
use la_core::{AppError, ErrorCode};
use la_purchase::sandbox::SandboxBuyer;
use la_purchase::watch::{Session, Sink};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_opener::OpenerExt;
use tauri_specta::Event;

/// A timeline event as it lands.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct PurchaseEvent {
    pub session_id: String,
    pub event: TimelineEvent,
}

/// A watcher's state changed.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct PurchaseWatcher {
    pub session_id: String,
    pub status: WatcherStatus,
}

/// The verdicts changed.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct PurchaseVerdicts {
    pub session_id: String,
    pub verdicts: Vec<Verdict>,
}

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

/// The running sessions; dropping one stops its watchers.
#[derive(Default)]
pub struct PurchaseState {
    live: tokio::sync::Mutex<HashMap<String, Live>>,
}

/// What the session page shows.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct PurchaseView {
    pub detail: SessionDetail,
    pub running: bool,
    pub watchers: Vec<WatcherStatus>,
}

/// What "Start test purchase" asks for.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct StartPurchase {
    pub workspace_id: String,
    pub env: EnvKind,
    pub buyer_account: String,
    /// Delete what the watcher reads (a dedicated watcher queue) instead of peeking.
    pub delete_messages: bool,
    /// Real mode: open the product page in the system browser once the watchers run.
    pub open_product_page: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct Quantity {
    pub dimension: String,
    pub quantity: i32,
}

struct TauriSink {
    app: AppHandle,
    session_id: String,
}

impl TauriSink {
    fn with_core(&self, f: impl FnOnce(&Core) -> la_core::Result<()>) {
        let state = self.app.state::<AppState>();
        if let Ok(core) = state.core.as_ref() {
            if let Err(e) = f(core) {
                tracing::warn!(error = %e, "could not store a test purchase event");
            }
        }
    }
}

impl Sink for TauriSink {
    fn event(&self, event: &TimelineEvent) {
        self.with_core(|c| c.store().append_event(&self.session_id, event));
        let ev = PurchaseEvent {
            session_id: self.session_id.clone(),
            event: event.clone(),
        };
        if let Err(e) = ev.emit(&self.app) {
            tracing::warn!(error = %e, "could not emit purchase-event");
        }
    }

    fn watcher(&self, status: &WatcherStatus) {
        let ev = PurchaseWatcher {
            session_id: self.session_id.clone(),
            status: status.clone(),
        };
        if let Err(e) = ev.emit(&self.app) {
            tracing::warn!(error = %e, "could not emit purchase-watcher");
        }
    }

    fn verdicts(&self, verdicts: &[Verdict]) {
        self.with_core(|c| c.apply_verdicts(&self.session_id, verdicts));
        let ev = PurchaseVerdicts {
            session_id: self.session_id.clone(),
            verdicts: verdicts.to_vec(),
        };
        if let Err(e) = ev.emit(&self.app) {
            tracing::warn!(error = %e, "could not emit purchase-verdicts");
        }
    }
}

fn core<'a>(state: &'a State<'_, AppState>) -> Result<&'a Core, AppError> {
    state.core.as_ref().map_err(Clone::clone)
}

/// The running session `id`.
fn running<'a>(live: &'a HashMap<String, Live>, id: &str) -> Result<&'a Live, AppError> {
    live.get(id).ok_or_else(|| not_running(id))
}

impl Live {
    /// The sandbox buyer of a sandbox session.
    fn sandbox(&self) -> Result<&SandboxBuyer, AppError> {
        self.sandbox.as_ref().ok_or_else(not_sandbox)
    }
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

/// Opens an https page in the system browser (http only on loopback, for the sandbox).
fn open_in_browser(app: &AppHandle, url: &str) -> Result<(), AppError> {
    let ok = url.starts_with("https://")
        || url.starts_with("http://127.0.0.1:")
        || url.starts_with("http://localhost:");
    if !ok {
        return Err(AppError::invalid(format!(
            "Refusing to open {url}: only https pages (or the local sandbox) are opened."
        )));
    }
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("Could not open the browser: {e}")))
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_scenarios() -> Result<Vec<Scenario>, AppError> {
    Ok(scenarios())
}

/// Starts a session: the watchers first, then (real mode, when asked) the product page.
#[tauri::command]
#[specta::specta]
pub async fn purchase_start(
    app: AppHandle,
    state: State<'_, AppState>,
    purchases: State<'_, PurchaseState>,
    request: StartPurchase,
) -> Result<PurchaseSession, AppError> {
    let StartPurchase {
        workspace_id,
        env,
        buyer_account,
        delete_messages,
        open_product_page,
    } = request;
    let core = core(&state)?;
    let (settings, _) = core.store().environment(&workspace_id, env)?;
    let mut live = purchases.live.lock().await;
    if live
        .values()
        .any(|l| l.workspace_id == workspace_id && l.env == env)
    {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "A test purchase session is already running for this environment; stop it first.",
        ));
    }
    let keys = core.access_keys(&workspace_id, env)?;
    let cfg =
        la_purchase::config::watch_config(&settings, keys.clone(), &buyer_account, delete_messages)
            .await?;
    let sandbox = settings.mode == EnvMode::Sandbox;
    let page = if !sandbox && open_product_page {
        let sdk = la_aws::sdk_config(&settings, keys)
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
        Arc::new(TauriSink {
            app: app.clone(),
            session_id: session.id.clone(),
        }),
    );
    if let Some(url) = &page {
        // CloudTrail's first read is taken as history: let it happen before the buyer can buy.
        watchers.ready(READY_WAIT).await;
        watchers.tester("product-page", &format!("opened the product page {url}"));
        open_in_browser(&app, url)?;
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

#[tauri::command]
#[specta::specta]
pub async fn purchase_stop(
    state: State<'_, AppState>,
    purchases: State<'_, PurchaseState>,
    session_id: String,
) -> Result<(), AppError> {
    let live = purchases.live.lock().await.remove(&session_id);
    if let Some(l) = live {
        l.session.close().await;
    }
    core(&state)?.end_session(&session_id)?;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_sessions(
    state: State<'_, AppState>,
    workspace_id: String,
    env: EnvKind,
) -> Result<Vec<PurchaseSession>, AppError> {
    Ok(core(&state)?.sessions(&workspace_id, env)?)
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_view(
    state: State<'_, AppState>,
    purchases: State<'_, PurchaseState>,
    session_id: String,
) -> Result<PurchaseView, AppError> {
    let detail = core(&state)?.session_detail(&session_id)?;
    let live = purchases.live.lock().await;
    let l = live.get(&session_id);
    Ok(PurchaseView {
        detail,
        running: l.is_some(),
        watchers: l.map(|l| l.session.statuses()).unwrap_or_default(),
    })
}

/// The tester's own step ("landed on the SaaS page") or note, on the timeline.
#[tauri::command]
#[specta::specta]
pub async fn purchase_note(
    purchases: State<'_, PurchaseState>,
    session_id: String,
    kind: String,
    text: String,
) -> Result<TimelineEvent, AppError> {
    let kind = match kind.as_str() {
        "landing" | "note" => kind,
        _ => {
            return Err(AppError::invalid(
                "A tester's event is a landing or a note.",
            ))
        }
    };
    if text.chars().count() > 2000 {
        return Err(AppError::invalid("A note has at most 2,000 characters."));
    }
    let live = purchases.live.lock().await;
    let l = running(&live, &session_id)?;
    Ok(l.session.tester(&kind, text.trim()))
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SandboxAction {
    /// Purchase, the sandbox posting the token to the fulfillment URL itself.
    Purchase,
    /// Purchase, the tester's browser opening the SaaS's landing page.
    PurchaseInBrowser,
    Cancel,
}

/// Plays the buyer in a sandbox session.
#[tauri::command]
#[specta::specta]
pub async fn purchase_sandbox(
    app: AppHandle,
    state: State<'_, AppState>,
    purchases: State<'_, PurchaseState>,
    session_id: String,
    action: SandboxAction,
) -> Result<(), AppError> {
    let mut live = purchases.live.lock().await;
    let l = live
        .get_mut(&session_id)
        .ok_or_else(|| not_running(&session_id))?;
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
            core(&state)?
                .store()
                .set_session_license(&session_id, &p.license_arn)?;
            l.license_arn = Some(p.license_arn);
            if let Some(url) = p.browser_url {
                open_in_browser(&app, &url)?;
            }
        }
        SandboxAction::Cancel => {
            let arn = license(l)?;
            sb.cancel(&l.session, &arn).await?;
        }
    }
    Ok(())
}

fn license(l: &Live) -> Result<String, AppError> {
    l.license_arn
        .clone()
        .ok_or_else(|| AppError::invalid("Make a purchase in this session first."))
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_sandbox_change(
    purchases: State<'_, PurchaseState>,
    session_id: String,
    quantities: Vec<Quantity>,
) -> Result<(), AppError> {
    if quantities.is_empty() || quantities.iter().any(|q| q.quantity < 0) {
        return Err(AppError::invalid(
            "Give each dimension a quantity of 0 or more.",
        ));
    }
    let live = purchases.live.lock().await;
    let l = running(&live, &session_id)?;
    let sb = l.sandbox()?;
    let q: Vec<(String, i64)> = quantities
        .into_iter()
        .map(|q| (q.dimension, i64::from(q.quantity)))
        .collect();
    sb.change(&l.session, &license(l)?, &q).await
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_sandbox_clock(
    purchases: State<'_, PurchaseState>,
    session_id: String,
    minutes: u32,
) -> Result<String, AppError> {
    if minutes == 0 || minutes > 60 * 24 * 30 {
        return Err(AppError::invalid("Move the clock by 1 minute to 30 days."));
    }
    let live = purchases.live.lock().await;
    let l = running(&live, &session_id)?;
    let sb = l.sandbox()?;
    sb.advance_clock(&l.session, i64::from(minutes) * 60).await
}

/// Asks the sandbox's demo SaaS to send a metering record for the buyer (final metering).
#[tauri::command]
#[specta::specta]
pub async fn purchase_demo_meter(
    purchases: State<'_, PurchaseState>,
    session_id: String,
    dimension: String,
    quantity: i32,
) -> Result<(), AppError> {
    let live = purchases.live.lock().await;
    let l = running(&live, &session_id)?;
    let sb = l.sandbox()?;
    sb.demo_saas_meter(
        &l.session,
        &l.fulfillment_url,
        &l.buyer,
        &license(l)?,
        &dimension,
        i64::from(quantity),
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_set_step(
    state: State<'_, AppState>,
    session_id: String,
    scenario_id: String,
    step: u32,
    outcome: StepOutcome,
    note: String,
) -> Result<StepResult, AppError> {
    Ok(core(&state)?.set_step_result(&session_id, &scenario_id, step, outcome, &note)?)
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_attach_file(
    state: State<'_, AppState>,
    session_id: String,
    scenario_id: String,
    step: u32,
    path: String,
) -> Result<StepResult, AppError> {
    Ok(core(&state)?.attach_step_file(
        &session_id,
        &scenario_id,
        step,
        std::path::Path::new(&path),
    )?)
}

/// A pasted screenshot, base64 (IPC carries JSON; a number array would be four times larger).
#[tauri::command]
#[specta::specta]
pub async fn purchase_attach_pasted(
    state: State<'_, AppState>,
    session_id: String,
    scenario_id: String,
    step: u32,
    file_name: String,
    base64_data: String,
) -> Result<StepResult, AppError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64_data.trim())
        .map_err(|e| AppError::invalid(format!("The pasted image is not valid base64: {e}")))?;
    Ok(core(&state)?.attach_step_bytes(&session_id, &scenario_id, step, &file_name, &bytes)?)
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_finish_scenario(
    state: State<'_, AppState>,
    session_id: String,
    scenario_id: String,
) -> Result<HistoryEntry, AppError> {
    Ok(core(&state)?.finish_scenario(&session_id, &scenario_id)?)
}
