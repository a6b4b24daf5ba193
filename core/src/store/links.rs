//! Which live records link to a record, so a delete never leaves links pointing at nothing.
//!
//! Links live inside record bodies (`visit.establishment_id`, `attachment.record_id`, …), so
//! the live heads whose body mentions the id are read and their links checked exactly.

use rusqlite::Connection;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{Error, LinkedFrom, Result};
use crate::model::{Record, RecordKind};

/// The live records (not deleted) other than `id` whose current version links to `id`.
pub(crate) fn linking_records(conn: &Connection, id: Uuid) -> Result<Vec<LinkedFrom>> {
    let target = id.to_string();
    let mut stmt = conn.prepare(
        "SELECT r.id, r.kind, v.body FROM records r
         JOIN heads h ON h.record_id = r.id
         JOIN revisions v ON v.id = h.revision_id
         WHERE r.deleted = 0 AND r.id <> ?1 AND v.body IS NOT NULL AND instr(v.body, ?1) > 0
         ORDER BY r.kind, r.id",
    )?;
    let rows = stmt
        .query_map([&target], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out: Vec<LinkedFrom> = Vec::new();
    for (record_id, kind_text, body) in rows {
        let kind = RecordKind::ALL
            .into_iter()
            .find(|k| k.as_str() == kind_text)
            .ok_or_else(|| Error::StoreDamaged(format!("unknown record kind {kind_text:?}")))?;
        let body: Value =
            serde_json::from_str(&body).map_err(|e| Error::StoreDamaged(e.to_string()))?;
        let record = Record::from_value(kind, body)?;
        for (field, linked) in record.links() {
            let seen = out.iter().any(|l| l.id == record_id && l.field == field);
            if linked == id && !seen {
                out.push(LinkedFrom {
                    kind: kind_text.clone(),
                    id: record_id.clone(),
                    field,
                });
            }
        }
    }
    Ok(out)
}
