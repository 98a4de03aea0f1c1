//! Automatic verdicts: what the app can decide from a session's timeline alone. Pure functions
//! of the events and of how far the watchers have looked, so every outcome is tested on
//! hand-built timelines, and no verdict depends on when it is computed.
//!
//! Delays are measured with each event's own clock (`occurred_at`: the sandbox clock in sandbox
//! mode, AWS's times in real mode). A deadline counts as passed only once CloudTrail has been
//! read through it (`cloudtrail_through`, in the same clock), because CloudTrail delivers late.

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
    pub const MALFORMED: &str = "malformed";
}

/// How far the watchers have looked.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// CloudTrail has been read up to this time (source clock), allowing for its delivery delay.
    pub cloudtrail_through: Option<DateTime<Utc>>,
    /// For each completed entitlements poll, the highest timeline `seq` when it finished.
    pub entitlement_polls: Vec<u32>,
    pub buyer_account: String,
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
        r["customerAWSAccountId"].as_str() == Some(buyer)
            || r["customerAwsAccountId"].as_str() == Some(buyer)
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
    let Some((pending, at)) = last_timed(events, |e| is(e, &NOTIFY, kinds::UNSUBSCRIBE_PENDING))
    else {
        return verdict(
            id,
            VerdictState::NotYet,
            t(
                "no unsubscribe-pending yet",
                "unsubscribe-pending はまだありません",
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
                    "BatchMeterUsage {} min after unsubscribe-pending",
                    (time - at).num_minutes()
                ),
                format!(
                    "unsubscribe-pending の {} 分後に BatchMeterUsage",
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
                format!("no metering record for {} within 1 h of unsubscribe-pending (CloudTrail read through {})", p.buyer_account, through_str(p)),
                format!("unsubscribe-pending から 1 時間以内に {} の使用量レコードなし (CloudTrail は {} まで確認)", p.buyer_account, through_str(p)),
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

pub fn entitlement_after_change(events: &[TimelineEvent], p: &Progress) -> Verdict {
    let id = VerdictId::EntitlementAfterChange;
    let updates: Vec<&TimelineEvent> = events
        .iter()
        .filter(|e| is(e, &NOTIFY, kinds::ENTITLEMENT_UPDATED))
        .collect();
    if updates.is_empty() {
        return verdict(
            id,
            VerdictState::NotYet,
            t(
                "no entitlement-updated yet",
                "entitlement-updated はまだありません",
            ),
            vec![],
        );
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
            detail.push(format!("#{}: {}", u.seq, c.summary));
            detail_ja.push(format!("#{}: {}", u.seq, c.summary));
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
            detail.push(format!("#{}: waiting for GetEntitlements to change", u.seq));
            detail_ja.push(format!("#{}: GetEntitlements の変化を待っています", u.seq));
        }
    }
    seqs.sort_unstable();
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

/// Every verdict, in the order the UI shows them.
pub fn verdicts(events: &[TimelineEvent], p: &Progress) -> Vec<Verdict> {
    vec![
        resolve_within_limit(events, p),
        entitlement_after_change(events, p),
        final_metering(events, p),
        unsubscribe_sequence(events),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(seq: u32, source: EventSource, kind: &str, at: &str, raw: Value) -> TimelineEvent {
        TimelineEvent {
            seq,
            observed_at: "2026-11-23T10:00:00Z".into(),
            occurred_at: Some(at.into()),
            source,
            kind: kind.into(),
            summary: kind.into(),
            malformed: false,
            raw: raw.to_string(),
        }
    }
    fn t(s: &str) -> Option<DateTime<Utc>> {
        Some(
            DateTime::parse_from_rfc3339(s)
                .expect("time")
                .with_timezone(&Utc),
        )
    }
    fn progress(through: &str) -> Progress {
        Progress {
            cloudtrail_through: t(through),
            entitlement_polls: vec![],
            buyer_account: "444455556666".into(),
        }
    }
    fn landing() -> TimelineEvent {
        ev(
            1,
            EventSource::Sandbox,
            kinds::LANDING,
            "2026-11-23T10:00:00Z",
            json!({}),
        )
    }

    #[test]
    fn resolve_pass_late_missing_and_pending() {
        let p = progress("2026-11-23T10:05:00Z");
        let quick = ev(
            2,
            EventSource::CloudTrail,
            kinds::RESOLVE,
            "2026-11-23T10:00:03Z",
            json!({}),
        );
        assert_eq!(
            resolve_within_limit(&[landing(), quick], &p).state,
            VerdictState::Pass
        );
        let late = ev(
            2,
            EventSource::CloudTrail,
            kinds::RESOLVE,
            "2026-11-23T10:00:42Z",
            json!({}),
        );
        let v = resolve_within_limit(&[landing(), late], &p);
        assert_eq!(v.state, VerdictState::Fail);
        assert!(v.detail.en.contains("42 s"), "{}", v.detail.en);
        assert!(v.detail.ja.contains("42 秒"), "{}", v.detail.ja);
        let failed = ev(
            2,
            EventSource::CloudTrail,
            kinds::RESOLVE,
            "2026-11-23T10:00:01Z",
            json!({"errorCode": "InvalidTokenException"}),
        );
        let v = resolve_within_limit(&[landing(), failed.clone()], &p);
        assert_eq!(v.state, VerdictState::Fail);
        assert!(v.detail.en.contains("1 call(s) failed"));
        // CloudTrail not yet read past the deadline: undecided.
        assert_eq!(
            resolve_within_limit(&[landing(), failed], &progress("2026-11-23T10:00:05Z")).state,
            VerdictState::Pending
        );
        assert_eq!(resolve_within_limit(&[], &p).state, VerdictState::NotYet);
        // A call from before the landing does not count.
        let before = ev(
            2,
            EventSource::CloudTrail,
            kinds::RESOLVE,
            "2026-11-23T09:59:00Z",
            json!({}),
        );
        assert_eq!(
            resolve_within_limit(&[landing(), before], &p).state,
            VerdictState::Fail
        );
    }

    #[test]
    fn final_metering_within_the_hour_or_not() {
        let pending = ev(
            1,
            EventSource::Sqs,
            kinds::UNSUBSCRIBE_PENDING,
            "2026-11-23T10:00:00.500Z",
            json!({}),
        );
        let rec = |at: &str, buyer: &str| {
            ev(
                2,
                EventSource::CloudTrail,
                kinds::METER,
                at,
                json!({"requestParameters": {"usageRecords": [{"customerAWSAccountId": buyer}]}}),
            )
        };
        let after = progress("2026-11-23T11:30:00Z");
        assert_eq!(
            final_metering(
                &[pending.clone(), rec("2026-11-23T10:20:00Z", "444455556666")],
                &after
            )
            .state,
            VerdictState::Pass
        );
        assert_eq!(
            final_metering(
                &[pending.clone(), rec("2026-11-23T11:20:00Z", "444455556666")],
                &after
            )
            .state,
            VerdictState::Fail
        );
        // Another customer's record is not this buyer's final metering.
        assert_eq!(
            final_metering(
                &[pending.clone(), rec("2026-11-23T10:20:00Z", "999999999999")],
                &after
            )
            .state,
            VerdictState::Fail
        );
        assert_eq!(
            final_metering(
                std::slice::from_ref(&pending),
                &progress("2026-11-23T10:30:00Z")
            )
            .state,
            VerdictState::Pending
        );
        assert_eq!(final_metering(&[], &after).state, VerdictState::NotYet);
    }

    #[test]
    fn entitlement_change_seen_missing_or_awaited() {
        let upd = ev(
            2,
            EventSource::Sqs,
            kinds::ENTITLEMENT_UPDATED,
            "2026-11-23T10:00:00Z",
            json!({}),
        );
        let change = ev(
            3,
            EventSource::Entitlements,
            kinds::ENTITLEMENTS_CHANGED,
            "2026-11-23T10:00:01Z",
            json!({}),
        );
        let mut p = progress("2026-11-23T10:00:00Z");
        assert_eq!(
            entitlement_after_change(&[upd.clone(), change.clone()], &p).state,
            VerdictState::Pass
        );
        // The poll saw the change just before the notification was read.
        let early = TimelineEvent {
            seq: 1,
            ..change.clone()
        };
        assert_eq!(
            entitlement_after_change(&[early, upd.clone()], &p).state,
            VerdictState::Pass
        );
        // Two updates, one change: the second update's window does not reuse the first's change.
        let upd2 = TimelineEvent {
            seq: 4,
            ..upd.clone()
        };
        p.entitlement_polls = vec![4, 4, 4];
        let v = entitlement_after_change(&[upd.clone(), change.clone(), upd2], &p);
        assert_eq!(v.state, VerdictState::Fail, "{}", v.detail.en);
        p.entitlement_polls = vec![2, 2];
        assert_eq!(
            entitlement_after_change(std::slice::from_ref(&upd), &p).state,
            VerdictState::Pending
        );
        p.entitlement_polls = vec![2, 2, 2];
        assert_eq!(
            entitlement_after_change(std::slice::from_ref(&upd), &p).state,
            VerdictState::Fail
        );
        assert_eq!(
            entitlement_after_change(&[], &p).state,
            VerdictState::NotYet
        );
    }

    #[test]
    fn unsubscribe_order() {
        let pend = |s| {
            ev(
                s,
                EventSource::Sqs,
                kinds::UNSUBSCRIBE_PENDING,
                "2026-11-23T10:00:00Z",
                json!({}),
            )
        };
        let ok = |s| {
            ev(
                s,
                EventSource::Sqs,
                kinds::UNSUBSCRIBE_SUCCESS,
                "2026-11-23T11:00:00Z",
                json!({}),
            )
        };
        assert_eq!(
            unsubscribe_sequence(&[pend(1), ok(2)]).state,
            VerdictState::Pass
        );
        assert_eq!(
            unsubscribe_sequence(&[ok(1), pend(2)]).state,
            VerdictState::Fail
        );
        assert_eq!(unsubscribe_sequence(&[ok(1)]).state, VerdictState::Fail);
        assert_eq!(
            unsubscribe_sequence(&[pend(1)]).state,
            VerdictState::Pending
        );
        assert_eq!(unsubscribe_sequence(&[]).state, VerdictState::NotYet);
    }
}
