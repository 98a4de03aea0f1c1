//! `listing-assistant listing pull|plan|apply|status|lint`: the listing as a file, compared with
//! AWS, validated by AWS and applied through Catalog API change sets. Exit codes follow `check`:
//! 0 nothing failed, 1 a failure or a validation error from AWS, 2 usage or configuration.

use super::Format;
use crate::exit::ExitStatus;
use clap::{Args, Subcommand};
use la_app::listing::{self as uc, Planned, Target};
use la_listing::flow::{Follow, Outcome};
use la_listing::lint::Severity;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Subcommand)]
pub enum ListingCmd {
    /// Read the environment's product and offer from AWS into a listing file.
    Pull(PullArgs),
    /// Show what applying the file would change, field by field, and the change set it would
    /// send; then have AWS validate it (StartChangeSet Intent VALIDATE).
    Plan(PlanArgs),
    /// Validate, then apply the change set (Intent APPLY) and follow it to its end.
    Apply(ApplyArgs),
    /// The product's latest change sets and their state.
    Status(StatusArgs),
    /// Check the file against AWS's listing rules, without AWS.
    Lint(LintArgs),
}

#[derive(Args)]
pub struct EnvArg {
    /// The environment file (TOML) whose credentials, region and product are used.
    #[arg(long)]
    env_file: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Args)]
pub struct PullArgs {
    #[command(flatten)]
    env: EnvArg,
    /// Where to write the listing file (default: beside the environment file).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Args)]
pub struct PlanArgs {
    #[command(flatten)]
    env: EnvArg,
    /// The listing file (default: beside the environment file).
    #[arg(long)]
    listing: Option<PathBuf>,
    /// Only the difference and the change set, no VALIDATE call to AWS.
    #[arg(long)]
    no_validate: bool,
}

#[derive(Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    env: EnvArg,
    #[arg(long)]
    listing: Option<PathBuf>,
    /// Confirm: nothing is sent to AWS without it.
    #[arg(long)]
    yes: bool,
    /// Return once the change set is started instead of following it to its end.
    #[arg(long)]
    no_wait: bool,
    /// Skip the VALIDATE dry run before APPLY.
    #[arg(long)]
    skip_validate: bool,
    /// Seconds between reads of the change set while following it.
    #[arg(long, default_value_t = 5)]
    poll: u64,
}

#[derive(Args)]
pub struct StatusArgs {
    #[command(flatten)]
    env: EnvArg,
    #[arg(long, default_value_t = 10)]
    max: i32,
}

#[derive(Args)]
pub struct LintArgs {
    #[arg(long)]
    listing: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Also fetch the logo, videos, resources and custom EULA to check they answer with the
    /// right type.
    #[arg(long)]
    network: bool,
}

pub async fn run(cmd: ListingCmd) -> ExitStatus {
    match cmd {
        ListingCmd::Pull(a) => pull(a).await,
        ListingCmd::Plan(a) => plan(a).await,
        ListingCmd::Apply(a) => apply(a).await,
        ListingCmd::Status(a) => status(a).await,
        ListingCmd::Lint(a) => lint(a).await,
    }
}

async fn target(env: &EnvArg) -> Result<Target, ExitStatus> {
    uc::target(&env.env_file)
        .await
        .map_err(|e| ExitStatus::Usage.with_error(e.message))
}

/// The environment's target and the listing file (given, else beside the environment file).
async fn target_and_listing(
    env: &EnvArg,
    given: &Option<PathBuf>,
) -> Result<(Target, la_listing::Listing), ExitStatus> {
    let t = target(env).await?;
    let listing = la_listing::file::read(&listing_path(env, given))
        .map_err(|e| ExitStatus::Usage.with_error(e.message))?;
    Ok((t, listing))
}

fn listing_path(env: &EnvArg, given: &Option<PathBuf>) -> PathBuf {
    given
        .clone()
        .unwrap_or_else(|| la_listing::file::path_beside(&env.env_file))
}

fn print_json(v: &Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

async fn pull(a: PullArgs) -> ExitStatus {
    let t = match target(&a.env).await {
        Ok(t) => t,
        Err(s) => return s,
    };
    let pulled = match uc::pull(&t).await {
        Ok(p) => p,
        Err(e) => return ExitStatus::Failure.with_error(e.message),
    };
    let out = listing_path(&a.env, &a.out);
    if let Err(e) = la_listing::file::write(&out, &pulled.listing) {
        return ExitStatus::Usage.with_error(e.message);
    }
    match a.env.format {
        Format::Json => print_json(&json!({"listing": out, "values": pulled.values})),
        Format::Text => {
            println!("Wrote {}", out.display());
            let v = &pulled.values;
            println!(
                "product {} ({}), code {}, offer {}",
                v.product_id, v.visibility, v.product_code, v.offer_id
            );
            println!("subscription topic {}", v.subscription_topic_arn);
            println!("entitlement topic  {}", v.entitlement_topic_arn);
        }
    }
    ExitStatus::Success
}

fn plan_json(p: &Planned) -> Value {
    let changes: Vec<Value> = p
        .plan
        .changes
        .iter()
        .map(|c| {
            json!({
                "change_type": c.change_type,
                "entity": {"type": c.entity.kind, "identifier": c.entity.identifier},
                "fields": c.fields,
                "details": c.details,
            })
        })
        .collect();
    let validation = match (&p.validation, p.shape_errors.is_empty()) {
        (Some(v), _) => {
            json!({"status": v.status.status, "change_set_id": v.change_set_id, "errors": v.errors})
        }
        (None, false) => {
            json!({"status": "FAILED", "errors": p.shape_errors, "source": "local shape check"})
        }
        (None, true) => json!({"status": "NOT_RUN", "errors": []}),
    };
    json!({
        "changes": changes,
        "diff": p.plan.diff,
        "warnings": p.plan.warnings,
        "validation": validation,
    })
}

fn print_plan_text(p: &Planned) {
    if p.plan.is_empty() {
        println!("No changes: AWS already has what the file says.");
        return;
    }
    println!("Differences ({}):", p.plan.diff.len());
    for d in &p.plan.diff {
        println!("  {:<32} {} → {}", d.field, d.old, d.new);
    }
    println!("Change set ({} changes):", p.plan.changes.len());
    for c in &p.plan.changes {
        println!(
            "  {:<24} {} {}  [{}]",
            c.change_type,
            c.entity.kind,
            c.entity.identifier.as_deref().unwrap_or("(new)"),
            c.fields.join(", ")
        );
    }
    for w in &p.plan.warnings {
        println!("warning ({}): {}", w.rule, w.message.en);
    }
    print_errors(&p.shape_errors);
    if let Some(v) = &p.validation {
        println!("AWS validation: {} ({})", v.status.status, v.change_set_id);
        print_errors(&v.errors);
    }
}

fn print_errors(errors: &[la_listing::errors::MappedError]) {
    for e in errors {
        println!(
            "  error {} on {}: {} — {}",
            e.code,
            e.fields.join(", "),
            e.message,
            e.advice.en
        );
    }
}

fn refused(p: &Planned) -> bool {
    !p.shape_errors.is_empty() || p.validation.as_ref().is_some_and(|v| !v.succeeded())
}

fn follow(poll: u64) -> Follow {
    Follow {
        poll: Duration::from_secs(poll.max(1)),
        ..Follow::default()
    }
}

async fn plan(a: PlanArgs) -> ExitStatus {
    let (t, listing) = match target_and_listing(&a.env, &a.listing).await {
        Ok(v) => v,
        Err(s) => return s,
    };
    let planned = match uc::plan(&t, &listing, !a.no_validate, follow(2)).await {
        Ok(p) => p,
        Err(e) => return ExitStatus::Failure.with_error(e.message),
    };
    match a.env.format {
        Format::Json => print_json(&plan_json(&planned)),
        Format::Text => print_plan_text(&planned),
    }
    if refused(&planned) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

fn outcome_json(o: &Outcome) -> Value {
    json!({
        "change_set_id": o.change_set_id,
        "status": o.status.status,
        "changes": o.status.changes,
        "errors": o.errors,
        "created": o.created,
    })
}

async fn apply(a: ApplyArgs) -> ExitStatus {
    if !a.yes {
        return ExitStatus::Usage.with_error(
            "nothing is sent to AWS without --yes (run `listing plan` to see what would change)",
        );
    }
    let (t, listing) = match target_and_listing(&a.env, &a.listing).await {
        Ok(v) => v,
        Err(s) => return s,
    };
    let text = a.env.format == Format::Text;
    let progress = move |s: &la_listing::ChangeSetStatus| {
        if text {
            println!("change set {}: {}", s.change_set_id, s.status);
        }
    };
    let follow = (!a.no_wait).then(|| follow(a.poll));
    let (planned, outcome) = match uc::apply(&t, &listing, a.skip_validate, follow, &progress).await
    {
        Ok(r) => r,
        Err(e) => return ExitStatus::Failure.with_error(e.message),
    };
    match (a.env.format, &outcome) {
        (Format::Json, Some(o)) => print_json(&outcome_json(o)),
        (Format::Json, None) => print_json(
            &json!({"change_set_id": null, "status": if planned.plan.is_empty() { "NO_CHANGES" } else { "NOT_SENT" }, "plan": plan_json(&planned)}),
        ),
        (Format::Text, Some(o)) => {
            println!("{} {}", o.change_set_id, o.status.status);
            for c in &o.status.changes {
                println!("  {:<24} {} {}", c.change_type, c.entity_type, c.entity_id);
            }
            print_errors(&o.errors);
            if let Some(v) = &o.created {
                println!(
                    "created product {} (code {}), offer {}: put them in the environment file",
                    v.product_id, v.product_code, v.offer_id
                );
            }
        }
        (Format::Text, None) => print_plan_text(&planned),
    }
    let failed = match &outcome {
        Some(o) => matches!(o.status.status.as_str(), "FAILED" | "CANCELLED"),
        None => refused(&planned),
    };
    if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

async fn status(a: StatusArgs) -> ExitStatus {
    let t = match target(&a.env).await {
        Ok(t) => t,
        Err(s) => return s,
    };
    let list = match uc::status(&t, a.max).await {
        Ok(l) => l,
        Err(e) => return ExitStatus::Failure.with_error(e.message),
    };
    match a.env.format {
        Format::Json => print_json(&json!({"change_sets": list})),
        Format::Text => {
            for c in &list {
                println!(
                    "{}  {:<10} {}  {}{}",
                    c.start_time,
                    c.status,
                    c.change_set_id,
                    c.name,
                    if c.failure_code.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", c.failure_code)
                    }
                );
            }
        }
    }
    ExitStatus::Success
}

async fn lint(a: LintArgs) -> ExitStatus {
    let listing = match la_listing::file::read(&a.listing) {
        Ok(l) => l,
        Err(e) => return ExitStatus::Usage.with_error(e.message),
    };
    let findings = uc::lint(&listing, a.network).await;
    match a.format {
        Format::Json => print_json(&json!({"findings": findings.iter().map(|f| json!({
            "rule": f.rule, "severity": f.severity, "field": f.field,
            "message": f.message.en, "message_ja": f.message.ja, "source": f.source,
        })).collect::<Vec<_>>()})),
        Format::Text => {
            if findings.is_empty() {
                println!("No findings.");
            }
            for f in &findings {
                println!(
                    "{:<7} {:<28} {}: {}\n        source: {}",
                    match f.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    },
                    f.rule,
                    f.field,
                    f.message.en,
                    f.source
                );
            }
        }
    }
    if findings.iter().any(|f| f.severity == Severity::Error) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}
