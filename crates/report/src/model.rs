//! The report: a language-resolved snapshot of a workspace (or one environment) that every
//! renderer reads and the JSON export carries verbatim under its digest.
//!
//! Nothing secret is in here by construction: account ids are masked, free text has passed
//! through [`crate::scrub`], credentials are reported only as their kind.

use serde::{Deserialize, Serialize};

/// Version of this shape; the JSON export and `verify` carry and check it.
pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: u32,
    /// `en` or `ja`: every title, label and advice below is in this language.
    pub language: String,
    /// `workspace`, `staging` or `production`.
    pub scope: String,
    pub generated_at: String,
    pub generator: String,
    /// Fingerprint of the installation key that signs this export (`la_core::signing`), empty in
    /// an unsigned preview. Inside the signed content, so the cover's fingerprint cannot be
    /// swapped without breaking the signature.
    #[serde(default)]
    pub signer: String,
    pub workspace: WorkspaceInfo,
    pub environments: Vec<EnvironmentInfo>,
    pub readiness: Readiness,
    /// One row per phase in scope: the summary table and the progress chart.
    pub summary: Vec<PhaseSummary>,
    pub phases: Vec<PhaseSection>,
    /// Test purchase sessions with their timelines and scenario verdicts (empty until test
    /// purchases are recorded; renderers then say "none recorded").
    pub purchases: Vec<PurchaseSession>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceInfo {
    pub name: String,
    pub product_name: String,
    pub is_demo: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentInfo {
    /// `staging` or `production`.
    pub kind: String,
    /// `sandbox` or `real`.
    pub mode: String,
    /// Masked to its last four digits.
    pub seller_account: String,
    pub region: String,
    pub product_id: String,
    pub product_code: String,
    pub pricing_model: String,
    pub integration_style: String,
    pub fulfillment_url: String,
    /// How the app gets credentials (default chain, profile, assume role, access keys) — never
    /// the credentials.
    pub credentials: String,
    /// Masked account ids.
    pub test_buyers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub not_started: u32,
    pub in_progress: u32,
    pub passed: u32,
    pub failed: u32,
    pub waived: u32,
    pub not_applicable: u32,
}

impl Counts {
    pub fn done(&self) -> u32 {
        self.passed + self.waived + self.not_applicable
    }
    pub fn total(&self) -> u32 {
        self.not_started
            + self.in_progress
            + self.passed
            + self.failed
            + self.waived
            + self.not_applicable
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Readiness {
    /// `ready` (every item done), `failing` (an item failed) or `in_progress`.
    pub verdict: String,
    pub done: u32,
    pub total: u32,
    /// Whole percent, rounded down (100 only when everything is done).
    pub percent: u32,
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseSummary {
    pub phase_id: String,
    pub title: String,
    pub done: u32,
    pub total: u32,
    pub percent: u32,
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseSection {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub steps: Vec<StepSection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepSection {
    pub id: String,
    pub number: u32,
    pub title: String,
    /// `none` (account-wide), `staging` or `production`.
    pub env: String,
    pub done: u32,
    pub total: u32,
    pub items: Vec<ItemSection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemSection {
    pub id: String,
    pub title: String,
    pub category: String,
    /// `automated`, `assisted` or `attested`.
    pub kind: String,
    /// `not_started`, `in_progress`, `passed`, `failed`, `waived` or `not_applicable`.
    pub status: String,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
    pub note: String,
    pub waiver_reason: Option<String>,
    /// Every status change, oldest first.
    pub history: Vec<HistoryRow>,
    pub evidence: Vec<EvidenceRow>,
    /// The latest result of the check that proves the item, when it has run.
    pub check: Option<CheckRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    /// `user`, `check` or `demo`.
    pub source: String,
    pub from: String,
    pub to: String,
    pub note: String,
    pub waiver_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceRow {
    pub file_name: String,
    pub sha256: String,
    pub size: u64,
    pub added_by: String,
    pub added_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRow {
    pub check_id: String,
    /// `pass`, `fail`, `warn`, `skipped` or `error`.
    pub status: String,
    pub summary: String,
    pub details: String,
    pub advice: String,
    pub at: String,
    pub run_id: String,
}

/// One tester's purchase (PRODUCT.md §5). Filled by the test-purchase feature; see
/// [`crate::build::purchase_sessions`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurchaseSession {
    pub id: String,
    pub env: String,
    /// Masked account id.
    pub buyer_account: String,
    pub started_at: String,
    pub tester: String,
    pub timeline: Vec<TimelineEvent>,
    pub scenarios: Vec<ScenarioVerdict>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub at: String,
    /// Where it was seen: `sqs`, `entitlements`, `cloudtrail`, `saas`, `tester`.
    pub source: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioVerdict {
    pub scenario_id: String,
    pub title: String,
    /// `passed`, `failed` or `not_run`.
    pub verdict: String,
    pub note: String,
    pub by: String,
    pub at: String,
}
