//! Step 12: the Public release. `UpdateVisibility` with `TargetVisibility: Public` is reviewed
//! by people at AWS (days to weeks) and refused with MISSING_SELLER_PROFILE_INFORMATION while
//! the seller profile is incomplete, so the app checks first, then tracks the change set for as
//! long as the review takes: its record stays open in the store and is re-read at each start.

use crate::aws::Snapshot;
use crate::catalog::{Catalog, ChangeSetStatus};
use crate::plan::{EntityRef, Plan, PlannedChange, Warning};
use la_core::checklist::{checklist, ItemKind, StepEnv, Text};
use la_core::model::{ItemState, ItemStatus};
use la_core::service::Core;
use la_core::store::ChangeSetRecord;
use la_core::AppError;
use la_sandbox::ops::catalog::validate::SAAS_PRODUCT;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use specta::Type;

/// The item the final review is recorded on, and the seller profile's.
pub const FINAL_REVIEW_ITEM: &str = "review.submitted";
pub const SELLER_PROFILE_ITEM: &str = "seller.public_profile";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Precheck {
    /// `production_checks`, `final_review`, `seller_profile`.
    pub id: String,
    pub ok: bool,
    pub message: Text,
}

fn done(states: &[ItemState], id: &str) -> bool {
    states.iter().any(|s| {
        s.item_id == id
            && matches!(
                s.status,
                ItemStatus::Passed | ItemStatus::Waived | ItemStatus::NotApplicable
            )
    })
}

/// What must hold before Public is requested, from the workspace's checklist state.
pub fn prechecks(states: &[ItemState]) -> Vec<Precheck> {
    let cl = checklist();
    let production: Vec<&str> = cl
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Automated)
        .filter(|i| {
            cl.step(&i.step)
                .is_some_and(|s| s.env == StepEnv::Production)
        })
        .filter(|i| {
            i.check
                .as_deref()
                .is_some_and(|c| la_core::checklist::implemented_checks().contains(&c))
        })
        .map(|i| i.id.as_str())
        .collect();
    let red: Vec<&str> = production
        .iter()
        .copied()
        .filter(|id| !done(states, id))
        .collect();
    let mut out = vec![Precheck {
        id: "production_checks".into(),
        ok: red.is_empty(),
        message: if red.is_empty() {
            Text {
                en: format!(
                    "All {} automated production checks passed.",
                    production.len()
                ),
                ja: format!(
                    "本番環境の自動チェック {} 件がすべて合格しています。",
                    production.len()
                ),
            }
        } else {
            Text { en: format!("Not yet passed on production: {}. Run the production checks until they are green.", red.join(", ")), ja: format!("本番環境で未合格: {}。すべて合格するまで本番環境のチェックを実行してください。", red.join(", ")) }
        },
    }];
    let review = done(states, FINAL_REVIEW_ITEM);
    out.push(Precheck {
        id: "final_review".into(),
        ok: review,
        message: if review {
            Text {
                en: "The product passed AWS's final review (step 11).".into(),
                ja: "製品は AWS の最終審査 (ステップ 11) を通過しています。".into(),
            }
        } else {
            Text {
                en: "Mark step 11's final-review item passed once AWS has reviewed the product."
                    .into(),
                ja: "AWS の審査が済んだら、ステップ 11 の最終審査の項目を合格にしてください。"
                    .into(),
            }
        },
    });
    let profile = done(states, SELLER_PROFILE_ITEM);
    out.push(Precheck {
        id: "seller_profile".into(),
        ok: profile,
        message: if profile {
            Text { en: "The public seller profile is complete.".into(), ja: "公開セラープロフィールは入力済みです。".into() }
        } else {
            Text { en: "Complete the public seller profile (company name, description, logo, support contact) and mark it done in step 2: AWS refuses the request with MISSING_SELLER_PROFILE_INFORMATION otherwise.".into(), ja: "公開セラープロフィール (会社名、説明、ロゴ、サポート連絡先) を入力し、ステップ 2 で完了にしてください。未入力だと AWS は MISSING_SELLER_PROFILE_INFORMATION で申請を拒否します。".into() }
        },
    });
    out
}

/// The one-change plan that requests Public visibility for the product.
pub fn public_plan(current: &Snapshot) -> Plan {
    let changes = vec![PlannedChange {
        change_type: "UpdateVisibility".into(),
        entity: EntityRef {
            kind: SAAS_PRODUCT.into(),
            identifier: Some(current.values.product_id.clone()),
        },
        change_name: None,
        details: json!({"TargetVisibility": "Public"}),
        fields: vec![],
    }];
    let fingerprint = hex::encode(Sha256::digest(
        json!([current.product_modified, &changes]).to_string(),
    ));
    Plan {
        product_id: Some(current.values.product_id.clone()),
        offer_id: Some(current.values.offer_id.clone()).filter(|o| !o.is_empty()),
        diff: vec![],
        changes,
        warnings: vec![Warning {
            rule: "public_review".into(),
            message: Text {
                en: "AWS reviews a Public request before it applies; this can take days to weeks. The app follows the change set at each start until AWS reports SUCCEEDED or FAILED.".into(),
                ja: "一般公開の申請は適用前に AWS が審査します。数日から数週間かかることがあります。アプリは AWS が SUCCEEDED か FAILED を返すまで、起動のたびに変更セットを追跡します。".into(),
            },
        }],
        fingerprint,
        attempt: 0,
    }
}

/// Where a tracked change set stands, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Tracking {
    pub change_set_id: String,
    pub status: String,
    pub under_review: bool,
    pub message: Text,
}

pub fn tracking(s: &ChangeSetStatus) -> Tracking {
    let errors: Vec<String> = s
        .changes
        .iter()
        .flat_map(|c| c.errors.iter().map(|e| e.code.clone()))
        .collect();
    let (en, ja) = match s.status.as_str() {
        "PREPARING" | "APPLYING" => (
            format!("Under AWS review since {} ({}).", s.start_time, s.status),
            format!("{} から AWS が審査中です ({})。", s.start_time, s.status),
        ),
        "SUCCEEDED" => (
            "AWS released the product to the public.".to_string(),
            "AWS が製品を一般公開しました。".to_string(),
        ),
        "CANCELLED" => (
            "The request was cancelled.".to_string(),
            "申請は取り消されました。".to_string(),
        ),
        _ => (
            format!("AWS refused the request: {}.", errors.join(", ")),
            format!("AWS が申請を拒否しました: {}。", errors.join(", ")),
        ),
    };
    Tracking {
        change_set_id: s.change_set_id.clone(),
        status: s.status.clone(),
        under_review: !s.finished(),
        message: Text { en, ja },
    }
}

/// Re-reads a recorded change set and keeps its latest state (evidence attached when it ends).
pub async fn refresh(
    core: &Core,
    cat: &Catalog,
    record: &ChangeSetRecord,
) -> Result<(ChangeSetRecord, Tracking), AppError> {
    let s = cat.status(&record.id).await?;
    let r = core
        .update_change_set(&record.id, &s.status, &crate::record::outcome_json(&s))
        .map_err(AppError::from)?;
    Ok((r, tracking(&s)))
}
