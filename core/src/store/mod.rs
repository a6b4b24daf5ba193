//! The encrypted store: one SQLCipher database per profile, opened by a data key.
//!
//! [`Store`] is an unlocked profile. Dropping it locks: the connection closes,
//! the data key is zeroized and the profile's lock file is released. Every
//! write is one transaction that carries its own audit entry, so a crash or a
//! full disk leaves the store as it was before the write.

pub mod attachments;
pub mod audit;
pub mod cases;
pub mod conflicts;
pub mod consent;
pub mod devices;
pub mod drafts;
pub(crate) mod facts;
pub mod history;
pub mod keys;
mod links;
pub mod media;
pub mod migrations;
mod rekey;
pub mod revisions;
pub mod search;

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::Utc;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::crypto::{KdfParams, KeySlots};
use crate::error::{Error, Result, ValidationError};
use crate::model::{Record, RecordKind};
use crate::secret::{DataKey, Passphrase};

pub use audit::{AuditEntry, ChainReport};
pub use cases::{CaseEntry, CaseRef, CaseView, DatedBy, EntryDetail, EntryState};
pub use conflicts::{
    ConflictHead, ConflictSummary, ConflictView, FieldDifference, HeadSummary, Resolution, Resolved,
};
pub use devices::{BundleReceived, DeviceTimeline, EntryStatus, ReceiptWritten, TimelineEntry};
pub use drafts::{Draft, DraftSummary, EarlierStatement};
pub use history::{FieldChange, HistoryEntry, RecordHistory};
pub use keys::TrustedKey;
pub(crate) use rekey::finish_pending;
pub use rekey::RekeyProgress;
pub use revisions::{ListCursor, ListPage, RecordSummary, RecordView, Revision};
pub use search::SearchHit;

/// The device this profile lives on, and the person writing on it.
#[derive(Debug, Clone, Serialize)]
pub struct Device {
    /// The device id (UUIDv7, made at `init`).
    pub id: Uuid,
    /// The device's name, e.g. "Field laptop 3".
    pub name: String,
    /// Who writes revisions on this device.
    pub author: String,
    /// The device's Ed25519 signing public key, minisign base64.
    pub signing_public_key: String,
}

/// The device's signing key as people and stock tools read it.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceKey {
    /// The public key in minisign's file format (two lines), readable by `minisign -V -p`.
    pub minisign: String,
    /// The public key alone (`minisign -P`).
    pub public_key: String,
    /// minisign's key id (16 hex digits), a short fingerprint to read out over the phone.
    pub fingerprint: String,
}

/// An unlocked profile.
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) dir: PathBuf,
    pub(crate) key: DataKey,
    pub(crate) device: Device,
    /// Set by a [`crate::stop::Stopper`]: long jobs' streams fail from then on.
    pub(crate) stopped: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Wrong passphrases typed again while open, in a row: delayed as unlocks are.
    confirm_failures: Vec<chrono::DateTime<Utc>>,
    _lock: File,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .field("device", &self.device.id)
            .finish_non_exhaustive()
    }
}

/// File names inside a profile folder.
pub mod layout {
    /// The SQLCipher database.
    pub const DATABASE: &str = "store.db";
    /// The key-slot file.
    pub const KEY_SLOTS: &str = "keyslots.json";
    /// The next key-slot file, while a passphrase change is under way.
    pub const PENDING_KEY_SLOTS: &str = "keyslots.pending.json";
    /// Held locked while the profile is open.
    pub const LOCK: &str = "lock";
    /// Encrypted attachment files.
    pub const ATTACHMENTS: &str = "attachments";
    /// Times of failed unlocks, folded into the audit chain at the next unlock.
    pub const UNLOCK_FAILURES: &str = "unlock-failures";
}

/// A string field of a record body, or "" when it is absent or not a string.
pub(crate) fn text_field(body: &Value, key: &str) -> String {
    body.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Opens the database file with a key and the security settings. Never creates the file
/// unless `create`.
pub(crate) fn open_connection(
    path: &Path,
    key: Option<&DataKey>,
    create: bool,
) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    } else if !path.exists() {
        return Err(Error::StoreDamaged(format!(
            "the database file {} is missing",
            path.display()
        )));
    }
    let conn = Connection::open_with_flags(path, flags)?;
    configure(&conn, key)?;
    Ok(conn)
}

/// Keys a connection (or leaves it plain, for benchmarks) and applies the settings.
pub(crate) fn configure(conn: &Connection, key: Option<&DataKey>) -> Result<()> {
    // SQLCipher logs HMAC failures to stderr by default; our own error says it better.
    let _: String = conn.query_row("PRAGMA cipher_log_level = NONE", [], |r| r.get(0))?;
    // Wipe (and lock) SQLCipher's memory, before the key is given so that the key's own
    // copies and the key schedule are allocated under it too: the setting is process-wide
    // once on, but the first connection of a process used to be keyed before it was on.
    // Set on a benchmark's plain connection too, so the bench compares the same settings
    // but the key.
    conn.execute_batch("PRAGMA cipher_memory_security = ON;")?;
    if let Some(key) = key {
        let mut statement = zeroize::Zeroizing::new(String::from("PRAGMA key = \""));
        statement.push_str(&key.sqlcipher_literal());
        statement.push_str("\";");
        conn.execute_batch(&statement)?;
    }
    // Every statement of a write is prepared once per connection, not per write.
    conn.set_prepared_statement_cache_capacity(64);
    // ... and stays prepared. SQLite re-plans a statement whose plan looked at a bound
    // parameter (`x = ?1` in a join or under ORDER BY, `LIMIT ?2`, `LIKE ?1`) when that
    // parameter is bound again, and `sqlite3_clear_bindings`, which the statement cache runs
    // on every statement it takes back, counts as that: each such cached statement was parsed
    // and planned anew on every call (`sqlite3Reprepare` under `sqlite3_step`). With the
    // query planner stability guarantee a statement keeps the plan it got when first
    // prepared, before any value was bound: the plan a fresh `prepare` has always given it.
    // (docs/performance.md, "Cached statements re-prepared on every call")
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // Touch the first page: a wrong key or a file that is not ours fails here.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| match Error::from(e) {
        Error::StoreDamaged(m) | Error::Sqlite(m) => Error::StoreDamaged(m),
        other => other,
    })?;
    conn.execute_batch(
        "PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA foreign_keys = ON;
         PRAGMA synchronous = FULL;",
    )?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::StoreDamaged(format!(
            "could not switch to WAL (got {mode})"
        )));
    }
    Ok(())
}

impl Store {
    pub(crate) fn from_parts(
        conn: Connection,
        dir: PathBuf,
        key: DataKey,
        lock: File,
    ) -> Result<Store> {
        let device = conn
            .query_row(
                "SELECT id, name, author, signing_public_key FROM device LIMIT 1",
                [],
                |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .ok_or_else(|| {
                Error::StoreDamaged(
                    "profile creation did not finish; remove this folder and run init again".into(),
                )
            })?;
        let id = Uuid::parse_str(&device.0).map_err(|e| Error::StoreDamaged(e.to_string()))?;
        Ok(Store {
            conn,
            dir,
            key,
            device: Device {
                id,
                name: device.1,
                author: device.2,
                signing_public_key: device.3,
            },
            stopped: Default::default(),
            confirm_failures: Vec::new(),
            _lock: lock,
        })
    }

    /// What stops this store's long jobs (export, import, attach, reports) from another
    /// thread; see [`crate::stop`].
    pub fn stopper(&self) -> crate::stop::Stopper {
        crate::stop::Stopper::new(self.stopped.clone(), self.conn.get_interrupt_handle())
    }

    /// `result`, or [`Error::Stopped`] if it failed because a [`crate::stop::Stopper`] stopped
    /// this store's jobs.
    pub(crate) fn unless_stopped<T>(&self, result: Result<T>) -> Result<T> {
        match result {
            Err(_) if self.stopped.load(std::sync::atomic::Ordering::SeqCst) => Err(Error::Stopped),
            other => other,
        }
    }

    /// The profile folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// This device.
    pub fn device(&self) -> &Device {
        &self.device
    }

    fn writer(&self) -> revisions::Writer {
        revisions::Writer {
            device_id: self.device.id,
            author: self.device.author.clone(),
        }
    }

    /// Appends one audit entry in its own transaction.
    pub(crate) fn audit_now(
        &self,
        action: audit::Action,
        record: Option<Uuid>,
        detail: Value,
    ) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        audit::append(
            &tx,
            Utc::now(),
            &self.device.id.to_string(),
            &self.device.author,
            action,
            record.map(|r| r.to_string()).as_deref(),
            detail,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Appends an audit entry by this device, about no single record, inside `conn`'s open
    /// transaction (the caller commits it with the change it logs).
    pub(crate) fn audit_in(
        &self,
        conn: &Connection,
        at: chrono::DateTime<Utc>,
        action: audit::Action,
        detail: Value,
    ) -> Result<()> {
        audit::append(
            conn,
            at,
            &self.device.id.to_string(),
            &self.device.author,
            action,
            None,
            detail,
        )
    }

    /// Adds a new record; returns its id.
    pub fn add(&mut self, record: Record) -> Result<Uuid> {
        let writer = self.writer();
        let tx = self.conn.transaction()?;
        let id = add_in(&tx, &writer, record)?;
        tx.commit()?;
        Ok(id)
    }

    /// Appends an edit. A person's identity section is kept from before unless the edit carries one.
    pub fn edit(&mut self, id: Uuid, record: Record) -> Result<Revision> {
        self.append_edit(id, record, false)
    }

    /// Resolves a conflict: a revision whose parents are all the record's heads. It does not
    /// check what the record drops; [`Store::resolve_conflict`] does, and is what a person's
    /// resolution should go through.
    pub fn resolve(&mut self, id: Uuid, record: Record) -> Result<Revision> {
        self.append_edit(id, record, true)
    }

    fn append_edit(&mut self, id: Uuid, record: Record, resolving: bool) -> Result<Revision> {
        let writer = self.writer();
        let tx = self.conn.transaction()?;
        let rev = edit_in(&tx, &writer, id, record, resolving)?;
        tx.commit()?;
        Ok(rev)
    }

    /// Deletes a record: appends a tombstone. Its history stays. Refused with
    /// [`Error::Linked`] while live records link to it.
    pub fn delete(&mut self, id: Uuid) -> Result<Revision> {
        let writer = self.writer();
        let tx = self.conn.transaction()?;
        let (head, _, deleted) = revisions::single_head(&tx, id)?;
        if deleted {
            return Err(
                ValidationError::new("id", format!("record {id} is already deleted")).into(),
            );
        }
        let (by, more) = links::linking_records(&tx, id)?;
        if !by.is_empty() {
            return Err(Error::Linked {
                id: id.to_string(),
                by,
                more,
            });
        }
        let rev = revisions::write_local(&tx, &writer, id, vec![head], None)?;
        tx.commit()?;
        Ok(rev)
    }

    /// The record as it stands. Revealing a person's identity is logged in the audit chain.
    pub fn show(&mut self, id: Uuid, reveal_identity: bool) -> Result<RecordView> {
        let view = revisions::view(&self.conn, id, reveal_identity)?;
        if reveal_identity && view.has_identity {
            self.audit_now(audit::Action::IdentityRevealed, Some(id), json!({}))?;
        }
        Ok(view)
    }

    /// Every revision of a record, oldest first; identity sections replaced by `"[protected]"`
    /// unless `reveal_identity` (which is logged).
    pub fn history(&mut self, id: Uuid, reveal_identity: bool) -> Result<Vec<Revision>> {
        let revs = revisions::history(&self.conn, id)?;
        let has_identity = revs.iter().any(|r| r.identity.is_some());
        if reveal_identity && has_identity {
            self.audit_now(
                audit::Action::IdentityRevealed,
                Some(id),
                json!({"history": true}),
            )?;
            return Ok(revs);
        }
        Ok(revs.into_iter().map(Revision::without_identity).collect())
    }

    /// A page of records of one kind, most recently changed first, skipping `offset`
    /// (slower the deeper it goes; [`Store::list_after`] is not).
    pub fn list(&self, kind: RecordKind, limit: u32, offset: u32) -> Result<Vec<RecordSummary>> {
        revisions::list(&self.conn, kind, limit, offset)
    }

    /// A page of records of one kind, most recently changed first, after `after` (the
    /// previous page's [`ListPage::next`]; `None` for the first page).
    pub fn list_after(
        &self,
        kind: RecordKind,
        limit: u32,
        after: Option<&ListCursor>,
    ) -> Result<ListPage> {
        revisions::list_after(&self.conn, kind, limit, after)
    }

    /// The `limit` most recently changed live records of every kind but attachments (they show
    /// on their record's page): what Home lists as recent work. One index walk per kind.
    pub fn recent(&self, limit: u32) -> Result<Vec<RecordSummary>> {
        let mut all = Vec::new();
        for kind in RecordKind::ALL {
            if kind != RecordKind::Attachment {
                all.extend(self.list_after(kind, limit, None)?.records);
            }
        }
        all.sort_by(|a, b| (&b.updated_at, b.id).cmp(&(&a.updated_at, a.id)));
        all.truncate(limit as usize);
        Ok(all)
    }

    /// A page of records whose text contains `query`.
    pub fn search(&self, query: &str, limit: u32, offset: u32) -> Result<Vec<SearchHit>> {
        search::search(&self.conn, query, limit, offset)
    }

    /// How many live records of each kind.
    pub fn counts(&self) -> Result<Vec<(RecordKind, u64)>> {
        let mut out = Vec::new();
        let mut stmt = self
            .conn
            // Migration 8's index: the kinds of live records only, so no time or id is read.
            .prepare_cached(
                "SELECT count(*) FROM records INDEXED BY records_live_kind WHERE kind = ?1 AND deleted = 0",
            )?;
        for kind in RecordKind::ALL {
            let n: i64 = stmt.query_row([kind.as_str()], |r| r.get(0))?;
            out.push((kind, u64::try_from(n).unwrap_or(0)));
        }
        Ok(out)
    }

    /// Adds revisions written on another device (a bundle's), all or none. Returns how many were new.
    pub fn apply_foreign(&mut self, revs: &[Revision]) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut added = 0;
        let mut search = revisions::PendingIndexes::default();
        for rev in revs {
            if revisions::apply_foreign_held(&tx, rev, &mut search)? {
                added += 1;
            }
        }
        search.flush(&tx)?;
        tx.commit()?;
        Ok(added)
    }

    /// Recomputes the audit chain.
    pub fn audit_verify(&self) -> Result<ChainReport> {
        audit::verify(&self.conn)
    }

    /// The audit log, oldest first.
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>> {
        audit::entries(&self.conn)
    }

    /// The device's signing public key, in minisign's formats, with its fingerprint.
    pub fn device_key(&self) -> Result<DeviceKey> {
        let pk = minisign::PublicKey::from_base64(&self.device.signing_public_key)
            .map_err(|e| Error::StoreDamaged(format!("device public key: {e}")))?;
        let minisign = pk
            .to_box()
            .map_err(|e| Error::Crypto(e.to_string()))?
            .into_string();
        let fingerprint = minisign
            .lines()
            .next()
            .and_then(|l| l.rsplit(' ').next())
            .unwrap_or_default()
            .to_string();
        Ok(DeviceKey {
            minisign,
            public_key: self.device.signing_public_key.clone(),
            fingerprint,
        })
    }

    /// Changes the passphrase of an open store after checking the current one, for a shell
    /// where the store is already open (the desktop app): a wrong current passphrase is
    /// [`Error::WrongPassphrase`], logged as a failed unlock, and nothing changes.
    pub fn change_passphrase_checked(
        &mut self,
        current: &Passphrase,
        new_passphrase: &Passphrase,
        params: KdfParams,
        progress: &mut dyn FnMut(RekeyProgress),
    ) -> Result<()> {
        self.confirm_passphrase(current, "passphrase change")?;
        self.change_passphrase_reporting(new_passphrase, params, progress)
    }

    /// Checks the passphrase of an open store once more, before an action a minute at an
    /// unlocked laptop must not be enough for (trusting a key, purging, …): it must open
    /// this store's key slot. A wrong one is [`Error::WrongPassphrase`], logged as a failed
    /// unlock `during` that action, and nothing else changes.
    /// After three wrong ones in a row, each attempt waits as an unlock would
    /// ([`Error::UnlockDelayed`], before the KDF runs), so the dialog is no way to guess it.
    pub fn confirm_passphrase(&mut self, passphrase: &Passphrase, during: &str) -> Result<()> {
        self.confirm_passphrase_at(passphrase, during, Utc::now())
    }

    /// [`Store::confirm_passphrase`] at the time `now` (tests give their own clock).
    pub(crate) fn confirm_passphrase_at(
        &mut self,
        passphrase: &Passphrase,
        during: &str,
        now: chrono::DateTime<Utc>,
    ) -> Result<()> {
        if let Some(wait) = crate::profile::wait_before_unlock(&self.confirm_failures, now) {
            return Err(Error::UnlockDelayed {
                seconds: u64::try_from(wait.num_seconds()).unwrap_or(0).max(1),
            });
        }
        let slots = KeySlots::read(&self.dir.join(layout::KEY_SLOTS))?;
        match slots.unlock(passphrase) {
            Ok(key) if key.expose() == self.key.expose() => {
                self.confirm_failures.clear();
                Ok(())
            }
            Ok(_) => Err(Error::KeySlotDamaged(
                "the key slot file does not open this store".into(),
            )),
            Err(Error::WrongPassphrase) => {
                self.confirm_failures.push(now);
                self.audit_now(
                    audit::Action::UnlockFailed,
                    None,
                    json!({ "during": during }),
                )?;
                Err(Error::WrongPassphrase)
            }
            Err(e) => Err(e),
        }
    }

    /// Lets the office unlock this profile with its age identity if the passphrase is lost.
    pub fn set_recovery_recipient(&mut self, office_recipient: &str) -> Result<()> {
        self.update_key_slots(
            audit::Action::RecoveryKeySet,
            json!({"recipient": office_recipient}),
            |slots, key| slots.set_recovery(key, office_recipient),
        )
    }

    /// Changes the key-slot file and logs it: the audit entry is written in a transaction
    /// that commits only after the new file is in place, so neither happens without the other
    /// (short of a crash between the rename and the commit).
    fn update_key_slots(
        &mut self,
        action: audit::Action,
        detail: Value,
        change: impl FnOnce(&mut KeySlots, &DataKey) -> Result<()>,
    ) -> Result<()> {
        let path = self.dir.join(layout::KEY_SLOTS);
        let mut slots = KeySlots::read(&path)?;
        change(&mut slots, &self.key)?;
        let tx = self.conn.unchecked_transaction()?;
        self.audit_in(&tx, Utc::now(), action, detail)?;
        slots.write_atomic(&path)?;
        tx.commit()?;
        Ok(())
    }

    /// `PRAGMA integrity_check` and the audit chain, for `fieldcase check` and tests.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}

/// Adds a new record inside `tx` (the caller commits); returns its id.
pub(crate) fn add_in(
    tx: &Transaction<'_>,
    writer: &revisions::Writer,
    record: Record,
) -> Result<Uuid> {
    if record.kind() == RecordKind::Attachment {
        return Err(ValidationError::new(
            "kind",
            "an attachment is added with `attach`, which stores its file",
        )
        .into());
    }
    check_cross_record_rules(tx, &record)?;
    let id = Uuid::now_v7();
    revisions::write_local(tx, writer, id, Vec::new(), Some(record))?;
    Ok(id)
}

/// Appends an edit (or, `resolving`, a conflict resolution) inside `tx` (the caller commits).
pub(crate) fn edit_in(
    tx: &Transaction<'_>,
    writer: &revisions::Writer,
    id: Uuid,
    record: Record,
    resolving: bool,
) -> Result<Revision> {
    edit_in_noted(tx, writer, id, record, resolving, Value::Null)
}

/// [`edit_in`] with facts added to the audit entry (see [`revisions::write_local_noted`]).
pub(crate) fn edit_in_noted(
    tx: &Transaction<'_>,
    writer: &revisions::Writer,
    id: Uuid,
    record: Record,
    resolving: bool,
    note: Value,
) -> Result<Revision> {
    let parents = if resolving {
        let heads = revisions::heads(tx, id)?;
        if heads.is_empty() {
            return Err(Error::NotFound {
                what: "record",
                id: id.to_string(),
            });
        }
        heads
    } else {
        let (head, _, deleted) = revisions::single_head(tx, id)?;
        if deleted {
            return Err(ValidationError::new("id", format!("record {id} is deleted")).into());
        }
        vec![head]
    };
    let newest = revisions::revision(tx, parents[0])?
        .ok_or_else(|| Error::StoreDamaged(format!("head of {id} is missing")))?;
    if newest.kind != record.kind() {
        return Err(ValidationError::new(
            "kind",
            format!("record {id} is a {}, not a {}", newest.kind, record.kind()),
        )
        .into());
    }
    let record = match (record.clone().split_identity(), newest.identity.clone()) {
        ((without, None), Some(kept)) => without.with_identity(kept)?,
        _ => record,
    };
    if record.kind() == RecordKind::Attachment {
        attachments::check_metadata_edit(&newest, &record)?;
    }
    check_cross_record_rules(tx, &record)?;
    revisions::write_local_noted(tx, writer, id, parents, Some(record), note)
}

/// Rules that need another record: an audio attachment needs the interview's recording
/// consent; an interview with a person recorded as under 18 needs a guardian or social worker.
fn check_cross_record_rules(conn: &Connection, record: &Record) -> Result<()> {
    let body = record.to_value();
    match record.kind() {
        RecordKind::Attachment => attachments::check_consent(conn, record),
        RecordKind::Interview => {
            let Some(person) = body.get("person_id").and_then(Value::as_str) else {
                return Ok(());
            };
            let person_body: Option<String> = conn
                .query_row(
                    "SELECT v.body FROM heads h JOIN revisions v ON v.id = h.revision_id WHERE h.record_id = ?1 LIMIT 1",
                    [person],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            let years = person_body
                .and_then(|b| serde_json::from_str::<Value>(&b).ok())
                .and_then(|b| b.pointer("/age/years").and_then(Value::as_u64));
            if years.is_some_and(|y| y < 18) {
                let present = body
                    .get("people_present")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let guarded = present.iter().any(|p| {
                    matches!(
                        p.get("role").and_then(Value::as_str),
                        Some("guardian") | Some("social_worker")
                    )
                });
                if !guarded {
                    return Err(ValidationError::new(
                        "interview.people_present",
                        "a minor must have a guardian or social worker present (the person's record gives an age under 18)",
                    )
                    .into());
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
pub(crate) mod tests;
