//! Paths a person chose in the native file dialog. A window's script can ask the desktop app to
//! read or write files; without this, a compromised or buggy page could name any path (read
//! `~/.aws/credentials` as "evidence", overwrite a file as a "report"). So the desktop's file
//! commands take only paths the dialog returned in this run, each once; the dialog itself is
//! opened from Rust. The CLI takes paths from its own arguments and does not use this.

use la_core::AppError;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How many chosen paths are remembered; older ones are forgotten (a dialog is chosen from
/// just before its use).
const REMEMBERED: usize = 64;

#[derive(Default)]
pub struct Picked(Mutex<VecDeque<PathBuf>>);

impl Picked {
    /// Remembers paths the dialog returned.
    pub fn record(&self, paths: &[PathBuf]) {
        let mut q = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for p in paths {
            q.push_back(p.clone());
        }
        while q.len() > REMEMBERED {
            q.pop_front();
        }
    }

    /// Takes a path the dialog returned (each use consumes it); any other path is refused.
    pub fn take(&self, path: &str) -> Result<PathBuf, AppError> {
        let wanted = Path::new(path);
        let mut q = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match q.iter().position(|p| p == wanted) {
            Some(i) => Ok(q.remove(i).unwrap_or_else(|| wanted.to_path_buf())),
            None => Err(AppError::invalid(format!(
                "{path} was not chosen in the file dialog: the app reads and writes only files you picked"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_picked_paths_pass_and_each_once() {
        let p = Picked::default();
        assert!(p.take("/home/u/.aws/credentials").is_err());
        p.record(&[PathBuf::from("/tmp/a.png"), PathBuf::from("/tmp/b.toml")]);
        assert!(p.take("/tmp/b.toml").is_ok());
        assert!(p.take("/tmp/b.toml").is_err(), "a pick is used once");
        assert!(p.take("/tmp/a.png").is_ok());
        // Only the newest picks are remembered.
        let many: Vec<PathBuf> = (0..REMEMBERED + 5)
            .map(|i| PathBuf::from(format!("/tmp/{i}")))
            .collect();
        p.record(&many);
        assert!(p.take("/tmp/0").is_err());
        assert!(p.take(&format!("/tmp/{}", REMEMBERED + 4)).is_ok());
    }
}
