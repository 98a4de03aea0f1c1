//! Files the app writes: private to the user (folders 0700, files 0600 on Unix), written aside
//! and renamed into place, the rename made durable by syncing the folder, and I/O failures told
//! as what they are (disk full, read-only) rather than as an OS error number.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Creates `dir` and its missing parents private to the user, and makes `dir` itself private
/// when it already existed (data folders made by older versions were 0755).
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)?;
    make_private(dir)
}

/// Sets `path` (a file or a folder) to owner-only access on Unix; no-op elsewhere (the
/// per-user profile folders of Windows and macOS are already private) and when it is gone.
pub fn make_private(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let mode = if meta.is_dir() { 0o700 } else { 0o600 };
        if meta.permissions().mode() & 0o777 != mode {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates a new file readable and writable by the user only; fails if it exists.
pub fn create_private_new(path: &Path) -> io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
}

/// Flushes a folder's entries (a rename, a new file) to disk. A rename is only durable once
/// its folder is synced: without it a power cut can bring back the old name.
/// A small text file read whole, or `None` when it is larger than `max` bytes: refused before
/// it is read into memory (a wrong file picked in a dialog, a device that never ends).
pub fn read_capped(path: &Path, max: u64) -> io::Result<Option<String>> {
    use std::io::Read;
    let mut text = String::new();
    File::open(path)?.take(max + 1).read_to_string(&mut text)?;
    Ok((text.len() as u64 <= max).then_some(text))
}

pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    // Windows cannot open a folder as a file; NTFS journals the rename itself.
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// `rename(from, to)` then a sync of `to`'s folder.
pub fn rename_durably(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::rename(from, to)?;
    sync_dir(parent_of(to))
}

fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A file written aside (a private temporary file in the destination's folder) and renamed over
/// the destination by [`AtomicFile::commit`]: readers see the old file or the new one, never a
/// part. Dropped without a commit, the temporary file is removed and the destination untouched.
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    file: Option<File>,
}

impl AtomicFile {
    pub fn create(dest: &Path) -> io::Result<Self> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        // A unique name: two exports to one destination at once must not share a temp file.
        let tmp = parent_of(dest).join(format!(
            ".{name}.{}.partial",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        ));
        let file = create_private_new(&tmp)?;
        Ok(Self {
            tmp,
            dest: dest.to_path_buf(),
            file: Some(file),
        })
    }

    pub fn file(&mut self) -> &mut File {
        self.file.as_mut().unwrap_or_else(|| {
            unreachable!("the file is only taken by commit, which consumes self")
        })
    }

    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }

    /// Syncs the data, renames over the destination and syncs the folder.
    pub fn commit(mut self) -> io::Result<()> {
        if let Some(f) = self.file.take() {
            f.sync_all()?;
        }
        rename_durably(&self.tmp, &self.dest)?;
        // Renamed: nothing left for Drop to remove.
        self.tmp = PathBuf::new();
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.file.take();
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// What kind of failure an I/O error is, for the message the user reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    DiskFull,
    ReadOnly,
    Other,
}

pub fn classify(e: &io::Error) -> Failure {
    // ENOSPC 28, EDQUOT 122 (Linux) / 69 (macOS); EROFS 30, EACCES 13, EPERM 1 (an immutable
    // file or folder). The raw numbers cover OSes where std maps them to `Other`.
    match e.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => return Failure::DiskFull,
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied => {
            return Failure::ReadOnly
        }
        _ => {}
    }
    #[cfg(unix)]
    match e.raw_os_error() {
        Some(28) => return Failure::DiskFull,
        #[cfg(target_os = "linux")]
        Some(122) => return Failure::DiskFull,
        Some(30) | Some(13) | Some(1) => return Failure::ReadOnly,
        _ => {}
    }
    Failure::Other
}

/// One line saying what failed, where, and what to do; nothing already saved was lost.
pub fn describe(what: &str, path: &Path, e: &io::Error) -> String {
    match classify(e) {
        Failure::DiskFull => format!(
            "The disk holding {} is full: {what} could not be saved. Free some space and try again; nothing saved before was lost.",
            path.display()
        ),
        Failure::ReadOnly => format!(
            "{} is read-only ({e}): {what} could not be saved. Make it writable for your user, or choose another folder; nothing saved before was lost.",
            path.display()
        ),
        Failure::Other => format!("{what}: cannot write {}: {e}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    }

    #[cfg(unix)]
    #[test]
    fn folders_and_files_are_private() {
        let t = tempfile::tempdir().expect("tempdir");
        let d = t.path().join("a/b");
        create_private_dir_all(&d).expect("dirs");
        assert_eq!(mode(&t.path().join("a")), 0o700);
        assert_eq!(mode(&d), 0o700);
        // An existing open folder is tightened.
        let open = t.path().join("open");
        std::fs::create_dir(&open).expect("dir");
        std::fs::set_permissions(&open, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
        create_private_dir_all(&open).expect("again");
        assert_eq!(mode(&open), 0o700);
        let f = d.join("f");
        create_private_new(&f).expect("file");
        assert_eq!(mode(&f), 0o600);
    }

    #[test]
    fn an_atomic_file_replaces_whole_or_not_at_all() {
        let t = tempfile::tempdir().expect("tempdir");
        let dest = t.path().join("report.html");
        std::fs::write(&dest, b"old").expect("old");
        {
            let mut a = AtomicFile::create(&dest).expect("create");
            std::io::Write::write_all(a.file(), b"half").expect("write");
            // Dropped without commit: a failed export.
        }
        assert_eq!(std::fs::read(&dest).expect("read"), b"old");
        assert_eq!(
            std::fs::read_dir(t.path()).expect("ls").count(),
            1,
            "no temp left"
        );
        let mut a = AtomicFile::create(&dest).expect("create");
        std::io::Write::write_all(a.file(), b"new").expect("write");
        a.commit().expect("commit");
        assert_eq!(std::fs::read(&dest).expect("read"), b"new");
        assert_eq!(std::fs::read_dir(t.path()).expect("ls").count(), 1);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_real_enospc_reads_as_disk_full() {
        // /dev/full answers every write with ENOSPC: the kernel's own disk-full error.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let e = std::io::Write::write_all(&mut f, &[0u8; 4096])
            .and_then(|_| f.sync_all())
            .expect_err("ENOSPC");
        assert_eq!(classify(&e), Failure::DiskFull);
        let m = describe("the report", Path::new("/out/r.zip"), &e);
        assert!(m.starts_with("The disk holding /out/r.zip is full"), "{m}");
        let ro = io::Error::from_raw_os_error(30);
        assert!(describe("x", Path::new("/d"), &ro).contains("is read-only"));
    }
}
