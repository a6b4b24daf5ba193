//! Verifying and importing a bundle. Both decrypt with the office identity held in the store
//! and run the same reader; import streams into one open SQLCipher transaction (so nothing
//! of the plaintext reaches disk unencrypted) and commits only after the last check,
//! including age's final chunk. A failure, or a kill -9, leaves the store as it was; blob
//! files written for attachments are removed (or swept at the next unlock).

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use chrono::Utc;
use rusqlite::{params, Connection, Transaction};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::pipe::{decrypt_on_thread, plaintext_from_thread, CipherCount, CipherSource};
use super::read::{read_bundle, Discard, Opened, Sink, StreamState};
use super::{ProgressFn, Stage};
use crate::error::{BundleError, Error, Result};
use crate::secret::DataKey;
use crate::store::keys::{office_identity, parse_identity, trusted_by_key_id};
use crate::store::{attachments, audit, revisions, revisions::time_text, Revision, Store};

/// How a bundle fits the bundles already imported from its device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Gaps {
    /// Sequence numbers below the newest seen that have not arrived.
    pub missing: Vec<u64>,
    /// Whether a later bundle from this device was imported before this one.
    pub out_of_order: bool,
    /// Whether this bundle's previous-bundle hash differs from the bundle imported with the
    /// sequence before it (a replaced or forged history).
    pub previous_mismatch: bool,
    /// Whether this very bundle was imported before.
    pub already_imported: bool,
}

/// What `verify` found (nothing was written).
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// The bundle's manifest.
    pub manifest: super::Manifest,
    /// The trusted key that signed it.
    pub signer: crate::store::TrustedKey,
    /// SHA-256 of its SHA256SUMS.
    pub bundle_sha256: String,
    /// How it fits what was imported before.
    pub gaps: Gaps,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    /// The bundle's id.
    pub bundle_id: Uuid,
    /// The device that wrote it.
    pub device_id: Uuid,
    /// The device's name.
    pub device_name: String,
    /// The name the office trusts the signing key under.
    pub signer: String,
    /// The device's sequence number for this bundle.
    pub sequence: u64,
    /// SHA-256 of its SHA256SUMS.
    pub bundle_sha256: String,
    /// Revisions new to this store.
    pub added: u64,
    /// Revisions already here (skipped).
    pub known: u64,
    /// Tombstones among the new revisions.
    pub tombstones: u64,
    /// Attachment records whose file was stored (identical files count once per record).
    pub attachments_stored: u64,
    /// Records now with two or more heads.
    pub conflicts: Vec<Uuid>,
    /// How it fits what was imported before.
    pub gaps: Gaps,
}

fn decrypt_error(e: age::DecryptError, state: &StreamState) -> Error {
    use age::DecryptError as D;
    match e {
        D::NoMatchingKeys => BundleError::OtherOffice.into(),
        D::UnknownFormat => BundleError::NotAge(e.to_string()).into(),
        D::Io(io) if io.kind() == io::ErrorKind::UnexpectedEof => BundleError::Truncated.into(),
        D::Io(io) if state.cipher_eof.get() => {
            let _ = io;
            BundleError::Truncated.into()
        }
        other => BundleError::Damaged(format!("its header: {other}")).into(),
    }
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Opens the bundle file and runs the reader over its plaintext into `sink`.
fn open_and_read(
    conn: &Connection,
    path: &Path,
    stage: Stage,
    progress: &mut ProgressFn<'_>,
    sink: &mut dyn Sink,
) -> Result<Opened> {
    let identity_secret = office_identity(conn)?.ok_or(BundleError::NotAnOffice)?;
    let identity = parse_identity(&identity_secret)?;
    drop(identity_secret);
    let file = File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    let total = file
        .metadata()
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?
        .len();
    if total == 0 {
        return Err(BundleError::Empty.into());
    }
    let mut file = file;
    let mut magic = [0u8; 21];
    let n = read_up_to(&mut file, &mut magic)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    if !(magic[..n].starts_with(b"age-encryption.org/")
        || magic[..n].starts_with(b"-----BEGIN AGE"))
    {
        return Err(BundleError::NotAge("it does not start as an age file does".into()).into());
    }
    io::Seek::rewind(&mut file).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let state = StreamState::default();
    let count = CipherCount::default();
    let source = CipherSource {
        file,
        count: count.clone(),
    };
    // The header and the office identity are read here; if they fail, say why as before.
    let header_error = |e: age::DecryptError| {
        state.cipher_eof.set(count.eof.load(Ordering::Relaxed));
        decrypt_error(e, &state)
    };
    let decryptor = age::Decryptor::new_buffered(BufReader::with_capacity(128 * 1024, source))
        .map_err(header_error)?;
    let plain = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(header_error)?;
    // The chunks are decrypted on a thread of their own while this one reads the tar.
    let (reader, end) = plaintext_from_thread(state.clone(), stage, total, progress);
    let trust = |id: &str| trusted_by_key_id(conn, id);
    std::thread::scope(|scope| {
        scope.spawn(|| decrypt_on_thread(end, plain, &count));
        // Dropping `reader` when this returns stops the thread if it is not done.
        read_bundle(reader, &trust, &state, sink)
    })
}

fn gaps(conn: &Connection, opened: &Opened) -> Result<Gaps> {
    let m = &opened.manifest;
    let mut stmt = conn.prepare(
        "SELECT bundle_id, sequence, bundle_sha256 FROM bundles_in WHERE device_key = ?1 ORDER BY sequence",
    )?;
    let rows = stmt
        .query_map([&opened.signer.public_key], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let already_imported = rows.iter().any(|r| r.0 == m.bundle_id.to_string());
    let mut seen: BTreeSet<u64> = rows
        .iter()
        .map(|r| u64::try_from(r.1).unwrap_or(0))
        .collect();
    let newest_before = seen.iter().next_back().copied().unwrap_or(0);
    seen.insert(m.sequence);
    let newest = seen.iter().next_back().copied().unwrap_or(0);
    let missing = (1..newest).filter(|s| !seen.contains(s)).collect();
    let previous_mismatch = match (m.sequence.checked_sub(1), &m.previous_bundle_sha256) {
        (Some(prev), declared) if prev > 0 => rows
            .iter()
            .find(|r| u64::try_from(r.1).unwrap_or(0) == prev)
            .is_some_and(|r| Some(&r.2) != declared.as_ref()),
        _ => false,
    };
    Ok(Gaps {
        missing,
        out_of_order: !already_imported && m.sequence < newest_before,
        previous_mismatch,
        already_imported,
    })
}

struct ImportSink<'t> {
    tx: &'t Transaction<'t>,
    key: &'t DataKey,
    dir: PathBuf,
    blobs: Vec<PathBuf>,
    added: Vec<Revision>,
    all: Vec<Uuid>,
    known: u64,
    attachments_stored: u64,
    /// Search-index writes held back until the records are all in (written before the
    /// reader's first attachment, or after the last record if there is none).
    search: revisions::PendingIndexes,
}

impl Sink for ImportSink<'_> {
    fn opened(&mut self, _: &Opened) -> Result<()> {
        Ok(())
    }

    fn revision(&mut self, rev: &Revision) -> Result<()> {
        self.all.push(rev.id);
        if revisions::apply_foreign_held(self.tx, rev, &mut self.search)? {
            let mut kept = rev.clone();
            kept.body = None;
            kept.identity = None;
            self.added.push(kept);
        } else {
            self.known += 1;
        }
        Ok(())
    }

    fn attachment(&mut self, sha256: &str, size: u64, bytes: &mut dyn Read) -> Result<()> {
        self.search.flush(self.tx)?;
        // Every attachment record with these bytes still lacks its file: a bundle carries
        // identical files once, and each record gets a blob of its own.
        let waiting: Vec<String> = self
            .tx
            .prepare_cached(
                "SELECT DISTINCT v.record_id FROM revisions v
                 WHERE v.kind = 'attachment' AND json_extract(v.body, '$.sha256') = ?1
                   AND v.record_id NOT IN (SELECT attachment_id FROM attachment_blobs)
                 ORDER BY v.record_id",
            )?
            .query_map([sha256], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let Some((first, others)) = waiting.split_first() else {
            io::copy(bytes, &mut io::sink()).map_err(|e| Error::io("reading the bundle", e))?;
            return Ok(());
        };
        // The reader checks these bytes against SHA256SUMS once they have all passed; a
        // mismatch fails the import and these blobs are removed with the rest.
        let (blob, path, stored_size) = attachments::store_blob(self.key, &self.dir, bytes)?;
        self.blobs.push(path);
        if stored_size != size {
            return Err(BundleError::HashMismatch(format!("attachments/{sha256}")).into());
        }
        self.record_blob(first, &blob, size, sha256)?;
        for record_id in others {
            let (copy, path, _) = attachments::copy_blob(self.key, &self.dir, &blob)?;
            self.blobs.push(path);
            self.record_blob(record_id, &copy, size, sha256)?;
        }
        Ok(())
    }
}

impl ImportSink<'_> {
    fn record_blob(&mut self, record_id: &str, blob: &str, size: u64, sha256: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO attachment_blobs (attachment_id, blob, size_bytes, sha256) VALUES (?1, ?2, ?3, ?4)",
            params![record_id, blob, size as i64, sha256],
        )?;
        self.attachments_stored += 1;
        Ok(())
    }
}

impl Store {
    /// Makes every check an import makes, and writes nothing.
    pub fn verify_bundle(
        &self,
        path: &Path,
        progress: &mut ProgressFn<'_>,
    ) -> Result<VerifyReport> {
        let opened = open_and_read(&self.conn, path, Stage::Verify, progress, &mut Discard)?;
        let gaps = gaps(&self.conn, &opened)?;
        Ok(VerifyReport {
            manifest: opened.manifest,
            signer: opened.signer,
            bundle_sha256: opened.bundle_sha256,
            gaps,
        })
    }

    /// Imports a bundle: all of it, in one transaction, after every check; or nothing.
    /// Importing the same bundle again changes nothing.
    pub fn import_bundle(
        &mut self,
        path: &Path,
        progress: &mut ProgressFn<'_>,
    ) -> Result<ImportSummary> {
        let device_id = self.device.id.to_string();
        let author = self.device.author.clone();
        let dir = self.dir.clone();
        let tx = self.conn.transaction()?;
        let mut sink = ImportSink {
            tx: &tx,
            key: &self.key,
            dir,
            blobs: Vec::new(),
            added: Vec::new(),
            all: Vec::new(),
            known: 0,
            attachments_stored: 0,
            search: revisions::PendingIndexes::default(),
        };
        let result = (|| -> Result<ImportSummary> {
            let opened = open_and_read(&tx, path, Stage::Import, progress, &mut sink)?;
            sink.search.flush(&tx)?;
            let gaps = gaps(&tx, &opened)?;
            let m = &opened.manifest;
            let touched: BTreeSet<Uuid> = sink.added.iter().map(|r| r.record_id).collect();
            let mut conflicts = Vec::new();
            for id in &touched {
                if revisions::heads(&tx, *id)?.len() > 1 {
                    conflicts.push(*id);
                }
            }
            let summary = ImportSummary {
                bundle_id: m.bundle_id,
                device_id: m.device_id,
                device_name: m.device_name.clone(),
                signer: opened.signer.name.clone(),
                sequence: m.sequence,
                bundle_sha256: opened.bundle_sha256.clone(),
                added: sink.added.len() as u64,
                known: sink.known,
                tombstones: sink.added.iter().filter(|r| r.deleted).count() as u64,
                attachments_stored: sink.attachments_stored,
                conflicts,
                gaps,
            };
            if summary.gaps.already_imported {
                return Ok(summary);
            }
            let now = Utc::now();
            // Every revision the bundle carried (new or known): the office holds them all now.
            let revision_ids: Vec<Uuid> = sink.all.clone();
            tx.execute(
                "INSERT INTO bundles_in (bundle_id, device_id, device_key, sequence, bundle_sha256,
                     previous_sha256, created_at, imported_at, revision_ids, attachments, device_name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    m.bundle_id.to_string(),
                    m.device_id.to_string(),
                    opened.signer.public_key,
                    m.sequence as i64,
                    opened.bundle_sha256,
                    m.previous_bundle_sha256,
                    time_text(m.created_at),
                    time_text(now),
                    serde_json::to_string(&revision_ids)
                        .map_err(|e| Error::Sqlite(e.to_string()))?,
                    serde_json::to_string(
                        &m.attachments.iter().map(|a| &a.sha256).collect::<Vec<_>>()
                    )
                    .map_err(|e| Error::Sqlite(e.to_string()))?,
                    m.device_name,
                ],
            )?;
            for id in &touched {
                let revs: Vec<Uuid> = sink
                    .added
                    .iter()
                    .filter(|r| r.record_id == *id)
                    .map(|r| r.id)
                    .collect();
                audit::append(
                    &tx,
                    now,
                    &device_id,
                    &author,
                    audit::Action::RecordImported,
                    Some(&id.to_string()),
                    json!({"bundle_id": m.bundle_id, "revisions": revs}),
                )?;
            }
            audit::append(
                &tx,
                now,
                &device_id,
                &author,
                audit::Action::BundleImported,
                None,
                json!({"bundle_id": m.bundle_id, "device_id": m.device_id, "sequence": m.sequence,
                       "signer": opened.signer.key_id, "bundle_sha256": opened.bundle_sha256,
                       "added": summary.added, "known": summary.known,
                       "conflicts": summary.conflicts.len(), "missing": summary.gaps.missing}),
            )?;
            Ok(summary)
        })();
        let blobs = std::mem::take(&mut sink.blobs);
        drop(sink);
        let outcome = match result {
            Ok(summary) if summary.gaps.already_imported => {
                drop(tx);
                Ok(summary)
            }
            Ok(summary) => tx.commit().map(|_| summary).map_err(Error::from),
            Err(e) => {
                drop(tx);
                Err(e)
            }
        };
        let keep_blobs = matches!(&outcome, Ok(s) if !s.gaps.already_imported);
        if !keep_blobs {
            for b in blobs {
                let _ = fs::remove_file(b);
            }
        }
        outcome
    }
}
