//! Shared set-up for the sandbox's integration tests: a sandbox on a free loopback port, SDK
//! configs signed with its credentials, and a moto server for SQS.

#![allow(dead_code)]

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;

/// A sandbox with the demo products on a free port (la-testkit's, shared with other crates).
pub use la_testkit::sandbox::seeded_with as start;

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

#[allow(unused_imports)]
pub use la_testkit::{moto, Moto};

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
