//! What the sandbox keeps: products, licenses (a buyer's agreement for a product), registration
//! tokens, metering records, change sets and the CloudTrail view of the calls it received.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PricingModel {
    Subscription,
    Contract,
    ContractWithConsumption,
}

impl PricingModel {
    pub fn has_entitlements(self) -> bool {
        !matches!(self, PricingModel::Subscription)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimension {
    pub key: String,
    pub name: String,
    pub description: String,
    /// `Entitled` and/or `ExternallyMetered`.
    pub types: Vec<String>,
    pub unit: String,
}

impl Dimension {
    pub fn metered(&self) -> bool {
        self.types.iter().any(|t| t == "ExternallyMetered")
    }
    pub fn entitled(&self) -> bool {
        self.types.iter().any(|t| t == "Entitled")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub entity_id: String,
    pub code: String,
    pub title: String,
    pub short_description: String,
    pub long_description: String,
    pub pricing_model: PricingModel,
    pub dimensions: Vec<Dimension>,
    pub fulfillment_url: String,
    pub eula_url: String,
    pub buyer_accounts: Vec<String>,
    /// Draft, Limited, Public or Restricted.
    pub visibility: String,
    /// Products using concurrent agreements do not populate CustomerIdentifier.
    pub concurrent_agreements: bool,
    pub seller_account_id: String,
    pub offer_id: String,
    pub created: i64,
    pub modified: i64,
    /// Delivery options beyond the legacy single SaaS URL (`fulfillment_url`), as added by
    /// AddDeliveryOptions. Empty in older state files: the product then has one version with
    /// one SaaS URL option built from `fulfillment_url`.
    #[serde(default)]
    pub delivery_options: Vec<DeliveryOption>,
    /// The rest of UpdateInformation as sent (Highlights, SearchKeywords, Categories, LogoUrl,
    /// VideoUrls, AdditionalResources, SupportDescription, Sku), so DescribeEntity shows what
    /// was written. Null in older state files.
    #[serde(default)]
    pub info: serde_json::Value,
}

/// A delivery option of a product version, as DescribeEntity shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryOption {
    /// `do-…`
    pub id: String,
    /// `version-…`
    pub version_id: String,
    /// `SaaSUrl` or `Api`.
    pub kind: String,
    pub fulfillment_url: Option<String>,
    /// `AGENT`, `MCP`… for API delivery options.
    pub api_type: Option<String>,
    /// Public, Limited, Restricted or Unavailable.
    pub visibility: String,
}

/// An Offer@1.0 entity created through change sets. `doc` is its DetailsDocument as AWS
/// shapes it (Id, Name, Description, ProductId, State, Rules, Terms…). The demo products'
/// public offers are not stored: they are built from the product (see `ops::catalog`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    pub id: String,
    pub product_id: String,
    pub doc: serde_json::Value,
    /// When ReleaseOffer was applied (epoch seconds).
    pub released: Option<i64>,
    pub created: i64,
    pub modified: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenseStatus {
    Active,
    PendingCancellation,
    Cancelled,
    /// A contract past its end date (the sandbox clock).
    Expired,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entitlement {
    pub dimension: String,
    /// Integer quantity, or `None` for a boolean "enabled" entitlement.
    pub quantity: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct License {
    pub license_arn: String,
    pub agreement_id: String,
    pub product_code: String,
    pub customer_identifier: String,
    pub customer_aws_account_id: String,
    pub status: LicenseStatus,
    pub entitlements: Vec<Entitlement>,
    pub created: i64,
    /// When the contract ends (epoch seconds); GetEntitlements' ExpirationDate.
    pub expires: i64,
    /// Set on cancellation: when unsubscribe-success is due on the sandbox clock.
    pub unsubscribe_due: Option<i64>,
}
