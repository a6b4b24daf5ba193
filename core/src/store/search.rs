//! Full-text search over record text, Khmer included.
//!
//! FTS5 with the trigram tokenizer: it indexes every run of three characters,
//! so a substring is found whether or not the language puts spaces between
//! words (Khmer does not). The indexed text is the model's `search_text`,
//! which never holds a person's identity section; results show labels only.

use rusqlite::{params, Connection, Transaction};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::RecordKind;

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// The record's id.
    pub id: Uuid,
    /// Its kind.
    pub kind: RecordKind,
    /// Its label (a pseudonym for a person, never identity).
    pub label: String,
    /// A short excerpt around the match, the match in «…».
    pub excerpt: String,
    /// When the record last changed (UTC, RFC 3339).
    pub updated_at: String,
}

/// Replaces a record's indexed text (`None` removes it).
pub(crate) fn index(tx: &Transaction<'_>, rowid: i64, text: Option<&str>) -> Result<()> {
    tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?
        .execute([rowid])?;
    if let Some(text) = text {
        tx.prepare_cached("INSERT INTO search (rowid, text) VALUES (?1, ?2)")?
            .execute(params![rowid, text])?;
    }
    Ok(())
}

/// Finds records whose text contains `query` (case-insensitive), a page at a time.
pub fn search(conn: &Connection, query: &str, limit: u32, offset: u32) -> Result<Vec<SearchHit>> {
    let query = query.trim();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let rows = if query.chars().count() >= 3 {
        // A quoted FTS5 string is matched as a substring by the trigram tokenizer.
        let phrase = format!("\"{}\"", query.replace('"', "\"\""));
        let mut stmt = conn.prepare_cached(
            "SELECT r.id, r.kind, r.label, snippet(search, 0, '«', '»', '…', 40), r.updated_at
             FROM search JOIN records r ON r.rowid = search.rowid
             WHERE search MATCH ?1 AND r.deleted = 0 LIMIT ?2 OFFSET ?3",
        )?;
        let rows = stmt
            .query_map(params![phrase, limit, offset], row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows
    } else {
        // Under three characters the trigram index cannot help: scan.
        let pattern = format!(
            "%{}%",
            query
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let mut stmt = conn.prepare_cached(
            "SELECT r.id, r.kind, r.label, substr(search.text, max(1, instr(lower(search.text), lower(?4)) - 30), 80), r.updated_at
             FROM search JOIN records r ON r.rowid = search.rowid
             WHERE search.text LIKE ?1 ESCAPE '\\' AND r.deleted = 0 LIMIT ?2 OFFSET ?3",
        )?;
        let rows = stmt
            .query_map(params![pattern, limit, offset, query], row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows
    };
    rows.into_iter()
        .map(|(id, kind, label, excerpt, updated_at)| {
            Ok(SearchHit {
                id: Uuid::parse_str(&id).map_err(|e| Error::StoreDamaged(e.to_string()))?,
                kind: kind
                    .parse()
                    .map_err(|_| Error::StoreDamaged(format!("unknown kind {kind}")))?,
                label,
                excerpt: excerpt.replace('\n', " "),
                updated_at,
            })
        })
        .collect()
}

type HitTexts = (String, String, String, String, String);

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HitTexts> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}
