//! Whose a notification is. A queue may be shared by several buyers and products: their
//! messages stay on the timeline, marked, but only the session's own buyer and product move its
//! verdicts. Pure: everything is read from the timeline and the session's buyer and product.
//!
//! What AWS puts in each message decides what can be told apart:
//! - EventBridge events name the buyer (`detail.acceptor.accountId`); license events also name
//!   the product (`detail.product.code`), agreement events do not (their product is found
//!   through `detail.agreement.id` when a license event of the same agreement is on the
//!   timeline).
//! - SNS messages name the product (`product-code`) and the buyer only by its
//!   `customer-identifier`. Which identifier is this buyer's comes from GetEntitlements
//!   (filtered by the buyer's account, it returns `CustomerIdentifier`) or from the sandbox
//!   purchase made in the session. Until one of them has named it, a message of a queue that
//!   carries one customer only is taken as the buyer's (a dedicated queue); on a queue carrying
//!   several customers it cannot be attributed, and the verdicts say so.

use crate::message::{self, Parsed};
use la_core::purchase::{EventSource, TimelineEvent};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Timeline kinds whose raw payload tells the buyer's customer identifier.
pub mod learned_from {
    /// The sandbox's answer to a purchase (`customer_identifier`, `customer_aws_account_id`).
    pub const SANDBOX_PURCHASE: &str = "purchase-done";
    /// An entitlements snapshot or change (`customers`: CustomerIdentifier values).
    pub const ENTITLEMENTS: [&str; 2] = ["entitlements", "entitlements-changed"];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Party {
    /// The session's buyer and product (or nothing says otherwise).
    Mine,
    /// Another buyer's: their account ID or customer identifier.
    OtherBuyer(String),
    /// Another product's: its product code.
    OtherProduct(String),
    /// An SNS message for this customer identifier, on a queue carrying several customers,
    /// while the buyer's own identifier is not known yet.
    Unknown(String),
}

impl Party {
    /// The mark put before the event's summary on the timeline.
    pub fn mark(&self) -> Option<la_core::checklist::Text> {
        match self {
            Party::OtherBuyer(who) => {
                Some(la_core::text!("other buyer ({who})", "別の購入者 ({who})"))
            }
            Party::OtherProduct(code) => Some(la_core::text!(
                "other product ({code})",
                "別の製品 ({code})"
            )),
            _ => None,
        }
    }
}

/// What the timeline tells about the session's buyer and product.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub buyer_account: String,
    /// Empty when the session does not know its product code.
    pub product_code: String,
    /// The buyer's customer identifiers for this product.
    pub customer_identifiers: BTreeSet<String>,
    /// Customer identifiers seen in SNS messages for this product.
    pub seen_customers: BTreeSet<String>,
    /// Agreement ID → product code, from EventBridge license events.
    pub agreements: BTreeMap<String, String>,
}

fn raw(e: &TimelineEvent) -> Value {
    serde_json::from_str(&e.raw).unwrap_or(Value::Null)
}

fn is_notification(e: &TimelineEvent) -> bool {
    matches!(
        e.source,
        EventSource::Sqs | EventSource::Sns | EventSource::EventBridge
    ) && !e.malformed
}

impl Identity {
    pub fn new(buyer_account: &str, product_code: &str) -> Self {
        Self {
            buyer_account: buyer_account.to_string(),
            product_code: product_code.to_string(),
            ..Self::default()
        }
    }

    /// Learns from the events (in timeline order) what they tell about the buyer.
    pub fn learn(&mut self, events: &[TimelineEvent]) {
        for e in events {
            self.learn_one(e);
        }
    }

    pub fn learn_one(&mut self, e: &TimelineEvent) {
        match e.source {
            EventSource::Sandbox if e.kind == learned_from::SANDBOX_PURCHASE => {
                let v = raw(e);
                let product = v["product_code"].as_str().unwrap_or_default();
                if v["customer_aws_account_id"].as_str() == Some(self.buyer_account.as_str())
                    && (self.product_code.is_empty() || product == self.product_code)
                {
                    if let Some(c) = v["customer_identifier"].as_str().filter(|c| !c.is_empty()) {
                        self.customer_identifiers.insert(c.to_string());
                    }
                }
            }
            EventSource::Entitlements if learned_from::ENTITLEMENTS.contains(&e.kind.as_str()) => {
                // GetEntitlements was filtered by the buyer's account and the product code.
                if let Some(list) = raw(e)["customers"].as_array() {
                    self.customer_identifiers.extend(
                        list.iter()
                            .filter_map(Value::as_str)
                            .filter(|c| !c.is_empty())
                            .map(str::to_string),
                    );
                }
            }
            _ if is_notification(e) => match message::parse(&e.raw) {
                Parsed::Marketplace(m) => {
                    let ours = match &m.product_code {
                        Some(p) => self.product_code.is_empty() || *p == self.product_code,
                        None => true,
                    };
                    if let (true, Some(c)) = (ours, &m.customer_identifier) {
                        self.seen_customers.insert(c.clone());
                    }
                }
                Parsed::EventBridge(ev) => {
                    if let (Some(a), Some(p)) = (&ev.agreement_id, &ev.product_code) {
                        self.agreements.insert(a.clone(), p.clone());
                    }
                }
                Parsed::Malformed { .. } => {}
            },
            _ => {}
        }
    }

    /// Whose the event is. Anything but a notification is the session's own (the watchers of
    /// entitlements and CloudTrail already read only this buyer's).
    pub fn party(&self, e: &TimelineEvent) -> Party {
        if !is_notification(e) {
            return Party::Mine;
        }
        let other_product = |code: &str| {
            (!self.product_code.is_empty() && code != self.product_code)
                .then(|| Party::OtherProduct(code.to_string()))
        };
        match message::parse(&e.raw) {
            Parsed::Marketplace(m) => {
                if let Some(p) = m.product_code.as_deref().and_then(other_product) {
                    return p;
                }
                // Not a documented SNS field, but a message that has it says who it is for.
                if let Some(acc) = &m.customer_aws_account_id {
                    return if *acc == self.buyer_account {
                        Party::Mine
                    } else {
                        Party::OtherBuyer(acc.clone())
                    };
                }
                let Some(c) = &m.customer_identifier else {
                    return Party::Mine;
                };
                if self.customer_identifiers.contains(c) {
                    Party::Mine
                } else if !self.customer_identifiers.is_empty() {
                    Party::OtherBuyer(c.clone())
                } else if self.seen_customers.len() <= 1 {
                    Party::Mine
                } else {
                    Party::Unknown(c.clone())
                }
            }
            Parsed::EventBridge(ev) => {
                let code = ev.product_code.clone().or_else(|| {
                    ev.agreement_id
                        .as_ref()
                        .and_then(|a| self.agreements.get(a).cloned())
                });
                if let Some(p) = code.as_deref().and_then(other_product) {
                    return p;
                }
                match &ev.acceptor_account {
                    Some(acc) if *acc != self.buyer_account => Party::OtherBuyer(acc.clone()),
                    _ => Party::Mine,
                }
            }
            Parsed::Malformed { .. } => Party::Mine,
        }
    }
}

/// The identity a timeline gives, for a buyer and product.
pub fn identity(events: &[TimelineEvent], buyer_account: &str, product_code: &str) -> Identity {
    let mut id = Identity::new(buyer_account, product_code);
    id.learn(events);
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BUYER: &str = "444455556666";
    const CODE: &str = "demostg7ky5a0d3rqx2ub6y8m";

    fn ev(seq: u32, source: EventSource, kind: &str, raw: String) -> TimelineEvent {
        TimelineEvent {
            seq,
            observed_at: "2026-11-23T10:00:00Z".into(),
            occurred_at: None,
            source,
            kind: kind.into(),
            summary: la_core::checklist::Text::same(kind),
            malformed: false,
            raw,
        }
    }

    /// An SNS envelope around a Marketplace message, as the subscription topic sends it.
    fn sns(action: &str, customer: &str, code: &str) -> String {
        let msg = format!(
            "{{\n\"action\": \"{action}\",\n\"customer-identifier\": \"{customer}\",\n\"product-code\": \"{code}\"\n}}"
        );
        json!({"Type": "Notification", "MessageId": "m", "TopicArn": format!("arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-{code}"), "Message": msg, "Timestamp": "2026-11-23T10:00:00.000Z"}).to_string()
    }

    fn license_event(acceptor: &str, agreement: &str, code: &str) -> String {
        json!({"version": "0", "id": "e", "detail-type": "License Updated - Manufacturer", "source": "aws.agreement-marketplace", "account": "111122223333", "time": "2026-11-23T10:00:00Z", "region": "us-east-1", "resources": [], "detail": {"requestId": "r", "catalog": "AWSMarketplace", "agreement": {"id": agreement}, "product": {"code": code, "id": "prod-x"}, "license": {"arn": "arn:l"}, "acceptor": {"accountId": acceptor}, "proposer": {"accountId": "111122223333"}, "offer": {"id": "offer-1"}}}).to_string()
    }

    fn agreement_event(acceptor: &str, agreement: &str) -> String {
        json!({"version": "0", "id": "e", "detail-type": "Purchase Agreement Ended - Manufacturer", "source": "aws.agreement-marketplace", "account": "111122223333", "time": "2026-11-23T10:00:00Z", "region": "us-east-1", "resources": [], "detail": {"requestId": "r", "catalog": "AWSMarketplace", "agreement": {"id": agreement, "status": "CANCELLED"}, "resaleAuthorization": {"id": null}, "acceptor": {"accountId": acceptor}, "proposer": {"accountId": "111122223333"}, "offer": {"id": "offer-1"}}}).to_string()
    }

    #[test]
    fn sns_messages_by_customer_identifier_and_product() {
        let purchase = ev(
            1,
            EventSource::Sandbox,
            "purchase-done",
            json!({"customer_identifier": "MINE1", "customer_aws_account_id": BUYER, "product_code": CODE}).to_string(),
        );
        let mine = ev(
            2,
            EventSource::Sqs,
            "unsubscribe-pending",
            sns("unsubscribe-pending", "MINE1", CODE),
        );
        let theirs = ev(
            3,
            EventSource::Sqs,
            "unsubscribe-pending",
            sns("unsubscribe-pending", "THEIRS", CODE),
        );
        let other_product = ev(
            4,
            EventSource::Sqs,
            "unsubscribe-pending",
            sns("unsubscribe-pending", "MINE1", "othercode"),
        );
        let all = [
            purchase,
            mine.clone(),
            theirs.clone(),
            other_product.clone(),
        ];
        let id = identity(&all, BUYER, CODE);
        assert_eq!(id.party(&mine), Party::Mine);
        assert_eq!(id.party(&theirs), Party::OtherBuyer("THEIRS".into()));
        assert_eq!(
            id.party(&other_product),
            Party::OtherProduct("othercode".into())
        );
        // Without the purchase, one customer on the queue is the buyer; two cannot be told apart.
        let id = identity(&all[1..2], BUYER, CODE);
        assert_eq!(id.party(&mine), Party::Mine);
        let id = identity(&all[1..3], BUYER, CODE);
        assert_eq!(id.party(&mine), Party::Unknown("MINE1".into()));
        // GetEntitlements for the buyer names the identifier.
        let ents = ev(
            5,
            EventSource::Entitlements,
            "entitlements",
            json!({"entitlements": {}, "customers": ["MINE1"]}).to_string(),
        );
        let id = identity(&[all[1].clone(), all[2].clone(), ents], BUYER, CODE);
        assert_eq!(id.party(&mine), Party::Mine);
        assert_eq!(id.party(&theirs), Party::OtherBuyer("THEIRS".into()));
    }

    #[test]
    fn eventbridge_events_by_acceptor_and_product() {
        let mine = ev(
            1,
            EventSource::EventBridge,
            "License Updated - Manufacturer",
            license_event(BUYER, "agmt-a", CODE),
        );
        let theirs = ev(
            2,
            EventSource::EventBridge,
            "License Updated - Manufacturer",
            license_event("999988887777", "agmt-b", CODE),
        );
        let other_product = ev(
            3,
            EventSource::Sqs,
            "License Updated - Manufacturer",
            license_event(BUYER, "agmt-c", "othercode"),
        );
        // An agreement event has no product: its agreement's license event names it.
        let ended_other_product = ev(
            4,
            EventSource::Sqs,
            "Purchase Agreement Ended - Manufacturer",
            agreement_event(BUYER, "agmt-c"),
        );
        let ended_mine = ev(
            5,
            EventSource::Sqs,
            "Purchase Agreement Ended - Manufacturer",
            agreement_event(BUYER, "agmt-a"),
        );
        let all = [
            mine.clone(),
            theirs.clone(),
            other_product.clone(),
            ended_other_product.clone(),
            ended_mine.clone(),
        ];
        let id = identity(&all, BUYER, CODE);
        assert_eq!(id.party(&mine), Party::Mine);
        assert_eq!(id.party(&theirs), Party::OtherBuyer("999988887777".into()));
        assert_eq!(
            id.party(&other_product),
            Party::OtherProduct("othercode".into())
        );
        assert_eq!(
            id.party(&ended_other_product),
            Party::OtherProduct("othercode".into())
        );
        assert_eq!(id.party(&ended_mine), Party::Mine);
        assert_eq!(
            id.party(&theirs).mark(),
            Some(la_core::checklist::Text::new(
                "other buyer (999988887777)",
                "別の購入者 (999988887777)"
            ))
        );
    }
}
