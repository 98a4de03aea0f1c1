//! A notification (an SQS body or a sandbox log entry) as a timeline event.

use super::NewEvent;
use crate::message::{self, Parsed};
use crate::verdict::kinds;
use la_core::purchase::EventSource;

/// A notification (SQS body or sandbox log entry) as a timeline event.
pub fn notification_event(body: &str, source: EventSource) -> NewEvent {
    match message::parse(body) {
        Parsed::Marketplace(m) => {
            let who = m
                .customer_aws_account_id
                .as_deref()
                .or(m.customer_identifier.as_deref())
                .unwrap_or("?");
            let mut summary = format!("{} for customer {who}", m.action.as_str());
            if let Some(code) = &m.product_code {
                summary.push_str(&format!(", product {code}"));
            }
            if let Some(offer) = &m.offer_identifier {
                summary.push_str(&format!(", offer {offer}"));
            }
            if m.free_trial == Some(true) {
                summary.push_str(" (free trial)");
            }
            NewEvent {
                source,
                kind: m.action.as_str().to_string(),
                summary,
                occurred_at: m.timestamp.clone(),
                raw: body.to_string(),
                malformed: false,
            }
        }
        Parsed::EventBridge(e) => {
            let mut summary = e.detail_type.clone();
            if let Some(a) = &e.agreement_id {
                summary.push_str(&format!(", agreement {a}"));
            }
            if let Some(acc) = &e.acceptor_account {
                summary.push_str(&format!(", buyer {acc}"));
            }
            if let Some(s) = &e.status {
                summary.push_str(&format!(" ({s})"));
            }
            NewEvent {
                source: EventSource::EventBridge,
                kind: e.detail_type.clone(),
                summary,
                occurred_at: e.time.clone(),
                raw: body.to_string(),
                malformed: false,
            }
        }
        Parsed::Malformed { reason } => NewEvent {
            source,
            kind: kinds::MALFORMED.into(),
            summary: format!("malformed message: {reason}"),
            occurred_at: None,
            raw: body.to_string(),
            malformed: true,
        },
    }
}
