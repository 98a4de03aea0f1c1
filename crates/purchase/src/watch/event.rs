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
            let action = m.action.as_str();
            let mut summary =
                la_core::text!("{action} for customer {who}", "顧客 {who} の {action}");
            if let Some(code) = &m.product_code {
                summary.en.push_str(&format!(", product {code}"));
                summary.ja.push_str(&format!("、製品 {code}"));
            }
            if let Some(offer) = &m.offer_identifier {
                summary.en.push_str(&format!(", offer {offer}"));
                summary.ja.push_str(&format!("、オファー {offer}"));
            }
            if m.free_trial == Some(true) {
                summary.en.push_str(" (free trial)");
                summary.ja.push_str(" (無料トライアル)");
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
            let mut summary = la_core::checklist::Text::same(e.detail_type.clone());
            if let Some(a) = &e.agreement_id {
                summary.en.push_str(&format!(", agreement {a}"));
                summary.ja.push_str(&format!("、契約 {a}"));
            }
            if let Some(acc) = &e.acceptor_account {
                summary.en.push_str(&format!(", buyer {acc}"));
                summary.ja.push_str(&format!("、購入者 {acc}"));
            }
            if let Some(s) = &e.status {
                summary.en.push_str(&format!(" ({s})"));
                summary.ja.push_str(&format!(" ({s})"));
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
            summary: la_core::text!(
                "malformed message: {reason}",
                "解析できないメッセージ: {reason}"
            ),
            occurred_at: None,
            raw: body.to_string(),
            malformed: true,
        },
    }
}
