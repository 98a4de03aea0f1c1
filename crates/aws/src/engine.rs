//! The check engine: runs a chosen set of checks concurrently with a bound, each under its own
//! timeout, retrying with backoff when AWS throttles, cancellable, reporting progress as it goes.
//! A missing IAM permission becomes "cannot check: needs `service:Action`" (status error), never a
//! failed requirement.

use la_core::checklist::Text;
use la_core::{AppError, ErrorCode};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use la_core::model::{CheckResult, CheckStatus, EvidenceItem};

/// What a check function returns before the engine stamps id and duration on it. Summary and
/// details are in both languages (build them with `la_core::text!`); ids, numbers and AWS names
/// read the same in both.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: CheckStatus,
    pub summary: Text,
    pub details: Text,
    pub advice: Text,
    pub evidence: Vec<EvidenceItem>,
}

impl Outcome {
    fn new(status: CheckStatus, summary: Text) -> Self {
        Self {
            status,
            summary,
            details: Text::same(""),
            advice: Text::same(""),
            evidence: Vec::new(),
        }
    }
    pub fn pass(summary: Text) -> Self {
        Self::new(CheckStatus::Pass, summary)
    }
    pub fn fail(summary: Text, en: impl Into<String>, ja: impl Into<String>) -> Self {
        Self::new(CheckStatus::Fail, summary).advice(en, ja)
    }
    pub fn warn(summary: Text, en: impl Into<String>, ja: impl Into<String>) -> Self {
        Self::new(CheckStatus::Warn, summary).advice(en, ja)
    }
    pub fn skipped(summary: Text) -> Self {
        Self::new(CheckStatus::Skipped, summary)
    }
    pub fn advice(mut self, en: impl Into<String>, ja: impl Into<String>) -> Self {
        self.advice = Text::new(en, ja);
        self
    }
    /// Details are mostly what AWS answered (ARNs, messages), quoted as received: a plain
    /// string reads the same in both languages.
    pub fn details(mut self, d: impl Into<Details>) -> Self {
        self.details = d.into().0;
        self
    }
    pub fn evidence(
        mut self,
        label: impl Into<String>,
        request: impl Into<String>,
        response: impl Into<String>,
    ) -> Self {
        self.evidence.push(EvidenceItem {
            label: label.into(),
            request: crate::redact::redact(&request.into()),
            response: crate::redact::redact(&response.into()),
        });
        self
    }
}

/// A check's details: a bilingual text, or a string quoted as received.
pub struct Details(pub Text);

impl From<Text> for Details {
    fn from(t: Text) -> Self {
        Self(t)
    }
}
impl From<String> for Details {
    fn from(s: String) -> Self {
        Self(Text::same(s))
    }
}
impl From<&str> for Details {
    fn from(s: &str) -> Self {
        Self(Text::same(s))
    }
}

/// An error a check could not get past: a missing permission, no credentials, the endpoint
/// unreachable… The engine turns it into status `error` with a specific summary.
pub type CheckError = AppError;

pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = Result<Outcome, CheckError>> + Send + 'a>>;

/// A check: its id (part of the product), the IAM actions it calls (for the least-privilege
/// policy and for "cannot check" messages), and its code.
pub struct CheckDef<C> {
    pub id: &'static str,
    pub actions: &'static [&'static str],
    pub needs_aws: bool,
    pub run: for<'a> fn(&'a C) -> CheckFuture<'a>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Progress {
    Started { id: String },
    Finished { result: CheckResult },
}

#[derive(Debug, Clone)]
pub struct EngineOptions {
    pub concurrency: usize,
    pub timeout: Duration,
    /// Extra attempts after a throttled call (the SDK's own retries come first).
    pub throttle_retries: u32,
    pub backoff: Duration,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            concurrency: 8,
            timeout: Duration::from_secs(30),
            throttle_retries: 2,
            backoff: Duration::from_millis(500),
        }
    }
}

fn error_outcome(e: &CheckError) -> Outcome {
    let (summary, en, ja) = match e.code {
        ErrorCode::AccessDenied => (
            {
                let action = missing_action(&e.message);
                Text::new(
                    format!("cannot check: needs `{}`", action.unwrap_or("a permission")),
                    format!("確認できません: `{}` の権限が必要です", action.unwrap_or("ある権限")),
                )
            },
            "Grant the action to the role or user the app uses (see the IAM policy in the README), then run the check again.",
            "アプリが使うロールまたはユーザーにこのアクションを許可し (README の IAM ポリシー参照)、もう一度チェックを実行してください。",
        ),
        ErrorCode::Credentials => (
            la_core::text!("cannot check: credentials: {}", "確認できません: 認証情報: {}", e.message),
            "Renew the credentials (for SSO profiles: `aws sso login --profile NAME`) or fix the environment's credential settings.",
            "認証情報を更新するか (SSO プロファイルは `aws sso login --profile 名前`)、環境の認証情報の設定を修正してください。",
        ),
        ErrorCode::Throttled => (
            la_core::text!("cannot check: throttled by AWS: {}", "確認できません: AWS に呼び出しを制限されました: {}", e.message),
            "AWS is throttling the account; run the check again in a minute.",
            "AWS がアカウントの呼び出しを制限しています。1 分ほど待ってから再実行してください。",
        ),
        ErrorCode::Unreachable => (
            la_core::text!("cannot check: {}", "確認できません: {}", e.message),
            "Check the network, the endpoint URL and any proxy, then run the check again.",
            "ネットワーク、エンドポイント URL、プロキシを確認してから再実行してください。",
        ),
        _ => (
            la_core::text!("cannot check: {}", "確認できません: {}", e.message),
            "See the details, fix the cause and run the check again.",
            "詳細を確認して原因を修正し、再実行してください。",
        ),
    };
    Outcome::new(CheckStatus::Error, summary)
        .advice(en, ja)
        .details(e.message.clone())
}

/// Pulls `service:Action` out of an AccessDenied message ("… not authorized to perform: X …").
pub fn missing_action(message: &str) -> Option<&str> {
    let rest = message.split("perform: ").nth(1)?;
    let action = rest.split_whitespace().next()?;
    Some(action.trim_end_matches([',', '.']))
}

/// One check's run as the engine drives it, boxed with its lifetime spelled out. A stream stage
/// holding a closure over borrowed references makes the compiler ask for `Send` "for every
/// lifetime" (rust-lang/rust#102211), which no borrow satisfies: the run's future was not
/// `Send`, so each run needed a thread and runtime of its own instead of the app's.
type OneRun<'a> = Pin<Box<dyn Future<Output = CheckResult> + Send + 'a>>;

/// Runs the checks, at most `concurrency` at once, calling `progress` as each starts and ends.
/// Cancelling `cancel` stops what has not started and abandons what is running. The future is
/// `Send` (a test below keeps it so): callers await it on their own runtime.
pub async fn run<'a, C: Sync>(
    ctx: &'a C,
    checks: &'a [&'a CheckDef<C>],
    opts: &'a EngineOptions,
    progress: &'a (dyn Fn(Progress) + Sync),
    cancel: &'a tokio_util::sync::CancellationToken,
) -> Vec<CheckResult> {
    use futures_util::stream::{self, StreamExt};
    // Made up front, outside the stream: a `.map(closure)` stage kept in the stream is what made
    // the run not `Send` (see `OneRun`). A future does nothing until `buffered` polls it, so a
    // check still starts only when a slot is free.
    let runs: Vec<OneRun<'a>> = checks
        .iter()
        .map(|def| one(ctx, def, opts, progress, cancel))
        .collect();
    stream::iter(runs)
        .buffered(opts.concurrency.max(1))
        .collect::<Vec<_>>()
        .await
}

fn one<'a, C: Sync>(
    ctx: &'a C,
    def: &'a CheckDef<C>,
    opts: &'a EngineOptions,
    progress: &'a (dyn Fn(Progress) + Sync),
    cancel: &'a tokio_util::sync::CancellationToken,
) -> OneRun<'a> {
    Box::pin(async move {
        if cancel.is_cancelled() {
            return stamp(
                def.id,
                Outcome::skipped(Text::new(
                    "cancelled before it started",
                    "開始前に取り消されました",
                )),
                Duration::ZERO,
            );
        }
        progress(Progress::Started {
            id: def.id.to_string(),
        });
        let started = Instant::now();
        let outcome = tokio::select! {
            _ = cancel.cancelled() => Outcome::skipped(Text::new("cancelled", "取り消されました")),
            o = run_one(ctx, def, opts) => o,
        };
        let result = stamp(def.id, outcome, started.elapsed());
        progress(Progress::Finished {
            result: result.clone(),
        });
        result
    })
}

async fn run_one<C: Sync>(ctx: &C, def: &CheckDef<C>, opts: &EngineOptions) -> Outcome {
    let mut attempt = 0;
    loop {
        let r = tokio::time::timeout(opts.timeout, (def.run)(ctx)).await;
        match r {
            Err(_) => {
                return Outcome::new(CheckStatus::Error, la_core::text!("cannot check: timed out after {} s", "確認できません: {} 秒でタイムアウトしました", opts.timeout.as_secs()))
                    .advice(
                        "The endpoint did not answer in time; check the network and run the check again.",
                        "エンドポイントが時間内に応答しませんでした。ネットワークを確認して再実行してください。",
                    )
            }
            Ok(Ok(o)) => return o,
            Ok(Err(e)) if e.code == ErrorCode::Throttled && attempt < opts.throttle_retries => {
                attempt += 1;
                tokio::time::sleep(opts.backoff * 2u32.pow(attempt - 1)).await;
            }
            Ok(Err(e)) => return error_outcome(&e),
        }
    }
}

/// The one line each AWS check shows when the environment's credential chain found nothing;
/// the run says once, before, what to do (`crate::run::NO_CREDENTIALS`).
pub const NO_CREDENTIALS_SUMMARY: &str = "could not check: no credentials";
/// Its Japanese.
pub const NO_CREDENTIALS_SUMMARY_JA: &str = "確認できません: 認証情報がありません";

/// The result of an AWS check not run because no credentials were found (status error).
pub fn no_credentials(id: &str) -> CheckResult {
    let o = Outcome::new(
        CheckStatus::Error,
        la_core::checklist::Text::new(NO_CREDENTIALS_SUMMARY, NO_CREDENTIALS_SUMMARY_JA),
    )
    .advice(
        crate::run::NO_CREDENTIALS_ADVICE_EN,
        crate::run::NO_CREDENTIALS_ADVICE_JA,
    );
    stamp(id, o, Duration::ZERO)
}

fn stamp(id: &str, o: Outcome, took: Duration) -> CheckResult {
    CheckResult {
        id: id.to_string(),
        status: o.status,
        // Summaries and details quote what AWS answered (ARNs, error messages), which can carry
        // an access key ID (the sandbox's user names do): mask as evidence is masked.
        summary: o.summary.map(crate::redact::redact),
        details: o.details.map(crate::redact::redact),
        advice: o.advice,
        duration_ms: u32::try_from(took.as_millis()).unwrap_or(u32::MAX),
        evidence: o.evidence,
    }
}

/// Shared handle so callers can hand the engine an `Arc` context.
pub type Shared<C> = Arc<C>;

#[cfg(test)]
mod tests {
    use super::*;

    /// A run's future is `Send`, so the app awaits it on its own multi-threaded runtime instead
    /// of a thread and runtime per run. Compiling is the test.
    #[allow(dead_code)]
    fn a_run_is_send(
        checks: &[&CheckDef<u8>],
        progress: &(dyn Fn(Progress) + Sync),
        cancel: &tokio_util::sync::CancellationToken,
    ) {
        fn send<T: Send>(_: T) {}
        send(run(
            &0u8,
            checks,
            &EngineOptions::default(),
            progress,
            cancel,
        ));
    }

    #[test]
    fn finds_the_missing_action() {
        let m = "User: arn:aws:iam::1:user/x is not authorized to perform: aws-marketplace:DescribeEntity because no identity-based policy allows";
        assert_eq!(missing_action(m), Some("aws-marketplace:DescribeEntity"));
        assert_eq!(missing_action("nothing here"), None);
    }
}
