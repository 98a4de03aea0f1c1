//! Export benchmark: the Demo workspace with 10,000 evidence rows, exported as HTML and as PDF
//! (the whole path: read the store, build the report, render, write the file), against the
//! 2-second budget. Run it with `bench/report.sh` (release build).
//!
//! The rows are inserted with one transaction on a second connection (adding 10,000 files
//! through the app would mostly measure fsync); the report reads them as it reads any row.

#![allow(clippy::unwrap_used)]

use la_core::secrets::{Backend, Secrets};
use la_core::service::{Core, NoEvents};
use la_report::{Format, Lang, Scope};
use std::sync::Arc;
use std::time::Instant;

const ROWS: usize = 10_000;
const BUDGET_S: f64 = 2.0;
const RUNS: usize = 5;

fn main() {
    let rows = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(ROWS);
    let dir = tempfile::tempdir().unwrap();
    let core = Core::open(
        dir.path(),
        Secrets::new("io.listingassistant.bench", Backend::Mock),
        Arc::new(NoEvents),
    )
    .unwrap();
    let ws = core.store().workspace_by_name("Demo").unwrap().unwrap().id;
    let items: Vec<String> = la_core::checklist::checklist()
        .items
        .iter()
        .map(|i| i.id.clone())
        .collect();
    {
        let mut conn = rusqlite::Connection::open(core.store().path()).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .unwrap();
        let tx = conn.transaction().unwrap();
        for n in 0..rows {
            let sha = {
                use sha2::Digest;
                hex::encode(sha2::Sha256::digest(n.to_le_bytes()))
            };
            tx.execute(
                "INSERT INTO evidence (id, workspace_id, item_id, file_name, stored_path, sha256, size, added_by, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                rusqlite::params![
                    format!("bench-{n:05}"),
                    ws,
                    items[n % items.len()],
                    format!("screenshot-{n:05}-registration-page.png"),
                    format!("/nonexistent/{n}"),
                    sha,
                    1000 + n as i64,
                    "Bench tester",
                    "2026-11-23T10:00:00.000Z"
                ],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    println!(
        "Report export, Demo workspace with {rows} evidence rows, median of {RUNS} runs (budget {BUDGET_S} s each):"
    );
    println!("| format | language | median s | min s | × budget | size |");
    println!("|---|---|---:|---:|---:|---:|");
    for format in [Format::Html, Format::Pdf] {
        for lang in [Lang::En, Lang::Ja] {
            let out = dir.path().join(format!("r.{}", format.extension()));
            let mut times = Vec::new();
            let mut size = 0;
            for _ in 0..RUNS {
                let t = Instant::now();
                let e = la_report::export(&core, &ws, Scope::Workspace, lang, format, &out, false)
                    .unwrap();
                times.push(t.elapsed().as_secs_f64());
                size = e.bytes;
            }
            times.sort_by(f64::total_cmp);
            let median = times[RUNS / 2];
            println!(
                "| {} | {} | {median:.3} | {:.3} | {:.2} | {:.1} MiB |",
                format.extension(),
                lang.code(),
                times[0],
                median / BUDGET_S,
                size as f64 / 1024.0 / 1024.0
            );
        }
    }
    let pdf = dir.path().join("r.pdf");
    if let Ok(out) = std::process::Command::new("pdfinfo").arg(&pdf).output() {
        if let Some(pages) = String::from_utf8_lossy(&out.stdout)
            .lines()
            .find(|l| l.starts_with("Pages:"))
        {
            println!(
                "(last PDF: {})",
                pages.split_whitespace().collect::<Vec<_>>().join(" ")
            );
        }
    }
}
