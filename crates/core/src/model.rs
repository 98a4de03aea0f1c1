//! The app's own serializable types: what the store keeps and what crosses to the UI.

use crate::checklist::Text;
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum EnvKind {
    Staging,
    Production,
}

impl EnvKind {
    pub const ALL: [EnvKind; 2] = [EnvKind::Staging, EnvKind::Production];
    pub fn as_str(self) -> &'static str {
        match self {
            EnvKind::Staging => "staging",
            EnvKind::Production => "production",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "staging" => Some(EnvKind::Staging),
            "production" => Some(EnvKind::Production),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    NotStarted,
    InProgress,
    Passed,
    Failed,
    Waived,
    NotApplicable,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::NotStarted => "not_started",
            ItemStatus::InProgress => "in_progress",
            ItemStatus::Passed => "passed",
            ItemStatus::Failed => "failed",
            ItemStatus::Waived => "waived",
            ItemStatus::NotApplicable => "not_applicable",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "not_started" => ItemStatus::NotStarted,
            "in_progress" => ItemStatus::InProgress,
            "passed" => ItemStatus::Passed,
            "failed" => ItemStatus::Failed,
            "waived" => ItemStatus::Waived,
            "not_applicable" => ItemStatus::NotApplicable,
            _ => return None,
        })
    }
    /// Whether the item no longer holds its step back.
    pub fn is_done(self) -> bool {
        matches!(
            self,
            ItemStatus::Passed | ItemStatus::Waived | ItemStatus::NotApplicable
        )
    }
}

/// Where a status change came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ChangeSource {
    User,
    Check,
    Demo,
}

impl ChangeSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeSource::User => "user",
            ChangeSource::Check => "check",
            ChangeSource::Demo => "demo",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "check" => ChangeSource::Check,
            "demo" => ChangeSource::Demo,
            _ => ChangeSource::User,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum EnvMode {
    /// The environment talks to the built-in Marketplace sandbox.
    Sandbox,
    /// The environment talks to AWS.
    #[default]
    Real,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CredentialSource {
    /// The aws-config default chain (environment, default profile, instance role…).
    #[default]
    DefaultChain,
    /// A named profile from ~/.aws/config, SSO profiles included.
    Profile,
    /// A role assumed from the default chain or the profile.
    AssumeRole,
    /// Access keys kept in the OS keyring.
    AccessKeys,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PricingModel {
    #[default]
    Subscription,
    Contract,
    ContractWithConsumption,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationStyle {
    /// CustomerIdentifier + ProductCode.
    Legacy,
    /// The 2026 concurrent-agreements style: CustomerAWSAccountId + LicenseArn.
    #[default]
    ConcurrentAgreements,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub enum DimensionType {
    Entitled,
    ExternallyMetered,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Dimension {
    pub key: String,
    pub name: String,
    pub kind: DimensionType,
}

/// Every setting of one environment (PRODUCT.md §2). Secrets are not here: access keys live in
/// the OS keyring and only their presence is reported (`EnvironmentView::has_access_keys`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
pub struct EnvironmentSettings {
    pub mode: EnvMode,
    pub credential_source: CredentialSource,
    pub profile: String,
    pub role_arn: String,
    /// The IAM role the SaaS itself calls the Marketplace APIs with (identity.permissions
    /// simulates its policy); not the role this app uses.
    pub saas_role_arn: String,
    pub seller_account_id: String,
    pub region: String,
    /// Endpoint URL override for the AWS clients (sandbox, moto, a VPC endpoint).
    pub endpoint_url: String,
    pub product_id: String,
    pub product_code: String,
    pub offer_id: String,
    pub pricing_model: PricingModel,
    pub dimensions: Vec<Dimension>,
    pub fulfillment_url: String,
    pub eula_url: String,
    pub sqs_queue_url: String,
    pub subscription_topic_arn: String,
    pub entitlement_topic_arn: String,
    pub use_eventbridge: bool,
    pub test_buyer_account_ids: Vec<String>,
    pub integration_style: IntegrationStyle,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct EnvironmentView {
    pub kind: EnvKind,
    pub settings: EnvironmentSettings,
    pub has_access_keys: bool,
    /// Why `has_access_keys` could not be read (keychain locked or missing): shown instead of
    /// "no keys stored", which would be false. `None` when the keychain answered.
    pub keychain_problem: Option<crate::secrets::KeychainProblem>,
    pub updated_at: String,
    /// The fulfillment URL is the built-in sandbox's demo SaaS, which the app can ask for a
    /// metering record (`crate::demo::is_demo_saas`).
    pub demo_saas: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub product_name: String,
    pub is_demo: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ItemState {
    pub item_id: String,
    pub status: ItemStatus,
    pub note: String,
    pub waiver_reason: Option<String>,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
    pub evidence_count: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct HistoryEntry {
    pub item_id: String,
    pub from: ItemStatus,
    pub to: ItemStatus,
    pub note: String,
    pub waiver_reason: Option<String>,
    pub actor: String,
    pub source: ChangeSource,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Evidence {
    pub id: String,
    pub item_id: String,
    pub file_name: String,
    pub sha256: String,
    pub size: u32,
    pub added_by: String,
    pub added_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PhaseProgress {
    pub phase_id: String,
    pub done: u32,
    pub total: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct StepProgress {
    pub step_id: String,
    pub done: u32,
    pub total: u32,
    pub failed: u32,
    /// Steps named in `blocked_by` that are not complete yet.
    pub blocked_by: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct WorkspaceSummary {
    pub workspace: Workspace,
    pub phases: Vec<PhaseProgress>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct WorkspaceDetail {
    pub workspace: Workspace,
    pub environments: Vec<EnvironmentView>,
    pub items: Vec<ItemState>,
    pub steps: Vec<StepProgress>,
    pub phases: Vec<PhaseProgress>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    En,
    Ja,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ja => "ja",
        }
    }
    /// `ja` is Japanese; anything else reads as English.
    pub fn from_code(s: &str) -> Self {
        if s == "ja" {
            Language::Ja
        } else {
            Language::En
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
pub struct Preferences {
    pub language: Language,
    pub theme: Theme,
    /// The name recorded as "who" on every change.
    pub actor: String,
    pub last_workspace_id: Option<String>,
}

/// One problem with one field, in both languages so the UI can switch without asking again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct FieldError {
    pub field: String,
    pub message: Text,
}

/// A status change requested by a person.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct StatusChange {
    pub workspace_id: String,
    pub item_id: String,
    pub status: ItemStatus,
    pub note: String,
    pub waiver_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub database_path: String,
    pub schema_version: i32,
    pub implemented_checks: Vec<String>,
}

/// Reads stored JSON over the type's defaults, so a row written before a field existed still
/// loads (the IPC types stay strict: the UI always sends whole objects).
pub fn from_stored_json<T>(json: &str) -> serde_json::Result<T>
where
    T: Default + Serialize + serde::de::DeserializeOwned,
{
    let mut base = serde_json::to_value(T::default())?;
    let stored: serde_json::Value = serde_json::from_str(json)?;
    if let (Some(b), serde_json::Value::Object(o)) = (base.as_object_mut(), stored) {
        b.extend(o);
    }
    serde_json::from_value(base)
}

// ---- checks ----------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pass,
    Fail,
    Warn,
    Skipped,
    Error,
}

/// One request and response a check relied on, with secrets masked.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct EvidenceItem {
    pub label: String,
    pub request: String,
    pub response: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct CheckResult {
    pub id: String,
    pub status: CheckStatus,
    /// In both languages; a result stored as an English string still loads.
    #[serde(deserialize_with = "Text::or_string")]
    #[specta(type = Text)]
    pub summary: Text,
    #[serde(deserialize_with = "Text::or_string")]
    #[specta(type = Text)]
    pub details: Text,
    pub advice: Text,
    pub duration_ms: u32,
    pub evidence: Vec<EvidenceItem>,
}

/// One check run of an environment, as kept in the store.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct CheckRun {
    pub id: String,
    pub workspace_id: String,
    pub env: EnvKind,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub state: CheckRunState,
    pub total: u32,
}

/// Where a check run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CheckRunState {
    Running,
    Finished,
    Cancelled,
    /// It could not start (no credentials, no check selected).
    Failed,
    /// The app stopped mid-run.
    Interrupted,
}

impl CheckRunState {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckRunState::Running => "running",
            CheckRunState::Finished => "finished",
            CheckRunState::Cancelled => "cancelled",
            CheckRunState::Failed => "failed",
            CheckRunState::Interrupted => "interrupted",
        }
    }
    /// A state as the store keeps it; anything unknown reads as interrupted (a run that did
    /// not finish as far as this version can tell).
    pub fn parse(s: &str) -> Self {
        match s {
            "running" => CheckRunState::Running,
            "finished" => CheckRunState::Finished,
            "cancelled" => CheckRunState::Cancelled,
            "failed" => CheckRunState::Failed,
            _ => CheckRunState::Interrupted,
        }
    }
}

impl std::fmt::Display for CheckRunState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets tests and logs compare with the stored word (`run.state == "finished"`).
impl PartialEq<&str> for CheckRunState {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The latest result of one check in an environment, with the run it came from.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct StoredCheckResult {
    pub run_id: String,
    pub at: String,
    pub result: CheckResult,
}

/// A check run with its results' counts and what changed since the run before it.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct CheckRunSummary {
    pub run: CheckRun,
    pub passed: u32,
    pub failed: u32,
    pub other: u32,
    /// Checks whose status differs from the previous run's (`id: from → to`).
    pub changes: Vec<CheckChange>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct CheckChange {
    pub check_id: String,
    pub from: Option<CheckStatus>,
    pub to: CheckStatus,
}
