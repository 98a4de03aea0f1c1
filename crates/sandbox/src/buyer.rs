//! Simulated buyers: a purchase (license, registration token, the browser POST to the
//! fulfillment URL, notifications), a contract change, a cancellation with its final-metering
//! hour on the sandbox clock, and a failed subscription.
//!
//! Notifications go to the configured SQS queue in the exact SNS envelope, through the AWS SDK's
//! SQS client (real SQS or moto), and EventBridge-shaped `aws.agreement-marketplace` events are
//! appended to the events file. Both are also kept in memory for `/_sandbox/notifications`.

use crate::error::{AwsError, AwsResult};
use crate::model::{Entitlement, License, LicenseStatus, PricingModel, Product};
use crate::ops::catalog::iso;
use crate::{Sandbox, LICENSE_ISSUER_ACCOUNT, MARKETPLACE_TOPIC_ACCOUNT};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::io::Write;

/// How long a registration token stays valid.
pub const TOKEN_TTL_SECS: i64 = 4 * 3600;
/// The final-metering window between unsubscribe-pending and unsubscribe-success.
pub const FINAL_METERING_SECS: i64 = 3600;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PurchaseRequest {
    /// Entity id (`prod-…`) or product code.
    pub product: String,
    pub buyer_account: String,
    /// Contract quantities; every Entitled dimension gets 1 when not given.
    #[serde(default)]
    pub entitlements: Vec<Entitlement>,
    /// POST the token to the fulfillment URL from the sandbox itself (default true).
    #[serde(default = "yes")]
    pub redirect: bool,
    /// Also return an auto-submitting HTML form, for the tester's own browser.
    #[serde(default)]
    pub browser_form: bool,
    #[serde(default)]
    pub free_trial: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fulfillment {
    pub url: String,
    pub status: Option<u16>,
    pub final_url: Option<String>,
    pub error: Option<String>,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurchaseResult {
    pub registration_token: String,
    pub token_expires: String,
    pub product_id: String,
    pub product_code: String,
    pub customer_identifier: String,
    pub customer_aws_account_id: String,
    pub license_arn: String,
    pub agreement_id: String,
    pub offer_id: String,
    pub fulfillment: Option<Fulfillment>,
    pub browser_form_html: Option<String>,
    /// With `browser_form`: a one-time page on this sandbox (`GET` it in the tester's browser)
    /// that posts the token to the fulfillment URL, so the tester sees their SaaS's landing page.
    pub browser_path: Option<String>,
    pub notifications: Vec<Value>,
}

/// Every quantity must be for one of the product's Entitled dimensions.
fn check_entitled(product: &Product, entitlements: &[Entitlement]) -> AwsResult<()> {
    match entitlements.iter().find(|e| {
        !product
            .dimensions
            .iter()
            .any(|d| d.key == e.dimension && d.entitled())
    }) {
        Some(e) => Err(AwsError::validation(format!(
            "{} is not an Entitled dimension of {}.",
            e.dimension, product.entity_id
        ))),
        None => Ok(()),
    }
}

fn new_license_arn() -> String {
    format!(
        "arn:aws:license-manager::{LICENSE_ISSUER_ACCOUNT}:license:l-{}",
        hex(32)
    )
}

fn new_agreement_id() -> String {
    format!("agmt-{}", crate::random_id(25))
}

fn conflict(msg: impl Into<String>) -> AwsError {
    AwsError::new(409, "ConflictException", msg)
}

/// A CustomerIdentifier-style id: mixed-case letters and digits.
fn mixed_alnum(len: usize) -> String {
    const MIXED: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| MIXED[rng.random_range(0..MIXED.len())] as char)
        .collect()
}

fn hex(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| format!("{:x}", rng.random_range(0..16u8)))
        .collect()
}

/// An opaque token of the length real ones have.
fn new_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 96];
    rand::rng().fill(&mut bytes[..]);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

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
    fn ms_now(&self) -> i64 {
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
        if let (Some(client), Some(target)) = (self.sqs_client().await, &self.config.sqs) {
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

    /// Appends an EventBridge-shaped event to the events file and the in-memory log.
    fn event(&self, detail_type: &str, license: &License, product: &Product, with_license: bool) {
        let mut detail = json!({
            "requestId": uuid::Uuid::new_v4().to_string(),
            "catalog": "AWSMarketplace",
            "agreement": {"id": license.agreement_id},
            "acceptor": {"accountId": license.customer_aws_account_id},
            "proposer": {"accountId": self.config.seller_account_id},
            "offer": {"id": product.offer_id},
        });
        if detail_type.starts_with("Purchase Agreement Created") {
            detail["agreement"] = json!({
                "id": license.agreement_id, "intent": "NEW", "status": "ACTIVE",
                "acceptanceTime": iso(license.created), "startTime": iso(license.created),
                "endTime": iso(license.expires),
            });
        } else if detail_type.starts_with("Purchase Agreement Amended") {
            detail["agreement"] =
                json!({"id": license.agreement_id, "intent": "AMEND", "status": "ACTIVE"});
        } else if detail_type.starts_with("Purchase Agreement Ended") {
            detail["agreement"] = json!({"id": license.agreement_id, "status": "CANCELLED"});
        }
        if with_license {
            detail["license"] = json!({"arn": license.license_arn});
            detail["product"] = json!({"id": product.entity_id, "code": product.code});
        }
        let ev = json!({
            "version": "0",
            "id": uuid::Uuid::new_v4().to_string(),
            "detail-type": detail_type,
            "source": "aws.agreement-marketplace",
            "account": self.config.seller_account_id,
            "time": iso(self.now()),
            "region": "us-east-1",
            "resources": [format!("arn:aws:aws-marketplace::aws:agreement:{}", license.agreement_id)],
            "detail": detail,
        });
        if let Some(path) = &self.config.events_file {
            let line = format!("{ev}\n");
            let res = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| f.write_all(line.as_bytes()));
            if let Err(e) = res {
                tracing::warn!(error = %e, "could not append EventBridge event");
            }
        }
        self.log_notification(json!({"eventbridge": ev, "time": iso(self.now())}));
    }

    fn find_product(&self, id_or_code: &str) -> AwsResult<Product> {
        self.state
            .product(id_or_code)?
            .map(|p| (*p).clone())
            .ok_or_else(|| {
                AwsError::new(
                    404,
                    "ResourceNotFoundException",
                    format!("No product {id_or_code}."),
                )
            })
    }

    fn find_license(&self, arn: &str) -> AwsResult<(License, Product)> {
        let l = self.state.license(arn)?.ok_or_else(|| {
            AwsError::new(
                404,
                "ResourceNotFoundException",
                format!("No license {arn}."),
            )
        })?;
        let p = self.find_product(&l.product_code)?;
        Ok((l, p))
    }

    /// A buyer purchases the product.
    pub async fn purchase(&self, req: &PurchaseRequest) -> AwsResult<PurchaseResult> {
        let product = self.find_product(&req.product)?;
        let buyer = req.buyer_account.trim();
        if !(buyer.len() == 12 && buyer.bytes().all(|b| b.is_ascii_digit())) {
            return Err(AwsError::validation(format!(
                "Buyer account '{buyer}' is not a 12-digit AWS account ID."
            )));
        }
        if product.visibility != "Public" && !product.buyer_accounts.iter().any(|a| a == buyer) {
            return Err(AwsError::new(
                403,
                "AccessDeniedException",
                format!(
                    "Account {buyer} is not on the allow-list of {} ({} visibility).",
                    product.entity_id, product.visibility
                ),
            ));
        }
        let existing = self.state.licenses_for_product(&product.code)?;
        let prior = existing
            .iter()
            .find(|l| l.customer_aws_account_id == buyer && l.status == LicenseStatus::Active);
        if prior.is_some() && !product.concurrent_agreements {
            return Err(conflict(format!(
                "Account {buyer} already has an active agreement for {}; this product does not use concurrent agreements.",
                product.entity_id
            )));
        }
        check_entitled(&product, &req.entitlements)?;
        let now = self.now();
        let entitlements = if product.pricing_model.has_entitlements() {
            product
                .dimensions
                .iter()
                .filter(|d| d.entitled())
                .map(|d| {
                    req.entitlements
                        .iter()
                        .find(|e| e.dimension == d.key)
                        .cloned()
                        .unwrap_or(Entitlement {
                            dimension: d.key.clone(),
                            quantity: Some(1),
                        })
                })
                .collect()
        } else {
            Vec::new()
        };
        let license = License {
            license_arn: new_license_arn(),
            agreement_id: new_agreement_id(),
            product_code: product.code.clone(),
            // One customer identifier per buyer and product, as AWS keeps it across agreements.
            customer_identifier: existing
                .iter()
                .find(|l| l.customer_aws_account_id == buyer)
                .map(|l| l.customer_identifier.clone())
                .unwrap_or_else(|| mixed_alnum(11)),
            customer_aws_account_id: buyer.to_string(),
            status: LicenseStatus::Active,
            entitlements,
            created: now,
            expires: if product.pricing_model == PricingModel::Subscription {
                253_402_300_799 // 9999-12-31: pay-as-you-go has no end
            } else {
                now + 365 * 86400
            },
            unsubscribe_due: None,
        };
        self.state.put_license(&license)?;
        let token = new_token();
        self.state
            .put_token(&token, &license.license_arn, now + TOKEN_TTL_SECS)?;

        let mut notifications = Vec::new();
        self.event(
            "Purchase Agreement Created - Proposer",
            &license,
            &product,
            false,
        );
        self.event("License Updated - Manufacturer", &license, &product, true);
        let trial = if req.free_trial { "true" } else { "false" };
        notifications.push(
            self.notify(
                "subscription",
                &product,
                &[
                    ("action", "subscribe-success"),
                    ("customer-identifier", &license.customer_identifier),
                    ("product-code", &product.code),
                    ("offer-identifier", &product.offer_id),
                    ("isFreeTrialTermPresent", trial),
                ],
            )
            .await,
        );
        if product.pricing_model.has_entitlements() {
            notifications.push(self.entitlement_updated(&license, &product).await);
        }
        let fulfillment = if req.redirect && !product.fulfillment_url.is_empty() {
            let started = self.ms_now();
            let f = post_token(&product.fulfillment_url, &token).await;
            self.log_landing(&f.url, "direct", started, f.status);
            Some(f)
        } else {
            None
        };
        let browser_form_html = req
            .browser_form
            .then(|| browser_form(&product.fulfillment_url, &token));
        let browser_path = browser_form_html.as_ref().map(|html| {
            let id = crate::random_id(24);
            self.landings
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(id.clone(), (product.fulfillment_url.clone(), html.clone()));
            format!("/_sandbox/landing/{id}")
        });
        Ok(PurchaseResult {
            registration_token: token,
            token_expires: iso(now + TOKEN_TTL_SECS),
            product_id: product.entity_id.clone(),
            product_code: product.code.clone(),
            customer_identifier: license.customer_identifier.clone(),
            customer_aws_account_id: license.customer_aws_account_id.clone(),
            license_arn: license.license_arn.clone(),
            agreement_id: license.agreement_id.clone(),
            offer_id: product.offer_id.clone(),
            fulfillment,
            browser_form_html,
            browser_path,
            notifications,
        })
    }

    async fn entitlement_updated(&self, license: &License, product: &Product) -> Value {
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

    /// The buyer changes their contract on the Marketplace page.
    pub async fn change(
        &self,
        license_arn: &str,
        entitlements: &[Entitlement],
    ) -> AwsResult<Value> {
        let (mut license, product) = self.find_license(license_arn)?;
        if !product.pricing_model.has_entitlements() {
            return Err(AwsError::validation(
                "Subscriptions have no contract to change; buy or cancel instead.",
            ));
        }
        if license.status != LicenseStatus::Active {
            return Err(conflict(format!("License {license_arn} is not active.")));
        }
        check_entitled(&product, entitlements)?;
        for e in entitlements {
            match license
                .entitlements
                .iter_mut()
                .find(|x| x.dimension == e.dimension)
            {
                Some(x) => x.quantity = e.quantity,
                None => license.entitlements.push(e.clone()),
            }
        }
        self.state.put_license(&license)?;
        self.event(
            "Purchase Agreement Amended - Proposer",
            &license,
            &product,
            false,
        );
        self.event("License Updated - Manufacturer", &license, &product, true);
        let n = self.entitlement_updated(&license, &product).await;
        Ok(
            json!({"license_arn": license.license_arn, "entitlements": license.entitlements, "notifications": [n]}),
        )
    }

    /// The buyer cancels: unsubscribe-pending now, unsubscribe-success once the final-metering
    /// hour has passed on the sandbox clock.
    pub async fn cancel(&self, license_arn: &str) -> AwsResult<Value> {
        let (mut license, product) = self.find_license(license_arn)?;
        if license.status != LicenseStatus::Active {
            return Err(conflict(format!("License {license_arn} is not active.")));
        }
        let due = self.now() + FINAL_METERING_SECS;
        license.status = LicenseStatus::PendingCancellation;
        license.unsubscribe_due = Some(due);
        self.state.put_license(&license)?;
        self.event(
            "Purchase Agreement Ended - Proposer",
            &license,
            &product,
            false,
        );
        let n = self
            .notify(
                "subscription",
                &product,
                &[
                    ("action", "unsubscribe-pending"),
                    ("customer-identifier", &license.customer_identifier),
                    ("product-code", &product.code),
                    ("isFreeTrialTermPresent", "false"),
                ],
            )
            .await;
        Ok(
            json!({"license_arn": license.license_arn, "unsubscribe_success_due": iso(due), "notifications": [n]}),
        )
    }

    /// A subscription that fails (e.g. the buyer's payment method was refused).
    pub async fn fail_subscription(&self, product: &str, buyer_account: &str) -> AwsResult<Value> {
        let product = self.find_product(product)?;
        let license = License {
            license_arn: new_license_arn(),
            agreement_id: new_agreement_id(),
            product_code: product.code.clone(),
            customer_identifier: mixed_alnum(11),
            customer_aws_account_id: buyer_account.to_string(),
            status: LicenseStatus::Failed,
            entitlements: Vec::new(),
            created: self.now(),
            expires: self.now(),
            unsubscribe_due: None,
        };
        self.state.put_license(&license)?;
        let n = self
            .notify(
                "subscription",
                &product,
                &[
                    ("action", "subscribe-fail"),
                    ("customer-identifier", &license.customer_identifier),
                    ("product-code", &product.code),
                    ("offer-identifier", &product.offer_id),
                    ("isFreeTrialTermPresent", "false"),
                ],
            )
            .await;
        Ok(json!({"license_arn": license.license_arn, "notifications": [n]}))
    }

    /// Sends whatever has become due on the sandbox clock (unsubscribe-success).
    pub async fn process_due(&self) -> AwsResult<Vec<Value>> {
        let now = self.now();
        let mut sent = Vec::new();
        for mut l in self.state.licenses()? {
            if l.status != LicenseStatus::PendingCancellation
                || l.unsubscribe_due.is_none_or(|d| d > now)
            {
                continue;
            }
            let product = self.find_product(&l.product_code)?;
            l.status = LicenseStatus::Cancelled;
            self.state.put_license(&l)?;
            self.event("License Deprovisioned - Manufacturer", &l, &product, true);
            sent.push(
                self.notify(
                    "subscription",
                    &product,
                    &[
                        ("action", "unsubscribe-success"),
                        ("customer-identifier", &l.customer_identifier),
                        ("product-code", &product.code),
                        ("isFreeTrialTermPresent", "false"),
                    ],
                )
                .await,
            );
        }
        Ok(sent)
    }

    /// Moves the sandbox clock forward and sends what became due.
    pub async fn advance_clock(&self, secs: i64) -> AwsResult<Vec<Value>> {
        if secs < 0 {
            return Err(AwsError::validation(
                "The sandbox clock only moves forward.",
            ));
        }
        let offset = self.state.clock_offset()?;
        self.state.set_clock_offset(offset + secs)?;
        self.process_due().await
    }
}

/// POSTs the token to the fulfillment URL the way a browser submits AWS's redirect form.
pub async fn post_token(url: &str, token: &str) -> Fulfillment {
    let started = std::time::Instant::now();
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .user_agent("Mozilla/5.0 (Listing Assistant sandbox buyer)")
        .build();
    let result = match client {
        Ok(c) => {
            c.post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("x-amzn-marketplace-token={}", form_encode(token)))
                .send()
                .await
        }
        Err(e) => Err(e),
    };
    let elapsed_ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(r) => Fulfillment {
            url: url.to_string(),
            status: Some(r.status().as_u16()),
            final_url: Some(r.url().to_string()),
            error: None,
            elapsed_ms,
        },
        Err(e) => Fulfillment {
            url: url.to_string(),
            status: None,
            final_url: None,
            error: Some(e.to_string()),
            elapsed_ms,
        },
    }
}

fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The page AWS shows a buyer after purchase: a form that posts the token to the SaaS at once.
pub fn browser_form(url: &str, token: &str) -> String {
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Redirecting to the seller…</title></head>\n\
<body onload=\"document.forms[0].submit()\">\n<p>Setting up your account with the seller (Listing Assistant sandbox)…</p>\n\
<form method=\"POST\" action=\"{}\" enctype=\"application/x-www-form-urlencoded\">\n\
<input type=\"hidden\" name=\"x-amzn-marketplace-token\" value=\"{}\">\n<noscript><button type=\"submit\">Continue</button></noscript>\n</form>\n</body></html>\n",
        html_escape(url),
        html_escape(token)
    )
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

    #[test]
    fn form_encoding_and_escaping() {
        assert_eq!(form_encode("a+b/c=="), "a%2Bb%2Fc%3D%3D");
        assert!(browser_form("https://x/?a=1&b=2", "t\"<").contains("https://x/?a=1&amp;b=2"));
    }
}
