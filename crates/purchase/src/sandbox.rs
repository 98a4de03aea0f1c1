//! Playing the buyer against the sandbox in a session: purchase (the token posted to the
//! fulfillment URL directly, or a one-time page for the tester's browser), contract change,
//! cancellation and the clock — through the sandbox's `/_sandbox` API, so the app's in-process
//! sandbox and one started with `listing-assistant sandbox serve` are driven the same way.
//! Each action goes on the timeline with the registration token masked.

use crate::watch::{NewEvent, Session};
use la_core::purchase::EventSource;
use la_core::{AppError, ErrorCode};
use serde_json::{json, Value};

pub struct SandboxBuyer {
    http: reqwest::Client,
    endpoint: String,
}

/// What a sandbox purchase gives the session.
#[derive(Debug, Clone)]
pub struct Purchased {
    pub license_arn: String,
    /// Where the tester's browser should go (browser mode).
    pub browser_url: Option<String>,
    pub landing_status: Option<u16>,
}

/// The token is a credential for the buyer's registration: keep its first characters only.
pub fn mask_token(mut v: Value) -> Value {
    if let Some(t) = v.get("registration_token").and_then(Value::as_str) {
        let shown: String = t.chars().take(8).collect();
        v["registration_token"] = json!(format!("{shown}…"));
    }
    if let Some(o) = v.as_object_mut() {
        // The form holds the token, and the one-time page serves it until the browser opens it.
        o.remove("browser_form_html");
        o.remove("browser_path");
    }
    v
}

impl SandboxBuyer {
    pub fn new(endpoint: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
            endpoint: endpoint.trim_end_matches('/').to_string(),
        }
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, AppError> {
        let url = format!("{}{path}", self.endpoint);
        let resp = self.http.post(&url).json(&body).send().await.map_err(|e| {
            AppError::new(
                ErrorCode::Unreachable,
                format!(
                    "The sandbox at {} did not answer: {}",
                    self.endpoint,
                    la_aws::http_error_chain(&e)
                ),
            )
        })?;
        let status = resp.status();
        let v: Value = resp.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(v);
        }
        let code = match status.as_u16() {
            403 => ErrorCode::AccessDenied,
            404 => ErrorCode::NotFound,
            409 => ErrorCode::Conflict,
            400 | 422 => ErrorCode::InvalidInput,
            _ => ErrorCode::Aws,
        };
        Err(AppError::new(
            code,
            format!(
                "{}: {}",
                v["code"]
                    .as_str()
                    .or(v["__type"].as_str())
                    .unwrap_or("SandboxError"),
                v["message"]
                    .as_str()
                    .unwrap_or("the sandbox refused the request")
            ),
        ))
    }

    fn record(session: &Session, kind: &str, summary: String, raw: &Value) {
        session.add(NewEvent {
            source: EventSource::Sandbox,
            kind: kind.to_string(),
            summary,
            occurred_at: None,
            raw: mask_token(raw.clone()).to_string(),
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
        let req = json!({"product": product, "buyer_account": buyer_account, "redirect": !via_browser, "browser_form": via_browser});
        // The action goes on the timeline before its consequences (notifications, the landing).
        Self::record(
            session,
            "purchase",
            format!("the buyer {buyer_account} purchases {product} in the sandbox"),
            &req,
        );
        let v = self.post("/_sandbox/purchase", req).await?;
        let license_arn = v["license_arn"].as_str().unwrap_or_default().to_string();
        let landing_status = v["fulfillment"]["status"].as_u64().map(|s| s as u16);
        let landing = match (&v["fulfillment"]["status"], &v["fulfillment"]["error"]) {
            (Value::Number(s), _) => format!("; the fulfillment URL answered HTTP {s}"),
            (_, Value::String(e)) => format!("; the fulfillment URL could not be reached: {e}"),
            _ if via_browser => "; opening the landing page in the browser".into(),
            _ => String::new(),
        };
        Self::record(
            session,
            "purchase-done",
            format!(
                "sandbox purchase by {buyer_account}: license {}{landing}",
                license_arn.rsplit(':').next().unwrap_or("")
            ),
            &v,
        );
        Ok(Purchased {
            license_arn,
            browser_url: v["browser_path"]
                .as_str()
                .map(|p| format!("{}{p}", self.endpoint)),
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
        let ents: Vec<Value> = quantities
            .iter()
            .map(|(d, q)| json!({"dimension": d, "quantity": q}))
            .collect();
        let what = quantities
            .iter()
            .map(|(d, q)| format!("{d}={q}"))
            .collect::<Vec<_>>()
            .join(", ");
        let req = json!({"license_arn": license_arn, "entitlements": ents});
        Self::record(
            session,
            "change",
            format!("the buyer changes the contract in the sandbox: {what}"),
            &req,
        );
        self.post("/_sandbox/change", req).await?;
        Ok(())
    }

    pub async fn cancel(&self, session: &Session, license_arn: &str) -> Result<(), AppError> {
        let req = json!({"license_arn": license_arn});
        Self::record(
            session,
            "cancel",
            "the buyer cancels in the sandbox".into(),
            &req,
        );
        let v = self.post("/_sandbox/cancel", req).await?;
        Self::record(
            session,
            "cancel-done",
            format!(
                "sandbox cancellation; unsubscribe-success due at {}",
                v["unsubscribe_success_due"].as_str().unwrap_or("?")
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
            .strip_prefix(&self.endpoint)
            .and_then(|p| p.strip_suffix("/marketplace/register"))
            .filter(|p| p.starts_with("/_demo-saas/"))
        else {
            return Err(AppError::invalid(
                "Only the sandbox's demo SaaS can be asked to meter; your own SaaS meters on its own schedule.",
            ));
        };
        let req = json!({"customer_aws_account_id": buyer_account, "license_arn": license_arn, "dimension": dimension, "quantity": quantity});
        Self::record(
            session,
            "demo-saas-meter",
            format!("the demo SaaS meters {dimension}={quantity} for {buyer_account}"),
            &req,
        );
        let v = self.post(&format!("{base}/meter"), req).await?;
        let status = v["Results"][0]["Status"].as_str().unwrap_or("Unprocessed");
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
        let req = json!({"advance_secs": secs});
        Self::record(
            session,
            "clock",
            format!("the sandbox clock moves forward by {} min", secs / 60),
            &req,
        );
        let v = self.post("/_sandbox/clock", req).await?;
        Ok(v["now"].as_str().unwrap_or("?").to_string())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn token_is_masked_and_form_dropped() {
        let v = super::mask_token(
            serde_json::json!({"registration_token": "abcdefghijklmnop", "browser_form_html": "<form>abcdefghijklmnop</form>", "browser_path": "/_sandbox/landing/abc", "x": 1}),
        );
        assert_eq!(v["registration_token"], "abcdefgh…");
        assert!(!v.to_string().contains("ijklmnop"));
        assert!(v.get("browser_path").is_none());
    }
}
