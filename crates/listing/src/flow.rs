//! The operations front ends call: pull, plan, validate, apply, status, cancel. Each takes the
//! environment's SDK configuration (or a `Catalog`) and plain data and returns serializable
//! results; recording in the store is `record::*`, left to the caller that owns the `Core`.

use crate::aws::{AwsValues, Snapshot};
use crate::catalog::{Catalog, ChangeSetStatus};
use crate::errors::{map_errors, MappedError};
use crate::file::Listing;
use crate::plan::{plan, Plan, CREATE_OFFER, CREATE_PRODUCT};
use la_core::AppError;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::time::Duration;

/// What `pull` read: the listing file's content and the values for the environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Pulled {
    pub listing: Listing,
    pub values: AwsValues,
}

/// Reads the product (and its offer: `offer_id`, else its public offer) into a listing.
pub async fn pull(cat: &Catalog, product_id: &str, offer_id: &str) -> Result<Pulled, AppError> {
    let s = cat.snapshot(product_id, offer_id).await?;
    Ok(Pulled {
        listing: s.listing,
        values: s.values,
    })
}

/// The plan for the file against AWS: `product_id` empty means there is no product yet (the
/// plan creates the Limited product and its offer in one change set).
pub async fn plan_against(
    cat: &Catalog,
    file: &Listing,
    product_id: &str,
    offer_id: &str,
) -> Result<(Plan, Option<Snapshot>), AppError> {
    let current = if product_id.is_empty() {
        None
    } else {
        Some(cat.snapshot(product_id, offer_id).await?)
    };
    Ok((plan(file, current.as_ref()), current))
}

/// How long to follow a change set.
#[derive(Debug, Clone, Copy)]
pub struct Follow {
    pub poll: Duration,
    pub max_polls: usize,
}

impl Default for Follow {
    fn default() -> Self {
        // AWS's change sets take minutes; reads every 5 s for up to an hour.
        Follow {
            poll: Duration::from_secs(5),
            max_polls: 720,
        }
    }
}

/// The outcome of a change set: its state and AWS's errors on the listing's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Outcome {
    pub change_set_id: String,
    pub client_token: String,
    pub status: ChangeSetStatus,
    pub errors: Vec<MappedError>,
    /// For a plan that created them, the new product's and offer's values.
    pub created: Option<AwsValues>,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.status.status == "SUCCEEDED"
    }
}

async fn run(
    cat: &Catalog,
    plan: &Plan,
    intent: &str,
    name: &str,
    follow: Option<Follow>,
    progress: &(dyn Fn(&ChangeSetStatus) + Send + Sync),
) -> Result<Outcome, AppError> {
    let id = cat.start(plan, intent, name).await?;
    let status = match follow {
        Some(f) => cat.follow(&id, f.poll, f.max_polls, progress).await?,
        None => {
            let s = cat.status(&id).await?;
            progress(&s);
            s
        }
    };
    let created = match (status.created(CREATE_PRODUCT), intent) {
        (Some(p), "APPLY") if status.status == "SUCCEEDED" => {
            let offer = status.created(CREATE_OFFER).unwrap_or_default();
            let s = cat.snapshot(&p, &offer).await?;
            Some(s.values)
        }
        _ => None,
    };
    Ok(Outcome {
        change_set_id: id,
        client_token: plan.client_token(intent),
        errors: map_errors(&status, plan),
        status,
        created,
    })
}

/// StartChangeSet with Intent VALIDATE, followed to its end: AWS's dry run of the plan.
pub async fn validate(cat: &Catalog, plan: &Plan, follow: Follow) -> Result<Outcome, AppError> {
    run(
        cat,
        plan,
        "VALIDATE",
        "listing-assistant-validate",
        Some(follow),
        &|_| {},
    )
    .await
}

/// StartChangeSet with Intent APPLY (token derived from the plan: a retry of the same plan gets
/// the same change set, never a second one), followed to its end unless `follow` is none
/// (`--no-wait`), telling `progress` each state seen.
pub async fn apply(
    cat: &Catalog,
    plan: &Plan,
    follow: Option<Follow>,
    progress: &(dyn Fn(&ChangeSetStatus) + Send + Sync),
) -> Result<Outcome, AppError> {
    run(
        cat,
        plan,
        "APPLY",
        "listing-assistant-apply",
        follow,
        progress,
    )
    .await
}

/// Cancels a change set still PREPARING; AWS refuses once it is APPLYING.
pub async fn cancel(cat: &Catalog, change_set_id: &str) -> Result<ChangeSetStatus, AppError> {
    cat.cancel(change_set_id).await?;
    cat.status(change_set_id).await
}

/// Local dry run before anything is sent: each change checked against the official shapes
/// (the sandbox's validator), errors on the listing's fields. AWS's VALIDATE still follows.
pub fn check_shapes(plan: &Plan) -> Vec<MappedError> {
    use crate::catalog::{AwsErrorDetail, ChangeState};
    let changes = plan
        .changes
        .iter()
        .map(|c| ChangeState {
            change_type: c.change_type.clone(),
            entity_type: c.entity.kind.clone(),
            entity_id: c.entity.identifier.clone().unwrap_or_default(),
            change_name: c.change_name.clone().unwrap_or_default(),
            errors: la_sandbox::ops::catalog::validate::validate_change(
                &c.entity.kind,
                &c.change_type,
                &c.details,
            )
            .into_iter()
            .map(|e| AwsErrorDetail {
                code: e.code.into(),
                message: e.message,
            })
            .collect(),
        })
        .collect();
    let status = ChangeSetStatus {
        change_set_id: String::new(),
        status: String::new(),
        intent: "VALIDATE".into(),
        failure_code: String::new(),
        failure_description: String::new(),
        start_time: String::new(),
        end_time: String::new(),
        changes,
    };
    map_errors(&status, plan)
}
