//! Evidence files: copied into the data folder, hashed while copied, fsynced before the row
//! that points at them is committed.

use super::{ChangeKind, Core, MAX_EVIDENCE_BYTES};
use crate::checklist::checklist;
use crate::error::{CoreError, Result};
use crate::model::Evidence;
use crate::store::now;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

impl Core {
    /// Copies a file into the data directory, hashing it on the way, and records it.
    pub fn add_evidence(
        &self,
        workspace_id: &str,
        item_id: &str,
        source: &Path,
    ) -> Result<Evidence> {
        self.store.workspace(workspace_id)?;
        if checklist().item(item_id).is_none() {
            return Err(CoreError::NotFound(format!("No checklist item {item_id}.")));
        }
        let meta = std::fs::metadata(source)
            .map_err(|e| CoreError::Invalid(format!("Cannot read {}: {e}.", source.display())))?;
        if !meta.is_file() {
            return Err(CoreError::Invalid(format!(
                "{} is not a file.",
                source.display()
            )));
        }
        if meta.len() > MAX_EVIDENCE_BYTES {
            return Err(CoreError::Invalid(format!(
                "{} is larger than {} MiB; attach a smaller file or a link in the note.",
                source.display(),
                MAX_EVIDENCE_BYTES / 1024 / 1024
            )));
        }
        let file_name = sanitize_file_name(
            &source
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "evidence".into()),
        );
        let id = uuid::Uuid::new_v4().to_string();
        let dir = self.data_dir.join("evidence").join(workspace_id).join(&id);
        let dest = dir.join(&file_name);
        let tmp = dir.join(".partial");
        // Private folder and file, bytes synced, then renamed and the folder synced: the row
        // committed next never points at a file a power cut could take back.
        let copied = crate::fsutil::create_private_dir_all(&dir)
            .map_err(CoreError::from)
            .and_then(|_| copy_hashed(source, &tmp))
            .and_then(|v| {
                crate::fsutil::rename_durably(&tmp, &dest)?;
                Ok(v)
            })
            .map_err(|e| match e {
                CoreError::Io(io) => CoreError::File(crate::fsutil::describe(
                    &format!("the evidence file {file_name}"),
                    &self.data_dir,
                    &io,
                )),
                other => other,
            });
        let (sha256, size) = match copied {
            Ok(v) => v,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(e);
            }
        };
        let ev = Evidence {
            id,
            item_id: item_id.to_string(),
            file_name,
            sha256,
            size: u32::try_from(size).unwrap_or(u32::MAX),
            added_by: self.actor(),
            added_at: now(),
        };
        if let Err(e) = self
            .store
            .insert_evidence(workspace_id, &dest.display().to_string(), &ev)
        {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
        self.emit(Some(workspace_id), ChangeKind::Evidence);
        Ok(ev)
    }

    pub fn list_evidence(&self, workspace_id: &str, item_id: &str) -> Result<Vec<Evidence>> {
        self.store.evidence(workspace_id, item_id)
    }

    pub fn evidence_file(&self, evidence_id: &str) -> Result<PathBuf> {
        Ok(PathBuf::from(self.store.evidence_path(evidence_id)?))
    }
}

pub(super) fn sanitize_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if cleaned.is_empty() {
        "evidence".into()
    } else {
        cleaned.chars().take(180).collect()
    }
}

fn copy_hashed(source: &Path, dest: &Path) -> Result<(String, u64)> {
    let mut input = std::fs::File::open(source)
        .map_err(|e| CoreError::Invalid(format!("Cannot read {}: {e}.", source.display())))?;
    let mut output = crate::fsutil::create_private_new(dest)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = input
            .read(&mut buf)
            .map_err(|e| CoreError::Invalid(format!("Cannot read {}: {e}.", source.display())))?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > MAX_EVIDENCE_BYTES {
            return Err(CoreError::Invalid(
                "The file grew past the evidence size limit while it was copied.".into(),
            ));
        }
        hasher.update(&buf[..n]);
        output.write_all(&buf[..n])?;
    }
    // The row that points at this file is committed next; the bytes must be on disk first.
    output.sync_all()?;
    Ok((hex::encode(hasher.finalize()), total))
}
