//! The `/_sandbox` control API: simulated buyers, the clock, injected faults and the logs. The
//! bodies are `la_sandbox_api`'s types, shared with every client.

use super::Shared;
use crate::error::AwsError;
use crate::model::Entitlement;
use crate::ops::catalog::iso;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::Json;
use la_sandbox_api as api;
use serde_json::{json, Value};

pub(super) struct ApiError(AwsError);

impl IntoResponse for ApiError {
    fn into_response(self) -> axum::response::Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = api::ErrorBody {
            code: self.0.code.to_string(),
            message: self.0.message,
        };
        (status, Json(body)).into_response()
    }
}

impl From<AwsError> for ApiError {
    fn from(e: AwsError) -> Self {
        ApiError(e)
    }
}

pub(super) type ApiResult<T = Value> = Result<Json<T>, ApiError>;

/// The sandbox keeps its log entries as JSON; each leaves here in the API's shape.
fn notifications_of(values: Vec<Value>) -> Vec<api::Notification> {
    values
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect()
}

fn entitlements_in(e: Vec<api::Entitlement>) -> Vec<Entitlement> {
    e.into_iter()
        .map(|e| Entitlement {
            dimension: e.dimension,
            quantity: e.quantity,
        })
        .collect()
}

fn entitlements_out(e: Vec<Entitlement>) -> Vec<api::Entitlement> {
    e.into_iter()
        .map(|e| api::Entitlement {
            dimension: e.dimension,
            quantity: e.quantity,
        })
        .collect()
}

/// A field of an answer the sandbox itself built (a missing one is a bug here, not the caller's).
fn field<T: serde::de::DeserializeOwned>(v: &Value, key: &str) -> Result<T, ApiError> {
    serde_json::from_value(v[key].clone()).map_err(|e| {
        ApiError(AwsError::new(
            500,
            "InternalFailure",
            format!("the sandbox's own answer has no valid {key}: {e}"),
        ))
    })
}

pub(super) async fn health(State(sb): State<Shared>) -> Json<api::Health> {
    Json(api::Health {
        ok: true,
        now: iso(sb.now()),
    })
}

pub(super) async fn products(State(sb): State<Shared>) -> ApiResult {
    Ok(Json(json!(sb.state.products()?)))
}

pub(super) async fn licenses(State(sb): State<Shared>) -> ApiResult {
    Ok(Json(json!(sb.state.licenses()?)))
}

pub(super) async fn metering(State(sb): State<Shared>) -> ApiResult {
    Ok(Json(json!(sb.state.metering()?)))
}

/// `?after=N`: only the entries numbered after N (what a watcher has not read yet).
#[derive(serde::Deserialize)]
pub(super) struct After {
    after: Option<u64>,
}

pub(super) async fn notifications(
    State(sb): State<Shared>,
    axum::extract::Query(q): axum::extract::Query<After>,
) -> Json<Vec<api::Notification>> {
    Json(notifications_of(match q.after {
        Some(after) => sb.notifications_after(after),
        None => sb.notifications(),
    }))
}

pub(super) async fn purchase(
    State(sb): State<Shared>,
    Json(req): Json<api::PurchaseRequest>,
) -> ApiResult<api::PurchaseResponse> {
    let p = sb
        .purchase(&crate::buyer::PurchaseRequest {
            product: req.product,
            buyer_account: req.buyer_account,
            entitlements: entitlements_in(req.entitlements),
            redirect: req.redirect,
            browser_form: req.browser_form,
            free_trial: req.free_trial,
        })
        .await?;
    Ok(Json(api::PurchaseResponse {
        registration_token: p.registration_token,
        token_expires: p.token_expires,
        product_id: p.product_id,
        product_code: p.product_code,
        customer_identifier: p.customer_identifier,
        customer_aws_account_id: p.customer_aws_account_id,
        license_arn: p.license_arn,
        agreement_id: p.agreement_id,
        offer_id: p.offer_id,
        fulfillment: p.fulfillment.map(|f| api::Fulfillment {
            url: f.url,
            status: f.status,
            final_url: f.final_url,
            error: f.error,
            elapsed_ms: f.elapsed_ms,
        }),
        browser_form_html: p.browser_form_html,
        browser_path: p.browser_path,
        notifications: notifications_of(p.notifications),
    }))
}

pub(super) async fn change(
    State(sb): State<Shared>,
    Json(req): Json<api::ChangeRequest>,
) -> ApiResult<api::ChangeResponse> {
    let v = sb
        .change(&req.license_arn, &entitlements_in(req.entitlements))
        .await?;
    Ok(Json(api::ChangeResponse {
        license_arn: field(&v, "license_arn")?,
        entitlements: entitlements_out(field(&v, "entitlements")?),
        notifications: notifications_of(field(&v, "notifications")?),
    }))
}

pub(super) async fn cancel(
    State(sb): State<Shared>,
    Json(req): Json<api::LicenseRequest>,
) -> ApiResult<api::CancelResponse> {
    let v = sb.cancel(&req.license_arn).await?;
    Ok(Json(api::CancelResponse {
        license_arn: field(&v, "license_arn")?,
        unsubscribe_success_due: field(&v, "unsubscribe_success_due")?,
        notifications: notifications_of(field(&v, "notifications")?),
    }))
}

pub(super) async fn fail(
    State(sb): State<Shared>,
    Json(req): Json<api::FailRequest>,
) -> ApiResult<api::FailResponse> {
    let v = sb
        .fail_subscription(&req.product, &req.buyer_account)
        .await?;
    Ok(Json(api::FailResponse {
        license_arn: field(&v, "license_arn")?,
        notifications: notifications_of(field(&v, "notifications")?),
    }))
}

pub(super) async fn clock(State(sb): State<Shared>) -> ApiResult<api::Clock> {
    Ok(Json(api::Clock {
        now: iso(sb.now()),
        offset_secs: sb.state.clock_offset()?,
        notifications: None,
    }))
}

pub(super) async fn advance(
    State(sb): State<Shared>,
    Json(req): Json<api::AdvanceClock>,
) -> ApiResult<api::Clock> {
    let sent = sb.advance_clock(req.advance_secs).await?;
    Ok(Json(api::Clock {
        now: iso(sb.now()),
        offset_secs: sb.state.clock_offset()?,
        notifications: Some(notifications_of(sent)),
    }))
}

pub(super) async fn faults(
    State(sb): State<Shared>,
    Json(req): Json<api::FaultRequest>,
) -> ApiResult<api::FaultResponse> {
    let f = &req.fault;
    if !(0.0..=1.0).contains(&f.throttle_rate) || !(0.0..=1.0).contains(&f.error_rate) {
        return Err(AwsError::validation("Rates are between 0 and 1.").into());
    }
    if f.delay_ms > api::MAX_FAULT_DELAY_MS {
        return Err(AwsError::validation(format!(
            "A delay is at most {} ms (longer ones outlast every client's time-out).",
            api::MAX_FAULT_DELAY_MS
        ))
        .into());
    }
    let set = sb.set_fault(&req.operation, req.fault.clone());
    if !set {
        return Err(AwsError::validation(format!(
            "At most {} operations have a fault at once; clear one first.",
            crate::MAX_FAULTS
        ))
        .into());
    }
    Ok(Json(api::FaultResponse {
        operation: req.operation,
        fault: req.fault,
    }))
}

/// The page a buyer's browser opens after a sandbox purchase: it posts the token to the SaaS.
pub(super) async fn landing(
    State(sb): State<Shared>,
    Path(id): Path<String>,
) -> (StatusCode, Html<String>) {
    match sb.take_landing(&id) {
        Some(html) => (StatusCode::OK, Html(html)),
        None => (
            StatusCode::NOT_FOUND,
            super::demo_saas::page("This purchase link was already used", "<p>Each sandbox purchase opens its landing page once, as AWS's redirect does. Make another purchase to land again.</p>"),
        ),
    }
}
