//! Test purchase sessions in the store: the session, its timeline (append-only, one row per
//! event, written as each arrives) and the tester's step results.

use super::{now, Store};
use crate::error::{CoreError, Result};
use crate::model::EnvKind;
use crate::purchase::*;
use rusqlite::{params, OptionalExtension};

const SESSION_COLUMNS: &str = "id, workspace_id, env, buyer_account, mode, delete_messages, started_at, started_by, ended_at, state, license_arn, verdicts";

fn row_session(r: &rusqlite::Row<'_>) -> rusqlite::Result<PurchaseSession> {
    let env: String = r.get(2)?;
    let mode: String = r.get(4)?;
    let state: String = r.get(9)?;
    let verdicts: String = r.get(11)?;
    Ok(PurchaseSession {
        id: r.get(0)?,
        workspace_id: r.get(1)?,
        env: EnvKind::parse(&env).unwrap_or(EnvKind::Staging),
        buyer_account: r.get(3)?,
        mode: SessionMode::parse(&mode).unwrap_or(SessionMode::Real),
        delete_messages: r.get(5)?,
        started_at: r.get(6)?,
        started_by: r.get(7)?,
        ended_at: r.get(8)?,
        state: SessionState::parse(&state).unwrap_or(SessionState::Interrupted),
        license_arn: r.get(10)?,
        // A verdict list written by a newer build may not parse: show none rather than fail.
        verdicts: serde_json::from_str(&verdicts).unwrap_or_default(),
    })
}

impl Store {
    pub fn create_session(&self, s: &PurchaseSession) -> Result<()> {
        self.tx(|tx| {
            tx.execute(
                &format!("INSERT INTO purchase_sessions ({SESSION_COLUMNS}, owner) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"),
                params![
                    s.id,
                    s.workspace_id,
                    s.env.as_str(),
                    s.buyer_account,
                    s.mode.as_str(),
                    s.delete_messages,
                    s.started_at,
                    s.started_by,
                    s.ended_at,
                    s.state.as_str(),
                    s.license_arn,
                    serde_json::to_string(&s.verdicts)?,
                    self.owner()
                ],
            )?;
            Ok(())
        })
    }

    pub fn session(&self, id: &str) -> Result<PurchaseSession> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {SESSION_COLUMNS} FROM purchase_sessions WHERE id = ?1"),
                [id],
                row_session,
            )
            .optional()?
            .ok_or_else(|| CoreError::NotFound(format!("No test purchase session {id}.")))
        })
    }

    /// Sessions of an environment, newest first.
    pub fn sessions(&self, workspace_id: &str, env: EnvKind) -> Result<Vec<PurchaseSession>> {
        self.with(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {SESSION_COLUMNS} FROM purchase_sessions WHERE workspace_id = ?1 AND env = ?2 ORDER BY started_at DESC, rowid DESC"
            ))?;
            let rows = st.query_map(params![workspace_id, env.as_str()], row_session)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Every timeline event passes through redaction here, whatever front end or watcher wrote
    /// it: tester notes and pasted messages are free text and may carry keys or tokens.
    pub fn append_event(&self, session_id: &str, e: &TimelineEvent) -> Result<()> {
        let summary = e.summary.map(crate::redact::redact);
        let raw = crate::redact::redact(&e.raw);
        self.with(|c| {
            c.execute(
                "INSERT OR IGNORE INTO purchase_events (session_id, seq, observed_at, occurred_at, source, kind, summary, malformed, raw, summary_ja)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![session_id, e.seq, e.observed_at, e.occurred_at, e.source.as_str(), e.kind, summary.en, e.malformed, raw, summary.ja],
            )?;
            Ok(())
        })
    }

    pub fn session_events(&self, session_id: &str) -> Result<Vec<TimelineEvent>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT seq, observed_at, occurred_at, source, kind, summary, malformed, raw, summary_ja
                 FROM purchase_events WHERE session_id = ?1 ORDER BY seq",
            )?;
            let rows = st.query_map([session_id], |r| {
                let source: String = r.get(3)?;
                let en: String = r.get(5)?;
                // Rows from before migration 6 have no Japanese: they show the English.
                let ja: Option<String> = r.get(8)?;
                Ok(TimelineEvent {
                    seq: r.get(0)?,
                    observed_at: r.get(1)?,
                    occurred_at: r.get(2)?,
                    source: EventSource::parse(&source).unwrap_or(EventSource::Tester),
                    kind: r.get(4)?,
                    summary: crate::checklist::Text {
                        ja: ja.unwrap_or_else(|| en.clone()),
                        en,
                    },
                    malformed: r.get(6)?,
                    raw: r.get(7)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    pub fn set_session_verdicts(&self, session_id: &str, verdicts: &[Verdict]) -> Result<()> {
        let json = serde_json::to_string(verdicts)?;
        self.with(|c| {
            c.execute(
                "UPDATE purchase_sessions SET verdicts = ?2 WHERE id = ?1",
                params![session_id, json],
            )?;
            Ok(())
        })
    }

    pub fn set_session_license(&self, session_id: &str, license_arn: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE purchase_sessions SET license_arn = ?2 WHERE id = ?1",
                params![session_id, license_arn],
            )?;
            Ok(())
        })
    }

    pub fn end_session(&self, session_id: &str, state: SessionState) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE purchase_sessions SET state = ?2, ended_at = ?3 WHERE id = ?1 AND state = 'running'",
                params![session_id, state.as_str(), now()],
            )?;
            Ok(())
        })
    }

    /// Sessions left running by a previous process (the app was closed or killed).
    /// Sessions still marked running whose process is gone were cut short; a live process's
    /// sessions (the app's, while the CLI opens the same database) are left running.
    pub fn mark_interrupted_sessions(&self) -> Result<usize> {
        self.mark_interrupted("purchase_sessions", "ended_at")
    }

    /// A step's note is redacted before it is stored, as item notes are.
    pub fn put_step_result(&self, session_id: &str, r: &StepResult) -> Result<()> {
        let ids = serde_json::to_string(&r.evidence_ids)?;
        let note = crate::redact::redact(&r.note);
        self.with(|c| {
            c.execute(
                "INSERT INTO purchase_step_results (session_id, scenario_id, step, outcome, note, evidence_ids, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(session_id, scenario_id, step) DO UPDATE SET outcome = excluded.outcome,
                   note = excluded.note, evidence_ids = excluded.evidence_ids,
                   updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                params![session_id, r.scenario_id, r.step, r.outcome.as_str(), note, ids, r.updated_at, r.updated_by],
            )?;
            Ok(())
        })
    }

    pub fn step_results(&self, session_id: &str) -> Result<Vec<StepResult>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT scenario_id, step, outcome, note, evidence_ids, updated_at, updated_by
                 FROM purchase_step_results WHERE session_id = ?1 ORDER BY scenario_id, step",
            )?;
            let rows = st.query_map([session_id], |r| {
                let outcome: String = r.get(2)?;
                let ids: String = r.get(4)?;
                Ok(StepResult {
                    scenario_id: r.get(0)?,
                    step: r.get(1)?,
                    outcome: StepOutcome::parse(&outcome).unwrap_or(StepOutcome::Pending),
                    note: r.get(3)?,
                    evidence_ids: serde_json::from_str(&ids).unwrap_or_default(),
                    updated_at: r.get(5)?,
                    updated_by: r.get(6)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}
