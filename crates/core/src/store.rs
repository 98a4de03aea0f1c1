//! The SQLite store: embedded migrations, WAL, and every read and write of workspaces,
//! environments, item statuses with history, evidence and preferences.
//!
//! Every write is one transaction, so a crash at any moment leaves either the whole change or
//! none of it; `synchronous=FULL` makes a committed transaction survive a kill of the process
//! (and of the machine).

use crate::checklist::{checklist, ItemKind};
use crate::error::{CoreError, Result};
use crate::model::*;
use chrono::{SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

mod checks;
mod evidence;
mod files;
mod lease;
mod listing;
mod migrations;
mod purchase;
#[cfg(test)]
mod storage_tests;

use lease::Lease;
pub use listing::ChangeSetRecord;

use migrations::{migrate, MIGRATIONS};

pub fn schema_version() -> i32 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

pub fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
    lease: Lease,
}

/// How long opening waits out other processes opening or writing the same database.
const OPEN_PATIENCE: std::time::Duration = std::time::Duration::from_secs(30);

/// Connects, sets the connection up and migrates, starting over while SQLite answers "database
/// is locked". The connection's busy timeout (5 s) covers a writer that finishes in time; this
/// covers the rest: three processes opening one fresh folder at once under disk load had one
/// fail with "database is locked" while opening (CI, twice over many runs; which step SQLite
/// refused is not known). Every step is safe to repeat — migrations are transactional — so a
/// locked answer retries the whole sequence on a fresh connection until `OPEN_PATIENCE` is spent.
fn connect_patiently(path: &Path) -> Result<Connection> {
    let deadline = std::time::Instant::now() + OPEN_PATIENCE;
    loop {
        match connect(path) {
            Err(e) if e.is_locked() && std::time::Instant::now() < deadline => {
                tracing::debug!(error = %e, "database busy while opening; trying again");
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

fn connect(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrate(&mut conn)?;
    files::refuse_read_only(&conn)?;
    Ok(conn)
}

impl Store {
    /// Opens (creating if needed) the database at `path`, runs pending migrations, and refuses a
    /// database whose schema is newer than this build. The folder and the database files are
    /// private to the user; a full disk, a read-only folder and a file that is not our database
    /// are each their own message (`files::open_error`), and leave the file as it was.
    pub fn open(path: &Path) -> Result<Self> {
        let dir = path.parent().unwrap_or(Path::new("."));
        files::open(path, || {
            crate::fsutil::create_private_dir_all(dir)?;
            let lease = Lease::take(dir)?;
            files::create_private_db(path)?;
            let conn = connect_patiently(path)?;
            files::make_db_private(path)?;
            Ok((conn, lease))
        })
        .map(|(conn, lease)| Self {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
            lease,
        })
    }

    /// This process's owner id, written on the check runs and sessions it starts.
    pub fn owner(&self) -> &str {
        &self.lease.id
    }

    /// Owners of running work whose process is gone (or unknown: rows from before owners were
    /// recorded), so their runs and sessions can be marked interrupted.
    fn gone_owners(&self, owners: Vec<Option<String>>) -> Vec<Option<String>> {
        owners
            .into_iter()
            .filter(|o| match o {
                None => true,
                Some(id) => id != &self.lease.id && !self.lease.is_alive(id),
            })
            .collect()
    }

    /// Marks `interrupted` the rows of `table` still `running` whose owner's process is gone,
    /// stamping `ended` (check runs and purchase sessions share this bookkeeping). Both names
    /// are this module's own constants, never input.
    fn mark_interrupted(&self, table: &'static str, ended: &'static str) -> Result<usize> {
        let owners = self.with(|c| {
            let mut st = c.prepare(&format!(
                "SELECT DISTINCT owner FROM {table} WHERE state = 'running'"
            ))?;
            let rows = st.query_map([], |r| r.get::<_, Option<String>>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        let mut n = 0;
        for owner in self.gone_owners(owners) {
            n += self.with(|c| {
                Ok(c.execute(
                    &format!(
                        "UPDATE {table} SET state = 'interrupted', {ended} = ?1
                         WHERE state = 'running' AND owner IS ?2"
                    ),
                    rusqlite::params![now(), owner],
                )?)
            })?;
        }
        Ok(n)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        // A poisoned lock means a panic mid-call; the connection itself is still consistent
        // because every write is a transaction, so keep going.
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    fn tx<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        self.with(|c| {
            // IMMEDIATE takes the write lock up front. A deferred transaction that reads first
            // and writes later fails at once with "database is locked" under WAL when another
            // process wrote in between (the busy timeout cannot help a stale snapshot).
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
    }

    // ---- preferences -------------------------------------------------------------------------

    pub fn pref(&self, key: &str) -> Result<Option<String>> {
        self.with(|c| {
            Ok(
                c.query_row("SELECT value FROM preferences WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()?,
            )
        })
    }

    pub fn set_pref(&self, key: &str, value: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO preferences (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
            Ok(())
        })
    }

    pub fn preferences(&self) -> Result<Preferences> {
        Ok(match self.pref("preferences")? {
            Some(json) => from_stored_json(&json).unwrap_or_default(),
            None => Preferences::default(),
        })
    }

    pub fn save_preferences(&self, p: &Preferences) -> Result<()> {
        self.set_pref("preferences", &serde_json::to_string(p)?)
    }

    // ---- workspaces --------------------------------------------------------------------------

    pub fn create_workspace(
        &self,
        name: &str,
        product_name: &str,
        is_demo: bool,
    ) -> Result<Workspace> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CoreError::Invalid("A workspace needs a name.".into()));
        }
        if name.chars().count() > 80 {
            return Err(CoreError::Invalid(
                "A workspace name has at most 80 characters.".into(),
            ));
        }
        let ws = Workspace {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.to_string(),
            product_name: product_name.trim().to_string(),
            is_demo,
            created_at: now(),
            updated_at: now(),
        };
        self.tx(|tx| {
            let exists: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM workspaces WHERE name = ?1)",
                [&ws.name],
                |r| r.get(0),
            )?;
            if exists {
                return Err(CoreError::Conflict(format!(
                    "A workspace named \"{}\" already exists.",
                    ws.name
                )));
            }
            tx.execute(
                "INSERT INTO workspaces (id, name, product_name, is_demo, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    ws.id,
                    ws.name,
                    ws.product_name,
                    ws.is_demo,
                    ws.created_at,
                    ws.updated_at
                ],
            )?;
            for kind in EnvKind::ALL {
                tx.execute(
                    "INSERT INTO environments (workspace_id, kind, settings, updated_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![
                        ws.id,
                        kind.as_str(),
                        serde_json::to_string(&EnvironmentSettings::default())?,
                        ws.created_at
                    ],
                )?;
            }
            Ok(())
        })?;
        Ok(ws)
    }

    pub fn list_workspaces(&self) -> Result<Vec<Workspace>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT id, name, product_name, is_demo, created_at, updated_at
                 FROM workspaces ORDER BY is_demo, name COLLATE NOCASE",
            )?;
            let rows = st.query_map([], row_workspace)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    pub fn workspace(&self, id: &str) -> Result<Workspace> {
        self.with(|c| {
            c.query_row(
                "SELECT id, name, product_name, is_demo, created_at, updated_at
                 FROM workspaces WHERE id = ?1",
                [id],
                row_workspace,
            )
            .optional()?
            .ok_or_else(|| CoreError::NotFound(format!("No workspace with id {id}.")))
        })
    }

    pub fn workspace_by_name(&self, name: &str) -> Result<Option<Workspace>> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT id, name, product_name, is_demo, created_at, updated_at
                 FROM workspaces WHERE name = ?1",
                [name],
                row_workspace,
            )
            .optional()?)
        })
    }

    pub fn rename_workspace(&self, id: &str, name: &str, product_name: &str) -> Result<Workspace> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CoreError::Invalid("A workspace needs a name.".into()));
        }
        self.tx(|tx| {
            let clash: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM workspaces WHERE name = ?1 AND id <> ?2)",
                params![name, id],
                |r| r.get(0),
            )?;
            if clash {
                return Err(CoreError::Conflict(format!(
                    "A workspace named \"{name}\" already exists."
                )));
            }
            let n = tx.execute(
                "UPDATE workspaces SET name = ?2, product_name = ?3, updated_at = ?4 WHERE id = ?1",
                params![id, name, product_name.trim(), now()],
            )?;
            if n == 0 {
                return Err(CoreError::NotFound(format!("No workspace with id {id}.")));
            }
            Ok(())
        })?;
        self.workspace(id)
    }

    /// Deletes a workspace and its rows; returns the stored evidence paths for the caller to
    /// remove once the transaction has committed.
    pub fn delete_workspace(&self, id: &str) -> Result<Vec<String>> {
        self.tx(|tx| {
            let mut st = tx.prepare("SELECT stored_path FROM evidence WHERE workspace_id = ?1")?;
            let paths = st
                .query_map([id], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let n = tx.execute("DELETE FROM workspaces WHERE id = ?1", [id])?;
            if n == 0 {
                return Err(CoreError::NotFound(format!("No workspace with id {id}.")));
            }
            Ok(paths)
        })
    }

    // ---- environments ------------------------------------------------------------------------

    pub fn environment(
        &self,
        workspace_id: &str,
        kind: EnvKind,
    ) -> Result<(EnvironmentSettings, String)> {
        self.with(|c| {
            let row: Option<(String, String)> = c
                .query_row(
                    "SELECT settings, updated_at FROM environments WHERE workspace_id = ?1 AND kind = ?2",
                    params![workspace_id, kind.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (json, at) = row.ok_or_else(|| {
                CoreError::NotFound(format!("No {} environment in workspace {workspace_id}.", kind.as_str()))
            })?;
            Ok((from_stored_json(&json)?, at))
        })
    }

    pub fn save_environment(
        &self,
        workspace_id: &str,
        kind: EnvKind,
        settings: &EnvironmentSettings,
    ) -> Result<String> {
        let at = now();
        let json = serde_json::to_string(settings)?;
        self.tx(|tx| {
            let n = tx.execute(
                "UPDATE environments SET settings = ?3, updated_at = ?4 WHERE workspace_id = ?1 AND kind = ?2",
                params![workspace_id, kind.as_str(), json, at],
            )?;
            if n == 0 {
                return Err(CoreError::NotFound(format!("No workspace with id {workspace_id}.")));
            }
            tx.execute(
                "UPDATE workspaces SET updated_at = ?2 WHERE id = ?1",
                params![workspace_id, at],
            )?;
            Ok(())
        })?;
        Ok(at)
    }

    // ---- item statuses -----------------------------------------------------------------------

    pub fn item_states(&self, workspace_id: &str) -> Result<Vec<ItemState>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT s.item_id, s.status, s.note, s.waiver_reason, s.updated_at, s.updated_by,
                        (SELECT COUNT(*) FROM evidence e WHERE e.workspace_id = s.workspace_id AND e.item_id = s.item_id)
                 FROM item_status s WHERE s.workspace_id = ?1",
            )?;
            let rows = st.query_map([workspace_id], |r| {
                Ok(ItemState {
                    item_id: r.get(0)?,
                    status: ItemStatus::parse(&r.get::<_, String>(1)?).unwrap_or(ItemStatus::NotStarted),
                    note: r.get(2)?,
                    waiver_reason: r.get(3)?,
                    updated_at: Some(r.get(4)?),
                    updated_by: Some(r.get(5)?),
                    evidence_count: r.get(6)?,
                })
            })?;
            let mut found = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            // Evidence can exist before any status change.
            let mut st = c.prepare(
                "SELECT item_id, COUNT(*) FROM evidence WHERE workspace_id = ?1
                 AND item_id NOT IN (SELECT item_id FROM item_status WHERE workspace_id = ?1)
                 GROUP BY item_id",
            )?;
            let extra = st.query_map([workspace_id], |r| {
                Ok(ItemState {
                    item_id: r.get(0)?,
                    status: ItemStatus::NotStarted,
                    note: String::new(),
                    waiver_reason: None,
                    updated_at: None,
                    updated_by: None,
                    evidence_count: r.get(1)?,
                })
            })?;
            found.extend(extra.collect::<rusqlite::Result<Vec<_>>>()?);
            Ok(found)
        })
    }

    /// Records a status change and its history row in one transaction.
    pub fn set_status(
        &self,
        change: &StatusChange,
        actor: &str,
        source: ChangeSource,
    ) -> Result<HistoryEntry> {
        let item = checklist()
            .item(&change.item_id)
            .ok_or_else(|| CoreError::NotFound(format!("No checklist item {}.", change.item_id)))?;
        let reason = change
            .waiver_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        if change.status == ItemStatus::Waived && reason.is_none() {
            return Err(CoreError::Invalid("A waiver needs a reason.".into()));
        }
        if source == ChangeSource::User
            && item.kind == ItemKind::Automated
            && matches!(change.status, ItemStatus::Passed | ItemStatus::Failed)
        {
            return Err(CoreError::Invalid(format!(
                "\"{}\" is proven by the check `{}`; it cannot be attested by hand. Waive it or mark it not applicable instead.",
                item.title.en,
                item.check.as_deref().unwrap_or("?")
            )));
        }
        let note = change.note.trim().to_string();
        let at = now();
        let reason = if change.status == ItemStatus::Waived {
            reason
        } else {
            None
        };
        self.tx(|tx| {
            let exists: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM workspaces WHERE id = ?1)",
                [&change.workspace_id],
                |r| r.get(0),
            )?;
            if !exists {
                return Err(CoreError::NotFound(format!(
                    "No workspace with id {}.",
                    change.workspace_id
                )));
            }
            let from: ItemStatus = tx
                .query_row(
                    "SELECT status FROM item_status WHERE workspace_id = ?1 AND item_id = ?2",
                    params![change.workspace_id, change.item_id],
                    |r| r.get::<_, String>(0),
                )
                .optional()?
                .and_then(|s| ItemStatus::parse(&s))
                .unwrap_or(ItemStatus::NotStarted);
            tx.execute(
                "INSERT INTO item_status (workspace_id, item_id, status, note, waiver_reason, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(workspace_id, item_id) DO UPDATE SET
                   status = excluded.status, note = excluded.note, waiver_reason = excluded.waiver_reason,
                   updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                params![change.workspace_id, change.item_id, change.status.as_str(), note, reason, at, actor],
            )?;
            tx.execute(
                "INSERT INTO item_history (workspace_id, item_id, from_status, to_status, note, waiver_reason, actor, source, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![change.workspace_id, change.item_id, from.as_str(), change.status.as_str(), note, reason, actor, source.as_str(), at],
            )?;
            tx.execute(
                "UPDATE workspaces SET updated_at = ?2 WHERE id = ?1",
                params![change.workspace_id, at],
            )?;
            Ok(HistoryEntry {
                item_id: change.item_id.clone(),
                from,
                to: change.status,
                note: note.clone(),
                waiver_reason: reason.clone(),
                actor: actor.to_string(),
                source,
                at: at.clone(),
            })
        })
    }

    /// The full history of one item, newest first.
    pub fn history(&self, workspace_id: &str, item_id: &str) -> Result<Vec<HistoryEntry>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT item_id, from_status, to_status, note, waiver_reason, actor, source, at
                 FROM item_history WHERE workspace_id = ?1 AND item_id = ?2 ORDER BY id DESC",
            )?;
            let rows = st.query_map(params![workspace_id, item_id], row_history)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    pub fn history_count(&self, workspace_id: &str) -> Result<u64> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM item_history WHERE workspace_id = ?1",
                [workspace_id],
                |r| r.get(0),
            )?)
        })
    }
}

fn row_workspace(r: &rusqlite::Row<'_>) -> rusqlite::Result<Workspace> {
    Ok(Workspace {
        id: r.get(0)?,
        name: r.get(1)?,
        product_name: r.get(2)?,
        is_demo: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

fn row_history(r: &rusqlite::Row<'_>) -> rusqlite::Result<HistoryEntry> {
    let status = |s: String| ItemStatus::parse(&s).unwrap_or(ItemStatus::NotStarted);
    Ok(HistoryEntry {
        item_id: r.get(0)?,
        from: status(r.get(1)?),
        to: status(r.get(2)?),
        note: r.get(3)?,
        waiver_reason: r.get(4)?,
        actor: r.get(5)?,
        source: ChangeSource::parse(&r.get::<_, String>(6)?),
        at: r.get(7)?,
    })
}
