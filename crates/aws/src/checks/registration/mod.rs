//! The registration page probes: what AWS's buyers' browsers do to the fulfillment URL, done
//! on purpose. Each probe posts its own fresh, made-up token, unless repeating one is the point.
//! A probe whose requirement could not be reached (HTTPS broken, the POST refused by CSRF
//! protection, a redirect loop) says "could not check" and points at the probe that failed,
//! rather than failing a requirement it never saw.

pub mod cookies;
pub mod csrf;
pub mod guard;
pub mod journey;

use super::CheckContext;
use crate::engine::{CheckDef, CheckFuture, CheckStatus, Outcome};
use journey::{Cut, End, Failure, Journey};
use la_core::checklist::Text;
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

/// A token shaped like AWS's (base64 of random bytes) that no Marketplace will resolve. Its
/// first 24 characters (what the cookie search looks for) hold a '+' and a '/', so the form
/// encoding changes them: a page that forgets to decode the field, or stores it URL-encoded,
/// shows, and every run of the probe sees the same kinds of characters.
pub fn fresh_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 96];
    loop {
        rand::rng().fill(&mut bytes[..]);
        let t = base64::engine::general_purpose::STANDARD.encode(bytes);
        if t[..24].contains('+') && t[..24].contains('/') {
            return t;
        }
    }
}

fn url_of(ctx: &CheckContext) -> Result<&str, AppError> {
    let u = ctx.settings.fulfillment_url.as_str();
    if u.is_empty() {
        return Err(AppError::invalid("the environment has no fulfillment URL"));
    }
    Ok(u)
}

/// Status error: the probe's own requirement was not reached.
fn could_not_check(summary: Text, en: &str, ja: &str) -> Outcome {
    let summary = Text::new(
        format!("could not check: {}", summary.en),
        format!("確認できませんでした: {}", summary.ja),
    );
    let mut o = Outcome::skipped(summary).advice(en, ja);
    o.status = CheckStatus::Error;
    o
}

const BLOCKED_EN: &str = "Point the fulfillment URL, and every redirect after it, at your public registration page: the probe never contacts link-local or cloud metadata addresses.";
const BLOCKED_JA: &str = "フルフィルメント URL とその後のすべてのリダイレクト先を公開の登録ページにしてください。プローブはリンクローカルやクラウドのメタデータのアドレスには接続しません。";

/// The outcome a probe gives when there is no journey at all.
fn no_journey(f: Failure) -> Outcome {
    match f {
        Failure::Https { url, defect } => could_not_check(
            la_core::text!("HTTPS failed at {url}: {defect} (see registration.https)", "{url} で HTTPS が失敗しました: {defect} (registration.https を参照)"),
            "Fix the HTTPS problem registration.https reports, then run the checks again.",
            "registration.https が報告する HTTPS の問題を修正してから、もう一度チェックを実行してください。",
        )
        .details(defect),
        Failure::Blocked(b) => Outcome::fail(
            la_core::text!("the fulfillment URL is refused: {b}", "フルフィルメント URL は拒否されました: {b}"),
            BLOCKED_EN,
            BLOCKED_JA,
        ),
        Failure::Unreachable { url, error } => unreachable(&url, &error),
    }
}

/// The page could not be reached at all: that is the requirement failing, said plainly.
fn unreachable(url: &str, e: &reqwest::Error) -> Outcome {
    let detail = crate::http_error_chain(e);
    let (summary, en, ja) = if e.is_timeout() {
        (
            la_core::text!(
                "{url} did not answer in time",
                "{url} は時間内に応答しませんでした"
            ),
            "Make the registration page answer quickly: buyers arrive straight from the purchase.",
            "登録ページがすばやく応答するようにしてください。購入者は購入直後にアクセスします。",
        )
    } else {
        (
            la_core::text!(
                "{url} could not be reached: {detail}",
                "{url} に到達できませんでした: {detail}"
            ),
            "Make the registration page reachable from the internet at the fulfillment URL.",
            "フルフィルメント URL の登録ページにインターネットから到達できるようにしてください。",
        )
    };
    Outcome::fail(summary, en, ja).details(detail)
}

async fn walk(ctx: &CheckContext, url: &str, token: &str) -> Result<Journey, Outcome> {
    journey::post_and_follow(ctx, url, token)
        .await
        .map_err(no_journey)
}

/// The CSRF refusal in a journey, with the hop that gave it.
fn csrf_refusal(j: &Journey) -> Option<(&journey::Hop, csrf::Refusal)> {
    j.hops
        .iter()
        .find_map(|h| csrf::refusal(h.status, &h.body).map(|r| (h, r)))
}

/// "Could not check" when the POST never reached the page's own code or page: refused by CSRF
/// protection, a redirect loop, a refused redirect. accepts_post reports those as failures.
fn not_reached(j: &Journey) -> Option<Outcome> {
    const EN: &str = "Fix what registration.accepts_post reports, then run the checks again.";
    const JA: &str = "registration.accepts_post が報告する問題を修正してから、もう一度チェックを実行してください。";
    if let Some((h, r)) = csrf_refusal(j) {
        return Some(could_not_check(
            la_core::text!(
                "the POST is refused by {} (HTTP {}) before the page's code sees the token (see registration.accepts_post)",
                "ページのコードがトークンを受け取る前に POST が {} に拒否されます (HTTP {}、registration.accepts_post を参照)",
                r.framework, h.status
            ),
            EN,
            JA,
        ));
    }
    match &j.end {
        End::Page => None,
        End::TooManyRedirects => Some(could_not_check(
            la_core::text!(
                "the buyer never reaches a page: still redirected after {} redirects (see registration.accepts_post)",
                "購入者がページに到達しません: {} 回リダイレクトしてもまだリダイレクトされます (registration.accepts_post を参照)",
                journey::MAX_REDIRECTS
            ),
            EN,
            JA,
        )),
        End::Blocked(b) => Some(could_not_check(
            la_core::text!("the redirect was not followed, {b} (see registration.accepts_post)", "リダイレクトをたどりませんでした: {b} (registration.accepts_post を参照)"),
            EN,
            JA,
        )),
    }
}

fn hop_evidence(o: Outcome, label: &str, url: &str, j: &Journey) -> Outcome {
    o.evidence(
        label,
        format!("POST {url}\ncontent-type: application/x-www-form-urlencoded\nx-amzn-marketplace-token=<fresh made-up token>"),
        journey::describe(j),
    )
}

fn https(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let url = url_of(ctx)?;
        let parsed =
            url::Url::parse(url).map_err(|_| AppError::invalid(format!("{url} is not a URL")))?;
        if parsed.scheme() != "https" {
            return Ok(Outcome::fail(
                la_core::text!("{url} is not served over HTTPS", "{url} は HTTPS で提供されていません"),
                "AWS requires an HTTPS registration page: serve it over TLS and update the fulfillment URL.",
                "AWS は HTTPS の登録ページを求めています。TLS で提供し、フルフィルメント URL を更新してください。",
            ));
        }
        // The buyer's own request (a POST, then its redirects): every hop must stay on TLS.
        let j = match journey::post_and_follow(ctx, url, &fresh_token()).await {
            Ok(j) => j,
            Err(Failure::Https { url: at, defect }) => {
                return Ok(Outcome::fail(
                    la_core::text!("HTTPS failed at {at}: {defect}", "{at} で HTTPS が失敗しました: {defect}"),
                    "Serve the page with a certificate from a public CA that is valid for the fulfillment URL's host name and not expired (for internal tests, add your CA to the environment's ca_bundle).",
                    "公的な CA が発行し、フルフィルメント URL のホスト名に有効で期限切れでない証明書でページを提供してください (社内テストでは環境の ca_bundle に CA を追加してください)。",
                )
                .details(defect))
            }
            Err(f) => return Ok(no_journey(f)),
        };
        let o = match &j.downgrade {
            Some((from, to)) => Outcome::fail(
                la_core::text!("the buyer is redirected from HTTPS to plain HTTP: {from} -> {to}", "購入者が HTTPS から平文の HTTP にリダイレクトされます: {from} -> {to}"),
                "Keep every redirect of the registration flow on https:// (cookies and the buyer's details would travel in clear text otherwise).",
                "登録フローのすべてのリダイレクトを https:// のままにしてください (そうしないと Cookie や購入者の情報が平文で送られます)。",
            ),
            None => Outcome::pass(la_core::text!(
                "{url} presents a trusted certificate and the journey stays on HTTPS (HTTP {})",
                "{url} は信頼できる証明書を提示し、遷移はすべて HTTPS のままです (HTTP {})",
                j.first_status()
            )),
        };
        Ok(hop_evidence(o, "POST, then every redirect", url, &j))
    })
}

fn accepts_post(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let url = url_of(ctx)?;
        let j = match walk(ctx, url, &fresh_token()).await {
            Ok(j) => j,
            Err(o) => return Ok(o),
        };
        let first = j.first_status();
        let o = if let Some((h, r)) = csrf_refusal(&j) {
            Outcome::fail(
                la_core::text!(
                    "the buyer's POST is refused by CSRF protection: HTTP {} from {} ({}, \"{}\")",
                    "購入者の POST が CSRF 保護に拒否されます: {1} から HTTP {0} ({2}、「{3}」)",
                    h.status,
                    h.url,
                    r.framework,
                    r.evidence
                ),
                csrf::ADVICE_EN,
                csrf::ADVICE_JA,
            )
        } else if matches!(first, 404 | 405 | 501) {
            Outcome::fail(
                la_core::text!("the page refuses the buyer's POST with HTTP {first}", "ページは購入者の POST を HTTP {first} で拒否します"),
                "AWS sends buyers with a form POST (application/x-www-form-urlencoded, field x-amzn-marketplace-token): accept POST on the fulfillment URL.",
                "AWS は購入者をフォーム POST (application/x-www-form-urlencoded、フィールド x-amzn-marketplace-token) で送ります。フルフィルメント URL で POST を受け付けてください。",
            )
        } else {
            match &j.end {
                End::TooManyRedirects => Outcome::fail(
                    la_core::text!("the buyer's POST is still being redirected after {} redirects (a redirect loop)", "購入者の POST は {} 回リダイレクトしてもまだリダイレクトされます (リダイレクトのループ)", journey::MAX_REDIRECTS),
                    "End the registration flow on a page within a few redirects; the evidence lists the chain.",
                    "登録フローが少ないリダイレクトでページに到達するようにしてください。リダイレクトの経路は証拠に記録されています。",
                ),
                End::Blocked(b) => Outcome::fail(
                    la_core::text!("the buyer's POST is redirected to a refused address: {b}", "購入者の POST が拒否対象のアドレスにリダイレクトされます: {b}"),
                    BLOCKED_EN,
                    BLOCKED_JA,
                ),
                End::Page if matches!(first, 401 | 403) => Outcome::warn(
                    la_core::text!("the page answers the buyer's POST with HTTP {first}", "ページは購入者の POST に HTTP {first} で応答します"),
                    "If this is CSRF protection or a login requirement, exempt the fulfillment URL: AWS's form carries neither a CSRF token nor your site's session cookie.",
                    "CSRF 保護やログイン要求による応答であれば、フルフィルメント URL を対象外にしてください。AWS のフォームには CSRF トークンも自社サイトのセッション Cookie も含まれません。",
                ),
                End::Page => Outcome::pass(la_core::text!("the page accepts the buyer's POST (HTTP {first})", "ページは購入者の POST を受け付けます (HTTP {first})")),
            }
        };
        Ok(hop_evidence(o, "POST with a token", url, &j))
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
    // Express's default error handler in development: the stack as HTML.
    "&nbsp;at ",
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
        let j = match walk(ctx, url, &fresh_token()).await {
            Ok(j) => j,
            Err(o) => return Ok(o),
        };
        let leak = j
            .hops
            .iter()
            .find_map(|h| STACK_MARKERS.iter().find(|m| h.body.contains(**m)));
        let o = if let Some(h) = j.hops.iter().find(|h| h.status >= 500) {
            Outcome::fail(
                la_core::text!("an invalid token gets HTTP {} from {}", "無効なトークンに {1} が HTTP {0} を返します", h.status, h.url),
                "Handle ResolveCustomer's InvalidTokenException/ExpiredTokenException: show the buyer a page explaining what to do, never a server error.",
                "ResolveCustomer の InvalidTokenException/ExpiredTokenException を処理し、サーバーエラーではなく対処方法を説明するページを表示してください。",
            )
        } else if let Some(o) = not_reached(&j) {
            o
        } else if let Some(m) = leak {
            Outcome::fail(
                la_core::text!("an invalid token shows exception text to the buyer (\"{m}\")", "無効なトークンで購入者に例外のテキストが表示されます (「{m}」)"),
                "Catch the error and show a friendly page; never render stack traces or exception names.",
                "エラーを捕捉して分かりやすいページを表示してください。スタックトレースや例外名を表示してはいけません。",
            )
        } else {
            Outcome::pass(la_core::text!(
                "an invalid token gets a graceful page (HTTP {})",
                "無効なトークンには適切な案内ページが返されます (HTTP {})",
                j.hops.last().map_or(0, |h| h.status)
            ))
        };
        Ok(hop_evidence(o, "POST with a made-up token", url, &j))
    })
}

fn token_not_in_cookie(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let url = url_of(ctx)?;
        let token = fresh_token();
        let j = match walk(ctx, url, &token).await {
            Ok(j) => j,
            Err(o) => return Ok(o),
        };
        let needles = cookies::Needles::for_token(&token);
        let found = j.hops.iter().find_map(|h| {
            h.set_cookies
                .iter()
                .find_map(|c| cookies::find_in_set_cookie(c, &needles))
                .map(|f| (h, f))
        });
        let o = match found {
            Some((h, f)) => Outcome::fail(
                la_core::text!("the registration token is stored in a cookie set by {}: {}", "登録トークンが {} の設定する Cookie に保存されています: {}", h.url, f.describe()),
                "Resolve the token on the server at once (ResolveCustomer) and keep only your own session id in cookies: signed or encoded cookies are readable by anyone who has them.",
                "トークンはサーバー側ですぐに解決し (ResolveCustomer)、Cookie には自社のセッション ID だけを保存してください。署名付きやエンコードされた Cookie も、持っている人なら誰でも読めます。",
            ),
            None => match not_reached(&j) {
                Some(o) => o,
                None => Outcome::pass(la_core::text!(
                    "no cookie carries the token in any encoding tried ({} response(s), {} Set-Cookie header(s) inspected)",
                    "試したどのエンコードでもトークンを含む Cookie はありません (応答 {} 件、Set-Cookie ヘッダー {} 件を確認)",
                    j.hops.len(),
                    j.hops.iter().map(|h| h.set_cookies.len()).sum::<usize>()
                )),
            },
        };
        Ok(hop_evidence(o, "POST, then every redirect", url, &j))
    })
}

fn repeat_post(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let url = url_of(ctx)?;
        let token = fresh_token();
        let first = match walk(ctx, url, &token).await {
            Ok(j) => j,
            Err(o) => return Ok(o),
        };
        if let Some(o) = not_reached(&first) {
            return Ok(hop_evidence(o, "first POST", url, &first));
        }
        let second = match walk(ctx, url, &token).await {
            Ok(j) => j,
            Err(o) => return Ok(o),
        };
        let o = match second.hops.iter().find(|h| h.status >= 500) {
            Some(h) => Outcome::fail(
                la_core::text!("posting the same token again gets HTTP {} from {}", "同じトークンを再度 POST すると {1} が HTTP {0} を返します", h.status, h.url),
                "Buyers reload and come back: make the registration page idempotent for a token it has already seen.",
                "購入者は再読み込みや再訪問をします。既に受け取ったトークンでも登録ページが正しく動くようにしてください。",
            ),
            None => not_reached(&second).unwrap_or_else(|| {
                Outcome::pass(la_core::text!(
                    "the same token posted twice is handled (HTTP {} then {})",
                    "同じトークンの 2 回の POST を処理できます (HTTP {}、次に {})",
                    first.first_status(),
                    second.first_status()
                ))
            }),
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
        const SLOW_EN: &str =
            "Answer the POST at once and do slow work (provisioning) after the buyer sees a page.";
        const SLOW_JA: &str = "POST にはすぐ応答し、時間のかかる処理 (プロビジョニング) はページ表示の後に行ってください。";
        let url = url_of(ctx)?;
        let limit = ctx.response_time_limit;
        let started = Instant::now();
        let j = match journey::post_and_follow(ctx, url, &fresh_token()).await {
            Ok(j) => j,
            Err(Failure::Unreachable { error, .. }) if error.is_timeout() => {
                return Ok(Outcome::fail(
                    la_core::text!(
                        "{url} did not answer within {} s",
                        "{url} は {} 秒以内に応答しませんでした",
                        limit.as_secs_f64()
                    ),
                    SLOW_EN,
                    SLOW_JA,
                ))
            }
            Err(f) => return Ok(no_journey(f)),
        };
        let took = started.elapsed();
        let o = if let Some(o) = not_reached(&j) {
            o
        } else if j.hops.iter().any(|h| h.cut == Some(Cut::Time)) {
            Outcome::fail(
                la_core::text!(
                    "the page was still sending its body after {} s (limit {} ms)",
                    "ページは {} 秒後もまだ本文を送信していました (上限 {} ms)",
                    journey::body_budget(limit).as_secs(),
                    limit.as_millis()
                ),
                "Send the whole page at once: a body that trickles or never ends keeps the buyer waiting.",
                "ページ全体をすぐに送信してください。少しずつ送られる本文や終わらない本文は購入者を待たせます。",
            )
        } else if took > limit {
            Outcome::fail(
                la_core::text!(
                    "the page took {} ms to answer (limit {} ms)",
                    "ページの応答に {} ms かかりました (上限 {} ms)",
                    took.as_millis(),
                    limit.as_millis()
                ),
                SLOW_EN,
                SLOW_JA,
            )
        } else if j.hops.iter().any(|h| h.cut == Some(Cut::Size)) {
            Outcome::warn(
                la_core::text!(
                    "the page answered in {} ms but its body is larger than {} bytes (the probe stopped reading there)",
                    "ページは {} ms で応答しましたが、本文が {} バイトを超えています (プローブはそこで読み込みを止めました)",
                    took.as_millis(),
                    journey::BODY_CAP
                ),
                "Keep the registration page small; a body that never ends keeps the buyer's browser loading.",
                "登録ページは小さく保ってください。終わらない本文では購入者のブラウザが読み込みを続けます。",
            )
        } else {
            Outcome::pass(la_core::text!(
                "the page answered in {} ms (limit {} ms)",
                "ページは {} ms で応答しました (上限 {} ms)",
                took.as_millis(),
                limit.as_millis()
            ))
        };
        Ok(hop_evidence(o, "timed POST", url, &j))
    })
}
