//! EventBridge: which agreement events a rule's pattern lets through, the rules on the default
//! bus in us-east-1 (where Marketplace puts its `aws.agreement-marketplace` events), and whether
//! a queue policy lets EventBridge deliver from a rule.
//!
//! Detail types come in "- Manufacturer" and "- Proposer" variants. The ISV is the manufacturer
//! of its product: it receives the Manufacturer variants on every deal, and in a channel
//! partner's private offer *only* those (the partner is the proposer). A rule that matches only
//! "- Proposer" variants therefore misses every channel-partner deal, so only the Manufacturer
//! variant counts as covering an event.

use crate::marketplace::app_error;
use la_core::AppError;
use serde_json::Value;

/// The agreement and license events a SaaS seller acts on.
pub const AGREEMENT_EVENTS: [&str; 5] = [
    "Purchase Agreement Created",
    "Purchase Agreement Amended",
    "Purchase Agreement Ended",
    "License Updated",
    "License Deprovisioned",
];

/// IAM-style wildcard match (`*` any run, `?` one character), as ArnLike/StringLike and
/// EventBridge's `wildcard` filter use it.
pub fn glob(pattern: &str, s: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (pattern.chars().collect(), s.chars().collect());
    let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// One element of an EventBridge pattern value: a literal, or a content filter
/// (`prefix`, `suffix`, `equals-ignore-case`, `wildcard`, `anything-but`).
fn element_matches(v: &Value, candidate: &str) -> bool {
    match v {
        Value::String(s) => s == candidate,
        Value::Object(o) => o.iter().all(|(op, arg)| match (op.as_str(), arg) {
            ("prefix", Value::String(p)) => candidate.starts_with(p.as_str()),
            ("prefix", Value::Object(i)) => i
                .get("equals-ignore-case")
                .and_then(Value::as_str)
                .is_some_and(|p| candidate.to_lowercase().starts_with(&p.to_lowercase())),
            ("suffix", Value::String(p)) => candidate.ends_with(p.as_str()),
            ("suffix", Value::Object(i)) => i
                .get("equals-ignore-case")
                .and_then(Value::as_str)
                .is_some_and(|p| candidate.to_lowercase().ends_with(&p.to_lowercase())),
            ("equals-ignore-case", Value::String(p)) => p.eq_ignore_ascii_case(candidate),
            ("wildcard", Value::String(p)) => glob(p, candidate),
            ("anything-but", a) => !pattern_matches(a, candidate),
            _ => false,
        }),
        _ => false,
    }
}

/// Whether an EventBridge pattern value (a list of literals and filters) matches.
pub fn pattern_matches(values: &Value, candidate: &str) -> bool {
    match values {
        Value::Array(a) => a.iter().any(|v| element_matches(v, candidate)),
        v => element_matches(v, candidate),
    }
}

/// What one rule's pattern does with the agreement events.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Coverage {
    /// Events whose "- Manufacturer" variant the rule matches.
    pub manufacturer: Vec<&'static str>,
    /// Events the rule matches only in their "- Proposer" variant.
    pub proposer_only: Vec<&'static str>,
}

/// For a rule's event pattern: `None` when it does not match source aws.agreement-marketplace,
/// otherwise which agreement events it lets through, and in which variant.
pub fn agreement_coverage(pattern: &str) -> Option<Coverage> {
    let p: Value = serde_json::from_str(pattern).ok()?;
    if !pattern_matches(&p["source"], "aws.agreement-marketplace") {
        return None;
    }
    let types = &p["detail-type"];
    let matches = |t: String| types.is_null() || pattern_matches(types, &t);
    let mut c = Coverage::default();
    for e in AGREEMENT_EVENTS {
        if matches(format!("{e} - Manufacturer")) {
            c.manufacturer.push(e);
        } else if matches(format!("{e} - Proposer")) {
            c.proposer_only.push(e);
        }
    }
    Some(c)
}

/// A rule on the default bus that matches Marketplace agreement events.
#[derive(Debug, Clone)]
pub struct AgreementRule {
    pub name: String,
    pub arn: String,
    pub enabled: bool,
    pub targets: Vec<String>,
    pub coverage: Coverage,
}

impl AgreementRule {
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{}: {}, targets [{}], events [{}]",
            self.name,
            if self.enabled { "enabled" } else { "disabled" },
            self.targets.join(", "),
            self.coverage.manufacturer.join(", ")
        );
        if !self.coverage.proposer_only.is_empty() {
            s.push_str(&format!(
                ", only the Proposer variant of [{}]",
                self.coverage.proposer_only.join(", ")
            ));
        }
        s
    }
}

/// Every rule on the default bus, and those among them that match agreement events, with their
/// targets.
pub async fn agreement_rules(
    eb: &aws_sdk_eventbridge::Client,
) -> Result<(usize, Vec<AgreementRule>), AppError> {
    let mut rules = Vec::new();
    let mut next = None;
    loop {
        let page = eb
            .list_rules()
            .event_bus_name("default")
            .set_next_token(next.take())
            .send()
            .await
            .map_err(|e| app_error("ListRules", &e))?;
        rules.extend(page.rules().iter().cloned());
        match page.next_token() {
            Some(t) if !t.is_empty() => next = Some(t.to_string()),
            _ => break,
        }
    }
    let mut out = Vec::new();
    for r in &rules {
        let Some(coverage) = r.event_pattern().and_then(agreement_coverage) else {
            continue;
        };
        let name = r.name().unwrap_or_default().to_string();
        let targets = eb
            .list_targets_by_rule()
            .rule(&name)
            .event_bus_name("default")
            .send()
            .await
            .map_err(|e| app_error("ListTargetsByRule", &e))?
            .targets()
            .iter()
            .map(|t| t.arn().to_string())
            .collect();
        out.push(AgreementRule {
            arn: r.arn().unwrap_or_default().to_string(),
            enabled: r.state().map(|s| s.as_str()) == Some("ENABLED"),
            name,
            targets,
            coverage,
        });
    }
    Ok((rules.len(), out))
}

fn as_list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether one queue-policy statement lets `service` (sns.amazonaws.com, events.amazonaws.com)
/// send to `queue_arn` from `source_arn`: Allow, that service principal (or `*`),
/// sqs:SendMessage (or a wildcard covering it), a Resource covering the queue when one is
/// named, and an aws:SourceArn condition naming the source exactly (ArnEquals/StringEquals) or
/// by wildcard (ArnLike/StringLike) — or no SourceArn condition at all.
pub fn statement_allows(
    statement: &Value,
    service: &str,
    queue_arn: &str,
    source_arn: &str,
) -> bool {
    if statement["Effect"] != "Allow" {
        return false;
    }
    let principal_ok = match &statement["Principal"] {
        Value::String(p) => p == "*",
        p => {
            as_list(&p["Service"]).iter().any(|s| s == service)
                || as_list(&p["AWS"]).iter().any(|s| s == "*")
        }
    };
    let action_ok = as_list(&statement["Action"])
        .iter()
        .any(|a| glob(&a.to_ascii_lowercase(), "sqs:sendmessage"));
    let resources = as_list(&statement["Resource"]);
    let resource_ok = resources.is_empty()
        || queue_arn.is_empty()
        || resources.iter().any(|r| glob(r, queue_arn));
    let cond = &statement["Condition"];
    let exact: Vec<String> = ["ArnEquals", "StringEquals"]
        .iter()
        .flat_map(|op| as_list(&cond[op]["aws:SourceArn"]))
        .collect();
    let like: Vec<String> = ["ArnLike", "StringLike"]
        .iter()
        .flat_map(|op| as_list(&cond[op]["aws:SourceArn"]))
        .collect();
    let source_ok = (exact.is_empty() && like.is_empty())
        || exact.iter().any(|a| a == source_arn)
        || like.iter().any(|a| glob(a, source_arn));
    principal_ok && action_ok && resource_ok && source_ok
}

/// The statements of a policy document (one object or a list).
pub fn statements(policy: &Value) -> Vec<Value> {
    match &policy["Statement"] {
        Value::Array(a) => a.clone(),
        v @ Value::Object(_) => vec![v.clone()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
