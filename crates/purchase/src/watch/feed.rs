//! The sandbox's log: the buyer's landing, EventBridge events, and (sandbox mode without a
//! queue) the SNS notifications.

use super::event::notification_event;
use super::session::{Shared, Watcher};
use super::NewEvent;
use crate::verdict::kinds;
use la_core::purchase::{EventSource, WatcherKind};
use serde_json::Value;
use std::time::Duration;

pub(super) struct FeedWatcher {
    pub(super) http: reqwest::Client,
    pub(super) endpoint: String,
    /// The number (`seq`) of the last log entry read; the first poll only takes the position.
    pub(super) cursor: Option<u64>,
    pub(super) notifications: bool,
    pub(super) interval: Duration,
}

impl Watcher for FeedWatcher {
    fn kind(&self) -> WatcherKind {
        WatcherKind::SandboxFeed
    }

    async fn poll(&mut self, shared: &Shared) -> Result<(u32, Duration), String> {
        let url = format!("{}/_sandbox/notifications", self.endpoint);
        // Only what is new since the last read: an idle session's poll moves an empty list, not
        // the whole log (up to a thousand entries) every second.
        let mut req = match self.cursor {
            Some(c) => self.http.get(&url).query(&[("after", c)]),
            None => self.http.get(&url),
        };
        if let Some(secret) = la_sandbox_api::secret::secret_for(&self.endpoint) {
            req = req.header(la_sandbox_api::SECRET_HEADER, secret);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| format!("GET {url}: {}", la_aws::http_error_chain(&e)))?;
        if !resp.status().is_success() {
            return Err(format!("GET {url}: HTTP {}", resp.status()));
        }
        let log: Vec<Value> = resp
            .json()
            .await
            .map_err(|e| format!("GET {url}: not the sandbox's log ({e})"))?;
        // Entries are numbered (`seq`) and the log keeps only its newest ones, so the cursor is
        // the last number read, not a position.
        let seq = |e: &Value| e["seq"].as_u64().unwrap_or(0);
        let newest = log.iter().map(seq).max().unwrap_or(0);
        let after = match self.cursor {
            None => {
                self.cursor = Some(newest);
                return Ok((0, self.interval));
            }
            // Asked for what follows the cursor: nothing new.
            Some(_) if log.is_empty() => return Ok((0, self.interval)),
            // The sandbox restarted with a shorter log (it answers a cursor past its newest
            // entry with the whole log): start over from its beginning.
            Some(c) if c > newest => 0,
            Some(c) => c,
        };
        self.cursor = Some(newest.max(after));
        let log: Vec<&Value> = log.iter().filter(|e| seq(e) > after).collect();
        let mut new = Vec::new();
        for entry in log {
            let time = entry["time"].as_str().map(str::to_string);
            if let Some(ev) = entry.get("eventbridge") {
                new.push(notification_event(
                    &ev.to_string(),
                    EventSource::EventBridge,
                ));
            } else if let Some(l) = entry.get("landing") {
                let via = l["via"].as_str().unwrap_or("direct");
                let status = l["status"]
                    .as_u64()
                    .map_or("".into(), |s| format!(", HTTP {s}"));
                new.push(NewEvent {
                    source: EventSource::Sandbox,
                    kind: kinds::LANDING.into(),
                    summary: {
                        let url = l["url"].as_str().unwrap_or("?");
                        let (how, how_ja) = if via == "browser" {
                            ("through the browser", "ブラウザ経由")
                        } else {
                            ("posted by the sandbox", "サンドボックスが POST")
                        };
                        la_core::text!(
                            "the buyer landed on {url} ({how}{status})",
                            "購入者が {url} に到着しました ({how_ja}{status})",
                        )
                    },
                    occurred_at: time,
                    raw: entry.to_string(),
                    malformed: false,
                });
            } else if self.notifications {
                match entry["body"].as_str() {
                    Some(body) => new.push(notification_event(body, EventSource::Sns)),
                    None => new.push(NewEvent {
                        source: EventSource::Sns,
                        kind: kinds::MALFORMED.into(),
                        summary: la_core::text!(
                            "malformed message: a sandbox log entry without a body",
                            "解析できないメッセージ: 本文のないサンドボックスのログエントリ",
                        ),
                        occurred_at: time,
                        raw: entry.to_string(),
                        malformed: true,
                    }),
                }
            }
        }
        let n = new.len() as u32;
        shared.push_many(new);
        Ok((n, self.interval))
    }
}
