//! Entitlement over CBOR and the Catalog API: entities, change sets, product creation.

use super::*;

#[tokio::test]
async fn get_entitlements_over_cbor_with_filters_and_pages() {
    let run = start(Config::default()).await;
    let e = entitlement::Client::new(&demo_sdk(&run.url));
    let a = buy(&run, STAGING_PRODUCT, STAGING_BUYER).await;
    // Concurrent agreements: the same buyer can hold a second agreement.
    let b = buy(&run, STAGING_PRODUCT, STAGING_BUYER).await;
    run.sandbox
        .change(
            &b.license_arn,
            &[la_sandbox::model::Entitlement {
                dimension: "seats".into(),
                quantity: Some(25),
            }],
        )
        .await
        .expect("change");
    use entitlement::types::GetEntitlementFilterName as F;
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let out = e
            .get_entitlements()
            .product_code(STAGING_CODE)
            .filter(F::CustomerAwsAccountId, vec![STAGING_BUYER.to_string()])
            .max_results(1)
            .set_next_token(token.clone())
            .send()
            .await
            .expect("entitlements");
        assert!(out.entitlements().len() <= 1);
        for ent in out.entitlements() {
            assert_eq!(ent.dimension(), Some("seats"));
            assert!(ent.expiration_date().is_some());
            seen.push((
                ent.license_arn().map(str::to_string),
                ent.value().and_then(|v| v.integer_value()),
            ));
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), 2, "two pages of one");
    assert!(seen.contains(&(Some(a.license_arn.clone()), Some(1))));
    assert!(seen.contains(&(Some(b.license_arn.clone()), Some(25))));
    let out = e
        .get_entitlements()
        .product_code(STAGING_CODE)
        .filter(F::LicenseArn, vec![a.license_arn.clone()])
        .send()
        .await
        .expect("by license");
    assert_eq!(out.entitlements().len(), 1);
    let err = e
        .get_entitlements()
        .product_code("nope")
        .send()
        .await
        .expect_err("bad product");
    assert_eq!(code(&err), "InvalidParameterException");
}

#[tokio::test]
async fn catalog_entities_and_change_sets() {
    let run = start(Config::default()).await;
    let c = catalog::Client::new(&demo_sdk(&run.url));
    let list = c
        .list_entities()
        .catalog("AWSMarketplace")
        .entity_type("SaaSProduct")
        .send()
        .await
        .expect("list");
    assert_eq!(list.entity_summary_list().len(), 3);
    let page = c
        .list_entities()
        .catalog("AWSMarketplace")
        .entity_type("SaaSProduct")
        .max_results(2)
        .send()
        .await
        .expect("page");
    assert_eq!(page.entity_summary_list().len(), 2);
    assert!(page.next_token().is_some());
    let d = c
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(STAGING_PRODUCT)
        .send()
        .await
        .expect("describe");
    assert_eq!(d.entity_type(), Some("SaaSProduct@1.0"));
    let details: serde_json::Value =
        serde_json::from_str(d.details().expect("details")).expect("json");
    assert_eq!(details["Description"]["Visibility"], "Limited");
    assert_eq!(
        details["Targeting"]["PositiveTargeting"]["BuyerAccounts"][0],
        STAGING_BUYER
    );
    assert!(
        details["Versions"][0]["DeliveryOptions"][0]["FulfillmentUrl"]
            .as_str()
            .unwrap_or_default()
            .contains("/_demo-saas/")
    );
    let types: Vec<&str> = details["Dimensions"]
        .as_array()
        .expect("dims")
        .iter()
        .filter_map(|d| d["Types"][0].as_str())
        .collect();
    assert_eq!(types, ["Entitled", "ExternallyMetered"]);
    // The EULA and pricing terms live on the offer, as on AWS.
    let offers = c
        .list_entities()
        .catalog("AWSMarketplace")
        .entity_type("Offer")
        .send()
        .await
        .expect("offers");
    assert_eq!(offers.entity_summary_list().len(), 3);
    let offer_id = offers.entity_summary_list()[0]
        .entity_id()
        .expect("offer id")
        .to_string();
    let o = c
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(&offer_id)
        .send()
        .await
        .expect("offer");
    assert_eq!(o.entity_type(), Some("Offer@1.0"));
    let od: serde_json::Value = serde_json::from_str(o.details().expect("details")).expect("json");
    let terms: Vec<&str> = od["Terms"]
        .as_array()
        .expect("terms")
        .iter()
        .filter_map(|t| t["Type"].as_str())
        .collect();
    assert!(terms.contains(&"LegalTerm"), "{terms:?}");
    assert!(od["Terms"][0]["Documents"][0]["Url"]
        .as_str()
        .unwrap_or_default()
        .ends_with("eula.txt"));
    let e = c
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id("prod-doesnotexist1")
        .send()
        .await
        .expect_err("missing");
    assert_eq!(code(&e), "ResourceNotFoundException");

    use catalog::types::{Change, Entity};
    let change = |t: &str, id: &str, details: &str| {
        Change::builder()
            .change_type(t)
            .entity(
                Entity::builder()
                    .r#type("SaaSProduct@1.0")
                    .identifier(id)
                    .build()
                    .expect("entity"),
            )
            .details(details)
            .build()
            .expect("change")
    };
    let started = c
        .start_change_set()
        .catalog("AWSMarketplace")
        .change_set(change(
            "UpdateTargeting",
            STAGING_PRODUCT,
            r#"{"PositiveTargeting":{"BuyerAccounts":["444455556666","121212121212"]}}"#,
        ))
        .change_set(change(
            "UpdateVisibility",
            STAGING_PRODUCT,
            r#"{"TargetVisibility":"Public"}"#,
        ))
        .send()
        .await
        .expect("start");
    let id = started.change_set_id().expect("id").to_string();
    let first = c
        .describe_change_set()
        .catalog("AWSMarketplace")
        .change_set_id(&id)
        .send()
        .await
        .expect("describe cs");
    assert_eq!(first.status().map(|s| s.as_str()), Some("PREPARING"));
    let status = wait_change_set(&c, &id).await;
    assert_eq!(status, "SUCCEEDED");
    let d = c
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(STAGING_PRODUCT)
        .send()
        .await
        .expect("describe");
    let details: serde_json::Value =
        serde_json::from_str(d.details().expect("details")).expect("json");
    assert_eq!(details["Description"]["Visibility"], "Public");
    assert_eq!(
        details["Targeting"]["PositiveTargeting"]["BuyerAccounts"][1],
        "121212121212"
    );

    // VALIDATE checks without applying; a bad change fails the set with an error per change.
    let v = c
        .start_change_set()
        .catalog("AWSMarketplace")
        .intent(catalog::types::Intent::Validate)
        .change_set(change(
            "UpdateVisibility",
            STAGING_PRODUCT,
            r#"{"TargetVisibility":"Limited"}"#,
        ))
        .send()
        .await
        .expect("validate");
    assert_eq!(
        wait_change_set(&c, v.change_set_id().expect("id")).await,
        "SUCCEEDED"
    );
    let d = c
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(STAGING_PRODUCT)
        .send()
        .await
        .expect("describe");
    assert!(d
        .details()
        .unwrap_or_default()
        .contains("\"Visibility\":\"Public\""));
    let bad = c
        .start_change_set()
        .catalog("AWSMarketplace")
        .change_set(change("AddDeliveryOptions", STAGING_PRODUCT, r#"{"DeliveryOptions":[{"Details":{"SaaSUrlDeliveryOptionDetails":{"FulfillmentUrl":"http://example.com/x"}}}]}"#))
        .send()
        .await
        .expect("start");
    let bad_id = bad.change_set_id().expect("id").to_string();
    assert_eq!(wait_change_set(&c, &bad_id).await, "FAILED");
    let d = c
        .describe_change_set()
        .catalog("AWSMarketplace")
        .change_set_id(&bad_id)
        .send()
        .await
        .expect("describe");
    assert!(d.change_set()[0].error_detail_list()[0]
        .error_message()
        .unwrap_or_default()
        .contains("HTTPS"));
    let listed = c
        .list_change_sets()
        .catalog("AWSMarketplace")
        .send()
        .await
        .expect("list cs");
    assert_eq!(listed.change_set_summary_list().len(), 3);
    let e = c
        .start_change_set()
        .catalog("AWSMarketplace")
        .change_set(change("NotAChange", STAGING_PRODUCT, "{}"))
        .send()
        .await
        .expect_err("bad type");
    assert_eq!(code(&e), "ValidationException");
    let e = c
        .list_entities()
        .catalog("Nope")
        .entity_type("SaaSProduct")
        .send()
        .await
        .expect_err("catalog");
    assert_eq!(code(&e), "ValidationException");
}

pub(crate) async fn wait_change_set(c: &catalog::Client, id: &str) -> String {
    for _ in 0..100 {
        let d = c
            .describe_change_set()
            .catalog("AWSMarketplace")
            .change_set_id(id)
            .send()
            .await
            .expect("describe");
        let s = d
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        if !matches!(s.as_str(), "PREPARING" | "APPLYING") {
            return s;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("change set {id} never finished");
}

#[tokio::test]
async fn create_product_through_change_sets() {
    let run = start(Config::default()).await;
    let c = catalog::Client::new(&demo_sdk(&run.url));
    use catalog::types::{Change, Entity};
    let created = c
        .start_change_set()
        .catalog("AWSMarketplace")
        .change_set(
            Change::builder()
                .change_type("CreateProduct")
                .entity(
                    Entity::builder()
                        .r#type("SaaSProduct@1.0")
                        .build()
                        .expect("entity"),
                )
                .details(r#"{"ProductTitle":"New SaaS"}"#)
                .build()
                .expect("change"),
        )
        .send()
        .await
        .expect("create");
    let id = created.change_set_id().expect("id").to_string();
    assert_eq!(wait_change_set(&c, &id).await, "SUCCEEDED");
    let d = c
        .describe_change_set()
        .catalog("AWSMarketplace")
        .change_set_id(&id)
        .send()
        .await
        .expect("describe");
    let entity = d.change_set()[0]
        .entity()
        .and_then(|e| e.identifier())
        .expect("new id")
        .to_string();
    assert!(entity.starts_with("prod-"));
    let e = c
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(&entity)
        .send()
        .await
        .expect("new entity");
    assert!(e.details().unwrap_or_default().contains("New SaaS"));
}
