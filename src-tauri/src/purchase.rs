//! Test purchase commands: each forwards to `la_app::purchase`.

use la_app::purchase::{
    self as p, PurchaseView, Quantity, SandboxAction, SetStep, StartPurchase, TesterNote,
};
use la_app::App;
use la_core::model::{EnvKind, HistoryEntry};
use la_core::purchase::*;
use la_core::AppError;
use tauri::State;

type Res<T> = Result<T, AppError>;

#[tauri::command]
#[specta::specta]
pub async fn purchase_scenarios() -> Res<Vec<Scenario>> {
    p::scenarios().await
}

/// Starts a session: the watchers first, then (real mode, when asked) the product page.
#[tauri::command]
#[specta::specta]
pub async fn purchase_start(app: State<'_, App>, request: StartPurchase) -> Res<PurchaseSession> {
    p::start(&app, request).await
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_stop(app: State<'_, App>, session_id: String) -> Res<()> {
    p::stop(&app, &session_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_sessions(
    app: State<'_, App>,
    workspace_id: String,
    env: EnvKind,
) -> Res<Vec<PurchaseSession>> {
    p::sessions(&app, &workspace_id, env).await
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_view(app: State<'_, App>, session_id: String) -> Res<PurchaseView> {
    p::view(&app, &session_id).await
}

/// The tester's own step ("landed on the SaaS page") or note, on the timeline.
#[tauri::command]
#[specta::specta]
pub async fn purchase_note(
    app: State<'_, App>,
    session_id: String,
    kind: TesterNote,
    text: String,
) -> Res<TimelineEvent> {
    p::note(&app, &session_id, kind, &text).await
}

/// Plays the buyer in a sandbox session.
#[tauri::command]
#[specta::specta]
pub async fn purchase_sandbox(
    app: State<'_, App>,
    session_id: String,
    action: SandboxAction,
) -> Res<()> {
    p::sandbox(&app, &session_id, action).await
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_sandbox_change(
    app: State<'_, App>,
    session_id: String,
    quantities: Vec<Quantity>,
) -> Res<()> {
    p::sandbox_change(&app, &session_id, quantities).await
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_sandbox_clock(
    app: State<'_, App>,
    session_id: String,
    minutes: u32,
) -> Res<String> {
    p::sandbox_clock(&app, &session_id, minutes).await
}

/// Asks the sandbox's demo SaaS to send a metering record for the buyer (final metering).
#[tauri::command]
#[specta::specta]
pub async fn purchase_demo_meter(
    app: State<'_, App>,
    session_id: String,
    dimension: String,
    quantity: i32,
) -> Res<()> {
    p::demo_meter(&app, &session_id, &dimension, quantity).await
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_set_step(
    app: State<'_, App>,
    session_id: String,
    scenario_id: String,
    step: u32,
    outcome: StepOutcome,
    note: String,
) -> Res<StepResult> {
    let req = SetStep {
        session_id,
        scenario_id,
        step,
        outcome,
        note,
    };
    p::set_step(&app, req).await
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_attach_file(
    app: State<'_, App>,
    session_id: String,
    scenario_id: String,
    step: u32,
    path: String,
) -> Res<StepResult> {
    let path = app.picked().take(&path)?;
    p::attach_file(&app, &session_id, &scenario_id, step, &path).await
}

/// A pasted screenshot, base64 (IPC carries JSON; a number array would be four times larger).
#[tauri::command]
#[specta::specta]
pub async fn purchase_attach_pasted(
    app: State<'_, App>,
    session_id: String,
    scenario_id: String,
    step: u32,
    file_name: String,
    base64_data: String,
) -> Res<StepResult> {
    p::attach_pasted(
        &app,
        &session_id,
        &scenario_id,
        step,
        &file_name,
        &base64_data,
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_finish_scenario(
    app: State<'_, App>,
    session_id: String,
    scenario_id: String,
) -> Res<HistoryEntry> {
    p::finish_scenario(&app, &session_id, &scenario_id).await
}
