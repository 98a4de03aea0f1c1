//! The listing file checked against the official change-type shapes
//! (awslabs/aws-marketplace-catalog-api-shapes-*: SaaSProduct@1.0 UpdateInformation,
//! AddDimensions, UpdateTargeting, AddDeliveryOptions; Offer@1.0 UpdateInformation,
//! UpdatePricingTerms, UpdateLegalTerms, UpdateSupportTerms, UpdateAvailability): what AWS would
//! refuse, reported on the file's own field paths with EN and JA messages.

use crate::file::{Eula, Listing, OfferPricing};
use la_core::checklist::Text;
use serde::{Deserialize, Serialize};
use specta::Type;

/// The version AWS's reference change sets use for the Standard Contract for AWS Marketplace.
pub const STANDARD_EULA_VERSION: &str = "2022-07-14";
/// Standard contract versions the Offer@1.0 shapes accept.
pub const STANDARD_EULA_VERSIONS: &[&str] = &["2019-04-24", "2022-07-14", "2019-12-12"];
pub const CURRENCIES: &[&str] = &["USD", "EUR", "GBP", "AUD", "JPY"];

pub const TITLE_MAX: usize = 72;
pub const SHORT_MAX: usize = 1000;
pub const LONG_MAX: usize = 5000;
pub const HIGHLIGHTS_MAX: usize = 3;
pub const HIGHLIGHT_LEN: usize = 500;
pub const CATEGORIES_MAX: usize = 3;
pub const KEYWORDS_MAX: usize = 15;
pub const KEYWORD_LEN: usize = 50;
pub const VIDEOS_MAX: usize = 1;
pub const RESOURCES_MAX: usize = 3;
pub const SUPPORT_MAX: usize = 2000;
pub const BUYERS_MAX: usize = 100;
pub const OFFER_NAME_MAX: usize = 150;
pub const OFFER_DESCRIPTION_MAX: usize = 255;
pub const REFUND_MAX: usize = 5000;

/// One problem with one field of the listing file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct FieldError {
    /// The file's field path: `product.title`, `dimensions[1].key`, `offer.rates[0].price`.
    pub field: String,
    /// `too_long`, `too_many`, `required`, `not_https`, `pattern`, `unknown_dimension`, …
    pub code: String,
    pub message: Text,
}

fn err(field: impl Into<String>, code: &str, en: String, ja: String) -> FieldError {
    FieldError {
        field: field.into(),
        code: code.into(),
        message: Text { en, ja },
    }
}

/// `https://host.tld/…`; loopback http only for the sandbox's demo SaaS (as the sandbox's
/// shapes take it).
pub fn https_url(s: &str) -> bool {
    match url::Url::parse(s) {
        Ok(u) if u.scheme() == "https" => u.host_str().is_some_and(|h| h.contains('.')),
        Ok(u) if u.scheme() == "http" => matches!(u.host_str(), Some("127.0.0.1" | "localhost")),
        _ => false,
    }
}

pub fn account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

pub fn dimension_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// A non-negative decimal price such as "0.01" or "1200".
pub fn price(s: &str) -> Option<f64> {
    let ok = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && s.matches('.').count() <= 1
        && !s.starts_with('.')
        && !s.ends_with('.');
    ok.then(|| s.parse().ok()).flatten()
}

/// `P<n>M` / `P<n>Y` contract durations, `P<n>D` trial durations.
fn duration(s: &str, units: &[char]) -> bool {
    let Some(rest) = s.strip_prefix('P') else {
        return false;
    };
    let Some(unit) = rest.chars().last() else {
        return false;
    };
    let n = &rest[..rest.len() - unit.len_utf8()];
    units.contains(&unit) && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
}

fn len(out: &mut Vec<FieldError>, field: &str, v: &str, min: usize, max: usize) {
    let n = v.chars().count();
    if n < min && min == 1 {
        out.push(err(
            field,
            "required",
            format!("{field} is required."),
            format!("{field} は必須です。"),
        ));
    } else if n > max {
        out.push(err(
            field,
            "too_long",
            format!("{field} may have at most {max} characters; it has {n}."),
            format!("{field} は {max} 文字以内にしてください (現在 {n} 文字)。"),
        ));
    } else if v.starts_with(char::is_whitespace) {
        out.push(err(
            field,
            "leading_space",
            format!("{field} must not start with white space."),
            format!("{field} の先頭に空白を入れないでください。"),
        ));
    }
}

fn count(out: &mut Vec<FieldError>, field: &str, n: usize, max: usize) {
    if n > max {
        out.push(err(
            field,
            "too_many",
            format!("{field} may have at most {max} entries; it has {n}."),
            format!("{field} は {max} 件までです (現在 {n} 件)。"),
        ));
    }
}

fn url(out: &mut Vec<FieldError>, field: &str, v: &str) {
    if !v.is_empty() && !https_url(v) {
        out.push(err(
            field,
            "not_https",
            format!("{field} must be an https:// URL: '{v}'."),
            format!("{field} は https:// の URL にしてください: '{v}'。"),
        ));
    }
}

/// Every problem AWS's shapes would refuse, on the file's field paths. Empty when the file can
/// be planned.
pub fn validate(l: &Listing) -> Vec<FieldError> {
    let mut out = Vec::new();
    let p = &l.product;
    len(&mut out, "product.title", &p.title, 1, TITLE_MAX);
    len(
        &mut out,
        "product.short_description",
        &p.short_description,
        0,
        SHORT_MAX,
    );
    len(
        &mut out,
        "product.long_description",
        &p.long_description,
        0,
        LONG_MAX,
    );
    count(
        &mut out,
        "product.highlights",
        p.highlights.len(),
        HIGHLIGHTS_MAX,
    );
    for (i, h) in p.highlights.iter().enumerate() {
        len(
            &mut out,
            &format!("product.highlights[{i}]"),
            h,
            1,
            HIGHLIGHT_LEN,
        );
    }
    count(
        &mut out,
        "product.categories",
        p.categories.len(),
        CATEGORIES_MAX,
    );
    count(
        &mut out,
        "product.search_keywords",
        p.search_keywords.len(),
        KEYWORDS_MAX,
    );
    for (i, k) in p.search_keywords.iter().enumerate() {
        len(
            &mut out,
            &format!("product.search_keywords[{i}]"),
            k,
            1,
            KEYWORD_LEN,
        );
    }
    url(&mut out, "product.logo_url", &p.logo_url);
    count(
        &mut out,
        "product.video_urls",
        p.video_urls.len(),
        VIDEOS_MAX,
    );
    for (i, v) in p.video_urls.iter().enumerate() {
        url(&mut out, &format!("product.video_urls[{i}]"), v);
    }
    count(
        &mut out,
        "product.additional_resources",
        p.additional_resources.len(),
        RESOURCES_MAX,
    );
    for (i, r) in p.additional_resources.iter().enumerate() {
        len(
            &mut out,
            &format!("product.additional_resources[{i}].text"),
            &r.text,
            1,
            HIGHLIGHT_LEN,
        );
        url(
            &mut out,
            &format!("product.additional_resources[{i}].url"),
            &r.url,
        );
    }
    len(
        &mut out,
        "product.support_description",
        &p.support_description,
        0,
        SUPPORT_MAX,
    );
    if l.fulfillment_url.is_empty() {
        out.push(err(
            "fulfillment_url",
            "required",
            "fulfillment_url is required: AWS sends buyers there after they subscribe.".into(),
            "fulfillment_url は必須です。購読後、AWS は購入者をこの URL に送ります。".into(),
        ));
    } else if !https_url(&l.fulfillment_url) {
        out.push(err("fulfillment_url", "not_https", format!("fulfillment_url must be an HTTPS URL (AWS answers INVALID_FULFILLMENT_URL otherwise): '{}'.", l.fulfillment_url), format!("fulfillment_url は HTTPS の URL にしてください (そうでないと AWS は INVALID_FULFILLMENT_URL を返します): '{}'。", l.fulfillment_url)));
    }
    count(
        &mut out,
        "allow_listed_buyers",
        l.allow_listed_buyers.len(),
        BUYERS_MAX,
    );
    for (i, b) in l.allow_listed_buyers.iter().enumerate() {
        if !account_id(b) {
            out.push(err(
                format!("allow_listed_buyers[{i}]"),
                "pattern",
                format!("'{b}' is not a 12-digit AWS account ID."),
                format!("'{b}' は 12 桁の AWS アカウント ID ではありません。"),
            ));
        } else if l.allow_listed_buyers[..i].contains(b) {
            out.push(err(
                format!("allow_listed_buyers[{i}]"),
                "duplicate",
                format!("{b} is listed twice."),
                format!("{b} が重複しています。"),
            ));
        }
    }
    for (i, d) in l.dimensions.iter().enumerate() {
        let f = |k: &str| format!("dimensions[{i}].{k}");
        if !dimension_key(&d.key) {
            out.push(err(
                f("key"),
                "pattern",
                format!(
                    "Dimension key '{}' may hold only letters, digits, _ . and - (1 to 100).",
                    d.key
                ),
                format!(
                    "ディメンションキー '{}' には英数字と _ . - のみ使えます (1〜100 文字)。",
                    d.key
                ),
            ));
        } else if l.dimensions[..i].iter().any(|x| x.key == d.key) {
            out.push(err(
                f("key"),
                "duplicate",
                format!("Dimension key '{}' is used twice.", d.key),
                format!("ディメンションキー '{}' が重複しています。", d.key),
            ));
        }
        len(&mut out, &f("name"), &d.name, 1, 80);
        len(&mut out, &f("description"), &d.description, 1, 1000);
        len(&mut out, &f("unit"), &d.unit, 1, 20);
        if d.types.is_empty() {
            out.push(err(f("types"), "required", "A dimension needs a type: Entitled (contracts) or ExternallyMetered (usage).".into(), "ディメンションには種類が必要です: Entitled (契約) または ExternallyMetered (使用量)。".into()));
        }
    }
    validate_offer(l, &mut out);
    out
}

fn validate_offer(l: &Listing, out: &mut Vec<FieldError>) {
    let o = &l.offer;
    len(out, "offer.name", &o.name, 0, OFFER_NAME_MAX);
    len(
        out,
        "offer.description",
        &o.description,
        0,
        OFFER_DESCRIPTION_MAX,
    );
    if !CURRENCIES.contains(&o.currency.as_str()) {
        out.push(err(
            "offer.currency",
            "not_allowed",
            format!(
                "Currency '{}' is not one of {}.",
                o.currency,
                CURRENCIES.join(", ")
            ),
            format!(
                "通貨 '{}' は {} のいずれかにしてください。",
                o.currency,
                CURRENCIES.join(", ")
            ),
        ));
    }
    for (i, r) in o.rates.iter().enumerate() {
        let f = |k: &str| format!("offer.rates[{i}].{k}");
        let Some(d) = l.dimension(&r.dimension) else {
            out.push(err(
                f("dimension"),
                "unknown_dimension",
                format!(
                    "Rate for '{}', which is not one of the dimensions.",
                    r.dimension
                ),
                format!("'{}' はディメンションにありません。", r.dimension),
            ));
            continue;
        };
        if price(&r.price).is_none() {
            out.push(err(
                f("price"),
                "pattern",
                format!(
                    "Price '{}' must be a decimal number such as 0.01 or 1200.",
                    r.price
                ),
                format!(
                    "価格 '{}' は 0.01 や 1200 のような数値にしてください。",
                    r.price
                ),
            ));
        }
        match &r.duration {
            Some(du) if !duration(du, &['M', 'Y']) => out.push(err(f("duration"), "pattern", format!("Duration '{du}' must look like P1M, P12M or P1Y."), format!("期間 '{du}' は P1M、P12M、P1Y のように書いてください。"))),
            Some(_) if !d.types.contains(&crate::file::DimensionType::Entitled) => out.push(err(f("duration"), "not_entitled", format!("Dimension '{}' is not Entitled, so it has no contract rate; remove the duration to price its usage.", d.key), format!("ディメンション '{}' は Entitled ではないため契約料金を設定できません。使用量の料金にするには duration を削除してください。", d.key))),
            None if !d.types.contains(&crate::file::DimensionType::ExternallyMetered) => out.push(err(f("duration"), "not_metered", format!("Dimension '{}' is not ExternallyMetered, so it has no usage rate; give the contract duration (P1M, P12M…).", d.key), format!("ディメンション '{}' は ExternallyMetered ではないため使用量料金を設定できません。契約期間 (P1M、P12M など) を指定してください。", d.key))),
            _ => {}
        }
    }
    let upfront = o.rates.iter().any(|r| r.duration.is_some());
    if o.pricing_model == OfferPricing::Usage && upfront {
        out.push(err("offer.pricing_model", "mismatch", "A Usage offer has no contract rates; use Contract, or remove the durations.".into(), "Usage のオファーには契約料金を設定できません。Contract にするか、duration を削除してください。".into()));
    }
    match &o.eula {
        None => out.push(err("offer.eula", "required", "The offer needs a EULA: AWS's standard contract or your own document's URL (AWS refuses ReleaseOffer without legal terms).".into(), "オファーには EULA が必要です: AWS 標準契約か独自文書の URL (法的条件のないオファーは ReleaseOffer で拒否されます)。".into())),
        Some(Eula::Standard { version }) if !STANDARD_EULA_VERSIONS.contains(&version.as_str()) => out.push(err("offer.eula.version", "not_allowed", format!("Standard contract version '{version}' is not one of {}.", STANDARD_EULA_VERSIONS.join(", ")), format!("標準契約のバージョン '{version}' は {} のいずれかにしてください。", STANDARD_EULA_VERSIONS.join(", ")))),
        Some(Eula::Custom { url: u }) if u.is_empty() => out.push(err("offer.eula.url", "required", "A custom EULA needs the document's URL.".into(), "独自の EULA には文書の URL が必要です。".into())),
        Some(Eula::Custom { url: u }) => url(out, "offer.eula.url", u),
        _ => {}
    }
    len(out, "offer.refund_policy", &o.refund_policy, 0, REFUND_MAX);
    if let Some(t) = &o.free_trial {
        if !duration(&t.duration, &['D']) {
            out.push(err(
                "offer.free_trial.duration",
                "pattern",
                format!("Free trial duration '{}' must look like P30D.", t.duration),
                format!(
                    "無料トライアルの期間 '{}' は P30D のように書いてください。",
                    t.duration
                ),
            ));
        }
    }
    if let Some(d) = &o.availability_end_date {
        if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
            out.push(err(
                "offer.availability_end_date",
                "pattern",
                format!("'{d}' is not a date YYYY-MM-DD."),
                format!("'{d}' は YYYY-MM-DD 形式の日付ではありません。"),
            ));
        }
    }
}
