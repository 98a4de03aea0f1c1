//! Is the answer to the buyer's POST a cross-site request forgery refusal? AWS's page submits
//! a plain form from aws.amazon.com carrying only `x-amzn-marketplace-token`: no CSRF token, no
//! session cookie of the seller's site. A fulfillment URL behind CSRF protection therefore
//! refuses every buyer, whatever the token.
//!
//! The texts are the frameworks' own refusals, read in their source:
//! - Django: CsrfViewMiddleware rejects through `django/views/csrf.py`, a 403 page reading
//!   "CSRF verification failed. Request aborted." (DEBUG on or off);
//! - Flask-WTF: `flask_wtf/csrf.py` raises CSRFError, a 400, with "The CSRF token is missing."
//!   (or "... has expired.", "The CSRF session token is missing.", "The CSRF tokens do not
//!   match.", "The referrer header is missing.");
//! - Rails: `actionpack/lib/action_controller/metal/request_forgery_protection.rb` raises
//!   `ActionController::InvalidAuthenticityToken` (and logs "Can't verify CSRF token
//!   authenticity."); ActionDispatch::ExceptionWrapper maps it to `:unprocessable_entity` (422);
//!   production serves railties' `public/422.html`, "The change you wanted was rejected.";
//!   development's exception page names the exception;
//! - Laravel: `Illuminate/Foundation/Http/Middleware/VerifyCsrfToken.php` throws
//!   TokenMismatchException("CSRF token mismatch."); `Foundation/Exceptions/Handler.php`
//!   (prepareException) turns it into HttpException(419); `views/419.blade.php` renders title and
//!   message "Page Expired"; a JSON request gets {"message": "CSRF token mismatch."};
//! - Express: csurf and csrf-csrf raise a 403 "invalid csrf token" (code EBADCSRFTOKEN); with
//!   NODE_ENV=production Express's default handler shows only "Forbidden" (a bare 403, which
//!   accepts_post warns about). Spring Security answers 403 "Invalid CSRF Token"; ASP.NET Core's
//!   antiforgery a 400.
//!
//! Rails and Laravel cannot be installed here reliably: their texts are tested below as their
//! sources write them; Django, Flask-WTF and Express refuse for real in
//! tests/registration_frameworks.rs.

/// A recognised refusal: which protection, and the words that gave it away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub framework: &'static str,
    pub evidence: &'static str,
}

/// (status codes, lower-case text, framework). Checked in order; the first match wins.
const RULES: &[(&[u16], &str, &str)] = &[
    (
        &[403],
        "csrf verification failed",
        "Django (CsrfViewMiddleware)",
    ),
    (
        &[400],
        "the csrf token is missing",
        "Flask-WTF (CSRFProtect)",
    ),
    (
        &[400],
        "the csrf session token is missing",
        "Flask-WTF (CSRFProtect)",
    ),
    (
        &[400],
        "the csrf token has expired",
        "Flask-WTF (CSRFProtect)",
    ),
    (
        &[400],
        "the csrf tokens do not match",
        "Flask-WTF (CSRFProtect)",
    ),
    (
        &[400],
        "the csrf token is invalid",
        "Flask-WTF (CSRFProtect)",
    ),
    (
        &[422],
        "invalidauthenticitytoken",
        "Rails (protect_from_forgery)",
    ),
    (
        &[422],
        "verify csrf token authenticity",
        "Rails (protect_from_forgery)",
    ),
    (
        &[422],
        "the change you wanted was rejected",
        "Rails (protect_from_forgery)",
    ),
    (&[419], "csrf token mismatch", "Laravel (VerifyCsrfToken)"),
    (&[419], "page expired", "Laravel (VerifyCsrfToken)"),
    (
        &[403],
        "invalid csrf token",
        "Express (csurf / csrf-csrf) or Spring Security",
    ),
    (&[403], "ebadcsrftoken", "Express (csurf / csrf-csrf)"),
    (&[400], "antiforgery", "ASP.NET Core (antiforgery)"),
    (
        &[400, 403, 422],
        "csrf",
        "cross-site request forgery protection",
    ),
    (
        &[400, 403, 422],
        "xsrf",
        "cross-site request forgery protection",
    ),
];

/// The refusal in a response, if it is one. 419 is Laravel's own code (no standard meaning),
/// so it counts even when a custom page hides the words.
pub fn refusal(status: u16, body: &str) -> Option<Refusal> {
    let lower = body.to_ascii_lowercase();
    for (codes, text, framework) in RULES {
        if codes.contains(&status) && lower.contains(text) {
            return Some(Refusal {
                framework,
                evidence: text,
            });
        }
    }
    (status == 419).then_some(Refusal {
        framework: "Laravel (VerifyCsrfToken)",
        evidence: "HTTP 419",
    })
}

pub const ADVICE_EN: &str = "AWS's page submits the buyer with a plain form that carries no CSRF token, so CSRF protection refuses every buyer. Exempt the fulfillment URL from it (Django: @csrf_exempt; Flask-WTF: @csrf.exempt; Rails: skip_forgery_protection only: :create; Laravel: list the path in the CSRF middleware's exceptions; Express: mount the CSRF middleware after this route) and trust the token only after ResolveCustomer accepts it.";
pub const ADVICE_JA: &str = "AWS のページは CSRF トークンを含まない通常のフォームで購入者を送信するため、CSRF 保護はすべての購入者を拒否します。フルフィルメント URL を CSRF 保護の対象外にしてください (Django: @csrf_exempt、Flask-WTF: @csrf.exempt、Rails: skip_forgery_protection only: :create、Laravel: CSRF ミドルウェアの除外に URL を追加、Express: CSRF ミドルウェアをこのルートの後に登録)。トークンは ResolveCustomer が受け付けた後にのみ信頼してください。";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rails_refusals_in_production_and_development() {
        // railties' public/422.html, served for InvalidAuthenticityToken in production.
        let prod = "<!DOCTYPE html>\n<html>\n<head>\n  <title>The change you wanted was rejected (422)</title>\n</head>\n<body>\n  <div class=\"dialog\">\n    <h1>The change you wanted was rejected.</h1>\n    <p>Maybe you tried to change something you didn't have access to.</p>\n  </div>\n</body>\n</html>";
        let r = refusal(422, prod).expect("rails prod");
        assert!(r.framework.starts_with("Rails"), "{r:?}");
        // The development exception page names the exception (apostrophe HTML-escaped).
        let dev = "<h1>ActionController::InvalidAuthenticityToken in RegistrationsController#create</h1><pre>Can&#39;t verify CSRF token authenticity.</pre>";
        assert!(refusal(422, dev)
            .expect("rails dev")
            .framework
            .starts_with("Rails"));
        // A 422 of a validation error is not a CSRF refusal.
        assert_eq!(refusal(422, "<p>Email has already been taken</p>"), None);
    }

    #[test]
    fn laravel_refusals_html_json_and_custom_pages() {
        // errors::minimal with 419.blade.php: title "Page Expired", code 419, message "Page Expired".
        let html = "<title>Page Expired</title> ... <div class=\"px-4 text-lg\">419</div><div class=\"ml-4 text-lg uppercase\">Page Expired</div>";
        assert_eq!(refusal(419, html).expect("html").evidence, "page expired");
        let json = "{\"message\": \"CSRF token mismatch.\"}";
        assert_eq!(
            refusal(419, json).expect("json").evidence,
            "csrf token mismatch"
        );
        // A seller's own 419 view without the words: the status alone is Laravel's.
        assert_eq!(
            refusal(419, "<h1>Session expirée</h1>")
                .expect("419")
                .evidence,
            "HTTP 419"
        );
    }

    #[test]
    fn express_spring_and_flask_texts() {
        let express = "ForbiddenError: invalid csrf token\n    at doubleCsrfProtection (node_modules/csrf-csrf/dist/index.cjs:1:2)";
        assert!(refusal(403, express)
            .expect("express")
            .framework
            .contains("Express"));
        assert!(refusal(
            403,
            "<p>Invalid CSRF Token 'null' was found on the request parameter '_csrf'</p>"
        )
        .is_some());
        let flask = "<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n<p>The CSRF token is missing.</p>\n";
        assert!(refusal(400, flask)
            .expect("flask")
            .framework
            .starts_with("Flask-WTF"));
    }

    #[test]
    fn ordinary_answers_are_not_refusals() {
        assert_eq!(
            refusal(200, "CSRF verification failed"),
            None,
            "a 200 is an answer"
        );
        assert_eq!(
            refusal(403, "<h1>Forbidden</h1>"),
            None,
            "a bare 403 says nothing of CSRF"
        );
        assert_eq!(refusal(400, "Your subscription link has expired."), None);
        assert_eq!(refusal(500, "Page Expired"), None);
    }
}
