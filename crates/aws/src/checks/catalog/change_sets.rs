//! `catalog.release_change_set`: the product's newest change set, asked for explicitly
//! (ListChangeSets sorted by StartTime, descending: AWS documents no default order).

use super::{client, no_product, CATALOG};
use crate::checks::CheckContext;
use crate::engine::{CheckFuture, Outcome};
use crate::marketplace::app_error;

pub(super) fn release_change_set(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        if ctx.settings.product_id.is_empty() {
            return Ok(no_product());
        }
        use aws_sdk_marketplacecatalog::types::{Filter, Sort, SortOrder};
        let out = client(ctx)?
            .list_change_sets()
            .catalog(CATALOG)
            .filter_list(
                Filter::builder()
                    .name("EntityId")
                    .value_list(&ctx.settings.product_id)
                    .build(),
            )
            .sort(
                Sort::builder()
                    .sort_by("StartTime")
                    .sort_order(SortOrder::Descending)
                    .build(),
            )
            .max_results(20)
            .send()
            .await
            .map_err(|e| app_error("ListChangeSets", &e))?;
        // The first row is the newest when the sort was honoured; the StartTime comparison
        // (ISO-8601 UTC, so text order is time order) keeps that true on a page it was not.
        let Some(latest) = out
            .change_set_summary_list()
            .iter()
            .enumerate()
            .max_by(|(i, a), (j, b)| {
                a.start_time()
                    .unwrap_or_default()
                    .cmp(b.start_time().unwrap_or_default())
                    .then(j.cmp(i))
            })
            .map(|(_, c)| c)
        else {
            return Ok(Outcome::skipped(la_core::text!(
                "no change set has been started for the product yet",
                "この製品の変更セットはまだ開始されていません",
            )));
        };
        let status = latest
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        let id = latest.change_set_id().unwrap_or_default().to_string();
        let started = latest.start_time().unwrap_or_default().to_string();
        let o = match status.as_str() {
            "SUCCEEDED" => Outcome::pass(la_core::text!(
                "the newest change set {id} (started {started}) SUCCEEDED",
                "最新の変更セット {id} ({started} 開始) は SUCCEEDED です",
            )),
            "PREPARING" | "APPLYING" => Outcome::warn(
                la_core::text!(
                    "the newest change set {id} (started {started}) is {status}",
                    "最新の変更セット {id} ({started} 開始) は {status} です",
                ),
                "AWS is still processing the change; run the check again later.",
                "AWS が変更を処理中です。後でもう一度チェックを実行してください。",
            ),
            _ => Outcome::fail(
                la_core::text!(
                    "the newest change set {id} (started {started}) {status}{}",
                    "最新の変更セット {id} ({started} 開始) は {status}{} です",
                    latest
                        .failure_code()
                        .map(|f| format!(" ({})", f.as_str()))
                        .unwrap_or_default()
                ),
                "Open the change set in the Management Portal, fix what it reports and submit again.",
                "Management Portal で変更セットを開き、報告内容を修正して再提出してください。",
            ),
        };
        Ok(o.evidence(
            "ListChangeSets",
            format!(
                "ListChangeSets EntityId={} Sort=StartTime DESCENDING",
                ctx.settings.product_id
            ),
            format!("{id} {started} {status}"),
        ))
    })
}
