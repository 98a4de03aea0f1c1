//! Test purchase sessions in the store and the core: only allow-listed buyers, the timeline kept
//! in order and across a restart (a running session becomes interrupted), step results with
//! notes, files and pastes, verdicts deciding their steps, and a scenario carried to its
//! checklist item — passed when every step passed, failed when one failed.

use la_core::model::*;
use la_core::purchase::*;
use la_core::service::{Core, NewSession};
use la_core::ErrorCode;

use la_testkit::core::open as core;

fn demo(c: &Core) -> String {
    c.list_workspaces().expect("list")[0].workspace.id.clone()
}

fn start(c: &Core, ws: &str, buyer: &str) -> la_core::Result<PurchaseSession> {
    c.start_session(&NewSession {
        workspace_id: ws.into(),
        env: EnvKind::Staging,
        buyer_account: buyer.into(),
        mode: SessionMode::Sandbox,
        delete_messages: false,
    })
}

fn event(seq: u32, kind: &str) -> TimelineEvent {
    TimelineEvent {
        seq,
        observed_at: "2026-11-23T10:00:00.000Z".into(),
        occurred_at: None,
        source: EventSource::Sqs,
        kind: kind.into(),
        summary: la_core::checklist::Text::new(kind, format!("{kind}（日本語）")),
        malformed: false,
        raw: "{}".into(),
    }
}

fn verdict(id: VerdictId, state: VerdictState) -> Verdict {
    Verdict {
        id,
        state,
        detail: la_core::checklist::Text {
            en: String::new(),
            ja: String::new(),
        },
        events: vec![],
    }
}

#[test]
fn only_allow_listed_buyers_and_the_timeline_survives_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let c = core(dir.path());
    let ws = demo(&c);
    let err =
        la_core::AppError::from(start(&c, &ws, "999999999999").expect_err("not allow-listed"));
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.contains("allow-list"), "{}", err.message);
    let s = start(&c, &ws, "444455556666").expect("start");
    for (i, k) in ["purchase", "subscribe-success", "entitlement-updated"]
        .iter()
        .enumerate()
    {
        c.store()
            .append_event(&s.id, &event(i as u32 + 1, k))
            .expect("event");
    }
    // A repeated event (same seq) is kept once.
    c.store()
        .append_event(&s.id, &event(2, "subscribe-success"))
        .expect("again");
    drop(c);
    // A row written before summaries were bilingual has no Japanese.
    rusqlite::Connection::open(dir.path().join("listing-assistant.sqlite3"))
        .expect("db")
        .execute(
            "UPDATE purchase_events SET summary_ja = NULL WHERE seq = 3",
            [],
        )
        .expect("old row");
    let c = core(dir.path());
    let d = c.session_detail(&s.id).expect("detail");
    assert_eq!(d.session.state, SessionState::Interrupted);
    let kinds: Vec<&str> = d.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["purchase", "subscribe-success", "entitlement-updated"]
    );
    // The Japanese line is kept; the old row shows its English in Japanese too.
    assert_eq!(d.events[1].summary.ja, "subscribe-success（日本語）");
    assert_eq!(d.events[1].summary.en, "subscribe-success");
    assert_eq!(d.events[2].summary.ja, "entitlement-updated");
    assert_eq!(c.sessions(&ws, EnvKind::Staging).expect("list").len(), 1);
}

#[test]
fn a_scenario_passes_when_every_step_passed_and_its_item_gets_the_session() {
    let dir = tempfile::tempdir().expect("dir");
    let c = core(dir.path());
    let ws = demo(&c);
    let s = start(&c, &ws, "444455556666").expect("start");
    // Step 1 is the app's to decide: the tester cannot pass it by hand.
    let err = c
        .set_step_result(&s.id, "contract_change", 0, StepOutcome::Pass, "")
        .expect_err("verdict step");
    assert!(err.to_string().contains("decides this step"));
    // Nothing recorded yet: finishing is refused and nothing is written.
    assert!(c.finish_scenario(&s.id, "contract_change").is_err());
    c.apply_verdicts(
        &s.id,
        &[verdict(
            VerdictId::EntitlementAfterChange,
            VerdictState::Pass,
        )],
    )
    .expect("verdicts");
    // Its note can still be written (the outcome shown is sent back unchanged).
    c.set_step_result(
        &s.id,
        "contract_change",
        0,
        StepOutcome::Pass,
        "seats 1 → 25 seen",
    )
    .expect("note");
    c.set_step_result(&s.id, "contract_change", 1, StepOutcome::Pass, "signed in")
        .expect("step 2");
    let r = c
        .attach_step_bytes(
            &s.id,
            "contract_change",
            2,
            "contract page.png",
            b"\x89PNG fake",
        )
        .expect("paste");
    assert_eq!(r.evidence_ids.len(), 1);
    c.set_step_result(
        &s.id,
        "contract_change",
        2,
        StepOutcome::Pass,
        "25 seats shown",
    )
    .expect("step 3");
    let h = c.finish_scenario(&s.id, "contract_change").expect("finish");
    assert_eq!(h.to, ItemStatus::Passed);
    assert!(h.note.contains(&s.id));
    let item = "staging.scenario.contract_change";
    let files: Vec<String> = c
        .list_evidence(&ws, item)
        .expect("evidence")
        .into_iter()
        .map(|e| e.file_name)
        .collect();
    assert!(files.iter().any(|f| f == "contract page.png"), "{files:?}");
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("test-purchase-") && f.ends_with("contract_change.json")),
        "{files:?}"
    );
    let d = c.session_detail(&s.id).expect("detail");
    let step0 = d
        .results
        .iter()
        .find(|r| r.scenario_id == "contract_change" && r.step == 0)
        .expect("step 0");
    assert_eq!(step0.note, "seats 1 → 25 seen");
    assert_eq!(d.session.verdicts.len(), 1);
}

#[test]
fn a_failed_verdict_or_step_fails_the_item() {
    let dir = tempfile::tempdir().expect("dir");
    let c = core(dir.path());
    let ws = demo(&c);
    let s = start(&c, &ws, "444455556666").expect("start");
    c.apply_verdicts(
        &s.id,
        &[
            verdict(VerdictId::FinalMeteringWithin1h, VerdictState::Fail),
            verdict(VerdictId::UnsubscribeSequence, VerdictState::Pass),
        ],
    )
    .expect("verdicts");
    c.set_step_result(&s.id, "cancellation", 0, StepOutcome::Pass, "")
        .expect("step 1");
    let h = c.finish_scenario(&s.id, "cancellation").expect("finish");
    assert_eq!(h.to, ItemStatus::Failed);
    assert!(h.note.contains("step(s) 2 failed"), "{}", h.note);
    // A tester's failure does it too, even with steps left open.
    let s2 = start(&c, &ws, "444455556666").expect("start");
    c.set_step_result(
        &s2.id,
        "existing_user",
        2,
        StepOutcome::Fail,
        "a second account was created",
    )
    .expect("fail");
    assert_eq!(
        c.finish_scenario(&s2.id, "existing_user")
            .expect("finish")
            .to,
        ItemStatus::Failed
    );
    // Unknown scenarios and steps are clear errors.
    assert!(c
        .set_step_result(&s.id, "nope", 0, StepOutcome::Pass, "")
        .is_err());
    assert!(c
        .set_step_result(&s.id, "cancellation", 9, StepOutcome::Pass, "")
        .is_err());
    assert!(c
        .attach_step_bytes(&s.id, "cancellation", 0, "x.png", b"")
        .is_err());
}

/// Tester notes on the timeline, step notes and the scenario's evidence file are redacted before
/// they are stored, as item notes are (issue 14, item 6): a tester pasting a shell line or an
/// HTML form with the token must not put the secret into the database or the evidence.
#[test]
fn notes_and_scenario_evidence_are_redacted_before_they_are_stored() {
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const TOKEN: &str = "TOKENVALUEabc123xyz789";
    let dir = tempfile::tempdir().expect("dir");
    let c = core(dir.path());
    let ws = demo(&c);
    let s = start(&c, &ws, "444455556666").expect("start");
    let mut note = event(1, "note");
    note.source = EventSource::Tester;
    note.summary = la_core::checklist::Text::same(format!(
        "pasted: AWS_SECRET_ACCESS_KEY={SECRET} then ran it"
    ));
    note.raw = format!(
        r#"{{"kind":"note","note":"<input type=\"hidden\" name=\"x-amzn-marketplace-token\" value=\"{TOKEN}\">"}}"#
    );
    c.store().append_event(&s.id, &note).expect("note");
    c.apply_verdicts(
        &s.id,
        &[verdict(
            VerdictId::EntitlementAfterChange,
            VerdictState::Pass,
        )],
    )
    .expect("verdicts");
    for step in 0..3 {
        c.set_step_result(
            &s.id,
            "contract_change",
            step,
            StepOutcome::Pass,
            &format!("sessionToken: \"{TOKEN}\" and key {SECRET}"),
        )
        .expect("step");
    }
    c.finish_scenario(&s.id, "contract_change").expect("finish");

    let d = c.session_detail(&s.id).expect("detail");
    let everything = serde_json::to_string(&d).expect("json");
    assert!(!everything.contains(SECRET), "{everything}");
    assert!(!everything.contains(TOKEN), "{everything}");
    assert!(
        everything.contains("then ran it"),
        "words around a secret are kept"
    );
    // The scenario's evidence file, and the database file itself.
    let item = "staging.scenario.contract_change";
    for e in c.list_evidence(&ws, item).expect("evidence") {
        let bytes = std::fs::read(c.evidence_file(&e.id).expect("path")).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
    }
    for entry in std::fs::read_dir(dir.path()).expect("dir") {
        let p = entry.expect("entry").path();
        if p.is_file() {
            let bytes = std::fs::read(&p).expect("read");
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(SECRET) && !text.contains(TOKEN),
                "{}",
                p.display()
            );
        }
    }
}
