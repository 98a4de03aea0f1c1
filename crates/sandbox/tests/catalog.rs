//! The Catalog as AWS shapes it: change sets written the way AWS's reference change sets are
//! (DetailsDocument objects, `$ChangeName.Entity.Identifier` references, VALIDATE before
//! APPLY), per-change ErrorDetailList codes for bad input, DescribeEntity's Details and
//! DetailsDocument, and ListEntities / ListChangeSets paging and sorting.

mod common;

use common::*;
use serde_json::{json, Value};

async fn call(url: &str, op: &str, body: Value) -> (u16, String, Value) {
    let (status, etype, bytes) = signed(
        url,
        "POST",
        &format!("/{op}"),
        &[("content-type", "application/json")],
        body.to_string().into_bytes(),
    )
    .await;
    (
        status,
        etype,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn describe(url: &str, id: &str) -> Value {
    let (status, _, bytes) = signed(
        url,
        "GET",
        &format!("/DescribeEntity?catalog=AWSMarketplace&entityId={id}"),
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(status, 200, "DescribeEntity {id}");
    serde_json::from_slice(&bytes).expect("json")
}

/// Starts a change set and waits for its end; returns DescribeChangeSet.
async fn run_change_set(url: &str, intent: &str, changes: Value) -> Value {
    let (status, etype, out) = call(
        url,
        "StartChangeSet",
        json!({"Catalog": "AWSMarketplace", "Intent": intent, "ChangeSet": changes}),
    )
    .await;
    assert_eq!(status, 200, "{etype} {out}");
    let id = out["ChangeSetId"].as_str().expect("id").to_string();
    for _ in 0..200 {
        let (_, _, d) = signed(
            url,
            "GET",
            &format!("/DescribeChangeSet?catalog=AWSMarketplace&changeSetId={id}"),
            &[],
            Vec::new(),
        )
        .await;
        let d: Value = serde_json::from_slice(&d).expect("json");
        if !matches!(d["Status"].as_str(), Some("PREPARING" | "APPLYING")) {
            return d;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("change set {id} never finished");
}

fn change(kind: &str, entity: &str, id: Option<&str>, name: Option<&str>, details: Value) -> Value {
    let mut c = json!({"ChangeType": kind, "Entity": {"Type": entity}, "DetailsDocument": details});
    if let Some(i) = id {
        c["Entity"]["Identifier"] = json!(i);
    }
    if let Some(n) = name {
        c["ChangeName"] = json!(n);
    }
    c
}

const P: &str = "SaaSProduct@1.0";
const O: &str = "Offer@1.0";
const NEW_PRODUCT: &str = "$NewProduct.Entity.Identifier";
const NEW_OFFER: &str = "$NewOffer.Entity.Identifier";

/// A Limited SaaS product and its public offer in one change set, the way AWS's reference
/// change sets (CreateLimitedSaasAndPublicOffer…) build them.
fn limited_product_with_public_offer(title: &str) -> Value {
    json!([
        change("CreateProduct", P, None, Some("NewProduct"), json!({})),
        change(
            "UpdateInformation",
            P,
            Some(NEW_PRODUCT),
            None,
            json!({
            "ProductTitle": title, "ShortDescription": "Reports for finance teams",
            "LongDescription": "Ledgerly turns ledger exports into dashboards.",
            "Highlights": ["Dashboards in minutes"], "SearchKeywords": ["analytics"],
            "Categories": ["Business Intelligence"], "LogoUrl": "https://awsmp-logos.s3.amazonaws.com/ledgerly.png",
            "VideoUrls": [], "AdditionalResources": []})
        ),
        change(
            "UpdateTargeting",
            P,
            Some(NEW_PRODUCT),
            None,
            json!({"PositiveTargeting": {"BuyerAccounts": ["444455556666", "777788889999"]}})
        ),
        change(
            "AddDeliveryOptions",
            P,
            Some(NEW_PRODUCT),
            None,
            json!({"DeliveryOptions": [
            {"Details": {"ApiDeliveryOptionDetails": {"ApiType": "MCP", "QuickLaunchEnabled": false, "FulfillmentUrl": "https://api.ledgerly.example/register",
                "Endpoints": [{"EndpointUrl": "https://api.ledgerly.example/mcp", "AuthorizationTypes": ["API_KEY"]}]}}},
            {"Details": {"SaaSUrlDeliveryOptionDetails": {"FulfillmentUrl": "https://app.ledgerly.example/marketplace/register"}}}]})
        ),
        change(
            "AddDimensions",
            P,
            Some(NEW_PRODUCT),
            None,
            json!([
            {"Key": "seats", "Name": "Seats", "Description": "Named users", "Unit": "Users", "Types": ["Entitled"]},
            {"Key": "reports", "Name": "Reports", "Description": "Reports generated", "Unit": "Units", "Types": ["ExternallyMetered"]}])
        ),
        change("ReleaseProduct", P, Some(NEW_PRODUCT), None, json!({})),
        change(
            "CreateOffer",
            O,
            None,
            Some("NewOffer"),
            json!({"ProductId": NEW_PRODUCT})
        ),
        change(
            "UpdateInformation",
            O,
            Some(NEW_OFFER),
            None,
            json!({"Name": "Ledgerly public offer", "Description": "Contract with usage"})
        ),
        change(
            "UpdatePricingTerms",
            O,
            Some(NEW_OFFER),
            None,
            json!({"PricingModel": "Contract", "Terms": [
            {"Type": "UsageBasedPricingTerm", "CurrencyCode": "USD", "RateCards": [{"RateCard": [{"DimensionKey": "reports", "Price": "0.05"}]}]},
            {"Type": "ConfigurableUpfrontPricingTerm", "CurrencyCode": "USD", "RateCards": [{"Selector": {"Type": "Duration", "Value": "P12M"},
                "RateCard": [{"DimensionKey": "seats", "Price": "120"}], "Constraints": {"MultipleDimensionSelection": "Allowed", "QuantityConfiguration": "Allowed"}}]}]})
        ),
        change(
            "UpdateLegalTerms",
            O,
            Some(NEW_OFFER),
            None,
            json!({"Terms": [{"Type": "LegalTerm", "Documents": [{"Type": "StandardEula", "Version": "2022-07-14"}]}]})
        ),
        change(
            "UpdateSupportTerms",
            O,
            Some(NEW_OFFER),
            None,
            json!({"Terms": [{"Type": "SupportTerm", "RefundPolicy": "Refunds within 30 days."}]})
        ),
        change(
            "UpdateRenewalTerms",
            O,
            Some(NEW_OFFER),
            None,
            json!({"Terms": [{"Type": "RenewalTerm"}]})
        ),
        change("ReleaseOffer", O, Some(NEW_OFFER), None, json!({})),
    ])
}

fn created(cs: &Value, i: usize) -> String {
    cs["ChangeSet"][i]["Entity"]["Identifier"]
        .as_str()
        .expect("identifier")
        .split('@')
        .next()
        .expect("id")
        .to_string()
}

#[tokio::test]
async fn aws_style_change_sets_validate_then_apply() {
    let run = start(la_sandbox::Config::default()).await;
    let before = run.sandbox.state.products().expect("products").len();
    let v = run_change_set(
        &run.url,
        "VALIDATE",
        limited_product_with_public_offer("Ledgerly"),
    )
    .await;
    assert_eq!(v["Status"], "SUCCEEDED", "{v}");
    assert_eq!(
        run.sandbox.state.products().expect("products").len(),
        before,
        "VALIDATE applies nothing"
    );

    let cs = run_change_set(
        &run.url,
        "APPLY",
        limited_product_with_public_offer("Ledgerly"),
    )
    .await;
    assert_eq!(cs["Status"], "SUCCEEDED", "{cs}");
    let (product, offer) = (created(&cs, 0), created(&cs, 6));
    assert!(product.starts_with("prod-") && offer.starts_with("offer-"));

    let d = describe(&run.url, &product).await;
    assert_eq!(d["EntityType"], "SaaSProduct@1.0");
    let doc = &d["DetailsDocument"];
    assert!(doc.is_object(), "DetailsDocument is an object: {d}");
    let from_string: Value =
        serde_json::from_str(d["Details"].as_str().expect("Details")).expect("json");
    assert_eq!(
        &from_string, doc,
        "Details is the same document as a string"
    );
    assert_eq!(doc["Description"]["Visibility"], "Limited");
    assert_eq!(doc["Description"]["ProductTitle"], "Ledgerly");
    assert_eq!(
        doc["Targeting"]["PositiveTargeting"]["BuyerAccounts"][1],
        "777788889999"
    );
    let options = doc["Versions"][0]["DeliveryOptions"]
        .as_array()
        .expect("options");
    assert_eq!(options.len(), 2, "{options:?}");
    assert_eq!(options[0]["ApiType"], "MCP");
    assert_eq!(options[1]["Type"], "SaaSUrl");
    assert_eq!(
        options[1]["FulfillmentUrl"],
        "https://app.ledgerly.example/marketplace/register"
    );
    assert_eq!(doc["Dimensions"].as_array().map(Vec::len), Some(2));

    let o = describe(&run.url, &offer).await;
    let od = &o["DetailsDocument"];
    assert_eq!(od["State"], "Released");
    assert_eq!(
        od["ProductId"],
        product.as_str(),
        "the reference in CreateOffer was resolved"
    );
    let legal = od["Terms"]
        .as_array()
        .expect("terms")
        .iter()
        .find(|t| t["Type"] == "LegalTerm")
        .expect("legal");
    assert_eq!(
        legal["Documents"][0],
        json!({"Type": "StandardEula", "Version": "2022-07-14"})
    );

    // The released public offer became the product's offer for buyers.
    let p = run
        .sandbox
        .state
        .product(&product)
        .expect("state")
        .expect("product");
    assert_eq!(p.offer_id, offer);
    assert_eq!(
        p.fulfillment_url,
        "https://app.ledgerly.example/marketplace/register"
    );
}

#[tokio::test]
async fn bad_changes_carry_aws_error_codes() {
    let run = start(la_sandbox::Config::default()).await;
    let cs = run_change_set(&run.url, "APPLY", json!([
        change("UpdateInformation", P, Some(STAGING_PRODUCT), None, json!({"ProductTitle": "x".repeat(73)})),
        change("UpdateDeliveryOptions", P, Some(STAGING_PRODUCT), None, json!({"DeliveryOptions": [{"Id": "do-demostg4a7k2q", "Details": {"SaaSUrlDeliveryOptionDetails": {"FulfillmentUrl": "http://insecure.example.com/r"}}}]})),
        change("AddDimensions", P, Some(STAGING_PRODUCT), None, json!([{"Key": "extra"}])),
        change("UpdateVisibility", P, Some(STAGING_PRODUCT), None, json!({"TargetVisibility": "Limited"})),
    ])).await;
    assert_eq!(cs["Status"], "FAILED");
    assert_eq!(cs["FailureCode"], "CLIENT_ERROR");
    let codes = |i: usize| -> Vec<String> {
        cs["ChangeSet"][i]["ErrorDetailList"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["ErrorCode"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(codes(0), ["INVALID_INPUT"]);
    assert_eq!(codes(1), ["INVALID_FULFILLMENT_URL"]);
    assert_eq!(
        codes(2),
        ["INVALID_INPUT"; 4],
        "Name, Description, Unit and Types are required"
    );
    assert!(codes(3).is_empty(), "a valid change has no errors");
    let p = run
        .sandbox
        .state
        .product(STAGING_PRODUCT)
        .expect("state")
        .expect("product");
    assert_eq!(p.title, "Acme Insights (staging)", "nothing applied");

    // Refused synchronously: an unknown change type, a reference to no earlier change.
    let (status, etype, _) = call(
        &run.url,
        "StartChangeSet",
        json!({"Catalog": "AWSMarketplace", "ChangeSet": [
        change("CreateOffer", O, None, None, json!({"ProductId": "$Nope.Entity.Identifier"}))]}),
    )
    .await;
    assert_eq!((status, etype.as_str()), (422, "ValidationException"));
    let (status, etype, _) = call(
        &run.url,
        "StartChangeSet",
        json!({"Catalog": "AWSMarketplace", "ChangeSet": [
        change("ReleaseOffer", P, Some(STAGING_PRODUCT), None, json!({}))]}),
    )
    .await;
    assert_eq!((status, etype.as_str()), (422, "ValidationException"));
}

#[tokio::test]
async fn offers_page_filter_and_sort_and_change_sets_sort() {
    let run = start(la_sandbox::Config::default()).await;
    // Draft offers for the staging product, one change set of 20 CreateOffer changes.
    let drafts: Vec<Value> = (0..20)
        .map(|i| {
            change(
                "CreateOffer",
                O,
                None,
                None,
                json!({"ProductId": STAGING_PRODUCT, "Name": format!("Draft {i:02}")}),
            )
        })
        .collect();
    assert_eq!(
        run_change_set(&run.url, "APPLY", Value::Array(drafts)).await["Status"],
        "SUCCEEDED"
    );
    let list = |extra: Value| {
        let mut body = json!({"Catalog": "AWSMarketplace", "EntityType": "Offer",
            "EntityTypeFilters": {"OfferFilters": {"ProductId": {"ValueList": [STAGING_PRODUCT]}}}});
        for (k, v) in extra.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        body
    };
    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut extra = json!({"MaxResults": 8});
        if let Some(t) = &token {
            extra["NextToken"] = json!(t);
        }
        let (status, _, page) = call(&run.url, "ListEntities", list(extra)).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        for e in page["EntitySummaryList"].as_array().expect("list") {
            assert_eq!(e["OfferSummary"]["ProductId"], STAGING_PRODUCT);
            ids.push((
                e["EntityId"].as_str().expect("id").to_string(),
                e["OfferSummary"]["State"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ));
        }
        token = page["NextToken"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(
        (ids.len(), pages),
        (21, 3),
        "20 drafts and the demo public offer over pages of 8"
    );
    assert_eq!(ids.iter().filter(|(_, s)| s == "Released").count(), 1);
    // Default page size is 20.
    let (_, _, first) = call(&run.url, "ListEntities", list(json!({}))).await;
    assert_eq!(
        first["EntitySummaryList"].as_array().map(Vec::len),
        Some(20)
    );
    assert!(first["NextToken"].is_string());
    // Sorted by name, ascending; filtered by state.
    let (_, _, sorted) = call(&run.url, "ListEntities", list(json!({"EntityTypeSort": {"OfferSort": {"SortBy": "Name", "SortOrder": "ASCENDING"}}, "MaxResults": 50}))).await;
    let names: Vec<&str> = sorted["EntitySummaryList"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["Name"].as_str())
        .collect();
    let mut want = names.clone();
    want.sort_unstable();
    assert_eq!(names, want);
    let mut released = list(json!({}));
    released["EntityTypeFilters"]["OfferFilters"]["State"] = json!({"ValueList": ["Released"]});
    let (_, _, r) = call(&run.url, "ListEntities", released).await;
    assert_eq!(r["EntitySummaryList"].as_array().map(Vec::len), Some(1));

    // A second change set; newest first only when asked.
    let second = run_change_set(
        &run.url,
        "APPLY",
        json!([change(
            "UpdateVisibility",
            P,
            Some(STAGING_PRODUCT),
            None,
            json!({"TargetVisibility": "Limited"})
        )]),
    )
    .await;
    let newest = second["ChangeSetId"].as_str().expect("id");
    let (_, _, asc) = call(
        &run.url,
        "ListChangeSets",
        json!({"Catalog": "AWSMarketplace"}),
    )
    .await;
    let (_, _, desc) = call(&run.url, "ListChangeSets", json!({"Catalog": "AWSMarketplace", "Sort": {"SortBy": "StartTime", "SortOrder": "DESCENDING"}})).await;
    assert_eq!(desc["ChangeSetSummaryList"][0]["ChangeSetId"], newest);
    assert_eq!(asc["ChangeSetSummaryList"][1]["ChangeSetId"], newest);
    let (status, etype, _) = call(
        &run.url,
        "ListChangeSets",
        json!({"Catalog": "AWSMarketplace", "Sort": {"SortBy": "Colour"}}),
    )
    .await;
    assert_eq!((status, etype.as_str()), (422, "ValidationException"));
}
