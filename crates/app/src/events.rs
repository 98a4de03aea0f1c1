//! What the use cases announce to the front end while they run. The shell turns each into a
//! typed window event; the CLI prints the ones it cares about.

use la_core::model::CheckResult;
use la_core::purchase::{TimelineEvent, Verdict, WatcherStatus};
use la_core::service::ChangeEvent;
use serde::{Deserialize, Serialize};
use specta::Type;

// The shell wraps each payload in a window event of the payload's own name, so the payloads take
// another name in the generated TypeScript.

#[derive(Debug, Clone)]
pub enum AppEvent {
    /// A write was committed.
    StoreChanged(ChangeEvent),
    CheckProgress(CheckProgress),
    PurchaseEvent(PurchaseEvent),
    PurchaseWatcher(PurchaseWatcher),
    PurchaseVerdicts(PurchaseVerdicts),
}

/// A check of a run started or finished.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename = "CheckProgressPayload")]
pub struct CheckProgress {
    pub run_id: String,
    pub workspace_id: String,
    pub total: u32,
    pub started: Option<String>,
    pub finished: Option<CheckResult>,
}

/// A timeline event of a test purchase session, as it lands.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename = "PurchaseEventPayload")]
pub struct PurchaseEvent {
    pub session_id: String,
    pub event: TimelineEvent,
}

/// A watcher of a session changed state.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename = "PurchaseWatcherPayload")]
pub struct PurchaseWatcher {
    pub session_id: String,
    pub status: WatcherStatus,
}

/// A session's verdicts changed.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename = "PurchaseVerdictsPayload")]
pub struct PurchaseVerdicts {
    pub session_id: String,
    pub verdicts: Vec<Verdict>,
}
