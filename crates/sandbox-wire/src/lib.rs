//! The Marketplace sandbox's request decoding: the three wire protocols on one endpoint, as the
//! official SDKs send them (AWS-FACTS.md): awsJson1_1 (`X-Amz-Target`), Smithy RPC v2 CBOR
//! (`/service/<S>/operation/<Op>`) and restJson1 (`/<Op>` for Catalog, some members in the query
//! string). A raw request becomes `(Service, op, JSON input)`.
//!
//! Pure and total (no I/O; every input gives a request or an error with the protocol to answer
//! in), and its own crate so `fuzz/` builds it without the sandbox's server and the AWS SDK;
//! `la_sandbox::protocol` re-exports it and renders the responses.

use serde_json::{Map, Value};

/// Why a request could not be decoded: the HTTP status, AWS error code and message the sandbox
/// answers with (`la_sandbox`'s `DecodeError` has the same three fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl DecodeError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
    /// A body that is not valid JSON or CBOR.
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(400, "SerializationException", message)
    }
    pub fn unknown_operation(op: &str) -> Self {
        Self::new(
            400,
            "UnknownOperationException",
            format!("Unknown operation {op}"),
        )
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for DecodeError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    AwsJson,
    Cbor,
    RestJson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Metering,
    Entitlement,
    Catalog,
    CloudTrail,
}

impl Service {
    /// The event source CloudTrail records for calls to the service.
    pub fn event_source(self) -> &'static str {
        match self {
            Service::Metering => "metering-marketplace.amazonaws.com",
            Service::Entitlement => "entitlement-marketplace.amazonaws.com",
            Service::Catalog => "catalog-marketplace.amazonaws.com",
            Service::CloudTrail => "cloudtrail.amazonaws.com",
        }
    }
}

#[derive(Debug, Clone)]
pub struct OpRequest {
    pub service: Service,
    pub op: String,
    pub protocol: Protocol,
    pub input: Value,
}

const CATALOG_OPS: &[&str] = &[
    "DescribeEntity",
    "ListEntities",
    "StartChangeSet",
    "DescribeChangeSet",
    "ListChangeSets",
    "CancelChangeSet",
];

/// Works out service, operation and input from a raw request (`amz_target`: the `X-Amz-Target`
/// header, when present and text). The protocol is returned with the
/// error too, so even a malformed request gets an error in the shape its client expects.
pub fn classify(
    method: &str,
    path: &str,
    query: Option<&str>,
    amz_target: Option<&str>,
    body: &[u8],
) -> Result<OpRequest, (Protocol, DecodeError)> {
    if let Some(rest) = path.strip_prefix("/service/") {
        let p = Protocol::Cbor;
        let (svc, op) = rest
            .split_once("/operation/")
            .ok_or_else(|| (p, DecodeError::unknown_operation(path)))?;
        let service = match svc {
            "AWSMPEntitlementService" => Service::Entitlement,
            "AWSMPMeteringService" => Service::Metering,
            _ => return Err((p, DecodeError::unknown_operation(svc))),
        };
        let input = if body.is_empty() {
            Value::Object(Map::new())
        } else {
            let v: ciborium::Value = ciborium::de::from_reader(body).map_err(|e| {
                (
                    p,
                    DecodeError::serialization(format!("Malformed CBOR body: {e}")),
                )
            })?;
            cbor_to_json(v)
        };
        if !input.is_object() {
            return Err((
                p,
                DecodeError::serialization("The request body must be a CBOR map."),
            ));
        }
        return Ok(OpRequest {
            service,
            op: op.to_string(),
            protocol: p,
            input,
        });
    }
    if let Some(target) = amz_target {
        let p = Protocol::AwsJson;
        let (prefix, op) = target
            .rsplit_once('.')
            .ok_or_else(|| (p, DecodeError::unknown_operation(target)))?;
        let service = match prefix {
            "AWSMPMeteringService" => Service::Metering,
            "AWSMPEntitlementService" => Service::Entitlement,
            "CloudTrail_20131101" | "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101" => {
                Service::CloudTrail
            }
            _ => return Err((p, DecodeError::unknown_operation(target))),
        };
        let input = parse_json_body(body).map_err(|e| (p, e))?;
        return Ok(OpRequest {
            service,
            op: op.to_string(),
            protocol: p,
            input,
        });
    }
    let p = Protocol::RestJson;
    let op = path.trim_start_matches('/');
    if !CATALOG_OPS.contains(&op) {
        return Err((
            p,
            DecodeError::new(
                404,
                "UnknownOperationException",
                format!("No operation at {method} {path}"),
            ),
        ));
    }
    let mut input = if method == "GET" {
        Value::Object(Map::new())
    } else {
        parse_json_body(body).map_err(|e| (p, e))?
    };
    // restJson1 puts some members in the query string (lower camel case on the wire).
    if let (Some(q), Some(obj)) = (query, input.as_object_mut()) {
        for (k, v) in url_pairs(q) {
            let member = match k.as_str() {
                "catalog" => "Catalog",
                "entityId" => "EntityId",
                "changeSetId" => "ChangeSetId",
                _ => continue,
            };
            obj.insert(member.to_string(), Value::String(v));
        }
    }
    Ok(OpRequest {
        service: Service::Catalog,
        op: op.to_string(),
        protocol: p,
        input,
    })
}

fn parse_json_body(body: &[u8]) -> Result<Value, DecodeError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| DecodeError::serialization(format!("Malformed JSON body: {e}")))?;
    if !v.is_object() {
        return Err(DecodeError::serialization(
            "The request body must be a JSON object.",
        ));
    }
    Ok(v)
}

/// The `key=value` pairs of a query string or a form body, decoded as browsers and the AWS SDKs
/// encode them (`+` is a space). A `%` not followed by two hex digits stays as it is.
pub fn url_pairs(q: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Decodes `%XX` escapes and `+` (form encoding) in one value. The `form_urlencoded` crate does
/// the work: the hand-written decoder this replaced panicked on `%3é` (found by `fuzz/`).
pub fn percent_decode(s: &str) -> String {
    let plus_as_space = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus_as_space)
        .decode_utf8_lossy()
        .into_owned()
}

pub fn cbor_to_json(v: ciborium::Value) -> Value {
    use ciborium::Value as C;
    match v {
        C::Null => Value::Null,
        C::Bool(b) => Value::Bool(b),
        C::Integer(i) => {
            let n: i128 = i.into();
            i64::try_from(n)
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(n as f64))
        }
        C::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        C::Text(s) => Value::String(s),
        C::Bytes(b) => {
            use base64::Engine;
            Value::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        C::Array(a) => Value::Array(a.into_iter().map(cbor_to_json).collect()),
        C::Map(m) => Value::Object(
            m.into_iter()
                .filter_map(|(k, v)| match k {
                    C::Text(k) => Some((k, cbor_to_json(v))),
                    _ => None,
                })
                .collect(),
        ),
        C::Tag(_, inner) => cbor_to_json(*inner),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("prod-abc%2Fx"), "prod-abc/x");
        assert_eq!(percent_decode("a+b"), "a b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%41%62c%"), "Abc%");
    }

    /// Regressions found by `fuzz/` (sandbox_request): a `%` followed by one hex digit and a
    /// multi-byte character panicked (a `str` sliced inside the character), and a sign was taken
    /// as a hex digit. Both reach the sandbox from a query string or a form body.
    #[test]
    fn percent_decoding_never_slices_inside_a_character() {
        assert_eq!(percent_decode("%3é"), "%3é");
        assert_eq!(percent_decode("%é"), "%é");
        assert_eq!(
            percent_decode("arn%3\u{fffd}\u{fffd}x"),
            "arn%3\u{fffd}\u{fffd}x"
        );
        assert_eq!(percent_decode("%+f%-1"), "% f%-1");
        assert_eq!(
            url_pairs("RoleArn=arn%3\u{bc}&x=%E3%81%82"),
            vec![
                ("RoleArn".to_string(), "arn%3\u{bc}".to_string()),
                ("x".to_string(), "あ".to_string()),
            ]
        );
        let req = classify(
            "GET",
            "/DescribeEntity",
            Some("catalog=%aé&entityId=prod-1"),
            None,
            b"",
        )
        .expect("a query string with a stray % still decodes");
        assert_eq!(req.input["Catalog"], "%aé");
        assert_eq!(req.input["EntityId"], "prod-1");
    }
}
