//! Where a session's watchers report: every timeline event and verdict is stored as it arrives
//! (so a crash loses nothing already seen), then shown through the host.

use crate::events::{AppEvent, PurchaseEvent, PurchaseVerdicts, PurchaseWatcher};
use crate::Host;
use la_core::purchase::{TimelineEvent, Verdict, WatcherStatus};
use la_core::service::Core;
use la_purchase::watch::Sink;
use std::sync::Arc;

pub(crate) struct StoreAndHost {
    core: Arc<Core>,
    host: Arc<dyn Host>,
    session_id: String,
}

impl StoreAndHost {
    pub(crate) fn new(core: Arc<Core>, host: Arc<dyn Host>, session_id: &str) -> Self {
        Self {
            core,
            host,
            session_id: session_id.to_string(),
        }
    }
}

impl Sink for StoreAndHost {
    fn event(&self, event: &TimelineEvent) {
        if let Err(e) = self.core.store().append_event(&self.session_id, event) {
            tracing::warn!(error = %e, "could not store a test purchase event");
        }
        self.host.emit(AppEvent::PurchaseEvent(PurchaseEvent {
            session_id: self.session_id.clone(),
            event: event.clone(),
        }));
    }

    fn watcher(&self, status: &WatcherStatus) {
        self.host.emit(AppEvent::PurchaseWatcher(PurchaseWatcher {
            session_id: self.session_id.clone(),
            status: status.clone(),
        }));
    }

    fn verdicts(&self, verdicts: &[Verdict]) {
        if let Err(e) = self.core.apply_verdicts(&self.session_id, verdicts) {
            tracing::warn!(error = %e, "could not store a test purchase's verdicts");
        }
        self.host.emit(AppEvent::PurchaseVerdicts(PurchaseVerdicts {
            session_id: self.session_id.clone(),
            verdicts: verdicts.to_vec(),
        }));
    }
}
