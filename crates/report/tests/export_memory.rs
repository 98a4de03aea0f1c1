//! Exporting with evidence streams the zip: 80 MiB of evidence must not take 80 MiB of memory.
//! Alone in its own test binary so nothing else moves this process's peak memory (VmHWM).
//! The zip that comes out is complete: every entry of SHA256SUMS hashes to its line, the
//! report inside verifies, the file is private and nothing temporary is left beside it.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use la_report::{Format, Lang, Scope};
use sha2::{Digest, Sha256};
use std::io::Read;

const FILES: usize = 2;
const MIB_EACH: usize = 40;

/// Peak resident memory of this process so far, in KiB (Linux: /proc/self/status).
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[test]
fn a_large_evidence_export_streams_in_bounded_memory_and_is_complete() {
    if vm_hwm_kib().is_none() {
        eprintln!("no /proc/self/status here (not Linux); skipped");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let core = open(data.path());
    let ws = demo_id(&core);
    // Generated, incompressible-looking bytes, written a MiB at a time.
    for i in 0..FILES {
        let p = src.path().join(format!("capture-{i}.bin"));
        la_testkit::write_noise(&p, MIB_EACH, i as u64);
        core.add_evidence(&ws, "seller.public_profile", &p).unwrap();
        std::fs::remove_file(&p).unwrap();
    }
    let evidence_kib = (FILES * MIB_EACH * 1024) as u64;

    // Reset the high-water mark where the kernel allows it, so only the export counts.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = vm_hwm_kib().unwrap();
    let zip_path = out.path().join("report.zip");
    let e = la_report::export(
        &core,
        &ws,
        Scope::Workspace,
        Lang::En,
        Format::Json,
        &zip_path,
        true,
    )
    .unwrap();
    let growth = vm_hwm_kib().unwrap().saturating_sub(before);
    println!(
        "export of {} MiB of evidence: peak memory grew {} KiB",
        evidence_kib / 1024,
        growth
    );
    assert!(
        growth < evidence_kib / 4,
        "peak memory grew {growth} KiB exporting {evidence_kib} KiB of evidence: the zip is not streamed"
    );

    // The file on disk is the one reported, private, alone in its folder.
    let mut h = Sha256::new();
    std::io::copy(&mut std::fs::File::open(&zip_path).unwrap(), &mut h).unwrap();
    assert_eq!(hex::encode(h.finalize()), e.sha256);
    assert_eq!(std::fs::metadata(&zip_path).unwrap().len(), e.bytes);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&zip_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);

    // Complete: SHA256SUMS lists the report and every evidence file, and each hashes right.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut sums = String::new();
    zip.by_name("SHA256SUMS")
        .unwrap()
        .read_to_string(&mut sums)
        .unwrap();
    let lines: Vec<(&str, &str)> = sums.lines().filter_map(|l| l.split_once("  ")).collect();
    assert_eq!(lines.len(), 1 + e.evidence_files as usize, "{sums}");
    assert!(e.evidence_files as usize >= FILES);
    for (sum, name) in &lines {
        let mut h = Sha256::new();
        std::io::copy(&mut zip.by_name(name).unwrap(), &mut h).unwrap();
        assert_eq!(&hex::encode(h.finalize()), sum, "{name}");
    }
    let mut report = Vec::new();
    zip.by_name("report.json")
        .unwrap()
        .read_to_end(&mut report)
        .unwrap();
    la_report::sign::verify(&report, Some(&core.signing_fingerprint().unwrap())).unwrap();
}
