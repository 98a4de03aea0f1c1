//! SigV4 verification. The signature is recomputed with `aws-sigv4` (the SDK's own signer) over
//! exactly the headers the client listed in `SignedHeaders`, at the client's `X-Amz-Date`, and
//! compared with what the client sent. Unknown keys and mismatches are refused as AWS refuses them.

use crate::error::AwsError;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use http::HeaderMap;
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

/// A secret known to the sandbox: what the official SDK clients sign with.
#[derive(Clone)]
pub struct Credential {
    pub secret_access_key: String,
}

/// Parts of an `Authorization: AWS4-HMAC-SHA256 …` header.
#[derive(Debug, PartialEq, Eq)]
pub struct AuthHeader<'a> {
    pub access_key_id: &'a str,
    pub date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
    pub signed_headers: Vec<&'a str>,
    pub signature: &'a str,
}

pub fn parse_authorization(value: &str) -> Option<AuthHeader<'_>> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ")?;
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => credential = Some(v),
            "SignedHeaders" => signed = Some(v),
            "Signature" => signature = Some(v),
            _ => {}
        }
    }
    let mut scope = credential?.split('/');
    let access_key_id = scope.next()?;
    let date = scope.next()?;
    let region = scope.next()?;
    let service = scope.next()?;
    if scope.next()? != "aws4_request" {
        return None;
    }
    Some(AuthHeader {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed?.split(';').collect(),
        signature: signature?,
    })
}

/// Which credential scope a route accepts: the signing name its service uses and the regions
/// where AWS serves it. AWS refuses a request signed for another service or region even when the
/// signature itself is valid, so the sandbox must too — otherwise a client that signs for the
/// wrong region (the mistake issue 11's region item is about) passes here and fails on AWS.
#[derive(Debug, Clone, Copy)]
pub struct Expect {
    pub service: &'static str,
    pub regions: Regions,
}

#[derive(Debug, Clone, Copy)]
pub enum Regions {
    /// Catalog and Entitlement exist only in us-east-1; IAM is global and signs for us-east-1.
    Only(&'static str),
    /// Metering, STS and CloudTrail answer in every commercial region.
    Any,
}

impl Expect {
    pub const MARKETPLACE_US_EAST_1: Expect = Expect {
        service: "aws-marketplace",
        regions: Regions::Only("us-east-1"),
    };
    pub const MARKETPLACE_ANY_REGION: Expect = Expect {
        service: "aws-marketplace",
        regions: Regions::Any,
    };
    pub const CLOUDTRAIL: Expect = Expect {
        service: "cloudtrail",
        regions: Regions::Any,
    };
    pub const STS: Expect = Expect {
        service: "sts",
        regions: Regions::Any,
    };
    pub const IAM: Expect = Expect {
        service: "iam",
        regions: Regions::Only("us-east-1"),
    };

    /// The scope AWS accepts for each service the sandbox routes by protocol.
    pub fn for_service(service: crate::protocol::Service) -> Expect {
        use crate::protocol::Service;
        match service {
            Service::Metering => Expect::MARKETPLACE_ANY_REGION,
            Service::Entitlement | Service::Catalog => Expect::MARKETPLACE_US_EAST_1,
            Service::CloudTrail => Expect::CLOUDTRAIL,
        }
    }
}

/// A region name as AWS spells them (`us-east-1`, `ap-northeast-3`, `us-gov-west-1`).
fn is_region_name(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// AWS's answer when the credential scope names another service or region. Checked before the
/// signature, as AWS does, so the message says what is wrong rather than "does not match".
fn check_scope(parsed: &AuthHeader<'_>, expect: &Expect) -> Result<(), AwsError> {
    if !parsed
        .signed_headers
        .iter()
        .any(|h| h.eq_ignore_ascii_case("host"))
    {
        return Err(AwsError::new(
            400,
            "IncompleteSignatureException",
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    if parsed.service != expect.service {
        return Err(AwsError::new(
            403,
            "InvalidSignatureException",
            format!(
                "Credential should be scoped to correct service: '{}'. ",
                expect.service
            ),
        ));
    }
    let region_ok = match expect.regions {
        Regions::Only(r) => parsed.region == r,
        Regions::Any => is_region_name(parsed.region),
    };
    if !region_ok {
        return Err(AwsError::new(
            403,
            "InvalidSignatureException",
            format!(
                "Credential should be scoped to a valid region, not '{}'. ",
                parsed.region
            ),
        ));
    }
    Ok(())
}

/// What a verified request was signed as.
#[derive(Debug, Clone)]
pub struct Caller {
    pub access_key_id: String,
    pub service: String,
    pub region: String,
}

fn parse_amz_date(s: &str) -> Option<SystemTime> {
    let t = chrono::NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ").ok()?;
    let secs = u64::try_from(t.and_utc().timestamp()).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

/// Verifies the request's SigV4 signature against the known credentials.
pub fn verify(
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    credentials: &HashMap<String, Credential>,
    expect: &Expect,
    now: SystemTime,
) -> Result<Caller, AwsError> {
    let missing = || {
        AwsError::new(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        )
    };
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(missing)?;
    let parsed = parse_authorization(auth).ok_or_else(|| {
        AwsError::new(
            400,
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.",
        )
    })?;
    check_scope(&parsed, expect)?;
    let Some(known) = credentials.get(parsed.access_key_id) else {
        return Err(AwsError::new(
            400,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
    };
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            AwsError::new(
                400,
                "IncompleteSignatureException",
                "Date must be in ISO-8601 'basic format'. Got no X-Amz-Date header.",
            )
        })?;
    let time = parse_amz_date(amz_date).ok_or_else(|| {
        AwsError::new(
            400,
            "IncompleteSignatureException",
            format!("Date must be in ISO-8601 'basic format'. Got '{amz_date}'."),
        )
    })?;
    let skew = now
        .duration_since(time)
        .or_else(|_| time.duration_since(now))
        .unwrap_or_default();
    if skew > Duration::from_secs(5 * 60) {
        return Err(AwsError::new(
            400,
            "InvalidSignatureException",
            format!("Signature expired: {amz_date} is now earlier or later than 5 minutes from the server time."),
        ));
    }
    // The signer adds x-amz-date and the session token itself; pass every other signed header.
    let session_token = headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // Temporary keys (ASIA…) are valid only with the session token STS issued with them; AWS
    // answers a call without it as an unknown token, and so does the sandbox, so a client that
    // drops the token fails here as it would against AWS.
    if parsed.access_key_id.starts_with("ASIA") && session_token.is_none() {
        return Err(AwsError::new(
            400,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
    }
    let mut signable: Vec<(&str, &str)> = Vec::new();
    for name in &parsed.signed_headers {
        if *name == "x-amz-date" || *name == "x-amz-security-token" {
            continue;
        }
        let value = headers
            .get(*name)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                AwsError::new(
                    400,
                    "InvalidSignatureException",
                    format!("The request signature we calculated does not match the signature you provided. Signed header '{name}' is missing."),
                )
            })?;
        signable.push((name, value));
    }
    let identity = Credentials::new(
        parsed.access_key_id,
        &known.secret_access_key,
        session_token,
        None,
        "sandbox",
    )
    .into();
    let mut settings = SigningSettings::default();
    // Sign exactly what the client listed: nothing excluded, nothing added but date and token.
    settings.excluded_headers = Some(Vec::new());
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(parsed.region)
        .name(parsed.service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|_| AwsError::internal())?
        .into();
    let request = SignableRequest::new(
        method,
        path_and_query,
        signable.into_iter(),
        SignableBody::Bytes(body),
    )
    .map_err(|_| AwsError::validation("The request URI could not be parsed for signing."))?;
    let expected = sign(request, &params).map_err(|_| AwsError::internal())?;
    if !constant_time_eq(expected.signature().as_bytes(), parsed.signature.as_bytes()) {
        return Err(AwsError::new(
            403,
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ));
    }
    Ok(Caller {
        access_key_id: parsed.access_key_id.to_string(),
        service: parsed.service.to_string(),
        region: parsed.region.to_string(),
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_authorization() {
        let h = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/aws-marketplace/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=abc123";
        let p = parse_authorization(h).expect("parses");
        assert_eq!(p.access_key_id, "AKIDEXAMPLE");
        assert_eq!(p.service, "aws-marketplace");
        assert_eq!(p.signed_headers, vec!["content-type", "host", "x-amz-date"]);
        assert_eq!(p.signature, "abc123");
        assert!(parse_authorization("Bearer x").is_none());
        assert!(parse_authorization("AWS4-HMAC-SHA256 Credential=a/b/c").is_none());
    }

    fn header(scope: &str, signed: &str) -> String {
        format!("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/{scope}/aws4_request, SignedHeaders={signed}, Signature=abc")
    }

    #[test]
    fn host_must_be_signed() {
        let h = header("us-east-1/aws-marketplace", "content-type;x-amz-date");
        let p = parse_authorization(&h).expect("parses");
        let e = check_scope(&p, &Expect::MARKETPLACE_US_EAST_1).expect_err("refused");
        assert_eq!(e.code, "IncompleteSignatureException");
        let h = header("us-east-1/aws-marketplace", "content-type;Host;x-amz-date");
        let p = parse_authorization(&h).expect("parses");
        assert!(check_scope(&p, &Expect::MARKETPLACE_US_EAST_1).is_ok());
    }

    #[test]
    fn scope_service_and_region_are_checked() {
        let scoped = |scope: &str, e: &Expect| {
            let h = header(scope, "host;x-amz-date");
            let p = parse_authorization(&h).expect("parses");
            check_scope(&p, e).map_err(|e| e.message)
        };
        let m = Expect::MARKETPLACE_US_EAST_1;
        assert!(scoped("us-east-1/aws-marketplace", &m).is_ok());
        let wrong_region = scoped("eu-west-1/aws-marketplace", &m).expect_err("region");
        assert!(
            wrong_region.contains("valid region, not 'eu-west-1'"),
            "{wrong_region}"
        );
        let wrong_service = scoped("us-east-1/sqs", &m).expect_err("service");
        assert!(
            wrong_service.contains("'aws-marketplace'"),
            "{wrong_service}"
        );
        // Metering answers in other regions; a made-up region is still refused.
        let any = Expect::MARKETPLACE_ANY_REGION;
        assert!(scoped("eu-west-1/aws-marketplace", &any).is_ok());
        assert!(scoped("us-gov-west-1/aws-marketplace", &any).is_ok());
        assert!(scoped("mars/aws-marketplace", &any).is_err());
        assert!(scoped("EU-WEST-1/aws-marketplace", &any).is_err());
        assert!(scoped("us-east-1/cloudtrail", &Expect::CLOUDTRAIL).is_ok());
        assert!(scoped("us-east-1/cloudtrail", &Expect::STS).is_err());
    }
}
