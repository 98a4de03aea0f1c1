//! The CloudTrail watcher: the SaaS's ResolveCustomer and BatchMeterUsage calls (this app's own
//! calls left out by their access key), and how far CloudTrail has been read.

use super::session::{Shared, Watcher};
use super::NewEvent;
use crate::verdict::kinds;
use chrono::{DateTime, SecondsFormat, Utc};
use la_aws::checks::billing::meter::member_str;
use la_core::purchase::{EventSource, WatcherKind};
use serde_json::Value;
use std::collections::HashSet;
use std::time::Duration;

pub(super) struct CloudTrailWatcher {
    pub(super) client: aws_sdk_cloudtrail::Client,
    pub(super) http: reqwest::Client,
    pub(super) sandbox: Option<String>,
    pub(super) delay: Duration,
    pub(super) own: Vec<String>,
    /// Event ids already seen; the first poll takes what exists as history.
    pub(super) seen: Option<HashSet<String>>,
    pub(super) buyer: String,
    pub(super) interval: Duration,
    /// The clock reading the last answer was complete up to.
    pub(super) through: Option<DateTime<Utc>>,
}

/// How far before the last read's clock the next read starts (the `seen` ids drop the repeats).
const SINCE_MARGIN_SECS: i64 = 5;

impl CloudTrailWatcher {
    /// "Now" by the clock CloudTrail's times are in: the sandbox's, or AWS's less its delay.
    async fn clock(&self) -> Result<DateTime<Utc>, String> {
        match &self.sandbox {
            Some(ep) => {
                let url = format!("{}/_sandbox/clock", ep.trim_end_matches('/'));
                let mut req = self.http.get(&url);
                if let Some(secret) = la_sandbox_api::secret::secret_for(ep) {
                    req = req.header(la_sandbox_api::SECRET_HEADER, secret);
                }
                let v: Value = req
                    .send()
                    .await
                    .map_err(|e| format!("GET {url}: {}", la_aws::http_error_chain(&e)))?
                    .json()
                    .await
                    .map_err(|e| format!("GET {url}: {e}"))?;
                v["now"]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc))
                    .ok_or_else(|| format!("GET {url}: no clock in the answer"))
            }
            None => Ok(Utc::now() - chrono::Duration::from_std(self.delay).unwrap_or_default()),
        }
    }
}

impl Watcher for CloudTrailWatcher {
    fn kind(&self) -> WatcherKind {
        WatcherKind::CloudTrail
    }

    async fn poll(&mut self, shared: &Shared) -> Result<(u32, Duration), String> {
        use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
        // Read the clock first: everything up to it is in the answer that follows.
        let through = self.clock().await?;
        let mut found: Vec<(i64, NewEvent, String)> = Vec::new();
        for name in [kinds::RESOLVE, kinds::METER] {
            let attr = LookupAttribute::builder()
                .attribute_key(LookupAttributeKey::EventName)
                .attribute_value(name)
                .build()
                .map_err(|e| e.to_string())?;
            let mut lookup = self.client.lookup_events().lookup_attributes(attr);
            // After the first read, only calls since the last one (less a few seconds for calls
            // recorded in the same second, or delivered a little late): an idle session's poll
            // moves an empty page, not the newest fifty calls every time.
            if let (Some(_), Some(last)) = (&self.seen, self.through) {
                let since = last - chrono::Duration::seconds(SINCE_MARGIN_SECS);
                lookup = lookup.start_time(aws_sdk_cloudtrail::primitives::DateTime::from_secs(
                    since.timestamp(),
                ));
            }
            let out = lookup
                .max_results(50)
                .send()
                .await
                .map_err(|e| la_aws::marketplace::app_error("LookupEvents", &e).message)?;
            for e in out.events() {
                let id = e.event_id().unwrap_or_default().to_string();
                let key = e.access_key_id().unwrap_or_default();
                if self.own.iter().any(|k| k == key) {
                    continue;
                }
                let raw = e.cloud_trail_event().unwrap_or_default().to_string();
                let record: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
                let secs = e.event_time().map(|t| t.secs()).unwrap_or_default();
                let at = DateTime::from_timestamp(secs, 0)
                    .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
                let mut summary = la_core::text!(
                    "{name} by the SaaS (access key {key})",
                    "SaaS による {name} (アクセスキー {key})"
                );
                if name == kinds::METER {
                    let records = record["requestParameters"]["usageRecords"].as_array();
                    let n = records.map_or(0, Vec::len);
                    let mine = records.map_or(0, |r| {
                        r.iter()
                            .filter(|r| {
                                // AWS's examples spell it …AccountId and …AccountID.
                                member_str(r, "customerAWSAccountId").as_deref()
                                    == Some(self.buyer.as_str())
                            })
                            .count()
                    });
                    summary
                        .en
                        .push_str(&format!(": {n} record(s), {mine} for {}", self.buyer));
                    summary.ja.push_str(&format!(
                        ": レコード {n} 件、うち {} 向け {mine} 件",
                        self.buyer
                    ));
                }
                if let Some(code) = record["errorCode"].as_str() {
                    summary.en.push_str(&format!(" — failed: {code}"));
                    summary.ja.push_str(&format!(" — 失敗: {code}"));
                }
                found.push((
                    secs,
                    NewEvent {
                        source: EventSource::CloudTrail,
                        kind: name.to_string(),
                        summary,
                        occurred_at: at,
                        raw,
                        malformed: false,
                    },
                    id,
                ));
            }
        }
        let mut new = Vec::new();
        match &mut self.seen {
            None => self.seen = Some(found.into_iter().map(|(_, _, id)| id).collect()),
            Some(seen) => {
                found.sort_by_key(|(t, _, _)| *t);
                for (_, e, id) in found {
                    if seen.insert(id) {
                        new.push(e);
                    }
                }
            }
        }
        let n = new.len() as u32;
        self.through = Some(through);
        {
            let mut p = shared.progress.lock().unwrap_or_else(|p| p.into_inner());
            p.cloudtrail_through = Some(through);
        }
        shared.push_many(new);
        shared.recompute();
        Ok((n, self.interval))
    }
}
