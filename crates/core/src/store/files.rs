//! The database's files: created private to the user, and the ways opening them fails told as
//! what they are — a full disk, a read-only folder, a file that is not our database — each
//! leaving what is on disk as it was.

use crate::error::{CoreError, Result};
use crate::fsutil::{self, Failure};
use std::path::Path;

/// Runs the opening steps, turning their failures into messages that name the file and say
/// what to do.
pub(super) fn open<T>(path: &Path, steps: impl FnOnce() -> Result<T>) -> Result<T> {
    steps().map_err(|e| open_error(path, e))
}

/// Creates an empty database file owner-only, so SQLite (which gives its WAL and shared-memory
/// files the database's permissions) never makes a readable one. An existing file is kept.
pub(super) fn create_private_db(path: &Path) -> std::io::Result<()> {
    match fsutil::create_private_new(path) {
        Ok(_) => fsutil::sync_dir(path.parent().unwrap_or(Path::new("."))),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Tightens the database, its WAL and shared-memory files (older versions left them 0644).
pub(super) fn make_db_private(path: &Path) -> std::io::Result<()> {
    fsutil::make_private(path)?;
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        fsutil::make_private(Path::new(&p))?;
    }
    Ok(())
}

/// SQLite opens a file it may not write read-only without a word, and the first save would
/// fail much later; say so now instead.
pub(super) fn refuse_read_only(conn: &rusqlite::Connection) -> Result<()> {
    if conn.is_readonly(rusqlite::MAIN_DB)? {
        return Err(CoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
            Some("the database file cannot be written".into()),
        )));
    }
    Ok(())
}

pub(super) fn open_error(path: &Path, e: CoreError) -> CoreError {
    use rusqlite::ErrorCode as C;
    let dir = path.parent().unwrap_or(Path::new("."));
    let full = || {
        CoreError::Storage(format!(
            "The disk holding the data folder {} is full: Listing Assistant cannot open its database. Free some space and try again; nothing in the folder was changed.",
            dir.display()
        ))
    };
    let read_only = |why: String| {
        CoreError::Storage(format!(
            "The data folder {} is read-only ({why}): Listing Assistant needs to write its database there. Make the folder and its files writable for your user, or open another data folder; nothing in it was changed.",
            dir.display()
        ))
    };
    match e {
        CoreError::Sqlite(ref s) => match s.sqlite_error_code() {
            Some(C::NotADatabase) => CoreError::Storage(format!(
                "{} is not a Listing Assistant database (SQLite: {s}): move it aside (or open another data folder) and start again; the file was left untouched.",
                path.display()
            )),
            Some(C::DiskFull) => full(),
            Some(C::ReadOnly) | Some(C::PermissionDenied) | Some(C::CannotOpen) => {
                read_only(s.to_string())
            }
            _ => e,
        },
        CoreError::Io(ref io) => match fsutil::classify(io) {
            Failure::DiskFull => full(),
            Failure::ReadOnly => read_only(io.to_string()),
            Failure::Other => e,
        },
        other => other,
    }
}
