//! The registration page probes: what AWS's buyers' browsers do to the fulfillment URL, done
//! on purpose. Each probe posts its own fresh, made-up token, unless repeating one is the point.

use super::CheckContext;
use crate::engine::{CheckDef, CheckFuture, Outcome};
use la_core::AppError;
use rand::Rng;
use std::time::Instant;

pub static CHECKS: [CheckDef<CheckContext>; 6] = [
    CheckDef {
        id: "registration.https",
        actions: &[],
        needs_aws: false,
        run: https,
    },
    CheckDef {
        id: "registration.accepts_post",
        actions: &[],
        needs_aws: false,
        run: accepts_post,
    },
    CheckDef {
        id: "registration.invalid_token_graceful",
        actions: &[],
        needs_aws: false,
        run: invalid_token_graceful,
    },
    CheckDef {
        id: "registration.token_not_in_cookie",
        actions: &[],
        needs_aws: false,
        run: token_not_in_cookie,
    },
    CheckDef {
        id: "registration.repeat_post",
        actions: &[],
        needs_aws: false,
        run: repeat_post,
    },
    CheckDef {
        id: "registration.response_time",
        actions: &[],
        needs_aws: false,
        run: response_time,
    },
];

/// A token shaped like AWS's (base64 of random bytes) that no Marketplace will resolve.
pub fn fresh_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 96];
    rand::rng().fill(&mut bytes[..]);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn url_of(ctx: &CheckContext) -> Result<&str, AppError> {
    let u = ctx.settings.fulfillment_url.as_str();
    if u.is_empty() {
        return Err(AppError::invalid("the environment has no fulfillment URL"));
    }
    Ok(u)
}

/// One hop of the browser's journey.
struct Hop {
    url: String,
    status: u16,
    set_cookies: Vec<String>,
    body: String,
}

/// POSTs the token as AWS's redirect page does, then follows redirects as a browser would (GET),
/// recording every hop's status and Set-Cookie headers.
async fn post_and_follow(
    ctx: &CheckContext,
    url: &str,
    token: &str,
) -> Result<Vec<Hop>, reqwest::Error> {
    let mut hops = Vec::new();
    let mut resp = ctx
        .http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html,application/xhtml+xml")
        .body(format!("x-amzn-marketplace-token={}", form_encode(token)))
        .send()
        .await?;
    for _ in 0..10 {
        let status = resp.status().as_u16();
        let here = resp.url().to_string();
        let set_cookies = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .and_then(|l| resp.url().join(l).ok());
        let body = if (300..400).contains(&status) {
            String::new()
        } else {
            resp.text().await.unwrap_or_default()
        };
        hops.push(Hop {
            url: here,
            status,
            set_cookies,
            body,
        });
        match location {
            Some(next) if (300..400).contains(&status) => {
                resp = ctx.http.get(next).send().await?;
            }
            _ => break,
        }
    }
    Ok(hops)
}

/// The page could not be reached at all: that is the requirement failing, said plainly.
fn unreachable(url: &str, e: &reqwest::Error) -> Outcome {
    let detail = crate::http_error_chain(e);
    let (summary, en, ja) = if detail.contains("certificate")
        || detail.contains("Certificate")
        || detail.contains("tls")
        || detail.contains("TLS")
    {
        (
            format!("the certificate of {url} is not trusted: {detail}"),
            "Serve the page with a certificate from a public CA (or add your CA to the environment's ca_bundle for internal tests).",
            "公的な CA の証明書でページを提供してください (社内テストでは環境の ca_bundle に CA を追加してください)。",
        )
    } else if e.is_timeout() {
        (
            format!("{url} did not answer in time"),
            "Make the registration page answer quickly: buyers arrive straight from the purchase.",
            "登録ページがすばやく応答するようにしてください。購入者は購入直後にアクセスします。",
        )
    } else {
        (
            format!("{url} could not be reached: {detail}"),
            "Make the registration page reachable from the internet at the fulfillment URL.",
            "フルフィルメント URL の登録ページにインターネットから到達できるようにしてください。",
        )
    };
    Outcome::fail(summary, en, ja).details(detail)
}

fn hop_evidence(mut o: Outcome, label: &str, url: &str, hops: &[Hop]) -> Outcome {
    let resp = hops
        .iter()
        .map(|h| {
            let cookies = if h.set_cookies.is_empty() {
                String::new()
            } else {
                format!(" Set-Cookie: {}", h.set_cookies.join(" | "))
            };
            format!("{} {}{}", h.status, h.url, cookies)
        })
        .collect::<Vec<_>>()
        .join("\n");
    o = o.evidence(label, format!("POST {url}\ncontent-type: application/x-www-form-urlencoded\nx-amzn-marketplace-token=<fresh made-up token>"), resp);
    o
}

fn https(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let url = url_of(ctx)?;
        let parsed =
            url::Url::parse(url).map_err(|_| AppError::invalid(format!("{url} is not a URL")))?;
        if parsed.scheme() != "https" {
            return Ok(Outcome::fail(
                format!("{url} is not served over HTTPS"),
                "AWS requires an HTTPS registration page: serve it over TLS and update the fulfillment URL.",
                "AWS は HTTPS の登録ページを求めています。TLS で提供し、フルフィルメント URL を更新してください。",
            ));
        }
        match ctx.http.get(url).send().await {
            Ok(r) => Ok(Outcome::pass(format!(
                "{url} presents a trusted certificate (HTTP {})",
                r.status().as_u16()
            ))
            .evidence(
                "GET",
                format!("GET {url}"),
                format!("{} over TLS", r.status().as_u16()),
            )),
            Err(e) => Ok(unreachable(url, &e)),
        }
    })
}

fn accepts_post(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let url = url_of(ctx)?;
        let hops = match post_and_follow(ctx, url, &fresh_token()).await {
            Ok(h) => h,
            Err(e) => return Ok(unreachable(url, &e)),
        };
        let first = hops[0].status;
        let o = if matches!(first, 404 | 405 | 501) {
            Outcome::fail(
                format!("the page refuses the buyer's POST with HTTP {first}"),
                "AWS sends buyers with a form POST (application/x-www-form-urlencoded, field x-amzn-marketplace-token): accept POST on the fulfillment URL.",
                "AWS は購入者をフォーム POST (application/x-www-form-urlencoded、フィールド x-amzn-marketplace-token) で送ります。フルフィルメント URL で POST を受け付けてください。",
            )
        } else {
            Outcome::pass(format!("the page accepts the buyer's POST (HTTP {first})"))
        };
        Ok(hop_evidence(o, "POST with a token", url, &hops))
    })
}

/// Text that betrays an unhandled exception on a page.
const STACK_MARKERS: &[&str] = &[
    "Traceback (most recent call last)",
    "Exception in thread",
    "Unhandled exception",
    "Stack trace",
    "stack trace",
    "NullPointerException",
    "at java.",
    "at org.springframework",
    "at System.",
    "at Object.<anonymous>",
    "    at ",
    "undefined method",
    ".rb:",
    ".py\", line",
    "panicked at",
    "Fatal error:",
    "InvalidTokenException",
    "botocore.exceptions",
    "Whoops, looks like something went wrong",
];

fn invalid_token_graceful(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let url = url_of(ctx)?;
        let hops = match post_and_follow(ctx, url, &fresh_token()).await {
            Ok(h) => h,
            Err(e) => return Ok(unreachable(url, &e)),
        };
        let last = hops
            .last()
            .map(|h| (h.status, h.body.as_str()))
            .unwrap_or((0, ""));
        let leak = hops
            .iter()
            .find_map(|h| STACK_MARKERS.iter().find(|m| h.body.contains(**m)));
        let o = if let Some(h) = hops.iter().find(|h| h.status >= 500) {
            Outcome::fail(
                format!("an invalid token gets HTTP {} from {}", h.status, h.url),
                "Handle ResolveCustomer's InvalidTokenException/ExpiredTokenException: show the buyer a page explaining what to do, never a server error.",
                "ResolveCustomer の InvalidTokenException/ExpiredTokenException を処理し、サーバーエラーではなく対処方法を説明するページを表示してください。",
            )
        } else if let Some(m) = leak {
            Outcome::fail(
                format!("an invalid token shows exception text to the buyer (\"{m}\")"),
                "Catch the error and show a friendly page; never render stack traces or exception names.",
                "エラーを捕捉して分かりやすいページを表示してください。スタックトレースや例外名を表示してはいけません。",
            )
        } else {
            Outcome::pass(format!(
                "an invalid token gets a graceful page (HTTP {})",
                last.0
            ))
        };
        Ok(hop_evidence(o, "POST with a made-up token", url, &hops))
    })
}

fn token_not_in_cookie(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let url = url_of(ctx)?;
        let token = fresh_token();
        let hops = match post_and_follow(ctx, url, &token).await {
            Ok(h) => h,
            Err(e) => return Ok(unreachable(url, &e)),
        };
        let encoded = form_encode(&token);
        // A prefix is enough to spot it, and survives cookies that truncate or re-encode.
        let needles = [&token[..24], &encoded[..24]];
        let found = hops.iter().find(|h| {
            h.set_cookies
                .iter()
                .any(|c| needles.iter().any(|n| c.contains(n)))
        });
        let o = match found {
            Some(h) => Outcome::fail(
                format!("the registration token is stored in a cookie set by {}", h.url),
                "Resolve the token on the server at once (ResolveCustomer) and keep only your own session id in cookies.",
                "トークンはサーバー側ですぐに解決し (ResolveCustomer)、Cookie には自社のセッション ID だけを保存してください。",
            ),
            None => Outcome::pass(format!(
                "no cookie carries the token ({} response(s), {} Set-Cookie header(s) inspected)",
                hops.len(),
                hops.iter().map(|h| h.set_cookies.len()).sum::<usize>()
            )),
        };
        Ok(hop_evidence(o, "POST, then every redirect", url, &hops))
    })
}

fn repeat_post(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let url = url_of(ctx)?;
        let token = fresh_token();
        let first = match post_and_follow(ctx, url, &token).await {
            Ok(h) => h,
            Err(e) => return Ok(unreachable(url, &e)),
        };
        let second = match post_and_follow(ctx, url, &token).await {
            Ok(h) => h,
            Err(e) => return Ok(unreachable(url, &e)),
        };
        let o = match second.iter().find(|h| h.status >= 500) {
            Some(h) => Outcome::fail(
                format!("posting the same token again gets HTTP {} from {}", h.status, h.url),
                "Buyers reload and come back: make the registration page idempotent for a token it has already seen.",
                "購入者は再読み込みや再訪問をします。既に受け取ったトークンでも登録ページが正しく動くようにしてください。",
            ),
            None => Outcome::pass(format!(
                "the same token posted twice is handled (HTTP {} then {})",
                first[0].status, second[0].status
            )),
        };
        Ok(hop_evidence(
            hop_evidence(o, "first POST", url, &first),
            "second POST, same token",
            url,
            &second,
        ))
    })
}

fn response_time(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let url = url_of(ctx)?;
        let started = Instant::now();
        let hops = match post_and_follow(ctx, url, &fresh_token()).await {
            Ok(h) => h,
            Err(e) if e.is_timeout() => {
                return Ok(Outcome::fail(
                    format!("{url} did not answer within {} s", ctx.response_time_limit.as_secs_f64()),
                    "Answer the POST at once and do slow work (provisioning) after the buyer sees a page.",
                    "POST にはすぐ応答し、時間のかかる処理 (プロビジョニング) はページ表示の後に行ってください。",
                ))
            }
            Err(e) => return Ok(unreachable(url, &e)),
        };
        let took = started.elapsed();
        let limit = ctx.response_time_limit;
        let o = if took > limit {
            Outcome::fail(
                format!("the page took {} ms to answer (limit {} ms)", took.as_millis(), limit.as_millis()),
                "Answer the POST at once and do slow work (provisioning) after the buyer sees a page.",
                "POST にはすぐ応答し、時間のかかる処理 (プロビジョニング) はページ表示の後に行ってください。",
            )
        } else {
            Outcome::pass(format!(
                "the page answered in {} ms (limit {} ms)",
                took.as_millis(),
                limit.as_millis()
            ))
        };
        Ok(hop_evidence(o, "timed POST", url, &hops))
    })
}
