//! Listing as code over an environment file: pull the listing from AWS, plan the difference
//! (and have AWS validate it), apply it, read the latest change sets, lint the file. The rules
//! are `la_listing`'s; this resolves the environment's AWS access once, so the CLI only parses
//! and prints. `page` holds the same operations for a workspace's environment (the desktop's
//! Listing page, Fix buttons and wizard steps 4, 8 and 12).

pub mod page;

use la_core::model::EnvironmentSettings;
use la_core::{AppError, ErrorCode};
use la_listing::catalog::{Catalog, ChangeSetStatus};
use la_listing::flow::{self, Follow, Outcome, Pulled};
use la_listing::lint::Finding;
use la_listing::plan::Plan;
use la_listing::Listing;
use std::path::Path;

/// An environment file's settings and the Catalog client its credentials give (us-east-1).
pub struct Target {
    pub settings: EnvironmentSettings,
    pub catalog: Catalog,
}

pub async fn target(env_file: &Path) -> Result<Target, AppError> {
    let f = la_core::envfile::read(env_file).map_err(AppError::from)?;
    let ca_pem = f
        .ca_bundle
        .as_deref()
        .map(la_aws::access::read_ca_bundle)
        .transpose()?;
    let sdk = la_aws::access::sdk_config_trusting(&f.settings, None, ca_pem.as_deref())
        .await
        .map_err(|e| AppError::new(ErrorCode::Credentials, e.to_string()))?;
    Ok(Target {
        catalog: Catalog::new(&sdk),
        settings: f.settings,
    })
}

/// Reads the environment's product and offer (its offer ID, else the public offer) into a
/// listing, with the values AWS knows for the environment.
pub async fn pull(t: &Target) -> Result<Pulled, AppError> {
    if t.settings.product_id.is_empty() {
        return Err(AppError::invalid(
            "this environment names no product (product_id): nothing to pull; write a listing file and `listing apply` it to create one",
        ));
    }
    flow::pull(&t.catalog, &t.settings.product_id, &t.settings.offer_id).await
}

/// What `plan` found: the plan, the local shape check, and AWS's VALIDATE when asked for.
pub struct Planned {
    pub plan: Plan,
    pub shape_errors: Vec<la_listing::errors::MappedError>,
    pub validation: Option<Outcome>,
}

/// The plan for `listing` against AWS; with `validate`, AWS's dry run too (when the local shape
/// check found nothing, since AWS would refuse the same).
pub async fn plan(
    t: &Target,
    listing: &Listing,
    validate: bool,
    follow: Follow,
) -> Result<Planned, AppError> {
    let (plan, _) = flow::plan_against(
        &t.catalog,
        listing,
        &t.settings.product_id,
        &t.settings.offer_id,
    )
    .await?;
    let shape_errors = flow::check_shapes(&plan);
    let validation = if validate && !plan.is_empty() && shape_errors.is_empty() {
        Some(flow::validate(&t.catalog, &plan, follow).await?)
    } else {
        None
    };
    Ok(Planned {
        plan,
        shape_errors,
        validation,
    })
}

/// VALIDATE first (unless `skip_validate`), then APPLY with the plan's idempotency token,
/// followed to its end unless `follow` is none.
pub async fn apply(
    t: &Target,
    listing: &Listing,
    skip_validate: bool,
    follow: Option<Follow>,
    progress: &(dyn Fn(&ChangeSetStatus) + Send + Sync),
) -> Result<(Planned, Option<Outcome>), AppError> {
    let planned = plan(t, listing, !skip_validate, follow.unwrap_or_default()).await?;
    let refused = !planned.shape_errors.is_empty()
        || planned.validation.as_ref().is_some_and(|v| !v.succeeded());
    if planned.plan.is_empty() || refused {
        return Ok((planned, None));
    }
    let outcome = flow::apply(&t.catalog, &planned.plan, follow, progress).await?;
    Ok((planned, Some(outcome)))
}

/// The newest change sets of the environment's product.
pub async fn status(
    t: &Target,
    max: i32,
) -> Result<Vec<la_listing::catalog::ChangeSetSummary>, AppError> {
    if t.settings.product_id.is_empty() {
        return Ok(Vec::new());
    }
    t.catalog.recent(&t.settings.product_id, max).await
}

/// The lint findings; with `network`, the reachability rules too.
pub async fn lint(listing: &Listing, network: bool) -> Vec<Finding> {
    let mut findings = la_listing::lint::lint(listing);
    if network {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        findings.extend(la_listing::lint::lint_network(listing, &http).await);
    }
    findings
}
