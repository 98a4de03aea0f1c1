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
    /// Entries of the log already read; the first poll only takes the position.
    pub(super) cursor: Option<usize>,
    pub(super) notifications: bool,
    pub(super) interval: Duration,
}

impl Watcher for FeedWatcher {
    fn kind(&self) -> WatcherKind {
        WatcherKind::SandboxFeed
    }

    async fn poll(&mut self, shared: &Shared) -> Result<(u32, Duration), String> {
        let url = format!("{}/_sandbox/notifications", self.endpoint);
        let resp = self
            .http
            .get(&url)
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
        let from = match self.cursor {
            None => {
                self.cursor = Some(log.len());
                return Ok((0, self.interval));
            }
            // The sandbox restarted with a shorter log: start over from its beginning.
            Some(c) if c > log.len() => 0,
            Some(c) => c,
        };
        self.cursor = Some(log.len());
        let mut new = Vec::new();
        for entry in &log[from..] {
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
