//! The HTTP server: Marketplace wire protocols on every path but two prefixes — `/_sandbox/…`,
//! the JSON control API the CLI and the app use to simulate buyers and move the clock, and
//! `/_demo-saas/…`, a tiny SaaS landing page the demo products' fulfillment URLs point at.

use crate::buyer::PurchaseRequest;
use crate::error::AwsError;
use crate::model::Entitlement;
use crate::protocol::{classify, respond, Protocol};
use crate::sigv4::{self, Caller};
use crate::{Config, Fault, Sandbox};
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, Response, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

/// AWS's request size limit for these APIs.
pub const MAX_BODY: usize = 1024 * 1024;
/// The access key the demo SaaS landing page signs its ResolveCustomer calls with, so the
/// CloudTrail view tells the SaaS's calls from the app's.
pub const DEMO_SAAS_ACCESS_KEY_ID: &str = "AKIASANDBOXDEMOSAAS1";

type Shared = Arc<Sandbox>;

pub struct Running {
    pub url: String,
    pub addr: SocketAddr,
    pub sandbox: Shared,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops accepting connections and waits for the server task to end.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub addr: SocketAddr,
    pub seed_demo: bool,
    /// Binding anything but loopback needs this: the sandbox's control API has no auth.
    pub allow_remote: bool,
}

/// Binds, seeds (if asked) and serves in a background task until `Running` is stopped or dropped.
pub async fn serve(config: Config, opts: ServeOptions) -> std::io::Result<Running> {
    if !opts.addr.ip().is_loopback() && !opts.allow_remote {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "refusing to listen on {}: the sandbox binds loopback only unless --allow-remote is given",
                opts.addr
            ),
        ));
    }
    let sandbox = Arc::new(Sandbox::new(config).map_err(std::io::Error::other)?);
    let listener = tokio::net::TcpListener::bind(opts.addr).await?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    if opts.seed_demo {
        crate::seed::demo(&sandbox, &url).map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    let app = router(sandbox.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let ticker_sb = sandbox.clone();
    let handle = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        // Small responses on kept-alive connections: without TCP_NODELAY, Nagle's algorithm and
        // delayed ACKs add tens of milliseconds to every call.
        use axum::serve::ListenerExt;
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let server = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .into_future();
        tokio::pin!(server);
        loop {
            tokio::select! {
                res = &mut server => {
                    if let Err(e) = res {
                        tracing::error!(error = %e, "sandbox server stopped");
                    }
                    break;
                }
                _ = tick.tick() => {
                    // In its own task: a panic there ends that tick, not the server.
                    let sb = ticker_sb.clone();
                    match tokio::spawn(async move { sb.process_due().await }).await {
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => tracing::warn!(error = %e, "could not send due notifications"),
                        Err(e) => tracing::error!(error = %e, "the clock ticker failed; the server keeps serving"),
                    }
                }
            }
        }
    });
    Ok(Running {
        url,
        addr,
        sandbox,
        shutdown: Some(tx),
        handle: Some(handle),
    })
}

pub fn router(sb: Shared) -> Router {
    Router::new()
        .route("/_sandbox/health", get(health))
        .route("/_sandbox/products", get(products))
        .route("/_sandbox/licenses", get(licenses))
        .route("/_sandbox/metering", get(metering))
        .route("/_sandbox/notifications", get(notifications))
        .route("/_sandbox/purchase", post(purchase))
        .route("/_sandbox/change", post(change))
        .route("/_sandbox/cancel", post(cancel))
        .route("/_sandbox/fail", post(fail))
        .route("/_sandbox/clock", get(clock).post(advance))
        .route("/_sandbox/faults", post(faults))
        .route(
            "/_sandbox/review",
            get(crate::review_api::get).post(crate::review_api::set),
        )
        .route("/_sandbox/landing/{id}", get(landing))
        .route(
            "/_demo-saas/{env}/marketplace/register",
            get(demo_landing_get).post(demo_landing),
        )
        .route("/_demo-saas/{env}/eula.txt", get(demo_eula))
        .route("/_demo-saas/{env}/meter", post(demo_meter))
        .fallback(marketplace)
        .with_state(sb)
}

fn guess_protocol(path: &str, headers: &HeaderMap) -> Protocol {
    if path.starts_with("/service/") {
        Protocol::Cbor
    } else if headers.contains_key("x-amz-target") {
        Protocol::AwsJson
    } else {
        Protocol::RestJson
    }
}

async fn marketplace(State(sb): State<Shared>, req: Request) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let request_id = uuid::Uuid::new_v4().to_string();
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return respond(
                guess_protocol(parts.uri.path(), &parts.headers),
                Err(AwsError::validation(
                    "The request is larger than the 1 MB limit.",
                )),
                &request_id,
            )
        }
    };
    if is_sts_query(
        parts.method.as_str(),
        parts.uri.path(),
        &parts.headers,
        &bytes,
    ) {
        return sts(&sb, &parts, &bytes, &request_id);
    }
    let op = match classify(
        parts.method.as_str(),
        parts.uri.path(),
        parts.uri.query(),
        &parts.headers,
        &bytes,
    ) {
        Ok(op) => op,
        Err((protocol, e)) => return respond(protocol, Err(e), &request_id),
    };
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let caller = match sigv4::verify(
        parts.method.as_str(),
        path_and_query,
        &parts.headers,
        &bytes,
        &sb.config.credentials,
        &sigv4::Expect::for_service(op.service),
        SystemTime::now(),
    ) {
        Ok(c) => c,
        Err(mut e) => {
            // JSON-RPC services answer authentication failures with 400; REST ones with 403.
            if op.protocol != Protocol::RestJson && e.status == 403 {
                e.status = 400;
            }
            return respond(op.protocol, Err(e), &request_id);
        }
    };
    let result = sb.call(&op, &caller).await;
    respond(op.protocol, result, &request_id)
}

// ---- STS (query protocol): GetCallerIdentity, so "who are these credentials" works too --------

fn is_sts_query(method: &str, path: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    method == "POST"
        && path == "/"
        && !headers.contains_key("x-amz-target")
        && headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
        && String::from_utf8_lossy(body).contains("Action=")
}

fn sts_xml(status: u16, body: String, request_id: &str) -> Response<Body> {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST))
        .header("content-type", "text/xml")
        .header("x-amzn-requestid", request_id)
        .body(Body::from(body))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

fn sts_error(status: u16, code: &str, message: &str, request_id: &str) -> Response<Body> {
    sts_xml(
        status,
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
            crate::buyer::html_escape(message)
        ),
        request_id,
    )
}

fn sts(
    sb: &Sandbox,
    parts: &axum::http::request::Parts,
    body: &[u8],
    request_id: &str,
) -> Response<Body> {
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    // IAM SimulatePrincipalPolicy shares the query protocol; each is held to its own scope.
    let expect = if String::from_utf8_lossy(body).contains("Action=SimulatePrincipalPolicy") {
        sigv4::Expect::IAM
    } else {
        sigv4::Expect::STS
    };
    let caller = match sigv4::verify(
        parts.method.as_str(),
        path_and_query,
        &parts.headers,
        body,
        &sb.config.credentials,
        &expect,
        SystemTime::now(),
    ) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.code == "UnrecognizedClientException" {
                "InvalidClientTokenId"
            } else {
                "SignatureDoesNotMatch"
            };
            return sts_error(403, code, &e.message, request_id);
        }
    };
    let params = crate::protocol::url_pairs(&String::from_utf8_lossy(body));
    let param = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map_or("", |(_, v)| v.as_str())
    };
    let action = param("Action");
    let iam_action = if action == "SimulatePrincipalPolicy" {
        format!("iam:{action}")
    } else {
        format!("sts:{action}")
    };
    if sb
        .config
        .denied
        .get(&caller.access_key_id)
        .is_some_and(|d| d.contains(&iam_action))
    {
        return sts_error(
            403,
            "AccessDenied",
            &format!(
                "User: arn:aws:iam::{}:user/sandbox-{} is not authorized to perform: {iam_action}",
                sb.config.seller_account_id, caller.access_key_id
            ),
            request_id,
        );
    }
    if action == "SimulatePrincipalPolicy" {
        return simulate_principal_policy(sb, &params, request_id);
    }
    if action != "GetCallerIdentity" {
        return sts_error(
            400,
            "InvalidAction",
            &format!(
                "The sandbox's query API supports STS GetCallerIdentity and IAM SimulatePrincipalPolicy, not {action}."
            ),
            request_id,
        );
    }
    let account = &sb.config.seller_account_id;
    let key = &caller.access_key_id;
    sts_xml(
        200,
        format!(
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::{account}:user/sandbox-{key}</Arn><UserId>AIDA{}</UserId><Account>{account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
            key.chars().skip(4).collect::<String>()
        ),
        request_id,
    )
}

/// IAM SimulatePrincipalPolicy for the roles in `Config::roles`: each action is `allowed` unless
/// the role is denied it (`implicitDeny`, as for an action no policy grants).
fn simulate_principal_policy(
    sb: &Sandbox,
    params: &[(String, String)],
    request_id: &str,
) -> Response<Body> {
    let arn = params
        .iter()
        .find(|(k, _)| k == "PolicySourceArn")
        .map_or("", |(_, v)| v.as_str());
    let actions: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k.starts_with("ActionNames.member."))
        .map(|(_, v)| v.as_str())
        .collect();
    if arn.is_empty() || actions.is_empty() {
        return sts_error(
            400,
            "ValidationError",
            "PolicySourceArn and at least one ActionNames member are required.",
            request_id,
        );
    }
    let Some(denied) = sb.config.roles.get(arn) else {
        return sts_error(
            404,
            "NoSuchEntity",
            &format!(
                "The role with name {} cannot be found.",
                arn.rsplit('/').next().unwrap_or(arn)
            ),
            request_id,
        );
    };
    let esc = crate::buyer::html_escape;
    let members: String = actions
        .iter()
        .map(|a| {
            let decision = if denied.contains(*a) { "implicitDeny" } else { "allowed" };
            format!(
                "<member><EvalActionName>{}</EvalActionName><EvalResourceName>*</EvalResourceName><EvalDecision>{decision}</EvalDecision><MatchedStatements/><MissingContextValues/></member>",
                esc(a)
            )
        })
        .collect();
    sts_xml(
        200,
        format!(
            "<SimulatePrincipalPolicyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>{members}</EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>"
        ),
        request_id,
    )
}

// ---- control API ------------------------------------------------------------------------------

struct ApiError(AwsError);

impl IntoResponse for ApiError {
    fn into_response(self) -> axum::response::Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::BAD_REQUEST);
        (
            status,
            Json(json!({"code": self.0.code, "message": self.0.message})),
        )
            .into_response()
    }
}

impl From<AwsError> for ApiError {
    fn from(e: AwsError) -> Self {
        ApiError(e)
    }
}

type ApiResult = Result<Json<Value>, ApiError>;

async fn health(State(sb): State<Shared>) -> Json<Value> {
    Json(json!({"ok": true, "now": crate::ops::catalog::iso(sb.now())}))
}

async fn products(State(sb): State<Shared>) -> ApiResult {
    Ok(Json(json!(sb.state.products()?)))
}

async fn licenses(State(sb): State<Shared>) -> ApiResult {
    Ok(Json(json!(sb.state.licenses()?)))
}

async fn metering(State(sb): State<Shared>) -> ApiResult {
    Ok(Json(json!(sb.state.metering()?)))
}

async fn notifications(State(sb): State<Shared>) -> Json<Value> {
    Json(json!(sb.notifications()))
}

async fn purchase(State(sb): State<Shared>, Json(req): Json<PurchaseRequest>) -> ApiResult {
    Ok(Json(json!(sb.purchase(&req).await?)))
}

#[derive(Deserialize)]
struct ChangeReq {
    license_arn: String,
    entitlements: Vec<Entitlement>,
}

async fn change(State(sb): State<Shared>, Json(req): Json<ChangeReq>) -> ApiResult {
    Ok(Json(sb.change(&req.license_arn, &req.entitlements).await?))
}

#[derive(Deserialize)]
struct LicenseReq {
    license_arn: String,
}

async fn cancel(State(sb): State<Shared>, Json(req): Json<LicenseReq>) -> ApiResult {
    Ok(Json(sb.cancel(&req.license_arn).await?))
}

#[derive(Deserialize)]
struct FailReq {
    product: String,
    buyer_account: String,
}

async fn fail(State(sb): State<Shared>, Json(req): Json<FailReq>) -> ApiResult {
    Ok(Json(
        sb.fail_subscription(&req.product, &req.buyer_account)
            .await?,
    ))
}

async fn clock(State(sb): State<Shared>) -> ApiResult {
    Ok(Json(json!({
        "now": crate::ops::catalog::iso(sb.now()),
        "offset_secs": sb.state.clock_offset()?,
    })))
}

#[derive(Deserialize)]
struct AdvanceReq {
    advance_secs: i64,
}

async fn advance(State(sb): State<Shared>, Json(req): Json<AdvanceReq>) -> ApiResult {
    let sent = sb.advance_clock(req.advance_secs).await?;
    Ok(Json(json!({
        "now": crate::ops::catalog::iso(sb.now()),
        "offset_secs": sb.state.clock_offset()?,
        "notifications": sent,
    })))
}

#[derive(Deserialize)]
struct FaultReq {
    operation: String,
    #[serde(flatten)]
    fault: Fault,
}

async fn faults(State(sb): State<Shared>, Json(req): Json<FaultReq>) -> ApiResult {
    if !(0.0..=1.0).contains(&req.fault.throttle_rate)
        || !(0.0..=1.0).contains(&req.fault.error_rate)
    {
        return Err(AwsError::validation("Rates are between 0 and 1.").into());
    }
    sb.set_fault(&req.operation, req.fault.clone());
    Ok(Json(
        json!({"operation": req.operation, "fault": req.fault}),
    ))
}

/// The page a buyer's browser opens after a sandbox purchase: it posts the token to the SaaS.
async fn landing(State(sb): State<Shared>, Path(id): Path<String>) -> (StatusCode, Html<String>) {
    match sb.take_landing(&id) {
        Some(html) => (StatusCode::OK, Html(html)),
        None => (
            StatusCode::NOT_FOUND,
            page("This purchase link was already used", "<p>Each sandbox purchase opens its landing page once, as AWS's redirect does. Make another purchase to land again.</p>"),
        ),
    }
}

// ---- the demo SaaS ----------------------------------------------------------------------------

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:640px;margin:48px auto;padding:0 16px;color:#172033}}\
code{{background:#eef2f8;padding:2px 4px;border-radius:4px}}</style></head><body><h1>{title}</h1>{body}</body></html>"
    ))
}

async fn demo_landing_get(Path(env): Path<String>) -> Html<String> {
    page(
        "Acme Insights — sign up",
        &format!("<p>This is the demo SaaS's registration page for <code>{}</code>. AWS Marketplace buyers arrive here with a POST carrying <code>x-amzn-marketplace-token</code>.</p>", crate::buyer::html_escape(&env)),
    )
}

/// Resolves the buyer's token as a SaaS would (recorded in the CloudTrail view under the demo
/// SaaS's own access key) and greets the customer. A bad token gets a friendly page, not a 500.
async fn demo_landing(
    State(sb): State<Shared>,
    Path(env): Path<String>,
    body: Bytes,
) -> (StatusCode, Html<String>) {
    let token = String::from_utf8_lossy(&body)
        .split('&')
        .find_map(|kv| {
            kv.strip_prefix("x-amzn-marketplace-token=")
                .map(str::to_string)
        })
        .map(|t| crate::protocol::percent_decode(&t));
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return (
            StatusCode::BAD_REQUEST,
            page("We could not find your purchase", "<p>The link you followed has no Marketplace token. Please start again from your AWS Marketplace subscription.</p>"),
        );
    };
    let op = crate::protocol::OpRequest {
        service: crate::protocol::Service::Metering,
        op: "ResolveCustomer".into(),
        protocol: Protocol::AwsJson,
        input: json!({"RegistrationToken": token}),
    };
    let caller = Caller {
        access_key_id: DEMO_SAAS_ACCESS_KEY_ID.into(),
        service: "aws-marketplace".into(),
        region: "us-east-1".into(),
    };
    match sb.call(&op, &caller).await {
        Ok(v) => (
            StatusCode::OK,
            page(
                "Welcome to Acme Insights",
                &format!(
                    "<p>Your AWS Marketplace subscription is confirmed ({}).</p><ul><li>AWS account: <code>{}</code></li><li>Product code: <code>{}</code></li><li>License: <code>{}</code></li></ul><p>Create your account to get started.</p>",
                    crate::buyer::html_escape(&env),
                    crate::buyer::html_escape(v["CustomerAWSAccountId"].as_str().unwrap_or_default()),
                    crate::buyer::html_escape(v["ProductCode"].as_str().unwrap_or_default()),
                    crate::buyer::html_escape(v["LicenseArn"].as_str().unwrap_or_default()),
                ),
            ),
        ),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            page(
                "We could not confirm your purchase",
                {
                    tracing::info!(code = e.code, "demo SaaS could not resolve a token");
                    "<p>AWS Marketplace did not recognise this link. Links are valid for four hours; please start again from your subscription.</p>"
                },
            ),
        ),
    }
}

#[derive(Deserialize)]
struct DemoMeterReq {
    customer_aws_account_id: String,
    license_arn: String,
    dimension: String,
    quantity: i64,
}

/// The demo SaaS's metering job, on demand: one BatchMeterUsage record for a customer, signed
/// as the SaaS (so CloudTrail shows it as the SaaS's call, as a final metering record would be).
async fn demo_meter(
    State(sb): State<Shared>,
    Path(_env): Path<String>,
    Json(req): Json<DemoMeterReq>,
) -> ApiResult {
    let op = crate::protocol::OpRequest {
        service: crate::protocol::Service::Metering,
        op: "BatchMeterUsage".into(),
        protocol: Protocol::AwsJson,
        input: json!({"UsageRecords": [{
            "Timestamp": sb.now(),
            "CustomerAWSAccountId": req.customer_aws_account_id,
            "LicenseArn": req.license_arn,
            "Dimension": req.dimension,
            "Quantity": req.quantity,
        }]}),
    };
    let caller = Caller {
        access_key_id: DEMO_SAAS_ACCESS_KEY_ID.into(),
        service: "aws-marketplace".into(),
        region: "us-east-1".into(),
    };
    Ok(Json(sb.call(&op, &caller).await?))
}

async fn demo_eula(Path(env): Path<String>) -> impl IntoResponse {
    (
        [("content-type", "text/plain; charset=utf-8")],
        format!("ACME INSIGHTS ({env}) END USER LICENSE AGREEMENT\n\nThis is a demo EULA served by the Listing Assistant Marketplace sandbox.\n"),
    )
}
