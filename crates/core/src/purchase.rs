//! Test purchase sessions as the store keeps them and the UI shows them: the live timeline's
//! events, the watchers' states, the automatic verdicts, and the confirmation scenarios (seed
//! 003 plus cancellation) as guided runbooks whose results the tester records step by step.
//!
//! The watchers and the parser live in `la-purchase`; this module is only the data, so the
//! store, the reports and the UI share one shape.

use crate::checklist::Text;
use crate::model::EnvKind;
use serde::{Deserialize, Serialize};
use specta::Type;

macro_rules! str_enum {
    ($name:ident { $($variant:ident = $s:literal),+ $(,)? }) => {
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

/// Where a timeline event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    /// A message read from the environment's SQS queue (SNS envelope or EventBridge event).
    Sqs,
    /// A Marketplace SNS notification as the sandbox sent it (sandbox mode with no queue).
    Sns,
    /// An `aws.agreement-marketplace` EventBridge event.
    EventBridge,
    /// A change in GetEntitlements for the buyer.
    Entitlements,
    /// A call the SaaS made, as CloudTrail recorded it.
    CloudTrail,
    /// Something the Marketplace sandbox did (a purchase, the buyer landing, the clock).
    Sandbox,
    /// A step the tester took or noted.
    Tester,
}
str_enum!(EventSource {
    Sqs = "sqs",
    Sns = "sns",
    EventBridge = "event_bridge",
    Entitlements = "entitlements",
    CloudTrail = "cloud_trail",
    Sandbox = "sandbox",
    Tester = "tester",
});

/// One event of a session's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct TimelineEvent {
    /// Order of arrival within the session, from 1.
    pub seq: u32,
    /// When the app saw it (RFC 3339, this machine's clock).
    pub observed_at: String,
    /// When it happened by its source's own clock (SNS Timestamp, CloudTrail eventTime, the
    /// sandbox clock); the verdicts measure delays with these.
    pub occurred_at: Option<String>,
    pub source: EventSource,
    /// `subscribe-success`, `Purchase Agreement Created - Proposer`, `ResolveCustomer`,
    /// `entitlements-changed`, `landing`, `malformed`, `note`…
    pub kind: String,
    /// One line for the timeline, in both languages (ids, codes and AWS names as they are). An
    /// event stored before this was bilingual reads its English in both.
    pub summary: crate::checklist::Text,
    /// The message could not be parsed; `summary` says why and `raw` holds it as received.
    pub malformed: bool,
    /// The payload exactly as received (tokens already masked by their source).
    pub raw: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum WatcherKind {
    Sqs,
    SandboxFeed,
    Entitlements,
    CloudTrail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum WatcherState {
    Starting,
    Running,
    /// The last call failed; the watcher waits `retry_in_ms` and tries again.
    Retrying,
    Stopped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct WatcherStatus {
    pub watcher: WatcherKind,
    pub state: WatcherState,
    /// What it watches (queue URL, buyer, endpoint).
    pub target: String,
    pub error: Option<String>,
    pub retry_in_ms: Option<u32>,
    /// Successful calls so far.
    pub polls: u32,
    /// Events it put on the timeline.
    pub events: u32,
    pub updated_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum VerdictId {
    /// The SaaS called ResolveCustomer within 10 s of the buyer landing on its page.
    #[serde(rename = "resolve_within_10s")]
    ResolveWithin10s,
    /// Entitlements (GetEntitlements) show the change an entitlement-updated announced.
    EntitlementAfterChange,
    /// A final metering record within 1 h of unsubscribe-pending.
    #[serde(rename = "final_metering_within_1h")]
    FinalMeteringWithin1h,
    /// unsubscribe-success followed unsubscribe-pending.
    UnsubscribeSequence,
}
str_enum!(VerdictId {
    ResolveWithin10s = "resolve_within_10s",
    EntitlementAfterChange = "entitlement_after_change",
    FinalMeteringWithin1h = "final_metering_within_1h",
    UnsubscribeSequence = "unsubscribe_sequence",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum VerdictState {
    /// Nothing to judge yet (e.g. no cancellation in this session).
    NotYet,
    /// Started, waiting for the evidence or the deadline.
    Pending,
    Pass,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Verdict {
    pub id: VerdictId,
    pub state: VerdictState,
    /// What was seen, in both languages.
    pub detail: Text,
    /// The timeline events it rests on (their `seq`).
    pub events: Vec<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SessionMode {
    Real,
    Sandbox,
}
str_enum!(SessionMode {
    Real = "real",
    Sandbox = "sandbox"
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    Running,
    Closed,
    /// The app stopped while the session was running.
    Interrupted,
}
str_enum!(SessionState {
    Running = "running",
    Closed = "closed",
    Interrupted = "interrupted",
});

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PurchaseSession {
    pub id: String,
    pub workspace_id: String,
    pub env: EnvKind,
    pub buyer_account: String,
    pub mode: SessionMode,
    /// The watcher deletes what it reads (a dedicated watcher queue) instead of peeking.
    pub delete_messages: bool,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub state: SessionState,
    /// The license of the sandbox purchase made in this session, for change and cancel.
    pub license_arn: Option<String>,
    pub verdicts: Vec<Verdict>,
    pub started_by: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    Pending,
    Pass,
    Fail,
}
str_enum!(StepOutcome {
    Pending = "pending",
    Pass = "pass",
    Fail = "fail"
});

/// What the tester recorded for one step of a scenario.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct StepResult {
    pub scenario_id: String,
    pub step: u32,
    pub outcome: StepOutcome,
    pub note: String,
    /// Evidence files (on the scenario's checklist item) attached to this step.
    pub evidence_ids: Vec<String>,
    pub updated_at: String,
    pub updated_by: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SessionDetail {
    pub session: PurchaseSession,
    pub events: Vec<TimelineEvent>,
    pub results: Vec<StepResult>,
}

/// One step of a runbook.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct RunbookStep {
    /// What to do.
    pub action: Text,
    /// What the SaaS (or AWS) should show.
    pub expect: Text,
    /// Decided by the app when it can know.
    pub verdict: Option<VerdictId>,
}

/// A confirmation scenario as a guided runbook.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Scenario {
    /// `new_account`, `existing_user`, `contract_change`, `cancellation`.
    pub id: String,
    /// The checklist item key it proves (`scenario.new_account`), prefixed with the environment.
    pub item_key: String,
    pub title: Text,
    pub steps: Vec<RunbookStep>,
}

impl Scenario {
    /// The checklist item of this scenario in an environment (steps 6 and 10).
    pub fn item_id(&self, env: EnvKind) -> String {
        format!("{}.{}", env.as_str(), self.item_key)
    }
}

fn t(en: &str, ja: &str) -> Text {
    Text {
        en: en.into(),
        ja: ja.into(),
    }
}

fn step(action: Text, expect: Text, verdict: Option<VerdictId>) -> RunbookStep {
    RunbookStep {
        action,
        expect,
        verdict,
    }
}

/// The three confirmation scenarios of seed 003, plus cancellation.
pub fn scenarios() -> Vec<Scenario> {
    let buy = || {
        step(
            t("Open the product page with the test buyer account and purchase a contract (sandbox: Purchase).", "テスト購入者アカウントで製品ページを開き、契約を購入します (サンドボックス: 購入)。"),
            t("AWS Marketplace confirms the purchase; subscribe-success (and entitlement-updated for contracts) arrives on the timeline.", "AWS Marketplace が購入を確定し、タイムラインに subscribe-success (契約では entitlement-updated も) が届きます。"),
            None,
        )
    };
    let land = || {
        step(
            t("Follow \"Set up your account\" to the SaaS's registration page.", "「アカウントを設定」から SaaS の登録ページへ進みます。"),
            t("The registration page loads and the SaaS resolves the token: ResolveCustomer within 10 s of landing.", "登録ページが表示され、SaaS がトークンを解決します。ランディングから 10 秒以内に ResolveCustomer。"),
            Some(VerdictId::ResolveWithin10s),
        )
    };
    let contract_page = || {
        step(
            t(
                "Open the SaaS page that shows the contract.",
                "SaaS の契約情報ページを開きます。",
            ),
            t(
                "The purchased contract is shown: product, dimensions and quantities as bought.",
                "購入した契約 (製品、ディメンション、数量) が表示されます。",
            ),
            None,
        )
    };
    vec![
        Scenario {
            id: "new_account".into(),
            item_key: "scenario.new_account".into(),
            title: t("New account signs up after purchase", "購入後に新規アカウントでサインアップ"),
            steps: vec![
                buy(),
                land(),
                step(
                    t("Sign up for a new SaaS account from the registration page.", "登録ページから SaaS の新規アカウントを作成します。"),
                    t("Sign-up completes; the new account is linked to the buyer's AWS account and license.", "サインアップが完了し、新しいアカウントが購入者の AWS アカウントとライセンスに紐付きます。"),
                    None,
                ),
                step(
                    t("Sign in to the SaaS with the new account.", "新しいアカウントで SaaS にサインインします。"),
                    t("Sign-in works and lands in the new tenant.", "サインインでき、新しいテナントに入れます。"),
                    None,
                ),
                contract_page(),
                step(
                    t("Check the entitlements the app read for the buyer.", "アプリが読み取った購入者のエンタイトルメントを確認します。"),
                    t("GetEntitlements shows what entitlement-updated announced.", "entitlement-updated の内容が GetEntitlements に反映されています。"),
                    Some(VerdictId::EntitlementAfterChange),
                ),
            ],
        },
        Scenario {
            id: "existing_user".into(),
            item_key: "scenario.existing_user".into(),
            title: t("Existing user signs in after purchase", "購入後に既存ユーザーでサインイン"),
            steps: vec![
                buy(),
                land(),
                step(
                    t("Choose to sign in with the existing SaaS account.", "既存の SaaS アカウントでサインインを選びます。"),
                    t("The subscription is attached to the existing account's tenant; no duplicate account is created.", "サブスクリプションが既存アカウントのテナントに紐付き、重複アカウントは作られません。"),
                    None,
                ),
                contract_page(),
            ],
        },
        Scenario {
            id: "contract_change".into(),
            item_key: "scenario.contract_change".into(),
            title: t("Contract changed on the Marketplace page", "Marketplace ページで契約を変更"),
            steps: vec![
                step(
                    t("On the product's contract page, update the contract (sandbox: Change contract).", "製品の契約ページで契約を更新します (サンドボックス: 契約を変更)。"),
                    t("entitlement-updated arrives and GetEntitlements shows the new quantities.", "entitlement-updated が届き、GetEntitlements に新しい数量が表示されます。"),
                    Some(VerdictId::EntitlementAfterChange),
                ),
                step(
                    t("Sign in to the SaaS.", "SaaS にサインインします。"),
                    t("Sign-in works for the buyer's account.", "購入者のアカウントでサインインできます。"),
                    None,
                ),
                step(
                    t("Open the SaaS page that shows the contract.", "SaaS の契約情報ページを開きます。"),
                    t("The changed contract is shown (new quantities), without the buyer doing anything in the SaaS.", "変更後の契約 (新しい数量) が、購入者が SaaS で何もしなくても表示されます。"),
                    None,
                ),
            ],
        },
        Scenario {
            id: "cancellation".into(),
            item_key: "scenario.cancellation".into(),
            title: t("Cancellation and final metering", "解約と最終計測"),
            steps: vec![
                step(
                    t("Cancel the subscription on AWS Marketplace (sandbox: Cancel).", "AWS Marketplace でサブスクリプションを解約します (サンドボックス: 解約)。"),
                    t("unsubscribe-pending arrives; the SaaS shows the subscription as ending.", "unsubscribe-pending が届き、SaaS はサブスクリプションの終了を表示します。"),
                    None,
                ),
                step(
                    t("Let the SaaS send its final metering (sandbox: advance the clock by an hour).", "SaaS に最終の使用量を送信させます (サンドボックス: 時計を 1 時間進める)。"),
                    t("A final BatchMeterUsage record within 1 h of unsubscribe-pending.", "unsubscribe-pending から 1 時間以内に最終の BatchMeterUsage レコード。"),
                    Some(VerdictId::FinalMeteringWithin1h),
                ),
                step(
                    t("Wait for unsubscribe-success.", "unsubscribe-success を待ちます。"),
                    t("unsubscribe-success follows unsubscribe-pending; the SaaS removes the buyer's access.", "unsubscribe-pending の後に unsubscribe-success が届き、SaaS は購入者のアクセスを終了します。"),
                    Some(VerdictId::UnsubscribeSequence),
                ),
            ],
        },
    ]
}

pub fn scenario(id: &str) -> Option<Scenario> {
    scenarios().into_iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_proves_a_checklist_item_in_both_environments() {
        let list = crate::checklist::checklist();
        for s in scenarios() {
            for env in EnvKind::ALL {
                assert!(list.item(&s.item_id(env)).is_some(), "{}", s.item_id(env));
            }
            assert!(!s.steps.is_empty());
        }
        for id in [
            VerdictId::ResolveWithin10s,
            VerdictId::FinalMeteringWithin1h,
            VerdictId::EntitlementAfterChange,
        ] {
            assert_eq!(serde_json::to_value(id).expect("json"), id.as_str());
        }
        assert_eq!(
            VerdictId::parse("final_metering_within_1h"),
            Some(VerdictId::FinalMeteringWithin1h)
        );
        assert_eq!(
            EventSource::parse(EventSource::CloudTrail.as_str()),
            Some(EventSource::CloudTrail)
        );
    }
}
