//! A local AWS Marketplace for sellers: Metering, Entitlement and Catalog on one endpoint in the
//! real wire protocols, with SigV4 verified, AWS's own errors, a CloudTrail view of the calls it
//! received, and simulated buyers (purchase, contract change, cancellation) whose notifications
//! land in an SQS queue in the exact SNS envelope. Usable as a library (the app starts it
//! in-process) and through `listing-assistant sandbox serve`.

pub mod buyer;
pub mod error;
pub mod model;
pub mod ops;
pub mod protocol;
mod review_api;
pub mod seed;
pub mod server;
pub mod sigv4;
pub mod state;

pub use error::{AwsError, AwsResult};
pub use server::{serve, Running};

use crate::protocol::{OpRequest, Service};
use crate::sigv4::{Caller, Credential};
use crate::state::{State, TrailRow};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// Credentials the sandbox accepts when no others are configured. Printed at start-up and
/// documented in the README; never valid on AWS.
/// How far the sandbox clock can be advanced in all: 100 years covers any contract or trial a
/// test walks through, and keeps `now()` (and `now() * 1000`) far inside `i64`.
pub const MAX_CLOCK_OFFSET_SECS: i64 = 100 * 366 * 86_400;

pub const DEMO_ACCESS_KEY_ID: &str = "AKIASANDBOXDEMO00001";
pub const DEMO_SECRET_ACCESS_KEY: &str = "listing-assistant-sandbox-demo-secret-0001";
/// The seller account the sandbox's products belong to.
pub const DEMO_SELLER_ACCOUNT: &str = "111122223333";
/// The demo SaaS's IAM role, allowed every Marketplace action.
pub const DEMO_SAAS_ROLE: &str = "arn:aws:iam::111122223333:role/demo-saas";
/// The AWS account that owns Marketplace's SNS topics, as named in the topic ARNs.
pub const MARKETPLACE_TOPIC_ACCOUNT: &str = "287250355862";
/// The account that issues Marketplace licenses, as named in LicenseArns.
pub const LICENSE_ISSUER_ACCOUNT: &str = "294406891311";

/// What the HTTP front door already holds in JSON for the trail: the request body (awsJson1_1,
/// the JSON `input` was parsed from) and the answer it is about to send.
#[derive(Default, Clone, Copy)]
pub(crate) struct Wire<'a> {
    pub request: Option<&'a [u8]>,
    pub response: Option<&'a str>,
}

/// Where notifications go: an SQS queue, reached with the AWS SDK (real SQS or moto).
#[derive(Debug, Clone)]
pub struct SqsTarget {
    pub queue_url: String,
    pub endpoint_url: Option<String>,
    pub region: String,
    /// Explicit credentials for the queue; the default AWS chain when absent.
    pub credentials: Option<(String, String)>,
}

#[derive(Clone)]
pub struct Config {
    /// Access key → secret. Requests signed with anything else are refused.
    pub credentials: HashMap<String, Credential>,
    /// Access key → actions it is denied (`aws-marketplace:DescribeEntity`), to rehearse
    /// missing IAM permissions.
    pub denied: HashMap<String, HashSet<String>>,
    /// IAM roles the sandbox's SimulatePrincipalPolicy knows: role ARN → actions it is denied
    /// (everything else is allowed), so "may the SaaS's role call the Marketplace APIs?" can be
    /// rehearsed. Holds the demo SaaS's role by default.
    pub roles: HashMap<String, HashSet<String>>,
    pub seller_account_id: String,
    pub sqs: Option<SqsTarget>,
    /// EventBridge-shaped `aws.agreement-marketplace` events are appended here as JSON lines.
    pub events_file: Option<PathBuf>,
    /// State file; memory when absent.
    pub state_file: Option<PathBuf>,
    /// How old a BatchMeterUsage record may be, in seconds (6 h by default).
    pub metering_window_secs: i64,
}

impl Default for Config {
    fn default() -> Self {
        let mut credentials = HashMap::new();
        credentials.insert(
            DEMO_ACCESS_KEY_ID.to_string(),
            Credential {
                secret_access_key: DEMO_SECRET_ACCESS_KEY.to_string(),
            },
        );
        Self {
            credentials,
            denied: HashMap::new(),
            roles: HashMap::from([(DEMO_SAAS_ROLE.to_string(), HashSet::new())]),
            seller_account_id: DEMO_SELLER_ACCOUNT.to_string(),
            sqs: None,
            events_file: None,
            state_file: None,
            metering_window_secs: 6 * 3600,
        }
    }
}

/// Injected behaviour for one operation (or `*` for all): the control API's own type, so the
/// server keeps what a client sent without a copy of its fields.
pub use la_sandbox_api::Fault;

/// What a notification's delivery error says when no AWS credentials are found for the queue.
pub const NO_SQS_CREDENTIALS: &str =
    "no AWS credentials for delivering to SQS: set AWS_PROFILE or AWS_ACCESS_KEY_ID";

/// How many entries the notification log keeps (the oldest are dropped first).
pub const MAX_NOTIFICATION_LOG: usize = 1000;
/// How many operations may have a fault at once.
pub const MAX_FAULTS: usize = 256;
/// How many unopened one-time purchase pages are kept.
pub const MAX_LANDINGS: usize = 1000;

#[derive(Default)]
struct NotificationLog {
    entries: std::collections::VecDeque<Value>,
    next_seq: u64,
}

pub struct Sandbox {
    pub state: State,
    pub config: Config,
    faults: Mutex<HashMap<String, Fault>>,
    sqs: tokio::sync::OnceCell<Result<aws_sdk_sqs::Client, String>>,
    /// The newest `MAX_NOTIFICATION_LOG` entries, each numbered (`seq`) so a reader's cursor
    /// survives the oldest being dropped.
    notifications: Mutex<NotificationLog>,
    /// One-time browser pages of purchases: id → (fulfillment URL, auto-submitting form).
    landings: Mutex<HashMap<String, (String, String)>>,
}

impl Sandbox {
    pub fn new(config: Config) -> rusqlite::Result<Self> {
        Ok(Self {
            state: State::open(config.state_file.as_deref())?,
            config,
            faults: Mutex::new(HashMap::new()),
            sqs: tokio::sync::OnceCell::new(),
            notifications: Mutex::new(NotificationLog::default()),
            landings: Mutex::new(HashMap::new()),
        })
    }

    pub(crate) fn log_notification(&self, mut v: Value) {
        let mut log = self.notifications.lock().unwrap_or_else(|p| p.into_inner());
        log.next_seq += 1;
        if let Some(o) = v.as_object_mut() {
            o.insert("seq".into(), log.next_seq.into());
        }
        if log.entries.len() >= MAX_NOTIFICATION_LOG {
            log.entries.pop_front();
        }
        log.entries.push_back(v);
    }

    /// The notifications and EventBridge events sent, oldest first: the newest
    /// `MAX_NOTIFICATION_LOG` of them.
    pub fn notifications(&self) -> Vec<Value> {
        self.notifications
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entries
            .iter()
            .cloned()
            .collect()
    }

    /// The entries numbered after `after`, oldest first: what a reader that has seen up to
    /// `after` has not (the sandbox-log watcher reads only that). A cursor past the newest
    /// number is from before a restart, and gets the whole log.
    pub fn notifications_after(&self, after: u64) -> Vec<Value> {
        let log = self.notifications.lock().unwrap_or_else(|p| p.into_inner());
        if after > log.next_seq {
            return log.entries.iter().cloned().collect();
        }
        let seq = |v: &Value| v["seq"].as_u64().unwrap_or(0);
        // Entries are in number order: find the first new one without reading the rest.
        let first = log.entries.partition_point(|e| seq(e) <= after);
        log.entries.range(first..).cloned().collect()
    }

    /// The sandbox clock, in epoch seconds: real time plus however far it has been advanced.
    /// The offset is bounded by `MAX_CLOCK_OFFSET_SECS`, so the sums and products made with this
    /// value (due times, milliseconds for SNS envelopes, ISO dates) stay far from overflow.
    pub fn now(&self) -> i64 {
        chrono::Utc::now()
            .timestamp()
            .saturating_add(self.state.clock_offset().unwrap_or(0))
    }

    /// Sets (or, with the default, clears) an operation's fault. False when `MAX_FAULTS`
    /// operations already have one and this is another: the names are the caller's, so the
    /// table is bounded.
    pub fn set_fault(&self, operation: &str, fault: Fault) -> bool {
        let mut f = self.faults.lock().unwrap_or_else(|p| p.into_inner());
        if fault == Fault::default() {
            f.remove(operation);
        } else if f.len() >= MAX_FAULTS && !f.contains_key(operation) {
            return false;
        } else {
            f.insert(operation.to_string(), fault);
        }
        true
    }

    fn fault_for(&self, op: &str) -> Option<Fault> {
        let f = self.faults.lock().unwrap_or_else(|p| p.into_inner());
        f.get(op).or_else(|| f.get("*")).cloned()
    }

    /// The SQS client notifications are delivered with: `Ok(None)` when no queue is configured,
    /// `Err` (the same one line every time, said once in the log) when the default credential
    /// chain finds no credentials, instead of the SDK's dispatch error for every notification.
    pub(crate) async fn sqs_client(&self) -> Result<Option<aws_sdk_sqs::Client>, String> {
        let Some(target) = self.config.sqs.clone() else {
            return Ok(None);
        };
        self.sqs
            .get_or_init(|| async move {
                let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
                    .region(aws_config::Region::new(target.region.clone()));
                if let Some(ep) = &target.endpoint_url {
                    loader = loader.endpoint_url(ep);
                }
                if let Some((id, secret)) = &target.credentials {
                    loader = loader.credentials_provider(aws_credential_types::Credentials::new(
                        id,
                        secret,
                        None,
                        None,
                        "sandbox-sqs",
                    ));
                }
                let conf = loader.load().await;
                if let Some(p) = conf.credentials_provider() {
                    use aws_credential_types::provider::error::CredentialsError;
                    use aws_credential_types::provider::ProvideCredentials;
                    if let Err(CredentialsError::CredentialsNotLoaded(_)) =
                        p.provide_credentials().await
                    {
                        tracing::warn!("{NO_SQS_CREDENTIALS}");
                        return Err(NO_SQS_CREDENTIALS.to_string());
                    }
                }
                Ok(aws_sdk_sqs::Client::new(&conf))
            })
            .await
            .clone()
            .map(Some)
    }

    /// Runs one Marketplace (or CloudTrail) operation for a verified caller, and records it on
    /// the trail.
    pub async fn call(&self, req: &OpRequest, caller: &Caller) -> AwsResult<Value> {
        let result = self.run(req, caller).await;
        self.record(req, caller, &result, Wire::default());
        result
    }

    /// Runs an operation without recording it: the HTTP front door records it itself, with
    /// the JSON it received and the JSON it sends (`Wire`), so neither is written out again.
    pub(crate) async fn run(&self, req: &OpRequest, caller: &Caller) -> AwsResult<Value> {
        let prefix = if req.service == Service::CloudTrail {
            "cloudtrail"
        } else {
            "aws-marketplace"
        };
        let action = format!("{prefix}:{}", req.op);
        if self
            .config
            .denied
            .get(&caller.access_key_id)
            .is_some_and(|d| d.contains(&action))
        {
            return Err(AwsError::new(
                if req.protocol == protocol::Protocol::RestJson { 403 } else { 400 },
                "AccessDeniedException",
                format!(
                    "User: arn:aws:iam::{}:user/sandbox-{} is not authorized to perform: {action} because no identity-based policy allows the {action} action",
                    self.config.seller_account_id, caller.access_key_id
                ),
            ));
        }
        if let Some(f) = self.fault_for(&req.op) {
            if f.delay_ms > 0 {
                tokio::time::sleep(Duration::from_millis(f.delay_ms)).await;
            }
            if f.throttle_rate > 0.0 && rand::random::<f64>() < f.throttle_rate {
                return Err(AwsError::throttling());
            }
            if f.error_rate > 0.0 && rand::random::<f64>() < f.error_rate {
                return Err(AwsError::internal());
            }
        }
        match req.service {
            Service::Metering => ops::metering::call(self, &req.op, &req.input),
            Service::Entitlement => ops::entitlement::call(self, &req.op, &req.input),
            Service::Catalog => ops::catalog::call(self, &req.op, &req.input).await,
            Service::CloudTrail => ops::cloudtrail::call(self, &req.op, &req.input),
        }
    }

    /// Keeps what CloudTrail would: the call, who made it, its parameters (tokens masked).
    /// CloudTrail's own lookups are not recorded.
    pub(crate) fn record(
        &self,
        req: &OpRequest,
        caller: &Caller,
        result: &AwsResult<Value>,
        wire: Wire<'_>,
    ) {
        if req.service == Service::CloudTrail {
            return;
        }
        // Copied only when a token has to be masked: metering requests are large. Otherwise the
        // body as received when it was JSON (it is what `input` was parsed from).
        let request = if req.input.get("RegistrationToken").is_some() {
            let mut params = req.input.clone();
            params["RegistrationToken"] = Value::String("HIDDEN_DUE_TO_SECURITY_REASONS".into());
            params.to_string()
        } else {
            match wire.request.and_then(|b| std::str::from_utf8(b).ok()) {
                Some(body) if !body.trim().is_empty() => body.to_string(),
                _ => req.input.to_string(),
            }
        };
        let response = match result {
            // CloudTrail logs BatchMeterUsage's response elements (each record's Status): the
            // SaaS's metering is audited from them. Written around the answer's JSON, not
            // copied into a new value: a 25-record answer is large.
            Ok(v) if req.op == "BatchMeterUsage" => match wire.response {
                Some(json) => format!("{{\"responseElements\":{json}}}"),
                None => format!("{{\"responseElements\":{v}}}"),
            },
            Ok(_) => "{}".to_string(),
            Err(e) => {
                serde_json::json!({"errorCode": e.code, "errorMessage": e.message}).to_string()
            }
        };
        let read_only = matches!(
            req.op.as_str(),
            "GetEntitlements"
                | "DescribeEntity"
                | "ListEntities"
                | "DescribeChangeSet"
                | "ListChangeSets"
        );
        let row = TrailRow {
            event_id: uuid::Uuid::new_v4().to_string(),
            event_name: req.op.clone(),
            event_source: req.service.event_source().to_string(),
            event_time: self.now(),
            access_key: caller.access_key_id.clone(),
            read_only,
            request,
            response,
        };
        if let Err(e) = self.state.record_trail(&row) {
            tracing::warn!(error = %e, "could not record trail event");
        }
    }
}

/// Reads a string member, with AWS's message when it is missing or mistyped.
pub(crate) fn req_str<'a>(input: &'a Value, member: &str) -> AwsResult<&'a str> {
    match input.get(member) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(AwsError::validation(format!(
            "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must be a string",
            lower_first(member)
        ))),
        None => Err(AwsError::validation(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            lower_first(member)
        ))),
    }
}

/// An optional string member; SDKs send unset members as absent, null or "" depending on the
/// SDK, and all three mean "not given".
pub(crate) fn opt_str<'a>(input: &'a Value, member: &str) -> AwsResult<Option<&'a str>> {
    match input.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(_) => req_str(input, member).map(Some),
    }
}

pub(crate) fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A random id of lowercase letters and digits.
pub(crate) fn random_id(len: usize) -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}
