//! plan: the listing file against AWS, field by field, and the one change set that makes AWS
//! match the file. With no product yet, the change set creates the Limited product and its
//! public offer together, naming them with `$CreateProductChange.Entity.Identifier` and
//! `$CreateOfferChange.Entity.Identifier` as AWS's reference change sets do.

use crate::aws::Snapshot;
use crate::details as d;
use crate::file::{Listing, ListingDimension};
use la_core::checklist::Text;
use la_sandbox::ops::catalog::validate::{OFFER, SAAS_PRODUCT};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use specta::Type;

pub const CREATE_PRODUCT: &str = "CreateProductChange";
pub const CREATE_OFFER: &str = "CreateOfferChange";

/// One field that differs between AWS and the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct FieldDiff {
    /// The file's field path (`product.title`, `dimensions[seats]`, `offer.eula`).
    pub field: String,
    pub label: Text,
    /// What AWS has (null when it has nothing).
    #[specta(type = specta_typescript::Unknown)]
    pub old: Value,
    /// What the file asks for.
    #[specta(type = specta_typescript::Unknown)]
    pub new: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct EntityRef {
    /// `SaaSProduct@1.0` or `Offer@1.0`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The entity id, a `$Name.Entity.Identifier` reference, or none for a Create change.
    pub identifier: Option<String>,
}

/// One change of the change set, exactly as it will be sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct PlannedChange {
    pub change_type: String,
    pub entity: EntityRef,
    pub change_name: Option<String>,
    #[specta(type = specta_typescript::Unknown)]
    pub details: Value,
    /// The listing fields this change writes.
    pub fields: Vec<String>,
}

/// A change AWS treats specially on a Public product, with the rule behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Warning {
    pub rule: String,
    pub message: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Plan {
    /// The product changed; none when the change set creates it.
    pub product_id: Option<String>,
    pub offer_id: Option<String>,
    pub diff: Vec<FieldDiff>,
    pub changes: Vec<PlannedChange>,
    pub warnings: Vec<Warning>,
    /// Derived from the changes and the entities' last-modified dates: the same plan against
    /// the same AWS state always has the same token, so a retried APPLY never submits twice.
    pub fingerprint: String,
    /// 0 for a first submission; one more for each earlier submission of the same plan that
    /// AWS refused or that was cancelled (`record::next_attempt`), so a retry after fixing the
    /// cause (e.g. completing the seller profile) is a new change set, not the failed one.
    #[serde(default)]
    pub attempt: u32,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
    /// The ClientRequestToken for this plan and intent (`APPLY`/`VALIDATE`); at most 36
    /// characters as StartChangeSet requires.
    pub fn client_token(&self, intent: &str) -> String {
        let h = Sha256::digest(format!("{intent}:{}:{}", self.attempt, self.fingerprint));
        format!("la-{}", &hex::encode(h)[..32])
    }
}

fn t(en: &str, ja: &str) -> Text {
    Text {
        en: en.into(),
        ja: ja.into(),
    }
}

/// Every compared field: path, EN and JA label, its value.
fn fields(l: &Listing) -> Vec<(String, Text, Value)> {
    let p = &l.product;
    let o = &l.offer;
    let mut v = vec![
        (
            "product.title".to_string(),
            t("Product title", "製品タイトル"),
            json!(p.title),
        ),
        (
            "product.short_description".into(),
            t("Short description", "短い説明"),
            json!(p.short_description),
        ),
        (
            "product.long_description".into(),
            t("Long description", "詳しい説明"),
            json!(p.long_description),
        ),
        (
            "product.highlights".into(),
            t("Highlights", "ハイライト"),
            json!(p.highlights),
        ),
        (
            "product.categories".into(),
            t("Categories", "カテゴリ"),
            json!(p.categories),
        ),
        (
            "product.search_keywords".into(),
            t("Search keywords", "検索キーワード"),
            json!(p.search_keywords),
        ),
        (
            "product.logo_url".into(),
            t("Logo URL", "ロゴの URL"),
            json!(p.logo_url),
        ),
        (
            "product.video_urls".into(),
            t("Video URLs", "動画の URL"),
            json!(p.video_urls),
        ),
        (
            "product.additional_resources".into(),
            t("Additional resources", "追加リソース"),
            json!(p.additional_resources),
        ),
        (
            "product.support_description".into(),
            t("Support information", "サポート情報"),
            json!(p.support_description),
        ),
        (
            "fulfillment_url".into(),
            t("Fulfillment URL", "フルフィルメント URL"),
            json!(l.fulfillment_url),
        ),
        (
            "allow_listed_buyers".into(),
            t("Allow-listed buyers", "許可リストの購入者"),
            json!(l.allow_listed_buyers),
        ),
        (
            "offer.name".into(),
            t("Offer name", "オファー名"),
            json!(o.name),
        ),
        (
            "offer.description".into(),
            t("Offer description", "オファーの説明"),
            json!(o.description),
        ),
        (
            "offer.pricing_model".into(),
            t("Pricing model", "料金モデル"),
            json!(o.pricing_model),
        ),
        (
            "offer.currency".into(),
            t("Currency", "通貨"),
            json!(o.currency),
        ),
        ("offer.rates".into(), t("Prices", "価格"), json!(o.rates)),
        (
            "offer.free_trial".into(),
            t("Free trial", "無料トライアル"),
            json!(o.free_trial),
        ),
        (
            "offer.eula".into(),
            t("EULA", "EULA (使用許諾契約)"),
            json!(o.eula),
        ),
        (
            "offer.refund_policy".into(),
            t("Refund policy", "返金ポリシー"),
            json!(o.refund_policy),
        ),
        (
            "offer.auto_renewal".into(),
            t("Automatic renewal", "自動更新"),
            json!(o.auto_renewal),
        ),
        (
            "offer.availability_end_date".into(),
            t("Availability end date", "提供終了日"),
            json!(o.availability_end_date),
        ),
    ];
    for dim in &l.dimensions {
        v.push((
            format!("dimensions[{}]", dim.key),
            t(
                &format!("Dimension {}", dim.key),
                &format!("ディメンション {}", dim.key),
            ),
            json!(dim),
        ));
    }
    v
}

/// The field-by-field difference; `current` is none when AWS has no product yet.
pub fn diff(file: &Listing, current: Option<&Listing>) -> Vec<FieldDiff> {
    let before = current.map(fields).unwrap_or_default();
    let after = fields(file);
    let mut out = Vec::new();
    for (field, label, new) in &after {
        let old = before
            .iter()
            .find(|(f, _, _)| f == field)
            .map(|(_, _, v)| v.clone())
            .unwrap_or(Value::Null);
        if &old != new {
            out.push(FieldDiff {
                field: field.clone(),
                label: label.clone(),
                old,
                new: new.clone(),
            });
        }
    }
    // Dimensions AWS has that the file drops.
    for (field, label, old) in &before {
        if field.starts_with("dimensions[") && !after.iter().any(|(f, _, _)| f == field) {
            out.push(FieldDiff {
                field: field.clone(),
                label: label.clone(),
                old: old.clone(),
                new: Value::Null,
            });
        }
    }
    out
}

fn change(
    kind: &str,
    id: &str,
    change_type: &str,
    details: Value,
    fields: &[&str],
) -> PlannedChange {
    PlannedChange {
        change_type: change_type.into(),
        entity: EntityRef {
            kind: kind.into(),
            identifier: Some(id.into()),
        },
        change_name: None,
        details,
        fields: fields.iter().map(|f| f.to_string()).collect(),
    }
}

fn reference(name: &str) -> String {
    format!("${name}.Entity.Identifier")
}

const PRODUCT_FIELDS: &[&str] = &[
    "product.title",
    "product.short_description",
    "product.long_description",
    "product.highlights",
    "product.categories",
    "product.search_keywords",
    "product.logo_url",
    "product.video_urls",
    "product.additional_resources",
    "product.support_description",
];

/// Builds the plan: the diff, then the changes that carry it out.
pub fn plan(file: &Listing, current: Option<&Snapshot>) -> Plan {
    let diff = diff(file, current.map(|s| &s.listing));
    let changed = |f: &str| diff.iter().any(|x| x.field == f);
    let mut changes = Vec::new();
    let mut warnings = Vec::new();
    let product_id = current.map(|s| s.values.product_id.clone());
    let pid = match &product_id {
        Some(id) => id.clone(),
        None => {
            changes.push(PlannedChange {
                change_type: "CreateProduct".into(),
                entity: EntityRef {
                    kind: SAAS_PRODUCT.into(),
                    identifier: None,
                },
                change_name: Some(CREATE_PRODUCT.into()),
                details: json!({}),
                fields: vec![],
            });
            reference(CREATE_PRODUCT)
        }
    };
    let p = SAAS_PRODUCT;
    if PRODUCT_FIELDS.iter().any(|f| changed(f)) {
        let fs: Vec<&str> = PRODUCT_FIELDS
            .iter()
            .copied()
            .filter(|f| changed(f))
            .collect();
        changes.push(change(
            p,
            &pid,
            "UpdateInformation",
            d::product_information(&file.product),
            &fs,
        ));
    }
    if changed("allow_listed_buyers") {
        changes.push(change(
            p,
            &pid,
            "UpdateTargeting",
            d::targeting(&file.allow_listed_buyers),
            &["allow_listed_buyers"],
        ));
    }
    if changed("fulfillment_url") && !file.fulfillment_url.is_empty() {
        match current.and_then(|s| s.delivery_option_id.as_deref()) {
            Some(id) => changes.push(change(
                p,
                &pid,
                "UpdateDeliveryOptions",
                d::update_delivery_option(id, &file.fulfillment_url),
                &["fulfillment_url"],
            )),
            None => changes.push(change(
                p,
                &pid,
                "AddDeliveryOptions",
                d::add_delivery_option(&file.fulfillment_url),
                &["fulfillment_url"],
            )),
        }
    }
    dimension_changes(file, current, &pid, &mut changes, &mut warnings);
    if product_id.is_none() {
        changes.push(change(p, &pid, "ReleaseProduct", json!({}), &[]));
    }
    let public = current.is_some_and(|s| s.values.visibility == "Public");
    offer_changes(file, current, &pid, &changed, &mut changes);
    if public
        && changes
            .iter()
            .any(|c| c.change_type == "UpdatePricingTerms")
    {
        warnings.push(Warning {
            rule: "public_price_change".into(),
            message: t(
                "The product is Public: AWS applies a price increase to existing subscribers only after notifying them 90 days ahead (AWS Marketplace Seller Guide, \"Updating pricing\"); decreases apply at once.",
                "製品は一般公開中です: AWS は値上げを既存の購読者に 90 日前に通知した後にのみ適用します (AWS Marketplace セラーガイド「料金の更新」)。値下げは即時に適用されます。",
            ),
        });
    }
    let modified = current
        .map(|s| format!("{}|{}", s.product_modified, s.offer_modified))
        .unwrap_or_default();
    let fingerprint = {
        let body = json!([modified, &changes]).to_string();
        hex::encode(Sha256::digest(body))
    };
    Plan {
        product_id,
        offer_id: current
            .map(|s| s.values.offer_id.clone())
            .filter(|o| !o.is_empty()),
        diff,
        changes,
        warnings,
        fingerprint,
        attempt: 0,
    }
}

fn dimension_changes(
    file: &Listing,
    current: Option<&Snapshot>,
    pid: &str,
    changes: &mut Vec<PlannedChange>,
    warnings: &mut Vec<Warning>,
) {
    let have: Vec<ListingDimension> = current
        .map(|s| s.listing.dimensions.clone())
        .unwrap_or_default();
    let added: Vec<&ListingDimension> = file
        .dimensions
        .iter()
        .filter(|x| !have.iter().any(|h| h.key == x.key))
        .collect();
    let updated: Vec<&ListingDimension> = file
        .dimensions
        .iter()
        .filter(|x| {
            have.iter().any(|h| {
                h.key == x.key
                    && (h.name != x.name || h.description != x.description || h.types != x.types)
            })
        })
        .collect();
    let removed: Vec<&ListingDimension> = have
        .iter()
        .filter(|h| !file.dimensions.iter().any(|x| x.key == h.key))
        .collect();
    let f = |ds: &[&ListingDimension]| -> Vec<String> {
        ds.iter()
            .map(|x| format!("dimensions[{}]", x.key))
            .collect()
    };
    let mut push = |ct: &str, details: Value, fs: Vec<String>| {
        changes.push(PlannedChange {
            change_type: ct.into(),
            entity: EntityRef {
                kind: SAAS_PRODUCT.into(),
                identifier: Some(pid.into()),
            },
            change_name: None,
            details,
            fields: fs,
        });
    };
    if !added.is_empty() {
        push("AddDimensions", d::add_dimensions(&added), f(&added));
    }
    if !updated.is_empty() {
        push(
            "UpdateDimensions",
            d::update_dimensions(&updated),
            f(&updated),
        );
    }
    if !removed.is_empty() {
        push(
            "RestrictDimensions",
            d::restrict_dimensions(&removed),
            f(&removed),
        );
    }
    for x in &file.dimensions {
        if have.iter().any(|h| h.key == x.key && h.unit != x.unit) {
            warnings.push(Warning {
                rule: "dimension_unit_fixed".into(),
                message: t(
                    &format!("The unit of dimension {} cannot be changed through the Catalog API (UpdateDimensions takes no Unit); add a new dimension instead.", x.key),
                    &format!("ディメンション {} の単位は Catalog API では変更できません (UpdateDimensions に Unit はありません)。新しいディメンションを追加してください。", x.key),
                ),
            });
        }
    }
}

fn offer_changes(
    file: &Listing,
    current: Option<&Snapshot>,
    pid: &str,
    changed: &dyn Fn(&str) -> bool,
    changes: &mut Vec<PlannedChange>,
) {
    let existing = current
        .map(|s| s.values.offer_id.clone())
        .filter(|o| !o.is_empty());
    let o = &file.offer;
    let oid = match &existing {
        Some(id) => id.clone(),
        None => {
            changes.push(PlannedChange {
                change_type: "CreateOffer".into(),
                entity: EntityRef {
                    kind: OFFER.into(),
                    identifier: None,
                },
                change_name: Some(CREATE_OFFER.into()),
                details: json!({"ProductId": pid}),
                fields: vec![],
            });
            reference(CREATE_OFFER)
        }
    };
    let new = existing.is_none();
    let any = |fs: &[&str]| new || fs.iter().any(|f| changed(f));
    let mut push =
        |ct: &str, details: Value, fs: &[&str]| changes.push(change(OFFER, &oid, ct, details, fs));
    if any(&["offer.name", "offer.description"])
        && (!o.name.is_empty() || !o.description.is_empty())
    {
        push(
            "UpdateInformation",
            d::offer_information(o),
            &["offer.name", "offer.description"],
        );
    }
    if any(&[
        "offer.pricing_model",
        "offer.currency",
        "offer.rates",
        "offer.free_trial",
    ]) && !o.rates.is_empty()
    {
        push(
            "UpdatePricingTerms",
            d::pricing_terms(o),
            &[
                "offer.pricing_model",
                "offer.currency",
                "offer.rates",
                "offer.free_trial",
            ],
        );
    }
    if let Some(e) = &o.eula {
        if any(&["offer.eula"]) {
            push("UpdateLegalTerms", d::legal_terms(e), &["offer.eula"]);
        }
    }
    if any(&["offer.refund_policy"]) && !(new && o.refund_policy.is_empty()) {
        push(
            "UpdateSupportTerms",
            d::support_terms(&o.refund_policy),
            &["offer.refund_policy"],
        );
    }
    if any(&["offer.auto_renewal"]) && (!new || o.auto_renewal) {
        push(
            "UpdateRenewalTerms",
            d::renewal_terms(o.auto_renewal),
            &["offer.auto_renewal"],
        );
    }
    if let Some(date) = &o.availability_end_date {
        if any(&["offer.availability_end_date"]) {
            push(
                "UpdateAvailability",
                d::availability(date),
                &["offer.availability_end_date"],
            );
        }
    }
    if new {
        push("ReleaseOffer", json!({}), &[]);
    }
}
