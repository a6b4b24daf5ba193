//! The audit log: append-only and hash-chained.
//!
//! Every entry carries the hash of the one before it, so an entry edited,
//! removed or reordered afterwards breaks the chain at that point, and
//! [`verify`] names the first entry that no longer fits. Entries say what was
//! done to which record, never what the record says.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{json, Value};

use crate::canonical;
use crate::error::{Error, Result};

/// The hash the first entry points back to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// The profile was created.
    ProfileCreated,
    /// A record was created.
    RecordCreated,
    /// A record was edited (a revision appended).
    RecordEdited,
    /// A record was deleted (a tombstone appended).
    RecordDeleted,
    /// A person's identity section was shown.
    IdentityRevealed,
    /// Someone tried to unlock the profile with a wrong passphrase.
    UnlockFailed,
    /// The passphrase was changed.
    PassphraseChanged,
    /// An office recovery key was set.
    RecoveryKeySet,
    /// An attachment's bytes were read out of the store.
    AttachmentExported,
    /// The profile was unlocked with the office's recovery key instead of the passphrase.
    RecoveryUnlock,
    /// Figures or records left the store for partners: a partner export, or a report with the
    /// small-cell threshold lowered (the detail says which, never what they say).
    DataExported,
    /// This profile became an office: an age identity was created in it.
    OfficeKeyCreated,
    /// The office's age identity was written out to a file (escrow).
    OfficeIdentityExported,
    /// An office recipient was added to a field profile.
    OfficeRecipientAdded,
    /// A signing key (a device's or an office's) was trusted.
    KeyTrusted,
    /// Trust in a signing key was revoked.
    KeyRevoked,
    /// A bundle was written.
    BundleExported,
    /// A bundle was imported.
    BundleImported,
    /// A record arrived in an imported bundle.
    RecordImported,
    /// A signed receipt for an imported bundle was written.
    ReceiptWritten,
    /// A receipt from the office was imported; its revisions are acknowledged.
    ReceiptImported,
    /// Content the office holds was removed from this profile, leaving stubs.
    RecordsPurged,
    /// A record in conflict (two or more heads) was resolved by a revision whose parents are
    /// all of them. The detail names the parents, a version taken whole, and any field a
    /// person confirmed dropping (names only, never values).
    ConflictResolved,
    /// A printable case summary (PDF) was made, identity fields withheld. The detail names
    /// the case code.
    CaseSummary,
    /// A printable case summary (PDF) was made with the persons' identity fields. The detail
    /// names the case code and the persons' record ids, never an identity.
    CaseSummaryIdentities,
}

impl Action {
    /// The action's name as stored.
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::ProfileCreated => "profile_created",
            Action::RecordCreated => "record_created",
            Action::RecordEdited => "record_edited",
            Action::RecordDeleted => "record_deleted",
            Action::IdentityRevealed => "identity_revealed",
            Action::UnlockFailed => "unlock_failed",
            Action::PassphraseChanged => "passphrase_changed",
            Action::RecoveryKeySet => "recovery_key_set",
            Action::AttachmentExported => "attachment_exported",
            Action::RecoveryUnlock => "recovery_unlock",
            Action::DataExported => "data_exported",
            Action::OfficeKeyCreated => "office_key_created",
            Action::OfficeIdentityExported => "office_identity_exported",
            Action::OfficeRecipientAdded => "office_recipient_added",
            Action::KeyTrusted => "key_trusted",
            Action::KeyRevoked => "key_revoked",
            Action::BundleExported => "bundle_exported",
            Action::BundleImported => "bundle_imported",
            Action::RecordImported => "record_imported",
            Action::ReceiptWritten => "receipt_written",
            Action::ReceiptImported => "receipt_imported",
            Action::RecordsPurged => "records_purged",
            Action::ConflictResolved => "conflict_resolved",
            Action::CaseSummary => "case_summary",
            Action::CaseSummaryIdentities => "case_summary_identities",
        }
    }
}

/// One entry of the audit log, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When it happened (UTC, RFC 3339).
    pub at: String,
    /// The device that wrote it.
    pub device_id: String,
    /// Who did it.
    pub actor: String,
    /// What was done (see [`Action`]).
    pub action: String,
    /// The record concerned, if any.
    pub record_id: Option<String>,
    /// Extra facts (never record content).
    pub detail: Value,
    /// Hash of the entry before.
    pub prev_hash: String,
    /// Hash of this entry.
    pub hash: String,
}

/// The result of recomputing the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// How many entries were checked.
    pub entries: i64,
    /// The first entry that does not fit, if any.
    pub first_broken: Option<i64>,
    /// Why it does not fit.
    pub reason: Option<String>,
}

impl ChainReport {
    /// Whether the whole chain verified.
    pub fn is_intact(&self) -> bool {
        self.first_broken.is_none()
    }
}

impl AuditEntry {
    /// The hash over every field but `hash` itself.
    pub fn compute_hash(&self) -> String {
        canonical::sha256_hex(&json!({
            "seq": self.seq, "at": self.at, "device_id": self.device_id, "actor": self.actor,
            "action": self.action, "record_id": self.record_id, "detail": self.detail,
            "prev_hash": self.prev_hash,
        }))
    }
}

/// Appends an entry; call it inside the transaction of the change it records.
#[allow(clippy::too_many_arguments)]
pub fn append(
    conn: &Connection,
    at: DateTime<Utc>,
    device_id: &str,
    actor: &str,
    action: Action,
    record_id: Option<&str>,
    detail: Value,
) -> Result<()> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let mut entry = AuditEntry {
        seq,
        at: at.to_rfc3339_opts(SecondsFormat::Micros, true),
        device_id: device_id.to_string(),
        actor: actor.to_string(),
        action: action.as_str().to_string(),
        record_id: record_id.map(str::to_string),
        detail,
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.compute_hash();
    conn.prepare_cached(
        "INSERT INTO audit (seq, at, device_id, actor, action, record_id, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        entry.seq,
        entry.at,
        entry.device_id,
        entry.actor,
        entry.action,
        entry.record_id,
        entry.detail.to_string(),
        entry.prev_hash,
        entry.hash
    ])?;
    Ok(())
}

/// The detail of the newest entry of `action`, if there is one.
pub(crate) fn newest_detail(conn: &Connection, action: Action) -> Result<Option<Value>> {
    let detail: Option<String> = conn
        .query_row(
            "SELECT detail FROM audit WHERE action = ?1 ORDER BY seq DESC LIMIT 1",
            [action.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(detail.and_then(|d| serde_json::from_str(&d).ok()))
}

/// Every entry, oldest first.
pub fn entries(conn: &Connection) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, device_id, actor, action, record_id, detail, prev_hash, hash FROM audit ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| {
        let detail: String = r.get(6)?;
        Ok(AuditEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            device_id: r.get(2)?,
            actor: r.get(3)?,
            action: r.get(4)?,
            record_id: r.get(5)?,
            detail: serde_json::from_str(&detail).unwrap_or(Value::String(detail)),
            prev_hash: r.get(7)?,
            hash: r.get(8)?,
        })
    })?;
    rows.collect::<Result<Vec<_>, _>>().map_err(Error::from)
}

/// Recomputes the chain and names the first entry that does not fit.
pub fn verify(conn: &Connection) -> Result<ChainReport> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, device_id, actor, action, record_id, detail, prev_hash, hash FROM audit ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_prev = GENESIS.to_string();
    let mut expected_seq = 1i64;
    let mut count = 0i64;
    while let Some(r) = rows.next()? {
        count += 1;
        let seq: i64 = r.get(0)?;
        let detail_text: String = r.get(6)?;
        let prev_hash: String = r.get(7)?;
        let hash: String = r.get(8)?;
        let broken = |reason: &str| ChainReport {
            entries: count,
            first_broken: Some(seq),
            reason: Some(reason.to_string()),
        };
        if seq != expected_seq {
            return Ok(ChainReport {
                entries: count,
                first_broken: Some(expected_seq),
                reason: Some(format!(
                    "entry {expected_seq} is missing (next found is {seq})"
                )),
            });
        }
        if prev_hash != expected_prev {
            return Ok(broken("it does not point to the entry before it"));
        }
        let Ok(detail) = serde_json::from_str::<Value>(&detail_text) else {
            return Ok(broken("its detail is not valid JSON"));
        };
        let entry = AuditEntry {
            seq,
            at: r.get(1)?,
            device_id: r.get(2)?,
            actor: r.get(3)?,
            action: r.get(4)?,
            record_id: r.get(5)?,
            detail,
            prev_hash: prev_hash.clone(),
            hash: hash.clone(),
        };
        let computed = entry.compute_hash();
        if computed != hash {
            return Ok(broken("its content does not match its hash"));
        }
        expected_prev = hash;
        expected_seq += 1;
    }
    Ok(ChainReport {
        entries: count,
        first_broken: None,
        reason: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::migrations::migrate(&mut conn).unwrap();
        for i in 0..n {
            append(
                &conn,
                Utc::now(),
                "dev",
                "ស្រីមុំ",
                Action::RecordCreated,
                Some("r"),
                json!({"i": i}),
            )
            .unwrap();
        }
        conn
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let conn = chain(5);
        let report = verify(&conn).unwrap();
        assert!(report.is_intact());
        assert_eq!(report.entries, 5);
    }

    #[test]
    fn an_edited_entry_is_named() {
        let conn = chain(5);
        conn.execute("UPDATE audit SET actor = 'someone else' WHERE seq = 3", [])
            .unwrap();
        let report = verify(&conn).unwrap();
        assert_eq!(report.first_broken, Some(3));
    }

    #[test]
    fn a_removed_entry_is_named() {
        let conn = chain(5);
        conn.execute("DELETE FROM audit WHERE seq = 2", []).unwrap();
        assert_eq!(verify(&conn).unwrap().first_broken, Some(2));
    }

    #[test]
    fn a_rehashed_entry_still_breaks_the_next_link() {
        let conn = chain(4);
        conn.execute("UPDATE audit SET detail = '{\"i\":99}' WHERE seq = 2", [])
            .unwrap();
        let e = &entries(&conn).unwrap()[1];
        let fixed = e.compute_hash();
        conn.execute("UPDATE audit SET hash = ?1 WHERE seq = 2", [fixed])
            .unwrap();
        assert_eq!(verify(&conn).unwrap().first_broken, Some(3));
    }
}
