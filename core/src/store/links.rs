//! Which live records link to a record, so a delete never leaves links pointing at nothing.
//!
//! Links live inside record bodies (`visit.establishment_id`, `attachment.record_id`, …), so
//! the live heads whose body mentions the id are read and their links checked exactly.

use rusqlite::Connection;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{Error, LinkedFrom, Result};
use crate::model::{Record, RecordKind};

/// How many linking records are read exactly and named in the refusal.
pub(crate) const NAMED: usize = 10;

/// The live records (not deleted) other than `id` whose current version links to `id`: the
/// first [`NAMED`] exactly (kind, id, field), and how many more records name `id` after them
/// (counted, not parsed: refusing needs one link, and naming thousands helps nobody).
pub(crate) fn linking_records(conn: &Connection, id: Uuid) -> Result<(Vec<LinkedFrom>, usize)> {
    let target = id.to_string();
    let mut stmt = conn.prepare(
        "SELECT r.id, r.kind, v.body FROM records r
         JOIN heads h ON h.record_id = r.id
         JOIN revisions v ON v.id = h.revision_id
         WHERE r.deleted = 0 AND r.id <> ?1 AND v.body IS NOT NULL AND instr(v.body, ?1) > 0
         ORDER BY r.kind, r.id",
    )?;
    let mut rows = stmt.query([&target])?;
    let mut named: Vec<LinkedFrom> = Vec::new();
    let mut more: Vec<String> = Vec::new();
    while let Some(row) = rows.next()? {
        let record_id: String = row.get(0)?;
        if named.len() >= NAMED {
            // A record with two heads appears twice; count it once.
            if !named.iter().any(|l| l.id == record_id) && more.last() != Some(&record_id) {
                more.push(record_id);
            }
            continue;
        }
        let kind_text: String = row.get(1)?;
        let body: String = row.get(2)?;
        let kind = RecordKind::ALL
            .into_iter()
            .find(|k| k.as_str() == kind_text)
            .ok_or_else(|| Error::StoreDamaged(format!("unknown record kind {kind_text:?}")))?;
        let body: Value =
            serde_json::from_str(&body).map_err(|e| Error::StoreDamaged(e.to_string()))?;
        let record = Record::from_value(kind, body)?;
        for (field, linked) in record.links() {
            let seen = named.iter().any(|l| l.id == record_id && l.field == field);
            if linked == id && !seen {
                named.push(LinkedFrom {
                    kind: kind_text.clone(),
                    id: record_id.clone(),
                    field,
                });
            }
        }
    }
    Ok((named, more.len()))
}
