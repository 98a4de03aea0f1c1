//! Opening and writing the database when the disk is full, the folder is read-only or the file
//! is not ours: a specific message each, and nothing already written lost or changed.

#![allow(clippy::unwrap_used)]

use super::Store;
use crate::error::{AppError, CoreError, ErrorCode};
use std::path::{Path, PathBuf};

/// Makes a file or folder unwritable for this process until dropped: `chattr +i` where it works
/// (root ignores permission bits, not the immutable flag), else owner-only read permissions.
/// `None` when neither takes effect here (then the test says so and checks nothing).
struct ReadOnly {
    path: PathBuf,
    immutable: bool,
}

impl ReadOnly {
    fn make(path: &Path) -> Option<Self> {
        let chattr = std::process::Command::new("chattr")
            .arg("+i")
            .arg(path)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let guard = if chattr {
            ReadOnly {
                path: path.into(),
                immutable: true,
            }
        } else {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = if path.is_dir() { 0o500 } else { 0o400 };
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).ok()?;
            }
            ReadOnly {
                path: path.into(),
                immutable: false,
            }
        };
        // Prove it: a write must fail now, or the test would check nothing.
        let probe = if path.is_dir() {
            std::fs::write(path.join(".probe"), b"x").is_err()
        } else {
            std::fs::OpenOptions::new().append(true).open(path).is_err()
        };
        if probe {
            Some(guard)
        } else {
            eprintln!(
                "cannot make {} read-only for this process here; skipped",
                path.display()
            );
            None
        }
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.immutable {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.path)
                .status();
        } else {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = if self.path.is_dir() { 0o700 } else { 0o600 };
                let _ = std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(mode));
            }
        }
    }
}

fn app(e: CoreError) -> AppError {
    e.into()
}

#[test]
fn a_garbage_database_file_is_named_and_left_untouched() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("listing-assistant.sqlite3");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();
    let e = app(Store::open(&db).err().expect("not a database"));
    assert_eq!(e.code, ErrorCode::Storage);
    assert!(
        e.message.contains("is not a Listing Assistant database")
            && e.message.contains("move it aside")
            && e.message.contains(&db.display().to_string()),
        "{}",
        e.message
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        garbage,
        "the file is untouched"
    );
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    assert!(!Path::new(&wal).exists(), "no WAL was made next to it");
}

#[test]
fn a_full_disk_fails_the_write_with_its_message_and_keeps_what_was_saved() {
    let t = tempfile::tempdir().unwrap();
    let store = Store::open(&t.path().join("db.sqlite3")).unwrap();
    let kept = store.create_workspace("Kept", "P", false).unwrap();
    // SQLite's own disk-full path: a database capped at the pages it has now.
    store
        .with(|c| {
            let pages: i64 = c.query_row("PRAGMA page_count", [], |r| r.get(0))?;
            c.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
            Ok(())
        })
        .unwrap();
    let mut last = None;
    // A few writes fill the last free pages; then the disk is "full".
    for i in 0..200 {
        match store.create_workspace(&format!("W{i} {}", "x".repeat(60)), &"p".repeat(900), false) {
            Ok(_) => continue,
            Err(e) => {
                last = Some(app(e));
                break;
            }
        }
    }
    let e = last.expect("the capped database fills up");
    assert_eq!(e.code, ErrorCode::Storage);
    assert!(
        e.message
            .starts_with("The disk holding the data folder is full")
            && e.message.contains("everything saved before is kept"),
        "{}",
        e.message
    );
    store
        .with(|c| {
            c.query_row("PRAGMA max_page_count = 1073741823", [], |_| Ok(()))?;
            Ok(())
        })
        .unwrap();
    assert_eq!(store.workspace(&kept.id).unwrap().name, "Kept");
    let ok: String = store
        .with(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn a_read_only_data_folder_is_named_and_nothing_changes() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("data");
    let db = dir.join("listing-assistant.sqlite3");
    let store = Store::open(&db).unwrap();
    store.create_workspace("Kept", "P", false).unwrap();
    drop(store);
    let before = std::fs::read(&db).unwrap();
    let Some(_ro) = ReadOnly::make(&dir) else {
        return;
    };
    let e = app(Store::open(&db).err().expect("a read-only folder"));
    assert_eq!(e.code, ErrorCode::Storage);
    assert!(
        e.message
            .starts_with(&format!("The data folder {} is read-only", dir.display()))
            && e.message.contains("nothing in it was changed"),
        "{}",
        e.message
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn a_read_only_database_file_is_named() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("listing-assistant.sqlite3");
    let store = Store::open(&db).unwrap();
    store.create_workspace("Kept", "P", false).unwrap();
    drop(store);
    let Some(_ro) = ReadOnly::make(&db) else {
        return;
    };
    let e = app(Store::open(&db).err().expect("a read-only database"));
    assert_eq!(e.code, ErrorCode::Storage);
    assert!(e.message.contains("is read-only"), "{}", e.message);
}

#[cfg(unix)]
#[test]
fn the_database_and_its_folder_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("data");
    let db = dir.join("listing-assistant.sqlite3");
    let store = Store::open(&db).unwrap();
    store.create_workspace("W", "P", false).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("owners")), 0o700);
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        assert_eq!(mode(Path::new(&p)), 0o600, "{suffix}");
    }
    for lease in std::fs::read_dir(dir.join("owners")).unwrap() {
        assert_eq!(mode(&lease.unwrap().path()), 0o600);
    }
}

fn core_in(dir: &Path) -> crate::service::Core {
    crate::service::Core::open(
        dir,
        crate::secrets::Secrets::new(
            "io.listingassistant.storage-test",
            crate::secrets::Backend::Mock,
        ),
        std::sync::Arc::new(crate::service::NoEvents),
    )
    .unwrap()
}

#[test]
fn evidence_into_a_read_only_data_folder_is_named_and_records_nothing() {
    let t = tempfile::tempdir().unwrap();
    let data = t.path().join("data");
    let core = core_in(&data);
    let ws = core.create_workspace("W", "P").unwrap();
    let src = t.path().join("shot.png");
    std::fs::write(&src, b"png").unwrap();
    let item = "seller.public_profile";
    let Some(_ro) = ReadOnly::make(&data) else {
        return;
    };
    let e: AppError = core.add_evidence(&ws.id, item, &src).unwrap_err().into();
    assert_eq!(e.code, ErrorCode::Io);
    assert!(
        e.message
            .contains(&format!("{} is read-only", data.display()))
            && e.message
                .contains("the evidence file shot.png could not be saved"),
        "{}",
        e.message
    );
    assert!(core.list_evidence(&ws.id, item).unwrap().is_empty());
}

/// A real full disk where this process may mount one (root): a 2 MiB tmpfs.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path) -> Option<Self> {
        std::fs::create_dir_all(at).ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs"])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            Some(SmallDisk(at.into()))
        } else {
            eprintln!("cannot mount a small tmpfs here (needs root); skipped");
            None
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_really_full_disk_refuses_evidence_and_writes_with_its_message_and_keeps_the_rest() {
    let t = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(&t.path().join("disk")) else {
        return;
    };
    let data = disk.0.join("data");
    let core = core_in(&data);
    let ws = core.create_workspace("Kept", "P").unwrap();
    let big = t.path().join("big.bin");
    std::fs::write(&big, vec![7u8; 3 * 1024 * 1024]).unwrap();
    let item = "seller.public_profile";
    let e: AppError = core.add_evidence(&ws.id, item, &big).unwrap_err().into();
    assert_eq!(e.code, ErrorCode::Io);
    assert!(
        e.message
            .starts_with(&format!("The disk holding {} is full", data.display()))
            && e.message.contains("nothing saved before was lost"),
        "{}",
        e.message
    );
    assert!(core.list_evidence(&ws.id, item).unwrap().is_empty());
    assert!(
        std::fs::read_dir(data.join("evidence").join(&ws.id))
            .map(|d| d.count())
            .unwrap_or(0)
            == 0,
        "the partial copy was removed"
    );
    // Fill what is left, then a database write fails as a full disk and loses nothing.
    let filler = disk.0.join("filler");
    let _ = std::fs::write(&filler, vec![0u8; 2 * 1024 * 1024]);
    let mut failed = None;
    for i in 0..500 {
        if let Err(e) = core.create_workspace(&format!("W{i}"), &"p".repeat(2000)) {
            failed = Some(AppError::from(e));
            break;
        }
    }
    let e = failed.expect("the disk fills up");
    assert_eq!(e.code, ErrorCode::Storage);
    assert!(
        e.message
            .starts_with("The disk holding the data folder is full: the change was not saved"),
        "{}",
        e.message
    );
    let _ = std::fs::remove_file(&filler);
    assert!(core
        .list_workspaces()
        .unwrap()
        .iter()
        .any(|w| w.workspace.name == "Kept"));
}

#[cfg(unix)]
#[test]
fn evidence_files_and_folders_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let t = tempfile::tempdir().unwrap();
    let data = t.path().join("data");
    let core = core_in(&data);
    let ws = core.create_workspace("W", "P").unwrap();
    let src = t.path().join("shot.png");
    std::fs::write(&src, b"png").unwrap();
    let ev = core
        .add_evidence(&ws.id, "seller.public_profile", &src)
        .unwrap();
    let file = core.evidence_file(&ev.id).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    let mut dir = file.parent().unwrap();
    while dir != data {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
        dir = dir.parent().unwrap();
    }
    assert_eq!(mode(&data), 0o700);
    // An exported environment file is written aside and private too.
    let env = t.path().join("staging.toml");
    core.export_environment_file(&ws.id, crate::model::EnvKind::Staging, &env)
        .unwrap();
    assert_eq!(mode(&env), 0o600);
    assert_eq!(
        std::fs::read_dir(t.path()).unwrap().count(),
        3,
        "no temp file left"
    );
}
