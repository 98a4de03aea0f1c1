//! Listing change sets on the core: record one when it is sent, keep its latest state, and when
//! it ends attach its record (who, when, the diff, the change set ID, each change's outcome) as
//! evidence to the checklist items it concerns.

use super::{ChangeKind, Core};
use crate::checklist::checklist;
use crate::error::Result;
use crate::model::{EnvKind, Evidence};
use crate::store::{now, ChangeSetRecord};

impl Core {
    /// Records a change set just sent. Fills in who sent it and when when left empty. A retry
    /// that AWS answered with the first change set's ID keeps the first record.
    pub fn record_change_set(&self, rec: &ChangeSetRecord) -> Result<ChangeSetRecord> {
        self.store.workspace(&rec.workspace_id)?;
        let mut r = rec.clone();
        if r.started_at.is_empty() {
            r.started_at = now();
        }
        if r.started_by.is_empty() {
            r.started_by = self.actor();
        }
        if r.finished() && r.ended_at.is_none() {
            r.ended_at = Some(now());
        }
        self.store.insert_change_set_record(&r)?;
        self.emit(Some(&r.workspace_id), ChangeKind::Evidence);
        let stored = self.store.change_set_record(&r.id)?;
        if stored.finished() {
            self.attach_change_set(&stored)?;
        }
        Ok(stored)
    }

    /// Keeps the state last read from AWS; when the change set has just ended, attaches its
    /// record as evidence. Returns the record as stored.
    pub fn update_change_set(
        &self,
        id: &str,
        status: &str,
        outcome: &serde_json::Value,
    ) -> Result<ChangeSetRecord> {
        let before = self.store.change_set_record(id)?;
        let ended = matches!(status, "SUCCEEDED" | "FAILED" | "CANCELLED");
        let ended_at = if ended {
            Some(before.ended_at.clone().unwrap_or_else(now))
        } else {
            None
        };
        self.store
            .update_change_set_record(id, status, ended_at.as_deref(), outcome)?;
        let after = self.store.change_set_record(id)?;
        if ended && !before.finished() {
            self.attach_change_set(&after)?;
        }
        self.emit(Some(&after.workspace_id), ChangeKind::Evidence);
        Ok(after)
    }

    pub fn change_set_records(
        &self,
        workspace_id: &str,
        env: EnvKind,
    ) -> Result<Vec<ChangeSetRecord>> {
        self.store.change_set_records(workspace_id, env)
    }

    /// Change sets still PREPARING or APPLYING when last read: the front end re-reads each at
    /// start (a Public request can stay under review for weeks).
    pub fn open_change_sets(&self, workspace_id: &str) -> Result<Vec<ChangeSetRecord>> {
        self.store.open_change_set_records(workspace_id)
    }

    /// The record as a JSON file, attached to each checklist item it concerns.
    fn attach_change_set(&self, r: &ChangeSetRecord) -> Result<Vec<Evidence>> {
        let dir = self.data_dir.join("tmp");
        std::fs::create_dir_all(&dir)?;
        let file = dir.join(format!("change-set-{}.json", r.id));
        std::fs::write(&file, serde_json::to_vec_pretty(r)?)?;
        let mut out = Vec::new();
        for item in r.items.iter().filter(|i| checklist().item(i).is_some()) {
            match self.add_evidence(&r.workspace_id, item, &file) {
                Ok(ev) => out.push(ev),
                Err(e) => {
                    let _ = std::fs::remove_file(&file);
                    return Err(e);
                }
            }
        }
        let _ = std::fs::remove_file(&file);
        Ok(out)
    }
}
