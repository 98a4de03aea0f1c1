//! Listing lint: deterministic rules run before AWS's review, each citing its source, with
//! advice in EN and JA. No network, except the reachability rules of `lint_network`, which a
//! caller runs only when asked (`--network`).

use crate::file::{Eula, Listing, OfferPricing};
use crate::shapes::{self, https_url};
use la_core::checklist::Text;
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// AWS refuses it or its review sends the listing back.
    Error,
    /// Weakens the listing or is likely to be questioned in review.
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub field: String,
    pub message: Text,
    pub source: String,
}

pub const SRC_SHAPES: &str = "AWS Marketplace Catalog API change-type shapes (awslabs/aws-marketplace-catalog-api-shapes-for-python: SaaSProduct@1.0, Offer@1.0)";
pub const SRC_SAAS_GUIDELINES: &str = "AWS Marketplace Seller Guide, \"SaaS product guidelines\" (https://docs.aws.amazon.com/marketplace/latest/userguide/saas-guidelines.html)";
pub const SRC_PRODUCT_GUIDELINES: &str = "AWS Marketplace Seller Guide, \"Product listing guidelines\": listings must not promote other cloud providers";
pub const SRC_RELEASE: &str = "What AWS validates on ReleaseOffer / release: an offer needs pricing and legal terms (Offer@1.0 ReleaseOffer)";
pub const SRC_PRICING: &str = "AWS Marketplace Seller Guide, \"SaaS product pricing\": a paid listing charges for at least one dimension";
pub const SRC_MEDIA: &str = "AWS Marketplace Seller Guide, \"Product logo and media\": logo and media served over HTTPS as images / video pages";

/// Categories AWS Marketplace lists for software (the buyer-facing category tree, SaaS-relevant
/// leaves). A category outside it is a warning: AWS adds categories over time.
pub const KNOWN_CATEGORIES: &[&str] = &[
    "Backup & Recovery",
    "Data Analytics",
    "High Performance Computing",
    "Migration",
    "Network Infrastructure",
    "Operating Systems",
    "Security",
    "Storage",
    "Agile Lifecycle Management",
    "Application Development",
    "Application Servers",
    "Application Stacks",
    "Continuous Integration and Continuous Delivery",
    "Infrastructure as Code",
    "Issue & Bug Tracking",
    "Monitoring",
    "Log Analysis",
    "Source Control",
    "Testing",
    "Blockchain",
    "Collaboration & Productivity",
    "Contact Center",
    "Content Management",
    "CRM",
    "eCommerce",
    "eLearning",
    "Human Resources",
    "IT Business Management",
    "Business Intelligence",
    "Project Management",
    "ML Solutions",
    "Data Labeling Services",
    "Computer Vision",
    "Natural Language Processing",
    "Speech Recognition",
    "Generative AI",
    "AI Agents & Tools",
    "IoT Analytics",
    "IoT Applications",
    "Device Connectivity",
    "Device Management",
    "Device Security",
    "Industrial IoT",
    "Smart Home & City",
    "Financial Services",
    "Healthcare & Life Sciences",
    "Media & Entertainment",
    "Data Catalogs",
];

/// Other cloud providers a listing must not name.
pub const OTHER_CLOUDS: &[&str] = &[
    "Azure",
    "Google Cloud",
    "GCP",
    "Alibaba Cloud",
    "Aliyun",
    "Oracle Cloud",
    "IBM Cloud",
    "Tencent Cloud",
    "Huawei Cloud",
    "DigitalOcean",
];

fn f(rule: &str, sev: Severity, field: &str, en: String, ja: String, source: &str) -> Finding {
    Finding {
        rule: rule.into(),
        severity: sev,
        field: field.into(),
        message: Text { en, ja },
        source: source.into(),
    }
}

/// `needle` as a whole word (case-insensitive) in `hay`.
fn names(hay: &str, needle: &str) -> bool {
    let h = hay.to_lowercase();
    let n = needle.to_lowercase();
    let mut from = 0;
    while let Some(i) = h[from..].find(&n) {
        let at = from + i;
        let before = h[..at].chars().next_back();
        let after = h[at + n.len()..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if edge(before) && edge(after) {
            return true;
        }
        from = at + n.len();
    }
    false
}

/// Every finding for the listing, deterministic and offline.
pub fn lint(l: &Listing) -> Vec<Finding> {
    use Severity::*;
    let mut out: Vec<Finding> = shapes::validate(l)
        .into_iter()
        .filter(|e| e.field != "offer.eula")
        .map(|e| Finding {
            rule: format!("shape.{}", e.code),
            severity: Error,
            field: e.field,
            message: e.message,
            source: SRC_SHAPES.into(),
        })
        .collect();
    let p = &l.product;
    if p.short_description.trim().is_empty() {
        out.push(f(
            "description_present",
            Error,
            "product.short_description",
            "Add a short description: it is shown in search results.".into(),
            "短い説明を入力してください。検索結果に表示されます。".into(),
            SRC_SAAS_GUIDELINES,
        ));
    }
    if p.long_description.trim().is_empty() {
        out.push(f(
            "description_present",
            Error,
            "product.long_description",
            "Add a long description of what the product does and for whom.".into(),
            "製品の機能と対象を説明する詳しい説明を入力してください。".into(),
            SRC_SAAS_GUIDELINES,
        ));
    }
    if p.highlights.is_empty() {
        out.push(f(
            "highlights_present",
            Warning,
            "product.highlights",
            "Add 1 to 3 highlights: the product page lists them first.".into(),
            "ハイライトを 1〜3 件入力してください。製品ページの最初に表示されます。".into(),
            SRC_SHAPES,
        ));
    }
    let sup = p.support_description.to_lowercase();
    if !(sup.contains('@')
        || sup.contains("http")
        || sup.chars().filter(char::is_ascii_digit).count() >= 7)
    {
        out.push(f("support_contact", Error, "product.support_description", "Give buyers a support contact (an email address, a support page URL or a phone number) in the support information.".into(), "サポート情報に購入者向けの連絡先 (メールアドレス、サポートページの URL、電話番号) を記載してください。".into(), SRC_SAAS_GUIDELINES));
    }
    if p.logo_url.is_empty() {
        out.push(f(
            "logo_present",
            Warning,
            "product.logo_url",
            "Add a logo (HTTPS URL of a PNG, JPG or GIF).".into(),
            "ロゴ (PNG、JPG、GIF の HTTPS URL) を設定してください。".into(),
            SRC_MEDIA,
        ));
    }
    let media = std::iter::once(("product.logo_url".to_string(), p.logo_url.clone())).chain(
        p.video_urls
            .iter()
            .enumerate()
            .map(|(i, u)| (format!("product.video_urls[{i}]"), u.clone())),
    );
    for (field, u) in media {
        if !u.is_empty() && !u.starts_with("https://") {
            out.push(f(
                "media_https",
                Error,
                &field,
                format!("Serve {u} over HTTPS."),
                format!("{u} を HTTPS で提供してください。"),
                SRC_MEDIA,
            ));
        }
    }
    if p.categories.is_empty() {
        out.push(f(
            "categories_valid",
            Error,
            "product.categories",
            "Choose 1 to 3 categories: buyers browse by them.".into(),
            "カテゴリを 1〜3 件選んでください。購入者はカテゴリで製品を探します。".into(),
            SRC_SHAPES,
        ));
    }
    for (i, c) in p.categories.iter().enumerate() {
        if !KNOWN_CATEGORIES.iter().any(|k| k.eq_ignore_ascii_case(c)) {
            out.push(f("categories_valid", Warning, &format!("product.categories[{i}]"), format!("'{c}' is not an AWS Marketplace category this build knows; check the spelling against the category list."), format!("'{c}' はこのビルドが知る AWS Marketplace のカテゴリではありません。カテゴリ一覧と綴りを確認してください。"), SRC_SAAS_GUIDELINES));
        }
    }
    let texts = [
        ("product.title", p.title.clone()),
        ("product.short_description", p.short_description.clone()),
        ("product.long_description", p.long_description.clone()),
        ("product.highlights", p.highlights.join("\n")),
        ("product.search_keywords", p.search_keywords.join("\n")),
    ];
    for (field, t) in &texts {
        for cloud in OTHER_CLOUDS {
            if names(t, cloud) {
                out.push(f("no_other_cloud", Error, field, format!("{field} names {cloud}: AWS Marketplace listings must not name other cloud providers."), format!("{field} に {cloud} が含まれています。AWS Marketplace の掲載では他のクラウドプロバイダーに言及できません。"), SRC_PRODUCT_GUIDELINES));
            }
        }
    }
    if l.fulfillment_url.starts_with("http://") {
        out.push(f("fulfillment_https", Warning, "fulfillment_url", "Only the sandbox accepts a plain-http fulfillment URL; AWS needs HTTPS.".into(), "平文 http のフルフィルメント URL はサンドボックスでのみ使えます。AWS では HTTPS が必要です。".into(), SRC_SAAS_GUIDELINES));
    }
    let o = &l.offer;
    if o.eula.is_none() {
        out.push(f(
            "eula_present",
            Error,
            "offer.eula",
            "Choose a EULA: AWS's Standard Contract or your own document's URL.".into(),
            "EULA を選んでください: AWS 標準契約か独自文書の URL。".into(),
            SRC_RELEASE,
        ));
    }
    if let Some(Eula::Custom { url }) = &o.eula {
        if !url.to_lowercase().ends_with(".txt") && !url.to_lowercase().ends_with(".pdf") {
            out.push(f("eula_document", Warning, "offer.eula.url", "Link the EULA as a document (.txt as the integration checklist asks, or .pdf), not a web page.".into(), "EULA は Web ページではなく文書 (統合チェックリストが求める .txt、または .pdf) にリンクしてください。".into(), SRC_SAAS_GUIDELINES));
        }
    }
    if o.pricing_model != OfferPricing::Free
        && !o
            .rates
            .iter()
            .any(|r| shapes::price(&r.price).is_some_and(|x| x > 0.0))
    {
        out.push(f("priced_above_zero", Error, "offer.rates", "Price at least one dimension above zero (or make the offer Free).".into(), "少なくとも 1 つのディメンションに 0 より大きい価格を設定してください (または Free のオファーにしてください)。".into(), SRC_PRICING));
    }
    for d in &l.dimensions {
        if o.pricing_model != OfferPricing::Free && !o.rates.iter().any(|r| r.dimension == d.key) {
            out.push(f(
                "dimension_priced",
                Warning,
                &format!("dimensions[{}]", d.key),
                format!(
                    "Dimension {} has no price in the offer: buyers cannot buy it.",
                    d.key
                ),
                format!(
                    "ディメンション {} にオファーの価格がありません。購入者は購入できません。",
                    d.key
                ),
                SRC_PRICING,
            ));
        }
    }
    if o.refund_policy.trim().is_empty() {
        out.push(f(
            "refund_policy_present",
            Warning,
            "offer.refund_policy",
            "State the refund policy in the support terms.".into(),
            "サポート条件に返金ポリシーを記載してください。".into(),
            SRC_SAAS_GUIDELINES,
        ));
    }
    out
}

/// The reachability rules (network): the logo answers with an image, videos and resources
/// answer, a custom EULA answers with a document. Run only when asked.
pub async fn lint_network(l: &Listing, http: &reqwest::Client) -> Vec<Finding> {
    let mut targets: Vec<(String, String, &'static [&'static str])> = Vec::new();
    if https_url(&l.product.logo_url) {
        targets.push((
            "product.logo_url".into(),
            l.product.logo_url.clone(),
            &["image/"],
        ));
    }
    for (i, u) in l.product.video_urls.iter().enumerate() {
        targets.push((format!("product.video_urls[{i}]"), u.clone(), &[]));
    }
    for (i, r) in l.product.additional_resources.iter().enumerate() {
        targets.push((
            format!("product.additional_resources[{i}].url"),
            r.url.clone(),
            &[],
        ));
    }
    if let Some(Eula::Custom { url }) = &l.offer.eula {
        targets.push((
            "offer.eula.url".into(),
            url.clone(),
            &["text/plain", "application/pdf"],
        ));
    }
    let mut out = Vec::new();
    for (field, url, types) in targets {
        let problem = match http.get(&url).send().await {
            Err(e) => Some(format!(
                "does not answer ({})",
                la_aws::http_error_chain(&e)
            )),
            Ok(r) if !r.status().is_success() => {
                Some(format!("answers HTTP {}", r.status().as_u16()))
            }
            Ok(r) => {
                let ct = r
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_lowercase();
                (!types.is_empty() && !types.iter().any(|t| ct.starts_with(t))).then(|| {
                    format!(
                        "answers with content type '{ct}', not {}",
                        types.join(" or ")
                    )
                })
            }
        };
        if let Some(p) = problem {
            out.push(f(
                "media_reachable",
                Severity::Error,
                &field,
                format!("{url} {p}."),
                format!("{url} に問題があります: {p}。"),
                SRC_MEDIA,
            ));
        }
    }
    out
}
