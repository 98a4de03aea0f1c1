//! Shared set-up for the sandbox's integration tests: a sandbox on a free loopback port, SDK
//! configs signed with its credentials, and a moto server for SQS.

#![allow(dead_code)]

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use la_sandbox::server::ServeOptions;
use la_sandbox::{Config, Running};
use std::process::{Child, Command, Stdio};

pub async fn start(config: Config) -> Running {
    la_sandbox::serve(
        config,
        ServeOptions {
            addr: "127.0.0.1:0".parse().expect("addr"),
            seed_demo: true,
            allow_remote: false,
        },
    )
    .await
    .expect("sandbox starts")
}

pub fn sdk(url: &str, key: &str, secret: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            key, secret, None, None, "test",
        )))
        // Errors are the point of many tests: no retries hiding them.
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
        .build()
}

pub fn demo_sdk(url: &str) -> SdkConfig {
    sdk(
        url,
        la_sandbox::DEMO_ACCESS_KEY_ID,
        la_sandbox::DEMO_SECRET_ACCESS_KEY,
    )
}

pub const STAGING_PRODUCT: &str = "prod-demostg4a7k2q";
pub const STAGING_CODE: &str = "demostg7ky5a0d3rqx2ub6y8m";
pub const STAGING_BUYER: &str = "444455556666";
pub const SUB_PRODUCT: &str = "prod-demosub2k8v5n";
pub const SUB_CODE: &str = "demosub5t1qz8x0w7r3m9c6p2";

/// A moto server on a free port, stopped (and reaped) on drop.
pub struct Moto {
    pub url: String,
    child: Child,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_bin() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("LA_MOTO_SERVER") {
        return p.into();
    }
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    repo.join(".tools/venv/bin/moto_server")
}

pub fn moto() -> Moto {
    let bin = moto_bin();
    assert!(
        bin.exists(),
        "moto_server not found at {}: run `make deps` (it installs moto from PyPI into .tools/venv)",
        bin.display()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new(&bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    // Owned from here on, so it is killed and reaped whatever happens next.
    let moto = Moto {
        url: format!("http://127.0.0.1:{port}"),
        child,
    };
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return moto;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("moto_server did not start on port {port}");
}

/// Sends a SigV4-signed request the way any SDK would, returning status, error type and body.
pub async fn signed(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (u16, String, Vec<u8>) {
    signed_as(url, "aws-marketplace", method, path, headers, body).await
}

/// Like `signed`, with the SigV4 signing name given (`cloudtrail` for CloudTrail).
pub async fn signed_as(
    url: &str,
    service: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (u16, String, Vec<u8>) {
    let host = url.trim_start_matches("http://").to_string();
    let mut all: Vec<(String, String)> = vec![("host".into(), host)];
    all.extend(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let identity = aws_credential_types::Credentials::new(
        la_sandbox::DEMO_ACCESS_KEY_ID,
        la_sandbox::DEMO_SECRET_ACCESS_KEY,
        None,
        None,
        "t",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(std::time::SystemTime::now())
        .settings(aws_sigv4::http_request::SigningSettings::default())
        .build()
        .expect("params")
        .into();
    let req = aws_sigv4::http_request::SignableRequest::new(
        method,
        path,
        all.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        aws_sigv4::http_request::SignableBody::Bytes(&body),
    )
    .expect("signable");
    let (instructions, _) = aws_sigv4::http_request::sign(req, &params)
        .expect("sign")
        .into_parts();
    let client = reqwest::Client::new();
    let mut rb = client.request(method.parse().expect("method"), format!("{url}{path}"));
    for (k, v) in &all {
        if k != "host" {
            rb = rb.header(k, v);
        }
    }
    for (k, v) in instructions.headers() {
        rb = rb.header(k, v);
    }
    let resp = rb.body(body).send().await.expect("send");
    let status = resp.status().as_u16();
    let etype = resp
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, etype, resp.bytes().await.expect("body").to_vec())
}
