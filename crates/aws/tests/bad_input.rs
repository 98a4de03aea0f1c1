//! The bad-input table: for each class of bad input, the exact message the user sees (English and
//! Japanese) and proof that nothing already recorded is lost. The README's "Bad input" table is
//! this file's rows.
//!
//! Settings the user types are refused by validation (the inline message; the stored settings are
//! kept). Everything else is what AWS, the network or an endpoint does during a check run: the run
//! goes through the app's own path (`run_for_environment` on a real store, the sandbox or a local
//! HTTP server on loopback), the check ends "error" with its summary and advice, the result is
//! recorded, and the item the check proves keeps the status and notes it had.

mod common;

use axum::routing::any;
use common::sandbox;
use la_aws::engine::{CheckStatus, EngineOptions};
use la_core::model::{CredentialSource, EnvKind, EnvironmentSettings, ItemStatus, StatusChange};
use la_core::service::Core;
use la_sandbox::{Config, Fault};
use std::collections::HashSet;
use std::time::Duration;

/// The check every runtime row looks at (DescribeEntity on the Catalog API) and its item.
const CHECK: &str = "catalog.product_exists";
const ITEM: &str = "staging.product.exists";
const STEP: &str = "s04";
/// An item the user attested by hand, with a note.
const ATTESTED: &str = "seller.public_profile";

struct Row {
    class: &'static str,
    /// What the user sees: the check's summary (`{port}` stands for the endpoint's port) …
    summary: &'static str,
    /// … and its advice.
    en: &'static str,
    ja: &'static str,
}

/// A loopback endpoint that answers every request with `status` and `body`.
async fn endpoint(status: u16, body: Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = axum::Router::new().fallback(any(move || {
        let body = body.clone();
        async move {
            axum::response::Response::builder()
                .status(status)
                .header("content-type", "application/x-amz-json-1.1")
                .body(axum::body::Body::from(body))
                .expect("response")
        }
    }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// A fresh store with the Demo workspace pointed at `url` and an attested item with a note, so
/// each row can show none of it is lost.
fn core(dir: &std::path::Path, url: &str) -> (Core, String) {
    let c = la_testkit::core::with_demo_at(dir, url);
    let ws = c.list_workspaces().expect("list")[0].workspace.id.clone();
    c.set_item_status(&StatusChange {
        workspace_id: ws.clone(),
        item_id: ATTESTED.into(),
        status: ItemStatus::Passed,
        note: "confirmed in the Management Portal".into(),
        waiver_reason: None,
    })
    .expect("attest");
    (c, ws)
}

/// The engine's options: a generous time limit (the SDK's own retries of throttled and failed
/// connections come first), shortened by the timeout row.
fn opts(timeout: Duration) -> EngineOptions {
    EngineOptions {
        timeout,
        throttle_retries: 1,
        backoff: Duration::from_millis(10),
        ..Default::default()
    }
}

/// Runs step 4's checks the way the app does and returns what the user sees for `CHECK`,
/// after asserting the row's message and that nothing recorded before was lost.
async fn run_row(c: &Core, ws: &str, row: &Row, port: u16) {
    run_row_within(c, ws, row, port, LIMIT).await
}

const LIMIT: Duration = Duration::from_secs(60);

async fn run_row_within(c: &Core, ws: &str, row: &Row, port: u16, limit: Duration) {
    let status = |c: &Core| {
        let items = c.workspace_detail(ws).expect("detail").items;
        let of = |id: &str| items.iter().find(|i| i.item_id == id).map(|i| i.status);
        (of(ITEM), of(ATTESTED))
    };
    let status_before = status(c);
    let history_before = (
        c.item_history(ws, ITEM).expect("history"),
        c.item_history(ws, ATTESTED).expect("history"),
    );
    let results_before = c
        .latest_check_results(ws, EnvKind::Staging)
        .expect("latest");
    let run = la_aws::run::run_for_environment(
        c,
        ws,
        EnvKind::Staging,
        Some(STEP),
        &opts(limit),
        &|_, _| {},
        &Default::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("{}: the run itself failed: {e:?}", row.class));
    let results = c.store().run_results(&run.id).expect("results");
    let r = results
        .iter()
        .find(|r| r.id == CHECK)
        .unwrap_or_else(|| panic!("{}: no {CHECK} result", row.class));
    assert_eq!(
        r.status,
        CheckStatus::Error,
        "{}: {}",
        row.class,
        r.summary.en
    );
    let summary = row.summary.replace("{port}", &port.to_string());
    assert_eq!(r.summary.en, summary, "{}: summary", row.class);
    // The stored result reads in Japanese too: the same cause after the Japanese lead-in.
    let ja = summary.replacen("cannot check: ", "確認できません: ", 1);
    let ja = ja.replacen("throttled by AWS: ", "AWS に呼び出しを制限されました: ", 1);
    let ja = ja.replacen("credentials: ", "認証情報: ", 1);
    let ja = ja.replacen(
        la_aws::engine::NO_CREDENTIALS_SUMMARY,
        la_aws::engine::NO_CREDENTIALS_SUMMARY_JA,
        1,
    );
    if let Some(action) = summary
        .strip_prefix("cannot check: needs `")
        .and_then(|a| a.strip_suffix('`'))
    {
        assert_eq!(
            r.summary.ja,
            format!("確認できません: `{action}` の権限が必要です"),
            "{}: summary (ja)",
            row.class
        );
    } else if let Some(secs) = summary.strip_prefix("cannot check: timed out after ") {
        let secs = secs.trim_end_matches(" s");
        assert_eq!(
            r.summary.ja,
            format!("確認できません: {secs} 秒でタイムアウトしました"),
            "{}: summary (ja)",
            row.class
        );
    } else {
        assert_eq!(r.summary.ja, ja, "{}: summary (ja)", row.class);
    }
    assert_eq!(r.advice.en, row.en, "{}: advice (en)", row.class);
    assert_eq!(r.advice.ja, row.ja, "{}: advice (ja)", row.class);

    // Nothing lost: the item keeps its status and every note, earlier results stay readable.
    let history = (
        c.item_history(ws, ITEM).expect("history"),
        c.item_history(ws, ATTESTED).expect("history"),
    );
    assert_eq!(history.0.len(), history_before.0.len(), "{}", row.class);
    assert_eq!(history.1.len(), history_before.1.len(), "{}", row.class);
    assert!(history
        .1
        .iter()
        .any(|h| h.note == "confirmed in the Management Portal"));
    assert_eq!(status(c), status_before, "{}: statuses kept", row.class);
    let runs = c.check_runs(ws, EnvKind::Staging).expect("runs");
    assert_eq!(runs[0].state, "finished", "{}", row.class);
    for before in results_before {
        assert!(
            !c.store()
                .run_results(&before.run_id)
                .expect("old run")
                .is_empty(),
            "{}: an earlier run's results vanished",
            row.class
        );
    }
}

fn settings(c: &Core, ws: &str) -> EnvironmentSettings {
    c.store()
        .environment(ws, EnvKind::Staging)
        .expect("settings")
        .0
}

fn save(c: &Core, ws: &str, f: impl FnOnce(&mut EnvironmentSettings)) {
    let mut s = settings(c, ws);
    f(&mut s);
    c.save_environment(ws, EnvKind::Staging, &s).expect("save");
}

const UNREACHABLE_EN: &str =
    "Check the network, the endpoint URL and any proxy, then run the check again.";
const UNREACHABLE_JA: &str =
    "ネットワーク、エンドポイント URL、プロキシを確認してから再実行してください。";
const CREDENTIALS_EN: &str = "Renew the credentials (for SSO profiles: `aws sso login --profile NAME`) or fix the environment's credential settings.";
const CREDENTIALS_JA: &str = "認証情報を更新するか (SSO プロファイルは `aws sso login --profile 名前`)、環境の認証情報の設定を修正してください。";
const OTHER_EN: &str = "See the details, fix the cause and run the check again.";
const OTHER_JA: &str = "詳細を確認して原因を修正し、再実行してください。";

/// Malformed ARN, wrong account ID, wrong region: refused as typed, old settings kept.
#[test]
fn typed_settings_are_refused_with_their_message_and_nothing_is_lost() {
    /// class, field, message (en), message (ja), how the user got it wrong.
    type TypedRow = (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        fn(&mut EnvironmentSettings),
    );
    let rows: &[TypedRow] = &[
        (
            "malformed ARN",
            "saas_role_arn",
            "Not a valid ARN: an ARN has six parts: arn:partition:service:region:account:resource.",
            "ARN の形式が正しくありません: ARN は arn:partition:service:region:account:resource の 6 つの部分からなります。",
            |s| s.saas_role_arn = "arn:aws:iam:123456789012".into(),
        ),
        (
            "wrong account ID",
            "seller_account_id",
            "An AWS account ID is exactly 12 digits.",
            "AWS アカウント ID は 12 桁の数字です。",
            |s| s.seller_account_id = "11112222333".into(),
        ),
        (
            "wrong region",
            "region",
            "Not an AWS region name (for example us-east-1).",
            "AWS リージョン名ではありません (例: us-east-1)。",
            |s| s.region = "us-east1".into(),
        ),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let (c, ws) = core(dir.path(), "http://127.0.0.1:8484");
    let kept = settings(&c, &ws);
    for (class, field, en, ja, break_it) in rows {
        let mut s = kept.clone();
        break_it(&mut s);
        let errors = la_core::validate::validate_settings(&s);
        assert_eq!(errors.len(), 1, "{class}: {errors:?}");
        assert_eq!(errors[0].field, *field, "{class}");
        assert_eq!(errors[0].message.en, *en, "{class} (en)");
        assert_eq!(errors[0].message.ja, *ja, "{class} (ja)");
        let refused = c
            .save_environment(&ws, EnvKind::Staging, &s)
            .expect_err(class);
        assert_eq!(refused.to_string(), format!("{en} ({field})"), "{class}");
        assert_eq!(settings(&c, &ws), kept, "{class}: stored settings changed");
        assert!(!c.item_history(&ws, ATTESTED).expect("history").is_empty());
    }
    // The same settings, fixed, save: the table's rows fail only for their one field.
    c.save_environment(&ws, EnvKind::Staging, &kept)
        .expect("valid settings save");
}

/// Missing and rejected credentials, a denied action, throttling, a timeout: the sandbox.
#[tokio::test]
async fn aws_refusals_show_their_message_and_nothing_is_lost() {
    let mut config = Config::default();
    config.denied.insert(
        la_sandbox::DEMO_ACCESS_KEY_ID.into(),
        HashSet::from(["aws-marketplace:DescribeEntity".to_string()]),
    );
    let denied = sandbox(config).await;
    let run = sandbox(Config::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");

    // Missing IAM permission.
    let (c, ws) = core(&dir.path().join("denied"), &denied.url);
    run_row(
        &c,
        &ws,
        &Row {
            class: "missing IAM permission",
            summary: "cannot check: needs `aws-marketplace:DescribeEntity`",
            en: "Grant the action to the role or user the app uses (see the IAM policy in the README), then run the check again.",
            ja: "アプリが使うロールまたはユーザーにこのアクションを許可し (README の IAM ポリシー参照)、もう一度チェックを実行してください。",
        },
        denied.addr.port(),
    )
    .await;

    let (c, ws) = core(&dir.path().join("main"), &run.url);
    // A first good run, so the later rows show earlier results survive them.
    la_aws::run::run_for_environment(
        &c,
        &ws,
        EnvKind::Staging,
        Some(STEP),
        &opts(LIMIT),
        &|_, _| {},
        &Default::default(),
    )
    .await
    .expect("good run");

    // Missing credentials: access keys chosen, none stored. The run is refused before any check
    // starts; the run is recorded as failed.
    save(&c, &ws, |s| {
        s.credential_source = CredentialSource::AccessKeys
    });
    let refused = la_aws::run::run_for_environment(
        &c,
        &ws,
        EnvKind::Staging,
        Some(STEP),
        &opts(LIMIT),
        &|_, _| {},
        &Default::default(),
    )
    .await
    .expect_err("no keys stored");
    assert_eq!(refused.code, la_core::ErrorCode::Credentials);
    assert_eq!(
        refused.message,
        "this environment uses access keys, but none are stored in the keyring"
    );
    let runs = c.check_runs(&ws, EnvKind::Staging).expect("runs");
    assert_eq!(runs[0].state, "failed");
    assert!(!c.item_history(&ws, ATTESTED).expect("history").is_empty());

    // Expired or revoked credentials: keys the endpoint does not know.
    c.set_access_keys(
        &ws,
        EnvKind::Staging,
        "AKIAEXPIREDKEY000001",
        "an-expired-secret-access-key-000000000",
    )
    .expect("keys");
    run_row(
        &c,
        &ws,
        &Row {
            class: "expired / unknown credentials",
            summary: "cannot check: credentials: DescribeEntity: UnrecognizedClientException: The security token included in the request is invalid.",
            en: CREDENTIALS_EN,
            ja: CREDENTIALS_JA,
        },
        run.addr.port(),
    )
    .await;
    save(&c, &ws, |s| {
        s.credential_source = CredentialSource::DefaultChain;
    });

    // Throttling, after the engine's own retry.
    run.sandbox.set_fault(
        "*",
        Fault {
            throttle_rate: 1.0,
            ..Default::default()
        },
    );
    run_row(
        &c,
        &ws,
        &Row {
            class: "throttling",
            summary: "cannot check: throttled by AWS: DescribeEntity: ThrottlingException: Rate exceeded",
            en: "AWS is throttling the account; run the check again in a minute.",
            ja: "AWS がアカウントの呼び出しを制限しています。1 分ほど待ってから再実行してください。",
        },
        run.addr.port(),
    )
    .await;

    // Timeout: every call 5 s late, the engine gives up after 2 s.
    run.sandbox.set_fault(
        "*",
        Fault {
            delay_ms: 5_000,
            ..Default::default()
        },
    );
    run_row_within(
        &c,
        &ws,
        &Row {
            class: "timeout",
            summary: "cannot check: timed out after 2 s",
            en: "The endpoint did not answer in time; check the network and run the check again.",
            ja: "エンドポイントが時間内に応答しませんでした。ネットワークを確認して再実行してください。",
        },
        run.addr.port(),
        Duration::from_secs(2),
    )
    .await;
    run.sandbox.set_fault("*", Fault::default());
}

/// Connection refused, DNS failure, TLS failure, malformed JSON, an oversized response.
#[tokio::test]
async fn network_and_endpoint_failures_show_their_message_and_nothing_is_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = sandbox(Config::default()).await;
    let (c, ws) = core(dir.path(), &good.url);

    // A port nobody listens on: bind one, note it, close it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    save(&c, &ws, |s| {
        s.endpoint_url = format!("http://127.0.0.1:{closed}");
    });
    run_row(
        &c,
        &ws,
        &Row {
            class: "connection refused",
            summary:
                "cannot check: DescribeEntity: could not reach the endpoint (connection failed)",
            en: UNREACHABLE_EN,
            ja: UNREACHABLE_JA,
        },
        closed,
    )
    .await;

    // A name that never resolves (RFC 2606 reserves .invalid).
    save(&c, &ws, |s| {
        s.endpoint_url = "https://marketplace.listing-assistant.invalid".into();
    });
    run_row(
        &c,
        &ws,
        &Row {
            class: "DNS failure",
            summary:
                "cannot check: DescribeEntity: could not reach the endpoint (connection failed)",
            en: UNREACHABLE_EN,
            ja: UNREACHABLE_JA,
        },
        0,
    )
    .await;

    // TLS spoken to a plain-HTTP server: the handshake fails.
    save(&c, &ws, |s| {
        s.endpoint_url = format!("https://127.0.0.1:{}", good.addr.port());
    });
    run_row(
        &c,
        &ws,
        &Row {
            class: "TLS failure",
            summary:
                "cannot check: DescribeEntity: could not reach the endpoint (connection failed)",
            en: UNREACHABLE_EN,
            ja: UNREACHABLE_JA,
        },
        good.addr.port(),
    )
    .await;

    // An endpoint answering 200 with JSON cut short.
    let url = endpoint(
        200,
        b"{\"EntityType\": \"SaaSProduct@1\", \"Details\": ".to_vec(),
    )
    .await;
    save(&c, &ws, |s| s.endpoint_url = url.clone());
    run_row(
        &c,
        &ws,
        &Row {
            class: "malformed JSON",
            summary: "cannot check: DescribeEntity: the endpoint's answer is not a valid DescribeEntity response (Error at offset 43: unexpected end of stream)",
            en: OTHER_EN,
            ja: OTHER_JA,
        },
        0,
    )
    .await;

    // An endpoint answering 200 with 32 MiB of something that is not the API's answer.
    let url = endpoint(200, vec![b'x'; 32 << 20]).await;
    save(&c, &ws, |s| s.endpoint_url = url.clone());
    run_row(
        &c,
        &ws,
        &Row {
            class: "oversized response",
            summary: "cannot check: DescribeEntity: the endpoint's answer is not a valid DescribeEntity response (Error at offset 0: unexpected token 'x'. Expected one of '{', '[', '\"', 'null', 'true', 'false', <number>)",
            en: OTHER_EN,
            ja: OTHER_JA,
        },
        0,
    )
    .await;
}

/// A machine with no AWS credentials at all (the most common first run), in a child process of
/// this test binary whose environment has no `AWS_*` variable, an empty HOME and the instance
/// metadata provider off, so nothing from this machine leaks in and 169.254.169.254 is never
/// contacted. Before the fix each check said "could not reach the endpoint" with the SDK's
/// dispatch error, and every sandbox notification carried the SDK's error dump.
#[test]
fn no_credentials_anywhere_is_said_once_as_such() {
    let home = tempfile::tempdir().expect("home");
    let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"));
    child
        .args([
            "--exact",
            "no_credentials_child",
            "--ignored",
            "--nocapture",
        ])
        .env("LA_NO_CREDENTIALS_CHILD", "1")
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.path().join("config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("credentials"),
        );
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_")
            && ![
                "AWS_EC2_METADATA_DISABLED",
                "AWS_CONFIG_FILE",
                "AWS_SHARED_CREDENTIALS_FILE",
            ]
            .contains(&k.as_str())
        {
            child.env_remove(k);
        }
    }
    let out = child.output().expect("run the child");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("1 passed"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Run only by the test above, in the environment it prepares.
#[tokio::test]
#[ignore = "run by no_credentials_anywhere_is_said_once_as_such in a clean environment"]
async fn no_credentials_child() {
    if std::env::var("LA_NO_CREDENTIALS_CHILD").is_err() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let good = sandbox(Config::default()).await;
    let (c, ws) = core(dir.path(), &good.url);
    save(&c, &ws, |s| {
        s.mode = la_core::model::EnvMode::Real;
        s.credential_source = CredentialSource::DefaultChain;
        // AWS's own endpoints: nothing is sent, the chain is asked first.
        s.endpoint_url = String::new();
        s.fulfillment_url = "https://saas.example/marketplace/register".into();
        s.eula_url = "https://saas.example/eula.txt".into();
    });
    run_row(
        &c,
        &ws,
        &Row {
            class: "no AWS credentials",
            summary: "could not check: no credentials",
            en: la_aws::run::NO_CREDENTIALS_ADVICE_EN,
            ja: la_aws::run::NO_CREDENTIALS_ADVICE_JA,
        },
        0,
    )
    .await;

    // The sandbox delivering to a queue with the default chain: each notification says the one
    // line, not the SDK's dispatch error.
    let sb = sandbox(Config {
        sqs: Some(la_sandbox::SqsTarget {
            queue_url: "http://127.0.0.1:9/000000000000/marketplace".into(),
            endpoint_url: Some("http://127.0.0.1:9".into()),
            region: "us-east-1".into(),
            credentials: None,
        }),
        ..Config::default()
    })
    .await;
    let p = la_sandbox_api::Client::new(&sb.url)
        .purchase(&la_sandbox_api::PurchaseRequest {
            redirect: false,
            ..la_sandbox_api::PurchaseRequest::new("prod-demostg4a7k2q", "444455556666")
        })
        .await
        .expect("purchase");
    let sns: Vec<_> = p
        .notifications
        .iter()
        .filter(|n| n.topic_arn.is_some())
        .collect();
    assert!(!sns.is_empty());
    for n in sns {
        assert_eq!(
            n.error.as_deref(),
            Some(la_sandbox::NO_SQS_CREDENTIALS),
            "{n:?}"
        );
    }
}
