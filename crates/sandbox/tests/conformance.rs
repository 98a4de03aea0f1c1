//! Conformance with AWS's own service models: every response the sandbox produces for a
//! successful call is checked against the operation's output shape in botocore's models (from
//! the moto virtualenv's `botocore/data/`): required members present, no unknown members, and
//! every value of the modelled type.

mod common;

use common::*;
use flate2::read::GzDecoder;
use la_sandbox::buyer::PurchaseRequest;
use la_sandbox::Config;
use serde_json::{json, Value};
use std::io::Read;

struct Model {
    shapes: Value,
    ops: Value,
}

fn botocore_data() -> std::path::PathBuf {
    let venv = la_testkit::manifest_dir().join("../../.tools/venv/lib");
    let py = std::fs::read_dir(&venv)
        .unwrap_or_else(|_| {
            panic!(
                "{} missing: run `make deps` (moto and botocore come from PyPI)",
                venv.display()
            )
        })
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with("python"))
        .expect("a python dir in the venv");
    py.path().join("site-packages/botocore/data")
}

fn model(service: &str) -> Model {
    let dir = botocore_data().join(service);
    let version = std::fs::read_dir(&dir)
        .expect("service dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .max()
        .expect("a version");
    let mut text = String::new();
    GzDecoder::new(std::fs::File::open(version.join("service-2.json.gz")).expect("model file"))
        .read_to_string(&mut text)
        .expect("gunzip");
    let v: Value = serde_json::from_str(&text).expect("model json");
    Model {
        shapes: v["shapes"].clone(),
        ops: v["operations"].clone(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Timestamps {
    Epoch,
    Iso,
}

fn check(m: &Model, shape: &str, v: &Value, path: &str, ts: Timestamps, errs: &mut Vec<String>) {
    let s = &m.shapes[shape];
    let t = s["type"].as_str().unwrap_or_default();
    let bad = |errs: &mut Vec<String>, want: &str| {
        errs.push(format!("{path}: expected {want} ({shape}), got {v}"))
    };
    if s["document"] == true {
        // Free-form JSON documents (DetailsDocument): anything goes.
        return;
    }
    match t {
        "structure" | "union" => {
            let Some(obj) = v.as_object() else {
                return bad(errs, "an object");
            };
            let members = s["members"].as_object().cloned().unwrap_or_default();
            for req in s["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if members[req].get("location").is_some() {
                    continue;
                }
                if obj.get(req).is_none_or(Value::is_null) {
                    errs.push(format!("{path}: required member {req} missing ({shape})"));
                }
            }
            for (k, val) in obj {
                match members.get(k) {
                    None => errs.push(format!("{path}: member {k} is not in {shape}")),
                    Some(mdef) => {
                        if !val.is_null() {
                            let child = mdef["shape"].as_str().unwrap_or_default();
                            check(m, child, val, &format!("{path}.{k}"), ts, errs);
                        }
                    }
                }
            }
            if t == "union" && obj.len() != 1 {
                errs.push(format!("{path}: a union has exactly one member set"));
            }
        }
        "list" => {
            let Some(a) = v.as_array() else {
                return bad(errs, "a list");
            };
            let child = s["member"]["shape"].as_str().unwrap_or_default();
            for (i, x) in a.iter().enumerate() {
                check(m, child, x, &format!("{path}[{i}]"), ts, errs);
            }
        }
        "map" => {
            let Some(o) = v.as_object() else {
                return bad(errs, "a map");
            };
            let child = s["value"]["shape"].as_str().unwrap_or_default();
            for (k, x) in o {
                check(m, child, x, &format!("{path}.{k}"), ts, errs);
            }
        }
        "string" => match v.as_str() {
            None => bad(errs, "a string"),
            Some(text) => {
                if let Some(allowed) = s["enum"].as_array() {
                    if !allowed.iter().any(|a| a == text) {
                        errs.push(format!("{path}: {text} is not one of {allowed:?}"));
                    }
                }
                if let Some(min) = s["min"].as_u64() {
                    if (text.chars().count() as u64) < min {
                        errs.push(format!("{path}: shorter than {min}"));
                    }
                }
            }
        },
        "integer" | "long" => {
            if !v.is_i64() && !v.is_u64() {
                bad(errs, "an integer")
            }
        }
        "double" | "float" => {
            if !v.is_number() {
                bad(errs, "a number")
            }
        }
        "boolean" => {
            if !v.is_boolean() {
                bad(errs, "a boolean")
            }
        }
        "timestamp" => match ts {
            Timestamps::Epoch if !v.is_number() => bad(errs, "epoch seconds"),
            Timestamps::Iso
                if v.as_str()
                    .is_none_or(|x| chrono::DateTime::parse_from_rfc3339(x).is_err()) =>
            {
                bad(errs, "an ISO-8601 time")
            }
            _ => {}
        },
        "blob" => {
            if !v.is_string() {
                bad(errs, "base64 text")
            }
        }
        "document" => {}
        other => errs.push(format!("{path}: unknown shape type {other}")),
    }
}

fn output(m: &Model, op: &str, v: &Value, ts: Timestamps) -> Vec<String> {
    let shape = m.ops[op]["output"]["shape"]
        .as_str()
        .unwrap_or_else(|| panic!("{op} has an output shape"));
    let mut errs = Vec::new();
    check(m, shape, v, op, ts, &mut errs);
    errs
}

async fn json_call(url: &str, target: &str, body: Value) -> Value {
    let (status, etype, bytes) = signed(
        url,
        "POST",
        "/",
        &[
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", target),
        ],
        body.to_string().into_bytes(),
    )
    .await;
    assert_eq!(
        status,
        200,
        "{target}: {etype} {}",
        String::from_utf8_lossy(&bytes)
    );
    serde_json::from_slice(&bytes).expect("json")
}

async fn rest_call(url: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, etype, bytes) = signed(
        url,
        method,
        path,
        &[("content-type", "application/json")],
        body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
    )
    .await;
    assert_eq!(
        status,
        200,
        "{path}: {etype} {}",
        String::from_utf8_lossy(&bytes)
    );
    serde_json::from_slice(&bytes).expect("json")
}

#[tokio::test]
async fn every_response_matches_the_botocore_output_shapes() {
    let run = start(Config::default()).await;
    let url = run.url.clone();
    let p = run
        .sandbox
        .purchase(&PurchaseRequest {
            product: STAGING_PRODUCT.into(),
            buyer_account: STAGING_BUYER.into(),
            redirect: false,
            ..Default::default()
        })
        .await
        .expect("purchase");
    let s = run
        .sandbox
        .purchase(&PurchaseRequest {
            product: SUB_PRODUCT.into(),
            buyer_account: STAGING_BUYER.into(),
            redirect: false,
            ..Default::default()
        })
        .await
        .expect("purchase");
    let now = chrono::Utc::now().timestamp();
    let mut errs = Vec::new();

    let mm = model("meteringmarketplace");
    for token in [&p.registration_token, &s.registration_token] {
        let v = json_call(
            &url,
            "AWSMPMeteringService.ResolveCustomer",
            json!({"RegistrationToken": token}),
        )
        .await;
        errs.extend(output(&mm, "ResolveCustomer", &v, Timestamps::Epoch));
    }
    let v = json_call(
        &url,
        "AWSMPMeteringService.BatchMeterUsage",
        json!({"ProductCode": STAGING_CODE, "UsageRecords": [
            {"Timestamp": now - 30, "CustomerAWSAccountId": STAGING_BUYER, "Dimension": "api_calls", "Quantity": 4},
            {"Timestamp": now - 30, "CustomerAWSAccountId": "121212121212", "Dimension": "api_calls", "Quantity": 1}
        ]}),
    )
    .await;
    errs.extend(output(&mm, "BatchMeterUsage", &v, Timestamps::Epoch));
    let v = json_call(
        &url,
        "AWSMPMeteringService.MeterUsage",
        json!({"ProductCode": STAGING_CODE, "Timestamp": now - 30, "UsageDimension": "api_calls", "UsageQuantity": 1}),
    )
    .await;
    errs.extend(output(&mm, "MeterUsage", &v, Timestamps::Epoch));
    let v = json_call(
        &url,
        "AWSMPMeteringService.RegisterUsage",
        json!({"ProductCode": STAGING_CODE, "PublicKeyVersion": 1}),
    )
    .await;
    errs.extend(output(&mm, "RegisterUsage", &v, Timestamps::Epoch));

    let me = model("marketplace-entitlement");
    let v = json_call(
        &url,
        "AWSMPEntitlementService.GetEntitlements",
        json!({"ProductCode": STAGING_CODE, "MaxResults": 1}),
    )
    .await;
    errs.extend(output(&me, "GetEntitlements", &v, Timestamps::Epoch));
    let (status, _, bytes) = signed(
        &url,
        "POST",
        "/service/AWSMPEntitlementService/operation/GetEntitlements",
        &[
            ("content-type", "application/cbor"),
            ("smithy-protocol", "rpc-v2-cbor"),
        ],
        {
            let mut b = Vec::new();
            ciborium::ser::into_writer(
                &ciborium::Value::Map(vec![(
                    ciborium::Value::Text("ProductCode".into()),
                    ciborium::Value::Text(STAGING_CODE.into()),
                )]),
                &mut b,
            )
            .expect("cbor");
            b
        },
    )
    .await;
    assert_eq!(status, 200);
    let v = la_sandbox::protocol::cbor_to_json(
        ciborium::de::from_reader(bytes.as_slice()).expect("cbor"),
    );
    errs.extend(output(&me, "GetEntitlements", &v, Timestamps::Epoch));

    let mc = model("marketplace-catalog");
    let v = rest_call(
        &url,
        "POST",
        "/ListEntities",
        Some(json!({"Catalog": "AWSMarketplace", "EntityType": "SaaSProduct", "MaxResults": 2})),
    )
    .await;
    errs.extend(output(&mc, "ListEntities", &v, Timestamps::Iso));
    let v = rest_call(
        &url,
        "GET",
        &format!("/DescribeEntity?catalog=AWSMarketplace&entityId={STAGING_PRODUCT}"),
        None,
    )
    .await;
    errs.extend(output(&mc, "DescribeEntity", &v, Timestamps::Iso));
    let v = rest_call(
        &url,
        "POST",
        "/StartChangeSet",
        Some(json!({"Catalog": "AWSMarketplace", "ChangeSetName": "conformance", "ChangeSet": [{
            "ChangeType": "UpdateVisibility", "Entity": {"Type": "SaaSProduct@1.0", "Identifier": STAGING_PRODUCT},
            "Details": "{\"TargetVisibility\":\"Public\"}"}]})),
    )
    .await;
    errs.extend(output(&mc, "StartChangeSet", &v, Timestamps::Iso));
    let id = v["ChangeSetId"].as_str().expect("id").to_string();
    let v = rest_call(
        &url,
        "GET",
        &format!("/DescribeChangeSet?catalog=AWSMarketplace&changeSetId={id}"),
        None,
    )
    .await;
    errs.extend(output(&mc, "DescribeChangeSet", &v, Timestamps::Iso));
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let v = rest_call(
        &url,
        "GET",
        &format!("/DescribeChangeSet?catalog=AWSMarketplace&changeSetId={id}"),
        None,
    )
    .await;
    assert_eq!(v["Status"], "SUCCEEDED");
    errs.extend(output(&mc, "DescribeChangeSet", &v, Timestamps::Iso));
    let v = rest_call(
        &url,
        "POST",
        "/ListChangeSets",
        Some(json!({"Catalog": "AWSMarketplace"})),
    )
    .await;
    errs.extend(output(&mc, "ListChangeSets", &v, Timestamps::Iso));

    let ct = model("cloudtrail");
    let (status, _, bytes) = signed_as(
        &url,
        "cloudtrail",
        "POST",
        "/",
        &[
            ("content-type", "application/x-amz-json-1.1"),
            (
                "x-amz-target",
                "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
            ),
        ],
        json!({"MaxResults": 5}).to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&bytes).expect("json");
    assert!(!v["Events"].as_array().expect("events").is_empty());
    errs.extend(output(&ct, "LookupEvents", &v, Timestamps::Epoch));

    assert!(
        errs.is_empty(),
        "responses that do not match AWS's models:\n{}",
        errs.join("\n")
    );
}

#[test]
fn the_checker_catches_a_wrong_response() {
    // The checker itself must be able to fail.
    let mm = model("meteringmarketplace");
    let errs = output(
        &mm,
        "BatchMeterUsage",
        &json!({"Results": [{"Status": "Maybe"}], "Extra": 1}),
        Timestamps::Epoch,
    );
    assert!(errs.iter().any(|e| e.contains("Maybe")), "{errs:?}");
    assert!(errs.iter().any(|e| e.contains("Extra")), "{errs:?}");
    let errs = output(
        &mm,
        "MeterUsage",
        &json!({"MeteringRecordId": 5}),
        Timestamps::Epoch,
    );
    assert_eq!(errs.len(), 1, "{errs:?}");
}
