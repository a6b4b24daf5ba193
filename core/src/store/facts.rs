//! Report facts: a compact projection of each live record head, holding exactly the fields the
//! prevalence and casework reports read (see the "report facts" migration for the tables and
//! the `report_*_source` views that derive them from the bodies). Reports aggregate these small
//! rows instead of decrypting and parsing every body.
//!
//! [`refresh`] re-derives one record's rows from its heads; the write path calls it in the same
//! transaction as every revision (local adds, edits, deletes, conflict resolutions), after the
//! record's heads and `deleted` flag are up to date. Foreign revisions (an import) hold their
//! records back and [`refresh_many`] re-derives them together, one statement per fact table
//! for up to [`BATCH`] records: two statements per record were a third of an import's CPU.

use std::collections::BTreeSet;

use rusqlite::Connection;

use crate::error::Result;
use crate::model::RecordKind;

/// Each fact table of a kind with the view it is derived from.
fn tables(kind: RecordKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        RecordKind::Visit => &[("fact_visits", "report_visit_source")],
        RecordKind::Establishment => &[("fact_establishments", "report_establishment_source")],
        RecordKind::Interview => &[("fact_interviews", "report_interview_source")],
        RecordKind::Person => &[("fact_persons", "report_person_source")],
        RecordKind::Referral => &[("fact_referrals", "report_referral_source")],
        RecordKind::Case => &[
            ("fact_cases", "report_case_source"),
            ("fact_case_outcomes", "report_case_outcome_source"),
        ],
        _ => &[],
    }
}

/// Makes the report facts of one record match what its head says now (none when it is
/// deleted). Call inside the transaction that changed its revisions.
pub(crate) fn refresh(conn: &Connection, kind: RecordKind, record_id: &str) -> Result<()> {
    for (table, source) in tables(kind) {
        conn.prepare_cached(&format!("DELETE FROM {table} WHERE record_id = ?1"))?
            .execute([record_id])?;
        conn.prepare_cached(&format!(
            "INSERT INTO {table} SELECT * FROM {source} WHERE record_id = ?1"
        ))?
        .execute([record_id])?;
    }
    Ok(())
}

/// Records re-derived by one statement at most (their ids travel as one JSON array).
pub(crate) const BATCH: usize = 2000;

/// [`refresh`] for many records at once: the same rows, fewer statements. Call inside the
/// transaction that changed their revisions, before anything reads the facts.
pub(crate) fn refresh_many(
    conn: &Connection,
    records: &BTreeSet<(RecordKind, String)>,
) -> Result<()> {
    let kinds: BTreeSet<RecordKind> = records.iter().map(|(k, _)| *k).collect();
    for kind in kinds {
        let ids: Vec<&str> = records
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| id.as_str())
            .collect();
        for batch in ids.chunks(BATCH) {
            let list = serde_json::Value::from(batch.to_vec()).to_string();
            for (table, source) in tables(kind) {
                conn.prepare_cached(&format!(
                    "DELETE FROM {table} WHERE record_id IN (SELECT value FROM json_each(?1))"
                ))?
                .execute([&list])?;
                conn.prepare_cached(&format!(
                    "INSERT INTO {table} SELECT * FROM {source}
                     WHERE record_id IN (SELECT value FROM json_each(?1))"
                ))?
                .execute([&list])?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
