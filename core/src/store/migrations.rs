//! The store's schema, as numbered, append-only migrations.
//!
//! `PRAGMA user_version` holds how many have been applied. Never edit a
//! migration that has shipped; add a new one at the end. A store whose
//! version is higher than this build knows is refused before any write.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// The migrations, in order; migration `i` brings the store to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: device, settings, records, revisions, heads, audit chain, attachment blobs, search.
    r#"
CREATE TABLE device (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    author             TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    signing_public_key TEXT NOT NULL,
    signing_secret_key TEXT NOT NULL
);
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE records (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    label      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    heads      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX records_by_kind ON records(kind, deleted, updated_at DESC, id DESC);
CREATE TABLE revisions (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    record_id  TEXT NOT NULL REFERENCES records(id),
    kind       TEXT NOT NULL,
    parents    TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted    INTEGER NOT NULL,
    body       TEXT,
    identity   TEXT,
    body_hash  TEXT NOT NULL
);
CREATE INDEX revisions_by_record ON revisions(record_id, seq);
CREATE TABLE heads (
    record_id   TEXT NOT NULL REFERENCES records(id),
    revision_id TEXT NOT NULL REFERENCES revisions(id),
    PRIMARY KEY (record_id, revision_id)
) WITHOUT ROWID;
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    device_id TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    record_id TEXT,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TABLE attachment_blobs (
    attachment_id TEXT PRIMARY KEY REFERENCES records(id),
    blob          TEXT NOT NULL UNIQUE,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL
);
CREATE VIRTUAL TABLE search USING fts5(text, tokenize = 'trigram');
"#,
    // 2: bundles. The office's age identity; the offices a field profile sends to; the
    // signing keys this profile trusts; bundles sent and received; receipts; purge stubs.
    r#"
CREATE TABLE office_identity (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    identity   TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE office_recipients (
    recipient TEXT PRIMARY KEY,
    added_at  TEXT NOT NULL
);
CREATE TABLE trusted_keys (
    public_key TEXT PRIMARY KEY,
    key_id     TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    added_at   TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE bundles_out (
    bundle_id       TEXT PRIMARY KEY,
    sequence        INTEGER NOT NULL UNIQUE,
    bundle_sha256   TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    revision_ids    TEXT NOT NULL,
    attachments     TEXT NOT NULL,
    acknowledged_at TEXT
);
CREATE TABLE bundles_in (
    bundle_id       TEXT PRIMARY KEY,
    device_id       TEXT NOT NULL,
    device_key      TEXT NOT NULL,
    sequence        INTEGER NOT NULL,
    bundle_sha256   TEXT NOT NULL,
    previous_sha256 TEXT,
    created_at      TEXT NOT NULL,
    imported_at     TEXT NOT NULL,
    revision_ids    TEXT NOT NULL,
    attachments     TEXT NOT NULL
);
CREATE INDEX bundles_in_by_device ON bundles_in(device_key, sequence);
CREATE TABLE acknowledged (
    revision_id TEXT PRIMARY KEY,
    bundle_id   TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE TABLE acknowledged_attachments (
    sha256    TEXT PRIMARY KEY,
    bundle_id TEXT NOT NULL,
    at        TEXT NOT NULL
);
ALTER TABLE revisions ADD COLUMN purged TEXT;
-- Purge removes narratives from search too: make FTS5 delete tokens for real.
INSERT INTO search(search, rank) VALUES ('secure-delete', 1);
"#,
    // 3: drafts: records being written, unvalidated, kept only in this encrypted store (never
    // exported, never searched) until committed or discarded. See store/drafts.rs.
    r#"
CREATE TABLE drafts (
    id        TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    record_id TEXT,
    person_id TEXT,
    body      TEXT NOT NULL,
    saved_at  TEXT NOT NULL
);
CREATE INDEX drafts_by_saved_at ON drafts(saved_at DESC);
"#,
    // 4: report facts: one small row per live record head holding exactly the fields the
    // prevalence and casework reports read, so a report never decrypts a body. The
    // `report_*_source` views say how each row follows from the bodies; the write path
    // (`store::facts::refresh`) re-derives a record's rows from them in the same transaction
    // as each revision, and the INSERTs below back-fill an existing store.
    r#"
-- report facts
CREATE VIEW report_heads AS
SELECT rec.id AS record_id, rec.kind AS kind, r.body AS body
FROM records rec
JOIN heads h ON h.record_id = rec.id
JOIN revisions r ON r.id = h.revision_id
WHERE rec.deleted = 0 AND r.body IS NOT NULL
  AND r.seq = (SELECT r2.seq FROM heads h2 JOIN revisions r2 ON r2.id = h2.revision_id
               WHERE h2.record_id = rec.id AND r2.body IS NOT NULL
               ORDER BY r2.created_at DESC, r2.seq DESC LIMIT 1);

CREATE TABLE fact_visits (
    record_id        TEXT PRIMARY KEY,
    day              TEXT,
    purpose          TEXT,
    establishment_id TEXT,
    under_16         INTEGER NOT NULL,
    age_16_17        INTEGER NOT NULL,
    adult            INTEGER NOT NULL,
    age_unknown      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE VIEW report_visit_source AS
SELECT record_id,
       substr(json_extract(body, '$.started_at'), 1, 10),
       json_extract(body, '$.purpose'),
       json_extract(body, '$.establishment_id'),
       (SELECT coalesce(sum(json_extract(c.value, '$.count')), 0) FROM json_each(body, '$.counts') c
        WHERE json_extract(c.value, '$.age_band') = 'under_16'),
       (SELECT coalesce(sum(json_extract(c.value, '$.count')), 0) FROM json_each(body, '$.counts') c
        WHERE json_extract(c.value, '$.age_band') = 'age_16_17'),
       (SELECT coalesce(sum(json_extract(c.value, '$.count')), 0) FROM json_each(body, '$.counts') c
        WHERE json_extract(c.value, '$.age_band') = 'adult'),
       (SELECT coalesce(sum(json_extract(c.value, '$.count')), 0) FROM json_each(body, '$.counts') c
        WHERE json_extract(c.value, '$.age_band') = 'unknown')
FROM report_heads WHERE kind = 'visit';

CREATE TABLE fact_establishments (
    record_id TEXT PRIMARY KEY,
    city      TEXT,
    province  TEXT
) WITHOUT ROWID;
CREATE VIEW report_establishment_source AS
SELECT r.record_id,
       json_extract(r.body, '$.location.city'),
       json_extract(r.body, '$.location.province')
FROM revisions r
WHERE r.kind = 'establishment' AND r.body IS NOT NULL
  AND r.seq = (SELECT r2.seq FROM revisions r2
               WHERE r2.record_id = r.record_id AND r2.body IS NOT NULL
               ORDER BY r2.created_at DESC, r2.seq DESC LIMIT 1);

CREATE TABLE fact_interviews (
    record_id TEXT PRIMARY KEY,
    day       TEXT,
    person_id TEXT
) WITHOUT ROWID;
CREATE INDEX fact_interviews_by_person ON fact_interviews(person_id, day);
CREATE VIEW report_interview_source AS
SELECT record_id,
       substr(json_extract(body, '$.started_at'), 1, 10),
       json_extract(body, '$.person_id')
FROM report_heads WHERE kind = 'interview';

CREATE TABLE fact_interview_indicators (
    record_id TEXT NOT NULL,
    indicator TEXT NOT NULL,
    PRIMARY KEY (record_id, indicator)
) WITHOUT ROWID;
CREATE VIEW report_interview_indicator_source AS
SELECT DISTINCT h.record_id, i.value
FROM report_heads h, json_each(h.body, '$.ilo_indicators') i
WHERE h.kind = 'interview';

CREATE TABLE fact_persons (
    record_id TEXT PRIMARY KEY,
    role      TEXT
) WITHOUT ROWID;
CREATE VIEW report_person_source AS
SELECT record_id, json_extract(body, '$.role') FROM report_heads WHERE kind = 'person';

CREATE TABLE fact_referrals (
    record_id    TEXT PRIMARY KEY,
    made_on      TEXT,
    status       TEXT,
    completed_on TEXT
) WITHOUT ROWID;
CREATE VIEW report_referral_source AS
SELECT record_id,
       substr(json_extract(body, '$.made_on'), 1, 10),
       json_extract(body, '$.status'),
       substr(json_extract(body, '$.completed_on'), 1, 10)
FROM report_heads WHERE kind = 'referral';

CREATE TABLE fact_cases (
    record_id TEXT PRIMARY KEY,
    opened_on TEXT,
    status    TEXT
) WITHOUT ROWID;
CREATE VIEW report_case_source AS
SELECT record_id, substr(json_extract(body, '$.opened_on'), 1, 10), json_extract(body, '$.status')
FROM report_heads WHERE kind = 'case';

CREATE TABLE fact_case_outcomes (
    record_id TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    day       TEXT,
    people    INTEGER NOT NULL
);
CREATE INDEX fact_case_outcomes_by_record ON fact_case_outcomes(record_id);
CREATE VIEW report_case_outcome_source AS
SELECT h.record_id, 'arrest', substr(json_extract(o.value, '$.date'), 1, 10),
       coalesce(json_extract(o.value, '$.count'), 0)
FROM report_heads h, json_each(h.body, '$.arrests') o WHERE h.kind = 'case'
UNION ALL
SELECT h.record_id, 'conviction', substr(json_extract(o.value, '$.date'), 1, 10),
       coalesce(json_extract(o.value, '$.count'), 0)
FROM report_heads h, json_each(h.body, '$.convictions') o WHERE h.kind = 'case';

INSERT INTO fact_visits SELECT * FROM report_visit_source;
INSERT INTO fact_establishments SELECT * FROM report_establishment_source;
INSERT INTO fact_interviews SELECT * FROM report_interview_source;
INSERT INTO fact_interview_indicators SELECT * FROM report_interview_indicator_source;
INSERT INTO fact_persons SELECT * FROM report_person_source;
INSERT INTO fact_referrals SELECT * FROM report_referral_source;
INSERT INTO fact_cases SELECT * FROM report_case_source;
INSERT INTO fact_case_outcomes SELECT * FROM report_case_outcome_source;
"#,
    // 5: compact interview facts. An interview's ILO indicators become a bit set on its
    // `fact_interviews` row (`ilo`: bit i is `IloIndicator::ALL[i]`, bit 62 a name this build
    // does not know), so the casework report reads one short row per interview instead of one
    // more row, with the interview's id again, per indicator: about half the pages it decrypts.
    // The bits come from the indicator rows already there (no body is decrypted), and the old
    // name stays readable as a view, one row per indicator.
    r#"
CREATE TABLE report_ilo_indicators (
    name TEXT PRIMARY KEY,
    bit  INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO report_ilo_indicators (name, bit) VALUES
    ('abuse_of_vulnerability', 1),
    ('deception', 2),
    ('restriction_of_movement', 4),
    ('isolation', 8),
    ('physical_and_sexual_violence', 16),
    ('intimidation_and_threats', 32),
    ('retention_of_identity_documents', 64),
    ('withholding_of_wages', 128),
    ('debt_bondage', 256),
    ('abusive_working_and_living_conditions', 512),
    ('excessive_overtime', 1024);

ALTER TABLE fact_interviews ADD COLUMN ilo INTEGER NOT NULL DEFAULT 0;
UPDATE fact_interviews SET ilo = coalesce(
    (SELECT sum(DISTINCT coalesce(b.bit, 4611686018427387904))
     FROM fact_interview_indicators x
     LEFT JOIN report_ilo_indicators b ON b.name = x.indicator
     WHERE x.record_id = fact_interviews.record_id), 0);

DROP VIEW report_interview_indicator_source;
DROP TABLE fact_interview_indicators;
DROP VIEW report_interview_source;
CREATE VIEW report_interview_source AS
SELECT record_id,
       substr(json_extract(body, '$.started_at'), 1, 10),
       json_extract(body, '$.person_id'),
       coalesce((SELECT sum(DISTINCT coalesce(b.bit, 4611686018427387904))
                 FROM json_each(body, '$.ilo_indicators') i
                 LEFT JOIN report_ilo_indicators b ON b.name = i.value), 0)
FROM report_heads WHERE kind = 'interview';
CREATE VIEW fact_interview_indicators AS
SELECT f.record_id AS record_id, b.name AS indicator
FROM fact_interviews f JOIN report_ilo_indicators b ON f.ilo & b.bit <> 0;
"#,
    // 6: the office's timeline of each device. Receipts the office wrote were only in the audit
    // chain; now each is a row too. The audit chain's `receipt_written` entries back-fill it
    // (bundle, time, counts): what they do not hold, the hash of the receipt file, stays NULL
    // and `from_audit` says so. The name a device gives itself in its bundles is kept from now
    // on; bundles imported before stay without it (the manifest is not kept).
    r#"
-- device timeline
CREATE TABLE receipts_out (
    seq            INTEGER PRIMARY KEY,
    bundle_id      TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    revisions      INTEGER NOT NULL,
    attachments    INTEGER NOT NULL,
    receipt_sha256 TEXT,
    from_audit     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX receipts_out_by_bundle ON receipts_out(bundle_id, seq);
INSERT INTO receipts_out (bundle_id, written_at, revisions, attachments, receipt_sha256, from_audit)
SELECT json_extract(detail, '$.bundle_id'), at,
       coalesce(json_extract(detail, '$.revisions'), 0),
       coalesce(json_extract(detail, '$.attachments'), 0),
       NULL, 1
FROM audit
WHERE action = 'receipt_written' AND json_valid(detail)
  AND json_extract(detail, '$.bundle_id') IS NOT NULL
ORDER BY seq;
ALTER TABLE bundles_in ADD COLUMN device_name TEXT;
"#,
    // 7: what awaits export is counted from a small index, not the revisions table. Home asks
    // on every visit; `WHERE purged IS NULL` over `revisions` read every body (1.1–1.7 s at
    // 100,000 records). The partial index holds only the ids of revisions not purged.
    r#"
-- revisions not purged
CREATE INDEX IF NOT EXISTS revisions_unpurged ON revisions(id) WHERE purged IS NULL;
"#,
    // 8: Home's record counts from a small index. `records_by_kind` carries each record's
    // time and id too (about 80 bytes an entry), so counting 100,000 records decrypted about
    // 8 MB of index pages: 45-100 ms warm and about a second on the first unlock after a
    // start. This one holds the kind of each live record and nothing else.
    r#"
-- live records by kind, for counting
CREATE INDEX IF NOT EXISTS records_live_kind ON records(kind) WHERE deleted = 0;
"#,
    // 9: the search index keeps up to 16 MiB of new entries in memory before it writes them
    // out (FTS5's `hashsize`, 1 MiB by default). A write of one record holds a few KiB, so
    // this only shows in large writes: an import of 10,000 records wrote its trigrams out in
    // many small pieces, each an allocation (and an mlock under cipher_memory_security) per
    // term; with 16 MiB its SQLite allocations fell from 77,000 to 57,000 and the import's CPU
    // by about 0.2 s, for at most 16 MiB more memory while such a write is open.
    r#"
-- search index write buffer
INSERT INTO search(search, rank) VALUES ('hashsize', 16777216);
"#,
    // 10: bundles are bound to their device. Each trusted key signs for one device
    // (`trusted_keys.device_id`, named at `trust add` or taken from the key's first bundle); a
    // key that already sent bundles, all naming one device that no other key's bundles named,
    // is bound to it here, as its first bundle would have bound it; any other key binds on its
    // next bundle. A laptop reserves each bundle's sequence number (`bundle_sequence`, committed
    // before the file is written), so a crash between writing a bundle and recording it does
    // not give the next bundle the same number.
    r#"
-- device binding and bundle sequence
ALTER TABLE trusted_keys ADD COLUMN device_id TEXT;
UPDATE trusted_keys SET device_id = (
    SELECT min(b.device_id) FROM bundles_in b WHERE b.device_key = trusted_keys.public_key)
WHERE (SELECT count(DISTINCT b.device_id) FROM bundles_in b
       WHERE b.device_key = trusted_keys.public_key) = 1
  AND (SELECT count(DISTINCT o.device_key) FROM bundles_in o
       WHERE o.device_id = (SELECT min(b.device_id) FROM bundles_in b
                            WHERE b.device_key = trusted_keys.public_key)) = 1;
CREATE TABLE bundle_sequence (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    reserved INTEGER NOT NULL
);
"#,
    // 11: each attachment blob's own random key, kept only here in the encrypted database
    // (`attachment_blobs.file_key`), so that rotating the data key (a passphrase change
    // re-encrypts the database) re-keys every attachment without rewriting it, and deleting
    // the row erases the key. NULL for a blob written before: its key is derived from the data
    // key, and the next passphrase change seals it again under a random key.
    r#"
-- attachment file keys
ALTER TABLE attachment_blobs ADD COLUMN file_key BLOB
    CHECK (file_key IS NULL OR length(file_key) = 32);
"#,
];

/// The schema version this build writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// The store's current schema version.
pub fn current(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Refuses a store newer than this build, before anything is written.
pub fn check_not_newer(conn: &Connection) -> Result<i64> {
    let found = current(conn)?;
    if found > latest() {
        return Err(Error::NewerSchema {
            found,
            supported: latest(),
        });
    }
    if found < 0 {
        return Err(Error::StoreDamaged(format!("schema version {found}")));
    }
    Ok(found)
}

/// Applies every migration not yet applied, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, latest())
}

/// Applies migrations up to `target` (tests use it to build older stores).
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    let mut version = check_not_newer(conn)?;
    while version < target {
        let idx =
            usize::try_from(version).map_err(|_| Error::StoreDamaged("schema version".into()))?;
        let sql = MIGRATIONS
            .get(idx)
            .ok_or_else(|| Error::StoreDamaged(format!("no migration {}", version + 1)))?;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
        version += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn migrations_run_on_an_empty_store() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(current(&conn).unwrap(), latest());
        migrate(&mut conn).unwrap(); // idempotent
    }

    #[test]
    fn every_older_version_migrates_to_the_same_schema() {
        let mut fresh = Connection::open_in_memory().unwrap();
        migrate(&mut fresh).unwrap();
        for start in 0..=latest() {
            let mut conn = Connection::open_in_memory().unwrap();
            migrate_to(&mut conn, start).unwrap();
            assert_eq!(current(&conn).unwrap(), start);
            migrate(&mut conn).unwrap();
            assert_eq!(schema(&conn), schema(&fresh), "from version {start}");
        }
    }

    #[test]
    fn the_search_index_buffers_16_mib_from_every_older_version() {
        for start in 0..=latest() {
            let mut conn = Connection::open_in_memory().unwrap();
            migrate_to(&mut conn, start).unwrap();
            migrate(&mut conn).unwrap();
            let size: i64 = conn
                .query_row(
                    "SELECT v FROM search_config WHERE k = 'hashsize'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(size, 16 * 1024 * 1024, "from version {start}");
        }
    }

    /// The version just before the device timeline's migration.
    fn version_before_timeline() -> i64 {
        MIGRATIONS
            .iter()
            .position(|m| m.contains("-- device timeline"))
            .unwrap() as i64
    }

    #[test]
    fn receipts_in_the_audit_chain_are_back_filled_from_every_older_version_with_bundles() {
        use crate::store::audit::{self, Action};
        use serde_json::json;
        // Bundles (and so receipts) exist from version 2 on; before that there is nothing to find.
        for start in 0..=version_before_timeline() {
            let mut conn = Connection::open_in_memory().unwrap();
            migrate_to(&mut conn, start).unwrap();
            let bundle = "01a20984-4831-7049-9a53-865626661a13";
            let other = "01a20984-4831-7049-9a53-865626661a14";
            let mut expected = 0;
            if start >= 2 {
                let at = |s: &str| {
                    chrono::DateTime::parse_from_rfc3339(s)
                        .unwrap()
                        .with_timezone(&chrono::Utc)
                };
                let append = |when: &str, action: Action, detail: serde_json::Value| {
                    audit::append(&conn, at(when), "office", "OFF-01", action, None, detail)
                        .unwrap()
                };
                append(
                    "2026-11-23T17:46:36Z",
                    Action::BundleImported,
                    json!({"bundle_id": bundle}),
                );
                append(
                    "2026-11-23T17:47:00Z",
                    Action::ReceiptWritten,
                    json!({"bundle_id": bundle, "device_id": "d", "revisions": 4, "attachments": 1}),
                );
                append(
                    "2026-11-24T08:00:00Z",
                    Action::ReceiptWritten,
                    json!({"bundle_id": bundle, "device_id": "d", "revisions": 4, "attachments": 1}),
                );
                append(
                    "2026-11-25T08:00:00Z",
                    Action::ReceiptWritten,
                    json!({"bundle_id": other, "device_id": "d", "revisions": 2, "attachments": 0}),
                );
                expected = 3;
            }
            // Version 0 has no audit table yet.
            let before = (start > 0).then(|| audit::entries(&conn).unwrap());
            migrate(&mut conn).unwrap();
            let mut stmt = conn
                .prepare(
                    "SELECT bundle_id, written_at, revisions, attachments, receipt_sha256, from_audit
                     FROM receipts_out ORDER BY seq",
                )
                .unwrap();
            let rows: Vec<(String, String, i64, i64, Option<String>, bool)> = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(rows.len(), expected, "from version {start}");
            if expected > 0 {
                assert_eq!(
                    rows[0],
                    (
                        bundle.to_string(),
                        "2026-11-23T17:47:00.000000Z".to_string(),
                        4,
                        1,
                        None,
                        true
                    )
                );
                assert_eq!(rows[1].1, "2026-11-24T08:00:00.000000Z");
                assert_eq!((rows[2].0.as_str(), rows[2].2, rows[2].3), (other, 2, 0));
            }
            // The chain is read, never rewritten.
            assert_eq!(
                audit::entries(&conn).unwrap(),
                before.unwrap_or_default(),
                "from version {start}"
            );
            assert!(audit::verify(&conn).unwrap().is_intact());
        }
    }

    /// A key whose bundles all named one device, that no other key's bundles named, is bound
    /// to it; every other key is left to bind on its next bundle. From every version with
    /// bundles (2 on) before the binding's migration.
    #[test]
    fn keys_are_bound_to_the_one_device_their_bundles_named_from_every_older_version() {
        let binding = MIGRATIONS
            .iter()
            .position(|m| m.contains("-- device binding"))
            .unwrap() as i64;
        for start in 2..=binding {
            let mut conn = Connection::open_in_memory().unwrap();
            migrate_to(&mut conn, start).unwrap();
            // key, [device of each of its bundles]
            let keys: [(&str, &[&str]); 5] = [
                ("one-device", &["d1", "d1"]),
                ("two-devices", &["d2", "d3"]),
                ("nothing-yet", &[]),
                ("shares-a", &["d4"]),
                ("shares-b", &["d4"]),
            ];
            let mut n = 0;
            for (key, devices) in keys {
                conn.execute(
                    "INSERT INTO trusted_keys (public_key, key_id, name, added_at)
                     VALUES (?1, ?1, ?1, '2026-11-20T08:00:00.000000Z')",
                    [key],
                )
                .unwrap();
                for device in devices {
                    n += 1;
                    conn.execute(
                        "INSERT INTO bundles_in (bundle_id, device_id, device_key, sequence,
                             bundle_sha256, created_at, imported_at, revision_ids, attachments)
                         VALUES (?1, ?2, ?3, ?4, 'ab', '2026-11-21', '2026-11-22', '[]', '[]')",
                        rusqlite::params![format!("b{n}"), device, key, n],
                    )
                    .unwrap();
                }
            }
            migrate(&mut conn).unwrap();
            let bound: Vec<(String, Option<String>)> = conn
                .prepare("SELECT public_key, device_id FROM trusted_keys ORDER BY rowid")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let expected: Vec<(String, Option<String>)> = [
                ("one-device", Some("d1")),
                ("two-devices", None),
                ("nothing-yet", None),
                ("shares-a", None),
                ("shares-b", None),
            ]
            .iter()
            .map(|(k, d)| (k.to_string(), d.map(str::to_string)))
            .collect();
            assert_eq!(bound, expected, "from version {start}");
        }
    }

    #[test]
    fn attachment_blobs_get_a_key_column_from_every_older_version() {
        for start in 0..=latest() {
            let mut conn = Connection::open_in_memory().unwrap();
            migrate_to(&mut conn, start).unwrap();
            if start >= 1 && start < latest() {
                conn.execute_batch(
                    "INSERT INTO records (id, kind, label, created_at, updated_at)
                     VALUES ('a', 'attachment', 'x', 't', 't');
                     INSERT INTO attachment_blobs (attachment_id, blob, size_bytes, sha256)
                     VALUES ('a', 'b0', 3, 'h');",
                )
                .unwrap();
            }
            migrate(&mut conn).unwrap();
            if start >= 1 && start < latest() {
                let key: Option<Vec<u8>> = conn
                    .query_row("SELECT file_key FROM attachment_blobs", [], |r| r.get(0))
                    .unwrap();
                assert_eq!(key, None, "from version {start}: a derived key stays NULL");
                let short = conn.execute("UPDATE attachment_blobs SET file_key = x'00'", []);
                assert!(
                    short.is_err(),
                    "from version {start}: a 1-byte key accepted"
                );
                conn.execute("UPDATE attachment_blobs SET file_key = zeroblob(32)", [])
                    .unwrap();
            }
        }
    }

    #[test]
    fn a_newer_store_is_refused_without_writing() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", latest() + 1)
            .unwrap();
        match migrate(&mut conn) {
            Err(Error::NewerSchema { found, supported }) => {
                assert_eq!((found, supported), (latest() + 1, latest()))
            }
            other => panic!("expected NewerSchema, got {other:?}"),
        }
        assert!(schema(&conn).is_empty());
    }
}
