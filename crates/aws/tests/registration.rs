//! The six registration probes against real local HTTP and HTTPS servers (a test CA made here):
//! a correct registration page passes every probe, and one page per defect fails the probe that
//! looks for it.

use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use la_aws::checks::{registration, CheckContext};
use la_aws::engine::{self, CheckResult, CheckStatus, EngineOptions};
use la_core::model::EnvironmentSettings;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<HashSet<String>>>);

fn token(form: &HashMap<String, String>) -> String {
    form.get("x-amzn-marketplace-token")
        .cloned()
        .unwrap_or_default()
}

fn app() -> Router {
    Router::new()
        // The correct page: answers at once, redirects with its own session cookie.
        .route("/good", post(|| async {
            (StatusCode::SEE_OTHER, [(header::LOCATION, "/welcome"), (header::SET_COOKIE, "session=opaque-session-id; HttpOnly; Secure")])
        }))
        .route("/welcome", get(|| async { Html("<h1>Welcome! Create your account.</h1>") }))
        .route("/get-only", get(|| async { Html("sign up") }))
        .route("/crash", post(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error") }))
        .route("/trace", post(|| async {
            Html("<pre>Traceback (most recent call last):\n  File \"app.py\", line 12, in register\nbotocore.exceptions.ClientError: InvalidTokenException</pre>")
        }))
        .route("/cookie", post(|Form(f): Form<HashMap<String, String>>| async move {
            let cookie = format!("mp_token={}; Path=/", token(&f));
            Response::builder()
                .status(StatusCode::FOUND)
                .header(header::LOCATION, "/welcome")
                .header(header::SET_COOKIE, cookie)
                .body(axum::body::Body::empty())
                .expect("response")
        }))
        .route("/cookie-later", post(|Form(f): Form<HashMap<String, String>>| async move {
            let t = form_urlencoded_encode(&token(&f));
            (StatusCode::FOUND, [(header::LOCATION, format!("/hop?t={t}"))])
        }))
        .route("/hop", get(|Query(q): Query<HashMap<String, String>>| async move {
            let cookie = format!("pending={}", q.get("t").cloned().unwrap_or_default());
            (StatusCode::FOUND, [(header::LOCATION, "/welcome".to_string()), (header::SET_COOKIE, cookie)])
        }))
        .route("/once", post(|State(seen): State<Seen>, Form(f): Form<HashMap<String, String>>| async move {
            if seen.0.lock().expect("lock").insert(token(&f)) {
                Html("welcome").into_response()
            } else {
                (StatusCode::INTERNAL_SERVER_ERROR, "duplicate key value violates unique constraint").into_response()
            }
        }))
        .route("/slow", post(|| async {
            tokio::time::sleep(Duration::from_millis(700)).await;
            Html("finally")
        }))
        .with_state(Seen::default())
}

fn form_urlencoded_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn http_server() -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(l, app()).await });
    format!("http://{addr}")
}

/// An HTTPS server with a leaf certificate for 127.0.0.1 signed by a fresh test CA; returns its
/// URL and the CA's PEM.
async fn https_server() -> (String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Listing Assistant test CA");
    let ca_cert = ca_params.self_signed(&ca_key).expect("ca cert");
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().expect("leaf key");
    let mut leaf_params =
        CertificateParams::new(vec!["localhost".to_string()]).expect("leaf params");
    leaf_params
        .subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().expect("ip")));
    let leaf = leaf_params
        .signed_by(&leaf_key, &issuer)
        .expect("leaf cert");

    let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
    let config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            tokio_rustls::rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .expect("tls config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = l.accept().await else {
                break;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = hyper_util::service::TowerToHyperService::new(app());
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .serve_connection(hyper_util::rt::TokioIo::new(tls), svc)
                .await;
            });
        }
    });
    (format!("https://127.0.0.1:{}", addr.port()), ca_cert.pem())
}

async fn probe(url: &str, ca: Option<&std::path::Path>) -> HashMap<String, CheckResult> {
    let ctx = CheckContext {
        settings: EnvironmentSettings {
            fulfillment_url: url.to_string(),
            ..Default::default()
        },
        sdk: None,
        http: CheckContext::http_client(ca).expect("client"),
        response_time_limit: Duration::from_millis(500),
        own_access_keys: vec![],
    };
    let checks: Vec<_> = registration::CHECKS.iter().collect();
    let results = engine::run(
        &ctx,
        &checks,
        &EngineOptions::default(),
        &|_| {},
        &Default::default(),
    )
    .await;
    results.into_iter().map(|r| (r.id.clone(), r)).collect()
}

fn status(r: &HashMap<String, CheckResult>, id: &str) -> CheckStatus {
    r.get(&format!("registration.{id}"))
        .unwrap_or_else(|| panic!("{id} ran"))
        .status
}

#[tokio::test]
async fn a_correct_https_page_passes_every_probe() {
    let (url, ca) = https_server().await;
    let dir = tempfile::tempdir().expect("dir");
    let ca_path = dir.path().join("ca.pem");
    std::fs::write(&ca_path, ca).expect("ca");
    let r = probe(&format!("{url}/good"), Some(&ca_path)).await;
    for (id, res) in &r {
        assert_eq!(res.status, CheckStatus::Pass, "{id}: {}", res.summary);
        assert!(
            !res.evidence.is_empty() || id == "registration.https",
            "{id} keeps evidence"
        );
    }
    assert_eq!(r.len(), 6);
    // No made-up token leaks into evidence.
    for res in r.values() {
        for e in &res.evidence {
            if let Some(v) = e.request.split("x-amzn-marketplace-token=").nth(1) {
                assert!(
                    v.trim_end().ends_with("(redacted)"),
                    "token value masked in evidence: {v}"
                );
            }
        }
    }
}

#[tokio::test]
async fn an_untrusted_certificate_or_plain_http_fails_https() {
    let (url, _) = https_server().await;
    let r = probe(&format!("{url}/good"), None).await;
    assert_eq!(status(&r, "https"), CheckStatus::Fail);
    assert!(
        r["registration.https"].summary.contains("not trusted"),
        "{}",
        r["registration.https"].summary
    );
    let plain = http_server().await;
    let r = probe(&format!("{plain}/good"), None).await;
    assert_eq!(status(&r, "https"), CheckStatus::Fail);
    assert!(r["registration.https"]
        .summary
        .contains("not served over HTTPS"));
    // The other probes still judge the page itself.
    assert_eq!(status(&r, "accepts_post"), CheckStatus::Pass);
}

#[tokio::test]
async fn each_defect_fails_its_probe() {
    let base = http_server().await;
    let r = probe(&format!("{base}/get-only"), None).await;
    assert_eq!(
        status(&r, "accepts_post"),
        CheckStatus::Fail,
        "{}",
        r["registration.accepts_post"].summary
    );
    assert!(r["registration.accepts_post"].summary.contains("405"));

    let r = probe(&format!("{base}/crash"), None).await;
    assert_eq!(status(&r, "invalid_token_graceful"), CheckStatus::Fail);
    assert_eq!(
        status(&r, "accepts_post"),
        CheckStatus::Pass,
        "a 500 is not a refused method"
    );

    let r = probe(&format!("{base}/trace"), None).await;
    assert_eq!(status(&r, "invalid_token_graceful"), CheckStatus::Fail);
    assert!(r["registration.invalid_token_graceful"]
        .summary
        .contains("exception text"));

    let r = probe(&format!("{base}/cookie"), None).await;
    assert_eq!(status(&r, "token_not_in_cookie"), CheckStatus::Fail);
    let r = probe(&format!("{base}/cookie-later"), None).await;
    assert_eq!(
        status(&r, "token_not_in_cookie"),
        CheckStatus::Fail,
        "a cookie set on a redirect counts"
    );
    assert!(r["registration.token_not_in_cookie"]
        .summary
        .contains("/hop"));

    let r = probe(&format!("{base}/once"), None).await;
    assert_eq!(status(&r, "repeat_post"), CheckStatus::Fail);
    assert_eq!(
        status(&r, "invalid_token_graceful"),
        CheckStatus::Pass,
        "a first post is fine"
    );

    let r = probe(&format!("{base}/slow"), None).await;
    assert_eq!(status(&r, "response_time"), CheckStatus::Fail);
    assert_eq!(status(&r, "accepts_post"), CheckStatus::Pass);
}

#[tokio::test]
async fn an_unreachable_page_fails_with_a_clear_reason() {
    // Nothing listens on port 9 of loopback.
    let r = probe("http://127.0.0.1:9/register", None).await;
    for id in [
        "accepts_post",
        "invalid_token_graceful",
        "token_not_in_cookie",
        "repeat_post",
        "response_time",
    ] {
        assert_eq!(status(&r, id), CheckStatus::Fail, "{id}");
        assert!(
            r[&format!("registration.{id}")]
                .summary
                .contains("could not be reached"),
            "{}",
            r[&format!("registration.{id}")].summary
        );
    }
    let ctx_err = CheckContext::http_client(Some(std::path::Path::new("/nonexistent/ca.pem")))
        .expect_err("bad bundle");
    assert!(ctx_err.message.contains("/nonexistent/ca.pem"));
}
