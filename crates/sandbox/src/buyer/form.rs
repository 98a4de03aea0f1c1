//! The buyer's browser: AWS's auto-submitted form that posts the registration token to the
//! fulfillment URL, and the same POST made by the sandbox itself.

use super::Fulfillment;

/// POSTs the token to the fulfillment URL the way a browser submits AWS's redirect form.
pub async fn post_token(url: &str, token: &str) -> Fulfillment {
    let started = std::time::Instant::now();
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .user_agent("Mozilla/5.0 (Listing Assistant sandbox buyer)")
        .build();
    let result = match client {
        Ok(c) => {
            c.post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("x-amzn-marketplace-token={}", form_encode(token)))
                .send()
                .await
        }
        Err(e) => Err(e),
    };
    let elapsed_ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(r) => Fulfillment {
            url: url.to_string(),
            status: Some(r.status().as_u16()),
            final_url: Some(r.url().to_string()),
            error: None,
            elapsed_ms,
        },
        Err(e) => Fulfillment {
            url: url.to_string(),
            status: None,
            final_url: None,
            error: Some(e.to_string()),
            elapsed_ms,
        },
    }
}

/// application/x-www-form-urlencoded as a browser sends it (the WHATWG serializer).
fn form_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub(crate) fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The page AWS shows a buyer after purchase: a form that posts the token to the SaaS at once.
pub fn browser_form(url: &str, token: &str) -> String {
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Redirecting to the seller…</title></head>\n\
<body onload=\"document.forms[0].submit()\">\n<p>Setting up your account with the seller (Listing Assistant sandbox)…</p>\n\
<form method=\"POST\" action=\"{}\" enctype=\"application/x-www-form-urlencoded\">\n\
<input type=\"hidden\" name=\"x-amzn-marketplace-token\" value=\"{}\">\n<noscript><button type=\"submit\">Continue</button></noscript>\n</form>\n</body></html>\n",
        html_escape(url),
        html_escape(token)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_and_escaping() {
        assert_eq!(form_encode("a+b/c=="), "a%2Bb%2Fc%3D%3D");
        assert!(browser_form("https://x/?a=1&b=2", "t\"<").contains("https://x/?a=1&amp;b=2"));
    }
}
