//! Playing the buyer against the sandbox in a session: purchase (the token posted to the
//! fulfillment URL directly, or a one-time page for the tester's browser), contract change,
//! cancellation and the clock — through the sandbox's `/_sandbox` API, so the app's in-process
//! sandbox and one started with `listing-assistant sandbox serve` are driven the same way.
//! Each action goes on the timeline with the registration token masked.

use crate::watch::{NewEvent, Session};
use la_core::purchase::EventSource;
use la_core::{AppError, ErrorCode};
use la_sandbox_api::{
    ChangeRequest, Client, ControlError, DemoMeterRequest, Entitlement, ErrorKind, PurchaseRequest,
};
use serde::Serialize;
use serde_json::Value;

pub struct SandboxBuyer {
    client: Client,
}

/// What a sandbox purchase gives the session.
#[derive(Debug, Clone)]
pub struct Purchased {
    pub license_arn: String,
    /// Where the tester's browser should go (browser mode).
    pub browser_url: Option<String>,
    pub landing_status: Option<u16>,
}

/// The one map from a sandbox refusal (HTTP status, its `code` and message) to the app's
/// error, for the control API's clients and the app's in-process sandbox alike.
pub fn control_error(status: u16, code: &str, message: &str) -> AppError {
    let code_ = match ErrorKind::from_status(status) {
        ErrorKind::AccessDenied => ErrorCode::AccessDenied,
        ErrorKind::NotFound => ErrorCode::NotFound,
        ErrorKind::Conflict => ErrorCode::Conflict,
        ErrorKind::InvalidInput => ErrorCode::InvalidInput,
        ErrorKind::Other => ErrorCode::Aws,
    };
    AppError::new(code_, format!("{code}: {message}"))
}

/// A failed control call as the app's error.
pub fn app_error(e: ControlError) -> AppError {
    match e {
        ControlError::Refused {
            status,
            code,
            message,
        } => control_error(status, &code, &message),
        ControlError::Unreachable { endpoint, detail } => AppError::new(
            ErrorCode::Unreachable,
            format!("The sandbox at {endpoint} did not answer: {detail}"),
        ),
        ControlError::BadBody { .. } => AppError::new(ErrorCode::Aws, e.to_string()),
    }
}

/// What goes on the timeline for a request or an answer: the token masked, and the browser
/// form and one-time page (which carry or serve the token) left out.
pub fn mask_token(v: &impl Serialize) -> Value {
    let mut v = serde_json::to_value(v).unwrap_or_default();
    if let Some(t) = v.get("registration_token").and_then(Value::as_str) {
        v["registration_token"] = Value::String(la_sandbox_api::mask_token(t));
    }
    if let Some(o) = v.as_object_mut() {
        o.remove("browser_form_html");
        o.remove("browser_path");
    }
    v
}

impl SandboxBuyer {
    pub fn new(endpoint: &str) -> Self {
        Self {
            client: Client::new(endpoint),
        }
    }

    fn record(
        session: &Session,
        kind: &str,
        summary: la_core::checklist::Text,
        raw: &impl Serialize,
    ) {
        session.add(NewEvent {
            source: EventSource::Sandbox,
            kind: kind.to_string(),
            summary,
            occurred_at: None,
            raw: mask_token(raw).to_string(),
            malformed: false,
        });
    }

    /// The buyer purchases `product` (entity id or code). `via_browser`: no POST from the
    /// sandbox; the tester's browser opens `browser_url` and posts the token itself.
    pub async fn purchase(
        &self,
        session: &Session,
        product: &str,
        buyer_account: &str,
        via_browser: bool,
    ) -> Result<Purchased, AppError> {
        let req = PurchaseRequest {
            redirect: !via_browser,
            browser_form: via_browser,
            ..PurchaseRequest::new(product, buyer_account)
        };
        // The action goes on the timeline before its consequences (notifications, the landing).
        Self::record(
            session,
            "purchase",
            la_core::text!(
                "the buyer {buyer_account} purchases {product} in the sandbox",
                "購入者 {buyer_account} がサンドボックスで {product} を購入します"
            ),
            &req,
        );
        let v = self.client.purchase(&req).await.map_err(app_error)?;
        let landing_status = v.fulfillment.as_ref().and_then(|f| f.status);
        let landing_error = v.fulfillment.as_ref().and_then(|f| f.error.as_deref());
        let landing = match (landing_status, landing_error) {
            (Some(s), _) => la_core::text!(
                "; the fulfillment URL answered HTTP {s}",
                "。フルフィルメント URL は HTTP {s} を返しました"
            ),
            (_, Some(e)) => la_core::text!(
                "; the fulfillment URL could not be reached: {e}",
                "。フルフィルメント URL に到達できませんでした: {e}"
            ),
            _ if via_browser => la_core::text!(
                "; opening the landing page in the browser",
                "。ブラウザでランディングページを開きます"
            ),
            _ => la_core::checklist::Text::same(""),
        };
        Self::record(
            session,
            "purchase-done",
            {
                let license = v.license_arn.rsplit(':').next().unwrap_or("");
                la_core::checklist::Text::new(
                    format!(
                        "sandbox purchase by {buyer_account}: license {license}{}",
                        landing.en
                    ),
                    format!(
                        "{buyer_account} によるサンドボックスでの購入: ライセンス {license}{}",
                        landing.ja
                    ),
                )
            },
            &v,
        );
        Ok(Purchased {
            browser_url: v.browser_path.as_deref().map(|p| self.client.url(p)),
            license_arn: v.license_arn,
            landing_status,
        })
    }

    /// The buyer changes their contract to these quantities.
    pub async fn change(
        &self,
        session: &Session,
        license_arn: &str,
        quantities: &[(String, i64)],
    ) -> Result<(), AppError> {
        let entitlements: Vec<Entitlement> = quantities
            .iter()
            .map(|(d, q)| Entitlement {
                dimension: d.clone(),
                quantity: Some(*q),
            })
            .collect();
        let what = quantities
            .iter()
            .map(|(d, q)| format!("{d}={q}"))
            .collect::<Vec<_>>()
            .join(", ");
        let req = ChangeRequest {
            license_arn: license_arn.to_string(),
            entitlements,
        };
        Self::record(
            session,
            "change",
            la_core::text!(
                "the buyer changes the contract in the sandbox: {what}",
                "購入者がサンドボックスで契約を変更します: {what}"
            ),
            &req,
        );
        self.client.change(&req).await.map_err(app_error)?;
        Ok(())
    }

    pub async fn cancel(&self, session: &Session, license_arn: &str) -> Result<(), AppError> {
        let req = la_sandbox_api::LicenseRequest {
            license_arn: license_arn.to_string(),
        };
        Self::record(
            session,
            "cancel",
            la_core::text!(
                "the buyer cancels in the sandbox",
                "購入者がサンドボックスで解約します"
            ),
            &req,
        );
        let v = self.client.cancel(license_arn).await.map_err(app_error)?;
        Self::record(
            session,
            "cancel-done",
            la_core::text!(
                "sandbox cancellation; unsubscribe-success due at {}",
                "サンドボックスでの解約。unsubscribe-success の予定時刻は {} です",
                v.unsubscribe_success_due
            ),
            &v,
        );
        Ok(())
    }

    /// The sandbox's demo SaaS sends a metering record for the buyer (its hourly job, or the
    /// final record after unsubscribe-pending). `fulfillment_url` names the demo SaaS.
    pub async fn demo_saas_meter(
        &self,
        session: &Session,
        fulfillment_url: &str,
        buyer_account: &str,
        license_arn: &str,
        dimension: &str,
        quantity: i64,
    ) -> Result<(), AppError> {
        let Some(base) = fulfillment_url
            .strip_prefix(self.client.endpoint())
            .and_then(|p| p.strip_suffix("/marketplace/register"))
            .filter(|p| p.starts_with("/_demo-saas/"))
        else {
            return Err(AppError::invalid(
                "Only the sandbox's demo SaaS can be asked to meter; your own SaaS meters on its own schedule.",
            ));
        };
        let req = DemoMeterRequest {
            customer_aws_account_id: buyer_account.to_string(),
            license_arn: license_arn.to_string(),
            dimension: dimension.to_string(),
            quantity,
        };
        Self::record(
            session,
            "demo-saas-meter",
            la_core::text!(
                "the demo SaaS meters {dimension}={quantity} for {buyer_account}",
                "デモ SaaS が {buyer_account} の {dimension}={quantity} を計測します"
            ),
            &req,
        );
        let v = self
            .client
            .demo_saas_meter(base, &req)
            .await
            .map_err(app_error)?;
        let status = v
            .results
            .first()
            .and_then(|r| r.status.as_deref())
            .unwrap_or("Unprocessed");
        if status != "Success" {
            return Err(AppError::new(
                ErrorCode::Aws,
                format!("BatchMeterUsage answered {status}"),
            ));
        }
        Ok(())
    }

    /// Moves the sandbox clock forward (to pass the final-metering hour).
    pub async fn advance_clock(&self, session: &Session, secs: i64) -> Result<String, AppError> {
        let req = la_sandbox_api::AdvanceClock { advance_secs: secs };
        Self::record(
            session,
            "clock",
            la_core::text!(
                "the sandbox clock moves forward by {} min",
                "サンドボックスの時計を {} 分進めます",
                secs / 60
            ),
            &req,
        );
        let v = self.client.advance_clock(secs).await.map_err(app_error)?;
        Ok(v.now)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn token_is_masked_and_form_dropped() {
        let v = super::mask_token(
            &serde_json::json!({"registration_token": "abcdefghijklmnop", "browser_form_html": "<form>abcdefghijklmnop</form>", "browser_path": "/_sandbox/landing/abc", "x": 1}),
        );
        assert_eq!(v["registration_token"], "abcdefgh…");
        assert!(!v.to_string().contains("ijklmnop"));
        assert!(v.get("browser_path").is_none());
    }

    /// The control API's 409 (a license that is no longer active) is a conflict for every
    /// client; the app's in-process sandbox used to call it invalid input.
    #[test]
    fn a_409_is_a_conflict() {
        let e = super::control_error(409, "ConflictException", "License x is not active.");
        assert_eq!(e.code, la_core::ErrorCode::Conflict);
        assert_eq!(e.message, "ConflictException: License x is not active.");
        assert_eq!(
            super::control_error(400, "ValidationException", "x").code,
            la_core::ErrorCode::InvalidInput
        );
    }
}
