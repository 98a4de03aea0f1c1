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
}
