//! Writing an export: the report alone, or a zip with the evidence, streamed to a private
//! temporary file beside the destination while its SHA-256 is computed, then synced and renamed
//! over the destination (and the folder synced). Memory stays at one 64 KiB buffer whatever
//! the evidence weighs; a failure leaves the destination as it was and no temporary file.

use la_core::fsutil::{describe, AtomicFile};
use la_core::model::Evidence;
use la_core::{AppError, ErrorCode};
use sha2::{Digest, Sha256};
use std::io::{self, Read, Write};
use std::path::Path;

/// What was written.
pub(crate) struct Written {
    pub bytes: u64,
    pub sha256: String,
    pub evidence_files: u32,
}

/// A writer that hashes and counts what passes through it: the file's SHA-256 without reading
/// it back.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn write_error(out: &Path, e: io::Error) -> AppError {
    AppError::new(ErrorCode::Io, describe("the report", out, &e))
}

fn zip_error(out: &Path, e: zip::result::ZipError) -> AppError {
    match e {
        zip::result::ZipError::Io(io) => write_error(out, io),
        other => AppError::new(
            ErrorCode::Io,
            format!("Could not write the zip {}: {other}", out.display()),
        ),
    }
}

/// The report alone.
pub(crate) fn write_plain(out: &Path, body: &[u8]) -> Result<Written, AppError> {
    let mut f = AtomicFile::create(out).map_err(|e| write_error(out, e))?;
    f.file().write_all(body).map_err(|e| write_error(out, e))?;
    f.commit().map_err(|e| write_error(out, e))?;
    Ok(Written {
        bytes: body.len() as u64,
        sha256: hex::encode(Sha256::digest(body)),
        evidence_files: 0,
    })
}

/// The zip: `report_name`, every evidence file under `evidence/ITEM/ID8-NAME`, and
/// `SHA256SUMS` listing all of them for `sha256sum -c`. An evidence file whose bytes no longer
/// hash to what was recorded stops the export (nothing is written).
pub(crate) fn write(
    out: &Path,
    report_name: &str,
    report: &[u8],
    files: &[(Evidence, String)],
) -> Result<Written, AppError> {
    use zip::write::SimpleFileOptions;
    let mut tmp = AtomicFile::create(out).map_err(|e| write_error(out, e))?;
    let file = tmp.file().try_clone().map_err(|e| write_error(out, e))?;
    // The stream writer never seeks back (sizes go in data descriptors), so every byte passes
    // the hasher once, in file order.
    let mut zip = zip::ZipWriter::new_stream(Hashing {
        inner: io::BufWriter::with_capacity(64 * 1024, file),
        hasher: Sha256::new(),
        bytes: 0,
    });
    // Evidence is mostly screenshots and PDFs, already compressed: store, do not deflate.
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(false);
    let z = |e| zip_error(out, e);
    let w = |e| write_error(out, e);
    zip.start_file(report_name, opts).map_err(z)?;
    zip.write_all(report).map_err(w)?;
    let mut sums = format!("{}  {report_name}\n", hex::encode(Sha256::digest(report)));
    let mut buf = vec![0u8; 64 * 1024];
    for (ev, stored) in files {
        let name = format!(
            "evidence/{}/{}-{}",
            ev.item_id,
            &ev.id[..ev.id.len().min(8)],
            ev.file_name
        );
        let read_err = |e: io::Error| {
            AppError::new(
                ErrorCode::Io,
                format!("Cannot read the evidence file {}: {e}", ev.file_name),
            )
        };
        let mut input = std::fs::File::open(stored).map_err(read_err)?;
        zip.start_file(name.as_str(), opts).map_err(z)?;
        let mut hasher = Sha256::new();
        loop {
            let n = input.read(&mut buf).map_err(read_err)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            zip.write_all(&buf[..n]).map_err(w)?;
        }
        let actual = hex::encode(hasher.finalize());
        if actual != ev.sha256 {
            // `tmp` is dropped on return: the partial zip goes with it.
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "The evidence file {} of {} changed on disk since it was added (SHA-256 {} recorded, {} now); nothing was exported.",
                    ev.file_name, ev.item_id, ev.sha256, actual
                ),
            ));
        }
        sums.push_str(&format!("{}  {}\n", ev.sha256, name));
    }
    zip.start_file("SHA256SUMS", opts).map_err(z)?;
    zip.write_all(sums.as_bytes()).map_err(w)?;
    let stream = zip.finish().map_err(z)?;
    let mut hashing = stream.into_inner();
    hashing.flush().map_err(w)?;
    let Hashing {
        inner,
        hasher,
        bytes,
    } = hashing;
    // The clone of the temporary file's handle: closed before the rename.
    drop(inner);
    let sha256 = hex::encode(hasher.finalize());
    tmp.commit().map_err(w)?;
    Ok(Written {
        bytes,
        sha256,
        evidence_files: files.len() as u32,
    })
}
