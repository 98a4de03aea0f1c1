//! The built-in Marketplace sandbox, started in-process on loopback so the Demo workspace works
//! with no AWS account, and the operations of the app's Sandbox page. Catalog data, metering
//! and the CloudTrail view go through the official AWS SDK clients (`la_aws`), exactly as
//! against AWS; buyers are simulated through the sandbox itself.

use crate::App;
use la_aws::marketplace::{self, CatalogProduct, MarketplaceCall, MeterOutcome};
use la_core::demo::{SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY};
use la_core::{AppError, ErrorCode};
use la_sandbox::server::ServeOptions;
use la_sandbox::Running;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::sync::atomic::{AtomicBool, Ordering};

/// Where the built-in sandbox listens unless `LISTING_ASSISTANT_SANDBOX_ADDR` says otherwise (a
/// free port when it is taken). The Demo workspace is moved to whatever port it got.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8484";
pub const ADDR_ENV: &str = "LISTING_ASSISTANT_SANDBOX_ADDR";

/// The built-in sandbox: not started yet, starting, running, or why it could not start.
///
/// The desktop starts it once the first screen is shown (it is not needed for that screen), so
/// a call that needs it while it is still starting waits for that start instead of failing.
#[derive(Default)]
pub(crate) struct BuiltIn {
    cell: tokio::sync::OnceCell<Result<Running, String>>,
    /// Set as soon as a start is asked for, before it runs: from then on, callers wait.
    asked: AtomicBool,
    /// Signalled when the UI reports its first screen shown (keeps the signal if nobody waits yet).
    shown: tokio::sync::Notify,
}

/// The start's outcome, once it has settled; `None` when no start was asked for. A start asked
/// for but not begun yet (the desktop defers it until its first screen is shown) begins now, so
/// a caller never waits for the deferral; one already under way is waited for.
async fn settled(app: &App) -> Option<&Result<Running, String>> {
    if !app.sandbox.asked.load(Ordering::SeqCst) {
        return None;
    }
    start_builtin(app, None).await;
    app.sandbox.cell.get()
}

async fn running(app: &App) -> Result<&Running, AppError> {
    match settled(app).await {
        Some(Ok(r)) => Ok(r),
        Some(Err(e)) => Err(AppError::new(
            ErrorCode::Unreachable,
            format!("The built-in sandbox is not running: {e}"),
        )),
        None => Err(AppError::new(
            ErrorCode::Unreachable,
            "The built-in sandbox is not running: it was not started.",
        )),
    }
}

/// Says that the built-in sandbox is being started, before [`start_builtin`] runs (on another
/// task): from then on every call that needs it waits for that start.
pub fn will_start_builtin(app: &App) {
    app.sandbox.asked.store(true, Ordering::SeqCst);
}

/// Starts the built-in sandbox once the UI has shown its first screen, or after `at_most`
/// if it never says so (a start-up error page): its start (database, demo seeding, listening
/// socket) then no longer competes for the cores with the web view's first frame (issue 15),
/// and it is still up within moments for a SaaS pointed at it. Call [`will_start_builtin`]
/// first, so calls that need it meanwhile wait.
pub async fn start_builtin_after_first_screen(app: &App, at_most: std::time::Duration) {
    tokio::select! {
        () = app.sandbox.shown.notified() => {}
        () = tokio::time::sleep(at_most) => {}
    }
    start_builtin(app, None).await;
}

/// The UI has shown its first screen (see [`start_builtin_after_first_screen`]).
pub fn first_screen_shown(app: &App) {
    app.sandbox.shown.notify_one();
}

/// Waits until the built-in sandbox has started (or failed to) if a start was asked for, so the
/// Demo workspace's endpoint is final: a check run or a purchase session reads it.
pub async fn wait_builtin(app: &App) {
    let _ = settled(app).await;
}

/// Starts the built-in sandbox (once; later calls wait for the first) on `addr` — or the
/// default — with its state in the data folder, and points the Demo workspace at it.
pub async fn start_builtin(app: &App, addr: Option<&str>) {
    app.sandbox.asked.store(true, Ordering::SeqCst);
    app.sandbox
        .cell
        .get_or_init(|| async {
            let preferred = addr
                .map(str::to_string)
                .or_else(|| std::env::var(ADDR_ENV).ok())
                .unwrap_or_else(|| DEFAULT_ADDR.into());
            let running = serve(app.data_dir(), &preferred).await;
            match (&running, app.core()) {
                (Ok(r), Ok(core)) => {
                    tracing::info!(url = %r.url, "Marketplace sandbox running");
                    // Before the sandbox is published: whoever waited for it reads the Demo
                    // workspace's endpoint next.
                    if let Err(e) = la_core::demo::repoint(core, &r.url) {
                        tracing::warn!(error = %e, "could not point the Demo workspace at the sandbox");
                    }
                }
                (Err(e), _) => tracing::warn!(error = %e, "the built-in sandbox could not start"),
                _ => {}
            }
            running
        })
        .await;
}

async fn serve(data_dir: &std::path::Path, preferred: &str) -> Result<Running, String> {
    let config = la_sandbox::Config {
        state_file: Some(data_dir.join("sandbox.sqlite3")),
        ..la_sandbox::Config::default()
    };
    let mut last = String::new();
    for addr in [preferred, "127.0.0.1:0"] {
        let Ok(addr) = addr.parse() else {
            last = format!("{addr} is not an address");
            continue;
        };
        match la_sandbox::serve(
            config.clone(),
            ServeOptions {
                addr,
                seed_demo: true,
                allow_remote: false,
            },
        )
        .await
        {
            Ok(r) => return Ok(r),
            Err(e) => last = e.to_string(),
        }
    }
    Err(last)
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SandboxStatus {
    pub url: Option<String>,
    pub error: Option<String>,
    pub access_key_id: String,
    pub clock: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SandboxPurchase {
    pub product_id: String,
    pub product_code: String,
    pub customer_aws_account_id: String,
    pub license_arn: String,
    pub agreement_id: String,
    /// The first characters only: the token is a credential for the buyer's registration.
    pub token_preview: String,
    pub landing_status: Option<u16>,
    pub landing_error: Option<String>,
    pub landing_ms: Option<u32>,
    pub notifications: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SandboxLicense {
    pub license_arn: String,
    pub product_code: String,
    pub customer_aws_account_id: String,
    pub status: SandboxLicenseStatus,
    pub entitlements: String,
}

/// A sandbox license's state, as the Sandbox page shows it (translated there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SandboxLicenseStatus {
    Active,
    PendingCancellation,
    Cancelled,
    Expired,
    Failed,
}

impl From<la_sandbox::model::LicenseStatus> for SandboxLicenseStatus {
    fn from(s: la_sandbox::model::LicenseStatus) -> Self {
        use la_sandbox::model::LicenseStatus as L;
        match s {
            L::Active => Self::Active,
            L::PendingCancellation => Self::PendingCancellation,
            L::Cancelled => Self::Cancelled,
            L::Expired => Self::Expired,
            L::Failed => Self::Failed,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SandboxNotification {
    pub time: String,
    pub kind: String,
    pub topic: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SandboxActivity {
    pub clock: String,
    pub licenses: Vec<SandboxLicense>,
    pub notifications: Vec<SandboxNotification>,
    pub calls: Vec<MarketplaceCall>,
}

fn sdk(r: &Running) -> la_aws::SdkConfig {
    la_aws::access::static_config(&r.url, SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY)
}

/// A refusal of the in-process sandbox, mapped as its control API's clients map it.
fn sandbox_err(e: la_sandbox::AwsError) -> AppError {
    la_purchase::sandbox::control_error(e.status, e.code, &e.message)
}

fn now(r: &Running) -> String {
    la_sandbox::ops::catalog::iso(r.sandbox.now())
}

pub async fn status(app: &App) -> Result<SandboxStatus, AppError> {
    let (url, error, clock) = match settled(app).await {
        Some(Ok(r)) => (Some(r.url.clone()), None, Some(now(r))),
        Some(Err(e)) => (None, Some(e.clone()), None),
        None => (None, Some("not started".to_string()), None),
    };
    Ok(SandboxStatus {
        url,
        error,
        access_key_id: SANDBOX_ACCESS_KEY_ID.into(),
        clock,
    })
}

pub async fn products(app: &App) -> Result<Vec<CatalogProduct>, AppError> {
    marketplace::list_saas_products(&sdk(running(app).await?)).await
}

pub async fn purchase(
    app: &App,
    product: &str,
    buyer_account: &str,
) -> Result<SandboxPurchase, AppError> {
    let r = running(app).await?;
    let p = r
        .sandbox
        .purchase(&la_sandbox::buyer::PurchaseRequest {
            product: product.to_string(),
            buyer_account: buyer_account.to_string(),
            redirect: true,
            ..Default::default()
        })
        .await
        .map_err(sandbox_err)?;
    Ok(SandboxPurchase {
        product_id: p.product_id,
        product_code: p.product_code,
        customer_aws_account_id: p.customer_aws_account_id,
        license_arn: p.license_arn,
        agreement_id: p.agreement_id,
        token_preview: la_sandbox_api::mask_token(&p.registration_token),
        landing_status: p.fulfillment.as_ref().and_then(|f| f.status),
        landing_error: p.fulfillment.as_ref().and_then(|f| f.error.clone()),
        landing_ms: p
            .fulfillment
            .as_ref()
            .map(|f| u32::try_from(f.elapsed_ms).unwrap_or(u32::MAX)),
        notifications: u32::try_from(p.notifications.len()).unwrap_or(u32::MAX),
    })
}

pub async fn meter(
    app: &App,
    customer_aws_account_id: &str,
    license_arn: &str,
    dimension: &str,
    quantity: i32,
) -> Result<MeterOutcome, AppError> {
    marketplace::meter_one(
        &sdk(running(app).await?),
        customer_aws_account_id,
        license_arn,
        dimension,
        quantity,
    )
    .await
}

pub async fn cancel(app: &App, license_arn: &str) -> Result<(), AppError> {
    running(app)
        .await?
        .sandbox
        .cancel(license_arn)
        .await
        .map_err(sandbox_err)?;
    Ok(())
}

pub async fn advance_clock(app: &App, hours: u32) -> Result<String, AppError> {
    let r = running(app).await?;
    r.sandbox
        .advance_clock(i64::from(hours) * 3600)
        .await
        .map_err(sandbox_err)?;
    Ok(now(r))
}

pub async fn activity(app: &App) -> Result<SandboxActivity, AppError> {
    let r = running(app).await?;
    let licenses = r
        .sandbox
        .state
        .licenses()
        .map_err(sandbox_err)?
        .into_iter()
        .rev()
        .map(|l| SandboxLicense {
            license_arn: l.license_arn,
            product_code: l.product_code,
            customer_aws_account_id: l.customer_aws_account_id,
            status: l.status.into(),
            entitlements: l
                .entitlements
                .iter()
                .map(|e| {
                    format!(
                        "{}={}",
                        e.dimension,
                        e.quantity.map_or("yes".into(), |q| q.to_string())
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let notifications = r
        .sandbox
        .notifications()
        .into_iter()
        .rev()
        .filter_map(|v| serde_json::from_value::<la_sandbox_api::Notification>(v).ok())
        // Landings are for test purchase sessions' timelines, not this list.
        .filter(|n| !n.is_landing())
        .map(|n| match n.detail_type() {
            Some(detail_type) => SandboxNotification {
                kind: detail_type.to_string(),
                topic: "EventBridge aws.agreement-marketplace".into(),
                time: n.time,
            },
            None => SandboxNotification {
                kind: n.action.unwrap_or_default(),
                topic: n.topic_arn.unwrap_or_default(),
                time: n.time,
            },
        })
        .collect();
    let calls = marketplace::marketplace_calls(&sdk(r), 50).await?;
    Ok(SandboxActivity {
        clock: now(r),
        licenses,
        notifications,
        calls,
    })
}
