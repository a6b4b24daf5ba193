//! Writing a bundle: records in a zeroizing buffer (their hash must precede them), attachments
//! streamed from the encrypted store through age, 64 KiB at a time.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::Utc;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::manifest::{self, AttachmentEntry, Counts, Manifest, Sums, FORMAT, FORMAT_VERSION};
use super::{pipe, Progress, ProgressFn, Stage};
use crate::error::{BundleError, Error, Result};
use crate::model::RecordKind;
use crate::stop::Stoppable;
use crate::store::{audit, migrations, revisions, revisions::time_text, Store};
use crate::sync::SyncingFile;

/// What to put in a bundle.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// Everything not purged, instead of only what no receipt has acknowledged yet.
    pub all: bool,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    /// The bundle file.
    pub path: PathBuf,
    /// The bundle's id.
    pub bundle_id: Uuid,
    /// This device's sequence number for it.
    pub sequence: u64,
    /// The bundle's hash (SHA-256 of its SHA256SUMS).
    pub bundle_sha256: String,
    /// The previous bundle's hash, if any.
    pub previous_bundle_sha256: Option<String>,
    /// What it holds.
    pub counts: Counts,
    /// The size of the bundle file.
    pub file_bytes: u64,
}

struct Blob {
    attachment_id: Uuid,
    sha256: String,
    size: u64,
}

/// Counts bytes through to a progress callback.
struct Counting<'a, 'p, W: Write> {
    inner: W,
    done: u64,
    total: u64,
    progress: &'a mut ProgressFn<'p>,
    last: u64,
}

impl<W: Write> Counting<'_, '_, W> {
    /// Counts `n` bytes written to `inner` (directly or through `write`).
    fn count(&mut self, n: usize) {
        self.done += n as u64;
        if self.done - self.last >= 64 * 1024 {
            self.last = self.done;
            (self.progress)(Progress {
                stage: Stage::Export,
                done: self.done.min(self.total),
                total: self.total,
            });
        }
    }
}

impl<W: Write> Write for Counting<'_, '_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count(n);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn header(name: &str, size: u64, mtime: u64) -> Result<tar::Header> {
    let mut h = tar::Header::new_ustar();
    h.set_path(name)
        .map_err(|e| Error::Crypto(format!("tar path {name}: {e}")))?;
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(mtime);
    h.set_uid(0);
    h.set_gid(0);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    Ok(h)
}

impl Store {
    /// Writes a bundle to `out` (which must not exist): every revision no receipt has
    /// acknowledged (or every one not purged, with `options.all`), and the attachments of
    /// the attachment records among them. Logged. The sequence number is reserved in the store
    /// before the file is created, and given back if the export fails; after a crash it stays
    /// used. On any failure nothing is left at `out`.
    pub fn export_bundle(
        &mut self,
        out: &Path,
        options: ExportOptions,
        progress: &mut ProgressFn<'_>,
    ) -> Result<ExportSummary> {
        let recipients: Vec<age::x25519::Recipient> = self
            .office_recipients()?
            .iter()
            .map(|r| {
                r.parse()
                    .map_err(|e| Error::StoreDamaged(format!("office recipient {r}: {e}")))
            })
            .collect::<Result<_>>()?;
        if recipients.is_empty() {
            return Err(BundleError::NoRecipients.into());
        }
        let revisions = revisions::for_bundle(&self.conn, !options.all)?;
        if revisions.is_empty() {
            return Err(BundleError::NothingToExport.into());
        }

        // records.jsonl, in memory, zeroized after.
        let mut records = Zeroizing::new(Vec::new());
        let mut record_ids = BTreeSet::new();
        let mut attachment_records = BTreeSet::new();
        let mut tombstones = 0u64;
        for rev in &revisions {
            serde_json::to_writer(&mut *records, rev)
                .map_err(|e| Error::StoreDamaged(format!("revision {}: {e}", rev.id)))?;
            records.push(b'\n');
            record_ids.insert(rev.record_id);
            if rev.deleted {
                tombstones += 1;
            }
            if rev.kind == RecordKind::Attachment {
                attachment_records.insert(rev.record_id);
            }
        }
        let revision_ids: Vec<Uuid> = revisions.iter().map(|r| r.id).collect();
        drop(revisions);

        let mut blobs: Vec<Blob> = Vec::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT size_bytes, sha256 FROM attachment_blobs WHERE attachment_id = ?1",
            )?;
            for id in &attachment_records {
                let row: Option<(i64, String)> = stmt
                    .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                if let Some((size, sha256)) = row {
                    if !blobs.iter().any(|b| b.sha256 == sha256) {
                        blobs.push(Blob {
                            attachment_id: *id,
                            sha256,
                            size: u64::try_from(size).unwrap_or(0),
                        });
                    }
                }
            }
        }

        let previous: Option<String> = self
            .conn
            .query_row(
                "SELECT bundle_sha256 FROM bundles_out ORDER BY sequence DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        // Durable before any file bears it (see reserve_sequence).
        let sequence = reserve_sequence(&self.conn)?;
        let created_at = Utc::now();
        let counts = Counts {
            revisions: revision_ids.len() as u64,
            records: record_ids.len() as u64,
            tombstones,
            attachments: blobs.len() as u64,
            attachment_bytes: blobs.iter().map(|b| b.size).sum(),
        };
        let manifest = Manifest {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            bundle_id: Uuid::now_v7(),
            device_id: self.device.id,
            device_name: self.device.name.clone(),
            device_public_key: self.device.signing_public_key.clone(),
            sequence,
            previous_bundle_sha256: previous.clone(),
            created_at,
            schema_version: migrations::latest(),
            scope: if options.all { "all" } else { "incremental" }.into(),
            counts,
            records_bytes: records.len() as u64,
            attachments: blobs
                .iter()
                .map(|b| AttachmentEntry {
                    sha256: b.sha256.clone(),
                    size_bytes: b.size,
                })
                .collect(),
        };
        let mut manifest_bytes = match serde_json::to_vec_pretty(&manifest) {
            Ok(bytes) => bytes,
            Err(e) => {
                release_sequence(&self.conn, sequence);
                return Err(Error::StoreDamaged(e.to_string()));
            }
        };
        manifest_bytes.push(b'\n');
        let mut sums = Sums::default();
        sums.entries.push((
            manifest::MANIFEST.into(),
            hex::encode(Sha256::digest(&manifest_bytes)),
        ));
        sums.entries.push((
            manifest::RECORDS.into(),
            hex::encode(Sha256::digest(&records[..])),
        ));
        for b in &blobs {
            sums.entries.push((
                format!("{}{}", manifest::ATTACHMENTS_DIR, b.sha256),
                b.sha256.clone(),
            ));
        }
        let sums_text = sums.to_text();
        let bundle_sha256 = hex::encode(Sha256::digest(sums_text.as_bytes()));
        let signed = self.sign_minisign(
            sums_text.as_bytes(),
            &manifest.trusted_comment(),
            &format!(
                "signature from Fieldcase device {} ({})",
                self.device.name, self.device.id
            ),
        );
        let signature = match signed {
            Ok(signature) => signature,
            Err(e) => {
                release_sequence(&self.conn, sequence);
                return Err(e);
            }
        };

        let mtime = u64::try_from(created_at.timestamp()).unwrap_or(0);
        let parts = TarParts {
            small: [
                (manifest::MANIFEST, manifest_bytes.as_slice()),
                (manifest::SUMS, sums_text.as_bytes()),
                (manifest::SIGNATURE, signature.as_bytes()),
                (manifest::RECORDS, &records[..]),
            ],
            blobs: &blobs,
            out,
        };
        let file = match OpenOptions::new().write(true).create_new(true).open(out) {
            Ok(file) => file,
            Err(e) => {
                // No file bears the number: the next bundle may have it.
                release_sequence(&self.conn, sequence);
                return Err(Error::io(format!("creating {}", out.display()), e));
            }
        };
        let total = manifest_bytes.len() as u64
            + sums_text.len() as u64
            + signature.len() as u64
            + records.len() as u64
            + counts.attachment_bytes
            + 512 * (5 + blobs.len() as u64);
        let werr = |e: io::Error| Error::io(format!("writing {}", out.display()), e);
        let written = (|| -> Result<u64> {
            let encryptor = age::Encryptor::with_recipients(
                recipients.iter().map(|r| r as &dyn age::Recipient),
            )
            .map_err(|e| Error::Crypto(format!("encrypting the bundle: {e}")))?;
            // Synced as it is written, so the final sync has little left (crate::sync).
            let file = SyncingFile::new(file).map_err(werr)?;
            // A lock stops the export at its next write (crate::stop).
            let file = Stoppable::new(file, self.stopped.clone());
            let sealed = encryptor
                .wrap_output(BufWriter::with_capacity(256 * 1024, file))
                .map_err(werr)?;
            // age encrypts and writes on a thread of its own while this one decrypts the
            // attachments out of the store, checks them and builds the tar.
            let (plaintext, end) = pipe::plaintext_channel();
            let (built, sealed) = std::thread::scope(|scope| {
                let thread = scope.spawn(|| {
                    pipe::write_on_thread(end, sealed, |sealed| {
                        let buffered = sealed.finish()?;
                        buffered
                            .into_inner()
                            .map_err(|e| e.into_error())?
                            .into_inner()
                            .finish()
                    })
                });
                // Returns (dropping `plaintext`, which stops the thread) before the join.
                let built = self.write_tar(plaintext, &parts, total, mtime, &mut *progress);
                let sealed = thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (built, sealed)
            });
            let file = match (built, sealed) {
                (Ok(()), Ok(Some(file))) => file,
                // The writing thread's error is the cause of the tar's "writer stopped".
                (_, Err(e)) => return Err(werr(e)),
                (Err(e), Ok(_)) => return Err(e),
                (Ok(()), Ok(None)) => {
                    return Err(werr(io::Error::other("the bundle writer stopped")))
                }
            };
            (progress)(Progress {
                stage: Stage::Export,
                done: total,
                total,
            });
            Ok(file.metadata().map_err(werr)?.len())
        })();
        drop(records);
        let file_bytes = match written {
            Ok(n) => n,
            Err(e) => {
                self.unpublish(out, sequence);
                return self.unless_stopped(Err(e));
            }
        };
        #[cfg(test)]
        if super::tests::CRASH_AFTER_WRITING.get() {
            // What a kill -9 here leaves: the file complete, the store not told.
            panic!("a crash after writing the bundle, before recording it");
        }
        let recorded = (|| -> Result<()> {
            let tx = self.conn.unchecked_transaction()?;
            tx.execute(
                "INSERT INTO bundles_out (bundle_id, sequence, bundle_sha256, created_at, revision_ids, attachments)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    manifest.bundle_id.to_string(),
                    sequence as i64,
                    bundle_sha256,
                    time_text(created_at),
                    serde_json::to_string(&revision_ids).map_err(|e| Error::Sqlite(e.to_string()))?,
                    serde_json::to_string(&blobs.iter().map(|b| &b.sha256).collect::<Vec<_>>())
                        .map_err(|e| Error::Sqlite(e.to_string()))?,
                ],
            )?;
            self.audit_in(
                &tx,
                created_at,
                audit::Action::BundleExported,
                json!({"bundle_id": manifest.bundle_id, "sequence": sequence,
                       "bundle_sha256": bundle_sha256, "scope": manifest.scope,
                       "revisions": counts.revisions, "attachments": counts.attachments}),
            )?;
            tx.commit()?;
            Ok(())
        })();
        if let Err(e) = recorded {
            self.unpublish(out, sequence);
            return Err(e);
        }
        Ok(ExportSummary {
            path: out.to_path_buf(),
            bundle_id: manifest.bundle_id,
            sequence,
            bundle_sha256,
            previous_bundle_sha256: previous,
            counts,
            file_bytes,
        })
    }
}

/// Reserves the next bundle's sequence number, one past the last reserved or recorded, and
/// commits it (the store syncs every commit) before the bundle's file is created. A crash after
/// the file is written and before it is recorded in `bundles_out` then costs a number, which
/// the office sees as a gap, instead of giving the next bundle the same number: two bundles
/// under one number, one of which may already be on its way, are what the office refuses as a
/// copied laptop.
fn reserve_sequence(conn: &rusqlite::Connection) -> Result<u64> {
    let tx = conn.unchecked_transaction()?;
    let last: i64 = tx.query_row(
        "SELECT max(coalesce((SELECT reserved FROM bundle_sequence WHERE id = 1), 0),
                    coalesce((SELECT max(sequence) FROM bundles_out), 0))",
        [],
        |r| r.get(0),
    )?;
    let next = last + 1;
    tx.execute(
        "INSERT INTO bundle_sequence (id, reserved) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET reserved = excluded.reserved",
        [next],
    )?;
    tx.commit()?;
    Ok(u64::try_from(next).unwrap_or(0))
}

/// Gives back a reserved number that no file bears (the export failed before creating the
/// file, or removed it), so an ordinary failure leaves no gap. Best effort: if this fails the
/// number stays used, which is safe.
fn release_sequence(conn: &rusqlite::Connection, sequence: u64) {
    let _ = conn.execute(
        "UPDATE bundle_sequence SET reserved = ?1 - 1 WHERE id = 1 AND reserved = ?1",
        [sequence as i64],
    );
}

impl Store {
    /// Removes a bundle file an export failed to finish or record; its number is given back
    /// only if the file is gone.
    fn unpublish(&self, out: &Path, sequence: u64) {
        if fs::remove_file(out).is_ok() {
            release_sequence(&self.conn, sequence);
        }
    }
}

/// What goes into the tar, in order.
struct TarParts<'a> {
    small: [(&'static str, &'a [u8]); 4],
    blobs: &'a [Blob],
    out: &'a Path,
}

impl Store {
    /// Writes the tar into `plaintext` (the age thread's end), counting progress. On an error
    /// `plaintext` is dropped unfinished, which stops the thread without finishing the file.
    fn write_tar(
        &self,
        plaintext: pipe::Plaintext,
        parts: &TarParts<'_>,
        total: u64,
        mtime: u64,
        progress: &mut ProgressFn<'_>,
    ) -> Result<()> {
        let werr = |e: io::Error| Error::io(format!("writing {}", parts.out.display()), e);
        let counting = Counting {
            inner: plaintext,
            done: 0,
            total,
            progress,
            last: 0,
        };
        let mut tar = tar::Builder::new(counting);
        for (name, bytes) in parts.small {
            tar.append(&header(name, bytes.len() as u64, mtime)?, bytes)
                .map_err(werr)?;
        }
        for b in parts.blobs {
            // The store decrypts and checks the SHA-256 and size here, beside age's thread.
            let mut reader = self.attachment_reader(b.attachment_id)?;
            reader.check_inline();
            let name = format!("{}{}", manifest::ATTACHMENTS_DIR, b.sha256);
            // What tar::Builder::append writes (header, bytes, zeros to 512), with the bytes
            // read straight into the channel's buffer.
            let counting = tar.get_mut();
            counting
                .write_all(header(&name, b.size, mtime)?.as_bytes())
                .map_err(werr)?;
            let mut copied = 0u64;
            loop {
                let n = match counting.inner.fill_from(&mut reader).map_err(werr)? {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                        return Err(Error::AttachmentDamaged(b.attachment_id.to_string()))
                    }
                    Err(e) => {
                        return Err(Error::io(
                            format!("reading attachment {}", b.attachment_id),
                            e,
                        ))
                    }
                };
                counting.count(n);
                copied += n as u64;
            }
            let padding = (512 - copied % 512) % 512;
            counting
                .write_all(&[0u8; 512][..padding as usize])
                .map_err(werr)?;
        }
        let counting = tar.into_inner().map_err(werr)?;
        counting.inner.finish().map_err(werr)
    }
}
