//! Listing as code for a workspace's environment (the Listing page, Fix buttons and wizard
//! steps 4, 8 and 12): the listing file kept in the data folder beside the environment's
//! exported file, live lint, plan and validate, apply after the confirmation rule, cancel, the
//! change sets' history, fixes for failing checks, create from nothing, and the Public request
//! with its prechecks and tracking. The rules are here so the shell only forwards.

use super::Target;
use crate::App;
use la_core::model::{EnvKind, EnvironmentSettings};
use la_core::store::ChangeSetRecord;
use la_core::{AppError, ErrorCode};
use la_listing::catalog::Catalog;
use la_listing::errors::MappedError;
use la_listing::fix::{fix_for, Fix, FIXABLE};
use la_listing::flow::{self, Follow, Outcome};
use la_listing::lint::Finding;
use la_listing::plan::Plan;
use la_listing::record::{new_record, next_attempt};
use la_listing::release::{self, Precheck, Tracking};
use la_listing::{AwsValues, Listing};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::path::PathBuf;
use std::time::Duration;

/// Where the listing came from when the page opened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ListingSource {
    /// The saved listing file.
    File,
    /// Pulled from AWS (no file yet).
    Aws,
    /// No product yet: a draft from the environment's settings (create from nothing).
    Draft,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ListingDoc {
    pub listing: Listing,
    pub source: ListingSource,
    /// The file's path, for the seller to open or commit it.
    pub path: String,
    /// Whether the environment has a product yet (`product_id`).
    pub has_product: bool,
    /// The Standard Contract's version a switch to it writes.
    pub standard_eula_version: String,
}

/// A plan as the page shows it: the diff and changes, the local shape check, AWS's VALIDATE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct PlanView {
    pub plan: Plan,
    pub shape_errors: Vec<MappedError>,
    pub validation: Option<Outcome>,
}

/// What an apply did: the plan, and the change set when one was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Applied {
    pub planned: PlanView,
    pub outcome: Option<Outcome>,
    pub record: Option<ChangeSetRecord>,
    /// The ids a created product and offer got (now in the environment).
    pub created: Option<AwsValues>,
}

/// A recorded change set and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Tracked {
    pub record: ChangeSetRecord,
    pub tracking: Tracking,
}

/// The Public request's prechecks and, once sent, its change set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ReleaseView {
    pub prechecks: Vec<Precheck>,
    pub ready: bool,
    pub request: Option<Tracked>,
}

/// How long the app follows a change set before leaving it to the history (re-read there and at
/// each start): the sandbox ends within a second, AWS in minutes.
const FOLLOW: Follow = Follow {
    poll: Duration::from_millis(750),
    max_polls: 80,
};

fn listing_path(app: &App, workspace_id: &str, env: EnvKind) -> PathBuf {
    // `<data>/listings/<workspace>/staging.toml` is where the environment file would be; the
    // listing file is named beside it as the CLI names it.
    let env_file = app
        .data_dir()
        .join("listings")
        .join(workspace_id)
        .join(format!("{}.toml", env.as_str()));
    la_listing::file::path_beside(&env_file)
}

async fn workspace_target(app: &App, workspace_id: &str, env: EnvKind) -> Result<Target, AppError> {
    // The Demo workspace's endpoint is final once the built-in sandbox has started (the desktop
    // starts it after its first screen, when the open change sets are re-read).
    crate::sandbox::wait_builtin(app).await;
    let creds = app.core()?.credentials(workspace_id, env)?;
    let sdk = la_aws::sdk_config(&creds.settings, creds.keys)
        .await
        .map_err(|e| AppError::new(ErrorCode::Credentials, e.to_string()))?;
    Ok(Target {
        catalog: Catalog::new(&sdk),
        settings: creds.settings,
    })
}

/// The listing a seller with no product starts from: the product name, and everything the
/// environment already says (fulfillment URL, test buyers, dimensions, EULA) through the same
/// repairs the Fix buttons make.
pub fn draft(product_name: &str, settings: &EnvironmentSettings) -> Listing {
    FIXABLE.iter().fold(Listing::new(product_name), |l, check| {
        fix_for(check, settings, &l).map(|f| f.listing).unwrap_or(l)
    })
}

/// The environment's listing: the saved file, else what AWS has, else a draft.
pub async fn load(app: &App, workspace_id: &str, env: EnvKind) -> Result<ListingDoc, AppError> {
    let path = listing_path(app, workspace_id, env);
    let core = app.core()?;
    let (settings, _) = core.store().environment(workspace_id, env)?;
    let has_product = !settings.product_id.is_empty();
    let (listing, source) = if path.exists() {
        (la_listing::file::read(&path)?, ListingSource::File)
    } else if has_product {
        let t = workspace_target(app, workspace_id, env).await?;
        (super::pull(&t).await?.listing, ListingSource::Aws)
    } else {
        let ws = core.store().workspace(workspace_id)?;
        (draft(&ws.product_name, &settings), ListingSource::Draft)
    };
    Ok(ListingDoc {
        listing,
        source,
        path: path.display().to_string(),
        has_product,
        standard_eula_version: la_listing::shapes::STANDARD_EULA_VERSION.into(),
    })
}

/// Saves the page's listing as the TOML file (the same file the CLI reads).
pub async fn save(
    app: &App,
    workspace_id: &str,
    env: EnvKind,
    listing: &Listing,
) -> Result<ListingDoc, AppError> {
    let core = app.core()?;
    core.store().workspace(workspace_id)?;
    let path = listing_path(app, workspace_id, env);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::invalid(format!("Cannot create {}: {e}", dir.display())))?;
    }
    la_listing::file::write(&path, listing)?;
    let (settings, _) = core.store().environment(workspace_id, env)?;
    Ok(ListingDoc {
        listing: listing.clone(),
        source: ListingSource::File,
        path: path.display().to_string(),
        has_product: !settings.product_id.is_empty(),
        standard_eula_version: la_listing::shapes::STANDARD_EULA_VERSION.into(),
    })
}

/// "Export listing file…": the page's listing written where the native dialog pointed, for
/// `listing-assistant listing plan|apply --listing FILE` in CI.
pub async fn export_file(
    app: &App,
    workspace_id: &str,
    listing: &Listing,
    path: &std::path::Path,
) -> Result<(), AppError> {
    app.core()?.store().workspace(workspace_id)?;
    la_listing::file::write(path, listing)
}

/// "Import listing file…": a listing file read (at most 1 MiB) for the page to show and lint;
/// nothing is saved until the seller saves it.
pub async fn import_file(path: &std::path::Path) -> Result<Listing, AppError> {
    la_listing::file::read(path)
}

/// The offline lint rules (the page runs them on every edit).
pub async fn lint(listing: &Listing) -> Vec<Finding> {
    la_listing::lint::lint(listing)
}

/// "Compare with AWS" (`validate` false) and "Validate with AWS" (true).
pub async fn plan(
    app: &App,
    workspace_id: &str,
    env: EnvKind,
    listing: &Listing,
    validate: bool,
) -> Result<PlanView, AppError> {
    let t = workspace_target(app, workspace_id, env).await?;
    let p = super::plan(&t, listing, validate, FOLLOW).await?;
    Ok(PlanView {
        plan: p.plan,
        shape_errors: p.shape_errors,
        validation: p.validation,
    })
}

/// Nothing is sent on production unless the seller typed the product's title: a slip of the
/// mouse must not change a live listing.
pub fn confirmation_ok(env: EnvKind, listing: &Listing, typed: &str) -> bool {
    env != EnvKind::Production || typed.trim() == listing.product.title.trim()
}

/// Sends `plan` with Intent APPLY (a new attempt when the same plan failed before), follows it
/// for a while, records it, and writes the ids of what it created into the environment.
async fn send(
    app: &App,
    workspace_id: &str,
    env: EnvKind,
    t: &Target,
    mut plan: Plan,
    kind: &str,
) -> Result<(Outcome, ChangeSetRecord, Plan), AppError> {
    let core = app.core()?;
    plan.attempt = next_attempt(&core.change_set_records(workspace_id, env)?, &plan, "APPLY");
    let outcome = flow::apply(&t.catalog, &plan, Some(FOLLOW), &|_| {}).await?;
    let record = core.record_change_set(&new_record(workspace_id, env, kind, &plan, &outcome))?;
    if let Some(v) = &outcome.created {
        let mut s = t.settings.clone();
        s.product_id = v.product_id.clone();
        s.product_code = v.product_code.clone();
        s.offer_id = v.offer_id.clone();
        if !v.subscription_topic_arn.is_empty() {
            s.subscription_topic_arn = v.subscription_topic_arn.clone();
            s.entitlement_topic_arn = v.entitlement_topic_arn.clone();
        }
        core.save_environment(workspace_id, env, &s)?;
    }
    Ok((outcome, record, plan))
}

/// "Apply": the confirmation rule, VALIDATE first, then APPLY. `kind` is what the record says
/// it was for (`apply`, `create`, `fix:<check>`). A refused validation sends nothing.
pub async fn apply(
    app: &App,
    workspace_id: &str,
    env: EnvKind,
    listing: &Listing,
    kind: &str,
    confirmation: &str,
) -> Result<Applied, AppError> {
    if !confirmation_ok(env, listing, confirmation) {
        return Err(AppError::invalid(
            "Type the product's title to apply a change to production.",
        ));
    }
    let t = workspace_target(app, workspace_id, env).await?;
    let p = super::plan(&t, listing, true, FOLLOW).await?;
    let planned = PlanView {
        plan: p.plan,
        shape_errors: p.shape_errors,
        validation: p.validation,
    };
    let refused = !planned.shape_errors.is_empty()
        || planned.validation.as_ref().is_some_and(|v| !v.succeeded());
    if planned.plan.is_empty() || refused {
        return Ok(Applied {
            planned,
            outcome: None,
            record: None,
            created: None,
        });
    }
    let (outcome, record, _) = send(app, workspace_id, env, &t, planned.plan.clone(), kind).await?;
    if outcome.succeeded() {
        match kind.strip_prefix("fix:") {
            // A Fix starts from AWS's listing, not the file: the file keeps its own pending
            // edits and gets the same repair, so a later Apply does not undo the Fix.
            Some(check) => repair_file(app, workspace_id, env, check, &t.settings)?,
            None => {
                save(app, workspace_id, env, listing).await?;
            }
        }
    }
    Ok(Applied {
        planned,
        created: outcome.created.clone(),
        outcome: Some(outcome),
        record: Some(record),
    })
}

fn repair_file(
    app: &App,
    workspace_id: &str,
    env: EnvKind,
    check: &str,
    settings: &EnvironmentSettings,
) -> Result<(), AppError> {
    let path = listing_path(app, workspace_id, env);
    if !path.exists() {
        return Ok(());
    }
    match fix_for(check, settings, &la_listing::file::read(&path)?) {
        Some(f) => la_listing::file::write(&path, &f.listing),
        None => Ok(()),
    }
}

/// CancelChangeSet (AWS refuses once it is APPLYING), its new state recorded.
pub async fn cancel(
    app: &App,
    workspace_id: &str,
    env: EnvKind,
    change_set_id: &str,
) -> Result<ChangeSetRecord, AppError> {
    let t = workspace_target(app, workspace_id, env).await?;
    let s = flow::cancel(&t.catalog, change_set_id).await?;
    Ok(app.core()?.update_change_set(
        change_set_id,
        &s.status,
        &la_listing::record::outcome_json(&s),
    )?)
}

/// The environment's change sets, newest first.
pub async fn history(
    app: &App,
    workspace_id: &str,
    env: EnvKind,
) -> Result<Vec<ChangeSetRecord>, AppError> {
    Ok(app.core()?.change_set_records(workspace_id, env)?)
}

/// Re-reads every change set still open when last read (at each start, and on the page): a
/// Public request can stay under review for weeks.
pub async fn refresh_open(app: &App, workspace_id: &str) -> Result<Vec<Tracked>, AppError> {
    let core = app.core()?.clone();
    let mut out = Vec::new();
    for r in core.open_change_sets(workspace_id)? {
        let t = workspace_target(app, workspace_id, r.env).await?;
        let (record, tracking) = release::refresh(&core, &t.catalog, &r).await?;
        out.push(Tracked { record, tracking });
    }
    Ok(out)
}

/// The checks a failing result of which offers "Fix".
pub async fn fixable() -> Vec<String> {
    FIXABLE.iter().map(|c| c.to_string()).collect()
}

/// The listing edit that repairs a failing catalog check, from the product as AWS has it now;
/// none when the check has no Fix or AWS already agrees.
pub async fn fix(
    app: &App,
    workspace_id: &str,
    env: EnvKind,
    check_id: &str,
) -> Result<Option<Fix>, AppError> {
    if !FIXABLE.contains(&check_id) {
        return Ok(None);
    }
    let t = workspace_target(app, workspace_id, env).await?;
    let current = super::pull(&t).await?.listing;
    Ok(fix_for(check_id, &t.settings, &current))
}

/// Step 12's prechecks and the Public request's latest state (re-read when still open).
pub async fn release_view(app: &App, workspace_id: &str) -> Result<ReleaseView, AppError> {
    let core = app.core()?.clone();
    let prechecks = release::prechecks(&core.store().item_states(workspace_id)?);
    let latest = core
        .change_set_records(workspace_id, EnvKind::Production)?
        .into_iter()
        .find(|r| r.kind == "release");
    let request = match latest {
        Some(r) if !r.finished() => {
            let t = workspace_target(app, workspace_id, EnvKind::Production).await?;
            let (record, tracking) = release::refresh(&core, &t.catalog, &r).await?;
            Some(Tracked { record, tracking })
        }
        Some(r) => {
            let status = serde_json::from_value(r.outcome.clone()).unwrap_or_else(|_| {
                la_listing::ChangeSetStatus {
                    change_set_id: r.id.clone(),
                    status: r.status.clone(),
                    intent: r.intent.clone(),
                    failure_code: String::new(),
                    failure_description: String::new(),
                    start_time: r.started_at.clone(),
                    end_time: r.ended_at.clone().unwrap_or_default(),
                    changes: vec![],
                }
            });
            Some(Tracked {
                tracking: release::tracking(&status),
                record: r,
            })
        }
        None => None,
    };
    Ok(ReleaseView {
        ready: prechecks.iter().all(|p| p.ok),
        prechecks,
        request,
    })
}

/// Step 12: UpdateVisibility to Public on the production product, once every precheck holds and
/// the seller typed the product's title; tracked for as long as AWS's review takes.
pub async fn request_public(
    app: &App,
    workspace_id: &str,
    confirmation: &str,
) -> Result<ReleaseView, AppError> {
    let core = app.core()?.clone();
    let prechecks = release::prechecks(&core.store().item_states(workspace_id)?);
    if let Some(p) = prechecks.iter().find(|p| !p.ok) {
        return Err(AppError::invalid(p.message.en.clone()));
    }
    let t = workspace_target(app, workspace_id, EnvKind::Production).await?;
    if t.settings.product_id.is_empty() {
        return Err(AppError::invalid(
            "The production environment names no product (product_id) to release.",
        ));
    }
    let snap = t
        .catalog
        .snapshot(&t.settings.product_id, &t.settings.offer_id)
        .await?;
    if !confirmation_ok(EnvKind::Production, &snap.listing, confirmation) {
        return Err(AppError::invalid(
            "Type the product's title to request Public visibility.",
        ));
    }
    send(
        app,
        workspace_id,
        EnvKind::Production,
        &t,
        release::public_plan(&snap),
        "release",
    )
    .await?;
    release_view(app, workspace_id).await
}
