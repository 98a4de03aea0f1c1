//! The entitlements watcher: GetEntitlements for the buyer, a timeline event when they change.

use super::session::{Shared, Watcher};
use super::{now_str, NewEvent};
use crate::verdict::kinds;
use la_core::purchase::{EventSource, WatcherKind};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

pub(super) struct EntitlementWatcher {
    client: aws_sdk_marketplaceentitlement::Client,
    product_code: String,
    buyer: String,
    last: Option<BTreeMap<String, String>>,
    interval: Duration,
}

impl EntitlementWatcher {
    pub(super) fn new(
        sdk: &la_aws::SdkConfig,
        product_code: &str,
        buyer: &str,
        interval: Duration,
    ) -> Self {
        // The Entitlement API exists only in us-east-1, whatever the environment's region.
        let conf = aws_sdk_marketplaceentitlement::config::Builder::from(sdk)
            .region(aws_sdk_marketplaceentitlement::config::Region::new(
                "us-east-1",
            ))
            .build();
        Self {
            client: aws_sdk_marketplaceentitlement::Client::from_conf(conf),
            product_code: product_code.to_string(),
            buyer: buyer.to_string(),
            last: None,
            interval,
        }
    }
}

fn short_license(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

/// "seats: 1 → 25; api_calls (l-…): added" — what changed between two polls.
pub fn entitlement_diff(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in after {
        match before.get(k) {
            None => out.push(format!("{k}: {v} (new)")),
            Some(old) if old != v => out.push(format!("{k}: {old} → {v}")),
            _ => {}
        }
    }
    for (k, v) in before {
        if !after.contains_key(k) {
            out.push(format!("{k}: {v} (removed)"));
        }
    }
    out
}

impl Watcher for EntitlementWatcher {
    fn kind(&self) -> WatcherKind {
        WatcherKind::Entitlements
    }

    async fn poll(&mut self, shared: &Shared) -> Result<(u32, Duration), String> {
        use aws_sdk_marketplaceentitlement::types::GetEntitlementFilterName as F;
        let mut now = BTreeMap::new();
        // The buyer's customer identifiers: SNS messages name the buyer only by them.
        let mut customers = BTreeSet::new();
        let mut token = None;
        for _ in 0..20 {
            let out = self
                .client
                .get_entitlements()
                .product_code(&self.product_code)
                .filter(F::CustomerAwsAccountId, vec![self.buyer.clone()])
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| la_aws::marketplace::app_error("GetEntitlements", &e).message)?;
            for e in out.entitlements() {
                let v = e.value().map_or(String::from("?"), |v| {
                    v.integer_value()
                        .map(|i| i.to_string())
                        .or(v.double_value().map(|d| d.to_string()))
                        .or(v.boolean_value().map(|b| b.to_string()))
                        .or(v.string_value().map(str::to_string))
                        .unwrap_or_default()
                });
                let key = format!(
                    "{} ({})",
                    e.dimension().unwrap_or("?"),
                    short_license(e.license_arn().unwrap_or("no license"))
                );
                now.insert(key, v);
                if let Some(c) = e.customer_identifier().filter(|c| !c.is_empty()) {
                    customers.insert(c.to_string());
                }
            }
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        let ev = match &self.last {
            None => Some(NewEvent {
                source: EventSource::Entitlements,
                kind: "entitlements".into(),
                summary: if now.is_empty() {
                    la_core::text!(
                        "no entitlements for {} yet",
                        "{} のエンタイトルメントはまだありません",
                        self.buyer
                    )
                } else {
                    la_core::text!(
                        "entitlements of {}: {}",
                        "{} のエンタイトルメント: {}",
                        self.buyer,
                        fmt_map(&now)
                    )
                },
                occurred_at: Some(now_str()),
                raw: json!({"entitlements": now, "customers": customers}).to_string(),
                malformed: false,
            }),
            Some(before) => {
                let diff = entitlement_diff(before, &now);
                (!diff.is_empty()).then(|| NewEvent {
                    source: EventSource::Entitlements,
                    kind: kinds::ENTITLEMENTS_CHANGED.into(),
                    // Dimension names and values, with arrows and "(new)"/"(removed)" marks.
                    summary: la_core::checklist::Text::same(diff.join("; ")),
                    occurred_at: Some(now_str()),
                    raw: json!({"before": before, "after": now, "customers": customers})
                        .to_string(),
                    malformed: false,
                })
            }
        };
        self.last = Some(now);
        let n = ev.is_some() as u32;
        shared.push_many(ev.into_iter().collect());
        let seq = shared.last_seq();
        shared
            .progress
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entitlement_polls
            .push(seq);
        shared.recompute();
        Ok((n, self.interval))
    }
}

fn fmt_map(m: &BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
