//! Builds the [`Report`] from the store: one read of each table for the whole workspace (a report
//! with 10,000 evidence rows is one query, not one per item), titles resolved to the language.

use crate::labels::{Lang, Words};
use crate::model::*;
use crate::scrub;
use la_core::checklist::{checklist, StepEnv};
use la_core::model::{EnvKind, ItemStatus, StoredCheckResult};
use la_core::service::Core;
use la_core::{AppError, Result as CoreResult};
use std::collections::HashMap;

/// What a report covers: the whole workspace or one environment. The one definition the app,
/// its IPC bindings (`ReportScope`) and the CLI (`--env`) all use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, specta::Type)]
#[serde(rename = "ReportScope", rename_all = "snake_case")]
pub enum Scope {
    Workspace,
    Staging,
    Production,
}

impl Scope {
    /// One environment's scope, or the whole workspace's.
    pub fn of(env: Option<EnvKind>) -> Self {
        match env {
            None => Scope::Workspace,
            Some(EnvKind::Staging) => Scope::Staging,
            Some(EnvKind::Production) => Scope::Production,
        }
    }
    pub fn env(self) -> Option<EnvKind> {
        match self {
            Scope::Workspace => None,
            Scope::Staging => Some(EnvKind::Staging),
            Scope::Production => Some(EnvKind::Production),
        }
    }
    pub fn code(self) -> &'static str {
        self.env().map_or("workspace", EnvKind::as_str)
    }
    fn includes(self, env: StepEnv) -> bool {
        matches!(
            (self, env),
            (Scope::Workspace, _)
                | (Scope::Staging, StepEnv::Staging)
                | (Scope::Production, StepEnv::Production)
        )
    }
    fn envs(self) -> Vec<EnvKind> {
        self.env().map_or(EnvKind::ALL.to_vec(), |k| vec![k])
    }
}

fn code_of<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn env_code(env: StepEnv) -> &'static str {
    match env {
        StepEnv::None => "none",
        StepEnv::Staging => "staging",
        StepEnv::Production => "production",
    }
}

/// Reads everything the report shows for `workspace_id` and resolves it to `lang`.
/// `generated_at` is passed in so a caller (and a golden test) decides the clock.
pub fn build(
    core: &Core,
    workspace_id: &str,
    scope: Scope,
    lang: Lang,
    generated_at: &str,
) -> Result<Report, AppError> {
    build_inner(core, workspace_id, scope, lang, generated_at).map_err(AppError::from)
}

fn build_inner(
    core: &Core,
    workspace_id: &str,
    scope: Scope,
    lang: Lang,
    generated_at: &str,
) -> CoreResult<Report> {
    let cl = checklist();
    let store = core.store();
    let ws = store.workspace(workspace_id)?;
    let tx = |t: &la_core::checklist::Text| text_in(lang, t);

    let mut environments = Vec::new();
    for kind in scope.envs() {
        let (s, _) = store.environment(workspace_id, kind)?;
        environments.push(EnvironmentInfo {
            kind: kind.as_str().into(),
            mode: code_of(&s.mode),
            seller_account: scrub::account(&s.seller_account_id),
            region: scrub::text(&s.region),
            product_id: scrub::text(&s.product_id),
            product_code: scrub::text(&s.product_code),
            pricing_model: code_of(&s.pricing_model),
            integration_style: code_of(&s.integration_style),
            fulfillment_url: scrub::text(&s.fulfillment_url),
            credentials: code_of(&s.credential_source),
            test_buyers: s
                .test_buyer_account_ids
                .iter()
                .map(|a| scrub::account(a))
                .collect(),
        });
    }

    let states: HashMap<String, la_core::model::ItemState> = store
        .item_states(workspace_id)?
        .into_iter()
        .map(|s| (s.item_id.clone(), s))
        .collect();
    let mut history: HashMap<String, Vec<HistoryRow>> = HashMap::new();
    for h in store.workspace_history(workspace_id)? {
        history
            .entry(h.item_id.clone())
            .or_default()
            .push(HistoryRow {
                at: h.at,
                actor: scrub::text(&h.actor),
                source: h.source.as_str().into(),
                from: h.from.as_str().into(),
                to: h.to.as_str().into(),
                note: scrub::text(&h.note),
                waiver_reason: h.waiver_reason.as_deref().map(scrub::text),
            });
    }
    let mut evidence: HashMap<String, Vec<EvidenceRow>> = HashMap::new();
    for (e, _) in store.workspace_evidence(workspace_id)? {
        evidence
            .entry(e.item_id.clone())
            .or_default()
            .push(EvidenceRow {
                file_name: scrub::text(&e.file_name),
                sha256: e.sha256,
                size: u64::from(e.size),
                added_by: scrub::text(&e.added_by),
                added_at: e.added_at,
            });
    }
    let mut checks: HashMap<EnvKind, HashMap<String, StoredCheckResult>> = HashMap::new();
    for kind in EnvKind::ALL {
        let latest = store.latest_check_results(workspace_id, kind)?;
        checks.insert(
            kind,
            latest
                .into_iter()
                .map(|r| (r.result.id.clone(), r))
                .collect(),
        );
    }
    let check_for = |env: StepEnv, check_id: &str| -> Option<CheckRow> {
        let candidates: Vec<&StoredCheckResult> = match env {
            StepEnv::Staging => checks[&EnvKind::Staging]
                .get(check_id)
                .into_iter()
                .collect(),
            StepEnv::Production => checks[&EnvKind::Production]
                .get(check_id)
                .into_iter()
                .collect(),
            // An account-wide item is proven by whichever environment checked it last.
            StepEnv::None => EnvKind::ALL
                .iter()
                .filter(|k| scope.envs().contains(k))
                .filter_map(|k| checks[k].get(check_id))
                .collect(),
        };
        let r = candidates.into_iter().max_by(|a, b| a.at.cmp(&b.at))?;
        Some(CheckRow {
            check_id: r.result.id.clone(),
            status: code_of(&r.result.status),
            summary: scrub::text(&tx(&r.result.summary)),
            details: scrub::text(&tx(&r.result.details)),
            advice: scrub::text(&tx(&r.result.advice)),
            at: r.at.clone(),
            run_id: r.run_id.clone(),
        })
    };

    let mut phases = Vec::new();
    let mut summary = Vec::new();
    let mut all = Counts::zero();
    for phase in &cl.phases {
        let mut steps = Vec::new();
        let mut counts = Counts::zero();
        for step in phase
            .steps
            .iter()
            .filter_map(|s| cl.step(s))
            .filter(|s| scope.includes(s.env))
        {
            let mut items = Vec::new();
            let mut step_counts = Counts::zero();
            for item in step.items.iter().filter_map(|i| cl.item(i)) {
                let state = states.get(&item.id);
                let status = state.map(|s| s.status).unwrap_or(ItemStatus::NotStarted);
                step_counts.add(status);
                items.push(ItemSection {
                    id: item.id.clone(),
                    title: tx(&item.title),
                    category: code_of(&item.category),
                    kind: code_of(&item.kind),
                    status: status.as_str().into(),
                    updated_by: state.and_then(|s| s.updated_by.as_deref().map(scrub::text)),
                    updated_at: state.and_then(|s| s.updated_at.clone()),
                    note: state.map(|s| scrub::text(&s.note)).unwrap_or_default(),
                    waiver_reason: state.and_then(|s| s.waiver_reason.as_deref().map(scrub::text)),
                    history: history.remove(&item.id).unwrap_or_default(),
                    evidence: evidence.remove(&item.id).unwrap_or_default(),
                    check: item.check.as_deref().and_then(|c| check_for(step.env, c)),
                });
            }
            counts.merge(&step_counts);
            steps.push(StepSection {
                id: step.id.clone(),
                number: step.number,
                title: tx(&step.title),
                env: env_code(step.env).into(),
                done: step_counts.done(),
                total: step_counts.total(),
                items,
            });
        }
        if steps.is_empty() {
            continue;
        }
        all.merge(&counts);
        summary.push(PhaseSummary {
            phase_id: phase.id.clone(),
            title: tx(&phase.title),
            done: counts.done(),
            total: counts.total(),
            percent: percent(counts.done(), counts.total()),
            counts: counts.clone(),
        });
        phases.push(PhaseSection {
            id: phase.id.clone(),
            title: tx(&phase.title),
            summary: tx(&phase.summary),
            steps,
        });
    }
    let verdict = if all.failed > 0 {
        "failing"
    } else if all.done() == all.total() {
        "ready"
    } else {
        "in_progress"
    };
    Ok(Report {
        schema: SCHEMA,
        language: lang.code().into(),
        scope: scope.code().into(),
        generated_at: generated_at.into(),
        generator: format!("Listing Assistant {}", env!("CARGO_PKG_VERSION")),
        // Set by the export that signs it (`crate::render_signed`).
        signer: String::new(),
        workspace: WorkspaceInfo {
            name: scrub::text(&ws.name),
            product_name: scrub::text(&ws.product_name),
            is_demo: ws.is_demo,
        },
        environments,
        readiness: Readiness {
            verdict: verdict.into(),
            done: all.done(),
            total: all.total(),
            percent: percent(all.done(), all.total()),
            counts: all,
        },
        summary,
        phases,
        purchases: purchase_sessions(core, workspace_id, scope, lang)?,
    })
}

/// Test purchase sessions in scope, oldest first per environment: each session's timeline (the
/// summaries, scrubbed; raw payloads stay in the app), its automatic verdicts and the
/// confirmation scenarios the tester worked through in it.
pub fn purchase_sessions(
    core: &Core,
    workspace_id: &str,
    scope: Scope,
    lang: Lang,
) -> CoreResult<Vec<PurchaseSession>> {
    use la_core::purchase::{scenarios, StepOutcome, VerdictState};
    let tx = |t: &la_core::checklist::Text| text_in(lang, t);
    let runbooks = scenarios();
    let mut out = Vec::new();
    for env in scope.envs() {
        for s in core.sessions(workspace_id, env)? {
            let detail = core.session_detail(&s.id)?;
            let timeline = detail
                .events
                .iter()
                .map(|e| TimelineEvent {
                    at: e
                        .occurred_at
                        .clone()
                        .unwrap_or_else(|| e.observed_at.clone()),
                    source: e.source.as_str().to_string(),
                    summary: scrub::text(&if e.malformed {
                        format!("{}: {}", lang.t("malformed"), tx(&e.summary))
                    } else {
                        tx(&e.summary)
                    }),
                })
                .collect();
            let decided_at = s.ended_at.clone().unwrap_or_else(|| s.started_at.clone());
            let mut verdicts: Vec<ScenarioVerdict> = s
                .verdicts
                .iter()
                .map(|v| ScenarioVerdict {
                    scenario_id: format!("auto.{}", v.id.as_str()),
                    title: verdict_title(v.id, lang).to_string(),
                    verdict: match v.state {
                        VerdictState::Pass => "passed",
                        VerdictState::Fail => "failed",
                        VerdictState::Pending | VerdictState::NotYet => "not_run",
                    }
                    .into(),
                    note: scrub::text(&tx(&v.detail)),
                    by: "Listing Assistant".into(),
                    at: decided_at.clone(),
                })
                .collect();
            for sc in &runbooks {
                let results: Vec<_> = detail
                    .results
                    .iter()
                    .filter(|r| r.scenario_id == sc.id)
                    .collect();
                let Some(last) = results
                    .iter()
                    .max_by(|a, b| a.updated_at.cmp(&b.updated_at))
                else {
                    continue;
                };
                let count = |o: StepOutcome| results.iter().filter(|r| r.outcome == o).count();
                let verdict = if count(StepOutcome::Fail) > 0 {
                    "failed"
                } else if count(StepOutcome::Pass) == sc.steps.len() {
                    "passed"
                } else {
                    "not_run"
                };
                let notes: Vec<String> = results
                    .iter()
                    .filter(|r| !r.note.is_empty())
                    .map(|r| format!("{}. {}", r.step + 1, r.note))
                    .collect();
                verdicts.push(ScenarioVerdict {
                    scenario_id: sc.id.clone(),
                    title: tx(&sc.title),
                    verdict: verdict.into(),
                    note: scrub::text(&notes.join("\n")),
                    by: scrub::text(&last.updated_by),
                    at: last.updated_at.clone(),
                });
            }
            out.push(PurchaseSession {
                id: s.id.clone(),
                env: s.env.as_str().into(),
                buyer_account: scrub::account(&s.buyer_account),
                started_at: s.started_at.clone(),
                tester: scrub::text(&s.started_by),
                timeline,
                scenarios: verdicts,
            });
        }
    }
    Ok(out)
}

/// The automatic verdicts' names, as the app shows them.
fn verdict_title(id: la_core::purchase::VerdictId, lang: Lang) -> &'static str {
    use la_core::purchase::VerdictId as V;
    let (en, ja) = match id {
        V::ResolveWithin10s => (
            "ResolveCustomer within 10 s of landing",
            "ランディングから 10 秒以内に ResolveCustomer",
        ),
        V::EntitlementAfterChange => (
            "Entitlement visible after change",
            "変更後に権利が反映される",
        ),
        V::FinalMeteringWithin1h => (
            "Final metering record within 1 h of unsubscribe-pending",
            "unsubscribe-pending から 1 時間以内に最終計測レコード",
        ),
        V::UnsubscribeSequence => (
            "unsubscribe-success after unsubscribe-pending",
            "unsubscribe-pending の後に unsubscribe-success",
        ),
    };
    match lang {
        Lang::En => en,
        Lang::Ja => ja,
    }
}

/// A bilingual text in the report's language.
fn text_in(lang: Lang, t: &la_core::checklist::Text) -> String {
    match lang {
        Lang::En => t.en.clone(),
        Lang::Ja => t.ja.clone(),
    }
}

fn percent(done: u32, total: u32) -> u32 {
    // Nothing to do counts as all done.
    (done * 100).checked_div(total).unwrap_or(100)
}

impl Counts {
    pub fn zero() -> Self {
        Counts {
            not_started: 0,
            in_progress: 0,
            passed: 0,
            failed: 0,
            waived: 0,
            not_applicable: 0,
        }
    }
    fn add(&mut self, s: ItemStatus) {
        match s {
            ItemStatus::NotStarted => self.not_started += 1,
            ItemStatus::InProgress => self.in_progress += 1,
            ItemStatus::Passed => self.passed += 1,
            ItemStatus::Failed => self.failed += 1,
            ItemStatus::Waived => self.waived += 1,
            ItemStatus::NotApplicable => self.not_applicable += 1,
        }
    }
    fn merge(&mut self, o: &Counts) {
        self.not_started += o.not_started;
        self.in_progress += o.in_progress;
        self.passed += o.passed;
        self.failed += o.failed;
        self.waived += o.waived;
        self.not_applicable += o.not_applicable;
    }
}
