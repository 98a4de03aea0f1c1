//! The process lease that tells live work from work whose process is gone.

use crate::error::Result;
use std::path::{Path, PathBuf};

/// A process's lease on the data folder: `owners/<id>.lock`, locked exclusively for as long as
/// the process lives. The operating system drops the lock when the process ends however it ends
/// (a crash, SIGKILL), so "can I lock it?" tells whether its owner is gone — with no PID reuse
/// to be fooled by and on every platform std's file locks cover.
pub(super) struct Lease {
    pub(super) id: String,
    dir: PathBuf,
    _file: std::fs::File,
}

impl Lease {
    pub(super) fn take(data_dir: &Path) -> Result<Self> {
        let dir = data_dir.join("owners");
        crate::fsutil::create_private_dir_all(&dir)?;
        sweep_abandoned(&dir);
        let id = uuid::Uuid::new_v4().to_string();
        let file = crate::fsutil::create_private_new(&dir.join(format!("{id}.lock")))?;
        file.lock()?;
        Ok(Self {
            id,
            dir,
            _file: file,
        })
    }

    /// True while the owner's process still holds its lease. A lease found abandoned is removed.
    pub(super) fn is_alive(&self, id: &str) -> bool {
        // Ids are UUIDs this code wrote; anything else cannot name a lease file.
        if uuid::Uuid::parse_str(id).is_err() {
            return false;
        }
        let path = self.dir.join(format!("{id}.lock"));
        let Ok(file) = std::fs::OpenOptions::new().write(true).open(&path) else {
            return false;
        };
        match file.try_lock() {
            Ok(()) => {
                let _ = std::fs::remove_file(&path);
                false
            }
            Err(_) => true,
        }
    }
}

/// Removes the leases of processes that ended without removing their own (a crash, a kill).
fn sweep_abandoned(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        // Only leases (UUID names); seed.lock must keep its identity while others wait on it.
        let is_lease = path.extension().is_some_and(|x| x == "lock")
            && path
                .file_stem()
                .and_then(|s| s.to_str())
                .is_some_and(|s| uuid::Uuid::parse_str(s).is_ok());
        if is_lease {
            if let Ok(f) = std::fs::OpenOptions::new().write(true).open(&path) {
                if f.try_lock().is_ok() {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.dir.join(format!("{}.lock", self.id)));
    }
}
