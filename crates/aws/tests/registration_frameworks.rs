//! The registration probes against pages written with the frameworks sellers use, running for
//! real: Flask (its signed session cookie, Flask-WTF's CSRFProtect, PyJWT), Django (a project
//! with CsrfViewMiddleware and the signed_cookies session backend) and Express (express-session,
//! cookie-session, cookie-parser signed cookies, jsonwebtoken, csrf-csrf). Each app has one
//! correct registration page and one page per defect, made with the framework's own machinery
//! (tests/fixtures/frameworks/*). The apps are installed by scripts/install-deps.sh (PyPI into
//! .tools/venv, npm from the fixture's lock file), started here on a free loopback port and
//! killed when the test ends.
//!
//! The apps serve plain HTTP on loopback, so `registration.https` fails on all of them (its
//! own tests use a test CA); these tests judge the five page probes.

mod registration_support;

use la_aws::engine::CheckStatus;
use registration_support::*;

fn python() -> std::path::PathBuf {
    la_testkit::venv_python()
}

fn node_app(env: &[(&str, &str)]) -> FixtureApp {
    let dir = fixture_dir("express");
    assert!(
        dir.join("node_modules/express").exists(),
        "{}/node_modules missing: run `make deps` (it installs the fixture's npm packages)",
        dir.display()
    );
    start_app_with(std::path::Path::new("node"), &["app.js"], &dir, env)
}

/// The correct page passes the five page probes.
async fn correct_page_passes(base: &str, route: &str) {
    let r = probe(&format!("{base}{route}"), None).await;
    for id in PAGE_PROBES {
        assert_eq!(
            status(&r, id),
            CheckStatus::Pass,
            "{route} {id}: {}",
            res(&r, id).summary.en
        );
    }
    expect(&r, "https", CheckStatus::Fail, "not served over HTTPS");
}

/// The token is found in a cookie, and the summary names the cookie and the encoding.
async fn token_found(base: &str, route: &str, cookie: &str, encoding: &str) {
    let r = probe(&format!("{base}{route}"), None).await;
    expect(
        &r,
        "token_not_in_cookie",
        CheckStatus::Fail,
        &format!("cookie `{cookie}`"),
    );
    let s = &res(&r, "token_not_in_cookie").summary.en;
    assert!(
        s.contains(encoding),
        "{route}: expected {encoding:?} in {s}"
    );
    // The page itself answers the POST: only the cookie is wrong.
    assert_eq!(status(&r, "accepts_post"), CheckStatus::Pass, "{route}");
}

/// A CSRF-protected fulfillment URL fails accepts_post, naming the framework; the probes that
/// need the page's own code say they could not check.
async fn csrf_refused(base: &str, route: &str, framework: &str) {
    let r = probe(&format!("{base}{route}"), None).await;
    expect(
        &r,
        "accepts_post",
        CheckStatus::Fail,
        "refused by CSRF protection",
    );
    let res = res(&r, "accepts_post");
    assert!(res.summary.en.contains(framework), "{}", res.summary.en);
    assert!(res.advice.en.contains("CSRF") && res.advice.ja.contains("CSRF"));
    for id in [
        "invalid_token_graceful",
        "token_not_in_cookie",
        "repeat_post",
        "response_time",
    ] {
        expect(&r, id, CheckStatus::Error, "could not check");
    }
}

/// An unhandled exception on a made-up token fails invalid_token_graceful.
async fn crash_fails(base: &str, route: &str) {
    let r = probe(&format!("{base}{route}"), None).await;
    expect(&r, "invalid_token_graceful", CheckStatus::Fail, "HTTP 500");
    assert_eq!(status(&r, "accepts_post"), CheckStatus::Pass);
}

#[tokio::test]
async fn flask_pages() {
    let app = start_app(&python(), &["app.py"], &fixture_dir("flask"));
    let b = app.base.as_str();
    correct_page_passes(b, "/register").await;
    // Flask's session cookie: itsdangerous, base64url JSON; zlib-compressed first when that is
    // shorter (a random token alone is not; the whole POST, holding the token twice, is).
    token_found(b, "/token-in-session", "session", "base64").await;
    token_found(b, "/whole-post-in-session", "session", "zlib").await;
    token_found(b, "/token-in-jwt", "auth", "base64").await;
    token_found(b, "/token-hex", "pending", "hex").await;
    csrf_refused(b, "/csrf", "Flask-WTF").await;
    crash_fails(b, "/crash").await;
}

#[tokio::test]
async fn django_pages() {
    let app = start_app(&python(), &["serve.py"], &fixture_dir("django"));
    let b = app.base.as_str();
    correct_page_passes(b, "/register").await;
    // signed_cookies sessions: django.core.signing, base64url JSON (zlib when shorter), ':'-signed.
    token_found(b, "/token-in-session", "sessionid", "base64").await;
    token_found(b, "/whole-post-in-session", "sessionid", "zlib").await;
    // set_signed_cookie: the value in clear (quoted), then ':' timestamp ':' signature.
    token_found(b, "/token-signed-cookie", "pending", "plain text").await;
    csrf_refused(b, "/csrf", "Django").await;
    crash_fails(b, "/crash").await;
}

#[tokio::test]
async fn express_pages() {
    let app = node_app(&[]);
    let b = app.base.as_str();
    correct_page_passes(b, "/register").await;
    // cookie-session: base64 (standard alphabet) JSON.
    token_found(b, "/token-in-cookie-session", "session", "base64").await;
    // cookie-parser signed cookie: s:<value>.<signature>, URL-encoded by res.cookie.
    token_found(b, "/token-signed-cookie", "pending", "URL-encoding").await;
    token_found(b, "/token-in-jwt", "auth", "base64").await;
    csrf_refused(b, "/csrf", "Express").await;
    crash_fails(b, "/crash").await;
}

/// In production mode Express's default error handler hides the error: csrf-csrf's refusal is a
/// bare "Forbidden" 403 with no CSRF words. It is not taken for an accepted POST: a warning says
/// the buyer's POST is refused and what to look at.
#[tokio::test]
async fn express_in_production_mode_refuses_with_a_bare_403() {
    let app = node_app(&[("NODE_ENV", "production")]);
    let r = probe(&format!("{}/csrf", app.base), None).await;
    expect(&r, "accepts_post", CheckStatus::Warn, "HTTP 403");
    assert!(res(&r, "accepts_post").advice.en.contains("CSRF"));
    // Control: the same app's correct page still passes.
    let r = probe(&format!("{}/register", app.base), None).await;
    assert_eq!(status(&r, "accepts_post"), CheckStatus::Pass);
}
