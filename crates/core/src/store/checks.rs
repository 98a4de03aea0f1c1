//! Check runs in the store: a run, each result written as it arrives (a crash keeps what
//! finished), the run's end state, and the latest result of each check.

use super::{now, Store};
use crate::error::Result;
use crate::model::*;
use rusqlite::params;

impl Store {
    pub fn start_check_run(
        &self,
        workspace_id: &str,
        env: EnvKind,
        total: u32,
    ) -> Result<CheckRun> {
        let run = CheckRun {
            id: uuid::Uuid::new_v4().to_string(),
            workspace_id: workspace_id.to_string(),
            env,
            started_at: now(),
            finished_at: None,
            state: CheckRunState::Running,
            total,
        };
        self.with(|c| {
            c.execute(
                "INSERT INTO check_runs (id, workspace_id, env, started_at, state, total, owner) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![run.id, run.workspace_id, env.as_str(), run.started_at, run.state.as_str(), total, self.owner()],
            )?;
            Ok(())
        })?;
        Ok(run)
    }

    /// Each result is written as it arrives, so a crash keeps everything finished before it.
    pub fn record_check_result(&self, run_id: &str, result: &CheckResult) -> Result<()> {
        let json = serde_json::to_string(result)?;
        self.with(|c| {
            c.execute(
                "INSERT INTO check_results (run_id, check_id, at, result) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(run_id, check_id) DO UPDATE SET at = excluded.at, result = excluded.result",
                params![run_id, result.id, now(), json],
            )?;
            Ok(())
        })
    }

    pub fn finish_check_run(&self, run_id: &str, state: CheckRunState) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE check_runs SET state = ?2, finished_at = ?3 WHERE id = ?1",
                params![run_id, state.as_str(), now()],
            )?;
            Ok(())
        })
    }

    /// Runs still marked running whose process is gone were cut short: say so. Runs of a live
    /// process (the app, while the CLI opens the same database) are left alone.
    pub fn mark_interrupted_runs(&self) -> Result<usize> {
        self.mark_interrupted("check_runs", "finished_at")
    }

    pub fn check_runs(&self, workspace_id: &str, env: EnvKind) -> Result<Vec<CheckRun>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT id, workspace_id, started_at, finished_at, state, total FROM check_runs
                 WHERE workspace_id = ?1 AND env = ?2 ORDER BY started_at DESC, rowid DESC LIMIT 50",
            )?;
            let rows = st.query_map(params![workspace_id, env.as_str()], |r| {
                Ok(CheckRun {
                    id: r.get(0)?,
                    workspace_id: r.get(1)?,
                    env,
                    started_at: r.get(2)?,
                    finished_at: r.get(3)?,
                    state: CheckRunState::parse(&r.get::<_, String>(4)?),
                    total: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Every result of one run, in the order they finished.
    pub fn run_results(&self, run_id: &str) -> Result<Vec<CheckResult>> {
        self.with(|c| {
            let mut st =
                c.prepare("SELECT result FROM check_results WHERE run_id = ?1 ORDER BY at, rowid")?;
            let rows = st.query_map([run_id], |r| r.get::<_, String>(0))?;
            let mut out = Vec::new();
            for row in rows {
                if let Ok(r) = serde_json::from_str(&row?) {
                    out.push(r);
                }
            }
            Ok(out)
        })
    }

    /// The newest result of every check that has run in the environment.
    pub fn latest_check_results(
        &self,
        workspace_id: &str,
        env: EnvKind,
    ) -> Result<Vec<StoredCheckResult>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT r.run_id, r.at, r.result FROM check_results r JOIN check_runs k ON k.id = r.run_id
                 WHERE k.workspace_id = ?1 AND k.env = ?2
                 AND r.at = (SELECT MAX(r2.at) FROM check_results r2 JOIN check_runs k2 ON k2.id = r2.run_id
                             WHERE k2.workspace_id = ?1 AND k2.env = ?2 AND r2.check_id = r.check_id)",
            )?;
            let rows = st.query_map(params![workspace_id, env.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (run_id, at, json) = row?;
                if let Ok(result) = serde_json::from_str(&json) {
                    out.push(StoredCheckResult { run_id, at, result });
                }
            }
            Ok(out)
        })
    }
}
