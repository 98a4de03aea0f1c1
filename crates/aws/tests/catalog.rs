//! The Catalog checks against the sandbox: each shown passing on the demo product and failing
//! on one built to fail; offers judged among many (private, draft, public) over several
//! ListEntities pages; and a seller whose environment is in eu-west-1.

mod common;

use common::expect;
use la_aws::access::{in_region, static_config};
use la_aws::checks::CheckContext;
use la_aws::engine::CheckStatus;
use la_core::model::{
    Dimension, DimensionType, EnvMode, EnvironmentSettings, IntegrationStyle, PricingModel,
};
use la_sandbox::{Config, Running, DEMO_ACCESS_KEY_ID as KEY, DEMO_SECRET_ACCESS_KEY as SECRET};
use serde_json::{json, Value};
use std::time::Duration;

const PRODUCT: &str = "prod-demostg4a7k2q";
const CODE: &str = "demostg7ky5a0d3rqx2ub6y8m";
const BUYER: &str = "444455556666";

async fn sandbox(config: Config) -> Running {
    common::sandbox(config).await
}

fn settings(run: &Running) -> EnvironmentSettings {
    EnvironmentSettings {
        mode: EnvMode::Sandbox,
        seller_account_id: "111122223333".into(),
        region: "us-east-1".into(),
        endpoint_url: run.url.clone(),
        product_id: PRODUCT.into(),
        product_code: CODE.into(),
        pricing_model: PricingModel::ContractWithConsumption,
        dimensions: vec![
            Dimension {
                key: "seats".into(),
                name: "Seats".into(),
                kind: DimensionType::Entitled,
            },
            Dimension {
                key: "api_calls".into(),
                name: "API calls".into(),
                kind: DimensionType::ExternallyMetered,
            },
        ],
        fulfillment_url: format!("{}/_demo-saas/staging/marketplace/register", run.url),
        test_buyer_account_ids: vec![BUYER.into()],
        integration_style: IntegrationStyle::ConcurrentAgreements,
        ..Default::default()
    }
}

fn ctx(run: &Running, settings: EnvironmentSettings) -> CheckContext {
    let sdk = in_region(&static_config(&run.url, KEY, SECRET), &settings.region);
    CheckContext {
        settings,
        sdk: Some(sdk),
        http: CheckContext::http_client(None).expect("http"),
        response_time_limit: Duration::from_secs(3),
        own_access_keys: vec![KEY.to_string()],
    }
}

/// One change, applied and waited for.
async fn change(run: &Running, change_type: &str, entity_type: &str, id: &str, details: &str) {
    change_set(
        run,
        vec![(change_type, entity_type, id, None, details.to_string())],
    )
    .await;
}

/// A change set of (type, entity type, identifier, change name, details) and its end state.
async fn change_set(
    run: &Running,
    changes: Vec<(&str, &str, &str, Option<&str>, String)>,
) -> aws_sdk_marketplacecatalog::operation::describe_change_set::DescribeChangeSetOutput {
    use aws_sdk_marketplacecatalog::types::{Change, Entity};
    let c = aws_sdk_marketplacecatalog::Client::new(&static_config(&run.url, KEY, SECRET));
    let mut req = c.start_change_set().catalog("AWSMarketplace");
    for (change_type, entity_type, id, name, details) in changes {
        let mut e = Entity::builder().r#type(entity_type);
        if !id.is_empty() {
            e = e.identifier(id);
        }
        req = req.change_set(
            Change::builder()
                .change_type(change_type)
                .entity(e.build().expect("entity"))
                .set_change_name(name.map(str::to_string))
                .details(details)
                .build()
                .expect("change"),
        );
    }
    let out = req.send().await.expect("start change set");
    let id = out.change_set_id().expect("id").to_string();
    for _ in 0..100 {
        let d = c
            .describe_change_set()
            .catalog("AWSMarketplace")
            .change_set_id(&id)
            .send()
            .await
            .expect("describe");
        if !matches!(
            d.status().map(|s| s.as_str()),
            Some("PREPARING" | "APPLYING")
        ) {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("change set never finished");
}

#[tokio::test]
async fn catalog_checks_pass_on_the_demo_product_and_fail_on_broken_ones() {
    let run = sandbox(Config::default()).await;
    let good = ctx(&run, settings(&run));
    for id in [
        "catalog.seller_access",
        "catalog.product_exists",
        "catalog.visibility",
        "catalog.fulfillment_url",
        "catalog.dimensions",
        "catalog.allow_list",
        "catalog.eula",
        "catalog.product_code",
        "catalog.concurrent_agreements",
    ] {
        expect(&good, id, CheckStatus::Pass).await;
    }
    expect(&good, "catalog.release_change_set", CheckStatus::Skipped).await;

    let mut s = settings(&run);
    s.product_id = "prod-doesnotexist1".into();
    let r = expect(&ctx(&run, s), "catalog.product_exists", CheckStatus::Fail).await;
    assert!(r.summary.en.contains("not found"));
    // The same result in Japanese, with the product id as it is.
    assert_eq!(
        r.summary.ja,
        "製品 prod-doesnotexist1 は販売者のカタログに見つかりません"
    );

    let mut s = settings(&run);
    s.fulfillment_url = "https://app.example.com/marketplace".into();
    expect(&ctx(&run, s), "catalog.fulfillment_url", CheckStatus::Fail).await;

    // A subscription product declared as a contract lacks an Entitled dimension.
    let mut s = settings(&run);
    s.product_id = "prod-demosub2k8v5n".into();
    s.product_code = "demosub5t1qz8x0w7r3m9c6p2".into();
    s.pricing_model = PricingModel::Contract;
    let r = expect(&ctx(&run, s), "catalog.dimensions", CheckStatus::Fail).await;
    assert!(r.summary.en.contains("Entitled"), "{}", r.summary.en);

    let mut s = settings(&run);
    s.test_buyer_account_ids.push("121212121212".into());
    let r = expect(&ctx(&run, s), "catalog.allow_list", CheckStatus::Fail).await;
    assert!(r.summary.en.contains("121212121212"));

    let mut s = settings(&run);
    s.product_code = "somethingelse000000000000".into();
    expect(&ctx(&run, s), "catalog.product_code", CheckStatus::Fail).await;

    let mut s = settings(&run);
    s.integration_style = IntegrationStyle::Legacy;
    expect(
        &ctx(&run, s),
        "catalog.concurrent_agreements",
        CheckStatus::Warn,
    )
    .await;

    // The EULA moved to an HTML page; then the newest change set fails; then one succeeds.
    let offer = run
        .sandbox
        .state
        .product(PRODUCT)
        .expect("state")
        .expect("product")
        .offer_id
        .clone();
    change(&run, "UpdateLegalTerms", "Offer@1.0", &offer, &format!(r#"{{"Terms":[{{"Type":"LegalTerm","Documents":[{{"Type":"CustomEula","Url":"{}/_demo-saas/staging/marketplace/register"}}]}}]}}"#, run.url)).await;
    // AWS accepts it; only the checklist's .txt row is not met: a warning that cites the row.
    let r = expect(&good, "catalog.eula", CheckStatus::Warn).await;
    assert!(r.summary.en.contains("not plain text"), "{}", r.summary.en);
    assert!(r.advice.en.contains(".txt format"), "{}", r.advice.en);
    change(
        &run,
        "UpdateVisibility",
        "SaaSProduct@1.0",
        PRODUCT,
        r#"{"TargetVisibility":"Bogus"}"#,
    )
    .await;
    expect(&good, "catalog.release_change_set", CheckStatus::Fail).await;
    change(
        &run,
        "UpdateVisibility",
        "SaaSProduct@1.0",
        PRODUCT,
        r#"{"TargetVisibility":"Public"}"#,
    )
    .await;
    expect(&good, "catalog.release_change_set", CheckStatus::Pass).await;

    // A new product is a Draft until released.
    change(
        &run,
        "CreateProduct",
        "SaaSProduct@1.0",
        "",
        r#"{"ProductTitle":"Draft one"}"#,
    )
    .await;
    let draft = run
        .sandbox
        .state
        .products()
        .expect("products")
        .into_iter()
        .find(|p| p.title == "Draft one")
        .expect("draft");
    let mut s = settings(&run);
    s.product_id = draft.entity_id;
    let r = expect(&ctx(&run, s), "catalog.visibility", CheckStatus::Fail).await;
    assert!(r.summary.en.contains("Draft"));
}

/// A product with many offers (drafts made later than the public one, so they fill the first
/// ListEntities page) and a private offer whose EULA does not answer: the check pages to the
/// released public offer (AWS's standard contract); named explicitly, the private one fails.
#[tokio::test]
async fn the_public_offer_is_found_among_many() {
    let run = sandbox(Config::default()).await;
    let p = "$P.Entity.Identifier";
    let o = "$O.Entity.Identifier";
    let pricing = json!({"PricingModel": "Usage", "Terms": [{"Type": "UsageBasedPricingTerm", "CurrencyCode": "USD", "RateCards": [{"RateCard": [{"DimensionKey": "reports", "Price": "0.05"}]}]}]}).to_string();
    let legal =
        |doc: Value| json!({"Terms": [{"Type": "LegalTerm", "Documents": [doc]}]}).to_string();
    let made = change_set(&run, vec![
        ("CreateProduct", "SaaSProduct@1.0", "", Some("P"), json!({"ProductTitle": "Ledgerly"}).to_string()),
        ("AddDimensions", "SaaSProduct@1.0", p, None, json!([{"Key": "reports", "Name": "Reports", "Description": "Reports", "Unit": "Units", "Types": ["ExternallyMetered"]}]).to_string()),
        ("ReleaseProduct", "SaaSProduct@1.0", p, None, "{}".into()),
        ("CreateOffer", "Offer@1.0", "", Some("O"), json!({"ProductId": p}).to_string()),
        ("UpdatePricingTerms", "Offer@1.0", o, None, pricing.clone()),
        ("UpdateLegalTerms", "Offer@1.0", o, None, legal(json!({"Type": "StandardEula", "Version": "2022-07-14"}))),
        ("ReleaseOffer", "Offer@1.0", o, None, "{}".into()),
        ("CreateOffer", "Offer@1.0", "", Some("Private"), json!({"ProductId": p}).to_string()),
        ("UpdateTargeting", "Offer@1.0", "$Private.Entity.Identifier", None, json!({"PositiveTargeting": {"BuyerAccounts": [BUYER]}}).to_string()),
        ("UpdatePricingTerms", "Offer@1.0", "$Private.Entity.Identifier", None, pricing),
        ("UpdateLegalTerms", "Offer@1.0", "$Private.Entity.Identifier", None, legal(json!({"Type": "CustomEula", "Url": format!("{}/legal/no-such-eula.txt", run.url)}))),
        ("ReleaseOffer", "Offer@1.0", "$Private.Entity.Identifier", None, "{}".into()),
    ]).await;
    assert_eq!(
        made.status().map(|s| s.as_str()),
        Some("SUCCEEDED"),
        "{made:?}"
    );
    let id = |i: usize| {
        made.change_set()[i]
            .entity()
            .and_then(|e| e.identifier())
            .expect("id")
            .split('@')
            .next()
            .expect("id")
            .to_string()
    };
    let (product, private) = (id(0), id(7));
    for batch in 0..3 {
        let drafts = (0..20)
            .map(|i| {
                (
                    "CreateOffer",
                    "Offer@1.0",
                    "",
                    None,
                    json!({"ProductId": product, "Name": format!("Draft {batch}-{i}")}).to_string(),
                )
            })
            .collect();
        change_set(&run, drafts).await;
    }
    let mut s = settings(&run);
    s.product_id = product.clone();
    let r = expect(&ctx(&run, s.clone()), "catalog.eula", CheckStatus::Pass).await;
    assert!(
        r.summary.en.contains("Standard Contract"),
        "{}",
        r.summary.en
    );
    s.offer_id = private;
    let r = expect(&ctx(&run, s), "catalog.eula", CheckStatus::Fail).await;
    assert!(r.summary.en.contains("404"), "{}", r.summary.en);
}

/// The environment's region is eu-west-1: the Catalog is still called in us-east-1, and the
/// verdicts on the demo product are those of a us-east-1 environment.
#[tokio::test]
async fn a_seller_in_eu_west_1_gets_the_same_verdicts() {
    let run = sandbox(Config::default()).await;
    let mut s = settings(&run);
    s.region = "eu-west-1".into();
    let c = ctx(&run, s);
    assert_eq!(
        c.sdk.as_ref().and_then(|x| x.region()).map(|r| r.as_ref()),
        Some("eu-west-1")
    );
    assert_eq!(
        c.marketplace_sdk()
            .expect("sdk")
            .region()
            .map(|r| r.as_ref()),
        Some("us-east-1")
    );
    for id in [
        "catalog.seller_access",
        "catalog.product_exists",
        "catalog.visibility",
        "catalog.fulfillment_url",
        "catalog.dimensions",
        "catalog.allow_list",
        "catalog.eula",
        "catalog.product_code",
    ] {
        expect(&c, id, CheckStatus::Pass).await;
    }
}
