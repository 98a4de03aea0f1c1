//! Evidence rows (the files themselves are written by the service) and the whole-workspace
//! reads reports make.

use super::{row_history, Store};
use crate::error::{CoreError, Result};
use crate::model::*;
use rusqlite::{params, OptionalExtension};

impl Store {
    pub fn insert_evidence(
        &self,
        workspace_id: &str,
        stored_path: &str,
        ev: &Evidence,
    ) -> Result<()> {
        self.tx(|tx| {
            tx.execute(
                "INSERT INTO evidence (id, workspace_id, item_id, file_name, stored_path, sha256, size, added_by, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![ev.id, workspace_id, ev.item_id, ev.file_name, stored_path, ev.sha256, ev.size, ev.added_by, ev.added_at],
            )?;
            tx.execute(
                "UPDATE workspaces SET updated_at = ?2 WHERE id = ?1",
                params![workspace_id, ev.added_at],
            )?;
            Ok(())
        })
    }

    pub fn evidence(&self, workspace_id: &str, item_id: &str) -> Result<Vec<Evidence>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT id, item_id, file_name, sha256, size, added_by, added_at
                 FROM evidence WHERE workspace_id = ?1 AND item_id = ?2 ORDER BY added_at, rowid",
            )?;
            let rows = st.query_map(params![workspace_id, item_id], row_evidence)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Where the file of one evidence row is stored.
    pub fn evidence_path(&self, evidence_id: &str) -> Result<String> {
        self.with(|c| {
            c.query_row(
                "SELECT stored_path FROM evidence WHERE id = ?1",
                [evidence_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| CoreError::NotFound(format!("No evidence with id {evidence_id}.")))
        })
    }

    // ---- whole-workspace reads (reports) ------------------------------------------------------

    /// Every history row of a workspace, oldest first, in one query (a report reads them all).
    pub fn workspace_history(&self, workspace_id: &str) -> Result<Vec<HistoryEntry>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT item_id, from_status, to_status, note, waiver_reason, actor, source, at
                 FROM item_history WHERE workspace_id = ?1 ORDER BY id",
            )?;
            let rows = st.query_map([workspace_id], row_history)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Every evidence row of a workspace with where its file is stored, in one query.
    pub fn workspace_evidence(&self, workspace_id: &str) -> Result<Vec<(Evidence, String)>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT id, item_id, file_name, sha256, size, added_by, added_at, stored_path
                 FROM evidence WHERE workspace_id = ?1 ORDER BY item_id, added_at, rowid",
            )?;
            let rows = st.query_map([workspace_id], |r| Ok((row_evidence(r)?, r.get(7)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}

/// An evidence row from `SELECT id, item_id, file_name, sha256, size, added_by, added_at …`.
pub(super) fn row_evidence(r: &rusqlite::Row<'_>) -> rusqlite::Result<Evidence> {
    Ok(Evidence {
        id: r.get(0)?,
        item_id: r.get(1)?,
        file_name: r.get(2)?,
        sha256: r.get(3)?,
        size: r.get(4)?,
        added_by: r.get(5)?,
        added_at: r.get(6)?,
    })
}
