//! The sandbox driven by the official AWS SDK for Rust clients: every operation, every error,
//! both Entitlement protocols, pagination, SigV4, access denial and fault injection.

#[path = "../common.rs"]
mod common;

mod auth;
mod catalog_api;
mod metering_api;

use aws_sdk_marketplacecatalog as catalog;
use aws_sdk_marketplaceentitlement as entitlement;
use aws_sdk_marketplacemetering as metering;
use aws_smithy_types::DateTime;
use common::*;
use la_sandbox::buyer::PurchaseRequest;
use la_sandbox::{Config, Fault};
use metering::error::ProvideErrorMetadata;
use metering::types::UsageRecord;

pub(crate) fn code<E: ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or("<no code>").to_string()
}

pub(crate) fn now_dt(offset: i64) -> DateTime {
    DateTime::from_secs(chrono::Utc::now().timestamp() + offset)
}

pub(crate) async fn buy(
    run: &la_sandbox::Running,
    product: &str,
    buyer: &str,
) -> la_sandbox::buyer::PurchaseResult {
    run.sandbox
        .purchase(&PurchaseRequest {
            product: product.into(),
            buyer_account: buyer.into(),
            redirect: false,
            ..Default::default()
        })
        .await
        .expect("purchase")
}

pub(crate) fn record(dim: &str, account: &str, qty: i32, ts: DateTime) -> UsageRecord {
    UsageRecord::builder()
        .timestamp(ts)
        .customer_aws_account_id(account)
        .dimension(dim)
        .quantity(qty)
        .build()
        .expect("record")
}
