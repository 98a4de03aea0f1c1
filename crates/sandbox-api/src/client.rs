//! A typed client of the control API over HTTP: what the CLI and test purchase sessions use,
//! so the app's in-process sandbox and one started with `listing-assistant sandbox serve` are
//! driven the same way.

use crate::types::*;
use crate::{routes, ErrorKind};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;

pub struct Client {
    http: reqwest::Client,
    endpoint: String,
    /// The sandbox's per-launch control secret (see [`crate::secret`]).
    secret: Option<String>,
}

/// Why a control call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlError {
    /// No answer: connection refused, DNS, time-out. `detail` carries the causes.
    Unreachable { endpoint: String, detail: String },
    /// The sandbox answered with an error status and its `{code, message}`.
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// The sandbox answered a body this client cannot read.
    BadBody { status: u16, detail: String },
}

impl ControlError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ControlError::Refused { status, .. } => ErrorKind::from_status(*status),
            ControlError::Unreachable { .. } | ControlError::BadBody { .. } => ErrorKind::Other,
        }
    }
}

impl std::fmt::Display for ControlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ControlError::Unreachable { endpoint, detail } => {
                write!(f, "the sandbox at {endpoint} did not answer: {detail}")
            }
            ControlError::Refused { code, message, .. } => write!(f, "{code}: {message}"),
            ControlError::BadBody { status, detail } => write!(
                f,
                "the sandbox answered {status} with a body that is not what was expected: {detail}"
            ),
        }
    }
}

impl std::error::Error for ControlError {}

/// An error with its causes ("connection refused" is usually in a source, not the top).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        src = s.source();
    }
    parts.join(": ")
}

impl Client {
    /// A client of the sandbox at `endpoint` (its URL as `sandbox serve` prints it), with the
    /// control secret this process knows for it ([`crate::secret::secret_for`]).
    pub fn new(endpoint: &str) -> Self {
        let secret = crate::secret::secret_for(endpoint);
        Self::with_secret(endpoint, secret)
    }

    /// A client that sends `secret` (or none) whatever this process has registered.
    pub fn with_secret(endpoint: &str, secret: Option<String>) -> Self {
        Self {
            secret,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
            endpoint: endpoint.trim_end_matches('/').to_string(),
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The absolute URL of a path on the sandbox.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.endpoint)
    }

    async fn call<Res: DeserializeOwned>(
        &self,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Res, ControlError> {
        let url = self.url(path);
        let req = match body {
            Some(b) => self
                .http
                .post(&url)
                .header("content-type", "application/json")
                .body(b),
            None => self.http.get(&url),
        };
        let req = match &self.secret {
            Some(s) => req.header(crate::SECRET_HEADER, s),
            None => req,
        };
        let resp = req.send().await.map_err(|e| ControlError::Unreachable {
            endpoint: self.endpoint.clone(),
            detail: chain(&e),
        })?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(|e| ControlError::BadBody {
            status,
            detail: chain(&e),
        })?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|e| ControlError::BadBody {
                status,
                detail: e.to_string(),
            });
        }
        // The control API answers `{code, message}`; the demo SaaS's metering route forwards
        // AWS's own error shape (`__type`).
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        Err(ControlError::Refused {
            status,
            code: v["code"]
                .as_str()
                .or(v["__type"].as_str())
                .unwrap_or("SandboxError")
                .to_string(),
            message: v["message"]
                .as_str()
                .or(v["Message"].as_str())
                .unwrap_or("the sandbox refused the request")
                .to_string(),
        })
    }

    async fn post<Req: Serialize, Res: DeserializeOwned>(
        &self,
        path: &str,
        body: &Req,
    ) -> Result<Res, ControlError> {
        // These request types are plain structs of strings and numbers: they always encode.
        let json = serde_json::to_vec(body).unwrap_or_default();
        self.call(path, Some(json)).await
    }

    pub async fn health(&self) -> Result<Health, ControlError> {
        self.call(routes::HEALTH, None).await
    }

    pub async fn purchase(&self, req: &PurchaseRequest) -> Result<PurchaseResponse, ControlError> {
        self.post(routes::PURCHASE, req).await
    }

    pub async fn change(&self, req: &ChangeRequest) -> Result<ChangeResponse, ControlError> {
        self.post(routes::CHANGE, req).await
    }

    pub async fn cancel(&self, license_arn: &str) -> Result<CancelResponse, ControlError> {
        let req = LicenseRequest {
            license_arn: license_arn.to_string(),
        };
        self.post(routes::CANCEL, &req).await
    }

    pub async fn fail(&self, req: &FailRequest) -> Result<FailResponse, ControlError> {
        self.post(routes::FAIL, req).await
    }

    pub async fn clock(&self) -> Result<Clock, ControlError> {
        self.call(routes::CLOCK, None).await
    }

    pub async fn advance_clock(&self, secs: i64) -> Result<Clock, ControlError> {
        self.post(routes::CLOCK, &AdvanceClock { advance_secs: secs })
            .await
    }

    pub async fn faults(&self, req: &FaultRequest) -> Result<FaultResponse, ControlError> {
        self.post(routes::FAULTS, req).await
    }

    pub async fn notifications(&self) -> Result<Vec<Notification>, ControlError> {
        self.call(routes::NOTIFICATIONS, None).await
    }

    /// Asks a demo SaaS (`/_demo-saas/{env}`, given as `base`) to meter one record.
    pub async fn demo_saas_meter(
        &self,
        base: &str,
        req: &DemoMeterRequest,
    ) -> Result<DemoMeterResponse, ControlError> {
        self.post(&format!("{base}/meter"), req).await
    }
}
