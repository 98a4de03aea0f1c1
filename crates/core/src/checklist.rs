//! The checklist (phases → steps → items, and the source rows they prove), loaded from
//! `data/checklist.toml`, which is compiled into the binary.
//!
//! Production steps that name a `template` get a copy of the template step's items, prefixed with
//! the environment, so each requirement is proven once per environment with its own stable id.

use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const SOURCE: &str = include_str!("../data/checklist.toml");

/// A text in both languages the app ships.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Text {
    pub en: String,
    pub ja: String,
}

impl Text {
    pub fn new(en: impl Into<String>, ja: impl Into<String>) -> Self {
        Self {
            en: en.into(),
            ja: ja.into(),
        }
    }
    /// A text that reads the same in both languages: an AWS message quoted as received, a
    /// list of ARNs, or a result stored before summaries were bilingual.
    pub fn same(s: impl Into<String>) -> Self {
        let s = s.into();
        Self {
            ja: s.clone(),
            en: s,
        }
    }
    pub fn is_empty(&self) -> bool {
        self.en.is_empty() && self.ja.is_empty()
    }
    /// Applies `f` to both languages (masking, trimming…).
    pub fn map(&self, f: impl Fn(&str) -> String) -> Self {
        Self {
            en: f(&self.en),
            ja: f(&self.ja),
        }
    }
    /// Reads either a `{en, ja}` object or a bare string (English, as stored before the text
    /// was bilingual; it then shows in both languages).
    pub fn or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Both { en: String, ja: String },
            English(String),
        }
        Ok(match Stored::deserialize(d)? {
            Stored::Both { en, ja } => Self { en, ja },
            Stored::English(s) => Self::same(s),
        })
    }
}

/// A bilingual text with `format!` arguments shared by both languages:
/// `text!("{n} offers", "オファー {n} 件")`.
#[macro_export]
macro_rules! text {
    ($en:literal, $ja:literal $(, $arg:expr)* $(,)?) => {
        $crate::checklist::Text {
            en: format!($en $(, $arg)*),
            ja: format!($ja $(, $arg)*),
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A check proves it; people cannot attest it.
    Automated,
    /// The app drives part of it and a person confirms.
    Assisted,
    /// A person confirms it with a note or a file.
    Attested,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
pub enum Category {
    Access,
    Product,
    Billing,
    Registration,
    Subscription,
    Security,
    Reliability,
    Guideline,
}

/// Which environment a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum StepEnv {
    None,
    Staging,
    Production,
}

/// Where the seller does the work of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Venue {
    AwsConsole,
    Ammp,
    Saas,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SourceOrigin {
    AwsChecklist,
    Guideline,
    Scenario,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Phase {
    pub id: String,
    pub title: Text,
    pub summary: Text,
    pub steps: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Step {
    pub id: String,
    pub number: u32,
    pub phase: String,
    pub env: StepEnv,
    pub venue: Venue,
    pub title: Text,
    pub todo: Text,
    pub why: Text,
    pub doc_url: String,
    pub blocked_by: Vec<String>,
    pub items: Vec<String>,
    /// The checks this build has that prove the step's items, each once, in item order: what
    /// "Run checks" on the step runs. Front ends show these instead of working them out.
    pub checks: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Item {
    pub id: String,
    pub key: String,
    pub step: String,
    pub category: Category,
    pub kind: ItemKind,
    /// For automated items: the id of the check that proves it.
    pub check: Option<String>,
    pub title: Text,
    pub help: Text,
    pub doc_url: String,
    pub covers: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct SourceRow {
    pub id: String,
    pub origin: SourceOrigin,
    pub category: Category,
    pub text: Text,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Checklist {
    pub version: u32,
    pub phases: Vec<Phase>,
    pub steps: Vec<Step>,
    pub items: Vec<Item>,
    pub sources: Vec<SourceRow>,
}

impl Checklist {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }
}

#[derive(Deserialize)]
struct RawFile {
    version: u32,
    docs: BTreeMap<String, String>,
    phases: Vec<RawPhase>,
    steps: Vec<RawStep>,
    items: Vec<RawItem>,
    sources: Vec<SourceRowRaw>,
}

#[derive(Deserialize)]
struct RawPhase {
    id: String,
    title: Text,
    summary: Text,
}

#[derive(Deserialize)]
struct RawStep {
    id: String,
    number: u32,
    phase: String,
    env: StepEnv,
    #[serde(rename = "where")]
    venue: Venue,
    doc: String,
    #[serde(default)]
    template: Option<String>,
    #[serde(default)]
    blocked_by: Vec<String>,
    title: Text,
    todo: Text,
    why: Text,
}

#[derive(Deserialize)]
struct RawItem {
    key: String,
    step: String,
    category: Category,
    kind: ItemKind,
    #[serde(default)]
    check: Option<String>,
    doc: String,
    covers: Vec<String>,
    title: Text,
    help: Text,
}

#[derive(Deserialize)]
struct SourceRowRaw {
    id: String,
    origin: SourceOrigin,
    category: Category,
    text: Text,
}

/// Parses and expands checklist TOML. Public so tests can feed broken data.
pub fn parse(source: &str) -> Result<Checklist, String> {
    let raw: RawFile = toml::from_str(source).map_err(|e| e.to_string())?;
    let doc = |key: &str| -> Result<String, String> {
        raw.docs
            .get(key)
            .cloned()
            .ok_or_else(|| format!("unknown doc key `{key}`"))
    };
    let env_prefix = |env: StepEnv| match env {
        StepEnv::None => "",
        StepEnv::Staging => "staging.",
        StepEnv::Production => "production.",
    };

    let mut steps = Vec::with_capacity(raw.steps.len());
    let mut items = Vec::new();
    for s in &raw.steps {
        // A production step made from a template proves the template's items again, on its own env.
        let own = raw.items.iter().filter(|i| i.step == s.id);
        let templated = s
            .template
            .iter()
            .flat_map(|t| raw.items.iter().filter(move |i| &i.step == t));
        let mut ids = Vec::new();
        let mut checks: Vec<String> = Vec::new();
        for ri in templated.chain(own) {
            if let Some(c) = ri.check.as_deref() {
                if implemented_checks().contains(&c) && !checks.iter().any(|x| x == c) {
                    checks.push(c.to_string());
                }
            }
            let id = format!("{}{}", env_prefix(s.env), ri.key);
            ids.push(id.clone());
            items.push(Item {
                id,
                key: ri.key.clone(),
                step: s.id.clone(),
                category: ri.category,
                kind: ri.kind,
                check: ri.check.clone(),
                title: ri.title.clone(),
                help: ri.help.clone(),
                doc_url: doc(&ri.doc)?,
                covers: ri.covers.clone(),
            });
        }
        steps.push(Step {
            id: s.id.clone(),
            number: s.number,
            phase: s.phase.clone(),
            env: s.env,
            venue: s.venue,
            title: s.title.clone(),
            todo: s.todo.clone(),
            why: s.why.clone(),
            doc_url: doc(&s.doc)?,
            blocked_by: s.blocked_by.clone(),
            items: ids,
            checks,
        });
    }
    steps.sort_by_key(|s| s.number);
    let phases = raw
        .phases
        .into_iter()
        .map(|p| Phase {
            steps: steps
                .iter()
                .filter(|s| s.phase == p.id)
                .map(|s| s.id.clone())
                .collect(),
            id: p.id,
            title: p.title,
            summary: p.summary,
        })
        .collect();
    let sources = raw
        .sources
        .into_iter()
        .map(|r| SourceRow {
            id: r.id,
            origin: r.origin,
            category: r.category,
            text: r.text,
        })
        .collect();
    Ok(Checklist {
        version: raw.version,
        phases,
        steps,
        items,
        sources,
    })
}

/// The checklist compiled into this build.
pub fn checklist() -> &'static Checklist {
    static CELL: OnceLock<Checklist> = OnceLock::new();
    // The data is compiled in and its completeness is asserted by tests, so failure here is a
    // build defect, not a runtime condition.
    CELL.get_or_init(|| parse(SOURCE).expect("built-in checklist.toml must parse"))
}

/// Checks that are implemented in this build. Automated items whose check is not listed here are
/// shown as "not yet checkable" and can never be passed.
pub fn implemented_checks() -> &'static [&'static str] {
    // Kept equal to la_aws::checks::catalogue() by a test in la-aws.
    &[
        "identity.caller",
        "identity.permissions",
        "catalog.seller_access",
        "catalog.product_exists",
        "catalog.visibility",
        "catalog.fulfillment_url",
        "catalog.dimensions",
        "catalog.allow_list",
        "catalog.eula",
        "catalog.product_code",
        "catalog.concurrent_agreements",
        "catalog.release_change_set",
        "registration.https",
        "registration.accepts_post",
        "registration.invalid_token_graceful",
        "registration.token_not_in_cookie",
        "registration.repeat_post",
        "registration.response_time",
        "notifications.sqs_queue",
        "notifications.sns_subscriptions",
        "notifications.eventbridge",
        "billing.resolve_customer_calls",
        "billing.entitlements",
        "billing.meter_usage",
        "billing.metering_cadence",
        "posture.root_account",
        "posture.access_key_age",
        "posture.cloudtrail",
        "posture.threat_detection",
        "posture.kms_rotation",
    ]
}

#[cfg(test)]
mod text_tests {
    use super::Text;
    use crate::model::CheckResult;

    /// A check result stored before summaries were bilingual (plain strings) still loads, and
    /// shows its English in both languages; a new one keeps its Japanese.
    #[test]
    fn stored_results_load_old_and_new() {
        let old = r#"{"id":"a","status":"pass","summary":"it works","details":"","advice":{"en":"","ja":""},"duration_ms":1,"evidence":[]}"#;
        let r: CheckResult = serde_json::from_str(old).expect("old row");
        assert_eq!(r.summary, Text::same("it works"));
        let new = serde_json::to_string(&CheckResult {
            summary: crate::text!("{} works", "{} は動きます", "it"),
            ..r
        })
        .expect("json");
        let r: CheckResult = serde_json::from_str(&new).expect("new row");
        assert_eq!(r.summary.ja, "it は動きます");
        assert_eq!(r.summary.en, "it works");
    }
}
