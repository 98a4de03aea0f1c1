//! Validation of environment settings. One source of truth: the UI shows these messages inline
//! and the store refuses to save what fails here.

use crate::checklist::Text;
use crate::model::{CredentialSource, EnvMode, EnvironmentSettings, FieldError};
use std::collections::HashSet;

/// An IAM role ARN (when given): arn:aws:iam::123456789012:role/Name.
fn role_arn_error(field: &str, arn: &str) -> Option<FieldError> {
    if arn.is_empty() {
        return None;
    }
    match parse_arn(arn) {
        Err(e) => Some(err(
            field,
            format!("Not a valid ARN: {}.", e.en),
            format!("ARN の形式が正しくありません: {}。", e.ja),
        )),
        Ok(a) if a.service != "iam" || !a.resource.starts_with("role/") => Some(err(
            field,
            "Expected an IAM role ARN: arn:aws:iam::123456789012:role/Name.",
            "IAM ロールの ARN を入力してください: arn:aws:iam::123456789012:role/名前。",
        )),
        Ok(a) if a.account.is_empty() => Some(err(
            field,
            "The role ARN must name its 12-digit account.",
            "ロール ARN には 12 桁のアカウント ID が必要です。",
        )),
        Ok(_) => None,
    }
}

fn err(field: &str, en: impl Into<String>, ja: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_string(),
        message: Text {
            en: en.into(),
            ja: ja.into(),
        },
    }
}

pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// An ARN split into its parts: `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

/// Parses an ARN, saying what is wrong with it in plain words (English and Japanese).
pub fn parse_arn(s: &str) -> Result<Arn<'_>, Text> {
    let text = |en: String, ja: String| Text { en, ja };
    let mut parts = s.splitn(6, ':');
    let prefix = parts.next().unwrap_or_default();
    if prefix != "arn" {
        return Err(text(
            "an ARN starts with `arn:`".into(),
            "ARN は `arn:` で始まります".into(),
        ));
    }
    let (Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(text(
            "an ARN has six parts: arn:partition:service:region:account:resource".into(),
            "ARN は arn:partition:service:region:account:resource の 6 つの部分からなります".into(),
        ));
    };
    if !matches!(partition, "aws" | "aws-cn" | "aws-us-gov") {
        return Err(text(
            format!("unknown partition `{partition}`"),
            format!("パーティション `{partition}` は不明です"),
        ));
    }
    if service.is_empty() || !service.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
        return Err(text(
            "the service part is missing or malformed".into(),
            "サービスの部分がないか、形式が正しくありません".into(),
        ));
    }
    if !account.is_empty() && !is_account_id(account) {
        return Err(text(
            format!("account `{account}` is not a 12-digit account ID"),
            format!("アカウント `{account}` は 12 桁のアカウント ID ではありません"),
        ));
    }
    if resource.is_empty() {
        return Err(text(
            "the resource part is empty".into(),
            "リソースの部分が空です".into(),
        ));
    }
    Ok(Arn {
        partition,
        service,
        region,
        account,
        resource,
    })
}

pub fn is_region(s: &str) -> bool {
    // e.g. us-east-1, ap-northeast-1, us-gov-west-1, eu-central-2
    let parts: Vec<&str> = s.split('-').collect();
    (3..=4).contains(&parts.len())
        && parts[0].len() == 2
        && parts.iter().all(|p| !p.is_empty())
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
}

fn is_loopback_host(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// An https URL; plain http only for loopback hosts in sandbox mode.
fn check_web_url(out: &mut Vec<FieldError>, field: &str, value: &str, mode: EnvMode) {
    if value.is_empty() {
        return;
    }
    match url::Url::parse(value) {
        Err(_) => out.push(err(
            field,
            "Not a valid URL.",
            "URL の形式が正しくありません。",
        )),
        Ok(u) if u.scheme() == "https" => {}
        Ok(u) if u.scheme() == "http" && mode == EnvMode::Sandbox && is_loopback_host(&u) => {}
        Ok(_) => out.push(err(
            field,
            "Must be an https:// URL.",
            "https:// で始まる URL を入力してください。",
        )),
    }
}

fn check_topic(out: &mut Vec<FieldError>, field: &str, value: &str, expected_prefix: &str) {
    if value.is_empty() {
        return;
    }
    match parse_arn(value) {
        Err(e) => out.push(err(
            field,
            format!("Not a valid ARN: {}.", e.en),
            format!("ARN の形式が正しくありません: {}。", e.ja),
        )),
        Ok(a) if a.service != "sns" => out.push(err(
            field,
            format!("Expected an SNS topic ARN (arn:aws:sns:…), got service `{}`.", a.service),
            format!("SNS トピックの ARN (arn:aws:sns:…) を入力してください。サービスが `{}` になっています。", a.service),
        )),
        Ok(a) if !a.resource.starts_with(expected_prefix) => out.push(err(
            field,
            format!("Marketplace topics are named `{expected_prefix}<product-code>`."),
            format!("Marketplace のトピック名は `{expected_prefix}<製品コード>` です。"),
        )),
        Ok(_) => {}
    }
}

/// Every problem with the settings, each tied to its field. Empty fields are allowed (not known
/// yet) except where another choice makes them necessary.
pub fn validate_settings(s: &EnvironmentSettings) -> Vec<FieldError> {
    let mut out = Vec::new();
    if !s.seller_account_id.is_empty() && !is_account_id(&s.seller_account_id) {
        out.push(err(
            "seller_account_id",
            "An AWS account ID is exactly 12 digits.",
            "AWS アカウント ID は 12 桁の数字です。",
        ));
    }
    if !s.region.is_empty() && !is_region(&s.region) {
        out.push(err(
            "region",
            "Not an AWS region name (for example us-east-1).",
            "AWS リージョン名ではありません (例: us-east-1)。",
        ));
    }
    match s.credential_source {
        CredentialSource::Profile if s.profile.trim().is_empty() => out.push(err(
            "profile",
            "Choose the AWS profile to use.",
            "使用する AWS プロファイルを選択してください。",
        )),
        CredentialSource::AssumeRole if s.role_arn.is_empty() => out.push(err(
            "role_arn",
            "Enter the ARN of the role to assume.",
            "引き受けるロールの ARN を入力してください。",
        )),
        _ => {}
    }
    if !s.profile.is_empty() && s.profile.chars().any(char::is_whitespace) {
        out.push(err(
            "profile",
            "Profile names have no spaces.",
            "プロファイル名に空白は使えません。",
        ));
    }
    for (field, arn) in [
        ("role_arn", &s.role_arn),
        ("saas_role_arn", &s.saas_role_arn),
    ] {
        if let Some(e) = role_arn_error(field, arn) {
            out.push(e);
        }
    }
    if s.mode == EnvMode::Sandbox && s.endpoint_url.is_empty() {
        out.push(err(
            "endpoint_url",
            "Sandbox mode needs the sandbox's endpoint URL.",
            "サンドボックスモードにはサンドボックスのエンドポイント URL が必要です。",
        ));
    }
    if !s.endpoint_url.is_empty() {
        // Real credentials (and a session token, which travels as a plain header) are never
        // sent unencrypted: real mode is https only, even to this machine, where any local
        // process could be listening on the port. Plain http is for the sandbox (its demo keys
        // are public) on this machine. An endpoint behind a private CA — a TLS-inspecting proxy,
        // an emulator served over TLS — is reached with the environment file's `ca_bundle`.
        match url::Url::parse(&s.endpoint_url) {
            Ok(u) if u.scheme() == "https" && u.host().is_some() => {}
            Ok(u)
                if u.scheme() == "http"
                    && is_loopback_host(&u)
                    && s.mode == EnvMode::Sandbox => {}
            Ok(u) if u.scheme() == "http" && is_loopback_host(&u) => out.push(err(
                "endpoint_url",
                "Real mode sends your AWS credentials: use an https:// endpoint, even on this machine (an emulator behind TLS: add its CA to the environment file's ca_bundle). Plain http is only for the sandbox.",
                "本番モードでは AWS 認証情報を送信するため、このマシン上でも https:// のエンドポイントを使ってください (TLS で提供するエミュレーターは、その CA を環境ファイルの ca_bundle に追加します)。暗号化されていない http はサンドボックス専用です。",
            )),
            Ok(u) if u.scheme() == "http" && u.host().is_some() => out.push(err(
                "endpoint_url",
                "Plain http is only allowed to the sandbox on this machine (127.0.0.1, ::1, localhost); use https for any other endpoint.",
                "暗号化されていない http はこのマシン (127.0.0.1、::1、localhost) 上のサンドボックス宛てにのみ使えます。それ以外のエンドポイントには https を使ってください。",
            )),
            _ => out.push(err(
                "endpoint_url",
                "Not a valid http(s) endpoint URL.",
                "有効な http(s) のエンドポイント URL ではありません。",
            )),
        }
    }
    if !s.product_id.is_empty() && !valid_prefixed_id(&s.product_id, "prod-") {
        out.push(err(
            "product_id",
            "A product ID looks like prod-abcd1234efgh5.",
            "製品 ID は prod-abcd1234efgh5 のような形式です。",
        ));
    }
    if !s.offer_id.is_empty() && !valid_prefixed_id(&s.offer_id, "offer-") {
        out.push(err(
            "offer_id",
            "An offer ID looks like offer-abcd1234efgh5.",
            "オファー ID は offer-abcd1234efgh5 のような形式です。",
        ));
    }
    let code_ok = (8..=64).contains(&s.product_code.len())
        && s.product_code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !s.product_code.is_empty() && !code_ok {
        out.push(err(
            "product_code",
            "A product code is lowercase letters and digits (usually 25).",
            "製品コードは英小文字と数字です (通常 25 文字)。",
        ));
    }
    check_web_url(&mut out, "fulfillment_url", &s.fulfillment_url, s.mode);
    check_web_url(&mut out, "eula_url", &s.eula_url, s.mode);
    if !s.sqs_queue_url.is_empty() {
        let ok = url::Url::parse(&s.sqs_queue_url).ok().is_some_and(|u| {
            let segs: Vec<&str> = u.path_segments().map(|p| p.collect()).unwrap_or_default();
            matches!(u.scheme(), "http" | "https")
                && (u.scheme() == "https" || s.mode == EnvMode::Sandbox)
                && segs.len() == 2
                && is_account_id(segs[0])
                && !segs[1].is_empty()
        });
        if !ok {
            out.push(err(
                "sqs_queue_url",
                "Expected a queue URL: https://sqs.us-east-1.amazonaws.com/123456789012/queue-name.",
                "キュー URL を入力してください: https://sqs.us-east-1.amazonaws.com/123456789012/キュー名。",
            ));
        }
    }
    check_topic(
        &mut out,
        "subscription_topic_arn",
        &s.subscription_topic_arn,
        "aws-mp-subscription-notification-",
    );
    check_topic(
        &mut out,
        "entitlement_topic_arn",
        &s.entitlement_topic_arn,
        "aws-mp-entitlement-notification-",
    );
    let mut seen = HashSet::new();
    for (i, id) in s.test_buyer_account_ids.iter().enumerate() {
        let field = format!("test_buyer_account_ids.{i}");
        if !is_account_id(id) {
            out.push(err(
                &field,
                format!("`{id}` is not a 12-digit AWS account ID."),
                format!("`{id}` は 12 桁の AWS アカウント ID ではありません。"),
            ));
        } else if !seen.insert(id.as_str()) {
            out.push(err(
                &field,
                format!("`{id}` is listed twice."),
                format!("`{id}` が重複しています。"),
            ));
        }
    }
    let mut keys = HashSet::new();
    for (i, d) in s.dimensions.iter().enumerate() {
        let field = format!("dimensions.{i}");
        let key_ok = !d.key.is_empty()
            && d.key.len() <= 100
            && d.key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        if !key_ok {
            out.push(err(
                &field,
                "A dimension key is letters, digits, _ . or - (at most 100).",
                "ディメンションキーは英数字と _ . - のみ (100 文字以内) です。",
            ));
        } else if !keys.insert(d.key.as_str()) {
            out.push(err(
                &field,
                format!("Dimension key `{}` is used twice.", d.key),
                format!("ディメンションキー `{}` が重複しています。", d.key),
            ));
        }
    }
    out
}

fn valid_prefixed_id(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| {
        !rest.is_empty() && rest.len() <= 64 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids() {
        assert!(is_account_id("123456789012"));
        assert!(!is_account_id("12345678901"));
        assert!(!is_account_id("1234567890123"));
        assert!(!is_account_id("12345678901a"));
    }

    #[test]
    fn arns() {
        let a = parse_arn("arn:aws:iam::123456789012:role/SaaS").expect("valid");
        assert_eq!(a.service, "iam");
        assert_eq!(a.resource, "role/SaaS");
        assert!(parse_arn("arn:aws:iam::12345:role/x").is_err());
        assert!(parse_arn("aws:iam::123456789012:role/x").is_err());
        assert!(parse_arn("arn:aws:iam").is_err());
        assert!(parse_arn("arn:foo:iam::123456789012:role/x").is_err());
    }

    #[test]
    fn regions() {
        for r in ["us-east-1", "ap-northeast-1", "us-gov-west-1"] {
            assert!(is_region(r), "{r}");
        }
        for r in ["us-east", "useast1", "US-EAST-1", ""] {
            assert!(!is_region(r), "{r}");
        }
    }

    #[test]
    fn settings_errors_are_tied_to_fields() {
        let s = EnvironmentSettings {
            seller_account_id: "12345".into(),
            credential_source: CredentialSource::AssumeRole,
            role_arn: "arn:aws:s3:::bucket".into(),
            fulfillment_url: "http://example.com/register".into(),
            test_buyer_account_ids: vec!["111122223333".into(), "111122223333".into(), "x".into()],
            subscription_topic_arn: "arn:aws:sns:us-east-1:287250355862:wrong".into(),
            ..Default::default()
        };
        let fields: Vec<String> = validate_settings(&s).into_iter().map(|e| e.field).collect();
        for f in [
            "seller_account_id",
            "role_arn",
            "fulfillment_url",
            "test_buyer_account_ids.1",
            "test_buyer_account_ids.2",
            "subscription_topic_arn",
        ] {
            assert!(fields.contains(&f.to_string()), "missing {f} in {fields:?}");
        }
    }

    #[test]
    fn good_settings_pass() {
        let s = EnvironmentSettings {
            seller_account_id: "123456789012".into(),
            region: "us-east-1".into(),
            credential_source: CredentialSource::AssumeRole,
            role_arn: "arn:aws:iam::123456789012:role/ListingAssistant".into(),
            fulfillment_url: "https://saas.example.com/marketplace".into(),
            product_id: "prod-abc123".into(),
            product_code: "abcdefgh12345678".into(),
            sqs_queue_url: "https://sqs.us-east-1.amazonaws.com/123456789012/mp".into(),
            subscription_topic_arn:
                "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-abc".into(),
            test_buyer_account_ids: vec!["111122223333".into()],
            ..Default::default()
        };
        assert_eq!(validate_settings(&s), vec![]);
    }

    #[test]
    fn endpoint_http_only_to_this_machine() {
        let mut s = EnvironmentSettings {
            endpoint_url: "http://vpce-0abc.marketplace.us-east-1.vpce.amazonaws.com".into(),
            ..Default::default()
        };
        let fields: Vec<String> = validate_settings(&s).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["endpoint_url".to_string()]);
        // Real mode: https only, this machine included (credentials travel with each call).
        for refused in [
            "http://127.0.0.1:8484",
            "http://[::1]:8484",
            "http://localhost:4566",
        ] {
            s.endpoint_url = refused.into();
            let errors = validate_settings(&s);
            assert_eq!(errors.len(), 1, "{refused}");
            assert!(
                errors[0].message.en.starts_with("Real mode sends"),
                "{refused}"
            );
        }
        s.endpoint_url = "https://127.0.0.1:4566".into();
        assert_eq!(validate_settings(&s), vec![]);
        s.mode = EnvMode::Sandbox;
        s.endpoint_url = "http://vpce-0abc.marketplace.us-east-1.vpce.amazonaws.com".into();
        assert_eq!(validate_settings(&s).len(), 1, "sandbox mode too");
        s.endpoint_url = "http://10.0.0.5:8484".into();
        assert_eq!(validate_settings(&s).len(), 1);
        for ok in [
            "https://vpce-0abc.marketplace.us-east-1.vpce.amazonaws.com",
            "http://127.0.0.1:8484",
            "http://[::1]:8484",
            "http://localhost:4566",
        ] {
            s.endpoint_url = ok.into();
            assert_eq!(validate_settings(&s), vec![], "{ok}");
        }
    }

    #[test]
    fn http_only_for_loopback_in_sandbox() {
        let mut s = EnvironmentSettings {
            fulfillment_url: "http://127.0.0.1:8080/register".into(),
            ..Default::default()
        };
        assert_eq!(validate_settings(&s).len(), 1);
        s.mode = EnvMode::Sandbox;
        s.endpoint_url = "http://127.0.0.1:4566".into();
        assert_eq!(validate_settings(&s), vec![]);
    }
}
