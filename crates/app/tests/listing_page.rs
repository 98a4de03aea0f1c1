//! The Listing page's use cases (`la_app::listing::page`) on a real data folder and the built-in
//! sandbox: open the listing (from AWS, then a draft once the environment names no product),
//! create the product from nothing, the production confirmation rule, break the allow-list and
//! repair it with Fix (the file repaired too), the change sets' history, and the Public request
//! refused until its prechecks hold.

use la_app::listing::page::{self, ListingSource};
use la_app::{App, ErrorCode, Options, QuietHost};
use la_core::model::EnvKind;
use la_core::secrets::Backend;
use std::sync::Arc;

const BUYER: &str = "444455556666";

async fn app(dir: &std::path::Path) -> (App, String) {
    let opts = Options {
        data_dir: dir.to_path_buf(),
        keyring_service: "io.listingassistant.test".into(),
        keyring: Backend::Unavailable,
        seed_demo_if_empty: false,
    };
    let app = App::open(&opts, Arc::new(QuietHost));
    la_app::sandbox::start_builtin(&app, Some("127.0.0.1:0")).await;
    let ws = la_app::workspace::by_name(&app, "Demo")
        .await
        .expect("Demo")
        .id;
    (app, ws)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_from_nothing_fix_and_the_public_request() {
    let dir = tempfile::tempdir().expect("dir");
    let (app, ws) = app(dir.path()).await;
    let core = app.core().expect("core").clone();
    let staging = EnvKind::Staging;

    // An existing product is pulled from AWS; lint runs on it offline.
    let pulled = page::load(&app, &ws, staging).await.expect("load");
    assert_eq!(pulled.source, ListingSource::Aws);
    assert!(pulled.has_product);
    let _ = page::lint(&pulled.listing).await;

    // No product named: a draft from the environment (buyers, fulfillment URL, dimensions, EULA).
    let (mut settings, _) = core.store().environment(&ws, staging).expect("env");
    settings.product_id.clear();
    settings.product_code.clear();
    core.save_environment(&ws, staging, &settings)
        .expect("save");
    let draft = page::load(&app, &ws, staging).await.expect("draft");
    assert_eq!(draft.source, ListingSource::Draft);
    assert!(!draft.has_product);
    assert_eq!(draft.listing.allow_listed_buyers, [BUYER]);
    assert_eq!(draft.listing.fulfillment_url, settings.fulfillment_url);
    assert_eq!(draft.listing.dimensions.len(), 2);

    // Create from nothing: the pulled page content under a new title, one change set.
    let mut fresh = pulled.listing.clone();
    fresh.product.title = "Acme From Nothing".into();
    let plan = page::plan(&app, &ws, staging, &fresh, true)
        .await
        .expect("plan");
    assert_eq!(plan.plan.changes[0].change_type, "CreateProduct");
    let created = page::apply(&app, &ws, staging, &fresh, "create", "")
        .await
        .expect("apply");
    let outcome = created.outcome.expect("sent");
    assert!(outcome.succeeded(), "{outcome:?}");
    let values = created.created.expect("created");
    assert!(values.product_id.starts_with("prod-"));
    let (settings, _) = core.store().environment(&ws, staging).expect("env");
    assert_eq!(settings.product_id, values.product_id);
    assert_eq!(settings.product_code, values.product_code);
    let saved = page::load(&app, &ws, staging).await.expect("load");
    assert_eq!(saved.source, ListingSource::File);
    assert!(saved.has_product);

    // Production: nothing is sent unless the product title is typed.
    let prod = page::load(&app, &ws, EnvKind::Production)
        .await
        .expect("production");
    let refused = page::apply(
        &app,
        &ws,
        EnvKind::Production,
        &prod.listing,
        "apply",
        "oops",
    )
    .await
    .expect_err("refused");
    assert_eq!(refused.code, ErrorCode::InvalidInput);

    // Break the allow-list in AWS, then Fix: the repair goes through plan → validate → apply
    // and the file gets the buyer back too.
    let mut broken = saved.listing.clone();
    broken.allow_listed_buyers.clear();
    let b = page::apply(&app, &ws, staging, &broken, "apply", "")
        .await
        .expect("break");
    assert!(b.outcome.expect("sent").succeeded());
    let fix = page::fix(&app, &ws, staging, "catalog.allow_list")
        .await
        .expect("fix")
        .expect("a fix");
    assert!(fix.summary.en.contains(BUYER));
    let f = page::apply(
        &app,
        &ws,
        staging,
        &fix.listing,
        "fix:catalog.allow_list",
        "",
    )
    .await
    .expect("apply fix");
    assert_eq!(f.planned.plan.changes[0].change_type, "UpdateTargeting");
    assert!(f.outcome.expect("sent").succeeded());
    let file = page::load(&app, &ws, staging).await.expect("load");
    assert_eq!(file.listing.allow_listed_buyers, [BUYER]);
    assert!(page::fix(&app, &ws, staging, "catalog.allow_list")
        .await
        .expect("fix")
        .is_none());
    assert!(page::fix(&app, &ws, staging, "registration.https")
        .await
        .expect("no fix")
        .is_none());

    let history = page::history(&app, &ws, staging).await.expect("history");
    let kinds: Vec<&str> = history.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["fix:catalog.allow_list", "apply", "create"]);
    assert!(history.iter().all(|r| r.status == "SUCCEEDED"));
    assert!(page::refresh_open(&app, &ws)
        .await
        .expect("refresh")
        .is_empty());

    // Step 12: refused while the prechecks do not hold.
    let release = page::release_view(&app, &ws).await.expect("release");
    assert!(!release.ready);
    assert!(release.request.is_none());
    let e = page::request_public(&app, &ws, "Acme")
        .await
        .expect_err("prechecks");
    assert_eq!(e.code, ErrorCode::InvalidInput);
}

/// "Export listing file…" writes the page's listing where the dialog pointed; "Import listing
/// file…" reads it back (the same TOML the CLI reads), and refuses what is not a listing file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listing_file_goes_out_and_comes_back() {
    let dir = tempfile::tempdir().expect("dir");
    let (app, ws) = app(dir.path()).await;
    let pulled = page::load(&app, &ws, EnvKind::Staging).await.expect("load");
    let out = dir.path().join("exported.listing.toml");
    page::export_file(&app, &ws, &pulled.listing, &out)
        .await
        .expect("export");
    let back = page::import_file(&out).await.expect("import");
    assert_eq!(back, pulled.listing);
    // The CLI reads the same file.
    assert_eq!(la_listing::file::read(&out).expect("read"), back);
    // An unknown workspace writes nothing.
    let other = dir.path().join("other.listing.toml");
    let e = page::export_file(&app, "no-such-workspace", &pulled.listing, &other)
        .await
        .expect_err("unknown workspace");
    assert_eq!(e.code, ErrorCode::NotFound, "{}", e.message);
    assert!(!other.exists());
    // Not a listing file: garbage, and anything past 1 MiB (refused before it is read whole).
    let garbage = dir.path().join("garbage.toml");
    std::fs::write(&garbage, "title = [").expect("write");
    let e = page::import_file(&garbage).await.expect_err("garbage");
    assert!(e.message.contains("not valid"), "{}", e.message);
    let huge = dir.path().join("huge.toml");
    std::fs::write(&huge, "#".repeat(1024 * 1024 + 1)).expect("write");
    let e = page::import_file(&huge).await.expect_err("too big");
    assert!(e.message.contains("larger than 1 MiB"), "{}", e.message);
}
