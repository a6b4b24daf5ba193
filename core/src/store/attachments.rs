//! Attachments: audio, photos, scanned documents, encrypted at rest.
//!
//! The bytes stream through [`crate::crypto::EncryptingWriter`] into a file of
//! random name under the profile's `attachments/` folder, 64 KiB at a time, so
//! a 2 GiB recording never sits whole in memory. Their SHA-256 is taken at
//! capture, kept in the attachment record, and checked again on every read.
//! The file is written and synced before the record's transaction commits; a
//! crash in between leaves an orphan file (encrypted), removed at next unlock.
//!
//! Each blob has its own random key, kept only in the encrypted database (the
//! `file_key` column of `attachment_blobs`), not derived from the data key: a
//! passphrase change re-encrypts the database under a new data key and so every
//! blob's key with it, and an old data key opens no attachment. Deleting the row
//! erases the key. Blobs written before keys were stored (`file_key` NULL) have a
//! key derived from the data key; [`Store::rekey_derived_blobs`] gives each a
//! random one before the data key changes.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;

use chrono::{SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::crypto::stream::CHUNK_LEN;
use crate::crypto::{subkey, DecryptingReader, EncryptingWriter};
use crate::error::{Error, Result, ValidationError};
use crate::model::{MediaKind, Record, RecordKind};
use crate::secret::DataKey;
use crate::store::{audit, layout, revisions, Store};
use crate::sync::SyncingFile;

const PURPOSE: &str = "fieldcase attachment v1";
const CHUNK: usize = 64 * 1024;

/// What is known of a file being attached.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// The record it belongs to (an interview, visit, person, establishment or case).
    pub record_id: Uuid,
    /// Audio, photo, video or document.
    pub media: MediaKind,
    /// The file's name as the person knows it (no folders).
    pub file_name: String,
    /// The MIME type, e.g. `audio/ogg`.
    pub media_type: String,
    /// What it shows or holds.
    pub description: Option<String>,
}

/// SHA-256 on a thread of its own. The bytes are handed over in 64 KiB chunks while the
/// caller encrypts or decrypts them, so on two cores the hash no longer adds to the
/// cipher's time (it was about a quarter of an attach's CPU). The chunks are plaintext:
/// they live in zeroizing buffers and at most [`SideHasher::QUEUE`] of them wait at once.
struct SideHasher {
    pending: Zeroizing<Vec<u8>>,
    tx: Option<mpsc::SyncSender<Zeroizing<Vec<u8>>>>,
    handle: Option<thread::JoinHandle<Sha256>>,
}

impl SideHasher {
    /// Chunks waiting for the hashing thread at most (4 MiB).
    const QUEUE: usize = 64;

    fn new() -> io::Result<Self> {
        let (tx, rx) = mpsc::sync_channel::<Zeroizing<Vec<u8>>>(Self::QUEUE);
        let handle = thread::Builder::new()
            .name("fieldcase-sha256".into())
            .spawn(move || {
                let mut hasher = Sha256::new();
                for chunk in rx {
                    hasher.update(&chunk[..]);
                }
                hasher
            })?;
        Ok(SideHasher {
            pending: Zeroizing::new(Vec::with_capacity(CHUNK)),
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    fn gone() -> io::Error {
        io::Error::other("the hashing thread stopped")
    }

    fn update(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        if self.tx.is_none() {
            return Err(Self::gone()); // finished: nothing more may count
        }
        while !bytes.is_empty() {
            let take = (CHUNK - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() == CHUNK {
                self.send()?;
            }
        }
        Ok(())
    }

    fn send(&mut self) -> io::Result<()> {
        let chunk = std::mem::replace(&mut self.pending, Zeroizing::new(Vec::with_capacity(CHUNK)));
        match &self.tx {
            Some(tx) => tx.send(chunk).map_err(|_| Self::gone()),
            None => Err(Self::gone()),
        }
    }

    /// The hex SHA-256 of everything handed over.
    fn finish(&mut self) -> io::Result<String> {
        if !self.pending.is_empty() {
            self.send()?;
        }
        self.tx = None; // closes the channel: the thread hashes what is queued and returns
        let hasher = self
            .handle
            .take()
            .ok_or_else(Self::gone)?
            .join()
            .map_err(|_| Self::gone())?;
        Ok(hex::encode(hasher.finalize()))
    }
}

/// Reads an attachment's plaintext, checking its SHA-256 at the end: the last read
/// returns an error instead of end-of-file if the bytes differ from those captured.
pub struct AttachmentReader {
    inner: DecryptingReader<BufReader<File>>,
    check: Check,
    expected_sha256: String,
    expected_size: u64,
    seen: u64,
    id: Uuid,
}

/// Where an [`AttachmentReader`] takes the SHA-256 of what it reads.
enum Check {
    /// On a thread of its own, started at the first read (`None` until then).
    Side(Option<SideHasher>),
    /// On the reading thread, as the bytes come ([`AttachmentReader::check_inline`]).
    Inline(Sha256),
    /// Checked: a further read is plain end-of-file.
    Done,
    /// Found different: every further read says damaged again.
    Failed,
}

impl AttachmentReader {
    /// The size recorded when it was captured.
    pub fn expected_size(&self) -> u64 {
        self.expected_size
    }

    /// Takes the SHA-256 on the reading thread instead of a thread of its own. For a caller
    /// that already keeps both cores busy (export: this thread decrypts, another runs age),
    /// where a third thread only takes turns with the other two.
    pub(crate) fn check_inline(&mut self) {
        if matches!(self.check, Check::Side(None)) {
            self.check = Check::Inline(Sha256::new());
        }
    }

    fn damaged(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            Error::AttachmentDamaged(self.id.to_string()).to_string(),
        )
    }
}

impl Read for AttachmentReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // The thread first: if it cannot start, nothing has been read yet and a retry is whole.
        if let Check::Side(hasher @ None) = &mut self.check {
            *hasher = Some(SideHasher::new()?);
        }
        match self.check {
            Check::Done => return self.inner.read(buf),
            Check::Failed => return Err(self.damaged()),
            Check::Side(_) | Check::Inline(_) => {}
        }
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            let digest = match std::mem::replace(&mut self.check, Check::Failed) {
                Check::Side(Some(mut hasher)) => hasher.finish().ok(),
                Check::Inline(hasher) => Some(hex::encode(hasher.finalize())),
                _ => None,
            };
            if digest.as_deref() != Some(self.expected_sha256.as_str())
                || self.seen != self.expected_size
            {
                return Err(self.damaged());
            }
            self.check = Check::Done;
            return Ok(0);
        }
        match &mut self.check {
            Check::Side(Some(hasher)) => hasher.update(&buf[..n])?,
            Check::Inline(hasher) => hasher.update(&buf[..n]),
            _ => {}
        }
        self.seen += n as u64;
        Ok(n)
    }
}

/// A blob's own key: random for every blob written since keys were stored.
pub(crate) type FileKey = crate::secret::LockedKey;

/// A blob file just written, with its name and its random key, not yet recorded.
pub(crate) struct NewBlob {
    /// The file's name under `attachments/`.
    pub(crate) name: String,
    key: FileKey,
}

impl NewBlob {
    /// A fresh random name and key.
    fn generate() -> NewBlob {
        use rand::RngCore;
        let mut name = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut name);
        let mut key = FileKey::zeroed();
        rand::rngs::OsRng.fill_bytes(key.as_mut_slice());
        NewBlob {
            name: hex::encode(name),
            key,
        }
    }
}

/// Records `blob` as attachment `attachment_id`'s file, with its key, inside the caller's
/// transaction.
pub(crate) fn record_blob(
    conn: &Connection,
    attachment_id: &str,
    blob: &NewBlob,
    size: u64,
    sha256: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO attachment_blobs (attachment_id, blob, size_bytes, sha256, file_key)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        attachment_id,
        blob.name,
        size as i64,
        sha256,
        &blob.key[..]
    ])?;
    Ok(())
}

/// Opens attachment `id`'s blob file `blob` in the profile `dir`; a missing file is
/// [`Error::AttachmentDamaged`].
pub(crate) fn open_blob(dir: &Path, id: Uuid, blob: &str) -> Result<File> {
    File::open(attachments_dir(dir).join(blob)).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => Error::AttachmentDamaged(format!("{id} (its file is missing)")),
        _ => Error::io(format!("opening attachment {id}"), e),
    })
}

/// The key of blob `blob`: the one stored with it (`file_key`), or, for a blob written
/// before keys were stored, the one derived from the data key.
pub(crate) fn blob_key(key: &DataKey, blob: &str, stored: Option<Vec<u8>>) -> Result<FileKey> {
    match stored {
        None => Ok(subkey(key, PURPOSE, blob.as_bytes())),
        Some(bytes) => {
            let bytes = Zeroizing::new(bytes);
            let mut out = FileKey::zeroed();
            if bytes.len() != out.len() {
                return Err(Error::StoreDamaged(format!(
                    "attachment file {blob} has a key of {} bytes",
                    bytes.len()
                )));
            }
            out.copy_from_slice(&bytes);
            Ok(out)
        }
    }
}

pub(crate) fn attachments_dir(store_dir: &Path) -> PathBuf {
    store_dir.join(layout::ATTACHMENTS)
}

/// Guesses audio, photo, video or document, and a MIME type, from a file name.
pub fn guess_media(file_name: &str) -> (MediaKind, &'static str) {
    let ext = Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "ogg" | "oga" | "opus" => (MediaKind::Audio, "audio/ogg"),
        "mp3" => (MediaKind::Audio, "audio/mpeg"),
        "m4a" | "aac" => (MediaKind::Audio, "audio/mp4"),
        "wav" => (MediaKind::Audio, "audio/wav"),
        "flac" => (MediaKind::Audio, "audio/flac"),
        "amr" => (MediaKind::Audio, "audio/amr"),
        "jpg" | "jpeg" => (MediaKind::Photo, "image/jpeg"),
        "png" => (MediaKind::Photo, "image/png"),
        "heic" => (MediaKind::Photo, "image/heic"),
        "webp" => (MediaKind::Photo, "image/webp"),
        "mp4" | "m4v" => (MediaKind::Video, "video/mp4"),
        "mov" => (MediaKind::Video, "video/quicktime"),
        "webm" => (MediaKind::Video, "video/webm"),
        "pdf" => (MediaKind::Document, "application/pdf"),
        "txt" => (MediaKind::Document, "text/plain"),
        _ => (MediaKind::Document, "application/octet-stream"),
    }
}

/// An audio recording on an interview needs that interview's recording consent.
pub(crate) fn check_consent(conn: &Connection, record: &Record) -> Result<()> {
    let Record::Attachment(a) = record else {
        return Ok(());
    };
    if a.media() != MediaKind::Audio && a.media() != MediaKind::Video {
        return Ok(());
    }
    let target = record
        .to_value()
        .get("record_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_default();
    let row: Option<(String, Option<String>)> = conn
        .query_row(
            "SELECT r.kind, v.body FROM records r JOIN heads h ON h.record_id = r.id JOIN revisions v ON v.id = h.revision_id
             WHERE r.id = ?1 ORDER BY v.seq DESC LIMIT 1",
            [&target],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((kind, Some(body))) = row else {
        return Err(ValidationError::new(
            "attachment.record_id",
            format!("no record with id {target}"),
        )
        .into());
    };
    if kind != RecordKind::Interview.as_str() {
        return Ok(());
    }
    let body: Value =
        serde_json::from_str(&body).map_err(|e| Error::StoreDamaged(e.to_string()))?;
    if let Record::Interview(interview) = Record::from_value(RecordKind::Interview, body)? {
        if !interview.recording_consented() {
            return Err(ValidationError::new(
                "attachment.media",
                "a recording on an interview needs the interview's own recording consent (interview.consent.recording), given and not withdrawn",
            )
            .into());
        }
    }
    Ok(())
}

/// An attachment record's edit may change its description and custody, never what the bytes are.
pub(crate) fn check_metadata_edit(previous: &revisions::Revision, record: &Record) -> Result<()> {
    let new = record.to_value();
    let old = previous.body.clone().unwrap_or(Value::Null);
    for field in ["sha256", "size_bytes", "record_id", "captured_at"] {
        if new.get(field) != old.get(field) {
            return Err(ValidationError::new(
                format!("attachment.{field}"),
                "is fixed at capture and cannot be edited",
            )
            .into());
        }
    }
    Ok(())
}

impl Store {
    /// Streams `source` into the store, encrypted, and records it as an attachment of
    /// `new.record_id`. Returns the attachment record's id.
    pub fn attach(&mut self, new: NewAttachment, source: &mut dyn Read) -> Result<Uuid> {
        let dir = attachments_dir(&self.dir);
        crate::profile::create_private_dir(&dir)?;
        // Refuse early, before copying gigabytes, if the record cannot take it.
        let probe = attachment_record(&new, 0, &"0".repeat(64), &self.device.author)?;
        revisions::check_links(&self.conn, &probe)?;
        check_consent(&self.conn, &probe)?;

        let blob = NewBlob::generate();
        let partial = dir.join(format!(".{}.partial", blob.name));
        let final_path = dir.join(&blob.name);
        // A lock stops the copy at its next read (crate::stop).
        let mut source = crate::stop::Stoppable::new(source, self.stopped.clone());
        let written = write_blob(&blob.key, &partial, &mut source, true, None);
        let written = self.unless_stopped(written);
        let (size, sha256) = match written {
            Ok(v) => v,
            Err(e) => {
                let _ = fs::remove_file(&partial);
                return Err(e);
            }
        };
        let result = (|| -> Result<Uuid> {
            fs::rename(&partial, &final_path)
                .map_err(|e| Error::io("storing the attachment", e))?;
            sync_dir(&dir)?;
            let record = attachment_record(&new, size, &sha256, &self.device.author)?;
            let writer = revisions::Writer {
                device_id: self.device.id,
                author: self.device.author.clone(),
            };
            let tx = self.conn.transaction()?;
            let id = Uuid::now_v7();
            revisions::write_local(&tx, &writer, id, Vec::new(), Some(record))?;
            record_blob(&tx, &id.to_string(), &blob, size, &sha256)?;
            tx.commit()?;
            Ok(id)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&partial);
            let _ = fs::remove_file(&final_path);
        }
        result
    }

    /// Opens an attachment's bytes for reading; the SHA-256 is checked as the last bytes are read.
    pub fn attachment_reader(&self, id: Uuid) -> Result<AttachmentReader> {
        let row: Option<(String, i64, String, Option<Vec<u8>>)> = self
            .conn
            .query_row(
                "SELECT blob, size_bytes, sha256, file_key FROM attachment_blobs WHERE attachment_id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((blob, size, sha256, stored_key)) = row else {
            return Err(Error::NotFound {
                what: "attachment",
                id: id.to_string(),
            });
        };
        let file = open_blob(&self.dir, id, &blob)?;
        let key = blob_key(&self.key, &blob, stored_key)?;
        let inner = DecryptingReader::new(BufReader::with_capacity(CHUNK + 16, file), &key)
            .map_err(|_| Error::AttachmentDamaged(id.to_string()))?;
        Ok(AttachmentReader {
            inner,
            check: Check::Side(None),
            expected_sha256: sha256,
            expected_size: u64::try_from(size).unwrap_or(0),
            seen: 0,
            id,
        })
    }

    /// Writes an attachment's plaintext to `out` (which must not exist), checked against its
    /// SHA-256; on any failure nothing is left at `out`. Logged. Returns the byte count.
    pub fn export_attachment(&mut self, id: Uuid, out: &Path) -> Result<u64> {
        let mut reader = self.attachment_reader(id)?;
        // Owner-only: what comes out is a survivor's recording or a scanned document.
        let mut file = crate::profile::owner_only(OpenOptions::new().write(true).create_new(true))
            .open(out)
            .map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => ValidationError::new(
                    "out",
                    format!(
                        "{} already exists and is never overwritten; choose another path (or remove that file first)",
                        out.display()
                    ),
                )
                .into(),
                _ => Error::io(format!("creating {}", out.display()), e),
            })?;
        let copied = (|| -> Result<u64> {
            let mut buf = vec![0u8; CHUNK];
            let mut total = 0u64;
            loop {
                let n = reader.read(&mut buf).map_err(|e| match e.kind() {
                    io::ErrorKind::InvalidData => Error::AttachmentDamaged(id.to_string()),
                    _ => Error::io(format!("reading attachment {id}"), e),
                })?;
                if n == 0 {
                    break;
                }
                file.write_all(&buf[..n])
                    .map_err(|e| Error::io(format!("writing {}", out.display()), e))?;
                total += n as u64;
            }
            file.sync_all()
                .map_err(|e| Error::io(format!("writing {}", out.display()), e))?;
            Ok(total)
        })();
        match copied {
            Ok(total) => {
                self.audit_now(
                    audit::Action::AttachmentExported,
                    Some(id),
                    json!({"bytes": total}),
                )?;
                Ok(total)
            }
            Err(e) => {
                drop(file);
                let _ = fs::remove_file(out);
                Err(e)
            }
        }
    }

    /// Gives every blob still keyed from the data key (written before blobs had keys of their
    /// own) a random key: its plaintext is sealed again into a new blob a chunk at a time, its
    /// row points at the new one, and the old file is removed. One transaction per blob, all
    /// under the current data key, so a crash leaves each attachment readable in its old blob
    /// or its new one (the other an orphan the next unlock removes). `progress` gets the bytes
    /// done and the bytes to do. Returns how many blobs were sealed again.
    pub(crate) fn rekey_derived_blobs(
        &mut self,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<u64> {
        let rows: Vec<(String, String, i64)> = {
            let mut stmt = self.conn.prepare(
                "SELECT attachment_id, blob, size_bytes FROM attachment_blobs
                 WHERE file_key IS NULL ORDER BY attachment_id",
            )?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            rows
        };
        let size_of = |s: i64| u64::try_from(s).unwrap_or(0);
        let total: u64 = rows.iter().map(|r| size_of(r.2)).sum();
        let mut done = 0u64;
        progress(done, total);
        let dir = attachments_dir(&self.dir);
        for (attachment_id, old, size) in &rows {
            let derived = blob_key(&self.key, old, None)?;
            let (new, path, resealed) = reseal_blob(&self.dir, old, &derived)?;
            let recorded = (|| -> Result<()> {
                if resealed != size_of(*size) {
                    return Err(Error::AttachmentDamaged(attachment_id.clone()));
                }
                let tx = self.conn.unchecked_transaction()?;
                tx.execute(
                    "UPDATE attachment_blobs SET blob = ?2, file_key = ?3 WHERE attachment_id = ?1",
                    params![attachment_id, new.name, &new.key[..]],
                )?;
                tx.commit()?;
                Ok(())
            })();
            if let Err(e) = recorded {
                let _ = fs::remove_file(&path);
                return Err(e);
            }
            // Best effort: a file left here is an orphan, removed at the next unlock.
            let _ = fs::remove_file(dir.join(old));
            done += size_of(*size);
            progress(done, total);
        }
        if !rows.is_empty() {
            sync_dir(&dir)?;
        }
        Ok(rows.len() as u64)
    }

    /// Removes encrypted attachment files that no record points at (left by a crash mid-attach).
    pub(crate) fn sweep_orphan_blobs(&self) -> Result<usize> {
        let dir = attachments_dir(&self.dir);
        let Ok(entries) = fs::read_dir(&dir) else {
            return Ok(0);
        };
        let mut removed = 0;
        let mut stmt = self
            .conn
            .prepare("SELECT EXISTS (SELECT 1 FROM attachment_blobs WHERE blob = ?1)")?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            let orphan =
                name.ends_with(".partial") || !stmt.query_row([&name], |r| r.get::<_, bool>(0))?;
            if orphan && fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }
}

fn attachment_record(new: &NewAttachment, size: u64, sha256: &str, author: &str) -> Result<Record> {
    let file_name = Path::new(&new.file_name)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| new.file_name.clone());
    let mut value = json!({
        "record_id": new.record_id,
        "media": new.media,
        "file_name": file_name,
        "media_type": new.media_type,
        "size_bytes": size,
        "sha256": sha256,
        "captured_by": author,
        "captured_at": Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true),
    });
    if let (Some(d), Some(map)) = (&new.description, value.as_object_mut()) {
        map.insert("description".into(), json!(d));
    }
    Ok(Record::from_value(RecordKind::Attachment, value)?)
}

/// Streams `source` into a new encrypted blob file under a random key (synced, renamed into
/// place). Returns the blob (name and key), its path and the byte count. The caller checks
/// the bytes' SHA-256 itself (import hashes them once, against the signed list) and records
/// the blob with [`record_blob`] in its transaction, or removes the file if that fails; a
/// crash in between leaves an orphan that the next unlock removes.
pub(crate) fn store_blob(
    store_dir: &Path,
    source: &mut dyn Read,
    expected_size: Option<u64>,
) -> Result<(NewBlob, PathBuf, u64)> {
    let dir = attachments_dir(store_dir);
    // Owner-only like the rest of the profile: an import may be the first to make it.
    crate::profile::create_private_dir(&dir)?;
    let blob = NewBlob::generate();
    let partial = dir.join(format!(".{}.partial", blob.name));
    let final_path = dir.join(&blob.name);
    let (size, _) = match write_blob(&blob.key, &partial, source, false, expected_size) {
        Ok(v) => v,
        Err(e) => {
            let _ = fs::remove_file(&partial);
            return Err(e);
        }
    };
    if let Err(e) = fs::rename(&partial, &final_path) {
        let _ = fs::remove_file(&partial);
        return Err(Error::io("storing the attachment", e));
    }
    sync_dir(&dir)?;
    Ok((blob, final_path, size))
}

/// A second encrypted blob holding the same plaintext as `blob` (each blob has its own key, so
/// the bytes are decrypted and sealed again, a chunk at a time). For attachment records whose
/// files are identical: a bundle carries those bytes once, and every record gets its own blob.
pub(crate) fn copy_blob(store_dir: &Path, blob: &NewBlob) -> Result<(NewBlob, PathBuf, u64)> {
    reseal_blob(store_dir, &blob.name, &blob.key)
}

/// A new blob (random name and key) holding the plaintext of blob `name`, sealed under `key`.
fn reseal_blob(store_dir: &Path, name: &str, key: &FileKey) -> Result<(NewBlob, PathBuf, u64)> {
    let path = attachments_dir(store_dir).join(name);
    let file =
        File::open(&path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    let mut plain = DecryptingReader::new(BufReader::with_capacity(CHUNK + 16, file), key)
        .map_err(|_| Error::AttachmentDamaged(name.to_string()))?;
    store_blob(store_dir, &mut plain, None)
}

/// Plaintext chunks waiting for a blob's sealing thread at most (1 MiB; see
/// `bundle::pipe::IN_FLIGHT` for why not fewer).
const SEAL_QUEUE: usize = 16;

type Chunk = Zeroizing<Vec<u8>>;

/// Streams `source` into a new blob file at `path`: this thread reads (and hashes, on the
/// side, if `hash`), a thread of its own seals each 64 KiB chunk in place and writes it, so
/// the store's cipher and the disk write run beside the reading (for an import, beside the
/// tar and the SHA-256 against the signed list). Returns the byte count and, if `hash`, the
/// SHA-256. The file is synced; on an error it is left for the caller to remove. With
/// `expected_size`, the disk space for that many bytes is reserved first
/// ([`crate::sync::preallocate`]); a caller gives it only where a different size fails the
/// whole write (an import's attachment), since space reserved past what is written stays
/// reserved until the file is removed.
fn write_blob(
    file_key: &FileKey,
    path: &Path,
    source: &mut dyn Read,
    hash: bool,
    expected_size: Option<u64>,
) -> Result<(u64, String)> {
    let file = crate::profile::owner_only(OpenOptions::new().write(true).create_new(true))
        .open(path)
        .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
    if let Some(size) = expected_size {
        crate::sync::preallocate(&file, crate::crypto::sealed_len(size));
    }
    // Synced as it is written (crate::sync), so the final sync has little left.
    let file = SyncingFile::new(file).map_err(|e| Error::io("writing the attachment", e))?;
    // Straight to the file: the writer hands over whole 64 KiB sealed chunks, so a
    // BufWriter would only add a copy of every byte.
    let writer = EncryptingWriter::new(file, file_key)?;
    let mut hasher = if hash {
        Some(SideHasher::new().map_err(|e| Error::io("starting the SHA-256 thread", e))?)
    } else {
        None
    };
    let (to_sealer, chunks) = mpsc::sync_channel::<Chunk>(SEAL_QUEUE);
    let (spare_tx, spare) = mpsc::sync_channel::<Chunk>(SEAL_QUEUE + 2);
    thread::scope(|scope| {
        let sealer = thread::Builder::new()
            .name("fieldcase-seal".into())
            .spawn_scoped(scope, move || seal_chunks(writer, chunks, spare_tx))
            .map_err(|e| Error::io("starting the attachment's writing thread", e))?;
        let read = (|| -> Result<u64> {
            let mut size = 0u64;
            loop {
                let mut chunk = spare
                    .try_recv()
                    .unwrap_or_else(|_| Zeroizing::new(Vec::with_capacity(CHUNK_LEN + 16)));
                chunk.resize(CHUNK_LEN, 0);
                let mut filled = 0;
                let at_end = loop {
                    match source.read(&mut chunk[filled..]) {
                        Ok(0) => break true,
                        Ok(n) => {
                            filled += n;
                            if filled == CHUNK_LEN {
                                break false;
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(Error::io("reading the file to attach", e)),
                    }
                };
                chunk.truncate(filled);
                if filled > 0 {
                    if let Some(h) = &mut hasher {
                        h.update(&chunk)
                            .map_err(|e| Error::io("hashing the attachment", e))?;
                    }
                    size += filled as u64;
                    if to_sealer.send(chunk).is_err() {
                        return Ok(size); // the sealing thread stopped: its error says why
                    }
                }
                if at_end {
                    return Ok(size);
                }
            }
        })();
        drop(to_sealer);
        let sealed = sealer.join().unwrap_or_else(|_| {
            Err(Error::io(
                "writing the attachment",
                io::Error::other("the attachment's writing thread failed"),
            ))
        });
        let size = read?;
        sealed?
            .finish()?
            .finish()
            .map_err(|e| Error::io("writing the attachment", e))?;
        let sha256 = match &mut hasher {
            Some(h) => h
                .finish()
                .map_err(|e| Error::io("hashing the attachment", e))?,
            None => String::new(),
        };
        Ok((size, sha256))
    })
}

/// The sealing thread of [`write_blob`]: seals and writes every chunk it is handed (each in
/// place, see [`EncryptingWriter::write_chunk`]) and hands the buffer back for reuse. Returns
/// the writer unfinished when the reading side is done; the reading side finishes it if all
/// went well.
fn seal_chunks(
    mut writer: EncryptingWriter<SyncingFile>,
    chunks: mpsc::Receiver<Chunk>,
    spare: mpsc::SyncSender<Chunk>,
) -> Result<EncryptingWriter<SyncingFile>> {
    for mut chunk in chunks {
        writer
            .write_chunk(&mut chunk)
            .map_err(|e| Error::io("writing the attachment", e))?;
        // Back at a chunk's length (the tag cut off), so refilling it zeroes nothing.
        chunk.truncate(CHUNK_LEN);
        let _ = spare.try_send(chunk);
    }
    Ok(writer)
}

pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(format!("syncing {}", dir.display()), e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{ExportOptions, Progress};
    use crate::model::example;
    use crate::store::tests::{link_field_to_office, temp_store};

    #[cfg(unix)]
    #[test]
    fn an_import_makes_the_attachments_folder_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        // The usual umask, under which a folder made with the default mode is 0755.
        rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o022));
        let (dir, mut field) = temp_store("Field laptop 3");
        let (_odir, mut office) = temp_store("Office");
        link_field_to_office(&mut field, &mut office);
        let person = field.add(example(RecordKind::Person)).unwrap();
        let new = NewAttachment {
            record_id: person,
            media: MediaKind::Photo,
            file_name: "រូបថត.jpg".into(),
            media_type: "image/jpeg".into(),
            description: None,
        };
        field
            .attach(new, &mut std::io::Cursor::new(vec![7u8; 5000]))
            .unwrap();
        let out = dir.path().join("1.fcb");
        field
            .export_bundle(&out, ExportOptions::default(), &mut |_: Progress| {})
            .unwrap();
        let folder = attachments_dir(office.dir());
        assert!(!folder.exists(), "the office has no attachments yet");
        office.import_bundle(&out, &mut |_: Progress| {}).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder), 0o700, "{}", folder.display());
        let blobs: Vec<_> = fs::read_dir(&folder).unwrap().flatten().collect();
        assert_eq!(blobs.len(), 1);
        assert_eq!(mode(&blobs[0].path()), 0o600);
    }

    #[test]
    fn the_side_hasher_hashes_what_it_is_given_across_chunk_edges() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5] {
            let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            for piece in [1000, 8192, CHUNK, CHUNK + 7] {
                let mut side = SideHasher::new().unwrap();
                for part in bytes.chunks(piece) {
                    side.update(part).unwrap();
                }
                assert_eq!(
                    side.finish().unwrap(),
                    hex::encode(Sha256::digest(&bytes)),
                    "{len} bytes in pieces of {piece}"
                );
            }
        }
    }
}
