//! The built-in Marketplace sandbox, started in-process on loopback so the Demo workspace works
//! with no AWS account, and the commands of the app's Sandbox page. Catalog data, metering and
//! the CloudTrail view go through the official AWS SDK clients (`la_aws`), exactly as against
//! AWS; buyers are simulated through the sandbox's own API.

use la_aws::marketplace::{self, CatalogProduct, MarketplaceCall, MeterOutcome};
use la_core::demo::{SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY};
use la_core::{AppError, ErrorCode};
use la_sandbox::buyer::PurchaseRequest;
use la_sandbox::server::ServeOptions;
use la_sandbox::Running;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

pub struct SandboxState {
    pub running: Result<Running, String>,
}

impl SandboxState {
    fn get(&self) -> Result<&Running, AppError> {
        self.running.as_ref().map_err(|e| {
            AppError::new(
                ErrorCode::Unreachable,
                format!("The built-in sandbox is not running: {e}"),
            )
        })
    }
}

/// Starts the sandbox on 127.0.0.1:8484, or a free port when that is taken.
pub async fn start(data_dir: &std::path::Path) -> Result<Running, String> {
    let config = la_sandbox::Config {
        state_file: Some(data_dir.join("sandbox.sqlite3")),
        ..la_sandbox::Config::default()
    };
    let preferred =
        std::env::var("LISTING_ASSISTANT_SANDBOX_ADDR").unwrap_or_else(|_| "127.0.0.1:8484".into());
    let mut last = String::new();
    for addr in [preferred.as_str(), "127.0.0.1:0"] {
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
    pub status: String,
    pub entitlements: String,
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

fn sandbox_err(e: la_sandbox::AwsError) -> AppError {
    let code = match e.status {
        403 => ErrorCode::AccessDenied,
        404 => ErrorCode::NotFound,
        400 | 409 | 422 => ErrorCode::InvalidInput,
        _ => ErrorCode::Aws,
    };
    AppError::new(code, format!("{}: {}", e.code, e.message))
}

#[tauri::command]
#[specta::specta]
pub async fn sandbox_status(state: State<'_, SandboxState>) -> Result<SandboxStatus, AppError> {
    Ok(match &state.running {
        Ok(r) => SandboxStatus {
            url: Some(r.url.clone()),
            error: None,
            access_key_id: SANDBOX_ACCESS_KEY_ID.into(),
            clock: Some(la_sandbox::ops::catalog::iso(r.sandbox.now())),
        },
        Err(e) => SandboxStatus {
            url: None,
            error: Some(e.clone()),
            access_key_id: SANDBOX_ACCESS_KEY_ID.into(),
            clock: None,
        },
    })
}

#[tauri::command]
#[specta::specta]
pub async fn sandbox_products(
    state: State<'_, SandboxState>,
) -> Result<Vec<CatalogProduct>, AppError> {
    marketplace::list_saas_products(&sdk(state.get()?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn sandbox_purchase(
    state: State<'_, SandboxState>,
    product: String,
    buyer_account: String,
) -> Result<SandboxPurchase, AppError> {
    let r = state.get()?;
    let p = r
        .sandbox
        .purchase(&PurchaseRequest {
            product,
            buyer_account,
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
        token_preview: format!(
            "{}…",
            p.registration_token.chars().take(8).collect::<String>()
        ),
        landing_status: p.fulfillment.as_ref().and_then(|f| f.status),
        landing_error: p.fulfillment.as_ref().and_then(|f| f.error.clone()),
        landing_ms: p
            .fulfillment
            .as_ref()
            .map(|f| u32::try_from(f.elapsed_ms).unwrap_or(u32::MAX)),
        notifications: p.notifications.len() as u32,
    })
}

#[tauri::command]
#[specta::specta]
pub async fn sandbox_meter(
    state: State<'_, SandboxState>,
    customer_aws_account_id: String,
    license_arn: String,
    dimension: String,
    quantity: i32,
) -> Result<MeterOutcome, AppError> {
    marketplace::meter_one(
        &sdk(state.get()?),
        &customer_aws_account_id,
        &license_arn,
        &dimension,
        quantity,
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn sandbox_cancel(
    state: State<'_, SandboxState>,
    license_arn: String,
) -> Result<(), AppError> {
    state
        .get()?
        .sandbox
        .cancel(&license_arn)
        .await
        .map_err(sandbox_err)?;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn sandbox_advance_clock(
    state: State<'_, SandboxState>,
    hours: u32,
) -> Result<String, AppError> {
    let r = state.get()?;
    r.sandbox
        .advance_clock(i64::from(hours) * 3600)
        .await
        .map_err(sandbox_err)?;
    Ok(la_sandbox::ops::catalog::iso(r.sandbox.now()))
}

#[tauri::command]
#[specta::specta]
pub async fn sandbox_activity(state: State<'_, SandboxState>) -> Result<SandboxActivity, AppError> {
    let r = state.get()?;
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
            status: format!("{:?}", l.status),
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
        // Landings are for test purchase sessions' timelines, not this list.
        .filter(|n| n.get("landing").is_none())
        .map(|n| match n.get("eventbridge") {
            Some(ev) => SandboxNotification {
                time: n["time"].as_str().unwrap_or_default().into(),
                kind: ev["detail-type"].as_str().unwrap_or_default().into(),
                topic: "EventBridge aws.agreement-marketplace".into(),
            },
            None => SandboxNotification {
                time: n["time"].as_str().unwrap_or_default().into(),
                kind: n["action"].as_str().unwrap_or_default().into(),
                topic: n["topic_arn"].as_str().unwrap_or_default().into(),
            },
        })
        .collect();
    let calls = marketplace::marketplace_calls(&sdk(r), 50).await?;
    Ok(SandboxActivity {
        clock: la_sandbox::ops::catalog::iso(r.sandbox.now()),
        licenses,
        notifications,
        calls,
    })
}
