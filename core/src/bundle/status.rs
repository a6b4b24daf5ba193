//! Where a field laptop stands with the office: what the next export would carry, the last
//! bundle written and the last receipt back. What Home shows, read in a few counting queries.

use rusqlite::OptionalExtension;
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::store::Store;

/// A bundle this laptop wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentBundle {
    /// The bundle's id.
    pub bundle_id: Uuid,
    /// This device's sequence number for it.
    pub sequence: u64,
    /// Its hash (SHA-256 of its SHA256SUMS): the fingerprint the office sees.
    pub bundle_sha256: String,
    /// When it was written (UTC, RFC 3339).
    pub created_at: String,
    /// When the office's receipt for it was imported, if it was.
    pub acknowledged_at: Option<String>,
}

/// What awaits export, and the last export and receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportStatus {
    /// Revisions no receipt has acknowledged yet: what the next export carries.
    pub unacknowledged: u64,
    /// Of those, the ones in no bundle at all yet (the rest were sent, no receipt came back).
    pub never_exported: u64,
    /// The newest bundle written, if any.
    pub last_export: Option<SentBundle>,
    /// Bundles written that no receipt has acknowledged yet.
    pub bundles_awaiting_receipt: u64,
    /// When the newest receipt was imported, if any.
    pub last_receipt_at: Option<String>,
}

/// Revisions no receipt has acknowledged: the ids of `revisions_unpurged` (migration 7), so
/// the count never reads a body.
const PENDING: &str = "WITH pending AS (
         SELECT id FROM revisions INDEXED BY revisions_unpurged
         WHERE purged IS NULL AND id NOT IN (SELECT revision_id FROM acknowledged)
     )
     SELECT (SELECT count(*) FROM pending),
            (SELECT count(*) FROM pending WHERE id NOT IN
                (SELECT j.value FROM bundles_out b, json_each(b.revision_ids) j))";

impl Store {
    /// What awaits export, and the last export and receipt. Reads only.
    pub fn export_status(&self) -> Result<ExportStatus> {
        let (unacknowledged, never_exported): (i64, i64) =
            self.conn
                .query_row(PENDING, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let last_export = self
            .conn
            .query_row(
                "SELECT bundle_id, sequence, bundle_sha256, created_at, acknowledged_at
                 FROM bundles_out ORDER BY sequence DESC LIMIT 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ))
                },
            )
            .optional()?
            .map(
                |(id, sequence, bundle_sha256, created_at, acknowledged_at)| {
                    Ok::<_, Error>(SentBundle {
                        bundle_id: id
                            .parse()
                            .map_err(|e| Error::StoreDamaged(format!("bundle id {id}: {e}")))?,
                        sequence: u64::try_from(sequence).unwrap_or(0),
                        bundle_sha256,
                        created_at,
                        acknowledged_at,
                    })
                },
            )
            .transpose()?;
        let (bundles_awaiting_receipt, last_receipt_at): (i64, Option<String>) =
            self.conn.query_row(
                "SELECT count(*) FILTER (WHERE acknowledged_at IS NULL), max(acknowledged_at)
                 FROM bundles_out",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
        Ok(ExportStatus {
            unacknowledged: u64::try_from(unacknowledged).unwrap_or(0),
            never_exported: u64::try_from(never_exported).unwrap_or(0),
            last_export,
            bundles_awaiting_receipt: u64::try_from(bundles_awaiting_receipt).unwrap_or(0),
            last_receipt_at,
        })
    }
}
