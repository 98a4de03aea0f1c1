//! Watchers that retry and stop with their session, the product page from the Catalog, and a
//! purchase through the tester's browser.

use crate::common::*;
use la_core::model::{EnvMode, EnvironmentSettings};
use la_core::purchase::{VerdictId, VerdictState, WatcherState};
use la_purchase::sandbox::SandboxBuyer;
use la_purchase::watch::Session;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchers_retry_with_backoff_and_stop_when_the_session_is_dropped() {
    // Nothing listens here: every watcher fails and keeps retrying.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let dead = format!("http://127.0.0.1:{port}");
    let settings = EnvironmentSettings {
        mode: EnvMode::Sandbox,
        endpoint_url: dead.clone(),
        product_code: CODE.into(),
        sqs_queue_url: format!("{dead}/123456789012/q"),
        test_buyer_account_ids: vec![BUYER.into()],
        ..EnvironmentSettings::default()
    };
    let mut cfg = la_purchase::config::watch_config(&settings, None, BUYER, true)
        .await
        .expect("config");
    cfg.intervals.backoff_max = Duration::from_millis(300);
    if let Some(q) = &mut cfg.sqs {
        q.wait_secs = 0;
    }
    let sink = Arc::new(Collect::default());
    let s = Session::start(cfg, sink.clone());
    let live = s.live_counter();
    assert_eq!(
        live.load(Ordering::SeqCst),
        4,
        "SQS, the sandbox log, entitlements and CloudTrail"
    );
    until(&s, "every watcher retrying twice", |_| {
        let st = sink.statuses.lock().expect("lock");
        [
            la_core::purchase::WatcherKind::Sqs,
            la_core::purchase::WatcherKind::SandboxFeed,
            la_core::purchase::WatcherKind::Entitlements,
            la_core::purchase::WatcherKind::CloudTrail,
        ]
        .iter()
        .all(|k| {
            st.iter()
                .filter(|x| {
                    x.watcher == *k && x.state == WatcherState::Retrying && x.error.is_some()
                })
                .count()
                >= 2
        })
    })
    .await;
    assert!(s
        .statuses()
        .iter()
        .all(|x| x.state != WatcherState::Stopped));
    drop(s);
    for _ in 0..100 {
        if live.load(Ordering::SeqCst) == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{} watcher task(s) outlived their session",
        live.load(Ordering::SeqCst)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_product_page_comes_from_the_catalog_entity() {
    let sandbox = serve(la_sandbox::Config::default()).await;
    let sdk = la_aws::access::static_config(
        &sandbox.url,
        la_sandbox::DEMO_ACCESS_KEY_ID,
        la_sandbox::DEMO_SECRET_ACCESS_KEY,
    );
    assert_eq!(
        la_purchase::config::product_page_url(&sdk, PRODUCT)
            .await
            .expect("page"),
        format!("https://aws.amazon.com/marketplace/pp/{PRODUCT}")
    );
    let missing = la_purchase::config::product_page_url(&sdk, "prod-doesnotexist1")
        .await
        .expect_err("unknown product");
    assert!(
        missing.message.contains("ResourceNotFound"),
        "{}",
        missing.message
    );
    assert!(la_purchase::config::product_page_url(&sdk, " ")
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purchase_through_the_browser_lands_once_and_is_timed() {
    let w = world("good").await;
    let (s, _) = start(&w, true).await;
    let buyer = SandboxBuyer::new(&w.sandbox.url);
    let p = buyer
        .purchase(&s, PRODUCT, BUYER, true)
        .await
        .expect("purchase");
    assert_eq!(
        p.landing_status, None,
        "the sandbox must not post it itself"
    );
    let url = p.browser_url.expect("a page for the browser");
    // What the tester's browser does: open the page, submit its form to the SaaS.
    let http = reqwest::Client::new();
    let page = http
        .get(&url)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let action = page
        .split("action=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("form action")
        .replace("&amp;", "&");
    let token = page
        .split("name=\"x-amzn-marketplace-token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("token field");
    let posted = http
        .post(&action)
        .form(&[("x-amzn-marketplace-token", token)])
        .send()
        .await
        .expect("post");
    assert_eq!(posted.text().await.expect("body"), "welcome");
    // The page is served once, like AWS's redirect.
    assert_eq!(http.get(&url).send().await.expect("again").status(), 404);
    until(&s, "the browser landing and ResolveCustomer", |s| {
        s.events()
            .iter()
            .any(|e| e.kind == "landing" && e.summary.en.contains("through the browser"))
            && verdict(s, VerdictId::ResolveWithin10s) == VerdictState::Pass
    })
    .await;
    // Once, however many times the log is read after it (the watcher asks only for what
    // follows the last entry it read; an empty answer is not a restarted sandbox).
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let landings = s.events().iter().filter(|e| e.kind == "landing").count();
    assert_eq!(landings, 1, "the landing is on the timeline once");
    // Neither the token nor the one-time page is kept on the timeline.
    assert!(s
        .events()
        .iter()
        .all(|e| !e.raw.contains(token) && !e.raw.contains(&url)));
    s.close().await;
}
