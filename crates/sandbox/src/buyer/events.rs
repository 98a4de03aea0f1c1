//! EventBridge events as AWS Marketplace sends them to the seller's default bus in us-east-1
//! (source `aws.agreement-marketplace`), written from AWS's "Amazon EventBridge events" page
//! (events for agreements and licenses) and its SaaS EventBridge integration page.
//!
//! - Agreement events ("Purchase Agreement Created / Amended / Ended") go to the manufacturer
//!   and to the proposer. The sandbox's offers are direct offers, where the ISV is both, so it
//!   sends both variants. Their detail names the agreement, the acceptor (buyer), the proposer,
//!   the offer and the resale authorization (`null` for a direct offer) — no license, no
//!   product.
//! - License events ("License Updated / Deprovisioned") go to the manufacturer only, and carry
//!   the license ARN and the product (code and ID).
//!
//! AWS documents no order between the two variants of an agreement event; the sandbox sends
//! the Manufacturer variant first.

use crate::model::{License, Product};
use crate::ops::catalog::iso;
use crate::Sandbox;
use serde_json::{json, Value};
use std::io::Write;

pub const SOURCE: &str = "aws.agreement-marketplace";

/// Who receives an event: the ISV is the manufacturer; the proposer extended the offer (the
/// ISV too for a direct offer, a channel partner for a resold one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Manufacturer,
    Proposer,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Manufacturer => "Manufacturer",
            Role::Proposer => "Proposer",
        }
    }
}

/// What happened to the agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgreementChange {
    Created,
    Amended,
    /// `status`: CANCELLED when the buyer cancels, EXPIRED at the end of a contract.
    Ended {
        status: &'static str,
    },
}

impl AgreementChange {
    fn name(self) -> &'static str {
        match self {
            AgreementChange::Created => "Purchase Agreement Created",
            AgreementChange::Amended => "Purchase Agreement Amended",
            AgreementChange::Ended { .. } => "Purchase Agreement Ended",
        }
    }
}

pub const LICENSE_UPDATED: &str = "License Updated - Manufacturer";
pub const LICENSE_DEPROVISIONED: &str = "License Deprovisioned - Manufacturer";

fn envelope(
    detail_type: &str,
    seller: &str,
    agreement_id: &str,
    time: i64,
    detail: Value,
) -> Value {
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": detail_type,
        "source": SOURCE,
        "account": seller,
        "time": iso(time),
        "region": "us-east-1",
        "resources": [format!("arn:aws:aws-marketplace::aws:agreement:{agreement_id}")],
        "detail": detail,
    })
}

/// A "Purchase Agreement …" event for one recipient.
pub fn agreement_event(
    change: AgreementChange,
    role: Role,
    license: &License,
    product: &Product,
    seller: &str,
    time: i64,
) -> Value {
    let agreement = match change {
        AgreementChange::Created | AgreementChange::Amended => json!({
            "id": license.agreement_id,
            "intent": if change == AgreementChange::Created { "NEW" } else { "AMEND" },
            "status": "ACTIVE",
            "acceptanceTime": iso(license.created),
            "startTime": iso(license.created),
            "endTime": iso(license.expires),
        }),
        AgreementChange::Ended { status } => json!({"id": license.agreement_id, "status": status}),
    };
    let detail = json!({
        "requestId": uuid::Uuid::new_v4().to_string(),
        "catalog": "AWSMarketplace",
        "agreement": agreement,
        // A direct offer has no resale authorization.
        "resaleAuthorization": {"id": null},
        "acceptor": {"accountId": license.customer_aws_account_id},
        "proposer": {"accountId": seller},
        "offer": {"id": product.offer_id},
    });
    envelope(
        &format!("{} - {}", change.name(), role.as_str()),
        seller,
        &license.agreement_id,
        time,
        detail,
    )
}

/// A "License Updated" or "License Deprovisioned" event (the manufacturer's).
pub fn license_event(
    detail_type: &str,
    license: &License,
    product: &Product,
    seller: &str,
    time: i64,
) -> Value {
    let detail = json!({
        "requestId": uuid::Uuid::new_v4().to_string(),
        "catalog": "AWSMarketplace",
        "agreement": {"id": license.agreement_id},
        "product": {"code": product.code, "id": product.entity_id},
        "license": {"arn": license.license_arn},
        "acceptor": {"accountId": license.customer_aws_account_id},
        "proposer": {"accountId": seller},
        "offer": {"id": product.offer_id},
    });
    envelope(detail_type, seller, &license.agreement_id, time, detail)
}

impl Sandbox {
    /// Appends an event to the events file and the in-memory log.
    fn emit(&self, ev: Value) {
        if let Some(path) = &self.config.events_file {
            let line = format!("{ev}\n");
            let res = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| f.write_all(line.as_bytes()));
            if let Err(e) = res {
                tracing::warn!(error = %e, "could not append EventBridge event");
            }
        }
        self.log_notification(json!({"eventbridge": ev, "time": iso(self.now())}));
    }

    /// Both variants of an agreement event: the sandbox's ISV is manufacturer and proposer.
    pub(super) fn agreement_events(
        &self,
        change: AgreementChange,
        license: &License,
        product: &Product,
    ) {
        for role in [Role::Manufacturer, Role::Proposer] {
            self.emit(agreement_event(
                change,
                role,
                license,
                product,
                &self.config.seller_account_id,
                self.now(),
            ));
        }
    }

    pub(super) fn emit_license(&self, detail_type: &str, license: &License, product: &Product) {
        self.emit(license_event(
            detail_type,
            license,
            product,
            &self.config.seller_account_id,
            self.now(),
        ));
    }
}
