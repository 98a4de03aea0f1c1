//! The SQS watcher: long-polls the environment's queue, deletes what it reads (a dedicated
//! watcher queue) or peeks (releases each message at once, so the SaaS still gets it).

use super::event::notification_event;
use super::session::{Shared, Watcher};
use super::SqsWatch;
use chrono::{DateTime, SecondsFormat};
use la_core::purchase::{EventSource, WatcherKind};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

pub(super) struct SqsWatcher {
    pub(super) client: aws_sdk_sqs::Client,
    pub(super) watch: SqsWatch,
    /// Message ids already on the timeline (peeking receives the same message again).
    pub(super) seen: HashSet<String>,
    /// Deletes in flight: the next receive does not wait for them.
    pub(super) deletes: JoinSet<()>,
    pub(super) delete_errors: Arc<AtomicUsize>,
}

/// How long a peeked message stays hidden if it is never released.
const PEEK_VISIBILITY_SECS: i32 = 3;

/// Deletes in flight at most; beyond that the watcher waits for one to finish.
const DELETES_IN_FLIGHT: usize = 8;

impl Watcher for SqsWatcher {
    fn kind(&self) -> WatcherKind {
        WatcherKind::Sqs
    }

    async fn finish(&mut self) {
        while self.deletes.join_next().await.is_some() {}
    }

    async fn poll(&mut self, shared: &Shared) -> Result<(u32, Duration), String> {
        while self.deletes.try_join_next().is_some() {}
        let mut receive = self.client.receive_message();
        if !self.watch.delete {
            // Peeking hides a message from the SaaS only briefly, even if this app stops between
            // the receive and the release.
            receive = receive.visibility_timeout(PEEK_VISIBILITY_SECS);
        }
        let out = receive
            .queue_url(&self.watch.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(self.watch.wait_secs.clamp(0, 20))
            .message_system_attribute_names(
                aws_sdk_sqs::types::MessageSystemAttributeName::SentTimestamp,
            )
            .send()
            .await
            .map_err(|e| la_aws::marketplace::app_error("ReceiveMessage", &e).message)?;
        let mut new = Vec::new();
        let mut handles = Vec::new();
        for m in out.messages() {
            let id = m.message_id().unwrap_or_default().to_string();
            if let Some(h) = m.receipt_handle() {
                handles.push((id.clone(), h.to_string()));
            }
            if !self.seen.insert(id) {
                continue;
            }
            let mut e = notification_event(m.body().unwrap_or_default(), EventSource::Sqs);
            if e.occurred_at.is_none() {
                // EventBridge events carry their time; anything else gets the time SQS got it.
                e.occurred_at = m
                    .attributes()
                    .and_then(|a| {
                        a.get(&aws_sdk_sqs::types::MessageSystemAttributeName::SentTimestamp)
                    })
                    .and_then(|t| t.parse::<i64>().ok())
                    .and_then(DateTime::from_timestamp_millis)
                    .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true));
            }
            new.push(e);
        }
        let n = new.len() as u32;
        shared.push_many(new);
        if !handles.is_empty() {
            while self.deletes.len() >= DELETES_IN_FLIGHT {
                self.deletes.join_next().await;
            }
            let client = self.client.clone();
            let queue = self.watch.queue_url.clone();
            let errors = self.delete_errors.clone();
            let delete = self.watch.delete;
            self.deletes.spawn(async move {
                let res = if delete {
                    let mut b = client.delete_message_batch().queue_url(&queue);
                    for (i, (_, h)) in handles.iter().enumerate() {
                        if let Ok(entry) = aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                            .id(i.to_string())
                            .receipt_handle(h)
                            .build()
                        {
                            b = b.entries(entry);
                        }
                    }
                    b.send().await.map(|o| o.failed().len()).map_err(|e| e.to_string())
                } else {
                    // Peek: visible again at once, so the SaaS's own consumer gets it.
                    let mut b = client.change_message_visibility_batch().queue_url(&queue);
                    for (i, (_, h)) in handles.iter().enumerate() {
                        if let Ok(entry) = aws_sdk_sqs::types::ChangeMessageVisibilityBatchRequestEntry::builder()
                            .id(i.to_string())
                            .receipt_handle(h)
                            .visibility_timeout(0)
                            .build()
                        {
                            b = b.entries(entry);
                        }
                    }
                    b.send().await.map(|o| o.failed().len()).map_err(|e| e.to_string())
                };
                match res {
                    Ok(0) => {}
                    Ok(failed) => {
                        errors.fetch_add(failed, Ordering::Relaxed);
                    }
                    Err(e) => {
                        errors.fetch_add(handles.len(), Ordering::Relaxed);
                        tracing::warn!(error = %e, delete, "could not delete or release SQS messages");
                    }
                }
            });
        }
        // Peeking sees its own released messages again at once: rest a moment when a batch
        // brought nothing new, so the watcher does not spin against the SaaS's consumer.
        let rest = if !self.watch.delete && n == 0 && !out.messages().is_empty() {
            Duration::from_secs(2)
        } else {
            Duration::ZERO
        };
        Ok((n, rest))
    }
}
