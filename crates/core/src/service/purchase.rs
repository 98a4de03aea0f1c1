//! Test purchase sessions on the core: start one for an allow-listed buyer, keep its timeline,
//! record the tester's step results with notes and files, and carry a finished scenario to its
//! checklist item (steps 6 and 10) with the session's timeline as evidence.

use super::{ChangeKind, Core};
use crate::error::{CoreError, Result};
use crate::model::{EnvKind, HistoryEntry, ItemStatus, StatusChange};
use crate::purchase::*;
use crate::store::now;
use std::path::Path;

/// What starting a session needs.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub workspace_id: String,
    pub env: EnvKind,
    pub buyer_account: String,
    pub mode: SessionMode,
    pub delete_messages: bool,
}

impl Core {
    /// Opens a session for one of the environment's allow-listed test buyers.
    pub fn start_session(&self, n: &NewSession) -> Result<PurchaseSession> {
        let (settings, _) = self.store.environment(&n.workspace_id, n.env)?;
        let buyer = n.buyer_account.trim();
        if !settings.test_buyer_account_ids.iter().any(|b| b == buyer) {
            return Err(CoreError::Invalid(format!(
                "{buyer} is not one of the {} environment's test buyer accounts; add it to the allow-list in the environment settings first.",
                n.env.as_str()
            )));
        }
        let s = PurchaseSession {
            id: uuid::Uuid::new_v4().to_string(),
            workspace_id: n.workspace_id.clone(),
            env: n.env,
            buyer_account: buyer.to_string(),
            mode: n.mode,
            delete_messages: n.delete_messages,
            started_at: now(),
            ended_at: None,
            state: SessionState::Running,
            license_arn: None,
            verdicts: Vec::new(),
            started_by: self.actor(),
        };
        self.store.create_session(&s)?;
        self.emit(Some(&n.workspace_id), ChangeKind::Purchase);
        Ok(s)
    }

    pub fn session_detail(&self, session_id: &str) -> Result<SessionDetail> {
        Ok(SessionDetail {
            session: self.store.session(session_id)?,
            events: self.store.session_events(session_id)?,
            results: self.store.step_results(session_id)?,
        })
    }

    pub fn sessions(&self, workspace_id: &str, env: EnvKind) -> Result<Vec<PurchaseSession>> {
        self.store.sessions(workspace_id, env)
    }

    pub fn end_session(&self, session_id: &str) -> Result<()> {
        let s = self.store.session(session_id)?;
        self.store.end_session(session_id, SessionState::Closed)?;
        self.emit(Some(&s.workspace_id), ChangeKind::Purchase);
        Ok(())
    }

    fn step_of(&self, scenario_id: &str, step: u32) -> Result<(Scenario, RunbookStep)> {
        let sc = scenario(scenario_id)
            .ok_or_else(|| CoreError::NotFound(format!("No scenario {scenario_id}.")))?;
        let st = sc.steps.get(step as usize).cloned().ok_or_else(|| {
            CoreError::NotFound(format!("Scenario {scenario_id} has no step {}.", step + 1))
        })?;
        Ok((sc, st))
    }

    fn current_result(&self, session_id: &str, scenario_id: &str, step: u32) -> Result<StepResult> {
        Ok(self
            .store
            .step_results(session_id)?
            .into_iter()
            .find(|r| r.scenario_id == scenario_id && r.step == step)
            .unwrap_or(StepResult {
                scenario_id: scenario_id.to_string(),
                step,
                outcome: StepOutcome::Pending,
                note: String::new(),
                evidence_ids: Vec::new(),
                updated_at: now(),
                updated_by: self.actor(),
            }))
    }

    /// Records the tester's pass/fail and note for a step. Steps the app decides (a verdict)
    /// keep the verdict's outcome; their note can still be written.
    pub fn set_step_result(
        &self,
        session_id: &str,
        scenario_id: &str,
        step: u32,
        outcome: StepOutcome,
        note: &str,
    ) -> Result<StepResult> {
        let session = self.store.session(session_id)?;
        let (_, st) = self.step_of(scenario_id, step)?;
        let mut r = self.current_result(session_id, scenario_id, step)?;
        // Saving a note sends the outcome shown; only a different one is refused.
        if st.verdict.is_some() && outcome != r.outcome {
            return Err(CoreError::Invalid(
                "The app decides this step from what it observed; add a note or a screenshot instead.".into(),
            ));
        }
        if note.chars().count() > 4000 {
            return Err(CoreError::Invalid(
                "A note has at most 4,000 characters.".into(),
            ));
        }
        r.outcome = if st.verdict.is_some() {
            r.outcome
        } else {
            outcome
        };
        r.note = note.trim().to_string();
        r.updated_at = now();
        r.updated_by = self.actor();
        self.store.put_step_result(session_id, &r)?;
        self.emit(Some(&session.workspace_id), ChangeKind::Purchase);
        Ok(r)
    }

    /// Attaches a file (a screenshot) to a step: kept as evidence on the scenario's checklist item.
    pub fn attach_step_file(
        &self,
        session_id: &str,
        scenario_id: &str,
        step: u32,
        path: &Path,
    ) -> Result<StepResult> {
        let session = self.store.session(session_id)?;
        let (sc, _) = self.step_of(scenario_id, step)?;
        let ev = self.add_evidence(&session.workspace_id, &sc.item_id(session.env), path)?;
        let mut r = self.current_result(session_id, scenario_id, step)?;
        r.evidence_ids.push(ev.id);
        r.updated_at = now();
        self.store.put_step_result(session_id, &r)?;
        self.emit(Some(&session.workspace_id), ChangeKind::Purchase);
        Ok(r)
    }

    /// Attaches bytes (a pasted screenshot) under `file_name`.
    pub fn attach_step_bytes(
        &self,
        session_id: &str,
        scenario_id: &str,
        step: u32,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<StepResult> {
        if bytes.is_empty() {
            return Err(CoreError::Invalid("The pasted content is empty.".into()));
        }
        if bytes.len() as u64 > super::MAX_EVIDENCE_BYTES {
            return Err(CoreError::Invalid(
                "The pasted content is too large.".into(),
            ));
        }
        let dir = self
            .data_dir
            .join("tmp")
            .join(uuid::Uuid::new_v4().to_string());
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(super::evidence::sanitize_file_name(file_name));
        let res = std::fs::write(&path, bytes)
            .map_err(CoreError::from)
            .and_then(|_| self.attach_step_file(session_id, scenario_id, step, &path));
        let _ = std::fs::remove_dir_all(&dir);
        res
    }

    /// Writes the verdicts the watchers computed into each step that a verdict decides.
    pub fn apply_verdicts(&self, session_id: &str, verdicts: &[Verdict]) -> Result<()> {
        self.store.set_session_verdicts(session_id, verdicts)?;
        for sc in scenarios() {
            for (i, st) in sc.steps.iter().enumerate() {
                let Some(v) = st
                    .verdict
                    .and_then(|id| verdicts.iter().find(|v| v.id == id))
                else {
                    continue;
                };
                let outcome = match v.state {
                    VerdictState::Pass => StepOutcome::Pass,
                    VerdictState::Fail => StepOutcome::Fail,
                    _ => StepOutcome::Pending,
                };
                let mut r = self.current_result(session_id, &sc.id, i as u32)?;
                if r.outcome != outcome {
                    r.outcome = outcome;
                    r.updated_at = now();
                    r.updated_by = "Listing Assistant".into();
                    self.store.put_step_result(session_id, &r)?;
                }
            }
        }
        Ok(())
    }

    /// Carries a scenario's result to its checklist item: passed when every step passed,
    /// failed when one failed; the session's timeline is attached as evidence.
    pub fn finish_scenario(&self, session_id: &str, scenario_id: &str) -> Result<HistoryEntry> {
        let detail = self.session_detail(session_id)?;
        let s = &detail.session;
        let sc = scenario(scenario_id)
            .ok_or_else(|| CoreError::NotFound(format!("No scenario {scenario_id}.")))?;
        let outcome = |i: usize| {
            detail
                .results
                .iter()
                .find(|r| r.scenario_id == sc.id && r.step as usize == i)
                .map_or(StepOutcome::Pending, |r| r.outcome)
        };
        let outcomes: Vec<StepOutcome> = (0..sc.steps.len()).map(outcome).collect();
        let failed: Vec<String> = outcomes
            .iter()
            .enumerate()
            .filter(|(_, o)| **o == StepOutcome::Fail)
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        let open = outcomes
            .iter()
            .filter(|o| **o == StepOutcome::Pending)
            .count();
        if failed.is_empty() && open > 0 {
            return Err(CoreError::Invalid(format!(
                "{open} step(s) of \"{}\" have no result yet; record each step (or a failure) first.",
                sc.title.en
            )));
        }
        let status = if failed.is_empty() {
            ItemStatus::Passed
        } else {
            ItemStatus::Failed
        };
        let evidence = serde_json::json!({
            "session": s,
            "scenario": sc.id,
            "results": detail.results.iter().filter(|r| r.scenario_id == sc.id).collect::<Vec<_>>(),
            "timeline": detail.events,
        });
        let name = format!(
            "test-purchase-{}-{}.json",
            &s.id[..8.min(s.id.len())],
            sc.id
        );
        let dir = self
            .data_dir
            .join("tmp")
            .join(uuid::Uuid::new_v4().to_string());
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(&name);
        // What it holds was redacted when stored; redacting the file as well keeps a secret out
        // of the evidence even if a row predates that (stores from before this rule).
        let text = crate::redact::redact(&serde_json::to_string_pretty(&evidence)?);
        let written = std::fs::write(&path, text)
            .map_err(CoreError::from)
            .and_then(|_| self.add_evidence(&s.workspace_id, &sc.item_id(s.env), &path));
        let _ = std::fs::remove_dir_all(&dir);
        written?;
        let note = if failed.is_empty() {
            format!(
                "Test purchase session {} (buyer {}, {}): all {} steps passed.",
                s.id,
                s.buyer_account,
                s.mode.as_str(),
                sc.steps.len()
            )
        } else {
            format!(
                "Test purchase session {} (buyer {}, {}): step(s) {} failed.",
                s.id,
                s.buyer_account,
                s.mode.as_str(),
                failed.join(", ")
            )
        };
        self.set_item_status(&StatusChange {
            workspace_id: s.workspace_id.clone(),
            item_id: sc.item_id(s.env),
            status,
            note,
            waiver_reason: None,
        })
    }
}
