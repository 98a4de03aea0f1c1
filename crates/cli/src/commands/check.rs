//! `listing-assistant check`: the integration checks for one environment, for CI. Exit 0 when
//! nothing failed, 1 when a check failed or could not run, 2 on usage or configuration errors.

use super::open_app;
use crate::exit::ExitStatus;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, ValueEnum};
use la_app::checks::{AdHocRun, Target};
use la_aws::engine::{CheckResult, CheckStatus as S, EngineOptions, Progress};
use la_core::model::EnvKind;
use serde_json::json;
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CheckFormat {
    Text,
    Json,
    Junit,
}

#[derive(Args)]
pub struct CheckArgs {
    /// An environment file (TOML); see README.
    #[arg(long, conflicts_with = "workspace")]
    env_file: Option<PathBuf>,
    /// A workspace from the app's database (with --env).
    #[arg(long, requires = "env")]
    workspace: Option<String>,
    #[arg(long, value_parser = env_parser())]
    env: Option<EnvKind>,
    /// The app's data folder (default: the app's own).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Only checks whose id starts with this (repeatable), e.g. --only registration.
    #[arg(long = "only")]
    only: Vec<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: CheckFormat,
    /// Checks run at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Seconds each check may take.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

/// `staging` or `production`, listed in `--help` and in clap's error for anything else.
pub fn env_parser() -> impl TypedValueParser<Value = EnvKind> {
    let names = EnvKind::ALL.map(EnvKind::as_str);
    // Only the listed names get through the first parser, and each parses.
    PossibleValuesParser::new(names).map(|s| EnvKind::parse(&s).unwrap_or(EnvKind::Staging))
}

pub async fn run(a: CheckArgs) -> ExitStatus {
    let (target, app) = match (&a.env_file, &a.workspace, a.env) {
        (Some(path), _, _) => (Target::EnvFile(path.clone()), None),
        (None, Some(ws), Some(env)) => match open_app(a.data_dir.as_deref()) {
            Ok(app) => (
                Target::Workspace {
                    name: ws.clone(),
                    env,
                },
                Some(app),
            ),
            Err(e) => return ExitStatus::Usage.with_error(e.message),
        },
        _ => {
            return ExitStatus::Usage
                .with_error("give --env-file FILE, or --workspace NAME --env staging|production")
        }
    };
    let text = a.format == CheckFormat::Text;
    // Said once, on stderr (stdout stays the chosen format), before the first check that could
    // not run for want of credentials.
    let told = std::sync::atomic::AtomicBool::new(false);
    let progress = move |p: Progress| {
        if let Progress::Finished { result } = &p {
            if result.summary.en == la_aws::engine::NO_CREDENTIALS_SUMMARY
                && !told.swap(true, std::sync::atomic::Ordering::Relaxed)
            {
                eprintln!("{}", la_aws::run::NO_CREDENTIALS);
            }
        }
        if let (true, Progress::Finished { result }) = (text, p) {
            println!(
                "{:<7} {:<40} {}",
                status_word(result.status),
                result.id,
                result.summary.en
            );
        }
    };
    let req = AdHocRun {
        target,
        only: a.only.clone(),
        options: EngineOptions {
            concurrency: a.concurrency,
            timeout: std::time::Duration::from_secs(a.timeout),
            ..Default::default()
        },
    };
    let started = std::time::Instant::now();
    let run = match la_app::checks::run_ad_hoc(app.as_ref(), req, &progress).await {
        Ok(r) => r,
        Err(e) => return ExitStatus::Usage.with_error(e.message),
    };
    let took = started.elapsed().as_secs_f64();
    let (name, results) = (run.name, run.results);
    let count = |s: S| results.iter().filter(|r| r.status == s).count();
    match a.format {
        CheckFormat::Text => println!(
            "\n{}: {} passed, {} failed, {} warned, {} could not run, {} skipped ({took:.1} s)",
            name,
            count(S::Pass),
            count(S::Fail),
            count(S::Warn),
            count(S::Error),
            count(S::Skipped)
        ),
        CheckFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "environment": name,
                "checks": results.iter().map(english).collect::<Vec<_>>(),
                "totals": {"pass": count(S::Pass), "fail": count(S::Fail), "warn": count(S::Warn), "error": count(S::Error), "skipped": count(S::Skipped)},
                "seconds": took,
            }))
            .unwrap_or_default()
        ),
        CheckFormat::Junit => match junit(&name, &results, took) {
            Ok(xml) => print!("{xml}"),
            Err(e) => return ExitStatus::Failure.with_error(e),
        },
    }
    if count(S::Fail) + count(S::Error) > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

fn status_word(s: S) -> &'static str {
    match s {
        S::Pass => "PASS",
        S::Fail => "FAIL",
        S::Warn => "WARN",
        S::Skipped => "SKIP",
        S::Error => "ERROR",
    }
}

/// XML 1.0 cannot carry most control characters, even escaped: AWS messages quoted in a
/// summary are left without them.
fn xml_text(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// A result as the CLI's JSON prints it: summary and details as English strings (the shape
/// scripts already parse), advice in both languages as stored.
fn english(r: &CheckResult) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    v["summary"] = r.summary.en.clone().into();
    v["details"] = r.details.en.clone().into();
    v
}

/// JUnit XML as CI systems read it (written by quick-junit): one testcase per check; fail →
/// <failure>, could not run → <error>, skipped → <skipped>; warnings pass with the warning in
/// system-out.
fn junit(name: &str, results: &[CheckResult], secs: f64) -> Result<String, String> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let time = std::time::Duration::from_secs_f64(secs.max(0.0));
    let mut suite = TestSuite::new(xml_text(name));
    suite.set_time(time);
    for r in results {
        let body = xml_text(&format!(
            "{}\n{}\n{}",
            r.summary.en, r.details.en, r.advice.en
        ));
        let summary = xml_text(&r.summary.en);
        let mut status = match r.status {
            S::Fail => TestCaseStatus::non_success(NonSuccessKind::Failure),
            S::Error => TestCaseStatus::non_success(NonSuccessKind::Error),
            S::Skipped => TestCaseStatus::skipped(),
            S::Warn | S::Pass => TestCaseStatus::success(),
        };
        if matches!(r.status, S::Fail | S::Error | S::Skipped) {
            status.set_message(summary.clone());
        }
        if matches!(r.status, S::Fail | S::Error) {
            status.set_description(body);
        }
        let mut case = TestCase::new(xml_text(&r.id), status);
        case.set_classname(xml_text(r.id.split('.').next().unwrap_or("checks")));
        case.set_time(std::time::Duration::from_millis(u64::from(r.duration_ms)));
        if matches!(r.status, S::Warn | S::Pass) {
            case.set_system_out(summary);
        }
        suite.add_test_case(case);
    }
    let mut report = Report::new("listing-assistant");
    report.set_time(time);
    report.add_test_suite(suite);
    report.to_string().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use la_core::checklist::Text;

    fn result(id: &str, status: S, summary: &str) -> CheckResult {
        CheckResult {
            id: id.into(),
            status,
            summary: Text::same(summary),
            details: Text::same(""),
            advice: Text {
                en: "fix it".into(),
                ja: "直してください".into(),
            },
            duration_ms: 12,
            evidence: Vec::new(),
        }
    }

    #[test]
    fn junit_counts_and_escapes() {
        let xml = junit(
            "staging & <co>",
            &[
                result("catalog.a", S::Pass, "ok"),
                result("catalog.b", S::Fail, "bad <thing> & \u{1} more"),
                result("billing.c", S::Error, "cannot check"),
                result("billing.d", S::Skipped, "not asked"),
                result("billing.e", S::Warn, "hmm"),
            ],
            1.5,
        )
        .expect("xml");
        assert!(xml.starts_with("<?xml"), "{xml}");
        assert!(xml.contains("tests=\"5\""), "{xml}");
        assert!(xml.contains("failures=\"1\""), "{xml}");
        assert!(xml.contains("errors=\"1\""), "{xml}");
        assert!(xml.contains("<skipped message=\"not asked\"/>"), "{xml}");
        assert!(xml.contains("<system-out>hmm</system-out>"), "{xml}");
        assert!(xml.contains("staging &amp; &lt;co&gt;"), "{xml}");
        assert!(xml.contains("bad &lt;thing&gt; &amp;  more"), "{xml}");
        assert!(!xml.contains('\u{1}'));
        assert_eq!(xml.matches("<testcase ").count(), 5);
    }
}
