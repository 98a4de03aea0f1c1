//! The checklist data is complete: all 12 steps, every source row covered, both languages,
//! no duplicate ids, and automated items name a check.

use la_core::checklist::{checklist, implemented_checks, parse, ItemKind, SourceOrigin, StepEnv};
use std::collections::HashSet;

fn has_japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}

#[test]
fn twelve_steps_in_four_phases() {
    let cl = checklist();
    let numbers: Vec<u32> = cl.steps.iter().map(|s| s.number).collect();
    assert_eq!(numbers, (1..=12).collect::<Vec<_>>());
    let phases: Vec<&str> = cl.phases.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        phases,
        [
            "seller_registration",
            "test_phase",
            "production_phase",
            "review_release"
        ]
    );
    for p in &cl.phases {
        assert!(!p.steps.is_empty(), "phase {} has no steps", p.id);
    }
    for s in &cl.steps {
        assert!(!s.items.is_empty(), "step {} has no items", s.number);
        for b in &s.blocked_by {
            assert!(cl.step(b).is_some(), "step {} blocked by unknown {b}", s.id);
        }
    }
    // Test-phase steps run on staging, production-phase steps on production.
    for s in &cl.steps {
        match s.phase.as_str() {
            "test_phase" => assert_eq!(s.env, StepEnv::Staging, "{}", s.id),
            "production_phase" => assert_eq!(s.env, StepEnv::Production, "{}", s.id),
            _ => assert_eq!(s.env, StepEnv::None, "{}", s.id),
        }
    }
}

#[test]
fn ids_are_unique() {
    let cl = checklist();
    let mut seen = HashSet::new();
    for id in cl
        .items
        .iter()
        .map(|i| &i.id)
        .chain(cl.steps.iter().map(|s| &s.id))
        .chain(cl.phases.iter().map(|p| &p.id))
        .chain(cl.sources.iter().map(|s| &s.id))
    {
        assert!(seen.insert(id.clone()), "duplicate id {id}");
    }
}

#[test]
fn every_text_in_both_languages() {
    let cl = checklist();
    let mut texts = Vec::new();
    for p in &cl.phases {
        texts.push((p.id.clone(), &p.title));
        texts.push((p.id.clone(), &p.summary));
    }
    for s in &cl.steps {
        texts.extend([
            (s.id.clone(), &s.title),
            (s.id.clone(), &s.todo),
            (s.id.clone(), &s.why),
        ]);
    }
    for i in &cl.items {
        texts.extend([(i.id.clone(), &i.title), (i.id.clone(), &i.help)]);
    }
    for r in &cl.sources {
        texts.push((r.id.clone(), &r.text));
    }
    for (id, t) in texts {
        assert!(!t.en.trim().is_empty(), "{id}: empty English");
        assert!(
            has_japanese(&t.ja),
            "{id}: Japanese text missing: {:?}",
            t.ja
        );
        assert!(!has_japanese(&t.en), "{id}: Japanese in the English text");
    }
}

#[test]
fn every_source_row_is_covered() {
    let cl = checklist();
    let covered: HashSet<&str> = cl
        .items
        .iter()
        .flat_map(|i| i.covers.iter().map(String::as_str))
        .collect();
    for r in &cl.sources {
        assert!(
            covered.contains(r.id.as_str()),
            "source row {} is covered by no item",
            r.id
        );
    }
    for i in &cl.items {
        for c in &i.covers {
            assert!(
                cl.sources.iter().any(|s| &s.id == c),
                "{} covers unknown row {c}",
                i.id
            );
        }
    }
    let count = |o: SourceOrigin| cl.sources.iter().filter(|s| s.origin == o).count();
    // AWS's SaaS integration checklist (seed 004) has 30 requirements: 3 Access, 6 Product,
    // 4 Billing, 7 Registration, 2 Subscription, 6 Security, 2 Reliability.
    assert_eq!(count(SourceOrigin::AwsChecklist), 30);
    // The vendor guide's five "Check" bullets (seed 000).
    assert_eq!(count(SourceOrigin::Guideline), 5);
    // Three confirmation scenarios (seed 003) plus cancellation.
    assert_eq!(count(SourceOrigin::Scenario), 4);
    for (cat, n) in [
        ("Access", 3),
        ("Product", 6),
        ("Billing", 4),
        ("Registration", 7),
        ("Subscription", 2),
        ("Security", 6),
        ("Reliability", 2),
    ] {
        let got = cl
            .sources
            .iter()
            .filter(|s| {
                s.origin == SourceOrigin::AwsChecklist && format!("{:?}", s.category) == cat
            })
            .count();
        assert_eq!(got, n, "AWS checklist rows in {cat}");
    }
}

#[test]
fn automated_items_name_a_check_and_others_do_not() {
    for i in &checklist().items {
        match i.kind {
            ItemKind::Automated => assert!(
                i.check.as_deref().is_some_and(|c| c.contains('.')),
                "{} has no check id",
                i.id
            ),
            _ => assert!(
                i.check.is_none(),
                "{} is not automated but names a check",
                i.id
            ),
        }
        assert!(
            i.doc_url.starts_with("https://docs.aws.amazon.com/"),
            "{}: {}",
            i.id,
            i.doc_url
        );
    }
}

#[test]
fn production_repeats_the_test_phase() {
    let cl = checklist();
    for (test, prod) in [
        ("s03", "s07"),
        ("s04", "s08"),
        ("s05", "s09"),
        ("s06", "s10"),
    ] {
        let t = cl.step(test).expect("test step");
        let p = cl.step(prod).expect("production step");
        for id in &t.items {
            let twin = id.replacen("staging.", "production.", 1);
            assert!(p.items.contains(&twin), "{prod} lacks {twin}");
        }
    }
    // Account posture is production only.
    assert!(cl.item("production.security.root_account").is_some());
    assert!(cl.item("staging.security.root_account").is_none());
    // The six registration probes keep exactly their documented check ids.
    for probe in [
        "https",
        "accepts_post",
        "invalid_token_graceful",
        "token_not_in_cookie",
        "repeat_post",
        "response_time",
    ] {
        let item = cl
            .item(&format!("staging.registration.{probe}"))
            .expect("probe item");
        assert_eq!(
            item.check.as_deref(),
            Some(format!("registration.{probe}").as_str())
        );
    }
}

#[test]
fn broken_data_is_rejected_with_a_reason() {
    let err = parse("version = 1\n[docs]\n[[phases]]\nid='x'").expect_err("incomplete file");
    assert!(
        err.contains("missing field") || err.contains("title"),
        "{err}"
    );
    let bad_doc = include_str!("../data/checklist.toml").replacen(
        "doc = \"registration\"",
        "doc = \"nope\"",
        1,
    );
    assert!(parse(&bad_doc).expect_err("unknown doc").contains("nope"));
}

#[test]
fn a_step_names_the_built_checks_of_its_items() {
    let cl = checklist();
    let s05 = cl.step("s05").expect("s05");
    assert!(s05.checks.contains(&"registration.https".to_string()));
    // A production step made from a template runs the template's checks on its own items.
    assert_eq!(cl.step("s09").expect("s09").checks, s05.checks);
    for step in &cl.steps {
        let from_items: HashSet<&str> = step
            .items
            .iter()
            .filter_map(|id| cl.item(id)?.check.as_deref())
            .filter(|c| implemented_checks().contains(c))
            .collect();
        let named: HashSet<&str> = step.checks.iter().map(String::as_str).collect();
        assert_eq!(
            named.len(),
            step.checks.len(),
            "{} repeats a check",
            step.id
        );
        assert_eq!(named, from_items, "{}", step.id);
    }
    // A check this build does not have is left out, so "Run checks" never offers it.
    let unbuilt = include_str!("../data/checklist.toml").replacen(
        "check = \"registration.https\"",
        "check = \"registration.not_built\"",
        1,
    );
    let cl = parse(&unbuilt).expect("parses");
    let s05 = cl.step("s05").expect("s05");
    assert!(!s05.checks.iter().any(|c| c == "registration.not_built"));
    assert!(!s05.checks.iter().any(|c| c == "registration.https"));
    assert!(s05.checks.iter().any(|c| c == "registration.accepts_post"));
}
