//! Listing change sets in the store: every change set the app sent (VALIDATE or APPLY) with who
//! sent it, when, the diff, the changes and the outcome, so the Listing page shows their
//! timeline and a long-running one (a Public request under AWS review) is re-read at each start.

use super::Store;
use crate::error::{CoreError, Result};
use crate::model::EnvKind;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;

/// One change set the app sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ChangeSetRecord {
    /// AWS's ChangeSetId.
    pub id: String,
    pub workspace_id: String,
    pub env: EnvKind,
    /// What it was for: `apply`, `validate`, `release`, `fix:<check id>`.
    pub kind: String,
    /// `APPLY` or `VALIDATE`.
    pub intent: String,
    pub client_token: String,
    pub started_at: String,
    pub started_by: String,
    pub ended_at: Option<String>,
    /// PREPARING, APPLYING, SUCCEEDED, FAILED or CANCELLED.
    pub status: String,
    /// The field-by-field diff it carried out (JSON).
    #[specta(type = specta_typescript::Unknown)]
    pub diff: serde_json::Value,
    /// The changes as sent (JSON).
    #[specta(type = specta_typescript::Unknown)]
    pub changes: serde_json::Value,
    /// Each change's status and errors, as last read from DescribeChangeSet (JSON).
    #[specta(type = specta_typescript::Unknown)]
    pub outcome: serde_json::Value,
    /// The checklist items it concerns (its evidence is attached to them when it ends).
    pub items: Vec<String>,
}

impl ChangeSetRecord {
    pub fn finished(&self) -> bool {
        matches!(self.status.as_str(), "SUCCEEDED" | "FAILED" | "CANCELLED")
    }
}

const COLUMNS: &str = "id, workspace_id, env, kind, intent, client_token, started_at, started_by, ended_at, status, diff, changes, outcome, items";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChangeSetRecord> {
    let json = |i: usize| -> rusqlite::Result<serde_json::Value> {
        let s: String = r.get(i)?;
        Ok(serde_json::from_str(&s).unwrap_or_default())
    };
    let env: String = r.get(2)?;
    let items: String = r.get(13)?;
    Ok(ChangeSetRecord {
        id: r.get(0)?,
        workspace_id: r.get(1)?,
        env: EnvKind::parse(&env).unwrap_or(EnvKind::Staging),
        kind: r.get(3)?,
        intent: r.get(4)?,
        client_token: r.get(5)?,
        started_at: r.get(6)?,
        started_by: r.get(7)?,
        ended_at: r.get(8)?,
        status: r.get(9)?,
        diff: json(10)?,
        changes: json(11)?,
        outcome: json(12)?,
        items: serde_json::from_str(&items).unwrap_or_default(),
    })
}

impl Store {
    /// Records a change set once: a retry that AWS answered with the same ChangeSetId (same
    /// ClientRequestToken) leaves the first record as it is. `true` when it was new.
    pub fn insert_change_set_record(&self, r: &ChangeSetRecord) -> Result<bool> {
        self.tx(|tx| {
            let n = tx.execute(
                &format!("INSERT INTO listing_change_sets ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT(id) DO NOTHING"),
                params![
                    r.id,
                    r.workspace_id,
                    r.env.as_str(),
                    r.kind,
                    r.intent,
                    r.client_token,
                    r.started_at,
                    r.started_by,
                    r.ended_at,
                    r.status,
                    r.diff.to_string(),
                    r.changes.to_string(),
                    r.outcome.to_string(),
                    serde_json::to_string(&r.items)?,
                ],
            )?;
            Ok(n == 1)
        })
    }

    /// Keeps the latest state read from AWS.
    pub fn update_change_set_record(
        &self,
        id: &str,
        status: &str,
        ended_at: Option<&str>,
        outcome: &serde_json::Value,
    ) -> Result<()> {
        self.tx(|tx| {
            let n = tx.execute(
                "UPDATE listing_change_sets SET status = ?2, ended_at = ?3, outcome = ?4 WHERE id = ?1",
                params![id, status, ended_at, outcome.to_string()],
            )?;
            if n == 0 {
                return Err(CoreError::NotFound(format!("No change set record {id}.")));
            }
            Ok(())
        })
    }

    pub fn change_set_record(&self, id: &str) -> Result<ChangeSetRecord> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM listing_change_sets WHERE id = ?1"),
                [id],
                row,
            )
            .optional()?
            .ok_or_else(|| CoreError::NotFound(format!("No change set record {id}.")))
        })
    }

    /// The environment's change sets, newest first.
    pub fn change_set_records(
        &self,
        workspace_id: &str,
        env: EnvKind,
    ) -> Result<Vec<ChangeSetRecord>> {
        self.with(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {COLUMNS} FROM listing_change_sets WHERE workspace_id = ?1 AND env = ?2 ORDER BY started_at DESC, rowid DESC"
            ))?;
            let rows = st.query_map(params![workspace_id, env.as_str()], row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Change sets not finished when last read (to re-read at start), oldest first.
    pub fn open_change_set_records(&self, workspace_id: &str) -> Result<Vec<ChangeSetRecord>> {
        self.with(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {COLUMNS} FROM listing_change_sets WHERE workspace_id = ?1 AND status IN ('PREPARING', 'APPLYING') ORDER BY started_at, rowid"
            ))?;
            let rows = st.query_map([workspace_id], row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}
