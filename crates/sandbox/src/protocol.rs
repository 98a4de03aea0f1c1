//! The three wire protocols on one endpoint, as the official SDKs send them (AWS-FACTS.md):
//! awsJson1_1 (`X-Amz-Target`), Smithy RPC v2 CBOR (`/service/<S>/operation/<Op>`) and
//! restJson1 (`/<Op>` for Catalog). Requests become `(Service, op, JSON input)`; handlers return
//! JSON with epoch-second timestamps, rendered back in the protocol the request came in.

use crate::error::AwsError;
use axum::body::Body;
use axum::http::{HeaderMap, Response, StatusCode};
use serde_json::{Map, Value};

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

/// Members of output shapes that are timestamps, encoded as CBOR tag 1 in RPC v2 CBOR.
const TIMESTAMP_MEMBERS: &[&str] = &["ExpirationDate"];

/// Works out service, operation and input from a raw request. The protocol is returned with the
/// error too, so even a malformed request gets an error in the shape its client expects.
pub fn classify(
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<OpRequest, (Protocol, AwsError)> {
    if let Some(rest) = path.strip_prefix("/service/") {
        let p = Protocol::Cbor;
        let (svc, op) = rest
            .split_once("/operation/")
            .ok_or_else(|| (p, AwsError::unknown_operation(path)))?;
        let service = match svc {
            "AWSMPEntitlementService" => Service::Entitlement,
            "AWSMPMeteringService" => Service::Metering,
            _ => return Err((p, AwsError::unknown_operation(svc))),
        };
        let input = if body.is_empty() {
            Value::Object(Map::new())
        } else {
            let v: ciborium::Value = ciborium::de::from_reader(body).map_err(|e| {
                (
                    p,
                    AwsError::serialization(format!("Malformed CBOR body: {e}")),
                )
            })?;
            cbor_to_json(v)
        };
        if !input.is_object() {
            return Err((
                p,
                AwsError::serialization("The request body must be a CBOR map."),
            ));
        }
        return Ok(OpRequest {
            service,
            op: op.to_string(),
            protocol: p,
            input,
        });
    }
    if let Some(target) = headers.get("x-amz-target").and_then(|v| v.to_str().ok()) {
        let p = Protocol::AwsJson;
        let (prefix, op) = target
            .rsplit_once('.')
            .ok_or_else(|| (p, AwsError::unknown_operation(target)))?;
        let service = match prefix {
            "AWSMPMeteringService" => Service::Metering,
            "AWSMPEntitlementService" => Service::Entitlement,
            "CloudTrail_20131101" | "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101" => {
                Service::CloudTrail
            }
            _ => return Err((p, AwsError::unknown_operation(target))),
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
            AwsError::new(
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

fn parse_json_body(body: &[u8]) -> Result<Value, AwsError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| AwsError::serialization(format!("Malformed JSON body: {e}")))?;
    if !v.is_object() {
        return Err(AwsError::serialization(
            "The request body must be a JSON object.",
        ));
    }
    Ok(v)
}

pub(crate) fn url_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Decodes `%XX` escapes and `+` (form encoding).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                Ok(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                Err(_) => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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

fn json_to_cbor(v: &Value, key: Option<&str>) -> ciborium::Value {
    use ciborium::Value as C;
    match v {
        Value::Null => C::Null,
        Value::Bool(b) => C::Bool(*b),
        Value::Number(n) => {
            let inner = if let Some(i) = n.as_i64() {
                C::Integer(i.into())
            } else {
                C::Float(n.as_f64().unwrap_or_default())
            };
            if key.is_some_and(|k| TIMESTAMP_MEMBERS.contains(&k)) {
                C::Tag(1, Box::new(inner))
            } else {
                inner
            }
        }
        Value::String(s) => C::Text(s.clone()),
        Value::Array(a) => C::Array(a.iter().map(|x| json_to_cbor(x, None)).collect()),
        Value::Object(o) => C::Map(
            o.iter()
                .map(|(k, x)| (C::Text(k.clone()), json_to_cbor(x, Some(k))))
                .collect(),
        ),
    }
}

/// Renders a handler's result in the protocol the request used.
pub fn respond(
    protocol: Protocol,
    result: Result<Value, AwsError>,
    request_id: &str,
) -> Response<Body> {
    let (status, body, content_type, code) = match (&result, protocol) {
        (Ok(v), Protocol::Cbor) => (200, cbor_bytes(v), "application/cbor", None),
        (Ok(v), Protocol::AwsJson) => (
            200,
            v.to_string().into_bytes(),
            "application/x-amz-json-1.1",
            None,
        ),
        (Ok(v), Protocol::RestJson) => (200, v.to_string().into_bytes(), "application/json", None),
        (Err(e), Protocol::Cbor) => (
            e.status,
            cbor_bytes(&serde_json::json!({"__type": e.code, "message": e.message})),
            "application/cbor",
            Some(e.code),
        ),
        (Err(e), Protocol::AwsJson) => (
            e.status,
            serde_json::json!({"__type": e.code, "message": e.message})
                .to_string()
                .into_bytes(),
            "application/x-amz-json-1.1",
            Some(e.code),
        ),
        (Err(e), Protocol::RestJson) => (
            e.status,
            serde_json::json!({"message": e.message})
                .to_string()
                .into_bytes(),
            "application/json",
            Some(e.code),
        ),
    };
    let mut b = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", content_type)
        .header("x-amzn-requestid", request_id);
    if protocol == Protocol::Cbor {
        b = b.header("smithy-protocol", "rpc-v2-cbor");
    }
    if let Some(code) = code {
        b = b.header("x-amzn-errortype", code);
    }
    b.body(Body::from(body))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

fn cbor_bytes(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail for values built from JSON.
    let _ = ciborium::ser::into_writer(&json_to_cbor(v, None), &mut out);
    out
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
    }

    #[test]
    fn cbor_round_trip_marks_timestamps() {
        let v = serde_json::json!({"Entitlements": [{"ExpirationDate": 1700000000, "Dimension": "seats"}]});
        let bytes = cbor_bytes(&v);
        let back: ciborium::Value = ciborium::de::from_reader(bytes.as_slice()).expect("cbor");
        assert_eq!(cbor_to_json(back), v);
    }

    #[test]
    fn malformed_bodies_are_serialization_errors() {
        let h = HeaderMap::new();
        let e = classify(
            "POST",
            "/service/AWSMPEntitlementService/operation/GetEntitlements",
            None,
            &h,
            b"\xff\xff",
        )
        .expect_err("bad cbor");
        assert_eq!((e.0, e.1.code), (Protocol::Cbor, "SerializationException"));
        let e = classify("POST", "/ListEntities", None, &h, b"{not json").expect_err("bad json");
        assert_eq!(
            (e.0, e.1.code),
            (Protocol::RestJson, "SerializationException")
        );
    }
}
