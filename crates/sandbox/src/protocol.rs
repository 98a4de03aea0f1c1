//! The three wire protocols on one endpoint, as the official SDKs send them (AWS-FACTS.md):
//! awsJson1_1 (`X-Amz-Target`), Smithy RPC v2 CBOR (`/service/<S>/operation/<Op>`) and
//! restJson1 (`/<Op>` for Catalog). Requests become `(Service, op, JSON input)`; handlers return
//! JSON with epoch-second timestamps, rendered back in the protocol the request came in.

use crate::error::AwsError;
use axum::body::Body;
use axum::http::{HeaderMap, Response, StatusCode};
use serde_json::Value;

pub use la_sandbox_wire::{
    cbor_to_json, percent_decode, url_pairs, DecodeError, OpRequest, Protocol, Service,
};

/// Members of output shapes that are timestamps, encoded as CBOR tag 1 in RPC v2 CBOR.
const TIMESTAMP_MEMBERS: &[&str] = &["ExpirationDate"];

/// Works out service, operation and input from a raw request (see `la_sandbox_wire::classify`).
/// The protocol is returned with the error too, so even a malformed request gets an error in the
/// shape its client expects.
pub fn classify(
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<OpRequest, (Protocol, AwsError)> {
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok());
    la_sandbox_wire::classify(method, path, query, target, body).map_err(|(p, e)| (p, e.into()))
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
    respond_json(protocol, result, None, request_id)
}

/// The same, with a successful answer's JSON already written (`ok_json`, for the JSON
/// protocols), so it is not written out again.
pub fn respond_json(
    protocol: Protocol,
    result: Result<Value, AwsError>,
    ok_json: Option<String>,
    request_id: &str,
) -> Response<Body> {
    let mut ok_json = ok_json;
    let mut json = |v: &Value| ok_json.take().unwrap_or_else(|| json_text(v)).into_bytes();
    let (status, body, content_type, code) = match (&result, protocol) {
        (Ok(v), Protocol::Cbor) => (200, cbor_bytes(v), "application/cbor", None),
        (Ok(v), Protocol::AwsJson) => (200, json(v), "application/x-amz-json-1.1", None),
        (Ok(v), Protocol::RestJson) => (200, json(v), "application/json", None),
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

/// A value as JSON text. Through serde_json's writer, not `Display` (`to_string`), which passes
/// every piece of a large answer (25 metering records) through a `fmt::Formatter`.
pub fn json_text(v: &Value) -> String {
    // Cannot fail: a `Value`'s keys are strings.
    serde_json::to_string(v).unwrap_or_default()
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
