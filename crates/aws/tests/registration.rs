//! The six registration probes against real local HTTP and HTTPS servers (a test CA made here):
//! a correct registration page passes every probe, one page per defect fails the probe that
//! looks for it, broken certificates make the other probes say "could not check", and pages
//! that never end, drip, loop or redirect to the metadata service stay bounded.
//! Pages written with Flask, Django and Express: tests/registration_frameworks.rs.

mod registration_support;

use axum::body::Body;
use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use la_aws::checks::registration::journey::BODY_CAP;
use la_aws::checks::CheckContext;
use la_aws::engine::CheckStatus;
use registration_support::*;
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

fn redirect(to: String) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

/// A body that never ends: 64 KiB chunks as fast as the probe reads them.
fn endless() -> Body {
    let chunk = bytes_of(64 * 1024);
    Body::from_stream(futures_util::stream::repeat_with(move || {
        Ok::<_, std::io::Error>(chunk.clone())
    }))
}

/// A body that drips: one byte every 100 ms, for ever.
fn dripping() -> Body {
    let s = futures_util::stream::unfold((), |()| async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        Some((
            Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"<")),
            (),
        ))
    });
    Body::from_stream(s)
}

fn bytes_of(n: usize) -> axum::body::Bytes {
    axum::body::Bytes::from(vec![b'x'; n])
}

/// `other` is where /downgrade sends the buyer (a plain-HTTP server).
fn app(other: Option<String>) -> Router {
    let other = other.unwrap_or_default();
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
                .body(Body::empty())
                .expect("response")
        }))
        .route("/cookie-later", post(|Form(f): Form<HashMap<String, String>>| async move {
            redirect(format!("/hop?t={}", form_urlencoded_encode(&token(&f))))
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
        .route("/endless", post(|| async { Response::new(endless()) }))
        .route("/dripping", post(|| async { Response::new(dripping()) }))
        .route("/loop", post(|| async { redirect("/loop".into()) }).get(|| async { redirect("/loop".into()) }))
        .route("/to-metadata", post(|| async { redirect("http://169.254.169.254/latest/meta-data/iam/security-credentials/".into()) }))
        .route("/to-metadata-v6", post(|| async { redirect("http://[fd00:ec2::254]/latest/meta-data/".into()) }))
        .route("/to-metadata-name", post(|| async { redirect("http://metadata.google.internal/computeMetadata/v1/".into()) }))
        .route("/to-link-local", post(|| async { redirect("http://169.254.10.1:8080/".into()) }))
        .route("/forbidden", post(|| async { (StatusCode::FORBIDDEN, Html("<h1>Forbidden</h1>")) }))
        .route("/downgrade", post(move || async move { redirect(format!("{other}/welcome")) }))
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

#[tokio::test]
async fn a_correct_https_page_passes_every_probe() {
    let (url, ca) = https_server(app(None), Leaf::Good).await;
    let dir = tempfile::tempdir().expect("dir");
    let r = probe(&format!("{url}/good"), Some(&ca_file(&dir, &ca))).await;
    for (id, res) in &r {
        assert_eq!(res.status, CheckStatus::Pass, "{id}: {}", res.summary.en);
        assert!(!res.evidence.is_empty(), "{id} keeps evidence");
    }
    assert_eq!(r.len(), 6);
    // No made-up token leaks into evidence.
    for res in r.values() {
        for e in &res.evidence {
            if let Some(v) = e.request.split("x-amzn-marketplace-token=").nth(1) {
                // The probes write a placeholder, never the value; anything else must be masked.
                let v = v.lines().next().unwrap_or_default().trim_end();
                assert!(
                    v == "<fresh made-up token>" || v.ends_with("(redacted)"),
                    "token value masked in evidence: {v}"
                );
            }
        }
    }
}

/// Each certificate defect fails `https` with its own reason; the other five probes say "could
/// not check: HTTPS failed" instead of failing requirements they never reached.
#[tokio::test]
async fn each_certificate_defect_fails_https_and_leaves_the_rest_unchecked() {
    let dir = tempfile::tempdir().expect("dir");
    for (kind, reason) in [
        (
            Leaf::SelfSigned,
            "not signed by an authority the probe trusts",
        ),
        (Leaf::Expired, "has expired"),
        (Leaf::WrongName, "not valid for this host name"),
    ] {
        let (url, ca) = https_server(app(None), kind).await;
        let r = probe(&format!("{url}/good"), Some(&ca_file(&dir, &ca))).await;
        expect(&r, "https", CheckStatus::Fail, reason);
        for id in PAGE_PROBES {
            expect(&r, id, CheckStatus::Error, "could not check: HTTPS failed");
            assert!(
                res(&r, id).summary.en.contains(reason),
                "{}",
                res(&r, id).summary.en
            );
        }
    }
    // Control: the same server with a good certificate passes, so the failures above are the
    // certificates'.
    let (url, ca) = https_server(app(None), Leaf::Good).await;
    let r = probe(&format!("{url}/good"), Some(&ca_file(&dir, &ca))).await;
    for id in PAGE_PROBES {
        assert_eq!(status(&r, id), CheckStatus::Pass, "{id}");
    }
}

#[tokio::test]
async fn plain_http_fails_https_but_the_page_is_still_judged() {
    let plain = http_server(app(None)).await;
    let r = probe(&format!("{plain}/good"), None).await;
    expect(&r, "https", CheckStatus::Fail, "not served over HTTPS");
    assert_eq!(status(&r, "accepts_post"), CheckStatus::Pass);
}

#[tokio::test]
async fn a_redirect_from_https_to_http_is_reported() {
    let plain = http_server(app(None)).await;
    let (url, ca) = https_server(app(Some(plain.clone())), Leaf::Good).await;
    let dir = tempfile::tempdir().expect("dir");
    let r = probe(&format!("{url}/downgrade"), Some(&ca_file(&dir, &ca))).await;
    expect(&r, "https", CheckStatus::Fail, "from HTTPS to plain HTTP");
    assert!(res(&r, "https")
        .summary
        .en
        .contains(&format!("{plain}/welcome")));
    assert_eq!(
        status(&r, "accepts_post"),
        CheckStatus::Pass,
        "the page itself answers"
    );
}

#[tokio::test]
async fn each_defect_fails_its_probe() {
    let base = http_server(app(None)).await;
    let r = probe(&format!("{base}/get-only"), None).await;
    expect(&r, "accepts_post", CheckStatus::Fail, "405");

    // A bare 403 says nothing of why: not a pass, a warning naming CSRF and logins.
    let r = probe(&format!("{base}/forbidden"), None).await;
    expect(&r, "accepts_post", CheckStatus::Warn, "HTTP 403");

    let r = probe(&format!("{base}/crash"), None).await;
    assert_eq!(status(&r, "invalid_token_graceful"), CheckStatus::Fail);
    assert_eq!(
        status(&r, "accepts_post"),
        CheckStatus::Pass,
        "a 500 is not a refused method"
    );

    let r = probe(&format!("{base}/trace"), None).await;
    expect(
        &r,
        "invalid_token_graceful",
        CheckStatus::Fail,
        "exception text",
    );

    let r = probe(&format!("{base}/cookie"), None).await;
    expect(
        &r,
        "token_not_in_cookie",
        CheckStatus::Fail,
        "cookie `mp_token`",
    );
    let r = probe(&format!("{base}/cookie-later"), None).await;
    // A cookie set on a redirect counts.
    expect(&r, "token_not_in_cookie", CheckStatus::Fail, "/hop");

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

/// A page streaming without end is read up to the cap and no further: the probes finish and
/// judge what arrived (the engine's 30 s time-out would turn a hang into "timed out" instead).
#[tokio::test]
async fn an_endless_body_is_read_up_to_the_cap() {
    let base = http_server(app(None)).await;
    let r = probe(&format!("{base}/endless"), None).await;
    for id in PAGE_PROBES {
        assert!(
            !res(&r, id).summary.en.contains("timed out"),
            "{id}: {}",
            res(&r, id).summary.en
        );
    }
    assert_eq!(status(&r, "accepts_post"), CheckStatus::Pass);
    assert_eq!(status(&r, "invalid_token_graceful"), CheckStatus::Pass);
    let rt = res(&r, "response_time");
    assert!(
        matches!(rt.status, CheckStatus::Warn | CheckStatus::Fail),
        "an endless page is not a pass: {}",
        rt.summary.en
    );
    let evidence = &res(&r, "accepts_post").evidence[0].response;
    assert!(
        evidence.contains(&format!("body cut at {BODY_CAP} bytes")),
        "{evidence}"
    );
}

/// A page that drips its body is read for a bounded time, then judged slow.
#[tokio::test]
async fn a_dripping_body_is_read_for_a_bounded_time() {
    let base = http_server(app(None)).await;
    let r = probe(&format!("{base}/dripping"), None).await;
    expect(
        &r,
        "response_time",
        CheckStatus::Fail,
        "still sending its body",
    );
    assert_eq!(status(&r, "accepts_post"), CheckStatus::Pass);
    assert!(res(&r, "accepts_post").evidence[0]
        .response
        .contains("still arriving"));
}

#[tokio::test]
async fn a_redirect_loop_is_cut_and_reported() {
    let base = http_server(app(None)).await;
    let r = probe(&format!("{base}/loop"), None).await;
    expect(&r, "accepts_post", CheckStatus::Fail, "redirect loop");
    for id in [
        "invalid_token_graceful",
        "token_not_in_cookie",
        "repeat_post",
        "response_time",
    ] {
        expect(&r, id, CheckStatus::Error, "could not check");
    }
    let hops = res(&r, "accepts_post").evidence[0].response.lines().count();
    assert_eq!(
        hops,
        11 + 1,
        "the POST, ten redirects followed, and the note"
    );
}

/// Redirects to the metadata service (IPv4, IPv6, by name) and to link-local addresses are
/// refused by the guard before any connection: had the probe connected, the summary would say
/// the address "could not be reached" (nothing answers there) or time out, not "refused".
#[tokio::test]
async fn redirects_to_metadata_and_link_local_addresses_are_not_followed() {
    let base = http_server(app(None)).await;
    for (route, addr, why) in [
        ("to-metadata", "169.254.169.254", "metadata"),
        ("to-metadata-v6", "fd00:ec2::254", "metadata"),
        (
            "to-metadata-name",
            "metadata.google.internal",
            "metadata host name",
        ),
        ("to-link-local", "169.254.10.1", "link-local"),
    ] {
        let r = probe(&format!("{base}/{route}"), None).await;
        expect(&r, "accepts_post", CheckStatus::Fail, "refused address");
        let s = &res(&r, "accepts_post").summary.en;
        assert!(
            s.contains(addr) && s.contains(why) && s.contains("not contacted"),
            "{s}"
        );
        expect(
            &r,
            "invalid_token_graceful",
            CheckStatus::Error,
            "not followed",
        );
    }
    // The fulfillment URL itself pointing there is refused the same way.
    let r = probe("http://169.254.169.254/latest/meta-data/", None).await;
    for id in PAGE_PROBES {
        expect(&r, id, CheckStatus::Fail, "not contacted");
    }
}

#[tokio::test]
async fn an_unreachable_page_fails_with_a_clear_reason() {
    // Nothing listens on port 9 of loopback.
    let r = probe("http://127.0.0.1:9/register", None).await;
    for id in PAGE_PROBES {
        expect(&r, id, CheckStatus::Fail, "could not be reached");
    }
    let ctx_err = CheckContext::http_client(Some(std::path::Path::new("/nonexistent/ca.pem")))
        .expect_err("bad bundle");
    assert!(ctx_err.message.contains("/nonexistent/ca.pem"));
}

/// The guard inside the probes' HTTP client (its DNS resolver) refuses a metadata name even when
/// a request skips the per-hop check, and still resolves ordinary names.
#[tokio::test]
async fn the_clients_resolver_refuses_metadata_names_and_resolves_the_rest() {
    let http = CheckContext::http_client(None).expect("client");
    let e = http
        .get("http://metadata.google.internal/computeMetadata/v1/")
        .send()
        .await
        .expect_err("refused");
    let chain = la_aws::http_error_chain(&e);
    assert!(
        chain.contains("not contacted") && chain.contains("metadata"),
        "{chain}"
    );
    // The journey tells the guard's refusal from other failures by its type, found in the chain.
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    let mut typed = false;
    while let Some(s) = src {
        typed |= s
            .downcast_ref::<la_aws::checks::registration::guard::Blocked>()
            .is_some();
        src = s.source();
    }
    assert!(typed, "Blocked is in the error chain: {chain}");
    let base = http_server(app(None)).await;
    let port = base.rsplit(':').next().expect("port");
    let ok = http
        .get(format!("http://localhost:{port}/welcome"))
        .send()
        .await
        .expect("localhost resolves through the guard");
    assert_eq!(ok.status().as_u16(), 200);
}
