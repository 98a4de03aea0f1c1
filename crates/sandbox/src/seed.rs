//! `--seed demo`: the products the app's Demo workspace points at (one per environment,
//! contract with consumption) and a subscription product, all Limited with test buyers
//! allow-listed. Their fulfillment URLs are the sandbox's own demo SaaS landing page.

use crate::error::AwsResult;
use crate::model::{Dimension, PricingModel, Product};
use crate::Sandbox;

/// Kept equal to `la_core::demo` (a test in the CLI crate checks it).
pub const DEMO_PRODUCTS: &[(&str, &str, &str, &str)] = &[
    (
        "prod-demostg4a7k2q",
        "demostg7ky5a0d3rqx2ub6y8m",
        "staging",
        "444455556666",
    ),
    (
        "prod-demoprd9x3m1w",
        "demoprd1c4hz9w2v0tq8sn5bk",
        "production",
        "777788889999",
    ),
];
pub const DEMO_SUBSCRIPTION: (&str, &str) = ("prod-demosub2k8v5n", "demosub5t1qz8x0w7r3m9c6p2");

fn dims(contract: bool) -> Vec<Dimension> {
    let mut d = vec![Dimension {
        key: "api_calls".into(),
        name: "API calls (per 1,000)".into(),
        description: "Thousands of API calls".into(),
        types: vec!["ExternallyMetered".into()],
        unit: "Units".into(),
    }];
    if contract {
        d.insert(
            0,
            Dimension {
                key: "seats".into(),
                name: "Seats".into(),
                description: "Named users".into(),
                types: vec!["Entitled".into()],
                unit: "Users".into(),
            },
        );
    }
    d
}

/// The demo products' listing information beyond title and descriptions.
fn demo_info() -> serde_json::Value {
    serde_json::json!({
        "Highlights": ["Dashboards in minutes", "Usage-based pricing"],
        "SearchKeywords": ["analytics", "dashboards"],
        "Categories": ["Data Analytics", "Business Intelligence"],
        "SupportDescription": "Email support@acme.example within one business day.",
    })
}

/// Seeds the demo products (again, if asked twice: they are upserted), with fulfillment URLs
/// under `base_url`.
pub fn demo(sb: &Sandbox, base_url: &str) -> AwsResult<Vec<Product>> {
    let now = sb.now();
    let mut out = Vec::new();
    for (id, code, env, buyer) in DEMO_PRODUCTS {
        out.push(Product {
            entity_id: id.to_string(),
            code: code.to_string(),
            title: format!("Acme Insights ({env})"),
            short_description: "Analytics for SaaS teams (Listing Assistant demo).".into(),
            long_description: "A demo product served by the Listing Assistant Marketplace sandbox."
                .into(),
            pricing_model: PricingModel::ContractWithConsumption,
            dimensions: dims(true),
            fulfillment_url: format!("{base_url}/_demo-saas/{env}/marketplace/register"),
            eula_url: format!("{base_url}/_demo-saas/{env}/eula.txt"),
            buyer_accounts: vec![buyer.to_string()],
            visibility: "Limited".into(),
            concurrent_agreements: true,
            seller_account_id: sb.config.seller_account_id.clone(),
            offer_id: format!("offer-demo{}", &code[..9]),
            created: now,
            modified: now,
            delivery_options: Vec::new(),
            info: demo_info(),
        });
    }
    out.push(Product {
        entity_id: DEMO_SUBSCRIPTION.0.into(),
        code: DEMO_SUBSCRIPTION.1.into(),
        title: "Acme Insights Pay-as-you-go".into(),
        short_description: "Usage-based subscription (Listing Assistant demo).".into(),
        long_description: "A demo subscription product served by the sandbox.".into(),
        pricing_model: PricingModel::Subscription,
        dimensions: dims(false),
        fulfillment_url: format!("{base_url}/_demo-saas/subscription/marketplace/register"),
        eula_url: format!("{base_url}/_demo-saas/subscription/eula.txt"),
        buyer_accounts: vec!["444455556666".into(), "777788889999".into()],
        visibility: "Limited".into(),
        concurrent_agreements: false,
        seller_account_id: sb.config.seller_account_id.clone(),
        offer_id: "offer-demosubscript".into(),
        created: now,
        modified: now,
        delivery_options: Vec::new(),
        info: demo_info(),
    });
    for p in &out {
        sb.state.put_product(p)?;
    }
    Ok(out)
}
