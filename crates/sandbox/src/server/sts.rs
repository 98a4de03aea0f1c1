//! STS and IAM on the query protocol: GetCallerIdentity (so "who are these credentials" works
//! against the sandbox) and SimulatePrincipalPolicy for the roles the sandbox is configured with.

use crate::sigv4;
use crate::Sandbox;
use axum::body::Body;
use axum::http::{HeaderMap, Response, StatusCode};
use std::time::SystemTime;

pub(super) fn is_sts_query(method: &str, path: &str, headers: &HeaderMap, body: &[u8]) -> bool {
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

pub(super) fn sts(
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
