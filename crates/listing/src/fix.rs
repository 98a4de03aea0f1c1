//! "Fix" for a failing catalog check: the listing edit that repairs it. The edit goes through
//! the same plan → validate → apply, so what is sent is the plan's change:
//! - `catalog.allow_list` (a test buyer missing) → UpdateTargeting;
//! - `catalog.fulfillment_url` (the product sends buyers elsewhere) → UpdateDeliveryOptions
//!   (AddDeliveryOptions when it has no SaaS URL option);
//! - `catalog.dimensions` (missing or mistyped) → AddDimensions / UpdateDimensions;
//! - `catalog.eula` → UpdateLegalTerms.

use crate::file::{DimensionType, Eula, Listing, ListingDimension};
use crate::shapes::STANDARD_EULA_VERSION;
use la_core::checklist::Text;
use la_core::model::{self, EnvironmentSettings};
use serde::{Deserialize, Serialize};
use specta::Type;

/// The checks a Fix exists for.
pub const FIXABLE: &[&str] = &[
    "catalog.allow_list",
    "catalog.fulfillment_url",
    "catalog.dimensions",
    "catalog.eula",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Fix {
    pub check_id: String,
    /// The listing with the repair made; plan it against AWS to get the change.
    pub listing: Listing,
    /// What changes, in words.
    pub summary: Text,
}

fn text(en: String, ja: String) -> Text {
    Text { en, ja }
}

/// The repair of `check_id` given the environment's settings and the listing as AWS has it
/// now (`pull`). `None` when the check has no Fix or the listing already agrees.
pub fn fix_for(check_id: &str, settings: &EnvironmentSettings, current: &Listing) -> Option<Fix> {
    let mut l = current.clone();
    let summary = match check_id {
        "catalog.allow_list" => {
            let missing: Vec<String> = settings
                .test_buyer_account_ids
                .iter()
                .filter(|b| !l.allow_listed_buyers.contains(b))
                .cloned()
                .collect();
            if missing.is_empty() {
                return None;
            }
            l.allow_listed_buyers.extend(missing.iter().cloned());
            let m = missing.join(", ");
            text(
                format!("Add {m} to the product's allow-list (UpdateTargeting)."),
                format!("{m} を製品の許可リストに追加します (UpdateTargeting)。"),
            )
        }
        "catalog.fulfillment_url" => {
            let url = settings.fulfillment_url.trim();
            if url.is_empty() || l.fulfillment_url == url {
                return None;
            }
            l.fulfillment_url = url.to_string();
            text(
                format!("Send buyers to {url} (UpdateDeliveryOptions)."),
                format!("購入者の送り先を {url} にします (UpdateDeliveryOptions)。"),
            )
        }
        "catalog.dimensions" => {
            let mut changed = Vec::new();
            for want in &settings.dimensions {
                let kind = match want.kind {
                    model::DimensionType::Entitled => DimensionType::Entitled,
                    model::DimensionType::ExternallyMetered => DimensionType::ExternallyMetered,
                };
                match l.dimensions.iter_mut().find(|d| d.key == want.key) {
                    Some(d) if d.types.contains(&kind) => {}
                    Some(d) => {
                        d.types.push(kind);
                        changed.push(format!("{} +{}", d.key, kind.as_str()));
                    }
                    None => {
                        l.dimensions.push(ListingDimension {
                            key: want.key.clone(),
                            name: if want.name.is_empty() {
                                want.key.clone()
                            } else {
                                want.name.clone()
                            },
                            description: if want.name.is_empty() {
                                want.key.clone()
                            } else {
                                want.name.clone()
                            },
                            unit: "Units".into(),
                            types: vec![kind],
                        });
                        changed.push(format!("{} ({})", want.key, kind.as_str()));
                    }
                }
            }
            if changed.is_empty() {
                return None;
            }
            let c = changed.join(", ");
            text(
                format!("Add or retype the product's dimensions: {c} (AddDimensions / UpdateDimensions)."),
                format!("製品のディメンションを追加または種類を変更します: {c} (AddDimensions / UpdateDimensions)。"),
            )
        }
        "catalog.eula" => {
            // The environment's EULA URL when it has one (the checklist asks for .txt), AWS's
            // Standard Contract otherwise.
            let want = if settings.eula_url.trim().is_empty() {
                Eula::Standard {
                    version: STANDARD_EULA_VERSION.into(),
                }
            } else {
                Eula::Custom {
                    url: settings.eula_url.trim().into(),
                }
            };
            if l.offer.eula.as_ref() == Some(&want) {
                return None;
            }
            let what = match &want {
                Eula::Standard { version } => format!("AWS's Standard Contract ({version})"),
                Eula::Custom { url } => url.clone(),
            };
            let what_ja = match &want {
                Eula::Standard { version } => format!("AWS 標準契約 ({version})"),
                Eula::Custom { url } => url.clone(),
            };
            l.offer.eula = Some(want);
            text(
                format!("Use {what} as the offer's EULA (UpdateLegalTerms)."),
                format!("オファーの EULA を {what_ja} にします (UpdateLegalTerms)。"),
            )
        }
        _ => return None,
    };
    Some(Fix {
        check_id: check_id.into(),
        listing: l,
        summary,
    })
}
