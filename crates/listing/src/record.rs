//! What the store keeps of a change set, and the checklist items it concerns (its evidence is
//! attached to them when it ends).

use crate::catalog::ChangeSetStatus;
use crate::flow::Outcome;
use crate::plan::Plan;
use la_core::model::EnvKind;
use la_core::store::ChangeSetRecord;

/// The checklist item keys each change type proves, for the environment's steps (4 on staging,
/// 8 on production; the Public request is step 12's).
fn keys(change_type: &str) -> &'static [&'static str] {
    match change_type {
        "CreateProduct" => &["product.exists"],
        "ReleaseProduct" => &["product.visibility"],
        "UpdateTargeting" => &["product.test_buyers"],
        "AddDeliveryOptions" | "UpdateDeliveryOptions" => &["product.fulfillment_url"],
        "AddDimensions" | "UpdateDimensions" | "RestrictDimensions" => &["product.dimensions"],
        "UpdateLegalTerms" => &["product.eula_txt"],
        _ => &[],
    }
}

/// The checklist items a plan's changes concern, each once, in change order.
pub fn concerned_items(plan: &Plan, env: EnvKind) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in &plan.changes {
        let ids: Vec<String> = if c.change_type == "UpdateVisibility" {
            vec!["release.visibility_requested".into()]
        } else {
            keys(&c.change_type)
                .iter()
                .map(|k| format!("{}.{k}", env.as_str()))
                .collect()
        };
        for id in ids {
            if la_core::checklist::checklist().item(&id).is_some() && !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

/// The record of a change set just sent (who and when are filled in by `Core::record_change_set`).
pub fn new_record(
    workspace_id: &str,
    env: EnvKind,
    kind: &str,
    plan: &Plan,
    outcome: &Outcome,
) -> ChangeSetRecord {
    ChangeSetRecord {
        id: outcome.change_set_id.clone(),
        workspace_id: workspace_id.into(),
        env,
        kind: kind.into(),
        intent: outcome.status.intent.clone(),
        client_token: outcome.client_token.clone(),
        started_at: String::new(),
        started_by: String::new(),
        ended_at: None,
        status: outcome.status.status.clone(),
        diff: serde_json::to_value(&plan.diff).unwrap_or_default(),
        changes: serde_json::to_value(&plan.changes).unwrap_or_default(),
        outcome: outcome_json(&outcome.status),
        items: concerned_items(plan, env),
    }
}

/// The outcome kept in the record: each change's status and errors.
pub fn outcome_json(s: &ChangeSetStatus) -> serde_json::Value {
    serde_json::to_value(s).unwrap_or_default()
}

/// The attempt number for sending `plan` with `intent`: past earlier submissions of the same
/// plan that ended FAILED or CANCELLED (a retry of one still running or succeeded keeps its
/// token, so AWS answers with that change set instead of starting another).
pub fn next_attempt(records: &[ChangeSetRecord], plan: &Plan, intent: &str) -> u32 {
    let mut p = plan.clone();
    p.attempt = 0;
    loop {
        let token = p.client_token(intent);
        let refused = records.iter().any(|r| {
            r.client_token == token && matches!(r.status.as_str(), "FAILED" | "CANCELLED")
        });
        if !refused {
            return p.attempt;
        }
        p.attempt += 1;
    }
}
