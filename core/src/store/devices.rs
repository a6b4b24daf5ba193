//! The office's view of its devices: for each signing key it trusts (revoked ones included),
//! the bundles received from it in sequence order with the missing ones marked, when it was
//! last heard from, and the receipts the office wrote back.
//!
//! Read-only: nothing here writes to the store or the audit chain.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::store::{Store, TrustedKey};

/// One device (one trusted signing key) and what the office has received from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceTimeline {
    /// minisign's key id of the device's signing key (16 hex digits).
    pub key_id: String,
    /// The name the office trusted the key under, e.g. "Field laptop 3 (Battambang)".
    pub name: String,
    /// The signing public key (minisign base64).
    pub public_key: String,
    /// When the office trusted the key.
    pub trusted_at: String,
    /// When trust was revoked, if it was. A revoked device still shows what it sent.
    pub revoked_at: Option<String>,
    /// Whether trust was revoked (bundles it signs are refused from then on).
    pub revoked: bool,
    /// The name the device gives itself in its newest bundle (none for bundles imported
    /// before this was kept).
    pub device_name: Option<String>,
    /// The device ids its bundles named (one, unless the laptop was set up again with the
    /// same key before keys were bound to devices).
    pub device_ids: Vec<Uuid>,
    /// The one device the key signs for (see [`TrustedKey::device_id`]); bundles naming
    /// another are refused.
    pub bound_device: Option<Uuid>,
    /// Sequence numbers under which two or more different bundles were imported: a copied
    /// laptop or a key used elsewhere. Such a second bundle is refused now; these came in
    /// before that was so.
    pub forked: Vec<u64>,
    /// When the office last imported a bundle from it ("last seen"), if ever.
    pub last_seen: Option<String>,
    /// The highest sequence number received.
    pub newest_sequence: Option<u64>,
    /// How many bundles were received.
    pub bundles_received: u64,
    /// Sequence numbers below the newest received that have not arrived (gaps).
    pub missing: Vec<u64>,
    /// Received bundles no receipt was written for yet, by sequence.
    pub without_receipt: Vec<u64>,
    /// How many receipts were written for its bundles.
    pub receipts_written: u64,
    /// Every sequence number from 1 to the newest: received bundles, and the gaps between.
    pub timeline: Vec<TimelineEntry>,
}

/// Whether a sequence number arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// A bundle with this sequence number was imported.
    Received,
    /// No bundle with this sequence number has arrived, though a later one has.
    Missing,
}

/// One sequence number on a device's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// The bundle's sequence number from that device.
    pub sequence: u64,
    /// Received or missing.
    pub status: EntryStatus,
    /// The bundle, when received.
    #[serde(flatten)]
    pub bundle: Option<BundleReceived>,
}

/// A bundle the office imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleReceived {
    /// The bundle's id.
    pub bundle_id: Uuid,
    /// The device id its manifest names.
    pub device_id: Uuid,
    /// SHA-256 of its SHA256SUMS (what the next bundle names as its previous).
    pub bundle_sha256: String,
    /// When the device wrote it.
    pub written_at: String,
    /// When the office imported it.
    pub imported_at: String,
    /// Revisions it carried.
    pub revisions: u64,
    /// Attachments it carried.
    pub attachments: u64,
    /// Whether its previous-bundle hash matches the bundle received with the sequence before
    /// it: `null` when that one has not arrived (or for sequence 1).
    pub previous_matches: Option<bool>,
    /// Receipts the office wrote for it, oldest first.
    pub receipts: Vec<ReceiptWritten>,
}

/// A receipt the office wrote for a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptWritten {
    /// When it was written.
    pub written_at: String,
    /// Revisions it acknowledged.
    pub revisions: u64,
    /// Attachments it acknowledged.
    pub attachments: u64,
    /// SHA-256 of the receipt file as written; `null` for receipts written before Fieldcase
    /// kept them (found in the audit chain).
    pub receipt_sha256: Option<String>,
    /// Whether this receipt was recovered from the audit chain rather than recorded when it
    /// was written.
    pub from_audit: bool,
}

struct Row {
    bundle: BundleReceived,
    sequence: u64,
    previous_sha256: Option<String>,
    device_name: Option<String>,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn parse_uuid(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|e| Error::StoreDamaged(format!("bundles_in: bad id: {e}")))
}

fn received(conn: &Connection, public_key: &str) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare_cached(
        "SELECT bundle_id, device_id, sequence, bundle_sha256, previous_sha256, created_at,
                imported_at, json_array_length(revision_ids), json_array_length(attachments),
                device_name
         FROM bundles_in WHERE device_key = ?1 ORDER BY sequence, imported_at, bundle_id",
    )?;
    type Texts = (
        String,
        String,
        i64,
        String,
        Option<String>,
        String,
        String,
        i64,
        i64,
        Option<String>,
    );
    let texts = stmt
        .query_map([public_key], |r| {
            Ok::<Texts, _>((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut receipts = conn.prepare_cached(
        "SELECT written_at, revisions, attachments, receipt_sha256, from_audit
         FROM receipts_out WHERE bundle_id = ?1 ORDER BY seq",
    )?;
    let mut rows = Vec::with_capacity(texts.len());
    for t in texts {
        let written = receipts
            .query_map([&t.0], |r| {
                Ok(ReceiptWritten {
                    written_at: r.get(0)?,
                    revisions: count(r.get(1)?),
                    attachments: count(r.get(2)?),
                    receipt_sha256: r.get(3)?,
                    from_audit: r.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(Row {
            sequence: count(t.2),
            previous_sha256: t.4,
            device_name: t.9,
            bundle: BundleReceived {
                bundle_id: parse_uuid(&t.0)?,
                device_id: parse_uuid(&t.1)?,
                bundle_sha256: t.3,
                written_at: t.5,
                imported_at: t.6,
                revisions: count(t.7),
                attachments: count(t.8),
                previous_matches: None,
                receipts: written,
            },
        });
    }
    Ok(rows)
}

/// Builds one device's timeline from its trusted key and the bundles received from it
/// (ordered by sequence).
fn timeline(key: TrustedKey, rows: Vec<Row>) -> DeviceTimeline {
    let mut by_sequence: BTreeMap<u64, Vec<&Row>> = BTreeMap::new();
    for row in &rows {
        by_sequence.entry(row.sequence).or_default().push(row);
    }
    let newest_sequence = by_sequence.keys().next_back().copied();
    let mut entries = Vec::new();
    let mut missing = Vec::new();
    let mut without_receipt = Vec::new();
    for sequence in 1..=newest_sequence.unwrap_or(0) {
        let Some(here) = by_sequence.get(&sequence) else {
            missing.push(sequence);
            entries.push(TimelineEntry {
                sequence,
                status: EntryStatus::Missing,
                bundle: None,
            });
            continue;
        };
        let before = sequence
            .checked_sub(1)
            .filter(|s| *s > 0)
            .and_then(|s| by_sequence.get(&s));
        for row in here {
            let mut bundle = row.bundle.clone();
            bundle.previous_matches = before.map(|prev| {
                prev.iter().any(|p| {
                    row.previous_sha256.as_deref() == Some(p.bundle.bundle_sha256.as_str())
                })
            });
            if bundle.receipts.is_empty() && !without_receipt.contains(&sequence) {
                without_receipt.push(sequence);
            }
            entries.push(TimelineEntry {
                sequence,
                status: EntryStatus::Received,
                bundle: Some(bundle),
            });
        }
    }
    let last_seen = rows.iter().map(|r| r.bundle.imported_at.clone()).max();
    let device_name = rows.iter().rev().find_map(|r| r.device_name.clone());
    let mut device_ids: Vec<Uuid> = Vec::new();
    for row in &rows {
        if !device_ids.contains(&row.bundle.device_id) {
            device_ids.push(row.bundle.device_id);
        }
    }
    let receipts_written = rows.iter().map(|r| r.bundle.receipts.len() as u64).sum();
    let forked = by_sequence
        .iter()
        .filter(|(_, here)| here.len() > 1)
        .map(|(sequence, _)| *sequence)
        .collect();
    DeviceTimeline {
        bound_device: key.device_id,
        forked,
        revoked: key.revoked_at.is_some(),
        key_id: key.key_id,
        name: key.name,
        public_key: key.public_key,
        trusted_at: key.added_at,
        revoked_at: key.revoked_at,
        device_name,
        device_ids,
        last_seen,
        newest_sequence,
        bundles_received: rows.len() as u64,
        missing,
        without_receipt,
        receipts_written,
        timeline: entries,
    }
}

impl Store {
    /// On the office: every device it trusts or trusted (revoked ones marked), oldest trust
    /// first, each with the bundles received from it by sequence, the gaps, when it was last
    /// seen and the receipts written for it. Reads only.
    pub fn device_timelines(&self) -> Result<Vec<DeviceTimeline>> {
        let keys = self.trust_list()?;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let rows = received(&self.conn, &key.public_key)?;
            out.push(timeline(key, rows));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
