//! The notification parser: an SQS message body in, what it says out. Pure (no I/O, no clock),
//! total (every input gives an answer, bad input a `Malformed` with the reason), so it can be
//! fuzzed on its own.
//!
//! Accepted shapes: the SNS envelope Marketplace's topics deliver (`Type: Notification`, the
//! Marketplace message as a JSON string in `Message`), the bare Marketplace message (raw message
//! delivery), and EventBridge `aws.agreement-marketplace` events (an EventBridge rule targeting
//! the queue). `conformance/notifications/` holds one case per documented shape with its
//! expected result.
//!
//! Where AWS's published examples differ from a strict reading, the parser follows AWS: the
//! SNS page's messages carry a space before the customer identifier (`" X01EXAMPLEX"`) and the
//! entitlement message a trailing comma before `}`; license events write the license ARN without
//! its `arn:` prefix (compare licenses with [`license_id`]).

use serde_json::{Map, Value};

/// The Marketplace actions a subscription or entitlement topic sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    SubscribeSuccess,
    SubscribeFail,
    UnsubscribePending,
    UnsubscribeSuccess,
    EntitlementUpdated,
    /// An action this version does not know; shown as received.
    Other(String),
}

impl Action {
    fn parse(s: &str) -> Self {
        match s {
            "subscribe-success" => Action::SubscribeSuccess,
            "subscribe-fail" => Action::SubscribeFail,
            "unsubscribe-pending" => Action::UnsubscribePending,
            "unsubscribe-success" => Action::UnsubscribeSuccess,
            "entitlement-updated" => Action::EntitlementUpdated,
            other => Action::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Action::SubscribeSuccess => "subscribe-success",
            Action::SubscribeFail => "subscribe-fail",
            Action::UnsubscribePending => "unsubscribe-pending",
            Action::UnsubscribeSuccess => "unsubscribe-success",
            Action::EntitlementUpdated => "entitlement-updated",
            Action::Other(s) => s,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketplaceMessage {
    pub action: Action,
    pub customer_identifier: Option<String>,
    pub customer_aws_account_id: Option<String>,
    pub product_code: Option<String>,
    pub offer_identifier: Option<String>,
    pub free_trial: Option<bool>,
    /// From the SNS envelope, when there was one.
    pub topic_arn: Option<String>,
    pub message_id: Option<String>,
    pub timestamp: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementEvent {
    pub id: Option<String>,
    pub detail_type: String,
    pub time: Option<String>,
    pub agreement_id: Option<String>,
    /// As the event carries it (AWS's example omits the leading `arn:`).
    pub license_arn: Option<String>,
    pub acceptor_account: Option<String>,
    pub product_code: Option<String>,
    pub status: Option<String>,
    /// `agreement.intent`: NEW, AMEND, RENEW, REPLACE (agreement events only).
    pub intent: Option<String>,
    pub offer_id: Option<String>,
    pub proposer_account: Option<String>,
}

impl AgreementEvent {
    /// The detail type without its role: "License Updated".
    pub fn kind(&self) -> &str {
        self.detail_type
            .rsplit_once(" - ")
            .map_or(self.detail_type.as_str(), |(k, _)| k)
    }

    /// Who the event is addressed to: "Manufacturer" (the ISV, on every deal), "Proposer" (the
    /// party that extended the offer), or "Acceptor" (the buyer).
    pub fn role(&self) -> Option<&str> {
        self.detail_type.rsplit_once(" - ").map(|(_, r)| r)
    }

    /// The license's id (`l-…`), for comparing with ResolveCustomer's LicenseArn.
    pub fn license_id(&self) -> Option<&str> {
        self.license_arn.as_deref().and_then(license_id)
    }
}

/// The `l-…` id at the end of a License Manager ARN, whatever prefix the ARN was written with
/// (`arn:aws:license-manager::…:license:l-…`, or AWS's event example's
/// `aws:license-manager:us-east-1:…:l-…`).
pub fn license_id(arn: &str) -> Option<&str> {
    let id = arn.rsplit([':', '/']).next()?;
    (id.len() > 2 && id.starts_with("l-")).then_some(id)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Marketplace(MarketplaceMessage),
    EventBridge(AgreementEvent),
    Malformed { reason: String },
}

fn malformed(reason: impl Into<String>) -> Parsed {
    Parsed::Malformed {
        reason: reason.into(),
    }
}

/// A string member, trimmed (AWS's own example message writes `" X01EXAMPLEX"`); empty is
/// absent.
fn text(o: &Map<String, Value>, key: &str) -> Option<String> {
    o.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// JSON, or JSON with trailing commas before `}` / `]` (AWS's entitlement message example has
/// one). Anything else keeps the strict parser's error.
fn lenient_json(s: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(s).or_else(|e| {
        let fixed = strip_trailing_commas(s);
        if fixed.len() == s.len() {
            return Err(e);
        }
        serde_json::from_str(&fixed).map_err(|_| e)
    })
}

/// Drops a comma that only whitespace separates from the next `}` or `]`, outside strings.
fn strip_trailing_commas(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let (mut in_str, mut escaped) = (false, false);
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
        } else if c == '"' {
            in_str = true;
        } else if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}' | ']')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Marketplace writes booleans as strings ("true"); accept real booleans too.
fn flag(o: &Map<String, Value>, key: &str) -> Option<bool> {
    match o.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn marketplace(
    m: &Map<String, Value>,
    envelope: Option<&Map<String, Value>>,
) -> Result<MarketplaceMessage, String> {
    let action = match m.get("action") {
        Some(Value::String(a)) if !a.trim().is_empty() => Action::parse(a.trim()),
        Some(_) => return Err("the Marketplace message's \"action\" is not a string".into()),
        None => return Err("the Marketplace message has no \"action\"".into()),
    };
    let env = |k: &str| envelope.and_then(|e| text(e, k));
    Ok(MarketplaceMessage {
        action,
        customer_identifier: text(m, "customer-identifier"),
        customer_aws_account_id: text(m, "customer-aws-account-id"),
        product_code: text(m, "product-code"),
        offer_identifier: text(m, "offer-identifier"),
        free_trial: flag(m, "isFreeTrialTermPresent"),
        topic_arn: env("TopicArn"),
        message_id: env("MessageId"),
        timestamp: env("Timestamp"),
    })
}

fn eventbridge(o: &Map<String, Value>) -> Result<AgreementEvent, String> {
    let source = text(o, "source").unwrap_or_default();
    if source != "aws.agreement-marketplace" {
        return Err(format!(
            "an EventBridge event from \"{source}\", not aws.agreement-marketplace"
        ));
    }
    let detail_type = match o.get("detail-type") {
        Some(Value::String(d)) if !d.is_empty() => d.clone(),
        _ => return Err("the EventBridge event has no \"detail-type\"".into()),
    };
    let detail = o.get("detail").and_then(Value::as_object);
    let at = |path: &[&str]| -> Option<String> {
        let mut v = detail?.get(path[0])?;
        for p in &path[1..] {
            v = v.get(p)?;
        }
        v.as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Ok(AgreementEvent {
        id: text(o, "id"),
        detail_type,
        time: text(o, "time"),
        agreement_id: at(&["agreement", "id"]),
        license_arn: at(&["license", "arn"]),
        acceptor_account: at(&["acceptor", "accountId"]),
        product_code: at(&["product", "code"]),
        status: at(&["agreement", "status"]),
        intent: at(&["agreement", "intent"]),
        offer_id: at(&["offer", "id"]),
        proposer_account: at(&["proposer", "accountId"]),
    })
}

/// Parses one SQS message body.
pub fn parse(body: &str) -> Parsed {
    let v: Value = match lenient_json(body) {
        Ok(v) => v,
        Err(e) => return malformed(format!("not JSON ({e})")),
    };
    let Some(o) = v.as_object() else {
        return malformed("JSON, but not an object");
    };
    if let Some(kind) = o.get("Type") {
        // The SNS envelope.
        match kind.as_str() {
            Some("Notification") => {}
            Some(other) => {
                return malformed(format!(
                    "an SNS {other} message, not a Marketplace notification"
                ))
            }
            None => return malformed("the SNS envelope's \"Type\" is not a string"),
        }
        let Some(inner) = o.get("Message") else {
            return malformed("the SNS envelope has no \"Message\"");
        };
        let Some(inner) = inner.as_str() else {
            return malformed("the SNS envelope's \"Message\" is not a string");
        };
        let m: Value = match lenient_json(inner) {
            Ok(m) => m,
            Err(e) => {
                return malformed(format!(
                    "the Message inside the SNS envelope is not JSON ({e})"
                ))
            }
        };
        let Some(m) = m.as_object() else {
            return malformed("the Message inside the SNS envelope is not a JSON object");
        };
        // An EventBridge event published through SNS is still an EventBridge event.
        if m.contains_key("detail-type") {
            return eventbridge(m).map_or_else(malformed, Parsed::EventBridge);
        }
        return marketplace(m, Some(o)).map_or_else(malformed, Parsed::Marketplace);
    }
    if o.contains_key("detail-type") || o.contains_key("source") {
        return eventbridge(o).map_or_else(malformed, Parsed::EventBridge);
    }
    if o.contains_key("action") {
        return marketplace(o, None).map_or_else(malformed, Parsed::Marketplace);
    }
    malformed("neither an SNS envelope, a Marketplace message nor an EventBridge event")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(message: &str) -> String {
        json!({"Type": "Notification", "MessageId": "m-1", "TopicArn": "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-abc",
               "Message": message, "Timestamp": "2026-11-23T10:00:00.123Z", "SignatureVersion": "1"}).to_string()
    }

    #[test]
    fn every_marketplace_action_in_its_envelope() {
        for a in [
            "subscribe-success",
            "subscribe-fail",
            "unsubscribe-pending",
            "unsubscribe-success",
            "entitlement-updated",
        ] {
            let msg = format!("{{\n\"action\": \"{a}\",\n\"customer-identifier\": \"X1\",\n\"product-code\": \"abc\",\n\"isFreeTrialTermPresent\": \"true\"\n}}");
            match parse(&envelope(&msg)) {
                Parsed::Marketplace(m) => {
                    assert_eq!(m.action.as_str(), a);
                    assert_eq!(m.customer_identifier.as_deref(), Some("X1"));
                    assert_eq!(m.free_trial, Some(true));
                    assert_eq!(m.timestamp.as_deref(), Some("2026-11-23T10:00:00.123Z"));
                    assert!(m.topic_arn.is_some_and(|t| t.ends_with("-abc")));
                }
                other => panic!("{a}: {other:?}"),
            }
        }
        assert!(
            matches!(parse(&envelope("{\"action\":\"renamed-later\"}")), Parsed::Marketplace(m) if m.action == Action::Other("renamed-later".into()))
        );
        // Raw message delivery: no envelope.
        assert!(
            matches!(parse("{\"action\":\"unsubscribe-pending\"}"), Parsed::Marketplace(m) if m.action == Action::UnsubscribePending && m.timestamp.is_none())
        );
    }

    #[test]
    fn eventbridge_events() {
        let ev = json!({"version": "0", "id": "e-1", "detail-type": "License Deprovisioned - Manufacturer", "source": "aws.agreement-marketplace",
            "time": "2026-11-23T10:00:00Z", "detail": {"agreement": {"id": "agmt-1", "status": "CANCELLED"}, "license": {"arn": "arn:aws:license-manager::1:license:l-1"},
            "acceptor": {"accountId": "444455556666"}, "product": {"code": "abc"}}});
        match parse(&ev.to_string()) {
            Parsed::EventBridge(e) => {
                assert_eq!(e.detail_type, "License Deprovisioned - Manufacturer");
                assert_eq!(e.agreement_id.as_deref(), Some("agmt-1"));
                assert_eq!(e.acceptor_account.as_deref(), Some("444455556666"));
                assert_eq!(e.product_code.as_deref(), Some("abc"));
                assert_eq!(e.status.as_deref(), Some("CANCELLED"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse(&envelope(&ev.to_string())),
            Parsed::EventBridge(_)
        ));
    }

    #[test]
    fn malformed_input_says_why() {
        let cases = [
            ("", "not JSON"),
            ("{\"action\":", "not JSON"),
            ("[1,2]", "not an object"),
            ("42", "not an object"),
            ("{}", "neither"),
            (&envelope("not json"), "inside the SNS envelope is not JSON"),
            (&envelope("[]"), "not a JSON object"),
            (
                &envelope("{\"customer-identifier\":\"x\"}"),
                "no \"action\"",
            ),
            (&envelope("{\"action\":7}"), "not a string"),
            (
                &json!({"Type": "SubscriptionConfirmation", "Message": "x"}).to_string(),
                "SubscriptionConfirmation",
            ),
            (
                &json!({"Type": "Notification"}).to_string(),
                "no \"Message\"",
            ),
            (
                &json!({"Type": "Notification", "Message": {"action": "x"}}).to_string(),
                "\"Message\" is not a string",
            ),
            (&json!({"Type": 3}).to_string(), "not a string"),
            (
                &json!({"source": "aws.ec2", "detail-type": "x"}).to_string(),
                "aws.ec2",
            ),
            (
                &json!({"source": "aws.agreement-marketplace"}).to_string(),
                "no \"detail-type\"",
            ),
        ];
        for (body, why) in cases {
            match parse(body) {
                Parsed::Malformed { reason } => assert!(reason.contains(why), "{body:?}: {reason}"),
                other => panic!("{body:?} parsed as {other:?}"),
            }
        }
    }

    #[test]
    fn as_aws_prints_its_examples() {
        // The SNS page's entitlement message: a space before the identifier, a trailing comma.
        let doc = "{\n    \"action\": \"entitlement-updated\",\n    \"customer-identifier\": \" X01EXAMPLEX\",\n    \"product-code\": \"n0123EXAMPLEXXXXXXXXXXXX\",\n}";
        match parse(&envelope(doc)) {
            Parsed::Marketplace(m) => {
                assert_eq!(m.action, Action::EntitlementUpdated);
                assert_eq!(m.customer_identifier.as_deref(), Some("X01EXAMPLEX"));
            }
            other => panic!("{other:?}"),
        }
        // A comma inside a string is data; a missing value is still malformed.
        assert_eq!(
            strip_trailing_commas(r#"{"a": ",}", "b": [1,],}"#),
            r#"{"a": ",}", "b": [1]}"#
        );
        assert_eq!(
            strip_trailing_commas(r#"{"a": "\",}",}"#),
            r#"{"a": "\",}"}"#
        );
        assert!(matches!(parse("{\"action\": ,}"), Parsed::Malformed { .. }));
        // License ids, whichever way the ARN is written.
        assert_eq!(
            license_id(
                "aws:license-manager:us-east-1:123456789012:l-e52ca6f38bf84d0fafb8802ca15ac11x"
            ),
            Some("l-e52ca6f38bf84d0fafb8802ca15ac11x")
        );
        assert_eq!(
            license_id(
                "arn:aws:license-manager::123456789012:license:l-e52ca6f38bf84d0fafb8802ca15ac11x"
            ),
            Some("l-e52ca6f38bf84d0fafb8802ca15ac11x")
        );
        assert_eq!(license_id("arn:aws:s3:::bucket"), None);
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A cheap stand-in until the fuzzer: every prefix of real messages, and odd unicode.
        let real = envelope("{\"action\": \"subscribe-success\", \"product-code\": \"ü\u{0}\"}");
        for i in 0..real.len() {
            if real.is_char_boundary(i) {
                let _ = parse(&real[..i]);
            }
        }
        let _ = parse("\u{feff}{\"action\":\"x\"}");
        let _ = parse(&"[".repeat(10_000));
    }
}
