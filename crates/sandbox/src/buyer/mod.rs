//! Simulated buyers: a purchase (license, registration token, the browser POST to the
//! fulfillment URL, notifications), a contract change, a cancellation with its final-metering
//! hour on the sandbox clock, a contract's expiry, and a failed subscription.
//!
//! Each action sends what AWS sends, in the order docs/SANDBOX.md lists: EventBridge events
//! (`events`: appended to the events file) and SNS notifications (`notify`: to the configured
//! SQS queue in the exact SNS envelope, through the AWS SDK's SQS client, real SQS or moto).
//! Both are also kept in memory for `/_sandbox/notifications`, in the order they were sent.

mod events;
mod form;
mod notify;

pub use events::{agreement_event, license_event, AgreementChange, Role};
pub(crate) use form::html_escape;
pub use form::{browser_form, post_token};
pub use notify::{sns_envelope, topic_arn};

use crate::error::{AwsError, AwsResult};
use crate::model::{Entitlement, License, LicenseStatus, PricingModel, Product};
use crate::ops::catalog::iso;
use crate::{Sandbox, LICENSE_ISSUER_ACCOUNT};
use events::{LICENSE_DEPROVISIONED, LICENSE_UPDATED};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// How long a registration token stays valid.
pub const TOKEN_TTL_SECS: i64 = 4 * 3600;
/// The final-metering window: it starts when the buyer cancels (unsubscribe-pending, and
/// "License Deprovisioned - Manufacturer" as AWS's SaaS EventBridge integration page has it)
/// and ends with unsubscribe-success.
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

pub(crate) fn hex(len: usize) -> String {
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

impl Sandbox {
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

        // The agreement, then the license it grants, then the SNS messages.
        let mut notifications = Vec::new();
        self.agreement_events(AgreementChange::Created, &license, &product);
        self.emit_license(LICENSE_UPDATED, &license, &product);
        notifications.push(
            self.subscription_message("subscribe-success", &license, &product, req.free_trial)
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
            let mut landings = self.landings.lock().unwrap_or_else(|p| p.into_inner());
            // Pages never opened are dropped (any one: each is a one-time page anyway), so
            // purchases without a browser cannot grow this without bound.
            if landings.len() >= crate::MAX_LANDINGS {
                if let Some(k) = landings.keys().next().cloned() {
                    landings.remove(&k);
                }
            }
            landings.insert(id.clone(), (product.fulfillment_url.clone(), html.clone()));
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
        self.agreement_events(AgreementChange::Amended, &license, &product);
        self.emit_license(LICENSE_UPDATED, &license, &product);
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
        // AWS's SaaS EventBridge integration page: "License Deprovisioned" marks the start of
        // the one-hour final reporting window, so it comes now, with the agreement's end. (Its
        // "Pricing for SaaS subscriptions" page has it an hour later; see docs/SANDBOX.md.)
        self.agreement_events(
            AgreementChange::Ended {
                status: "CANCELLED",
            },
            &license,
            &product,
        );
        self.emit_license(LICENSE_DEPROVISIONED, &license, &product);
        let n = self
            .subscription_message("unsubscribe-pending", &license, &product, false)
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
        // No agreement was made: no EventBridge event, only the subscription topic's message.
        let n = self
            .subscription_message("subscribe-fail", &license, &product, false)
            .await;
        Ok(json!({"license_arn": license.license_arn, "notifications": [n]}))
    }

    /// Sends whatever has become due on the sandbox clock: unsubscribe-success once the
    /// final-metering hour has passed, and the end of a contract that expired.
    pub async fn process_due(&self) -> AwsResult<Vec<Value>> {
        let now = self.now();
        let mut sent = Vec::new();
        for mut l in self.state.licenses()? {
            match l.status {
                LicenseStatus::PendingCancellation
                    if l.unsubscribe_due.is_some_and(|d| d <= now) =>
                {
                    let product = self.find_product(&l.product_code)?;
                    l.status = LicenseStatus::Cancelled;
                    self.state.put_license(&l)?;
                    // The window closes with the SNS message only: EventBridge said it all an
                    // hour ago.
                    sent.push(
                        self.subscription_message("unsubscribe-success", &l, &product, false)
                            .await,
                    );
                }
                LicenseStatus::Active if l.expires <= now => {
                    let product = self.find_product(&l.product_code)?;
                    l.status = LicenseStatus::Expired;
                    self.state.put_license(&l)?;
                    self.agreement_events(
                        AgreementChange::Ended { status: "EXPIRED" },
                        &l,
                        &product,
                    );
                    self.emit_license(LICENSE_DEPROVISIONED, &l, &product);
                    // A contract's end reaches the entitlement topic: GetEntitlements no longer
                    // lists it.
                    if product.pricing_model.has_entitlements() {
                        sent.push(self.entitlement_updated(&l, &product).await);
                    }
                }
                _ => {}
            }
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
        // Checked: a request value near i64::MAX must be refused, not wrap the clock backwards
        // (release) or panic the handler (debug).
        let total = offset
            .checked_add(secs)
            .filter(|t| *t <= crate::MAX_CLOCK_OFFSET_SECS)
            .ok_or_else(|| {
                AwsError::validation(format!(
                    "The sandbox clock moves at most {} seconds (100 years) in all; it is {offset} seconds ahead now.",
                    crate::MAX_CLOCK_OFFSET_SECS
                ))
            })?;
        self.state.set_clock_offset(total)?;
        self.process_due().await
    }
}
