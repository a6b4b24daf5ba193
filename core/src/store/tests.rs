//! Store behaviour that needs its internals: conflicts, foreign revisions, schema guards.

use serde_json::Value;
use uuid::Uuid;

use super::*;
use crate::crypto::KdfParams;
use crate::model::{example, example_id};
use crate::profile::{NewProfile, Profile};

pub(crate) const PASS: &str = "ទឹកភ្លៀង rain on the roof";

fn new_store(dir: &std::path::Path) -> Store {
    Profile::init(
        dir,
        &Passphrase::new(PASS.into()),
        &NewProfile {
            device_name: "Laptop A".into(),
            author: Some("INV-05".into()),
            kdf: KdfParams::FOR_TESTS_ONLY,
            unencrypted_for_benchmarks: false,
        },
    )
    .unwrap()
}

/// A fresh profile in its own temporary folder (for tests in other store modules).
pub(crate) fn temp_store(device_name: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Profile::init(
        &dir.path().join("p"),
        &Passphrase::new(PASS.into()),
        &NewProfile {
            device_name: device_name.into(),
            author: Some("INV-05".into()),
            kdf: KdfParams::FOR_TESTS_ONLY,
            unencrypted_for_benchmarks: false,
        },
    )
    .unwrap();
    (dir, store)
}

/// Makes `field` send its bundles to `office` (an office key is made), and `office` trust
/// `field`'s signing key as "laptop 3".
pub(crate) fn link_field_to_office(
    field: &mut Store,
    office: &mut Store,
) -> crate::store::TrustedKey {
    field
        .add_office_recipient(&office.office_init().unwrap())
        .unwrap();
    office
        .trust_add(&field.device().signing_public_key.clone(), "laptop 3")
        .unwrap()
}

fn person_with(pseudonym: &str) -> Record {
    let mut v = example(RecordKind::Person).to_value();
    v["pseudonym"] = Value::String(pseudonym.into());
    // no identity section: an edit that does not carry one keeps the one before
    Record::from_value(RecordKind::Person, v)
        .unwrap()
        .split_identity()
        .0
}

/// A revision as another laptop would have written it, on top of `parent`.
fn foreign_edit(store: &Store, record_id: Uuid, parent: Uuid, pseudonym: &str) -> Revision {
    let body = person_with(pseudonym).split_identity().0.to_value();
    let mut rev = Revision {
        id: Uuid::now_v7(),
        record_id,
        kind: RecordKind::Person,
        parents: vec![parent],
        device_id: Uuid::now_v7(),
        author: "INV-09".into(),
        created_at: chrono::Utc::now(),
        deleted: false,
        body: Some(body),
        identity: None,
        body_hash: String::new(),
    };
    rev.body_hash = rev.compute_hash();
    let _ = store;
    rev
}

#[test]
fn two_heads_are_a_conflict_kept_shown_and_resolved_by_a_revision_with_both_parents() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = new_store(dir.path());
    let id = store.add(person_with("Sreymom-07")).unwrap();
    let first = store.show(id, false).unwrap().heads[0];
    let local = store
        .edit(id, person_with("Sreymom-07 (local edit)"))
        .unwrap();
    let theirs = foreign_edit(&store, id, first, "Sreymom-07 (edited on laptop B)");
    assert_eq!(
        store.apply_foreign(std::slice::from_ref(&theirs)).unwrap(),
        1
    );

    let view = store.show(id, false).unwrap();
    assert!(view.in_conflict());
    assert_eq!(view.heads.len(), 2);
    assert!(view.heads.contains(&local.id) && view.heads.contains(&theirs.id));
    assert!(store.list(RecordKind::Person, 10, 0).unwrap()[0].conflict);
    match store.edit(id, person_with("x")) {
        Err(Error::Conflict { heads: 2, .. }) => {}
        other => panic!("expected a conflict, got {other:?}"),
    }
    // importing the same revision again changes nothing
    assert_eq!(
        store.apply_foreign(std::slice::from_ref(&theirs)).unwrap(),
        0
    );

    let merged = store
        .resolve(id, person_with("Sreymom-07 (merged)"))
        .unwrap();
    assert_eq!(merged.parents.len(), 2);
    let view = store.show(id, false).unwrap();
    assert_eq!(view.heads, vec![merged.id]);
    assert_eq!(view.label, "Sreymom-07 (merged)");
    assert_eq!(
        store.history(id, false).unwrap().len(),
        4,
        "nothing is overwritten"
    );
    assert!(store.audit_verify().unwrap().is_intact());
}

#[test]
fn a_foreign_revision_that_does_not_match_its_hash_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = new_store(dir.path());
    let id = store.add(person_with("Dara")).unwrap();
    let first = store.show(id, false).unwrap().heads[0];
    let good = foreign_edit(&store, id, first, "Dara B");
    let mut forged = foreign_edit(&store, id, first, "Dara C");
    forged.author = "someone else".into();
    let err = store.apply_foreign(&[good, forged]).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    // all or nothing: the good one was rolled back with the forged one
    assert_eq!(store.history(id, false).unwrap().len(), 1);
}

#[test]
fn identity_is_kept_across_edits_that_do_not_carry_it_and_is_never_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = new_store(dir.path());
    let mut v = example(RecordKind::Person).to_value();
    v["identity"]["legal_name"] = Value::String("LEGALNAME-MARKER".into());
    let id = store
        .add(Record::from_value(RecordKind::Person, v).unwrap())
        .unwrap();
    assert!(store.search("LEGALNAME-MARKER", 10, 0).unwrap().is_empty());
    store.edit(id, person_with("renamed")).unwrap();
    let shown = store.show(id, true).unwrap();
    assert_eq!(
        shown.body.unwrap()["identity"]["legal_name"],
        "LEGALNAME-MARKER"
    );
    let hidden = store.show(id, false).unwrap();
    assert!(hidden.body.unwrap().get("identity").is_none());
    assert!(store
        .history(id, false)
        .unwrap()
        .iter()
        .all(|r| r.identity.as_ref().is_none_or(|i| i == "[protected]")));
}

#[test]
fn a_store_from_a_newer_fieldcase_is_refused_without_a_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    store
        .conn
        .pragma_update(None, "user_version", migrations::latest() + 5)
        .unwrap();
    drop(store);
    let db = dir.path().join(layout::DATABASE);
    // checkpoint happened on close; the file is what a newer version left
    let before = std::fs::read(&db).unwrap();
    match Profile::open(dir.path(), &Passphrase::new(PASS.into())) {
        Err(Error::NewerSchema { found, .. }) => assert_eq!(found, migrations::latest() + 5),
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn all_seven_examples_can_be_stored_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = new_store(dir.path());
    for kind in RecordKind::ALL {
        if kind == RecordKind::Attachment {
            continue;
        }
        let text = example(kind).to_value().to_string();
        // point example links at the records already stored under their example ids
        let mut text = text;
        for earlier in RecordKind::ALL {
            if let Some(found) = store.list(earlier, 1, 0).unwrap().first() {
                text = text.replace(&example_id(earlier).to_string(), &found.id.to_string());
            }
        }
        store.add(Record::from_json(kind, &text).unwrap()).unwrap();
    }
    let counts = store.counts().unwrap();
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<u64>(), 6);
}

/// Home's counts: deleted records are not counted, and the count reads migration 8's index of
/// live kinds (never the records or the wider `records_by_kind`).
#[test]
fn counts_leave_out_deleted_records_and_read_only_the_kind_index() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = new_store(dir.path());
    let kept = store.add(person_with("ស្រីពៅ")).unwrap();
    let gone = store.add(person_with("Sokha")).unwrap();
    store.delete(gone).unwrap();
    let persons = |store: &Store| {
        store
            .counts()
            .unwrap()
            .into_iter()
            .find(|(k, _)| *k == RecordKind::Person)
            .map(|(_, n)| n)
    };
    assert_eq!(persons(&store), Some(1), "{kept:?}");
    let plan: Vec<String> = store
        .conn
        .prepare(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM records INDEXED BY records_live_kind WHERE kind = ?1 AND deleted = 0",
        )
        .unwrap()
        .query_map(["person"], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(plan.len(), 1, "{plan:?}");
    assert!(
        plan[0].contains("COVERING INDEX records_live_kind"),
        "{plan:?}"
    );
}

/// A disk that fills up during a migration (SQLite's page limit stands in for it): a
/// `DiskFull` error, the store left at its old version with its old schema, and the
/// migration succeeds once there is room. From every older version.
#[test]
fn a_full_disk_during_a_migration_rolls_it_back() {
    fn schema(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT type || ' ' || name FROM sqlite_master ORDER BY type, name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
    let dir = tempfile::tempdir().unwrap();
    for start in 0..migrations::latest() {
        let path = dir.path().join(format!("v{start}.db"));
        let key = DataKey::generate();
        let mut conn = open_connection(&path, Some(&key), true).unwrap();
        migrations::migrate_to(&mut conn, start).unwrap();
        let before = schema(&conn);
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        let _: i64 = conn
            .query_row(
                &format!("PRAGMA max_page_count = {}", pages.max(1)),
                [],
                |r| r.get(0),
            )
            .unwrap();
        match migrations::migrate(&mut conn) {
            Err(Error::DiskFull) => {}
            // Migration 11 adds a column to a table's definition in the schema page: from 10
            // there is nothing to run out of room for.
            Ok(()) if start >= 10 => {
                assert_eq!(migrations::current(&conn).unwrap(), migrations::latest());
                continue;
            }
            other => panic!("from version {start}: expected DiskFull, got {other:?}"),
        }
        // Migration 9 changes one setting row in a page the file already has, so from 8 it
        // goes through and the next one runs out of room.
        let stopped_at = if start == 8 { 9 } else { start };
        assert_eq!(migrations::current(&conn).unwrap(), stopped_at);
        assert_eq!(schema(&conn), before, "from version {start}");
        drop(conn);
        let mut conn = open_connection(&path, Some(&key), false).unwrap();
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        migrations::migrate(&mut conn).unwrap();
        assert_eq!(migrations::current(&conn).unwrap(), migrations::latest());
    }
}

/// A delete refused for links names the first ten linking records exactly and counts the rest;
/// a record linked only by deleted records can be deleted.
#[test]
fn a_delete_refused_for_links_names_ten_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = new_store(&dir.path().join("p"));
    let place = store.add(example(RecordKind::Establishment)).unwrap();
    let mut visit = example(RecordKind::Visit).to_value();
    visit["establishment_id"] = Value::String(place.to_string());
    let visits: Vec<Uuid> = (0..12)
        .map(|_| {
            store
                .add(Record::from_value(RecordKind::Visit, visit.clone()).unwrap())
                .unwrap()
        })
        .collect();
    match store.delete(place) {
        Err(Error::Linked { id, by, more }) => {
            assert_eq!(id, place.to_string());
            assert_eq!((by.len(), more), (10, 2));
            assert!(by
                .iter()
                .all(|l| l.kind == "visit" && l.field == "visit.establishment_id"));
            let message = Error::Linked { id, by, more }.to_string();
            assert!(message.contains("and 2 more"), "{message}");
        }
        other => panic!("expected Linked, got {other:?}"),
    }
    assert!(!store.show(place, false).unwrap().deleted);
    for v in visits {
        store.delete(v).unwrap();
    }
    store.delete(place).unwrap();
}

#[test]
fn a_checked_passphrase_change_needs_the_current_passphrase() {
    let (dir, mut store) = temp_store("Field laptop 3");
    let new = Passphrase::new("ផ្កាឈូក new passphrase 2026".into());
    let before = store.audit_entries().unwrap().len();
    match store.change_passphrase_checked(
        &Passphrase::new("not the passphrase".into()),
        &new,
        KdfParams::FOR_TESTS_ONLY,
        &mut |_| {},
    ) {
        Err(Error::WrongPassphrase) => {}
        other => panic!("{other:?}"),
    }
    let entries = store.audit_entries().unwrap();
    assert_eq!(entries.len(), before + 1, "the failed attempt is logged");
    store
        .change_passphrase_checked(
            &Passphrase::new(PASS.into()),
            &new,
            KdfParams::FOR_TESTS_ONLY,
            &mut |_| {},
        )
        .unwrap();
    drop(store);
    let path = dir.path().join("p");
    assert!(matches!(
        Profile::open(&path, &Passphrase::new(PASS.into())),
        Err(Error::WrongPassphrase)
    ));
    Profile::open(&path, &new).unwrap();
}

#[test]
fn a_confirmed_passphrase_must_open_this_store_and_a_wrong_one_is_logged() {
    let (_dir, mut store) = temp_store("Field laptop 3");
    let before = store.audit_entries().unwrap().len();
    store
        .confirm_passphrase(&Passphrase::new(PASS.into()), "trusting a key")
        .unwrap();
    assert_eq!(
        store.audit_entries().unwrap().len(),
        before,
        "a right one logs nothing"
    );
    match store.confirm_passphrase(&Passphrase::new("ពាក្យខុស wrong".into()), "purge")
    {
        Err(Error::WrongPassphrase) => {}
        other => panic!("{other:?}"),
    }
    let entries = store.audit_entries().unwrap();
    assert_eq!(entries.len(), before + 1);
    let last = entries.last().unwrap();
    assert_eq!(last.action, "unlock_failed");
    assert_eq!(last.detail["during"], "purge");
}

#[test]
fn passphrases_typed_again_are_delayed_after_three_wrong_ones_like_unlocks() {
    let (_dir, mut store) = temp_store("Field laptop 3");
    let wrong = Passphrase::new("ពាក្យខុស wrong guess".into());
    let right = Passphrase::new(PASS.into());
    let t0 = chrono::Utc::now();
    for i in 0..3 {
        let at = t0 + chrono::Duration::seconds(i);
        match store.confirm_passphrase_at(&wrong, "trusting a key", at) {
            Err(Error::WrongPassphrase) => {}
            other => panic!("attempt {i}: {other:?}"),
        }
    }
    // The fourth comes too soon after the third: refused before the KDF, the right one too.
    let soon = t0 + chrono::Duration::seconds(2) + chrono::Duration::milliseconds(500);
    match store.confirm_passphrase_at(&right, "trusting a key", soon) {
        Err(Error::UnlockDelayed { seconds: 1 }) => {}
        other => panic!("{other:?}"),
    }
    let later = t0 + chrono::Duration::seconds(4);
    store
        .confirm_passphrase_at(&right, "trusting a key", later)
        .unwrap();
    // A right one clears the count.
    match store.confirm_passphrase_at(&wrong, "purging", later) {
        Err(Error::WrongPassphrase) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn recent_work_is_every_kind_newest_first_without_attachments_or_deleted_records() {
    let (_dir, mut store) = temp_store("Laptop A");
    let a = store.add(example(RecordKind::Establishment)).unwrap();
    let p = store.add(person_with("ផ្កាឈូក")).unwrap();
    let b = store.add(example(RecordKind::Establishment)).unwrap();
    store
        .attach(
            attachments::NewAttachment {
                record_id: b,
                media: crate::model::MediaKind::Photo,
                file_name: "ខាងមុខ.jpg".into(),
                media_type: "image/jpeg".into(),
                description: None,
            },
            &mut std::io::Cursor::new(vec![7u8; 100]),
        )
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    store.edit(a, example(RecordKind::Establishment)).unwrap();
    store.delete(p).unwrap();
    let ids = |n| -> Vec<Uuid> { store.recent(n).unwrap().iter().map(|r| r.id).collect() };
    assert_eq!(
        ids(10),
        vec![a, b],
        "the edit first, no attachment, no deleted person"
    );
    assert_eq!(ids(1), vec![a]);
}

/// By SQL text: the most times a statement has been re-prepared, and run.
type Reprepares = std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, (i32, i32)>>>;

/// Watches every statement that finishes on `store`'s connection and keeps, by SQL text, the
/// most times it has been re-prepared (`SQLITE_STMTSTATUS_REPREPARE`) and run.
fn watch_reprepares(store: &mut Store) -> Reprepares {
    use rusqlite::trace::{TraceEvent, TraceEventCodes};
    use rusqlite::StatementStatus;
    let seen = Reprepares::default();
    let into = seen.clone();
    store
        .conn
        .trace_v2(
            TraceEventCodes::SQLITE_TRACE_PROFILE,
            Some(move |event: TraceEvent<'_>| {
                if let TraceEvent::Profile(stmt, _) = event {
                    let sql = stmt.sql().split_whitespace().collect::<Vec<_>>().join(" ");
                    let mut seen = into.lock().unwrap();
                    let entry = seen.entry(sql).or_default();
                    entry.0 = entry.0.max(stmt.get_status(StatementStatus::RePrepare));
                    entry.1 = entry.1.max(stmt.get_status(StatementStatus::Run));
                }
            }),
        )
        .unwrap();
    seen
}

/// Adds each kind (not attachments) `rounds` times, links pointing at the newest of each kind.
fn add_every_kind(store: &mut Store, rounds: usize) -> Vec<(RecordKind, Uuid)> {
    let mut ids = Vec::new();
    for round in 0..rounds {
        for kind in RecordKind::ALL {
            if kind == RecordKind::Attachment {
                continue;
            }
            let mut text = example(kind).to_value().to_string();
            for earlier in RecordKind::ALL {
                if let Some(found) = store.list(earlier, 1, 0).unwrap().first() {
                    text = text.replace(&example_id(earlier).to_string(), &found.id.to_string());
                }
            }
            if kind == RecordKind::Person {
                text = text.replacen(
                    "\"pseudonym\":\"",
                    &format!("\"pseudonym\":\"ស្រី {round} "),
                    1,
                );
            }
            ids.push((
                kind,
                store.add(Record::from_json(kind, &text).unwrap()).unwrap(),
            ));
        }
    }
    ids
}

/// Issues 2 and 3: a cached statement is prepared once per connection, not once per call. The
/// bundled SQLite re-plans a statement whose plan looked at a bound parameter when that
/// parameter is bound again, and the statement cache clears a statement's bindings when it
/// takes it back: without the query planner stability guarantee the report-facts INSERTs,
/// the list and search queries and every joined lookup were parsed and planned again on each
/// call.
#[test]
fn the_write_paths_cached_statements_are_not_reprepared_per_call() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (_odir, mut office) = temp_store("Office");
    link_field_to_office(&mut field, &mut office);
    let on_field = watch_reprepares(&mut field);
    let on_office = watch_reprepares(&mut office);

    let ids = add_every_kind(&mut field, 5);
    for (n, (_, id)) in ids
        .iter()
        .filter(|(kind, _)| *kind == RecordKind::Person)
        .enumerate()
    {
        field.edit(*id, person_with(&format!("ស្រី កែ {n}"))).unwrap();
    }
    for query in ["ស្រី", "KTV", "ស"] {
        field.search(query, 10, 0).unwrap();
    }
    let out = dir.path().join("b.fcb");
    field
        .export_bundle(&out, crate::bundle::ExportOptions::default(), &mut |_| {})
        .unwrap();
    let summary = office.import_bundle(&out, &mut |_| {}).unwrap();
    assert_eq!(summary.added, ids.len() as u64 + 5);

    for (store, seen) in [("field", &on_field), ("office", &on_office)] {
        let seen = seen.lock().unwrap();
        let reprepared: Vec<_> = seen.iter().filter(|(_, (r, _))| *r > 0).collect();
        assert!(
            reprepared.is_empty(),
            "re-prepared on the {store}'s connection: {reprepared:#?}"
        );
    }
    // The watch saw the statements that used to be re-prepared, each run many times.
    let field_seen = on_field.lock().unwrap();
    let runs = |sql: &str| field_seen.get(sql).map(|(_, runs)| *runs).unwrap_or(0);
    assert!(
        runs("INSERT INTO fact_persons SELECT * FROM report_person_source WHERE record_id = ?1")
            >= 5
    );
    assert!(
        runs("INSERT INTO fact_visits SELECT * FROM report_visit_source WHERE record_id = ?1") >= 5
    );
    assert!(runs("SELECT id, kind, label, updated_at, heads FROM records WHERE kind = ?1 AND deleted = 0 ORDER BY updated_at DESC, id DESC LIMIT ?2 OFFSET ?3") >= 25);
    drop(field_seen);
    let office_seen = on_office.lock().unwrap();
    let heads = office_seen.get("SELECT h.revision_id FROM heads h JOIN revisions r ON r.id = h.revision_id WHERE h.record_id = ?1 ORDER BY r.created_at DESC, r.seq DESC");
    // Looked up for each revision of a record already here (the 5 edits; a record's first
    // revision is its one head without asking).
    assert!(heads.is_some_and(|(_, runs)| *runs >= 5), "{heads:?}");
    drop(office_seen);

    // And it would see them re-prepared without the guarantee.
    field
        .conn
        .set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            false,
        )
        .unwrap();
    add_every_kind(&mut field, 3);
    let field_seen = on_field.lock().unwrap();
    let facts = field_seen
        .get("INSERT INTO fact_persons SELECT * FROM report_person_source WHERE record_id = ?1")
        .map(|(reprepares, _)| *reprepares);
    assert!(facts >= Some(2), "{facts:?}");
}

/// An import writes a new record's search entry without replacing one first (its row in
/// `records` is new), and a later revision replaces it: the office finds each record by its
/// newest text only, Khmer included.
#[test]
fn imported_records_are_found_by_their_newest_text() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (_odir, mut office) = temp_store("Office");
    link_field_to_office(&mut field, &mut office);
    let id = field.add(person_with("ស្រីពៅ មុន")).unwrap();
    let other = field.add(person_with("Dara Before")).unwrap();
    let one = dir.path().join("one.fcb");
    field
        .export_bundle(&one, crate::bundle::ExportOptions::default(), &mut |_| {})
        .unwrap();
    field.edit(other, person_with("Dara After")).unwrap();
    office.import_bundle(&one, &mut |_| {}).unwrap();
    let found = |s: &Store, q: &str| -> Vec<Uuid> {
        s.search(q, 10, 0)
            .unwrap()
            .into_iter()
            .map(|h| h.id)
            .collect()
    };
    assert_eq!(found(&office, "ស្រីពៅ មុន"), vec![id]);
    assert_eq!(found(&office, "Dara Before"), vec![other]);
    field.edit(id, person_with("ស្រីពៅ ក្រោយ")).unwrap();
    let two = dir.path().join("two.fcb");
    field
        .export_bundle(&two, crate::bundle::ExportOptions::default(), &mut |_| {})
        .unwrap();
    office.import_bundle(&two, &mut |_| {}).unwrap();
    assert!(found(&office, "ស្រីពៅ មុន").is_empty());
    assert_eq!(found(&office, "ស្រីពៅ ក្រោយ"), vec![id]);
    assert!(found(&office, "Dara Before").is_empty());
    assert_eq!(found(&office, "Dara After"), vec![other]);

    // And a record whose first revision and its edit arrive together.
    let (_tdir, mut third) = temp_store("Office 2");
    link_field_to_office(&mut field, &mut third);
    let all = dir.path().join("all.fcb");
    field
        .export_bundle(
            &all,
            crate::bundle::ExportOptions { all: true },
            &mut |_| {},
        )
        .unwrap();
    third.import_bundle(&all, &mut |_| {}).unwrap();
    assert!(found(&third, "Dara Before").is_empty());
    assert_eq!(found(&third, "Dara After"), vec![other]);
    assert_eq!(found(&third, "ស្រីពៅ ក្រោយ"), vec![id]);
}

#[test]
fn a_short_passphrase_is_refused_by_the_core_at_init_and_at_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let new = NewProfile {
        device_name: "Laptop A".into(),
        author: None,
        kdf: KdfParams::FOR_TESTS_ONLY,
        unencrypted_for_benchmarks: false,
    };
    let at = dir.path().join("p");
    let err = Profile::init(&at, &Passphrase::new("ទឹកភ្លៀង".into()), &new).unwrap_err();
    assert!(matches!(err, Error::PassphraseTooShort { .. }), "{err}");
    assert!(!Profile::exists(&at), "nothing may be left behind");

    let mut store = Profile::init(&at, &Passphrase::new(PASS.into()), &new).unwrap();
    let short = Passphrase::new("rain 2026".into());
    let err = store
        .change_passphrase(&short, KdfParams::FOR_TESTS_ONLY)
        .unwrap_err();
    assert!(matches!(err, Error::PassphraseTooShort { .. }), "{err}");
    drop(store);
    Profile::open(&at, &Passphrase::new(PASS.into())).unwrap();
    assert!(matches!(
        Profile::open(&at, &short).unwrap_err(),
        Error::WrongPassphrase
    ));
}

/// The statements `configure` runs, in order (each cut to its first 40 bytes, so the key's
/// literal is never kept whole).
fn statements_configure_runs(key: Option<&DataKey>) -> Vec<String> {
    use rusqlite::trace::{TraceEvent, TraceEventCodes};
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("store.db")).unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let into = seen.clone();
    conn.trace_v2(
        TraceEventCodes::SQLITE_TRACE_STMT,
        Some(move |event: TraceEvent<'_>| {
            if let TraceEvent::Stmt(_, sql) = event {
                let cut: String = sql.trim().chars().take(40).collect();
                into.lock().unwrap().push(cut);
            }
        }),
    )
    .unwrap();
    configure(&conn, key).unwrap();
    drop(conn);
    let out = seen.lock().unwrap().clone();
    out
}

#[test]
fn memory_security_is_on_before_the_key_on_every_connection() {
    let key = DataKey::generate();
    let order = statements_configure_runs(Some(&key));
    let at = |prefix: &str| {
        order
            .iter()
            .position(|s| s.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix} never ran: {order:?}"))
    };
    assert!(
        at("PRAGMA cipher_memory_security = ON") < at("PRAGMA key"),
        "{order:?}"
    );
    assert!(!order.iter().any(|s| s.contains(&hex::encode(key.expose()))));
    // And on a benchmark's plain connection, which has no key at all.
    let plain = statements_configure_runs(None);
    assert!(plain
        .iter()
        .any(|s| s.starts_with("PRAGMA cipher_memory_security")));
}
