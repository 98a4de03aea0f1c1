//! The listing file: how the seller wants the SaaS product and its public offer to be. TOML,
//! kept beside the environment file (`staging.listing.toml` next to `staging.toml`). Read with
//! unknown keys refused (a typo must not silently drop a field), written by `write::to_toml` in
//! a stable, commented order that reads back to the same value.

use serde::{Deserialize, Serialize};
use specta::Type;
use std::path::{Path, PathBuf};

/// The file format this build reads and writes.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct Listing {
    #[serde(default = "format")]
    pub format: u32,
    /// Where AWS sends buyers after they subscribe (the SaaS URL delivery option).
    #[serde(default)]
    pub fulfillment_url: String,
    /// The AWS accounts allowed to buy while the product is Limited.
    #[serde(default)]
    pub allow_listed_buyers: Vec<String>,
    pub product: ProductInfo,
    #[serde(default)]
    pub dimensions: Vec<ListingDimension>,
    pub offer: OfferInfo,
}

fn format() -> u32 {
    FORMAT
}

/// The product page: everything `UpdateInformation` of a SaaSProduct sets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct ProductInfo {
    pub title: String,
    #[serde(default)]
    pub short_description: String,
    #[serde(default)]
    pub long_description: String,
    #[serde(default)]
    pub highlights: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub search_keywords: Vec<String>,
    #[serde(default)]
    pub logo_url: String,
    #[serde(default)]
    pub video_urls: Vec<String>,
    #[serde(default)]
    pub additional_resources: Vec<Resource>,
    /// Support information shown on the product page (how buyers reach support).
    #[serde(default)]
    pub support_description: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    pub text: String,
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
// The checklist's environment model has its own `DimensionType`; the UI's bindings need one
// name per type (a container rename: the values serialize as before).
#[serde(rename = "ListingDimensionType")]
pub enum DimensionType {
    Entitled,
    ExternallyMetered,
}

impl DimensionType {
    pub fn as_str(self) -> &'static str {
        match self {
            DimensionType::Entitled => "Entitled",
            DimensionType::ExternallyMetered => "ExternallyMetered",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Entitled" => Some(DimensionType::Entitled),
            // AWS's older name for SaaS usage dimensions.
            "ExternallyMetered" | "Metered" => Some(DimensionType::ExternallyMetered),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct ListingDimension {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub unit: String,
    pub types: Vec<DimensionType>,
}

/// The offer's pricing model, as AWS names it in UpdatePricingTerms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub enum OfferPricing {
    /// Upfront contracts (ConfigurableUpfrontPricingTerm), optionally with usage on top.
    Contract,
    /// Pay as you go (UsageBasedPricingTerm).
    Usage,
    Free,
}

impl OfferPricing {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferPricing::Contract => "Contract",
            OfferPricing::Usage => "Usage",
            OfferPricing::Free => "Free",
        }
    }
}

/// One price: a contract rate when `duration` is set (P1M, P12M, P24M, P36M), a usage rate
/// (per unit) when it is not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub dimension: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// A decimal string, as AWS takes prices ("0.01", "1200").
    pub price: String,
}

/// The EULA buyers accept: AWS's Standard Contract for AWS Marketplace, or the seller's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Eula {
    Standard { version: String },
    Custom { url: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct FreeTrial {
    /// ISO-8601 days, e.g. P30D.
    pub duration: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct OfferInfo {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub pricing_model: OfferPricing,
    #[serde(default = "usd")]
    pub currency: String,
    #[serde(default)]
    pub rates: Vec<Rate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eula: Option<Eula>,
    /// Support terms: the refund policy buyers see.
    #[serde(default)]
    pub refund_policy: String,
    /// Whether buyers may renew their contract automatically (a RenewalTerm).
    #[serde(default)]
    pub auto_renewal: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_trial: Option<FreeTrial>,
    /// YYYY-MM-DD after which the offer is no longer available (UpdateAvailability).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_end_date: Option<String>,
}

fn usd() -> String {
    "USD".into()
}

/// Where the listing file of an environment file lives: `staging.toml` → `staging.listing.toml`.
pub fn path_beside(env_file: &Path) -> PathBuf {
    let stem = env_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "environment".into());
    env_file.with_file_name(format!("{stem}.listing.toml"))
}

/// Parses a listing file's text. Syntax and type errors name the line and the key.
pub fn parse(text: &str) -> Result<Listing, la_core::AppError> {
    let l: Listing = toml::from_str(text)
        .map_err(|e| la_core::AppError::invalid(format!("The listing file is not valid: {e}")))?;
    if l.format != FORMAT {
        return Err(la_core::AppError::invalid(format!(
            "The listing file has format {}; this build reads format {FORMAT}.",
            l.format
        )));
    }
    Ok(l)
}

/// A listing file is a few kilobytes; anything past this is not one (a wrong file picked, a
/// device) and is refused before it is read into memory.
pub const MAX_LISTING_FILE_BYTES: u64 = 1024 * 1024;

pub fn read(path: &Path) -> Result<Listing, la_core::AppError> {
    let text = la_core::fsutil::read_capped(path, MAX_LISTING_FILE_BYTES)
        .map_err(|e| la_core::AppError::invalid(format!("Cannot read {}: {e}", path.display())))?
        .ok_or_else(|| {
            la_core::AppError::invalid(format!(
                "{} is larger than 1 MiB: not a listing file",
                path.display()
            ))
        })?;
    parse(&text)
}

/// Writes the file aside (a private temporary file in the same folder) and renames it over the
/// destination, the folder synced: a crash leaves the old file or the new one, never a part.
pub fn write(path: &Path, l: &Listing) -> Result<(), la_core::AppError> {
    let text = crate::write::to_toml(l);
    (|| {
        let mut f = la_core::fsutil::AtomicFile::create(path)?;
        std::io::Write::write_all(f.file(), text.as_bytes())?;
        f.commit()
    })()
    .map_err(|e| {
        la_core::AppError::from(la_core::error::CoreError::File(la_core::fsutil::describe(
            "the listing file",
            path,
            &e,
        )))
    })
}

impl Listing {
    /// An empty listing to start from (create from nothing).
    pub fn new(title: &str) -> Self {
        Listing {
            format: FORMAT,
            fulfillment_url: String::new(),
            allow_listed_buyers: Vec::new(),
            product: ProductInfo {
                title: title.into(),
                ..Default::default()
            },
            dimensions: Vec::new(),
            offer: OfferInfo {
                name: String::new(),
                description: String::new(),
                pricing_model: OfferPricing::Contract,
                currency: usd(),
                rates: Vec::new(),
                eula: Some(Eula::Standard {
                    version: crate::shapes::STANDARD_EULA_VERSION.into(),
                }),
                refund_policy: String::new(),
                auto_renewal: false,
                free_trial: None,
                availability_end_date: None,
            },
        }
    }

    pub fn dimension(&self, key: &str) -> Option<&ListingDimension> {
        self.dimensions.iter().find(|d| d.key == key)
    }
}
