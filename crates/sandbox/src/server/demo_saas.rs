//! The demo SaaS the demo products' fulfillment URLs point at: a registration page that
//! resolves the buyer's token as a SaaS would, its metering job on demand, and a EULA.

use super::Shared;
use super::DEMO_SAAS_ACCESS_KEY_ID;
use crate::protocol::Protocol;
use crate::sigv4::Caller;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::Json;
use serde_json::json;

pub(super) fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:640px;margin:48px auto;padding:0 16px;color:#172033}}\
code{{background:#eef2f8;padding:2px 4px;border-radius:4px}}</style></head><body><h1>{title}</h1>{body}</body></html>"
    ))
}

pub(super) async fn landing_get(Path(env): Path<String>) -> Html<String> {
    page(
        "Acme Insights — sign up",
        &format!("<p>This is the demo SaaS's registration page for <code>{}</code>. AWS Marketplace buyers arrive here with a POST carrying <code>x-amzn-marketplace-token</code>.</p>", crate::buyer::html_escape(&env)),
    )
}

/// Resolves the buyer's token as a SaaS would (recorded in the CloudTrail view under the demo
/// SaaS's own access key) and greets the customer. A bad token gets a friendly page, not a 500.
pub(super) async fn landing(
    State(sb): State<Shared>,
    Path(env): Path<String>,
    body: Bytes,
) -> (StatusCode, Html<String>) {
    let token = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "x-amzn-marketplace-token")
        .map(|(_, v)| v.into_owned());
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return (
            StatusCode::BAD_REQUEST,
            page("We could not find your purchase", "<p>The link you followed has no Marketplace token. Please start again from your AWS Marketplace subscription.</p>"),
        );
    };
    let op = crate::protocol::OpRequest {
        service: crate::protocol::Service::Metering,
        op: "ResolveCustomer".into(),
        protocol: Protocol::AwsJson,
        input: json!({"RegistrationToken": token}),
    };
    let caller = Caller {
        access_key_id: DEMO_SAAS_ACCESS_KEY_ID.into(),
        service: "aws-marketplace".into(),
        region: "us-east-1".into(),
    };
    match sb.call(&op, &caller).await {
        Ok(v) => (
            StatusCode::OK,
            page(
                "Welcome to Acme Insights",
                &format!(
                    "<p>Your AWS Marketplace subscription is confirmed ({}).</p><ul><li>AWS account: <code>{}</code></li><li>Product code: <code>{}</code></li><li>License: <code>{}</code></li></ul><p>Create your account to get started.</p>",
                    crate::buyer::html_escape(&env),
                    crate::buyer::html_escape(v["CustomerAWSAccountId"].as_str().unwrap_or_default()),
                    crate::buyer::html_escape(v["ProductCode"].as_str().unwrap_or_default()),
                    crate::buyer::html_escape(v["LicenseArn"].as_str().unwrap_or_default()),
                ),
            ),
        ),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            page(
                "We could not confirm your purchase",
                {
                    tracing::info!(code = e.code, "demo SaaS could not resolve a token");
                    "<p>AWS Marketplace did not recognise this link. Links are valid for four hours; please start again from your subscription.</p>"
                },
            ),
        ),
    }
}

/// The demo SaaS's metering job, on demand: one BatchMeterUsage record for a customer, signed
/// as the SaaS (so CloudTrail shows it as the SaaS's call, as a final metering record would be).
pub(super) async fn meter(
    State(sb): State<Shared>,
    Path(_env): Path<String>,
    Json(req): Json<la_sandbox_api::DemoMeterRequest>,
) -> super::control::ApiResult {
    let op = crate::protocol::OpRequest {
        service: crate::protocol::Service::Metering,
        op: "BatchMeterUsage".into(),
        protocol: Protocol::AwsJson,
        input: json!({"UsageRecords": [{
            "Timestamp": sb.now(),
            "CustomerAWSAccountId": req.customer_aws_account_id,
            "LicenseArn": req.license_arn,
            "Dimension": req.dimension,
            "Quantity": req.quantity,
        }]}),
    };
    let caller = Caller {
        access_key_id: DEMO_SAAS_ACCESS_KEY_ID.into(),
        service: "aws-marketplace".into(),
        region: "us-east-1".into(),
    };
    Ok(Json(sb.call(&op, &caller).await?))
}

pub(super) async fn eula(Path(env): Path<String>) -> impl IntoResponse {
    (
        [("content-type", "text/plain; charset=utf-8")],
        format!("ACME INSIGHTS ({env}) END USER LICENSE AGREEMENT\n\nThis is a demo EULA served by the Listing Assistant Marketplace sandbox.\n"),
    )
}
