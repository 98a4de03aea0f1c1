//! Request and response bodies of the control routes (see [`crate::routes`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One contract quantity; `None` is a boolean "enabled" entitlement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entitlement {
    pub dimension: String,
    #[serde(default)]
    pub quantity: Option<i64>,
}

/// `POST /_sandbox/purchase`: a test buyer purchases a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

impl PurchaseRequest {
    /// A purchase whose token the sandbox posts to the fulfillment URL itself.
    pub fn new(product: impl Into<String>, buyer_account: impl Into<String>) -> Self {
        Self {
            product: product.into(),
            buyer_account: buyer_account.into(),
            entitlements: Vec::new(),
            redirect: true,
            browser_form: false,
            free_trial: false,
        }
    }
}

/// How the POST of the token to the fulfillment URL went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fulfillment {
    pub url: String,
    pub status: Option<u16>,
    pub final_url: Option<String>,
    pub error: Option<String>,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurchaseResponse {
    /// A credential for the buyer's registration: show it only through [`crate::mask_token`].
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
    /// With `browser_form`: a one-time page on the sandbox that posts the token to the
    /// fulfillment URL from the tester's browser.
    pub browser_path: Option<String>,
    pub notifications: Vec<Notification>,
}

/// One entry of the sandbox's notification log: an SNS notification (with `topic_arn` and
/// `action`), an EventBridge event (`eventbridge`, AWS's event document as sent), or the
/// buyer landing on the fulfillment page (`landing`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// The entry's number, from 1, increasing: the log keeps only its newest entries, so
    /// readers remember the last number they read rather than a position.
    #[serde(default)]
    pub seq: u64,
    pub time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The SNS envelope delivered to SQS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqs_message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eventbridge: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landing: Option<Landing>,
}

impl Notification {
    pub fn is_landing(&self) -> bool {
        self.landing.is_some()
    }
    /// The EventBridge event's `detail-type`.
    pub fn detail_type(&self) -> Option<&str> {
        self.eventbridge.as_ref()?.get("detail-type")?.as_str()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Landing {
    pub url: String,
    /// `sandbox` (the sandbox posted the token) or `browser` (the tester's browser did).
    pub via: String,
    pub status: Option<u16>,
}

/// `POST /_sandbox/change`: the buyer changes their contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRequest {
    pub license_arn: String,
    pub entitlements: Vec<Entitlement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeResponse {
    pub license_arn: String,
    pub entitlements: Vec<Entitlement>,
    pub notifications: Vec<Notification>,
}

/// `POST /_sandbox/cancel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseRequest {
    pub license_arn: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CancelResponse {
    pub license_arn: String,
    /// When unsubscribe-success is sent, on the sandbox clock.
    pub unsubscribe_success_due: String,
    pub notifications: Vec<Notification>,
}

/// `POST /_sandbox/fail`: a subscription attempt that fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailRequest {
    pub product: String,
    pub buyer_account: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailResponse {
    pub license_arn: String,
    pub notifications: Vec<Notification>,
}

/// `POST /_sandbox/clock`: move the clock forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvanceClock {
    pub advance_secs: i64,
}

/// `GET /_sandbox/clock` (no notifications) and `POST` (what became due and was sent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clock {
    pub now: String,
    pub offset_secs: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<Vec<Notification>>,
}

/// Injected behaviour for one operation (or `*`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    #[serde(default)]
    pub delay_ms: u64,
    /// 0.0–1.0: share of calls answered with ThrottlingException.
    #[serde(default)]
    pub throttle_rate: f64,
    /// 0.0–1.0: share of calls answered with a 500 InternalServiceErrorException.
    #[serde(default)]
    pub error_rate: f64,
}

/// `POST /_sandbox/faults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRequest {
    pub operation: String,
    #[serde(flatten)]
    pub fault: Fault,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultResponse {
    pub operation: String,
    pub fault: Fault,
}

/// `GET /_sandbox/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub ok: bool,
    pub now: String,
}

/// The body of every refused control call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

/// `POST /_demo-saas/{env}/meter`: the demo SaaS meters one record for a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoMeterRequest {
    pub customer_aws_account_id: String,
    pub license_arn: String,
    pub dimension: String,
    pub quantity: i64,
}

/// The part of BatchMeterUsage's answer (AWS's shape) a demo metering call reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoMeterResponse {
    #[serde(rename = "Results", default)]
    pub results: Vec<DemoMeterResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoMeterResult {
    #[serde(rename = "Status")]
    pub status: Option<String>,
}
