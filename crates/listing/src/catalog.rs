//! The Catalog API calls of listing authoring (us-east-1 whatever the environment's region):
//! DescribeEntity and ListEntities to read, StartChangeSet (VALIDATE or APPLY, with a
//! ClientRequestToken), DescribeChangeSet to follow, CancelChangeSet, ListChangeSets.

use crate::aws::{delivery_option_id, listing_from, AwsValues, Snapshot};
use crate::plan::Plan;
use aws_sdk_marketplacecatalog::types::{Change, Entity, Intent};
use aws_sdk_marketplacecatalog::Client;
use la_aws::checks::catalog::offers;
use la_aws::checks::catalog::shapes::{details_json, OfferKind};
use la_aws::marketplace::app_error;
use la_core::AppError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

pub const CATALOG: &str = "AWSMarketplace";

/// One error of a change, as AWS reports it in `ErrorDetailList`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AwsErrorDetail {
    pub code: String,
    pub message: String,
}

/// One change of a change set and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ChangeState {
    pub change_type: String,
    pub entity_type: String,
    /// The entity id (`prod-…@1`), filled in for a Create change once AWS made it.
    pub entity_id: String,
    pub change_name: String,
    pub errors: Vec<AwsErrorDetail>,
}

/// DescribeChangeSet, reduced to what the app shows and keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ChangeSetStatus {
    pub change_set_id: String,
    /// PREPARING, APPLYING, SUCCEEDED, CANCELLED or FAILED.
    pub status: String,
    pub intent: String,
    pub failure_code: String,
    pub failure_description: String,
    pub start_time: String,
    pub end_time: String,
    pub changes: Vec<ChangeState>,
}

impl ChangeSetStatus {
    pub fn finished(&self) -> bool {
        matches!(self.status.as_str(), "SUCCEEDED" | "FAILED" | "CANCELLED")
    }
    /// The id AWS gave the entity a named Create change made (`prod-abc`, without `@1`).
    pub fn created(&self, change_name: &str) -> Option<String> {
        self.changes
            .iter()
            .find(|c| c.change_name == change_name && !c.entity_id.is_empty())
            .map(|c| {
                c.entity_id
                    .split('@')
                    .next()
                    .unwrap_or_default()
                    .to_string()
            })
    }
}

/// A row of ListChangeSets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ChangeSetSummary {
    pub change_set_id: String,
    pub name: String,
    pub status: String,
    pub start_time: String,
    pub end_time: String,
    pub entity_ids: Vec<String>,
    pub failure_code: String,
}

pub struct Catalog {
    client: Client,
}

impl Catalog {
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        Catalog {
            client: Client::new(&la_aws::access::marketplace_config(sdk)),
        }
    }

    /// DescribeEntity: the `DetailsDocument` and the last-modified date; `None` when AWS answers
    /// ResourceNotFoundException.
    pub async fn describe(&self, id: &str) -> Result<Option<(Value, String)>, AppError> {
        Ok(la_aws::checks::catalog::describe_raw(&self.client, id)
            .await?
            .map(|d| {
                (
                    details_json(d.details_document(), d.details()),
                    d.last_modified_date().unwrap_or_default().to_string(),
                )
            }))
    }

    /// The product's public offer: released, targeting nobody, not expired, the latest
    /// released; a draft offer when none is released yet. The offers are read and classified
    /// by la-aws, as `catalog.eula` reads them.
    pub async fn public_offer(&self, product_id: &str) -> Result<Option<String>, AppError> {
        let rows = offers::product_offers(&self.client, product_id).await?;
        Ok(offers::pick_public(&rows)
            .or_else(|| rows.iter().find(|r| r.kind == OfferKind::Draft))
            .map(|r| r.id.clone()))
    }

    /// The product (and its offer: `offer_id`, else its public offer) as AWS has them.
    pub async fn snapshot(&self, product_id: &str, offer_id: &str) -> Result<Snapshot, AppError> {
        let (product, product_modified) = self.describe(product_id).await?.ok_or_else(|| {
            AppError::not_found(format!(
                "Product {product_id} was not found in the seller's catalog; check the product ID and the seller account."
            ))
        })?;
        let offer_id = if offer_id.is_empty() {
            self.public_offer(product_id).await?.unwrap_or_default()
        } else {
            offer_id.to_string()
        };
        let offer = if offer_id.is_empty() {
            None
        } else {
            self.describe(&offer_id).await?
        };
        let d = &product["Description"];
        Ok(Snapshot {
            values: AwsValues::new(
                product_id,
                d["ProductCode"].as_str().unwrap_or_default(),
                if offer.is_some() { &offer_id } else { "" },
                d["Visibility"].as_str().unwrap_or_default(),
            ),
            listing: listing_from(&product, offer.as_ref().map(|(o, _)| o)),
            delivery_option_id: delivery_option_id(&product),
            product_modified,
            offer_modified: offer.map(|(_, m)| m).unwrap_or_default(),
        })
    }

    /// StartChangeSet for the plan's changes with its ClientRequestToken; the change set id.
    pub async fn start(&self, plan: &Plan, intent: &str, name: &str) -> Result<String, AppError> {
        if plan.changes.is_empty() {
            return Err(AppError::invalid(
                "Nothing to send: AWS already matches the listing file.",
            ));
        }
        let mut req = self
            .client
            .start_change_set()
            .catalog(CATALOG)
            .change_set_name(name)
            .intent(if intent == "VALIDATE" {
                Intent::Validate
            } else {
                Intent::Apply
            })
            .client_request_token(plan.client_token(intent));
        for c in &plan.changes {
            let entity = Entity::builder()
                .r#type(&c.entity.kind)
                .set_identifier(c.entity.identifier.clone())
                .build()
                .map_err(|e| AppError::invalid(format!("change {}: {e}", c.change_type)))?;
            let change = Change::builder()
                .change_type(&c.change_type)
                .entity(entity)
                .set_change_name(c.change_name.clone())
                .details(c.details.to_string())
                .build()
                .map_err(|e| AppError::invalid(format!("change {}: {e}", c.change_type)))?;
            req = req.change_set(change);
        }
        let out = req
            .send()
            .await
            .map_err(|e| app_error("StartChangeSet", &e))?;
        Ok(out.change_set_id().unwrap_or_default().to_string())
    }

    pub async fn status(&self, id: &str) -> Result<ChangeSetStatus, AppError> {
        let d = self
            .client
            .describe_change_set()
            .catalog(CATALOG)
            .change_set_id(id)
            .send()
            .await
            .map_err(|e| app_error("DescribeChangeSet", &e))?;
        Ok(ChangeSetStatus {
            change_set_id: d.change_set_id().unwrap_or(id).to_string(),
            status: d
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            intent: d
                .intent()
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "APPLY".into()),
            failure_code: d
                .failure_code()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            failure_description: d.failure_description().unwrap_or_default().to_string(),
            start_time: d.start_time().unwrap_or_default().to_string(),
            end_time: d.end_time().unwrap_or_default().to_string(),
            changes: d
                .change_set()
                .iter()
                .map(|c| ChangeState {
                    change_type: c.change_type().unwrap_or_default().to_string(),
                    entity_type: c
                        .entity()
                        .map(|e| e.r#type().to_string())
                        .unwrap_or_default(),
                    entity_id: c
                        .entity()
                        .and_then(|e| e.identifier())
                        .unwrap_or_default()
                        .to_string(),
                    change_name: c.change_name().unwrap_or_default().to_string(),
                    errors: c
                        .error_detail_list()
                        .iter()
                        .map(|e| AwsErrorDetail {
                            code: e.error_code().unwrap_or_default().to_string(),
                            message: e.error_message().unwrap_or_default().to_string(),
                        })
                        .collect(),
                })
                .collect(),
        })
    }

    /// Re-reads the change set every `poll` until it has finished (or `max_polls` reads),
    /// telling `progress` each state seen.
    pub async fn follow(
        &self,
        id: &str,
        poll: std::time::Duration,
        max_polls: usize,
        progress: &(dyn Fn(&ChangeSetStatus) + Send + Sync),
    ) -> Result<ChangeSetStatus, AppError> {
        let mut last = self.status(id).await?;
        progress(&last);
        for _ in 0..max_polls {
            if last.finished() {
                break;
            }
            tokio::time::sleep(poll).await;
            let now = self.status(id).await?;
            if now != last {
                progress(&now);
            }
            last = now;
        }
        Ok(last)
    }

    /// CancelChangeSet: AWS accepts it only while the change set is PREPARING.
    pub async fn cancel(&self, id: &str) -> Result<(), AppError> {
        self.client
            .cancel_change_set()
            .catalog(CATALOG)
            .change_set_id(id)
            .send()
            .await
            .map_err(|e| app_error("CancelChangeSet", &e))?;
        Ok(())
    }

    /// The newest change sets touching `entity_id` (all when empty), newest first.
    pub async fn recent(
        &self,
        entity_id: &str,
        max: i32,
    ) -> Result<Vec<ChangeSetSummary>, AppError> {
        use aws_sdk_marketplacecatalog::types::{Filter, Sort, SortOrder};
        let mut req = self
            .client
            .list_change_sets()
            .catalog(CATALOG)
            .sort(
                Sort::builder()
                    .sort_by("StartTime")
                    .sort_order(SortOrder::Descending)
                    .build(),
            )
            .max_results(max.clamp(1, 20));
        if !entity_id.is_empty() {
            req = req.filter_list(
                Filter::builder()
                    .name("EntityId")
                    .value_list(entity_id)
                    .build(),
            );
        }
        let out = req
            .send()
            .await
            .map_err(|e| app_error("ListChangeSets", &e))?;
        Ok(out
            .change_set_summary_list()
            .iter()
            .map(|s| ChangeSetSummary {
                change_set_id: s.change_set_id().unwrap_or_default().into(),
                name: s.change_set_name().unwrap_or_default().into(),
                status: s
                    .status()
                    .map(|x| x.as_str().to_string())
                    .unwrap_or_default(),
                start_time: s.start_time().unwrap_or_default().into(),
                end_time: s.end_time().unwrap_or_default().into(),
                entity_ids: s.entity_id_list().to_vec(),
                failure_code: s
                    .failure_code()
                    .map(|x| x.as_str().to_string())
                    .unwrap_or_default(),
            })
            .collect())
    }
}
