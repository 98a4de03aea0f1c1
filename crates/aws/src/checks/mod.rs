//! The check catalogue. Ids are part of the product (users reference them in CI); each check
//! declares the IAM actions it calls, which generates the least-privilege policy.

pub mod billing;
pub mod catalog;
pub mod identity;
pub mod notifications;
pub mod posture;
pub mod registration;

use crate::engine::CheckDef;
use la_core::model::EnvironmentSettings;
use std::time::Duration;

/// Everything a check may use: the environment, an AWS SDK config (absent for checks that need
/// none), and an HTTP client that trusts the system roots plus the environment's CA bundle.
pub struct CheckContext {
    pub settings: EnvironmentSettings,
    pub sdk: Option<aws_config::SdkConfig>,
    pub http: reqwest::Client,
    /// The registration page must answer within this.
    pub response_time_limit: Duration,
    /// Access keys this app signs with, so its own calls are told apart in CloudTrail.
    pub own_access_keys: Vec<String>,
}

impl CheckContext {
    /// The environment's SDK configuration, in the environment's region: for the seller's own
    /// account resources (IAM, KMS, GuardDuty…).
    pub fn aws(&self) -> Result<&aws_config::SdkConfig, la_core::AppError> {
        self.sdk
            .as_ref()
            .ok_or_else(|| la_core::AppError::invalid("this check needs AWS access"))
    }

    /// The configuration moved to `region` (same credentials and endpoint override).
    pub fn sdk_in(&self, region: &str) -> Result<aws_config::SdkConfig, la_core::AppError> {
        Ok(crate::access::in_region(self.aws()?, region))
    }

    /// For the Catalog, Metering and Entitlement APIs, the Marketplace SNS topics, the
    /// EventBridge default bus that receives Marketplace events, and CloudTrail's record of
    /// Marketplace calls: all in us-east-1 whatever the environment's region.
    pub fn marketplace_sdk(&self) -> Result<aws_config::SdkConfig, la_core::AppError> {
        self.sdk_in(crate::access::MARKETPLACE_REGION)
    }

    /// For the seller's SQS queue: the region its URL names, the environment's when the URL
    /// names none (a local emulator).
    pub fn queue_sdk(&self, queue_url: &str) -> Result<aws_config::SdkConfig, la_core::AppError> {
        match crate::access::queue_region(queue_url) {
            Some(r) => self.sdk_in(&r),
            None => Ok(self.aws()?.clone()),
        }
    }

    /// The probes' HTTP client: never follows redirects by itself (cookies on every hop are
    /// inspected), trusts the system's roots and, when given, the PEM bundle's, and resolves
    /// names through the registration guard (no link-local or metadata address, even when a
    /// name's answer changes between the probe's check and the connection).
    pub fn http_client(
        ca_bundle: Option<&std::path::Path>,
    ) -> Result<reqwest::Client, la_core::AppError> {
        let pem = ca_bundle.map(crate::access::read_ca_bundle).transpose()?;
        Self::http_client_trusting(ca_bundle.zip(pem.as_deref()))
    }

    /// `http_client` with the bundle already read (its path names it in errors): a run that
    /// hands the same bundle to the SDK reads the file once.
    pub fn http_client_trusting(
        ca_bundle: Option<(&std::path::Path, &[u8])>,
    ) -> Result<reqwest::Client, la_core::AppError> {
        let mut b = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .dns_resolver(registration::guard::resolver())
            .user_agent("Mozilla/5.0 (X11; Linux x86_64) Listing Assistant registration probe");
        if let Some((path, pem)) = ca_bundle {
            for c in crate::access::ca_certificates(path, pem)? {
                b = b.add_root_certificate(c);
            }
        }
        b.build()
            .map_err(|e| la_core::AppError::invalid(format!("Cannot build the HTTP client: {e}")))
    }
}

/// Every check, in the order they are listed and run.
pub fn catalogue() -> Vec<&'static CheckDef<CheckContext>> {
    identity::CHECKS
        .iter()
        .chain(catalog::CHECKS.iter())
        .chain(registration::CHECKS.iter())
        .chain(notifications::CHECKS.iter())
        .chain(billing::CHECKS.iter())
        .chain(posture::CHECKS.iter())
        .collect()
}

/// The least-privilege IAM policy for every check: the union of the actions the checks declare,
/// on all resources (the Marketplace and account-level APIs take no resource ARNs). The README
/// shows it; a test keeps the two equal.
pub fn iam_policy() -> serde_json::Value {
    let mut actions: Vec<&str> = catalogue()
        .iter()
        .flat_map(|c| c.actions.iter().copied())
        .collect();
    actions.sort_unstable();
    actions.dedup();
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ListingAssistantChecks",
            "Effect": "Allow",
            "Action": actions,
            "Resource": "*"
        }]
    })
}

/// The actions listing authoring (`listing plan | apply | status`, Fix, the Public request)
/// needs on top of reading: a separate policy, so a seller grants writing only to whoever
/// publishes the listing and the checks keep running read-only.
pub const AUTHORING_ACTIONS: &[&str] = &[
    "aws-marketplace:CancelChangeSet",
    "aws-marketplace:DescribeChangeSet",
    "aws-marketplace:DescribeEntity",
    "aws-marketplace:ListChangeSets",
    "aws-marketplace:ListEntities",
    "aws-marketplace:StartChangeSet",
];

/// The listing authoring IAM policy, beside the read-only `iam_policy()`.
pub fn authoring_iam_policy() -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ListingAssistantListingAuthoring",
            "Effect": "Allow",
            "Action": AUTHORING_ACTIONS,
            "Resource": "*"
        }]
    })
}

/// The checks whose id starts with any of `prefixes` (all when empty).
pub fn select(prefixes: &[String]) -> Vec<&'static CheckDef<CheckContext>> {
    catalogue()
        .into_iter()
        .filter(|c| prefixes.is_empty() || prefixes.iter().any(|p| c.id.starts_with(p.as_str())))
        .collect()
}
