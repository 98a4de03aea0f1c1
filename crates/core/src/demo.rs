//! The demo workspace, `Demo`, created on the very first start so a new user (and `make run`)
//! sees a populated, working app with no AWS account. Its environments point at the built-in
//! Marketplace sandbox on loopback.

use crate::error::Result;
use crate::model::*;
use crate::service::Core;

pub const DEMO_NAME: &str = "Demo";
/// Where the built-in sandbox listens by default (the app moves the Demo workspace to whatever
/// port the sandbox actually got, see `repoint`).
pub const SANDBOX_ENDPOINT: &str = "http://127.0.0.1:8484";
/// The sandbox's documented demo credentials (equal to `la_sandbox::DEMO_*`, checked by a test
/// in the CLI crate). Not secrets: they are valid only against the local sandbox.
pub const SANDBOX_ACCESS_KEY_ID: &str = "AKIASANDBOXDEMO00001";
pub const SANDBOX_SECRET_ACCESS_KEY: &str = "listing-assistant-sandbox-demo-secret-0001";
const SEEDED_KEY: &str = "demo_seeded";

/// The settings of one Demo environment (the sandbox seeds matching products).
pub fn settings(kind: EnvKind) -> EnvironmentSettings {
    let (product_id, code, suffix, buyer) = match kind {
        EnvKind::Staging => (
            "prod-demostg4a7k2q",
            "demostg7ky5a0d3rqx2ub6y8m",
            "staging",
            "444455556666",
        ),
        EnvKind::Production => (
            "prod-demoprd9x3m1w",
            "demoprd1c4hz9w2v0tq8sn5bk",
            "production",
            "777788889999",
        ),
    };
    EnvironmentSettings {
        mode: EnvMode::Sandbox,
        credential_source: CredentialSource::DefaultChain,
        profile: String::new(),
        role_arn: String::new(),
        // The demo SaaS's role, known to the sandbox's IAM policy simulator.
        saas_role_arn: "arn:aws:iam::111122223333:role/demo-saas".into(),
        seller_account_id: "111122223333".into(),
        region: "us-east-1".into(),
        endpoint_url: SANDBOX_ENDPOINT.into(),
        product_id: product_id.into(),
        product_code: code.into(),
        offer_id: String::new(),
        pricing_model: PricingModel::ContractWithConsumption,
        dimensions: vec![
            Dimension {
                key: "seats".into(),
                name: "Seats".into(),
                kind: DimensionType::Entitled,
            },
            Dimension {
                key: "api_calls".into(),
                name: "API calls (per 1,000)".into(),
                kind: DimensionType::ExternallyMetered,
            },
        ],
        fulfillment_url: format!("{SANDBOX_ENDPOINT}/_demo-saas/{suffix}/marketplace/register"),
        eula_url: format!("{SANDBOX_ENDPOINT}/_demo-saas/{suffix}/eula.txt"),
        // The sandbox delivers notifications to a real queue (or moto's) when given one; the
        // demo has none, so the app shows them from the sandbox's own log.
        sqs_queue_url: String::new(),
        subscription_topic_arn: format!(
            "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-{code}"
        ),
        entitlement_topic_arn: format!(
            "arn:aws:sns:us-east-1:287250355862:aws-mp-entitlement-notification-{code}"
        ),
        use_eventbridge: false,
        test_buyer_account_ids: vec![buyer.into()],
        integration_style: IntegrationStyle::ConcurrentAgreements,
    }
}

/// Whether an environment's fulfillment URL is the demo SaaS of the sandbox it talks to (the
/// landing page under `/_demo-saas/` of its endpoint). The app can ask that SaaS for a metering
/// record; a seller's own SaaS meters on its own schedule.
pub fn is_demo_saas(settings: &EnvironmentSettings) -> bool {
    let endpoint = settings.endpoint_url.trim_end_matches('/');
    settings.mode == EnvMode::Sandbox
        && !endpoint.is_empty()
        && settings
            .fulfillment_url
            .strip_prefix(endpoint)
            .and_then(|p| p.strip_suffix("/marketplace/register"))
            .is_some_and(|p| p.starts_with("/_demo-saas/"))
}

/// Seeds `Demo` once per data directory: a user who deletes it does not get it back.
pub fn seed_on_first_start(core: &Core) -> Result<()> {
    let store = core.store();
    // Two processes opening a fresh data folder at once (the app and the CLI) must not both
    // seed: the lock file serialises them, and the second finds the first's mark. Seeding is
    // several transactions, so the database's own locking cannot make it atomic.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(core.data_dir().join("owners").join("seed.lock"))?;
    lock.lock()?;
    if store.pref(SEEDED_KEY)?.is_some() {
        return Ok(());
    }
    if store.list_workspaces()?.is_empty() {
        seed(core)?;
    }
    store.set_pref(SEEDED_KEY, &crate::store::now())
}

/// Creates the demo workspace with its environments and a few recorded steps.
pub fn seed(core: &Core) -> Result<Workspace> {
    let store = core.store();
    let ws = store.create_workspace(DEMO_NAME, "Acme Insights (demo)", true)?;
    for kind in EnvKind::ALL {
        store.save_environment(&ws.id, kind, &settings(kind))?;
    }
    let actor = "Demo seller";
    let history: &[(&str, ItemStatus, &str, Option<&str>)] = &[
        (
            "seller.public_profile",
            ItemStatus::Passed,
            "Profile published with logo and support e-mail.",
            None,
        ),
        (
            "seller.bank_account",
            ItemStatus::Passed,
            "Bank account verified by AWS.",
            None,
        ),
        (
            "seller.tax_interview",
            ItemStatus::InProgress,
            "W-8BEN-E submitted, waiting for confirmation.",
            None,
        ),
        (
            "seller.cross_account_roles",
            ItemStatus::Passed,
            "SaaS account assumes arn:aws:iam::111122223333:role/MarketplaceMetering.",
            None,
        ),
        (
            "staging.saas.self_signup",
            ItemStatus::Passed,
            "Sign-up form live on staging.",
            None,
        ),
        (
            "staging.saas.free_email_domains",
            ItemStatus::Passed,
            "Tested with a Gmail address.",
            None,
        ),
        (
            "staging.saas.multitenancy",
            ItemStatus::InProgress,
            "",
            None,
        ),
        (
            "staging.notify.eventbridge",
            ItemStatus::NotApplicable,
            "This product uses the SQS queue.",
            None,
        ),
        (
            "staging.product.request_form",
            ItemStatus::Waived,
            "",
            Some("Product created through the Catalog API by the sandbox."),
        ),
    ];
    for (item, status, note, reason) in history {
        store.set_status(
            &StatusChange {
                workspace_id: ws.id.clone(),
                item_id: (*item).into(),
                status: *status,
                note: (*note).into(),
                waiver_reason: reason.map(str::to_string),
            },
            actor,
            ChangeSource::Demo,
        )?;
    }
    let mut prefs = store.preferences()?;
    prefs.last_workspace_id = Some(ws.id.clone());
    store.save_preferences(&prefs)?;
    Ok(ws)
}

/// Points the demo workspaces' sandbox-mode environments at the sandbox now running at
/// `base_url` (its port can change between starts). Only loopback URLs are rewritten, so an
/// environment the user pointed elsewhere is left alone.
pub fn repoint(core: &Core, base_url: &str) -> Result<u32> {
    let store = core.store();
    let mut changed = 0;
    for ws in store.list_workspaces()?.into_iter().filter(|w| w.is_demo) {
        for kind in EnvKind::ALL {
            let (mut s, _) = store.environment(&ws.id, kind)?;
            if s.mode != EnvMode::Sandbox {
                continue;
            }
            let Some(old) = loopback_origin(&s.endpoint_url) else {
                continue;
            };
            if old == base_url {
                continue;
            }
            for field in [&mut s.endpoint_url, &mut s.fulfillment_url, &mut s.eula_url] {
                if field.starts_with(&old) {
                    *field = format!("{base_url}{}", &field[old.len()..]);
                }
            }
            store.save_environment(&ws.id, kind, &s)?;
            changed += 1;
        }
    }
    Ok(changed)
}

fn loopback_origin(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?;
    if host != "127.0.0.1" && host != "localhost" {
        return None;
    }
    Some(format!(
        "{}://{}:{}",
        u.scheme(),
        host,
        u.port_or_known_default()?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            loopback_origin("http://127.0.0.1:8484/x").as_deref(),
            Some("http://127.0.0.1:8484")
        );
        assert_eq!(loopback_origin("https://example.com:8484/x"), None);
    }
}
