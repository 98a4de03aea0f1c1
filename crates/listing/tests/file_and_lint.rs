//! The listing file (round trip, field-precise validation in EN and JA), the plan built offline
//! (create from nothing as AWS's reference change sets do), and every lint rule shown passing
//! and failing.

use la_listing::file::*;
use la_listing::lint::{lint, lint_network, Severity};
use la_listing::plan::{plan, CREATE_OFFER, CREATE_PRODUCT};
use la_listing::shapes::validate;

fn good() -> Listing {
    let mut l = Listing::new("Acme Insights");
    l.fulfillment_url = "https://app.acme.example/marketplace/register".into();
    l.allow_listed_buyers = vec!["444455556666".into()];
    l.product.short_description = "Analytics for SaaS teams.".into();
    l.product.long_description =
        "Acme Insights turns product events into dashboards.\nIt meters API calls.".into();
    l.product.highlights = vec!["Dashboards in minutes".into()];
    l.product.categories = vec!["Data Analytics".into()];
    l.product.search_keywords = vec!["analytics".into()];
    l.product.logo_url = "https://assets.acme.example/logo.png".into();
    l.product.video_urls = vec!["https://videos.acme.example/tour".into()];
    l.product.additional_resources = vec![Resource {
        text: "Docs \"quoted\"".into(),
        url: "https://docs.acme.example".into(),
    }];
    l.product.support_description = "Email support@acme.example within one business day.".into();
    l.dimensions = vec![
        ListingDimension {
            key: "seats".into(),
            name: "Seats".into(),
            description: "Named users".into(),
            unit: "Users".into(),
            types: vec![DimensionType::Entitled],
        },
        ListingDimension {
            key: "api_calls".into(),
            name: "API calls".into(),
            description: "Thousands of calls".into(),
            unit: "Units".into(),
            types: vec![DimensionType::ExternallyMetered],
        },
    ];
    l.offer.name = "Acme Insights public offer".into();
    l.offer.rates = vec![
        Rate {
            dimension: "seats".into(),
            duration: Some("P12M".into()),
            price: "1200".into(),
        },
        Rate {
            dimension: "api_calls".into(),
            duration: None,
            price: "0.01".into(),
        },
    ];
    l.offer.refund_policy = "Refunds within 30 days.".into();
    l.offer.auto_renewal = true;
    l
}

#[test]
fn the_file_round_trips_with_comments_and_stable_text() {
    let mut l = good();
    l.offer.free_trial = Some(FreeTrial {
        duration: "P30D".into(),
    });
    l.offer.availability_end_date = Some("2030-01-31".into());
    let text = la_listing::write::to_toml(&l);
    assert!(text.contains("# The EULA"), "{text}");
    let back = parse(&text).expect("parse");
    assert_eq!(back, l);
    assert_eq!(la_listing::write::to_toml(&back), text);
    l.offer.eula = Some(Eula::Custom {
        url: "https://acme.example/eula.txt".into(),
    });
    assert_eq!(parse(&la_listing::write::to_toml(&l)).expect("parse"), l);

    let dir = tempfile::tempdir().expect("dir");
    let env = dir.path().join("staging.toml");
    let path = path_beside(&env);
    assert_eq!(
        path.file_name().and_then(|n| n.to_str()),
        Some("staging.listing.toml")
    );
    write(&path, &l).expect("write");
    assert_eq!(read(&path).expect("read"), l);
}

#[test]
fn unknown_keys_and_other_formats_are_refused() {
    let text = la_listing::write::to_toml(&good()).replace("refund_policy =", "refund_polcy =");
    assert!(parse(&text)
        .expect_err("refused")
        .message
        .contains("refund_polcy"));
    let text = la_listing::write::to_toml(&good()).replace("format = 1", "format = 2");
    assert!(parse(&text)
        .expect_err("refused")
        .message
        .contains("format 2"));
}

#[test]
fn validation_names_each_field_in_en_and_ja() {
    assert_eq!(validate(&good()), vec![]);
    let mut l = good();
    l.product.title = "x".repeat(73);
    l.allow_listed_buyers.push("12345".into());
    l.offer.rates.push(Rate {
        dimension: "nope".into(),
        duration: None,
        price: "1".into(),
    });
    l.offer.rates[0].duration = Some("12 months".into());
    l.offer.rates[1].price = "-1".into();
    l.dimensions[1].key = "api calls".into();
    l.offer.eula = Some(Eula::Custom {
        url: "http://acme.example/eula.txt".into(),
    });
    l.fulfillment_url = "ftp://acme.example".into();
    l.product.highlights = vec!["a".into(), "b".into(), "c".into(), "d".into()];
    let errs = validate(&l);
    let fields: Vec<(&str, &str)> = errs
        .iter()
        .map(|e| (e.field.as_str(), e.code.as_str()))
        .collect();
    for want in [
        ("product.title", "too_long"),
        ("allow_listed_buyers[1]", "pattern"),
        ("offer.rates[2].dimension", "unknown_dimension"),
        ("offer.rates[0].duration", "pattern"),
        ("offer.rates[1].dimension", "unknown_dimension"),
        ("dimensions[1].key", "pattern"),
        ("offer.eula.url", "not_https"),
        ("fulfillment_url", "not_https"),
        ("product.highlights", "too_many"),
    ] {
        assert!(fields.contains(&want), "{want:?} not in {fields:?}");
    }
    let title = errs
        .iter()
        .find(|e| e.field == "product.title")
        .expect("title");
    assert!(
        title.message.en.contains("72") && title.message.ja.contains("72 文字"),
        "{title:?}"
    );
    let mut l = good();
    l.offer.eula = None;
    assert_eq!(validate(&l)[0].field, "offer.eula");
}

#[test]
fn creating_from_nothing_is_one_change_set_with_references() {
    let p = plan(&good(), None);
    let types: Vec<&str> = p.changes.iter().map(|c| c.change_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "CreateProduct",
            "UpdateInformation",
            "UpdateTargeting",
            "AddDeliveryOptions",
            "AddDimensions",
            "ReleaseProduct",
            "CreateOffer",
            "UpdateInformation",
            "UpdatePricingTerms",
            "UpdateLegalTerms",
            "UpdateSupportTerms",
            "UpdateRenewalTerms",
            "ReleaseOffer"
        ]
    );
    assert_eq!(p.changes[0].change_name.as_deref(), Some(CREATE_PRODUCT));
    assert_eq!(p.changes[0].entity.identifier, None);
    assert_eq!(
        p.changes[6].details["ProductId"],
        format!("${CREATE_PRODUCT}.Entity.Identifier")
    );
    assert_eq!(p.changes[6].change_name.as_deref(), Some(CREATE_OFFER));
    assert_eq!(
        p.changes[8].entity.identifier.as_deref(),
        Some("$CreateOfferChange.Entity.Identifier")
    );
    let terms = p.changes[8].details["Terms"].as_array().expect("terms");
    assert_eq!(terms[0]["RateCards"][0]["Selector"]["Value"], "P12M");
    assert_eq!(terms[1]["Type"], "UsageBasedPricingTerm");
    assert!(
        la_listing::flow::check_shapes(&p).is_empty(),
        "{:?}",
        la_listing::flow::check_shapes(&p)
    );
    // The token is the plan's: the same plan has the same token, another plan another one.
    let again = plan(&good(), None);
    assert_eq!(p.client_token("APPLY"), again.client_token("APPLY"));
    assert!(p.client_token("APPLY").len() <= 36);
    assert_ne!(p.client_token("APPLY"), p.client_token("VALIDATE"));
    let mut other = good();
    other.product.title = "Another".into();
    assert_ne!(
        plan(&other, None).client_token("APPLY"),
        p.client_token("APPLY")
    );
    let mut retry = p.clone();
    retry.attempt = 1;
    assert_ne!(retry.client_token("APPLY"), p.client_token("APPLY"));
}

/// One edit of a good listing that a rule must catch.
type Edit = Box<dyn Fn(&mut Listing)>;

fn rules(l: &Listing) -> Vec<(String, String)> {
    lint(l).into_iter().map(|f| (f.rule, f.field)).collect()
}

fn has(l: &Listing, rule: &str, field: &str) -> bool {
    rules(l).iter().any(|(r, f)| r == rule && f == field)
}

#[test]
fn lint_passes_a_good_listing_and_each_rule_fails_on_its_case() {
    assert_eq!(lint(&good()), vec![]);
    let cases: Vec<(&str, &str, Edit)> = vec![
        (
            "description_present",
            "product.short_description",
            Box::new(|l| l.product.short_description.clear()),
        ),
        (
            "description_present",
            "product.long_description",
            Box::new(|l| l.product.long_description.clear()),
        ),
        (
            "highlights_present",
            "product.highlights",
            Box::new(|l| l.product.highlights.clear()),
        ),
        (
            "support_contact",
            "product.support_description",
            Box::new(|l| l.product.support_description = "We are happy to help.".into()),
        ),
        (
            "logo_present",
            "product.logo_url",
            Box::new(|l| l.product.logo_url.clear()),
        ),
        (
            "media_https",
            "product.video_urls[0]",
            Box::new(|l| l.product.video_urls = vec!["http://videos.acme.example/tour".into()]),
        ),
        (
            "categories_valid",
            "product.categories",
            Box::new(|l| l.product.categories.clear()),
        ),
        (
            "categories_valid",
            "product.categories[0]",
            Box::new(|l| l.product.categories = vec!["Cloud Stuff".into()]),
        ),
        (
            "no_other_cloud",
            "product.long_description",
            Box::new(|l| l.product.long_description = "Also runs on Microsoft Azure.".into()),
        ),
        (
            "no_other_cloud",
            "product.search_keywords",
            Box::new(|l| l.product.search_keywords = vec!["gcp".into()]),
        ),
        (
            "fulfillment_https",
            "fulfillment_url",
            Box::new(|l| l.fulfillment_url = "http://127.0.0.1:8080/register".into()),
        ),
        (
            "eula_present",
            "offer.eula",
            Box::new(|l| l.offer.eula = None),
        ),
        (
            "eula_document",
            "offer.eula.url",
            Box::new(|l| {
                l.offer.eula = Some(Eula::Custom {
                    url: "https://acme.example/terms".into(),
                })
            }),
        ),
        (
            "priced_above_zero",
            "offer.rates",
            Box::new(|l| l.offer.rates.iter_mut().for_each(|r| r.price = "0".into())),
        ),
        (
            "dimension_priced",
            "dimensions[api_calls]",
            Box::new(|l| {
                l.offer.rates.pop();
            }),
        ),
        (
            "refund_policy_present",
            "offer.refund_policy",
            Box::new(|l| l.offer.refund_policy.clear()),
        ),
        (
            "shape.too_long",
            "product.title",
            Box::new(|l| l.product.title = "t".repeat(80)),
        ),
    ];
    for (rule, field, edit) in cases {
        let mut l = good();
        edit(&mut l);
        assert!(has(&l, rule, field), "{rule} on {field}: {:?}", rules(&l));
        let f = lint(&l)
            .into_iter()
            .find(|f| f.rule == rule)
            .expect("finding");
        assert!(!f.source.is_empty() && !f.message.en.is_empty() && !f.message.ja.is_empty());
    }
    // Whole words only: a product named "Azurelite" names no cloud; free offers need no price.
    let mut l = good();
    l.product.title = "Azurelite".into();
    l.offer.pricing_model = OfferPricing::Free;
    l.offer.rates.clear();
    assert!(
        !rules(&l)
            .iter()
            .any(|(r, _)| r == "no_other_cloud" || r == "priced_above_zero"),
        "{:?}",
        rules(&l)
    );
    assert_eq!(
        lint(&good())
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count(),
        0
    );
}

/// The reachability rules, against a local server: an image logo and a text EULA pass; an HTML
/// "logo" and a missing EULA fail.
#[tokio::test]
async fn reachability_rules_check_status_and_content_type() {
    use axum::routing::get;
    let app = axum::Router::new()
        .route(
            "/logo.png",
            get(|| async {
                (
                    [("content-type", "image/png")],
                    vec![0x89u8, b'P', b'N', b'G'],
                )
            }),
        )
        .route(
            "/page.png",
            get(|| async { ([("content-type", "text/html")], "<html></html>") }),
        )
        .route(
            "/eula.txt",
            get(|| async { ([("content-type", "text/plain")], "terms") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::new();
    // Loopback http stands in for HTTPS here (the offline rule media_https is tested above).
    let mut l = good();
    l.product.logo_url = format!("{base}/logo.png");
    l.product.video_urls.clear();
    l.product.additional_resources.clear();
    l.offer.eula = Some(Eula::Custom {
        url: format!("{base}/eula.txt"),
    });
    assert_eq!(lint_network(&l, &http).await, vec![]);
    l.product.logo_url = format!("{base}/page.png");
    l.offer.eula = Some(Eula::Custom {
        url: format!("{base}/missing.txt"),
    });
    let found = lint_network(&l, &http).await;
    let fields: Vec<&str> = found.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["product.logo_url", "offer.eula.url"], "{found:?}");
    assert!(found[0].message.en.contains("text/html"));
    assert!(found[1].message.en.contains("404"));
}

/// The authoring policy is its own statement with exactly the change-set actions; the checks'
/// read-only policy never grants writing.
#[test]
fn the_authoring_policy_is_separate_from_the_read_only_one() {
    let authoring = la_aws::checks::authoring_iam_policy();
    let actions: Vec<&str> = authoring["Statement"][0]["Action"]
        .as_array()
        .expect("actions")
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "aws-marketplace:CancelChangeSet",
            "aws-marketplace:DescribeChangeSet",
            "aws-marketplace:DescribeEntity",
            "aws-marketplace:ListChangeSets",
            "aws-marketplace:ListEntities",
            "aws-marketplace:StartChangeSet",
        ]
    );
    assert_eq!(
        authoring["Statement"][0]["Sid"],
        "ListingAssistantListingAuthoring"
    );
    let read_only = la_aws::checks::iam_policy().to_string();
    assert!(!read_only.contains("StartChangeSet") && !read_only.contains("CancelChangeSet"));
}
