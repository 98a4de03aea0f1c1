//! Automatic verdicts: what the app can decide from a session's timeline alone. Pure functions
//! of the events and of how far the watchers have looked, so every outcome is tested on
//! hand-built timelines, and no verdict depends on when it is computed.
//!
//! Delays are measured with each event's own clock (`occurred_at`: the sandbox clock in sandbox
//! mode, AWS's times in real mode). A deadline counts as passed only once CloudTrail has been
//! read through it (`cloudtrail_through`, in the same clock), because CloudTrail delivers late.
//!
//! Only the session's buyer and product count ([`crate::party`]): another buyer's or product's
//! notifications on a shared queue leave the verdicts as they are, and a verdict that cannot be
//! decided (a message that cannot be attributed yet, GetEntitlements not read) says why.

use crate::party::{self, Party};
use chrono::{DateTime, Utc};
use la_core::checklist::Text;
use la_core::purchase::{EventSource, TimelineEvent, Verdict, VerdictId, VerdictState};
use serde_json::Value;

/// ResolveCustomer must come within this many seconds of the buyer landing.
pub const RESOLVE_LIMIT_SECS: i64 = 10;
/// Final metering must come within this many seconds of unsubscribe-pending.
pub const FINAL_METERING_SECS: i64 = 3600;
/// Entitlement polls after an entitlement-updated before "no change" is a failure.
pub const ENTITLEMENT_POLLS: usize = 3;

/// Timeline event kinds the verdicts read (the watchers write them).
pub mod kinds {
    pub const LANDING: &str = "landing";
    pub const RESOLVE: &str = "ResolveCustomer";
    pub const METER: &str = "BatchMeterUsage";
    pub const ENTITLEMENTS_CHANGED: &str = "entitlements-changed";
    pub const ENTITLEMENT_UPDATED: &str = "entitlement-updated";
    pub const UNSUBSCRIBE_PENDING: &str = "unsubscribe-pending";
    pub const UNSUBSCRIBE_SUCCESS: &str = "unsubscribe-success";
    pub const LICENSE_DEPROVISIONED: &str = "License Deprovisioned - Manufacturer";
    pub const MALFORMED: &str = "malformed";
    /// A watcher that cannot start (raw: `{"watcher": "entitlements", "reason": …}`).
    pub const WATCHER_UNAVAILABLE: &str = "watcher-unavailable";
}

/// How far the watchers have looked.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// CloudTrail has been read up to this time (source clock), allowing for its delivery delay.
    pub cloudtrail_through: Option<DateTime<Utc>>,
    /// For each completed entitlements poll, the highest timeline `seq` when it finished.
    pub entitlement_polls: Vec<u32>,
    pub buyer_account: String,
    /// The session's product code (empty when unknown): other products' messages are left out.
    pub product_code: String,
}

pub fn time_of(e: &TimelineEvent) -> Option<DateTime<Utc>> {
    let t = e.occurred_at.as_deref().unwrap_or(&e.observed_at);
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The latest event matching `f` that has a time.
fn last_timed(
    events: &[TimelineEvent],
    f: impl Fn(&TimelineEvent) -> bool,
) -> Option<(&TimelineEvent, DateTime<Utc>)> {
    events
        .iter()
        .filter(|e| f(e))
        .filter_map(|e| time_of(e).map(|t| (e, t)))
        .next_back()
}

fn raw_json(e: &TimelineEvent) -> Value {
    serde_json::from_str(&e.raw).unwrap_or(Value::Null)
}

/// The CloudTrail record's errorCode, when the call failed.
fn call_error(e: &TimelineEvent) -> Option<String> {
    raw_json(e)["errorCode"].as_str().map(str::to_string)
}

/// Whether a BatchMeterUsage call metered the buyer (None when its records do not say).
fn meters(e: &TimelineEvent, buyer: &str) -> Option<bool> {
    let v = raw_json(e);
    let records = v["requestParameters"]["usageRecords"].as_array()?;
    Some(records.iter().any(|r| {
        // AWS's examples spell it …AccountId and …AccountID; compare names without case.
        la_aws::checks::billing::meter::member_str(r, "customerAWSAccountId").as_deref()
            == Some(buyer)
    }))
}

fn is(e: &TimelineEvent, source: &[EventSource], kind: &str) -> bool {
    e.kind == kind && source.contains(&e.source)
}

const NOTIFY: [EventSource; 3] = [EventSource::Sqs, EventSource::Sns, EventSource::EventBridge];

fn verdict(id: VerdictId, state: VerdictState, detail: Text, events: Vec<u32>) -> Verdict {
    Verdict {
        id,
        state,
        detail,
        events,
    }
}

fn t(en: impl Into<String>, ja: impl Into<String>) -> Text {
    Text {
        en: en.into(),
        ja: ja.into(),
    }
}

fn through_str(p: &Progress) -> String {
    p.cloudtrail_through
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| "not yet".into())
}

pub fn resolve_within_limit(events: &[TimelineEvent], p: &Progress) -> Verdict {
    let id = VerdictId::ResolveWithin10s;
    let Some((landing, at)) = last_timed(events, |e| e.kind == kinds::LANDING) else {
        return verdict(
            id,
            VerdictState::NotYet,
            t(
                "the buyer has not landed on the registration page yet",
                "購入者はまだ登録ページに到達していません",
            ),
            vec![],
        );
    };
    let calls: Vec<(&TimelineEvent, DateTime<Utc>)> = events
        .iter()
        .filter(|e| is(e, &[EventSource::CloudTrail], kinds::RESOLVE))
        .filter_map(|e| time_of(e).map(|t| (e, t)))
        // CloudTrail has whole seconds: a call in the landing's second counts.
        .filter(|(_, t)| t.timestamp() >= at.timestamp())
        .collect();
    let failed = calls
        .iter()
        .filter(|(e, _)| call_error(e).is_some())
        .count();
    if let Some((call, time)) = calls.iter().find(|(e, _)| call_error(e).is_none()) {
        // CloudTrail keeps whole seconds: a call in the landing's own second reads as 0 s.
        let delay = ((*time - at).num_milliseconds() as f64 / 1000.0).max(0.0);
        let state = if delay <= RESOLVE_LIMIT_SECS as f64 {
            VerdictState::Pass
        } else {
            VerdictState::Fail
        };
        return verdict(
            id,
            state,
            t(
                format!("ResolveCustomer {delay:.0} s after the buyer landed (limit {RESOLVE_LIMIT_SECS} s)"),
                format!("購入者の到達から {delay:.0} 秒後に ResolveCustomer (上限 {RESOLVE_LIMIT_SECS} 秒)"),
            ),
            vec![landing.seq, call.seq],
        );
    }
    let mut seqs = vec![landing.seq];
    seqs.extend(calls.iter().map(|(e, _)| e.seq));
    let (tried, tried_ja) = if failed > 0 {
        (
            format!("; {failed} call(s) failed"),
            format!("。{failed} 件の呼び出しが失敗"),
        )
    } else {
        (String::new(), String::new())
    };
    match p.cloudtrail_through {
        Some(read) if read >= at + chrono::Duration::seconds(RESOLVE_LIMIT_SECS) => verdict(
            id,
            VerdictState::Fail,
            t(
                format!("no successful ResolveCustomer by the SaaS within {RESOLVE_LIMIT_SECS} s of landing (CloudTrail read through {}){tried}", through_str(p)),
                format!("到達から {RESOLVE_LIMIT_SECS} 秒以内に SaaS の ResolveCustomer 成功なし (CloudTrail は {} まで確認){tried_ja}", through_str(p)),
            ),
            seqs,
        ),
        _ => verdict(
            id,
            VerdictState::Pending,
            t(
                format!("waiting for ResolveCustomer in CloudTrail{tried}"),
                format!("CloudTrail の ResolveCustomer を待っています{tried_ja}"),
            ),
            seqs,
        ),
    }
}

pub fn final_metering(events: &[TimelineEvent], p: &Progress) -> Verdict {
    let id = VerdictId::FinalMeteringWithin1h;
    // SNS's unsubscribe-pending opens the hour; a session that receives only EventBridge events
    // has "License Deprovisioned - Manufacturer", which AWS's SaaS EventBridge integration page
    // says marks the start of the final reporting window (docs/SANDBOX.md has the conflict).
    let started = last_timed(events, |e| is(e, &NOTIFY, kinds::UNSUBSCRIBE_PENDING))
        .or_else(|| last_timed(events, |e| is(e, &NOTIFY, kinds::LICENSE_DEPROVISIONED)));
    let Some((pending, at)) = started else {
        return verdict(
            id,
            VerdictState::NotYet,
            t(
                "no unsubscribe-pending (or License Deprovisioned) yet",
                "unsubscribe-pending (または License Deprovisioned) はまだありません",
            ),
            vec![],
        );
    };
    let deadline = at + chrono::Duration::seconds(FINAL_METERING_SECS);
    let record = events
        .iter()
        .filter(|e| is(e, &[EventSource::CloudTrail], kinds::METER))
        .filter(|e| call_error(e).is_none() && meters(e, &p.buyer_account) != Some(false))
        .filter_map(|e| time_of(e).map(|t| (e, t)))
        .find(|(_, t)| t.timestamp() >= at.timestamp() && *t <= deadline);
    if let Some((m, time)) = record {
        return verdict(
            id,
            VerdictState::Pass,
            t(
                format!(
                    "BatchMeterUsage {} min after {}",
                    (time - at).num_minutes(),
                    pending.kind
                ),
                format!(
                    "{} の {} 分後に BatchMeterUsage",
                    pending.kind,
                    (time - at).num_minutes()
                ),
            ),
            vec![pending.seq, m.seq],
        );
    }
    let due = deadline.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    match p.cloudtrail_through {
        Some(read) if read >= deadline => verdict(
            id,
            VerdictState::Fail,
            t(
                format!(
                    "no metering record for {} within 1 h of {} (CloudTrail read through {})",
                    p.buyer_account,
                    pending.kind,
                    through_str(p)
                ),
                format!(
                    "{} から 1 時間以内に {} の使用量レコードなし (CloudTrail は {} まで確認)",
                    pending.kind,
                    p.buyer_account,
                    through_str(p)
                ),
            ),
            vec![pending.seq],
        ),
        _ => verdict(
            id,
            VerdictState::Pending,
            t(
                format!("waiting for the final metering record (due by {due})"),
                format!("最終の使用量レコードを待っています (期限 {due})"),
            ),
            vec![pending.seq],
        ),
    }
}

/// Why GetEntitlements is not read in this session, when its watcher could not start.
fn entitlements_unavailable(events: &[TimelineEvent]) -> Option<(u32, String)> {
    events
        .iter()
        .filter(|e| e.kind == kinds::WATCHER_UNAVAILABLE)
        .find(|e| raw_json(e)["watcher"] == "entitlements")
        .map(|e| {
            let reason = raw_json(e)["reason"].as_str().unwrap_or("?").to_string();
            (e.seq, reason)
        })
}

pub fn entitlement_after_change(events: &[TimelineEvent], p: &Progress) -> Verdict {
    let id = VerdictId::EntitlementAfterChange;
    let updates: Vec<&TimelineEvent> = events
        .iter()
        .filter(|e| is(e, &NOTIFY, kinds::ENTITLEMENT_UPDATED))
        .collect();
    let unavailable = entitlements_unavailable(events);
    if updates.is_empty() {
        let (en, ja, seqs) = match &unavailable {
            Some((seq, why)) => (
                format!("no entitlement-updated yet; this cannot be decided in this session: GetEntitlements is not read ({why})"),
                format!("entitlement-updated はまだありません。このセッションでは判定できません: GetEntitlements を読めません ({why})"),
                vec![*seq],
            ),
            None => (
                "no entitlement-updated yet".to_string(),
                "entitlement-updated はまだありません".to_string(),
                vec![],
            ),
        };
        return verdict(id, VerdictState::NotYet, t(en, ja), seqs);
    }
    let changes: Vec<&TimelineEvent> = events
        .iter()
        .filter(|e| is(e, &[EventSource::Entitlements], kinds::ENTITLEMENTS_CHANGED))
        .collect();
    let mut state = VerdictState::Pass;
    let mut detail = Vec::new();
    let mut detail_ja = Vec::new();
    let mut seqs = Vec::new();
    let mut used = std::collections::HashSet::new();
    for (i, u) in updates.iter().enumerate() {
        // A poll may see the change just before the notification is read: the window of an
        // update runs from the previous update to the next one, and each change counts once.
        let from = if i == 0 { 0 } else { updates[i - 1].seq };
        let to = updates.get(i + 1).map_or(u32::MAX, |n| n.seq);
        seqs.push(u.seq);
        if let Some(c) = changes
            .iter()
            .find(|c| c.seq > from && c.seq < to && !used.contains(&c.seq))
        {
            used.insert(c.seq);
            seqs.push(c.seq);
            detail.push(format!("#{}: {}", u.seq, c.summary.en));
            detail_ja.push(format!("#{}: {}", u.seq, c.summary.ja));
            continue;
        }
        let polls = p.entitlement_polls.iter().filter(|s| **s >= u.seq).count();
        if polls >= ENTITLEMENT_POLLS {
            state = VerdictState::Fail;
            detail.push(format!(
                "#{}: GetEntitlements unchanged after {polls} polls",
                u.seq
            ));
            detail_ja.push(format!(
                "#{}: {polls} 回取得しても GetEntitlements に変化なし",
                u.seq
            ));
        } else {
            if state == VerdictState::Pass {
                state = VerdictState::Pending;
            }
            if let Some((seq, why)) = &unavailable {
                seqs.push(*seq);
                detail.push(format!(
                    "#{}: cannot be decided: GetEntitlements is not read ({why})",
                    u.seq
                ));
                detail_ja.push(format!(
                    "#{}: 判定できません: GetEntitlements を読めません ({why})",
                    u.seq
                ));
            } else {
                detail.push(format!("#{}: waiting for GetEntitlements to change", u.seq));
                detail_ja.push(format!("#{}: GetEntitlements の変化を待っています", u.seq));
            }
        }
    }
    seqs.sort_unstable();
    seqs.dedup();
    verdict(id, state, t(detail.join("; "), detail_ja.join("、")), seqs)
}

pub fn unsubscribe_sequence(events: &[TimelineEvent]) -> Verdict {
    let id = VerdictId::UnsubscribeSequence;
    let pending = events
        .iter()
        .find(|e| is(e, &NOTIFY, kinds::UNSUBSCRIBE_PENDING));
    let success = events
        .iter()
        .find(|e| is(e, &NOTIFY, kinds::UNSUBSCRIBE_SUCCESS));
    match (pending, success) {
        (None, None) => verdict(
            id,
            VerdictState::NotYet,
            t("no cancellation yet", "解約はまだありません"),
            vec![],
        ),
        (None, Some(s)) => verdict(
            id,
            VerdictState::Fail,
            t(
                "unsubscribe-success arrived without unsubscribe-pending",
                "unsubscribe-pending なしに unsubscribe-success が届きました",
            ),
            vec![s.seq],
        ),
        (Some(p), None) => verdict(
            id,
            VerdictState::Pending,
            t(
                "unsubscribe-pending received; waiting for unsubscribe-success",
                "unsubscribe-pending を受信。unsubscribe-success を待っています",
            ),
            vec![p.seq],
        ),
        (Some(p), Some(s)) if s.seq > p.seq => verdict(
            id,
            VerdictState::Pass,
            t(
                "unsubscribe-pending, then unsubscribe-success",
                "unsubscribe-pending の後に unsubscribe-success",
            ),
            vec![p.seq, s.seq],
        ),
        (Some(p), Some(s)) => verdict(
            id,
            VerdictState::Fail,
            t(
                "unsubscribe-success arrived before unsubscribe-pending",
                "unsubscribe-success が unsubscribe-pending より先に届きました",
            ),
            vec![s.seq, p.seq],
        ),
    }
}

/// The notification kinds each verdict rests on (for messages that cannot be attributed).
fn rests_on(id: VerdictId) -> &'static [&'static str] {
    match id {
        VerdictId::ResolveWithin10s => &[],
        VerdictId::EntitlementAfterChange => &[kinds::ENTITLEMENT_UPDATED],
        VerdictId::FinalMeteringWithin1h => {
            &[kinds::UNSUBSCRIBE_PENDING, kinds::LICENSE_DEPROVISIONED]
        }
        VerdictId::UnsubscribeSequence => &[kinds::UNSUBSCRIBE_PENDING, kinds::UNSUBSCRIBE_SUCCESS],
    }
}

/// A verdict that messages of unknown attribution could change says so; one with nothing of
/// its own yet stays undecided rather than "not yet".
fn unattributed(v: &mut Verdict, unknown: &[(&TimelineEvent, String)], buyer: &str) {
    let kinds = rests_on(v.id);
    let relevant: Vec<&(&TimelineEvent, String)> = unknown
        .iter()
        .filter(|(e, _)| kinds.contains(&e.kind.as_str()))
        .collect();
    if relevant.is_empty() {
        return;
    }
    let list = relevant
        .iter()
        .map(|(e, c)| format!("#{} {} for customer {c}", e.seq, e.kind))
        .collect::<Vec<_>>()
        .join(", ");
    if v.state == VerdictState::NotYet {
        v.state = VerdictState::Pending;
        v.detail = t("", "");
    }
    let sep = |s: &str| if s.is_empty() { "" } else { "; " };
    v.detail.en = format!(
        "{}{}cannot be decided yet: {list} may be {buyer}'s, but the queue carries several customers and the session has not learned {buyer}'s customer identifier (GetEntitlements names it for contracts, and so does a sandbox purchase in this session)",
        v.detail.en,
        sep(&v.detail.en)
    );
    v.detail.ja = format!(
        "{}{}まだ判定できません: {list} は {buyer} のものかもしれませんが、キューに複数の顧客のメッセージがあり、{buyer} の customer identifier がまだ分かりません (契約では GetEntitlements、またはこのセッションでのサンドボックス購入で分かります)",
        v.detail.ja,
        if v.detail.ja.is_empty() { "" } else { "。" }
    );
    v.events.extend(relevant.iter().map(|(e, _)| e.seq));
    v.events.sort_unstable();
    v.events.dedup();
}

/// Every verdict, in the order the UI shows them, from the session's own buyer's and product's
/// events: other buyers' and products' notifications are left out.
pub fn verdicts(events: &[TimelineEvent], p: &Progress) -> Vec<Verdict> {
    let id = party::identity(events, &p.buyer_account, &p.product_code);
    let mut own = Vec::with_capacity(events.len());
    let mut unknown = Vec::new();
    for e in events {
        match id.party(e) {
            Party::Mine => own.push(e.clone()),
            Party::Unknown(c) => unknown.push((e, c)),
            Party::OtherBuyer(_) | Party::OtherProduct(_) => {}
        }
    }
    let mut all = vec![
        resolve_within_limit(&own, p),
        entitlement_after_change(&own, p),
        final_metering(&own, p),
        unsubscribe_sequence(&own),
    ];
    for v in &mut all {
        unattributed(v, &unknown, &p.buyer_account);
    }
    all
}

#[cfg(test)]
mod tests;
