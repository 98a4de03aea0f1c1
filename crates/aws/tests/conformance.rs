//! The conformance suite (`conformance/catalog/*.json`, see conformance/README.md): AWS
//! responses written from AWS's published shapes and examples, each with the verdicts it must
//! produce. A canned HTTP server replays them to the real checks through the real AWS SDK
//! client; every request must find its canned answer, and each request a case names must have
//! been made. The environment's region is eu-west-1 throughout, and every Catalog request must
//! still be signed for us-east-1.

mod common;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use la_aws::access::static_config;
use la_aws::checks::CheckContext;
use la_aws::engine::CheckStatus;
use la_core::model::{EnvMode, EnvironmentSettings};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the server received.
#[derive(Debug, Clone)]
struct Seen {
    operation: String,
    params: Value,
    region: String,
    answered: bool,
}

struct Canned {
    responses: Vec<Value>,
    seen: Mutex<Vec<Seen>>,
}

/// `a.b.c` of `v`; `null` when absent.
fn dotted<'a>(v: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .fold(v, |v, k| v.get(k).unwrap_or(&Value::Null))
}

/// Whether every key of `want` is in `got` with an equal value (objects recursively).
fn subset(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => w
            .iter()
            .all(|(k, v)| g.get(k).is_some_and(|x| subset(v, x))),
        _ => want == got,
    }
}

/// The region of a SigV4 Authorization header's credential scope.
fn signed_region(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split("Credential=").nth(1))
        .and_then(|c| c.split('/').nth(2))
        .unwrap_or_default()
        .to_string()
}

async fn answer(
    State(c): State<Arc<Canned>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let mut params = serde_json::Map::new();
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        params.insert(k.into_owned(), Value::String(v.into_owned()));
    }
    if method == Method::POST {
        if let Ok(Value::Object(b)) = serde_json::from_slice::<Value>(&body) {
            params.extend(b);
        }
    }
    let params = Value::Object(params);
    let operation = path.trim_start_matches('/').to_string();
    let found = c.responses.iter().find(|r| match r["operation"].as_str() {
        Some(op) => {
            op == operation
                && r["when"]
                    .as_object()
                    .is_none_or(|w| w.iter().all(|(k, v)| dotted(&params, k) == v))
        }
        None => r["path"].as_str() == Some(path.as_str()),
    });
    c.seen.lock().expect("lock").push(Seen {
        operation: operation.clone(),
        params: params.clone(),
        region: signed_region(&headers),
        answered: found.is_some(),
    });
    let Some(r) = found else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            [("x-amzn-ErrorType", "InternalServiceException")],
            format!("{{\"message\": \"no canned answer for {method} {uri}\"}}"),
        )
            .into_response();
    };
    let status = StatusCode::from_u16(r["status"].as_u64().unwrap_or(200) as u16).expect("status");
    let mut resp = match &r["body"] {
        Value::String(s) => s.clone().into_response(),
        other => other.to_string().into_response(),
    };
    *resp.status_mut() = status;
    let ctype = r["content_type"].as_str().unwrap_or("application/json");
    resp.headers_mut()
        .insert("content-type", ctype.parse().expect("content type"));
    for (k, v) in r["headers"].as_object().into_iter().flatten() {
        resp.headers_mut().insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).expect("header"),
            v.as_str().unwrap_or_default().parse().expect("value"),
        );
    }
    resp
}

/// `{{server}}` in every string of the case becomes the canned server's URL.
fn fill(v: &mut Value, server: &str) {
    match v {
        Value::String(s) if s.contains("{{server}}") => *s = s.replace("{{server}}", server),
        Value::Array(a) => a.iter_mut().for_each(|x| fill(x, server)),
        Value::Object(o) => o.values_mut().for_each(|x| fill(x, server)),
        _ => {}
    }
}

fn status(s: &str) -> CheckStatus {
    match s {
        "pass" => CheckStatus::Pass,
        "fail" => CheckStatus::Fail,
        "warn" => CheckStatus::Warn,
        "skipped" => CheckStatus::Skipped,
        other => panic!("unknown verdict {other}"),
    }
}

fn cases(dir: &str) -> Vec<PathBuf> {
    let root = la_testkit::manifest_dir()
        .join("../../conformance")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// Runs one case; returns its problems (empty when it holds).
async fn run_case(file: &Path) -> Vec<String> {
    let name = file
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    let mut case: Value =
        serde_json::from_str(&std::fs::read_to_string(file).expect("read")).expect("case json");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let server = format!("http://{}", listener.local_addr().expect("addr"));
    fill(&mut case, &server);
    let canned = Arc::new(Canned {
        responses: case["responses"].as_array().cloned().unwrap_or_default(),
        seen: Mutex::new(Vec::new()),
    });
    let app = axum::Router::new()
        .fallback(answer)
        .with_state(canned.clone());
    let task = tokio::spawn(async move { axum::serve(listener, app).await });

    // The environment: defaults, the case's settings, a seller in eu-west-1.
    let mut env = serde_json::to_value(EnvironmentSettings::default()).expect("settings");
    env["region"] = json!("eu-west-1");
    for (k, v) in case["environment"].as_object().into_iter().flatten() {
        env[k] = v.clone();
    }
    let mut settings: EnvironmentSettings = serde_json::from_value(env).expect("environment");
    settings.mode = EnvMode::Real;
    settings.endpoint_url = server.clone();
    let mut sdk = static_config(&server, "AKIDCONFORMANCE00001", "conformance-secret");
    sdk = la_aws::access::in_region(&sdk, &settings.region);
    let ctx = CheckContext {
        settings,
        sdk: Some(sdk),
        http: CheckContext::http_client(None).expect("http"),
        response_time_limit: Duration::from_secs(5),
        own_access_keys: Vec::new(),
    };
    let mut problems = Vec::new();
    for (id, want) in case["expect"].as_object().into_iter().flatten() {
        let r = common::check(&ctx, id).await;
        let want = status(want.as_str().unwrap_or_default());
        if r.status != want {
            problems.push(format!(
                "{name}: {id} is {:?}, expected {want:?}: {}",
                r.status, r.summary.en
            ));
        }
    }
    task.abort();
    let seen = canned.seen.lock().expect("lock").clone();
    for s in &seen {
        if !s.answered {
            problems.push(format!(
                "{name}: unexpected request {} {}",
                s.operation, s.params
            ));
        }
        let aws_call = case["responses"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r["operation"] == s.operation.as_str());
        if aws_call && s.region != "us-east-1" {
            problems.push(format!(
                "{name}: {} was signed for {:?}, not us-east-1",
                s.operation, s.region
            ));
        }
    }
    for want in case["requests"].as_array().into_iter().flatten() {
        let made = seen.iter().any(|s| {
            want["operation"] == s.operation.as_str() && subset(&want["params"], &s.params)
        });
        if !made {
            problems.push(format!(
                "{name}: no {} request with {}",
                want["operation"], want["params"]
            ));
        }
    }
    problems
}

#[tokio::test]
async fn catalog_cases_give_their_verdicts() {
    let files = cases("catalog");
    assert!(
        files.len() >= 10,
        "the catalog suite has {} cases",
        files.len()
    );
    let mut problems = Vec::new();
    for f in &files {
        problems.extend(run_case(f).await);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The harness itself must be able to fail: a verdict the case does not produce is reported,
/// and so is a request no canned answer matches.
#[tokio::test]
async fn a_wrong_expectation_is_reported() {
    let dir = tempfile::tempdir().expect("dir");
    let src = cases("catalog")
        .into_iter()
        .find(|p| p.ends_with("offer-standard-eula.json"))
        .expect("case");
    let mut case: Value =
        serde_json::from_str(&std::fs::read_to_string(src).expect("read")).expect("json");
    case["expect"] = json!({"catalog.eula": "fail", "catalog.product_exists": "pass"});
    let file = dir.path().join("wrong.json");
    std::fs::write(&file, case.to_string()).expect("write");
    let problems = run_case(&file).await;
    assert!(
        problems.iter().any(|p| p.contains("catalog.eula is Pass")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("unexpected request DescribeEntity")),
        "{problems:?}"
    );
}
