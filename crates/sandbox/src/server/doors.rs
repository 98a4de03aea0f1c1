//! Who may knock: every request must name the sandbox by its loopback address (the Host header),
//! come from no page or the sandbox's own (the Origin header), and `/_sandbox/*` control calls
//! must carry the per-launch secret. Together these stop a web page the seller happens to open
//! from driving the sandbox through DNS rebinding (its requests name the attacker's host), and
//! keep the control API for the processes the secret was handed to.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use la_sandbox_api as api;
use std::sync::Arc;

/// What the guard compares requests with; fixed when the server binds.
#[derive(Debug, Clone)]
pub struct Doors {
    /// The Host values accepted (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`), spelled once
    /// here rather than on every request.
    hosts: [String; 3],
    /// `--allow-remote`: the sandbox is reached by a name this process cannot know, so the Host
    /// and Origin checks are off; the control secret still holds.
    any_host: bool,
    secret: String,
}

impl Doors {
    pub fn new(port: u16, any_host: bool, secret: String) -> Arc<Self> {
        Arc::new(Self {
            hosts: [
                format!("127.0.0.1:{port}"),
                format!("localhost:{port}"),
                format!("[::1]:{port}"),
            ],
            any_host,
            secret,
        })
    }

    /// Whether `host` (a Host header's value) names this sandbox on a loopback name.
    pub fn host_allowed(&self, host: &str) -> bool {
        if self.any_host {
            return true;
        }
        let host = host.trim();
        self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Whether a request with this Origin header may come in. Pages the sandbox serves itself
    /// (the one-time purchase page, the demo SaaS) post to it from its own origin; `null` is a
    /// page opened from a file, as `sandbox purchase --open-browser`'s form, and is let through
    /// to the demo SaaS's landing page only, which a real SaaS receives from AWS's site.
    pub fn origin_allowed(&self, origin: &str, path: &str) -> bool {
        if self.any_host {
            return true;
        }
        let origin = origin.trim().to_ascii_lowercase();
        if origin == "null" {
            return path.starts_with("/_demo-saas/") && path.ends_with("/marketplace/register");
        }
        origin
            .strip_prefix("http://")
            .is_some_and(|h| self.host_allowed(h))
    }

    /// Control routes other than the health probe and the one-time landing page (which a
    /// browser opens and which holds no secret beyond its own one-time id) need the secret.
    fn needs_secret(path: &str) -> bool {
        path.starts_with("/_sandbox/")
            && path != api::routes::HEALTH
            && !path.starts_with("/_sandbox/landing/")
    }
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let body = api::ErrorBody {
        code: code.to_string(),
        message: message.to_string(),
    };
    (status, Json(body)).into_response()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap_or("\u{0}"))
}

/// The middleware: refuses before any route runs.
pub async fn guard(State(doors): State<Arc<Doors>>, req: Request, next: Next) -> Response<Body> {
    let path = req.uri().path();
    let headers = req.headers();
    match header(headers, "host") {
        Some(h) if doors.host_allowed(h) => {}
        _ => {
            return refuse(
                StatusCode::FORBIDDEN,
                "ForbiddenHost",
                "The sandbox answers only requests addressed to its loopback address (127.0.0.1, localhost or [::1] and its port).",
            )
        }
    }
    if let Some(o) = header(headers, "origin") {
        if !doors.origin_allowed(o, path) {
            return refuse(
                StatusCode::FORBIDDEN,
                "ForbiddenOrigin",
                "The sandbox does not answer requests from other web pages.",
            );
        }
    }
    if Doors::needs_secret(path) {
        match header(headers, api::SECRET_HEADER) {
            None => {
                return refuse(
                    StatusCode::UNAUTHORIZED,
                    "MissingControlSecret",
                    "The sandbox's control API needs the secret printed when it started (LA_SANDBOX_CONTROL_SECRET).",
                )
            }
            Some(s) if !api::secret::secret_matches(s.as_bytes(), doors.secret.as_bytes()) => {
                return refuse(
                    StatusCode::FORBIDDEN,
                    "WrongControlSecret",
                    "The control secret does not match this sandbox's (it changes at every start).",
                )
            }
            Some(_) => {}
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_with_the_bound_port_only() {
        let d = Doors::new(8484, false, "s".into());
        for ok in [
            "127.0.0.1:8484",
            "localhost:8484",
            "[::1]:8484",
            "LOCALHOST:8484",
        ] {
            assert!(d.host_allowed(ok), "{ok}");
        }
        for bad in [
            "evil.example:8484",
            "127.0.0.1:8485",
            "127.0.0.1",
            "localhost",
            "127.0.0.1.evil.example:8484",
            "",
        ] {
            assert!(!d.host_allowed(bad), "{bad}");
        }
        assert!(Doors::new(8484, true, "s".into()).host_allowed("sandbox.lan:8484"));
    }

    #[test]
    fn own_origin_passes_foreign_does_not() {
        let d = Doors::new(8484, false, "s".into());
        assert!(d.origin_allowed("http://127.0.0.1:8484", "/_sandbox/purchase"));
        assert!(d.origin_allowed("http://localhost:8484", "/"));
        assert!(!d.origin_allowed("https://evil.example", "/"));
        assert!(!d.origin_allowed("https://127.0.0.1:8484", "/"));
        assert!(!d.origin_allowed("http://127.0.0.1:9999", "/"));
        assert!(!d.origin_allowed("null", "/_sandbox/purchase"));
        assert!(d.origin_allowed("null", "/_demo-saas/staging/marketplace/register"));
    }

    #[test]
    fn which_routes_need_the_secret() {
        assert!(Doors::needs_secret("/_sandbox/purchase"));
        assert!(Doors::needs_secret("/_sandbox/review"));
        assert!(Doors::needs_secret("/_sandbox/faults"));
        assert!(!Doors::needs_secret("/_sandbox/health"));
        assert!(!Doors::needs_secret("/_sandbox/landing/abc"));
        assert!(!Doors::needs_secret("/_demo-saas/staging/meter"));
        assert!(!Doors::needs_secret("/"));
    }
}
