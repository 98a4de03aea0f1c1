//! The buyer's journey, bounded: the form POST AWS's page submits, then the redirects a browser
//! follows, with every hop's status, Set-Cookie headers and (capped) body recorded. Whatever the
//! page does — an endless or dripping body, a redirect loop, a redirect to the metadata service —
//! a journey ends within a known number of bytes, hops and seconds.

use super::guard::{self, Blocked};
use crate::checks::CheckContext;
use std::time::Duration;

/// The most body kept per response: enough for any registration page and its error texts; an
/// endless page stops here instead of filling memory.
pub const BODY_CAP: usize = 1024 * 1024;
/// Redirects followed after the POST (browsers give up near 20; a registration flow needs 2 or 3).
pub const MAX_REDIRECTS: usize = 10;

/// How long one response's body may take to arrive: twice the response-time limit (a page still
/// sending by then has already failed that probe), never under 2 s nor over 10 s.
pub fn body_budget(limit: Duration) -> Duration {
    (limit * 2).clamp(Duration::from_secs(2), Duration::from_secs(10))
}

/// Why a body was not read to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// More than [`BODY_CAP`] bytes.
    Size,
    /// Still arriving when [`body_budget`] ran out.
    Time,
}

/// One response of the journey.
pub struct Hop {
    pub url: String,
    pub status: u16,
    pub set_cookies: Vec<String>,
    pub body: String,
    pub cut: Option<Cut>,
}

/// How the journey ended.
pub enum End {
    /// A response that is not a redirect: the page the buyer sees.
    Page,
    /// Still redirecting after [`MAX_REDIRECTS`].
    TooManyRedirects,
    /// A redirect the probe refused to follow.
    Blocked(Blocked),
}

pub struct Journey {
    pub hops: Vec<Hop>,
    pub end: End,
    /// The first https → http redirect: (from, to).
    pub downgrade: Option<(String, String)>,
}

impl Journey {
    pub fn first_status(&self) -> u16 {
        self.hops.first().map_or(0, |h| h.status)
    }
    /// The page the buyer ends on, when the journey reached one.
    pub fn page(&self) -> Option<&Hop> {
        match self.end {
            End::Page => self.hops.last(),
            _ => None,
        }
    }
}

/// Why there is no journey at all.
pub enum Failure {
    /// TLS failed on some hop: the certificate (or the handshake) is the problem.
    Https { url: String, defect: String },
    /// The fulfillment URL itself is a refused destination.
    Blocked(Blocked),
    /// Anything else: connection refused, DNS, time-out…
    Unreachable { url: String, error: reqwest::Error },
}

/// A certificate or handshake problem, in words, when `e` is one.
pub fn tls_defect(e: &reqwest::Error) -> Option<String> {
    let chain = crate::http_error_chain(e);
    let defect = if chain.contains("UnknownIssuer") || chain.contains("unknown issuer") {
        "its certificate is not signed by an authority the probe trusts"
    } else if chain.contains("certificate expired") || chain.contains("Expired") {
        "its certificate has expired"
    } else if chain.contains("not valid for name") || chain.contains("NotValidForName") {
        "its certificate is not valid for this host name"
    } else if chain.contains("not valid yet") || chain.contains("NotValidYet") {
        "its certificate is not valid yet"
    } else if chain.contains("certificate")
        || chain.contains("Certificate")
        || chain.contains("tls")
        || chain.contains("TLS")
        || chain.contains("handshake")
    {
        "the TLS handshake failed"
    } else {
        return None;
    };
    Some(format!("{defect} ({chain})"))
}

/// The guard's refusal inside a request error (the client's resolver raised it).
fn blocked_in(e: &reqwest::Error) -> Option<Blocked> {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if let Some(b) = s.downcast_ref::<Blocked>() {
            return Some(b.clone());
        }
        src = s.source();
    }
    None
}

fn failure(url: &str, e: reqwest::Error) -> Failure {
    if let Some(b) = blocked_in(&e) {
        return Failure::Blocked(b);
    }
    match tls_defect(&e) {
        Some(defect) => Failure::Https {
            url: url.to_string(),
            defect,
        },
        None => Failure::Unreachable {
            url: url.to_string(),
            error: e,
        },
    }
}

/// Form-encodes as browsers do for application/x-www-form-urlencoded (the WHATWG serializer,
/// maintained in the `form_urlencoded` crate rather than by hand here).
pub fn form_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Reads a body up to [`BODY_CAP`] bytes and `budget` of time, whichever comes first.
async fn read_body(resp: &mut reqwest::Response, budget: Duration) -> (String, Option<Cut>) {
    let deadline = tokio::time::Instant::now() + budget;
    let mut buf: Vec<u8> = Vec::new();
    let cut = loop {
        match tokio::time::timeout_at(deadline, resp.chunk()).await {
            Err(_) => break Some(Cut::Time),
            Ok(Ok(Some(chunk))) => {
                let room = BODY_CAP - buf.len();
                if chunk.len() >= room {
                    buf.extend_from_slice(&chunk[..room]);
                    break Some(Cut::Size);
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(Ok(None)) => break None,
            // A body cut by the server mid-way: judge what arrived.
            Ok(Err(_)) => break None,
        }
    };
    (String::from_utf8_lossy(&buf).into_owned(), cut)
}

/// POSTs `token` as AWS's page does, then follows redirects as a browser (GET), within the
/// bounds above. The response is dropped after its body is read or cut, which closes the
/// connection of a page that was still sending.
pub async fn post_and_follow(
    ctx: &CheckContext,
    url: &str,
    token: &str,
) -> Result<Journey, Failure> {
    let parsed = url::Url::parse(url).map_err(|_| {
        Failure::Blocked(Blocked {
            url: url.to_string(),
            reason: "not a URL".into(),
        })
    })?;
    guard::check_url(&parsed).await.map_err(Failure::Blocked)?;
    let budget = body_budget(ctx.response_time_limit);
    let mut resp = ctx
        .http
        .post(parsed.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html,application/xhtml+xml")
        .body(format!("x-amzn-marketplace-token={}", form_encode(token)))
        .send()
        .await
        .map_err(|e| failure(url, e))?;
    let mut hops = Vec::new();
    let mut downgrade = None;
    loop {
        let status = resp.status().as_u16();
        let here = resp.url().clone();
        let set_cookies = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        let next = (300..400)
            .contains(&status)
            .then(|| resp.headers().get("location"))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|l| here.join(l).ok());
        // A redirect's body is never shown; a page's is what the buyer reads.
        let (body, cut) = if next.is_some() {
            (String::new(), None)
        } else {
            read_body(&mut resp, budget).await
        };
        drop(resp);
        hops.push(Hop {
            url: here.to_string(),
            status,
            set_cookies,
            body,
            cut,
        });
        let Some(next) = next else {
            return Ok(Journey {
                hops,
                end: End::Page,
                downgrade,
            });
        };
        if hops.len() > MAX_REDIRECTS {
            return Ok(Journey {
                hops,
                end: End::TooManyRedirects,
                downgrade,
            });
        }
        if here.scheme() == "https" && next.scheme() == "http" && downgrade.is_none() {
            downgrade = Some((here.to_string(), next.to_string()));
        }
        if let Err(b) = guard::check_url(&next).await {
            return Ok(Journey {
                hops,
                end: End::Blocked(b),
                downgrade,
            });
        }
        resp = match ctx.http.get(next.clone()).send().await {
            Ok(r) => r,
            Err(e) => match failure(next.as_str(), e) {
                Failure::Blocked(b) => {
                    return Ok(Journey {
                        hops,
                        end: End::Blocked(b),
                        downgrade,
                    })
                }
                f => return Err(f),
            },
        };
    }
}

/// The journey as evidence: each hop's status, URL and cookies (the redactor masks values that
/// look like secrets), and a note when a body was cut or the journey stopped early.
pub fn describe(j: &Journey) -> String {
    let mut lines: Vec<String> = j
        .hops
        .iter()
        .map(|h| {
            let mut line = format!("{} {}", h.status, h.url);
            if !h.set_cookies.is_empty() {
                line.push_str(&format!(" Set-Cookie: {}", h.set_cookies.join(" | ")));
            }
            match h.cut {
                Some(Cut::Size) => line.push_str(&format!(" (body cut at {} bytes)", BODY_CAP)),
                Some(Cut::Time) => {
                    line.push_str(" (body still arriving when the probe stopped reading)")
                }
                None => {}
            }
            line
        })
        .collect();
    match &j.end {
        End::Page => {}
        End::TooManyRedirects => lines.push(format!("(stopped after {MAX_REDIRECTS} redirects)")),
        End::Blocked(b) => lines.push(format!("(redirect {b})")),
    }
    if let Some((from, to)) = &j.downgrade {
        lines.push(format!("(downgrade: {from} -> {to})"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token's base64 characters are escaped as a browser's form post escapes them, and a
    /// server's form parser reads the token back unchanged.
    #[test]
    fn tokens_are_form_encoded_as_browsers_do() {
        assert_eq!(form_encode("a+b/c== é"), "a%2Bb%2Fc%3D%3D+%C3%A9");
        let token = crate::checks::registration::fresh_token();
        let body = format!("x-amzn-marketplace-token={}", form_encode(&token));
        let read: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(read, [("x-amzn-marketplace-token".to_string(), token)]);
    }

    #[test]
    fn the_body_budget_follows_the_limit_within_bounds() {
        assert_eq!(
            body_budget(Duration::from_millis(500)),
            Duration::from_secs(2)
        );
        assert_eq!(body_budget(Duration::from_secs(3)), Duration::from_secs(6));
        assert_eq!(
            body_budget(Duration::from_secs(60)),
            Duration::from_secs(10)
        );
    }
}
