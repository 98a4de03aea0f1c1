//! The HTTP server: Marketplace wire protocols on every path but two prefixes — `/_sandbox/…`,
//! the JSON control API the CLI and the app use to simulate buyers and move the clock
//! (`control`), and `/_demo-saas/…`, a tiny SaaS the demo products' fulfillment URLs point at
//! (`demo_saas`). STS and IAM's query protocol is answered by `sts`.

use crate::error::AwsError;
use crate::protocol::{classify, respond, Protocol};
use crate::sigv4;
use crate::{Config, Sandbox};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Response};
use axum::routing::{get, post};
use axum::Router;
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
    /// This launch's control secret: `/_sandbox/*` calls carry it (see `doors`). Registered
    /// for this process's `la_sandbox_api::Client`s while the server runs.
    pub control_secret: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops accepting connections and waits for the server task to end.
    pub async fn stop(mut self) {
        la_sandbox_api::secret::unregister(&self.url);
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
        la_sandbox_api::secret::unregister(&self.url);
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub addr: SocketAddr,
    pub seed_demo: bool,
    /// Binding anything but loopback needs this. It also turns the Host and Origin checks off
    /// (the sandbox is then reached by a name it cannot know); the control secret still holds.
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
    let control_secret = crate::random_id(43);
    la_sandbox_api::secret::register(&url, &control_secret);
    let doors = doors::Doors::new(addr.port(), opts.allow_remote, control_secret.clone());
    let app =
        router(sandbox.clone()).layer(axum::middleware::from_fn_with_state(doors, doors::guard));
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
        control_secret,
        shutdown: Some(tx),
        handle: Some(handle),
    })
}

mod control;
mod demo_saas;
pub mod doors;
mod sts;

pub fn router(sb: Shared) -> Router {
    use la_sandbox_api::routes;
    Router::new()
        .route(routes::HEALTH, get(control::health))
        .route(routes::PRODUCTS, get(control::products))
        .route(routes::LICENSES, get(control::licenses))
        .route(routes::METERING, get(control::metering))
        .route(routes::NOTIFICATIONS, get(control::notifications))
        .route(routes::PURCHASE, post(control::purchase))
        .route(routes::CHANGE, post(control::change))
        .route(routes::CANCEL, post(control::cancel))
        .route(routes::FAIL, post(control::fail))
        .route(routes::CLOCK, get(control::clock).post(control::advance))
        .route(routes::FAULTS, post(control::faults))
        .route(
            "/_sandbox/review",
            get(crate::review_api::get).post(crate::review_api::set),
        )
        .route(routes::LANDING, get(control::landing))
        .route(
            "/_demo-saas/{env}/marketplace/register",
            get(demo_saas::landing_get).post(demo_saas::landing),
        )
        .route("/_demo-saas/{env}/eula.txt", get(demo_saas::eula))
        .route("/_demo-saas/{env}/meter", post(demo_saas::meter))
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
    if sts::is_sts_query(
        parts.method.as_str(),
        parts.uri.path(),
        &parts.headers,
        &bytes,
    ) {
        return sts::sts(&sb, &parts, &bytes, &request_id);
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
    let result = sb.run(&op, &caller).await;
    // A JSON answer is written out once, for the client and for the trail.
    let json = match (&result, op.protocol) {
        (Ok(v), Protocol::AwsJson | Protocol::RestJson) => Some(crate::protocol::json_text(v)),
        _ => None,
    };
    sb.record(
        &op,
        &caller,
        &result,
        crate::Wire {
            request: (op.protocol == Protocol::AwsJson).then_some(&bytes[..]),
            response: json.as_deref(),
        },
    );
    crate::protocol::respond_json(op.protocol, result, json, &request_id)
}
