//! `listing-assistant sandbox …`: serve the Marketplace sandbox, and drive a running one's
//! simulated buyers, clock and faults through its typed control API.

use super::{interrupted, Format};
use crate::exit::ExitStatus;
use clap::{Args, Subcommand, ValueEnum};
use la_sandbox::server::ServeOptions;
use la_sandbox::sigv4::Credential;
use la_sandbox::{Config, SqsTarget};
use la_sandbox_api as api;
use serde::Serialize;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum)]
pub enum Seed {
    Demo,
}

#[derive(Subcommand)]
pub enum SandboxCmd {
    /// Serve Metering, Entitlement, Catalog and a CloudTrail view on one loopback endpoint.
    Serve(ServeArgs),
    /// A test buyer purchases a product: token, POST to the fulfillment URL, notifications.
    Purchase(PurchaseArgs),
    /// The buyer changes their contract (new quantities).
    Change(ChangeArgs),
    /// The buyer cancels: unsubscribe-pending now, unsubscribe-success after the final-metering hour.
    Cancel(LicenseArgs),
    /// A subscription attempt that fails (subscribe-fail).
    Fail(FailArgs),
    /// Show or advance the sandbox clock (e.g. --advance 1h).
    Clock(ClockArgs),
    /// Inject latency, throttling or server errors into an operation (or `*`).
    Faults(FaultArgs),
}

impl SandboxCmd {
    /// `sandbox serve`, which gets a runtime of its own kind (see `main`).
    pub fn is_serve(&self) -> bool {
        matches!(self, SandboxCmd::Serve(_))
    }
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:4599")]
    addr: SocketAddr,
    /// Create the demo products at start-up.
    #[arg(long, value_enum)]
    seed: Option<Seed>,
    /// Keep state in this SQLite file (memory when absent).
    #[arg(long)]
    state: Option<PathBuf>,
    /// The access key clients must sign with (demo credentials when absent).
    #[arg(long, requires = "secret_key")]
    access_key: Option<String>,
    #[arg(
        long,
        requires = "access_key",
        env = "LA_SANDBOX_SECRET_KEY",
        hide_env_values = true
    )]
    secret_key: Option<String>,
    /// SQS endpoint for notifications (moto, a VPC endpoint); AWS's when absent.
    #[arg(long)]
    sqs_endpoint: Option<String>,
    /// The queue notifications are delivered to.
    #[arg(long)]
    sqs_queue_url: Option<String>,
    #[arg(long, default_value = "us-east-1")]
    sqs_region: String,
    /// Append EventBridge-shaped aws.agreement-marketplace events to this file (JSON lines).
    #[arg(long)]
    events_file: Option<PathBuf>,
    /// How old a BatchMeterUsage record may be (6h as documented; 24h per the 2026 SDK model).
    #[arg(long, default_value = "6h", value_parser = parse_duration)]
    metering_window: i64,
    /// Deny an action to an access key, e.g. AKIA…:aws-marketplace:DescribeEntity (repeatable).
    #[arg(long = "deny")]
    deny: Vec<String>,
    /// Allow a non-loopback address (Host and Origin are then not checked; the control API
    /// still needs the secret printed at start).
    #[arg(long)]
    allow_remote: bool,
}

#[derive(Args)]
pub struct Endpoint {
    /// The sandbox's URL, as printed by `sandbox serve`.
    #[arg(long, env = "LA_SANDBOX_ENDPOINT")]
    endpoint: String,
    /// The control secret `sandbox serve` printed on its first line (it changes at every start).
    #[arg(long, env = "LA_SANDBOX_CONTROL_SECRET", hide_env_values = true)]
    control_secret: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Args)]
pub struct PurchaseArgs {
    #[command(flatten)]
    ep: Endpoint,
    /// Entity id (prod-…) or product code.
    #[arg(long)]
    product: String,
    #[arg(long)]
    buyer_account: String,
    /// Contract quantity, DIMENSION=QUANTITY (repeatable).
    #[arg(long = "entitlement", value_parser = parse_entitlement)]
    entitlements: Vec<api::Entitlement>,
    /// Do not POST the token to the fulfillment URL.
    #[arg(long)]
    no_redirect: bool,
    /// Open the fulfillment URL in your browser through an auto-submitting form, as a buyer sees it.
    #[arg(long)]
    open_browser: bool,
}

#[derive(Args)]
pub struct ChangeArgs {
    #[command(flatten)]
    ep: Endpoint,
    #[arg(long)]
    license_arn: String,
    #[arg(long = "entitlement", value_parser = parse_entitlement, required = true)]
    entitlements: Vec<api::Entitlement>,
}

#[derive(Args)]
pub struct LicenseArgs {
    #[command(flatten)]
    ep: Endpoint,
    #[arg(long)]
    license_arn: String,
}

#[derive(Args)]
pub struct FailArgs {
    #[command(flatten)]
    ep: Endpoint,
    #[arg(long)]
    product: String,
    #[arg(long)]
    buyer_account: String,
}

#[derive(Args)]
pub struct ClockArgs {
    #[command(flatten)]
    ep: Endpoint,
    /// How far to move the clock forward (e.g. 90s, 30m, 1h, 2d).
    #[arg(long, value_parser = parse_duration)]
    advance: Option<i64>,
}

#[derive(Args)]
pub struct FaultArgs {
    #[command(flatten)]
    ep: Endpoint,
    /// Operation name (BatchMeterUsage, GetEntitlements…) or `*`.
    #[arg(long)]
    operation: String,
    #[arg(long, default_value_t = 0)]
    delay_ms: u64,
    #[arg(long, default_value_t = 0.0)]
    throttle_rate: f64,
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
}

pub fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a duration like 90s, 30m, 1h or 2d"))?;
    let mult = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return Err(format!("unknown unit '{unit}' in '{s}': use s, m, h or d")),
    };
    Ok(n * mult)
}

fn parse_entitlement(s: &str) -> Result<api::Entitlement, String> {
    let (d, q) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not DIMENSION=QUANTITY"))?;
    let q: i64 = q
        .parse()
        .map_err(|_| format!("quantity in '{s}' is not a whole number"))?;
    Ok(api::Entitlement {
        dimension: d.to_string(),
        quantity: Some(q),
    })
}

pub async fn run(cmd: SandboxCmd) -> ExitStatus {
    let result = match cmd {
        SandboxCmd::Serve(a) => serve(a).await,
        other => control(other).await,
    };
    match result {
        Ok(()) => ExitStatus::Success,
        Err(e) => ExitStatus::Failure.with_error(e),
    }
}

/// Prints an answer: pretty JSON, or the text `text` makes of it.
fn print<T: Serialize>(format: Format, v: &T, text: impl Fn(&T) -> String) {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(v).unwrap_or_default()),
        Format::Text => println!("{}", text(v)),
    }
}

fn client(ep: &Endpoint) -> api::Client {
    match &ep.control_secret {
        Some(secret) => api::Client::with_secret(&ep.endpoint, Some(secret.clone())),
        None => api::Client::new(&ep.endpoint),
    }
}

fn refused(e: api::ControlError) -> String {
    match e {
        api::ControlError::Unreachable { endpoint, detail } => {
            format!("cannot reach the sandbox at {endpoint}: {detail}")
        }
        other => other.to_string(),
    }
}

async fn control(cmd: SandboxCmd) -> Result<(), String> {
    match cmd {
        SandboxCmd::Serve(_) => Ok(()),
        SandboxCmd::Purchase(a) => purchase(a).await,
        SandboxCmd::Change(a) => {
            let req = api::ChangeRequest {
                license_arn: a.license_arn,
                entitlements: a.entitlements,
            };
            let out = client(&a.ep).change(&req).await.map_err(refused)?;
            print(a.ep.format, &out, |v| {
                format!(
                    "Contract changed: {}",
                    serde_json::to_string(&v.entitlements).unwrap_or_default()
                )
            });
            Ok(())
        }
        SandboxCmd::Cancel(a) => {
            let out = client(&a.ep)
                .cancel(&a.license_arn)
                .await
                .map_err(refused)?;
            print(a.ep.format, &out, |v| {
                format!(
                    "Cancelled: unsubscribe-pending sent; unsubscribe-success due at {} (sandbox clock)",
                    v.unsubscribe_success_due
                )
            });
            Ok(())
        }
        SandboxCmd::Fail(a) => {
            let req = api::FailRequest {
                product: a.product,
                buyer_account: a.buyer_account,
            };
            let out = client(&a.ep).fail(&req).await.map_err(refused)?;
            print(a.ep.format, &out, |_| "subscribe-fail sent".to_string());
            Ok(())
        }
        SandboxCmd::Clock(a) => {
            let c = client(&a.ep);
            let out = match a.advance {
                Some(secs) => c.advance_clock(secs).await,
                None => c.clock().await,
            }
            .map_err(refused)?;
            print(a.ep.format, &out, |v| {
                format!(
                    "Sandbox clock: {} (offset {} s){}",
                    v.now,
                    v.offset_secs,
                    v.notifications
                        .as_ref()
                        .map(|n| format!(", {} notification(s) sent", n.len()))
                        .unwrap_or_default()
                )
            });
            Ok(())
        }
        SandboxCmd::Faults(a) => {
            let req = api::FaultRequest {
                operation: a.operation,
                fault: api::Fault {
                    delay_ms: a.delay_ms,
                    throttle_rate: a.throttle_rate,
                    error_rate: a.error_rate,
                },
            };
            let out = client(&a.ep).faults(&req).await.map_err(refused)?;
            print(a.ep.format, &out, |v| {
                format!(
                    "Faults for \"{}\": {}",
                    v.operation,
                    serde_json::to_string(&v.fault).unwrap_or_default()
                )
            });
            Ok(())
        }
    }
}

/// What `sandbox purchase --format json` prints: the sandbox's answer (the token whole, for
/// scripts that register with it) without the browser form, plus where the form was written.
#[derive(Serialize)]
struct PurchaseOut {
    #[serde(flatten)]
    purchase: api::PurchaseResponse,
    #[serde(skip_serializing_if = "Option::is_none")]
    browser_form_path: Option<String>,
}

async fn purchase(a: PurchaseArgs) -> Result<(), String> {
    let req = api::PurchaseRequest {
        entitlements: a.entitlements,
        redirect: !a.no_redirect && !a.open_browser,
        browser_form: a.open_browser,
        ..api::PurchaseRequest::new(a.product, a.buyer_account)
    };
    let mut purchase = client(&a.ep).purchase(&req).await.map_err(refused)?;
    let mut browser_form_path = None;
    if let Some(html) = purchase.browser_form_html.take().filter(|_| a.open_browser) {
        let path = std::env::temp_dir().join(format!("la-purchase-{}.html", std::process::id()));
        std::fs::write(&path, html).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        open_in_browser(&path)?;
        browser_form_path = Some(path.display().to_string());
    }
    let out = PurchaseOut {
        purchase,
        browser_form_path,
    };
    print(a.ep.format, &out, |o| {
        let v = &o.purchase;
        let landing = match &v.fulfillment {
            None => "not posted".to_string(),
            Some(f) => match f.status {
                Some(s) => format!(
                    "HTTP {s} from {} in {} ms",
                    f.final_url.as_deref().unwrap_or_default(),
                    f.elapsed_ms
                ),
                None => format!("failed: {}", f.error.as_deref().unwrap_or_default()),
            },
        };
        format!(
            "Purchased {} for account {}\n  license:      {}\n  agreement:    {}\n  product code: {}\n  token:        {} (valid until {})\n  landing page: {}\n  notifications: {}",
            v.product_id,
            v.customer_aws_account_id,
            v.license_arn,
            v.agreement_id,
            v.product_code,
            api::mask_token(&v.registration_token),
            v.token_expires,
            landing,
            v.notifications.len(),
        )
    });
    Ok(())
}

fn open_in_browser(path: &std::path::Path) -> Result<(), String> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    std::process::Command::new(opener)
        .arg(path)
        .spawn()
        .map(|_| ())
        .map_err(|e| {
            format!(
                "cannot open a browser with {opener}: {e}; open {} yourself",
                path.display()
            )
        })
}

async fn serve(a: ServeArgs) -> Result<(), String> {
    let mut config = Config::default();
    let demo_creds = a.access_key.is_none();
    if let (Some(id), Some(secret)) = (&a.access_key, &a.secret_key) {
        config.credentials.clear();
        config.credentials.insert(
            id.clone(),
            Credential {
                secret_access_key: secret.clone(),
            },
        );
    }
    for d in &a.deny {
        let (key, action) = d
            .split_once(':')
            .ok_or_else(|| format!("--deny '{d}' is not ACCESS_KEY:service:Action"))?;
        config
            .denied
            .entry(key.to_string())
            .or_default()
            .insert(action.to_string());
    }
    config.state_file = a.state.clone();
    config.events_file = a.events_file.clone();
    config.metering_window_secs = a.metering_window;
    if let Some(queue_url) = &a.sqs_queue_url {
        config.sqs = Some(SqsTarget {
            queue_url: queue_url.clone(),
            endpoint_url: a.sqs_endpoint.clone(),
            region: a.sqs_region.clone(),
            credentials: None,
        });
    }
    let running = la_sandbox::serve(
        config,
        ServeOptions {
            addr: a.addr,
            seed_demo: a.seed.is_some(),
            allow_remote: a.allow_remote,
        },
    )
    .await
    .map_err(|e| format!("cannot start the sandbox on {}: {e}", a.addr))?;
    // The secret is on the first line with the URL, so a script that starts the sandbox reads
    // both at once; it is good for this launch only.
    println!(
        "Marketplace sandbox listening on {} (control secret: {}={})",
        running.url,
        api::SECRET_ENV,
        running.control_secret
    );
    if demo_creds {
        println!(
            "Sign requests with the demo credentials: AWS_ACCESS_KEY_ID={} AWS_SECRET_ACCESS_KEY={} (region us-east-1; valid only here)",
            la_sandbox::DEMO_ACCESS_KEY_ID,
            la_sandbox::DEMO_SECRET_ACCESS_KEY
        );
    }
    if a.seed.is_some() {
        for p in running
            .sandbox
            .state
            .products()
            .map_err(|e| e.to_string())?
        {
            println!(
                "Product {} code {} ({:?}, {})",
                p.entity_id, p.code, p.pricing_model, p.visibility
            );
        }
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    interrupted().await;
    running.stop().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h"), Ok(3600));
        assert_eq!(parse_duration("90s"), Ok(90));
        assert_eq!(parse_duration("30m"), Ok(1800));
        assert_eq!(parse_duration("2d"), Ok(172800));
        assert!(parse_duration("1y").is_err());
        assert!(parse_duration("h").is_err());
    }

    #[test]
    fn entitlements() {
        assert_eq!(
            parse_entitlement("seats=5"),
            Ok(api::Entitlement {
                dimension: "seats".into(),
                quantity: Some(5)
            })
        );
        assert!(parse_entitlement("seats").is_err());
        assert!(parse_entitlement("seats=x").is_err());
    }

    #[test]
    fn demo_products_match_the_demo_workspace() {
        // The app's Demo workspace points at these products; they must not drift apart.
        for (i, kind) in la_core::model::EnvKind::ALL.into_iter().enumerate() {
            let s = la_core::demo::settings(kind);
            let (id, code, _, buyer) = la_sandbox::seed::DEMO_PRODUCTS[i];
            assert_eq!((s.product_id.as_str(), s.product_code.as_str()), (id, code));
            assert_eq!(s.test_buyer_account_ids, vec![buyer.to_string()]);
        }
        assert_eq!(
            la_core::demo::SANDBOX_ACCESS_KEY_ID,
            la_sandbox::DEMO_ACCESS_KEY_ID
        );
        assert_eq!(
            la_core::demo::SANDBOX_SECRET_ACCESS_KEY,
            la_sandbox::DEMO_SECRET_ACCESS_KEY
        );
    }
}
