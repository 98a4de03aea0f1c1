//! AWS's `ErrorDetailList` mapped back to the listing file: each error of a change names the
//! fields that change writes, narrowed to the one the message names when it names one, with
//! advice in EN and JA by error code.

use crate::catalog::ChangeSetStatus;
use crate::plan::Plan;
use la_core::checklist::Text;
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MappedError {
    pub change_type: String,
    pub entity_type: String,
    /// AWS's ErrorCode (INVALID_INPUT, INVALID_FULFILLMENT_URL, …).
    pub code: String,
    /// AWS's ErrorMessage as sent.
    pub message: String,
    /// The listing fields concerned.
    pub fields: Vec<String>,
    pub advice: Text,
}

/// The DetailsDocument keys AWS messages name, and the listing field each comes from.
const KEYS: &[(&str, &str)] = &[
    ("ProductTitle", "product.title"),
    ("ShortDescription", "product.short_description"),
    ("LongDescription", "product.long_description"),
    ("Highlights", "product.highlights"),
    ("SearchKeywords", "product.search_keywords"),
    ("Categories", "product.categories"),
    ("LogoUrl", "product.logo_url"),
    ("VideoUrls", "product.video_urls"),
    ("AdditionalResources", "product.additional_resources"),
    ("SupportDescription", "product.support_description"),
    ("FulfillmentUrl", "fulfillment_url"),
    ("BuyerAccounts", "allow_listed_buyers"),
    ("RateCard", "offer.rates"),
    ("Price", "offer.rates"),
    ("CurrencyCode", "offer.currency"),
    ("PricingModel", "offer.pricing_model"),
    ("RefundPolicy", "offer.refund_policy"),
    ("AvailabilityEndDate", "offer.availability_end_date"),
    ("Documents", "offer.eula"),
    ("Version", "offer.eula"),
];

fn narrowed(message: &str, fields: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (key, field) in KEYS {
        if message.contains(key)
            && fields.iter().any(|f| f == field)
            && !out.iter().any(|f| f == field)
        {
            out.push(field.to_string());
        }
    }
    if out.is_empty() {
        fields.to_vec()
    } else {
        out
    }
}

fn advice(code: &str, fields: &[String]) -> Text {
    let list = if fields.is_empty() {
        "the listing".to_string()
    } else {
        fields.join(", ")
    };
    let (en, ja) = match code {
        "INVALID_FULFILLMENT_URL" => (
            "Set fulfillment_url to the HTTPS address of your registration page (a public https:// URL that accepts POST).".to_string(),
            "fulfillment_url を登録ページの HTTPS アドレス (POST を受け付ける公開 https:// URL) にしてください。".to_string(),
        ),
        "MISSING_SELLER_PROFILE_INFORMATION" => (
            "Complete your public seller profile (company name, description, logo, support contact) in the AWS Marketplace Management Portal, then request Public visibility again.".to_string(),
            "AWS Marketplace Management Portal で公開セラープロフィール (会社名、説明、ロゴ、サポート連絡先) を入力してから、もう一度一般公開を申請してください。".to_string(),
        ),
        "RESOURCE_NOT_FOUND" => (
            "AWS does not know the product or offer this change names: pull again to refresh the product and offer IDs in the environment.".to_string(),
            "この変更が指す製品またはオファーを AWS が見つけられません。もう一度 pull して環境の製品 ID とオファー ID を更新してください。".to_string(),
        ),
        _ => (
            format!("Correct {list} in the listing file as AWS's message says, then plan and validate again."),
            format!("AWS のメッセージに従ってリスティングファイルの {list} を修正し、もう一度 plan と検証を行ってください。"),
        ),
    };
    Text { en, ja }
}

/// Every error of every change, on the plan's fields. The change set's changes come back in
/// the order they were sent, so the i-th reported change is the plan's i-th change.
pub fn map_errors(status: &ChangeSetStatus, plan: &Plan) -> Vec<MappedError> {
    let mut out = Vec::new();
    for (i, c) in status.changes.iter().enumerate() {
        let planned = plan
            .changes
            .get(i)
            .filter(|p| p.change_type == c.change_type)
            .map(|p| p.fields.clone())
            .unwrap_or_default();
        for e in &c.errors {
            let fields = narrowed(&e.message, &planned);
            out.push(MappedError {
                change_type: c.change_type.clone(),
                entity_type: c.entity_type.clone(),
                code: e.code.clone(),
                message: e.message.clone(),
                advice: advice(&e.code, &fields),
                fields,
            });
        }
    }
    out
}
