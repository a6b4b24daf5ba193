//! Receipts and purge: the office signs what it holds; the laptop, once it has checked that
//! signature against the office key it trusts, marks those revisions acknowledged and may
//! remove their content, leaving stubs that say what was there and where it went.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Digest;
use uuid::Uuid;

use super::read::check_signature;
use crate::canonical;
use crate::error::{BundleError, Error, Result};
use crate::model::RecordKind;
use crate::store::keys::{key_id, trusted_by_key_id};
use crate::store::{audit, facts, layout, revisions::time_text, search, Store};

/// The `format` of every receipt.
pub const RECEIPT_FORMAT: &str = "fieldcase-receipt";
const MAX_RECEIPT_BYTES: u64 = 64 << 20;

/// What the office signs after importing a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// Always `fieldcase-receipt`.
    pub format: String,
    /// 1.
    pub format_version: u64,
    /// The bundle it acknowledges.
    pub bundle_id: Uuid,
    /// That bundle's hash (SHA-256 of its SHA256SUMS).
    pub bundle_sha256: String,
    /// The device that wrote the bundle.
    pub device_id: Uuid,
    /// That device's public key.
    pub device_public_key: String,
    /// The bundle's sequence number.
    pub sequence: u64,
    /// Every revision of the bundle the office now holds.
    pub revision_ids: Vec<Uuid>,
    /// Every attachment (SHA-256) of the bundle whose bytes the office now holds.
    pub attachments: Vec<String>,
    /// When the office imported it.
    pub imported_at: String,
    /// The office profile's device id.
    pub office_device_id: Uuid,
    /// The office profile's device name.
    pub office_name: String,
    /// The office's signing key (minisign base64), which signed this receipt.
    pub office_public_key: String,
    /// When the receipt was written.
    pub issued_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    receipt: Value,
    /// minisign signature over the receipt's canonical JSON (sorted keys, no spaces).
    signature: String,
}

/// What writing or importing a receipt did.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptSummary {
    /// The bundle acknowledged.
    pub bundle_id: Uuid,
    /// Its sequence number.
    pub sequence: u64,
    /// Revisions acknowledged.
    pub revisions: u64,
    /// Attachments acknowledged.
    pub attachments: u64,
    /// The office, by name.
    pub office: String,
    /// The receipt file (when written).
    pub path: Option<PathBuf>,
}

/// What a purge removed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PurgeSummary {
    /// Revisions whose body and identity were removed (stubs left).
    pub revisions: u64,
    /// Records whose current state is now a stub.
    pub records: u64,
    /// Identity sections removed.
    pub identities: u64,
    /// Attachment files removed.
    pub attachments: u64,
    /// Their size in bytes.
    pub attachment_bytes: u64,
    /// Drafts deleted because they edit a record now purged (they held a copy of its text).
    pub drafts: u64,
}

fn refused(why: impl Into<String>) -> Error {
    BundleError::ReceiptRefused(why.into()).into()
}

impl Store {
    /// On the office: writes a signed receipt for an imported bundle to `out` (must not
    /// exist). Logged.
    pub fn write_receipt(&mut self, bundle_id: Uuid, out: &Path) -> Result<ReceiptSummary> {
        let row: Option<(String, String, i64, String, String, String)> = self
            .conn
            .query_row(
                "SELECT device_id, device_key, sequence, bundle_sha256, imported_at, revision_ids
                 FROM bundles_in WHERE bundle_id = ?1",
                [bundle_id.to_string()],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((device_id, device_key, sequence, bundle_sha256, imported_at, revs)) = row else {
            return Err(BundleError::UnknownBundle(bundle_id.to_string()).into());
        };
        let damaged = |e: &dyn std::fmt::Display| Error::StoreDamaged(format!("bundles_in: {e}"));
        let revision_ids: Vec<Uuid> = serde_json::from_str(&revs).map_err(|e| damaged(&e))?;
        let listed: Vec<String> = self
            .conn
            .query_row(
                "SELECT attachments FROM bundles_in WHERE bundle_id = ?1",
                [bundle_id.to_string()],
                |r| r.get::<_, String>(0),
            )
            .map(|t| serde_json::from_str(&t).unwrap_or_default())?;
        let mut attachments = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT EXISTS (SELECT 1 FROM attachment_blobs WHERE sha256 = ?1)")?;
            for sha in listed {
                if stmt.query_row([&sha], |r| r.get::<_, bool>(0))? {
                    attachments.push(sha);
                }
            }
        }
        let receipt = Receipt {
            format: RECEIPT_FORMAT.into(),
            format_version: 1,
            bundle_id,
            bundle_sha256,
            device_id: Uuid::parse_str(&device_id).map_err(|e| damaged(&e))?,
            device_public_key: device_key,
            sequence: u64::try_from(sequence).unwrap_or(0),
            revision_ids,
            attachments,
            imported_at,
            office_device_id: self.device.id,
            office_name: self.device.name.clone(),
            office_public_key: self.device.signing_public_key.clone(),
            issued_at: Utc::now(),
        };
        let value = serde_json::to_value(&receipt).map_err(|e| damaged(&e))?;
        let signature = self.sign_minisign(
            &canonical::to_bytes(&value),
            &format!(
                "fieldcase-receipt v1 bundle_id={bundle_id} office_device_id={}",
                self.device.id
            ),
            "receipt from a Fieldcase office",
        )?;
        let text = serde_json::to_string_pretty(&Envelope {
            receipt: value,
            signature,
        })
        .map_err(|e| damaged(&e))?;
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(out)
            .map_err(|e| Error::io(format!("creating {}", out.display()), e))?;
        if let Err(e) = file
            .write_all(text.as_bytes())
            .and_then(|_| file.write_all(b"\n"))
            .and_then(|_| file.sync_all())
        {
            drop(file);
            let _ = fs::remove_file(out);
            return Err(Error::io(format!("writing {}", out.display()), e));
        }
        // The receipt is kept on the device's timeline and logged, in one transaction; if that
        // fails, the file goes too, so no receipt leaves the office unrecorded.
        let recorded = (|| -> Result<()> {
            let now = Utc::now();
            let tx = self.conn.unchecked_transaction()?;
            let mut hasher = sha2::Sha256::new();
            hasher.update(text.as_bytes());
            hasher.update(b"\n");
            tx.execute(
                "INSERT INTO receipts_out (bundle_id, written_at, revisions, attachments, receipt_sha256, from_audit)
                 VALUES (?1, ?2, ?3, ?4, ?5, 0)",
                params![
                    bundle_id.to_string(),
                    time_text(now),
                    receipt.revision_ids.len() as i64,
                    receipt.attachments.len() as i64,
                    hex::encode(hasher.finalize()),
                ],
            )?;
            audit::append(
                &tx,
                now,
                &self.device.id.to_string(),
                &self.device.author,
                audit::Action::ReceiptWritten,
                None,
                json!({"bundle_id": bundle_id, "device_id": receipt.device_id,
                       "revisions": receipt.revision_ids.len(), "attachments": receipt.attachments.len()}),
            )?;
            tx.commit()?;
            Ok(())
        })();
        if let Err(e) = recorded {
            let _ = fs::remove_file(out);
            return Err(e);
        }
        Ok(ReceiptSummary {
            bundle_id,
            sequence: receipt.sequence,
            revisions: receipt.revision_ids.len() as u64,
            attachments: receipt.attachments.len() as u64,
            office: receipt.office_name,
            path: Some(out.to_path_buf()),
        })
    }

    /// On the field laptop: checks a receipt's signature against the office key this profile
    /// trusts and marks what it lists (of what that bundle carried) acknowledged. Logged.
    pub fn import_receipt(&mut self, path: &Path) -> Result<ReceiptSummary> {
        let file = crate::files::open_input(path)?;
        let mut text = String::new();
        file.take(MAX_RECEIPT_BYTES)
            .read_to_string(&mut text)
            .map_err(|_| refused("the file is not a Fieldcase receipt (not UTF-8 text)"))?;
        let envelope: Envelope = serde_json::from_str(&text)
            .map_err(|e| refused(format!("the file is not a Fieldcase receipt ({e})")))?;
        let trust = |id: &str| trusted_by_key_id(&self.conn, id);
        let signer = check_signature(
            &canonical::to_bytes(&envelope.receipt),
            envelope.signature.as_bytes(),
            &trust,
        )
        .map_err(|e| match e {
            Error::Bundle(BundleError::UntrustedSigner(id)) => refused(format!(
                "it is signed by key {id}, which this profile does not trust; trust the office's signing key first (in the app's Settings, or `fieldcase trust add`)"
            )),
            Error::Bundle(BundleError::RevokedSigner { key_id, name, .. }) => {
                refused(format!("it is signed by key {key_id} ({name}), whose trust was revoked"))
            }
            Error::Bundle(BundleError::SignatureMalformed(m)) => {
                refused(format!("its signature is malformed ({m})"))
            }
            Error::Bundle(_) => refused("its signature does not verify: the receipt was altered"),
            other => other,
        })?;
        let receipt: Receipt = serde_json::from_value(envelope.receipt)
            .map_err(|e| refused(format!("the file is not a Fieldcase receipt ({e})")))?;
        if receipt.format != RECEIPT_FORMAT || receipt.format_version != 1 {
            return Err(refused("it is not a version 1 Fieldcase receipt"));
        }
        let signer_pk = minisign::PublicKey::from_base64(&receipt.office_public_key)
            .map_err(|_| refused("its office key is malformed"))?;
        if key_id(&signer_pk) != signer.key_id {
            return Err(refused(
                "it names a different office key than the one that signed it",
            ));
        }
        if receipt.device_id != self.device.id {
            return Err(refused(format!(
                "it acknowledges a bundle from device {}, not this one",
                receipt.device_id
            )));
        }
        let row: Option<(i64, String, String, String)> = self
            .conn
            .query_row(
                "SELECT sequence, bundle_sha256, revision_ids, attachments FROM bundles_out WHERE bundle_id = ?1",
                [receipt.bundle_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((sequence, sha, revs, atts)) = row else {
            return Err(refused(format!(
                "no bundle with id {} was exported from this profile",
                receipt.bundle_id
            )));
        };
        if sha != receipt.bundle_sha256 {
            return Err(refused(
                "it names a bundle whose content differs from the one sent",
            ));
        }
        let sent_revs: BTreeSet<Uuid> = serde_json::from_str(&revs)
            .map_err(|e| Error::StoreDamaged(format!("bundles_out: {e}")))?;
        let sent_atts: BTreeSet<String> = serde_json::from_str(&atts)
            .map_err(|e| Error::StoreDamaged(format!("bundles_out: {e}")))?;
        let now = Utc::now();
        let at = time_text(now);
        let bundle = receipt.bundle_id.to_string();
        let tx = self.conn.unchecked_transaction()?;
        let mut revisions = 0u64;
        for id in receipt
            .revision_ids
            .iter()
            .filter(|id| sent_revs.contains(id))
        {
            revisions += tx.execute(
                "INSERT OR IGNORE INTO acknowledged (revision_id, bundle_id, at) VALUES (?1, ?2, ?3)",
                params![id.to_string(), bundle, at],
            )? as u64;
        }
        let mut attachments = 0u64;
        for sha in receipt
            .attachments
            .iter()
            .filter(|s| sent_atts.contains(*s))
        {
            attachments += tx.execute(
                "INSERT OR IGNORE INTO acknowledged_attachments (sha256, bundle_id, at) VALUES (?1, ?2, ?3)",
                params![sha, bundle, at],
            )? as u64;
        }
        tx.execute(
            "UPDATE bundles_out SET acknowledged_at = coalesce(acknowledged_at, ?2) WHERE bundle_id = ?1",
            params![bundle, at],
        )?;
        self.audit_in(
            &tx,
            now,
            audit::Action::ReceiptImported,
            json!({"bundle_id": receipt.bundle_id, "office_key": signer.key_id,
                   "office": receipt.office_name, "revisions": revisions, "attachments": attachments}),
        )?;
        tx.commit()?;
        Ok(ReceiptSummary {
            bundle_id: receipt.bundle_id,
            sequence: u64::try_from(sequence).unwrap_or(0),
            revisions,
            attachments,
            office: receipt.office_name,
            path: None,
        })
    }

    /// Removes from this profile what the office acknowledged holding: the bodies (narratives
    /// and all) and identity sections of acknowledged revisions, and acknowledged attachment
    /// files. Each purged revision keeps its hash and a stub naming the bundle and office that
    /// hold it; records whose current state was purged drop out of search. Logged.
    pub fn purge_acknowledged(&mut self) -> Result<PurgeSummary> {
        let now = Utc::now();
        let at = time_text(now);
        let tx = self.conn.unchecked_transaction()?;
        let rows: Vec<(String, String, String, bool, bool, Option<String>)> = {
            let mut stmt = tx.prepare(
                "SELECT v.id, v.record_id, v.kind, v.body IS NOT NULL, v.identity IS NOT NULL,
                        (SELECT json_extract(a2.detail, '$.office') FROM audit a2
                          WHERE a2.action = 'receipt_imported'
                            AND json_extract(a2.detail, '$.bundle_id') = a.bundle_id
                          ORDER BY a2.seq DESC LIMIT 1)
                 FROM revisions v JOIN acknowledged a ON a.revision_id = v.id
                 WHERE v.purged IS NULL AND NOT v.deleted",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows
        };
        let mut summary = PurgeSummary::default();
        let mut touched = BTreeMap::new();
        for (id, record_id, kind, had_body, had_identity, office) in &rows {
            let bundle: String = tx.query_row(
                "SELECT bundle_id FROM acknowledged WHERE revision_id = ?1",
                [id],
                |r| r.get(0),
            )?;
            let mut had = Vec::new();
            if *had_body {
                had.push("body");
            }
            if *had_identity {
                had.push("identity");
                summary.identities += 1;
            }
            let stub = json!({
                "purged_at": at,
                "kind": kind,
                "removed": had,
                "held_by": office.clone().unwrap_or_else(|| "the office".into()),
                "bundle_id": bundle,
                "note": "the office acknowledged holding this revision (signed receipt); it was removed from this laptop",
            });
            tx.execute(
                "UPDATE revisions SET body = NULL, identity = NULL, purged = ?2 WHERE id = ?1",
                params![id, stub.to_string()],
            )?;
            summary.revisions += 1;
            touched.insert(record_id.clone(), kind.clone());
        }
        for (record_id, kind) in &touched {
            let head_purged: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM heads h JOIN revisions v ON v.id = h.revision_id
                  WHERE h.record_id = ?1 AND v.purged IS NOT NULL)",
                [record_id],
                |r| r.get(0),
            )?;
            if head_purged {
                let rowid: i64 = tx.query_row(
                    "SELECT rowid FROM records WHERE id = ?1",
                    [record_id],
                    |r| r.get(0),
                )?;
                tx.execute(
                    "UPDATE records SET label = '[purged: held by the office]' WHERE id = ?1",
                    [record_id],
                )?;
                search::index(&tx, rowid, None)?;
                summary.records += 1;
                summary.drafts += crate::store::drafts::discard_drafts_of(&tx, record_id)?;
            }
            // The reports' projection follows the bodies: what is purged no longer counts here
            // (the office, which holds it, counts it).
            let kind: RecordKind = kind
                .parse()
                .map_err(|_| Error::StoreDamaged(format!("unknown record kind {kind}")))?;
            facts::refresh(&tx, kind, record_id)?;
        }
        let blobs: Vec<(String, String, i64)> = {
            let mut stmt = tx.prepare(
                "SELECT b.attachment_id, b.blob, b.size_bytes FROM attachment_blobs b
                 JOIN acknowledged_attachments k ON k.sha256 = b.sha256",
            )?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            rows
        };
        for (attachment_id, _, size) in &blobs {
            tx.execute(
                "DELETE FROM attachment_blobs WHERE attachment_id = ?1",
                [attachment_id],
            )?;
            summary.attachments += 1;
            summary.attachment_bytes += u64::try_from(*size).unwrap_or(0);
        }
        self.audit_in(
            &tx,
            now,
            audit::Action::RecordsPurged,
            json!({"revisions": summary.revisions, "records": summary.records,
                   "identities": summary.identities, "attachments": summary.attachments,
                   "attachment_bytes": summary.attachment_bytes, "drafts": summary.drafts}),
        )?;
        tx.commit()?;
        // The rows are gone; now the (encrypted) files. A crash here leaves orphans that the
        // next unlock sweeps.
        let dir = self.dir.join(layout::ATTACHMENTS);
        for (_, blob, _) in &blobs {
            let _ = fs::remove_file(dir.join(blob));
        }
        // Freed pages are zeroed (secure_delete); fold the WAL back so old pages leave it too.
        let _: (i64, i64, i64) =
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
        Ok(summary)
    }
}
