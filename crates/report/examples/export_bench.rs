//! Export benchmark: the Demo workspace with 10,000 evidence rows, exported as HTML and as PDF
//! (the whole path: read the store, build the report, render, write the file), against the
//! 2-second budget; then a report with 1 GiB of evidence files exported as the zip, against the
//! 100 MB peak-memory budget (issue 15). Run it with `bench/report.sh` (release build).
//!
//! The rows are inserted with one transaction on a second connection (adding 10,000 files
//! through the app would mostly measure fsync); the report reads them as it reads any row.

#![allow(clippy::unwrap_used)]

use la_report::{Format, Lang, Scope};
use std::time::Instant;

const ROWS: usize = 10_000;
const BUDGET_S: f64 = 2.0;
const RUNS: usize = 5;

/// Resident memory of this process in KiB: now (VmRSS) and at its peak (VmHWM).
fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A report with `mib` MiB of evidence files (64 MiB each, incompressible-looking bytes) exported
/// as the zip; prints its time and the process's peak memory during the export.
fn zip_export(mib: usize) {
    const BUDGET_MB: f64 = 100.0;
    let data = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let core = la_testkit::core::open(data.path());
    let ws = core.store().workspace_by_name("Demo").unwrap().unwrap().id;
    let files = mib.div_ceil(64);
    for i in 0..files {
        let p = src.path().join(format!("capture-{i:02}.bin"));
        la_testkit::write_noise(&p, 64.min(mib - i * 64), i as u64);
        core.add_evidence(&ws, "seller.public_profile", &p).unwrap();
        std::fs::remove_file(&p).unwrap();
    }
    // Only the export counts: the kernel resets the peak to the current size.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = rss_kib("VmRSS:");
    let out = data.path().join("report.zip");
    let t = Instant::now();
    let e = la_report::export(
        &core,
        &ws,
        Scope::Workspace,
        Lang::En,
        Format::Html,
        &out,
        true,
    )
    .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let peak_mb = rss_kib("VmHWM:") as f64 * 1024.0 / 1e6;
    println!(
        "zip with {mib} MiB of evidence ({files} files): {secs:.1} s, {:.0} MiB written; peak RSS {peak_mb:.1} MB (was {:.1} MB before), budget {BUDGET_MB:.0} MB -> {:.2}x",
        e.bytes as f64 / 1024.0 / 1024.0,
        before as f64 * 1024.0 / 1e6,
        peak_mb / BUDGET_MB
    );
}

fn main() {
    let rows = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(ROWS);
    let dir = tempfile::tempdir().unwrap();
    let core = la_testkit::core::open(dir.path());
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
    let zip_mib = std::env::var("LA_BENCH_ZIP_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    if zip_mib > 0 {
        zip_export(zip_mib);
    }
}
