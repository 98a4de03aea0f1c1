//! The schema: embedded migrations applied at start-up, each in one transaction with its
//! bookkeeping row and `user_version`; a database newer than this build is refused.

use super::{now, schema_version};
use crate::error::{CoreError, Result};
use rusqlite::{params, Connection};

/// Migrations, oldest first. Each runs once, in one transaction with its bookkeeping row.
/// Never edit a migration that has shipped: add a new one.
pub(super) const MIGRATIONS: &[(i32, &str, &str)] = &[
    (
        1,
        "20261123_initial",
        r#"
CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    product_name TEXT NOT NULL DEFAULT '',
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE environments (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('staging', 'production')),
    settings TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, kind)
);
CREATE TABLE item_status (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    waiver_reason TEXT,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (workspace_id, item_id)
);
CREATE TABLE item_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    waiver_reason TEXT,
    actor TEXT NOT NULL,
    source TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX item_history_by_item ON item_history (workspace_id, item_id, id);
CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    stored_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX evidence_by_item ON evidence (workspace_id, item_id);
CREATE TABLE preferences (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#,
    ),
    (
        2,
        "20261123_check_runs",
        r#"
CREATE TABLE check_runs (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    env TEXT NOT NULL CHECK (env IN ('staging', 'production')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    state TEXT NOT NULL,
    total INTEGER NOT NULL
);
CREATE INDEX check_runs_by_env ON check_runs (workspace_id, env, started_at);
CREATE TABLE check_results (
    run_id TEXT NOT NULL REFERENCES check_runs(id) ON DELETE CASCADE,
    check_id TEXT NOT NULL,
    at TEXT NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (run_id, check_id)
);
"#,
    ),
    (
        3,
        "20261123_purchase_sessions",
        r#"
CREATE TABLE purchase_sessions (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    env TEXT NOT NULL CHECK (env IN ('staging', 'production')),
    buyer_account TEXT NOT NULL,
    mode TEXT NOT NULL,
    delete_messages INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    started_by TEXT NOT NULL,
    ended_at TEXT,
    state TEXT NOT NULL,
    license_arn TEXT,
    verdicts TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX purchase_sessions_by_env ON purchase_sessions (workspace_id, env, started_at);
CREATE TABLE purchase_events (
    session_id TEXT NOT NULL REFERENCES purchase_sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    observed_at TEXT NOT NULL,
    occurred_at TEXT,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    malformed INTEGER NOT NULL,
    raw TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
);
CREATE TABLE purchase_step_results (
    session_id TEXT NOT NULL REFERENCES purchase_sessions(id) ON DELETE CASCADE,
    scenario_id TEXT NOT NULL,
    step INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    note TEXT NOT NULL,
    evidence_ids TEXT NOT NULL DEFAULT '[]',
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (session_id, scenario_id, step)
);
"#,
    ),
    (
        4,
        "20261130_owners",
        r#"
-- The process that runs a check run or a purchase session (its lease in owners/), so another
-- process opening the same database marks only the work of processes that are gone.
ALTER TABLE check_runs ADD COLUMN owner TEXT;
ALTER TABLE purchase_sessions ADD COLUMN owner TEXT;
"#,
    ),
    (
        5,
        "20261130_listing_change_sets",
        r#"
-- Change sets sent by listing authoring (plan/validate/apply, fixes, the Public request).
CREATE TABLE listing_change_sets (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    env TEXT NOT NULL CHECK (env IN ('staging', 'production')),
    kind TEXT NOT NULL,
    intent TEXT NOT NULL,
    client_token TEXT NOT NULL,
    started_at TEXT NOT NULL,
    started_by TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL,
    diff TEXT NOT NULL,
    changes TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT '{}',
    items TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX listing_change_sets_by_env ON listing_change_sets (workspace_id, env, started_at);
"#,
    ),
    (
        6,
        "20261130_event_summary_ja",
        r#"
-- Timeline events say their one line in Japanese too; older rows keep NULL and show English.
ALTER TABLE purchase_events ADD COLUMN summary_ja TEXT;
"#,
    ),
];

/// Applies pending migrations one at a time. Each reads the schema version inside its own
/// IMMEDIATE transaction, so two processes opening a fresh data folder at once never apply the
/// same migration twice: the second waits, then sees the first's version.
pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    let known = schema_version();
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: i32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if current > known {
            return Err(CoreError::SchemaTooNew {
                found: current.into(),
                known: known.into(),
            });
        }
        let Some((version, name, sql)) = MIGRATIONS.iter().find(|m| m.0 > current) else {
            tx.commit()?;
            return Ok(());
        };
        tx.execute_batch(sql)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![version, name, now()],
        )?;
        // user_version is transactional in SQLite, so the schema and its number move together.
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, name, "applied migration");
    }
}
