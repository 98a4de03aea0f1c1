//! The Sandbox page's commands: each forwards to `la_app::sandbox`.

use la_app::sandbox::{self as sb, SandboxActivity, SandboxPurchase, SandboxStatus};
use la_app::App;
use la_aws::marketplace::{CatalogProduct, MeterOutcome};
use la_core::AppError;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn sandbox_status(app: State<'_, App>) -> Result<SandboxStatus, AppError> {
    sb::status(&app).await
}

#[tauri::command]
#[specta::specta]
pub async fn sandbox_products(app: State<'_, App>) -> Result<Vec<CatalogProduct>, AppError> {
    sb::products(&app).await
}

#[tauri::command]
#[specta::specta]
pub async fn sandbox_purchase(
    app: State<'_, App>,
    product: String,
    buyer_account: String,
) -> Result<SandboxPurchase, AppError> {
    sb::purchase(&app, &product, &buyer_account).await
}

#[tauri::command]
#[specta::specta]
pub async fn sandbox_meter(
    app: State<'_, App>,
    customer_aws_account_id: String,
    license_arn: String,
    dimension: String,
    quantity: i32,
) -> Result<MeterOutcome, AppError> {
    sb::meter(
        &app,
        &customer_aws_account_id,
        &license_arn,
        &dimension,
        quantity,
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn sandbox_cancel(app: State<'_, App>, license_arn: String) -> Result<(), AppError> {
    sb::cancel(&app, &license_arn).await
}

#[tauri::command]
#[specta::specta]
pub async fn sandbox_advance_clock(app: State<'_, App>, hours: u32) -> Result<String, AppError> {
    sb::advance_clock(&app, hours).await
}

#[tauri::command]
#[specta::specta]
pub async fn sandbox_activity(app: State<'_, App>) -> Result<SandboxActivity, AppError> {
    sb::activity(&app).await
}
