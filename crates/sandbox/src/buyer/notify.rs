//! Marketplace's SNS notifications as they reach the seller's queue, and the sandbox's log of
//! what the buyer did (the landing on the fulfillment URL).
//!
//! The messages carry the documented fields only: the subscription topic sends `action`,
//! `customer-identifier`, `product-code`, `offer-identifier` (subscribe-success and
//! subscribe-fail only) and `isFreeTrialTermPresent`; the entitlement topic sends `action`
//! (always `entitlement-updated`), `customer-identifier` and `product-code`. No buyer account ID
//! or license ARN: AWS documents neither in SNS messages.

use crate::model::{License, Product};
use crate::ops::catalog::iso;
use crate::{Sandbox, MARKETPLACE_TOPIC_ACCOUNT};
use rand::Rng;
use serde_json::{json, Value};

pub fn topic_arn(kind: &str, code: &str) -> String {
    format!("arn:aws:sns:us-east-1:{MARKETPLACE_TOPIC_ACCOUNT}:aws-mp-{kind}-notification-{code}")
}

/// The `Message` string as Marketplace formats it: one member per line, no indent.
fn message_string(members: &[(&str, &str)]) -> String {
    let body: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("{}: {}", json!(k), json!(v)))
        .collect();
    format!("{{\n{}\n}}", body.join(",\n"))
}

/// The SNS envelope as SQS receives it (raw message delivery off).
pub fn sns_envelope(topic: &str, message: &str, timestamp_ms: i64) -> String {
    use base64::Engine;
    let mut sig = [0u8; 256];
    rand::rng().fill(&mut sig[..]);
    let time = chrono::DateTime::from_timestamp_millis(timestamp_ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let fields = [
        ("Type", json!("Notification")),
        ("MessageId", json!(uuid::Uuid::new_v4().to_string())),
        ("TopicArn", json!(topic)),
        ("Message", json!(message)),
        ("Timestamp", json!(time)),
        ("SignatureVersion", json!("1")),
        ("Signature", json!(base64::engine::general_purpose::STANDARD.encode(sig))),
        (
            "SigningCertURL",
            json!(format!("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-{}.pem", hex(32))),
        ),
        (
            "UnsubscribeURL",
            json!(format!(
                "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topic}:{}",
                uuid::Uuid::new_v4()
            )),
        ),
    ];
    let lines: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("  \"{k}\" : {v}"))
        .collect();
    format!("{{\n{}\n}}", lines.join(",\n"))
}

impl Sandbox {
    pub(super) fn ms_now(&self) -> i64 {
        self.now() * 1000 + chrono::Utc::now().timestamp_subsec_millis() as i64
    }

    /// Keeps "the buyer landed on the fulfillment page" in the log, with the sandbox-clock time
    /// the POST started, so a session can measure how long the SaaS took to resolve the token.
    pub(crate) fn log_landing(&self, url: &str, via: &str, started_ms: i64, status: Option<u16>) {
        let time = chrono::DateTime::from_timestamp_millis(started_ms)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        self.log_notification(
            json!({"landing": {"url": url, "via": via, "status": status}, "time": time}),
        );
    }

    /// The one-time browser page of a purchase: taken (so a token is served once) and logged as
    /// the buyer landing.
    pub fn take_landing(&self, id: &str) -> Option<String> {
        let (url, html) = self
            .landings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id)?;
        self.log_landing(&url, "browser", self.ms_now(), None);
        Some(html)
    }

    /// Delivers one Marketplace SNS notification (and keeps it for `/_sandbox/notifications`).
    async fn notify(&self, kind: &str, product: &Product, members: &[(&str, &str)]) -> Value {
        let topic = topic_arn(kind, &product.code);
        let envelope = sns_envelope(&topic, &message_string(members), self.ms_now());
        let mut delivered = json!(null);
        let mut error = json!(null);
        let client = match self.sqs_client().await {
            Ok(c) => c,
            Err(e) => {
                error = json!(e);
                None
            }
        };
        if let (Some(client), Some(target)) = (client, &self.config.sqs) {
            match client
                .send_message()
                .queue_url(&target.queue_url)
                .message_body(&envelope)
                .send()
                .await
            {
                Ok(out) => delivered = json!(out.message_id()),
                Err(e) => {
                    let msg = aws_sdk_sqs::error::DisplayErrorContext(&e).to_string();
                    tracing::warn!(error = %msg, "could not deliver notification to SQS");
                    error = json!(msg);
                }
            }
        }
        let record = json!({
            "topic_arn": topic,
            "action": members.iter().find(|(k, _)| *k == "action").map(|(_, v)| *v),
            "body": envelope,
            "sqs_message_id": delivered,
            "error": error,
            "time": iso(self.now()),
        });
        self.log_notification(record.clone());
        record
    }

    /// A message of the subscription topic (subscribe-success, subscribe-fail,
    /// unsubscribe-pending, unsubscribe-success).
    pub(super) async fn subscription_message(
        &self,
        action: &str,
        license: &License,
        product: &Product,
        free_trial: bool,
    ) -> Value {
        let mut members = vec![
            ("action", action),
            ("customer-identifier", license.customer_identifier.as_str()),
            ("product-code", product.code.as_str()),
        ];
        // AWS names the offer only when the buyer subscribes (or fails to).
        if matches!(action, "subscribe-success" | "subscribe-fail") {
            members.push(("offer-identifier", product.offer_id.as_str()));
        }
        members.push((
            "isFreeTrialTermPresent",
            if free_trial { "true" } else { "false" },
        ));
        self.notify("subscription", product, &members).await
    }

    /// The entitlement topic's only message: read GetEntitlements for what changed.
    pub(super) async fn entitlement_updated(&self, license: &License, product: &Product) -> Value {
        self.notify(
            "entitlement",
            product,
            &[
                ("action", "entitlement-updated"),
                ("customer-identifier", &license.customer_identifier),
                ("product-code", &product.code),
            ],
        )
        .await
    }
}

fn hex(len: usize) -> String {
    super::hex(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_matches_marketplace_formatting() {
        let m = message_string(&[("action", "subscribe-success"), ("product-code", "abc")]);
        assert_eq!(
            m,
            "{\n\"action\": \"subscribe-success\",\n\"product-code\": \"abc\"\n}"
        );
        let env: Value =
            serde_json::from_str(&sns_envelope("arn:aws:sns:us-east-1:287250355862:t", &m, 0))
                .expect("json");
        assert_eq!(env["Type"], "Notification");
        assert_eq!(env["Message"], m);
        assert_eq!(env["Timestamp"], "1970-01-01T00:00:00.000Z");
    }
}
