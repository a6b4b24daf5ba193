//! Verifying and importing a bundle. Both decrypt with the office identity held in the store
//! and run the same reader; import streams into one open SQLCipher transaction (so nothing
//! of the plaintext reaches disk unencrypted) and commits only after the last check,
//! including age's final chunk. A failure, or a kill -9, leaves the store as it was; blob
//! files written for attachments are removed (or swept at the next unlock).
//!
//! An import runs on four threads: age's decrypts, this one reads the tar and checks it, a
//! store thread holds the transaction and applies the revisions while this one writes the
//! attachments' blobs (encrypted, on a sealing thread of their own: see
//! `store::attachments::store_blob`). The revisions come before the attachments in the
//! bundle, so the two overlap; the store thread commits only when told that every check
//! passed, and drops the transaction otherwise.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::pipe::{decrypt_on_thread, plaintext_from_thread, CipherCount, CipherSource};
use super::read::{read_bundle, Discard, Opened, Sink, StreamState, TrustLookup};
use super::{ProgressFn, Stage};
use crate::error::{BundleError, Error, Result};
use crate::model::RecordKind;
use crate::stop::Stoppable;
use crate::store::keys::{
    bind_to_device, key_of_device, office_identity, parse_identity, trusted_by_key_id,
};
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

/// The office's age identity, from the store.
fn identity_of(conn: &Connection) -> Result<age::x25519::Identity> {
    let identity_secret = office_identity(conn)?.ok_or(BundleError::NotAnOffice)?;
    parse_identity(&identity_secret)
}

/// Opens the bundle file and runs the reader over its plaintext into `sink`.
fn open_and_read(
    stopped: &Arc<AtomicBool>,
    identity: &age::x25519::Identity,
    trust: &TrustLookup<'_>,
    path: &Path,
    stage: Stage,
    progress: &mut ProgressFn<'_>,
    sink: &mut dyn Sink,
) -> Result<Opened> {
    let file = crate::files::open_input(path)?;
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
        // A lock stops the read at its next chunk (crate::stop).
        file: Stoppable::new(file, stopped.clone()),
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
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(header_error)?;
    // The chunks are decrypted on a thread of their own while this one reads the tar.
    let (reader, end) = plaintext_from_thread(state.clone(), stage, total, progress);
    std::thread::scope(|scope| {
        scope.spawn(|| decrypt_on_thread(end, plain, &count));
        // Dropping `reader` when this returns stops the thread if it is not done.
        read_bundle(reader, trust, &state, sink)
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

/// Whether the office takes this bundle from its signer, once the signed parts are checked and
/// before a record is: the key signs for the device the manifest names (a key not yet bound
/// may not take a device another key, or this office, signs for), and the bundle is not a
/// second one under a sequence number already imported from that key.
fn check_sender(conn: &Connection, opened: &Opened, own_device: Uuid) -> Result<()> {
    let m = &opened.manifest;
    let signer = &opened.signer;
    // A bound key naming another device was refused by the reader already.
    if signer.device_id.is_none() {
        let holder = if m.device_id == own_device {
            Some("this office's own device".to_string())
        } else {
            key_of_device(conn, m.device_id, &signer.public_key)?
                .map(|k| format!("the device of key {} ({})", k.key_id, k.name))
        };
        if let Some(holder) = holder {
            return Err(BundleError::DeviceTaken {
                key_id: signer.key_id.clone(),
                name: signer.name.clone(),
                claimed: m.device_id,
                holder,
            }
            .into());
        }
    }
    refuse_sequence_fork(conn, opened)
}

/// Refuses a bundle whose sequence number was already used, by another bundle, from the same
/// key. A copied laptop and a stolen key both do this; refusing loses nothing, since what a
/// refused bundle holds is not acknowledged and so travels again in its laptop's next bundle.
/// The one place a fork is decided: a laptop restored from a backup, which numbers again
/// from its backup, is to be told apart here.
fn refuse_sequence_fork(conn: &Connection, opened: &Opened) -> Result<()> {
    let m = &opened.manifest;
    let earlier: Option<(String, String)> = conn
        .query_row(
            "SELECT bundle_id, imported_at FROM bundles_in
             WHERE device_key = ?1 AND sequence = ?2 AND bundle_sha256 <> ?3
             ORDER BY imported_at LIMIT 1",
            params![
                opened.signer.public_key,
                m.sequence as i64,
                opened.bundle_sha256
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((imported, imported_at)) = earlier else {
        return Ok(());
    };
    Err(BundleError::SequenceFork {
        device_name: opened.signer.name.clone(),
        key_id: opened.signer.key_id.clone(),
        sequence: m.sequence,
        imported: Uuid::parse_str(&imported)
            .map_err(|e| Error::StoreDamaged(format!("bundles_in: bad id: {e}")))?,
        imported_at,
        this: m.bundle_id,
    }
    .into())
}

/// Verify's sink: nothing is kept, but the sender is checked as soon as the signed parts are,
/// as import checks it.
struct VerifySink<'a> {
    conn: &'a Connection,
    own_device: Uuid,
}

impl Sink for VerifySink<'_> {
    fn opened(&mut self, opened: &Opened) -> Result<()> {
        check_sender(self.conn, opened, self.own_device)
    }
    fn revisions(&mut self, revs: Vec<Revision>) -> Result<()> {
        Discard.revisions(revs)
    }
    fn attachment(&mut self, sha256: &str, size: u64, bytes: &mut dyn Read) -> Result<()> {
        Discard.attachment(sha256, size, bytes)
    }
}

/// What the reading thread hands the store thread, in the bundle's order.
enum ToStore {
    /// The signed parts checked out.
    Opened(Box<Opened>),
    /// Every revision of the bundle, each checked alone.
    Revisions(Vec<Revision>),
    /// An attachment's bytes went into a blob of their own (not yet checked against the
    /// signed list: that happens as the reader goes on).
    Stored(StoredBlob),
    /// Every check passed, age's final chunk included: link the blobs and commit.
    Commit,
}

struct StoredBlob {
    sha256: String,
    blob: attachments::NewBlob,
    size: u64,
}

/// The error a side of the import gives when the other side has stopped; the other side's
/// own error is the one reported.
fn other_side_stopped() -> Error {
    Error::Sqlite("the import stopped on its other thread".into())
}

/// The reading thread's sink: revisions go to the store thread; an attachment is written
/// into an encrypted blob here, if some record is to hold it, while the store thread applies
/// the revisions.
struct ImportSink<'a> {
    to_store: Sender<ToStore>,
    /// The attachments (by SHA-256) some record will lack a file for, once the store thread
    /// has worked that out (it does so before applying the revisions).
    needed_from_store: Receiver<BTreeSet<String>>,
    needed: Option<BTreeSet<String>>,
    dir: &'a Path,
    /// Every blob file written, kept or removed at the end.
    written: &'a Mutex<Vec<PathBuf>>,
    /// Set if the store thread failed, so a long attachment stops early.
    store_failed: &'a AtomicBool,
}

impl ImportSink<'_> {
    fn send(&self, message: ToStore) -> Result<()> {
        self.to_store
            .send(message)
            .map_err(|_| other_side_stopped())
    }
}

impl Sink for ImportSink<'_> {
    fn opened(&mut self, opened: &Opened) -> Result<()> {
        self.send(ToStore::Opened(Box::new(opened.clone())))
    }

    fn revisions(&mut self, revs: Vec<Revision>) -> Result<()> {
        self.send(ToStore::Revisions(revs))
    }

    fn attachment(&mut self, sha256: &str, size: u64, bytes: &mut dyn Read) -> Result<()> {
        let needed = match self.needed.take() {
            Some(needed) => needed,
            None => self
                .needed_from_store
                .recv()
                .map_err(|_| other_side_stopped())?,
        };
        let wanted = needed.contains(sha256);
        self.needed = Some(needed);
        if !wanted {
            io::copy(bytes, &mut io::sink()).map_err(|e| Error::io("reading the bundle", e))?;
            return Ok(());
        }
        // The reader checks these bytes against SHA256SUMS once they have all passed; a
        // mismatch fails the import and this blob is removed with the rest.
        let mut watched = UnlessStopped {
            inner: bytes,
            stopped: self.store_failed,
        };
        let (blob, path, stored_size) =
            attachments::store_blob(self.dir, &mut watched, Some(size))?;
        self.written
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(path);
        if stored_size != size {
            return Err(BundleError::HashMismatch(format!("attachments/{sha256}")).into());
        }
        self.send(ToStore::Stored(StoredBlob {
            sha256: sha256.to_string(),
            blob,
            size,
        }))
    }
}

/// A reader that fails once `stopped` is set (the store thread failed: the import is lost,
/// and the rest of a long attachment need not be written).
struct UnlessStopped<'a> {
    inner: &'a mut dyn Read,
    stopped: &'a AtomicBool,
}

impl Read for UnlessStopped<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.stopped.load(Ordering::Relaxed) {
            return Err(io::Error::other("the import stopped on its other thread"));
        }
        self.inner.read(buf)
    }
}

/// What the revisions did, before the attachments are linked.
struct Applied {
    added: u64,
    known: u64,
    tombstones: u64,
    all: Vec<Uuid>,
    conflicts: Vec<Uuid>,
    gaps: Gaps,
    /// For each of the bundle's attachments, the records that lack its file (worked out once
    /// the revisions are in; nothing changes them before the commit).
    waiting: Vec<(String, Vec<String>)>,
}

/// The store's side of an import, on a thread of its own: one transaction, fed by the
/// reading thread. It applies the revisions (with the records' search entries and facts,
/// conflicts, gaps and audit entries) while the reading thread goes on through the
/// attachments, then links the stored blobs and commits when told every check passed. If the
/// reading thread stops first, the transaction is dropped: nothing of it counts.
struct StoreSide<'a> {
    dir: &'a Path,
    device_id: String,
    /// This office's device id: no bundle may name it.
    own_device: Uuid,
    author: String,
    written: &'a Mutex<Vec<PathBuf>>,
}

impl StoreSide<'_> {
    /// SQLite's page cache while an import's transaction is open, in KiB (the connection's
    /// own setting is put back after). With the default 2 MiB, pages of the tables and
    /// indexes the import writes were evicted and read back (decrypted and checked again)
    /// and dirty pages spilled to the log more than once: for 10,000 records, 22,900 page
    /// reads and 33,700 page writes, against 10,800 and 24,100 with 16 MiB. With 32 MiB
    /// (since the search index's 16 MiB buffer, migration 9) 8,100 reads and 24,300 writes
    /// against 18,400 and 32,300 with 16: every page this import writes stays in the cache,
    /// and the log gets 32 MB less. Peak RSS of the 1 GiB import: 89 -> 102 MiB.
    const CACHE_KIB: i64 = 32 * 1024;

    fn run(
        &self,
        conn: &mut Connection,
        from_reader: Receiver<ToStore>,
        needed_to_reader: SyncSender<BTreeSet<String>>,
    ) -> Result<Option<ImportSummary>> {
        let cache: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        conn.execute_batch(&format!("PRAGMA cache_size = -{}", Self::CACHE_KIB))?;
        let result = self.run_in_transaction(conn, from_reader, needed_to_reader);
        // Only a setting of speed: after a commit, failing to put it back must not turn the
        // import into an error (its blobs would be removed).
        let _ = conn.execute_batch(&format!("PRAGMA cache_size = {cache}"));
        result
    }

    fn run_in_transaction(
        &self,
        conn: &mut Connection,
        from_reader: Receiver<ToStore>,
        needed_to_reader: SyncSender<BTreeSet<String>>,
    ) -> Result<Option<ImportSummary>> {
        let tx = conn.transaction()?;
        let mut opened: Option<Box<Opened>> = None;
        let mut applied: Option<Applied> = None;
        let mut stored: Vec<StoredBlob> = Vec::new();
        for message in from_reader {
            match message {
                ToStore::Opened(o) => {
                    check_sender(&tx, &o, self.own_device)?;
                    opened = Some(o);
                }
                ToStore::Revisions(revs) => {
                    let o = opened.as_deref().ok_or_else(other_side_stopped)?;
                    if applied.is_some() {
                        return Err(other_side_stopped()); // the reader gives them once
                    }
                    // First what the reading thread needs to go on with the attachments.
                    let needed = needed_attachments(&tx, &o.manifest, &revs)?;
                    let _ = needed_to_reader.send(needed);
                    applied = Some(self.apply(&tx, o, revs)?);
                }
                ToStore::Stored(blob) => stored.push(blob),
                ToStore::Commit => {
                    let o = opened.as_deref().ok_or_else(other_side_stopped)?;
                    let a = applied.take().ok_or_else(other_side_stopped)?;
                    let attachments_stored = self.link_blobs(&tx, &a.waiting, &stored)?;
                    let m = &o.manifest;
                    let summary = ImportSummary {
                        bundle_id: m.bundle_id,
                        device_id: m.device_id,
                        device_name: m.device_name.clone(),
                        signer: o.signer.name.clone(),
                        sequence: m.sequence,
                        bundle_sha256: o.bundle_sha256.clone(),
                        added: a.added,
                        known: a.known,
                        tombstones: a.tombstones,
                        attachments_stored,
                        conflicts: a.conflicts,
                        gaps: a.gaps,
                    };
                    if !summary.gaps.already_imported {
                        tx.commit()?;
                    }
                    return Ok(Some(summary));
                }
            }
        }
        Ok(None)
    }

    /// Applies the revisions and writes what follows from them alone: search entries and
    /// facts, the bundle's row, the audit entries.
    fn apply(&self, tx: &Transaction<'_>, opened: &Opened, revs: Vec<Revision>) -> Result<Applied> {
        let mut search = revisions::PendingIndexes::default();
        let mut added: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
        let (mut n_added, mut known, mut tombstones) = (0u64, 0u64, 0u64);
        let mut all = Vec::with_capacity(revs.len());
        for rev in &revs {
            all.push(rev.id);
            if revisions::apply_checked_held(tx, rev, &mut search)? {
                added.entry(rev.record_id).or_default().push(rev.id);
                n_added += 1;
                tombstones += u64::from(rev.deleted);
            } else {
                known += 1;
            }
        }
        drop(revs);
        search.flush(tx)?;
        // FTS5 writes out the index entries it holds in memory at a savepoint, or else at
        // the commit: now, while the reading thread still has the attachments to go.
        tx.execute_batch("SAVEPOINT search_out; RELEASE search_out;")?;
        let gaps = gaps(tx, opened)?;
        // Each record's row holds its count of heads, written as its last revision went in.
        let mut conflicts = Vec::new();
        {
            let mut stmt = tx.prepare_cached("SELECT heads FROM records WHERE id = ?1")?;
            for id in added.keys() {
                let heads: i64 = stmt.query_row([id.to_string()], |r| r.get(0))?;
                if heads > 1 {
                    conflicts.push(*id);
                }
            }
        }
        let waiting = opened
            .manifest
            .attachments
            .iter()
            .map(|a| Ok((a.sha256.clone(), waiting_for(tx, &a.sha256)?)))
            .collect::<Result<_>>()?;
        let applied = Applied {
            added: n_added,
            known,
            tombstones,
            all,
            conflicts,
            gaps,
            waiting,
        };
        if applied.gaps.already_imported {
            return Ok(applied);
        }
        let m = &opened.manifest;
        let now = Utc::now();
        // A key's first bundle binds it to its device (check_sender made sure it may).
        let bound_now = opened.signer.device_id.is_none()
            && bind_to_device(tx, &opened.signer.public_key, m.device_id)?;
        // Every revision the bundle carried (new or known): the office holds them all now.
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
                serde_json::to_string(&applied.all).map_err(|e| Error::Sqlite(e.to_string()))?,
                serde_json::to_string(&m.attachments.iter().map(|a| &a.sha256).collect::<Vec<_>>())
                    .map_err(|e| Error::Sqlite(e.to_string()))?,
                m.device_name,
            ],
        )?;
        for (id, revs) in &added {
            audit::append(
                tx,
                now,
                &self.device_id,
                &self.author,
                audit::Action::RecordImported,
                Some(&id.to_string()),
                json!({"bundle_id": m.bundle_id, "revisions": revs}),
            )?;
        }
        audit::append(
            tx,
            now,
            &self.device_id,
            &self.author,
            audit::Action::BundleImported,
            None,
            json!({"bundle_id": m.bundle_id, "device_id": m.device_id, "sequence": m.sequence,
                   "signer": opened.signer.key_id, "bundle_sha256": opened.bundle_sha256,
                   "added": applied.added, "known": applied.known,
                   "conflicts": applied.conflicts.len(), "missing": applied.gaps.missing,
                   "key_bound_to_device": bound_now}),
        )?;
        // The pages written so far go to the write-ahead log now (encrypted, and not
        // committed: a rollback or a crash drops them), not all at the commit.
        tx.cache_flush()?;
        Ok(applied)
    }

    /// Gives every attachment record that lacks its file a blob of the bytes the bundle
    /// carried (identical files travel once; each record gets a blob of its own). Returns how
    /// many records got one.
    fn link_blobs(
        &self,
        tx: &Transaction<'_>,
        waiting: &[(String, Vec<String>)],
        stored: &[StoredBlob],
    ) -> Result<u64> {
        let mut linked = 0u64;
        for (sha256, waiting) in waiting {
            let Some((first, others)) = waiting.split_first() else {
                continue;
            };
            // The reading thread stored every attachment some record was to lack (worked out
            // before the revisions went in); a record waiting for one it did not store would
            // be a mistake here, and is refused rather than committed without its file.
            let blob = stored.iter().find(|b| &b.sha256 == sha256).ok_or_else(|| {
                Error::StoreDamaged(format!(
                    "attachment {sha256} was not stored for record {first}"
                ))
            })?;
            attachments::record_blob(tx, first, &blob.blob, blob.size, &blob.sha256)?;
            linked += 1;
            for record_id in others {
                let (copy, path, _) = attachments::copy_blob(self.dir, &blob.blob)?;
                self.written
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(path);
                attachments::record_blob(tx, record_id, &copy, blob.size, &blob.sha256)?;
                linked += 1;
            }
        }
        Ok(linked)
    }
}

/// Every attachment record with these bytes that still lacks its file.
fn waiting_for(tx: &Transaction<'_>, sha256: &str) -> Result<Vec<String>> {
    Ok(tx
        .prepare_cached(
            "SELECT DISTINCT v.record_id FROM revisions v
             WHERE v.kind = 'attachment' AND json_extract(v.body, '$.sha256') = ?1
               AND v.record_id NOT IN (SELECT attachment_id FROM attachment_blobs)
             ORDER BY v.record_id",
        )?
        .query_map([sha256], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// The bundle's attachments that some record will lack a file for once `revs` are in: those
/// records already here still waiting ([`waiting_for`]), and those of `revs` (new or not)
/// whose record has no file yet. Worked out before the revisions go in, so the reading thread
/// can store the bytes while they do; [`StoreSide::link_blobs`] asks again after.
fn needed_attachments(
    tx: &Transaction<'_>,
    manifest: &super::Manifest,
    revs: &[Revision],
) -> Result<BTreeSet<String>> {
    let mut has_file = tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM attachment_blobs WHERE attachment_id = ?1)",
    )?;
    let mut in_bundle: BTreeSet<&str> = BTreeSet::new();
    for rev in revs {
        if rev.kind != RecordKind::Attachment {
            continue;
        }
        let Some(sha) = rev
            .body
            .as_ref()
            .and_then(|b| b.get("sha256"))
            .and_then(|v| v.as_str())
        else {
            continue;
        };
        if !in_bundle.contains(sha)
            && !has_file.query_row([rev.record_id.to_string()], |r| r.get::<_, bool>(0))?
        {
            in_bundle.insert(sha);
        }
    }
    let mut needed = BTreeSet::new();
    for entry in &manifest.attachments {
        if in_bundle.contains(entry.sha256.as_str()) || !waiting_for(tx, &entry.sha256)?.is_empty()
        {
            needed.insert(entry.sha256.clone());
        }
    }
    Ok(needed)
}

impl Store {
    /// Makes every check an import makes, and writes nothing.
    pub fn verify_bundle(
        &self,
        path: &Path,
        progress: &mut ProgressFn<'_>,
    ) -> Result<VerifyReport> {
        let identity = identity_of(&self.conn)?;
        let trust = |id: &str| trusted_by_key_id(&self.conn, id);
        let mut sink = VerifySink {
            conn: &self.conn,
            own_device: self.device.id,
        };
        let opened = open_and_read(
            &self.stopped,
            &identity,
            &trust,
            path,
            Stage::Verify,
            progress,
            &mut sink,
        );
        let opened = self.unless_stopped(opened)?;
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
    ///
    /// Two threads besides age's: this one reads the bundle and writes each attachment's
    /// encrypted blob; a store thread holds the transaction and applies the revisions
    /// meanwhile (they come first in the bundle), and commits only once this one has checked
    /// everything.
    pub fn import_bundle(
        &mut self,
        path: &Path,
        progress: &mut ProgressFn<'_>,
    ) -> Result<ImportSummary> {
        let identity = identity_of(&self.conn)?;
        let stopped = self.stopped.clone();
        // Looked up before the store thread takes the connection.
        let trusted = self.trust_list()?;
        let trust = |id: &str| Ok(trusted.iter().find(|k| k.key_id == id).cloned());
        let written = Mutex::new(Vec::new());
        let store_failed = AtomicBool::new(false);
        let side = StoreSide {
            dir: &self.dir,
            device_id: self.device.id.to_string(),
            own_device: self.device.id,
            author: self.device.author.clone(),
            written: &written,
        };
        let conn = &mut self.conn;
        let (to_store, from_reader) = mpsc::channel();
        let (needed_to_reader, needed_from_store) = mpsc::sync_channel(1);
        let outcome = std::thread::scope(|scope| {
            let store = scope.spawn(|| {
                let result = side.run(conn, from_reader, needed_to_reader);
                if result.is_err() {
                    store_failed.store(true, Ordering::Relaxed);
                }
                result
            });
            let mut sink = ImportSink {
                to_store,
                needed_from_store,
                needed: None,
                dir: side.dir,
                written: &written,
                store_failed: &store_failed,
            };
            let read = open_and_read(
                &stopped,
                &identity,
                &trust,
                path,
                Stage::Import,
                progress,
                &mut sink,
            );
            if read.is_ok() {
                let _ = sink.send(ToStore::Commit);
            }
            // The store thread ends here: committed, or (the channel closed) rolled back.
            drop(sink);
            let stored = store
                .join()
                .unwrap_or_else(|_| Err(Error::Sqlite("the import's store thread failed".into())));
            match (read, stored) {
                // The store thread's error comes from an earlier part of the bundle (the
                // revisions come first), or is why this side stopped.
                (_, Err(e)) | (Err(e), Ok(_)) => Err(e),
                (Ok(_), Ok(Some(summary))) => Ok(summary),
                (Ok(_), Ok(None)) => Err(other_side_stopped()),
            }
        });
        let keep_blobs = matches!(&outcome, Ok(s) if !s.gaps.already_imported);
        if !keep_blobs {
            for b in written.into_inner().unwrap_or_else(PoisonError::into_inner) {
                let _ = fs::remove_file(b);
            }
        }
        self.unless_stopped(outcome)
    }
}
