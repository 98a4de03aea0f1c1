//! The sandbox's doors (issue 14, item 1): a web page the seller opens cannot drive the sandbox
//! through DNS rebinding (its requests name another host), nor from its own origin; the control
//! API needs this launch's secret; injected delays and the logs are bounded. Before the fix each
//! refusal below was a 200.

use la_sandbox_api::{Client, ControlError, Fault, FaultRequest, PurchaseRequest, SECRET_HEADER};
use serde_json::json;

const STAGING: &str = "prod-demostg4a7k2q";
const BUYER: &str = "444455556666";

async fn status(rb: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
    let r = rb.send().await.expect("the sandbox answers");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_foreign_host_is_refused_on_every_route() {
    let sb = la_testkit::sandbox::seeded().await;
    let http = reqwest::Client::new();
    let port = sb.addr.port();
    for path in [
        "/_sandbox/health",
        "/_sandbox/products",
        "/",
        "/_demo-saas/staging/eula.txt",
    ] {
        let (s, v) = status(
            http.get(format!("{}{path}", sb.url))
                .header("host", format!("evil.example:{port}"))
                .header(SECRET_HEADER, &sb.control_secret),
        )
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (403, Some("ForbiddenHost")),
            "{path}: {v}"
        );
    }
    // The loopback names with the bound port pass.
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        let (s, v) = status(
            http.get(format!("{}/_sandbox/health", sb.url))
                .header("host", host),
        )
        .await;
        assert_eq!(s, 200, "{v}");
    }
}

#[tokio::test]
async fn a_foreign_origin_is_refused_and_the_sandboxs_own_pages_still_post() {
    let sb = la_testkit::sandbox::seeded().await;
    let http = reqwest::Client::new();
    let (s, v) = status(
        http.post(format!("{}/_sandbox/purchase", sb.url))
            .header("origin", "https://evil.example")
            .header(SECRET_HEADER, &sb.control_secret)
            .json(&json!({"product": STAGING, "buyer_account": BUYER, "redirect": false})),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("ForbiddenOrigin")),
        "{v}"
    );
    let (s, _) = status(
        http.post(format!("{}/_demo-saas/staging/meter", sb.url))
            .header("origin", "https://evil.example")
            .json(&json!({})),
    )
    .await;
    assert_eq!(s, 403, "a foreign page cannot meter through the demo SaaS");

    // The one-time purchase page posts its form to the demo SaaS from the sandbox's own
    // origin: that keeps working.
    let p = Client::new(&sb.url)
        .purchase(&PurchaseRequest {
            redirect: false,
            browser_form: true,
            ..PurchaseRequest::new(STAGING, BUYER)
        })
        .await
        .expect("purchase");
    let page = http
        .get(format!(
            "{}{}",
            sb.url,
            p.browser_path.expect("browser path")
        ))
        .send()
        .await
        .expect("landing");
    assert_eq!(page.status(), 200);
    let (s, v) = status(
        http.post(format!(
            "{}/_demo-saas/staging/marketplace/register",
            sb.url
        ))
        .header("origin", sb.url.clone())
        .form(&[("x-amzn-marketplace-token", p.registration_token.as_str())]),
    )
    .await;
    assert!(
        s < 400,
        "the demo SaaS takes its own origin's form: {s} {v}"
    );
}

#[tokio::test]
async fn the_control_api_needs_this_launchs_secret() {
    let sb = la_testkit::sandbox::seeded().await;
    let none = Client::with_secret(&sb.url, None);
    match none.clock().await {
        Err(ControlError::Refused { status, code, .. }) => {
            assert_eq!((status, code.as_str()), (401, "MissingControlSecret"))
        }
        other => panic!("no secret: {other:?}"),
    }
    let wrong = Client::with_secret(&sb.url, Some("x".repeat(sb.control_secret.len())));
    match wrong.clock().await {
        Err(ControlError::Refused { status, code, .. }) => {
            assert_eq!((status, code.as_str()), (403, "WrongControlSecret"))
        }
        other => panic!("wrong secret: {other:?}"),
    }
    // The health probe stays open (it tells only that the sandbox runs).
    assert!(none.health().await.expect("health").ok);
    // In-process clients get the secret from the registry the server filled.
    Client::new(&sb.url)
        .clock()
        .await
        .expect("clock with the secret");
    // A second launch has another secret.
    let other = la_testkit::sandbox::seeded().await;
    assert_ne!(other.control_secret, sb.control_secret);
    assert!(sb.control_secret.len() >= 32);
}

#[tokio::test]
async fn a_huge_delay_is_refused() {
    let sb = la_testkit::sandbox::seeded().await;
    let c = Client::new(&sb.url);
    let e = c
        .faults(&FaultRequest {
            operation: "*".into(),
            fault: Fault {
                delay_ms: u64::MAX,
                ..Fault::default()
            },
        })
        .await
        .expect_err("refused");
    assert!(
        matches!(&e, ControlError::Refused { status: 400, .. }),
        "{e:?}"
    );
    c.faults(&FaultRequest {
        operation: "*".into(),
        fault: Fault {
            delay_ms: la_sandbox_api::MAX_FAULT_DELAY_MS,
            ..Fault::default()
        },
    })
    .await
    .expect("the largest delay is taken");
}

#[tokio::test]
async fn the_notification_log_and_the_call_log_keep_their_newest_entries_only() {
    let sb = la_testkit::sandbox::seeded().await;
    let p = sb
        .sandbox
        .purchase(&la_sandbox::buyer::PurchaseRequest {
            product: STAGING.into(),
            buyer_account: BUYER.into(),
            entitlements: vec![],
            redirect: false,
            browser_form: false,
            free_trial: false,
        })
        .await
        .expect("purchase");
    let cap = la_sandbox::MAX_NOTIFICATION_LOG;
    let mut i = 0;
    while sb
        .sandbox
        .notifications()
        .last()
        .and_then(|n| n["seq"].as_u64())
        .unwrap_or(0)
        < (cap + 1000) as u64
    {
        i += 1;
        sb.sandbox
            .change(
                &p.license_arn,
                &[la_sandbox::model::Entitlement {
                    dimension: "seats".into(),
                    quantity: Some(1 + i % 50),
                }],
            )
            .await
            .expect("change");
    }
    let log = sb.sandbox.notifications();
    assert_eq!(log.len(), cap, "the log holds the newest {cap} entries");
    let seqs: Vec<u64> = log.iter().filter_map(|n| n["seq"].as_u64()).collect();
    assert_eq!(seqs.len(), cap);
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "consecutive, newest last"
    );
    assert!(
        seqs[0] > 1000,
        "the oldest were dropped: first is {}",
        seqs[0]
    );

    let max = la_sandbox::state::MAX_TRAIL_ROWS;
    for n in 0..max + 1000 {
        sb.sandbox
            .state
            .record_trail(&la_sandbox::state::TrailRow {
                event_id: format!("e{n}"),
                event_name: "GetEntitlements".into(),
                event_source: "license-manager.amazonaws.com".into(),
                event_time: 0,
                access_key: "AKIA".into(),
                read_only: true,
                request: "{}".into(),
                response: "{}".into(),
            })
            .expect("record");
    }
    let trail = sb.sandbox.state.trail().expect("trail");
    assert_eq!(trail.len(), max);
    assert_eq!(trail[0].event_id, format!("e{}", max + 999), "newest first");
}
