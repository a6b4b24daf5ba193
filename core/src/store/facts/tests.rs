//! The report facts always say what the record heads say: after adds, edits, deletes, foreign
//! revisions, a conflict and its resolution, and after the migration back-fills an older store.
//! The expected rows are worked out here in Rust from the bodies, independently of the SQL views.

use std::collections::BTreeSet;

use rusqlite::types::ValueRef;
use serde_json::{json, Value};
use uuid::Uuid;

use super::*;
use crate::crypto::KdfParams;
use crate::model::{example, Record};
use crate::profile::{NewProfile, Profile};
use crate::secret::Passphrase;
use crate::store::migrations::{self, MIGRATIONS};
use crate::store::{revisions, Revision, Store};

const TABLES: [&str; 8] = [
    "fact_visits",
    "fact_establishments",
    "fact_interviews",
    "fact_interview_indicators",
    "fact_persons",
    "fact_referrals",
    "fact_cases",
    "fact_case_outcomes",
];

fn new_store(dir: &std::path::Path) -> Store {
    Profile::init(
        dir,
        &Passphrase::new("ទឹកភ្លៀង facts".into()),
        &NewProfile {
            device_name: "Office".into(),
            author: Some("OFF-01".into()),
            kdf: KdfParams::FOR_TESTS_ONLY,
            unencrypted_for_benchmarks: false,
        },
    )
    .unwrap()
}

/// The example of `kind` with `changes` merged over it (a null removes a field), identity left
/// out (as a body is stored).
fn record(kind: RecordKind, changes: Value) -> Record {
    let mut v = example(kind).to_value();
    for (k, x) in changes.as_object().unwrap() {
        if x.is_null() {
            v.as_object_mut().unwrap().remove(k);
        } else {
            v[k] = x.clone();
        }
    }
    Record::from_value(kind, v).unwrap().split_identity().0
}

fn establishment(province: &str, city: &str) -> Record {
    record(
        RecordKind::Establishment,
        json!({"location": {"country": "KH", "province": province, "city": city}, "people": null}),
    )
}

fn person(role: &str) -> Record {
    record(
        RecordKind::Person,
        json!({"role": role, "age": {"years": 24, "basis": "stated"}}),
    )
}

fn visit(at: &str, establishment: Uuid, purpose: &str, counts: &[(&str, &str, u32)]) -> Record {
    let counts: Vec<Value> = counts
        .iter()
        .map(|(band, sex, n)| json!({"age_band": band, "sex": sex, "count": n}))
        .collect();
    record(
        RecordKind::Visit,
        json!({
            "started_at": at, "ended_at": null, "establishment_id": establishment,
            "purpose": purpose, "counts": counts,
            "sampling": {"stratum": "PNH/karaoke/evening"},
        }),
    )
}

fn interview(person: Uuid, at: &str, ilo: Value) -> Record {
    record(
        RecordKind::Interview,
        json!({
            "person_id": person, "started_at": at, "ended_at": null, "breaks": null,
            "establishments_named": null, "suspects_named": null, "ilo_indicators": ilo,
            "consent": {"interview": {"given": true, "explained_by": "SW-11", "language": "km"}},
        }),
    )
}

fn referral(person: Uuid, made: &str, status: &str, done: Value) -> Record {
    record(
        RecordKind::Referral,
        json!({"person_id": person, "case_id": null, "made_on": made, "status": status, "completed_on": done}),
    )
}

fn case(status: &str, opened: &str, arrests: Value, convictions: Value) -> Record {
    record(
        RecordKind::Case,
        json!({
            "person_ids": null, "interview_ids": null, "visit_ids": null,
            "establishment_ids": null, "code": "PP-2026-0001", "status": status,
            "opened_on": opened, "arrests": arrests, "convictions": convictions,
        }),
    )
}

/// A revision as another laptop would have written it.
fn foreign(
    kind: RecordKind,
    record_id: Uuid,
    parents: Vec<Uuid>,
    record: Option<&Record>,
    at: &str,
) -> Revision {
    let body = record.map(|r| r.to_value());
    let mut rev = Revision {
        id: Uuid::now_v7(),
        record_id,
        kind,
        parents,
        device_id: Uuid::now_v7(),
        author: "INV-09".into(),
        created_at: chrono::DateTime::parse_from_rfc3339(at).unwrap().into(),
        deleted: body.is_none(),
        body,
        identity: None,
        body_hash: String::new(),
    };
    rev.body_hash = rev.compute_hash();
    rev
}

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "∅".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn day(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.chars().take(10).collect(),
        _ => "∅".into(),
    }
}

/// The facts as the bodies say they should be, one line per row.
fn expected(conn: &Connection) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stmt = conn
        .prepare("SELECT id, kind, deleted FROM records")
        .unwrap();
    let records: Vec<(String, String, bool)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<std::result::Result<_, _>>()
        .unwrap();
    for (id, kind, deleted) in records {
        if kind == "establishment" {
            // The newest revision with a body, deleted or not.
            let body: String = conn
                .query_row(
                    "SELECT body FROM revisions WHERE record_id = ?1 AND body IS NOT NULL
                     ORDER BY created_at DESC, seq DESC LIMIT 1",
                    [&id],
                    |r| r.get(0),
                )
                .unwrap();
            let b: Value = serde_json::from_str(&body).unwrap();
            out.insert(format!(
                "fact_establishments|{id}|{}|{}",
                text(b.pointer("/location/city")),
                text(b.pointer("/location/province"))
            ));
            continue;
        }
        if deleted {
            continue;
        }
        // The newest head with a body.
        let body: Option<String> = conn
            .query_row(
                "SELECT r.body FROM heads h JOIN revisions r ON r.id = h.revision_id
                 WHERE h.record_id = ?1 AND r.body IS NOT NULL
                 ORDER BY r.created_at DESC, r.seq DESC LIMIT 1",
                [&id],
                |r| r.get(0),
            )
            .ok();
        let Some(body) = body else { continue };
        let b: Value = serde_json::from_str(&body).unwrap();
        let get = |k: &str| b.get(k);
        match kind.as_str() {
            "visit" => {
                let mut bands = [0u64; 4];
                for c in get("counts")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let i = ["under_16", "age_16_17", "adult", "unknown"]
                        .iter()
                        .position(|x| Some(*x) == c["age_band"].as_str())
                        .unwrap();
                    bands[i] += c["count"].as_u64().unwrap();
                }
                out.insert(format!(
                    "fact_visits|{id}|{}|{}|{}|{}|{}|{}|{}",
                    day(get("started_at")),
                    text(get("purpose")),
                    text(get("establishment_id")),
                    bands[0],
                    bands[1],
                    bands[2],
                    bands[3]
                ));
            }
            "interview" => {
                // The indicators: a bit set on the interview's row (bit i for
                // `IloIndicator::ALL[i]`), and one row each in the view of the old name.
                let mut ilo = 0u64;
                for i in get("ilo_indicators")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let bit = crate::model::IloIndicator::ALL
                        .iter()
                        .position(|x| Some(x.as_str()) == i.as_str())
                        .unwrap();
                    ilo |= 1 << bit;
                    out.insert(format!("fact_interview_indicators|{id}|{}", text(Some(i))));
                }
                out.insert(format!(
                    "fact_interviews|{id}|{}|{}|{ilo}",
                    day(get("started_at")),
                    text(get("person_id"))
                ));
            }
            "person" => {
                out.insert(format!("fact_persons|{id}|{}", text(get("role"))));
            }
            "referral" => {
                out.insert(format!(
                    "fact_referrals|{id}|{}|{}|{}",
                    day(get("made_on")),
                    text(get("status")),
                    day(get("completed_on"))
                ));
            }
            "case" => {
                out.insert(format!(
                    "fact_cases|{id}|{}|{}",
                    day(get("opened_on")),
                    text(get("status"))
                ));
                for (list, name) in [("arrests", "arrest"), ("convictions", "conviction")] {
                    for o in get(list).and_then(Value::as_array).into_iter().flatten() {
                        out.insert(format!(
                            "fact_case_outcomes|{id}|{name}|{}|{}",
                            day(o.get("date")),
                            o["count"]
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The facts as stored, one line per row.
fn stored(conn: &Connection) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for table in TABLES {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let width = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let mut line = table.to_string();
            for i in 0..width {
                line.push('|');
                match row.get_ref(i).unwrap() {
                    ValueRef::Null => line.push('∅'),
                    ValueRef::Integer(n) => line.push_str(&n.to_string()),
                    ValueRef::Text(t) => line.push_str(std::str::from_utf8(t).unwrap()),
                    other => panic!("unexpected {other:?}"),
                }
            }
            assert!(out.insert(line.clone()), "duplicate fact row {line}");
        }
    }
    out
}

fn assert_facts_follow_bodies(conn: &Connection, when: &str) {
    let want = expected(conn);
    assert!(!want.is_empty(), "{when}: nothing to compare");
    assert_eq!(stored(conn), want, "{when}");
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn facts_follow_adds_edits_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = new_store(dir.path());
    let e1 = s.add(establishment("Phnom Penh", "ភ្នំពេញ")).unwrap();
    let e2 = s.add(establishment("Siem Reap", "Siem Reap")).unwrap();
    let p1 = s.add(person("survivor")).unwrap();
    let p2 = s.add(person("witness")).unwrap();
    let counts = [("under_16", "female", 2), ("adult", "female", 20)];
    let v1 = s
        .add(visit(
            "2026-01-10T13:00:00Z",
            e1,
            "prevalence_count",
            &counts,
        ))
        .unwrap();
    let v2 = s
        .add(visit(
            "2026-02-10T13:00:00Z",
            e2,
            "monitoring",
            &[("unknown", "male", 3)],
        ))
        .unwrap();
    let i1 = s
        .add(interview(
            p1,
            "2026-01-15T02:00:00Z",
            json!(["deception", "debt_bondage"]),
        ))
        .unwrap();
    s.add(interview(p2, "2026-03-21T02:00:00Z", json!([])))
        .unwrap();
    let r1 = s
        .add(referral(p1, "2026-01-20", "made", Value::Null))
        .unwrap();
    let c1 = s
        .add(case(
            "verdict",
            "2026-01-05",
            json!([{"date": "2026-02-01", "count": 2}, {"date": "2026-02-01", "count": 1}]),
            json!([{"date": "2026-03-30", "count": 1}]),
        ))
        .unwrap();
    assert_facts_follow_bodies(&s.conn, "after adds");
    assert_eq!(count(&s.conn, "fact_visits"), 2);
    assert_eq!(count(&s.conn, "fact_case_outcomes"), 3);

    let more = [
        ("under_16", "female", 1),
        ("age_16_17", "male", 4),
        ("age_16_17", "female", 2),
        ("unknown", "female", 1),
    ];
    s.edit(
        v1,
        visit("2026-04-01T01:00:00Z", e2, "prevalence_count", &more),
    )
    .unwrap();
    s.edit(
        i1,
        interview(p1, "2026-01-16T02:00:00Z", json!(["isolation"])),
    )
    .unwrap();
    s.edit(
        r1,
        referral(p1, "2026-01-20", "completed", json!("2026-02-10")),
    )
    .unwrap();
    s.edit(c1, case("closed", "2026-01-06", json!([]), json!([])))
        .unwrap();
    s.edit(p2, person("survivor")).unwrap();
    s.edit(e1, establishment("Kampot", "Kampot")).unwrap();
    assert_facts_follow_bodies(&s.conn, "after edits");
    assert_eq!(count(&s.conn, "fact_case_outcomes"), 0);

    s.delete(v2).unwrap();
    s.delete(i1).unwrap();
    s.delete(c1).unwrap();
    s.delete(v1).unwrap();
    s.delete(e1).unwrap();
    assert_facts_follow_bodies(&s.conn, "after deletes");
    assert_eq!(count(&s.conn, "fact_visits"), 0);
    assert_eq!(count(&s.conn, "fact_interview_indicators"), 0);
    // A deleted establishment keeps the place it had, as the prevalence report has always read it.
    assert_eq!(count(&s.conn, "fact_establishments"), 2);
}

#[test]
fn facts_follow_foreign_revisions_a_conflict_and_its_resolution() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = new_store(dir.path());
    let e1 = s.add(establishment("Phnom Penh", "ភ្នំពេញ")).unwrap();
    // A record that arrives from another laptop.
    let v = Uuid::now_v7();
    let created = visit(
        "2026-01-10T13:00:00Z",
        e1,
        "prevalence_count",
        &[("adult", "male", 5)],
    );
    let first = foreign(
        RecordKind::Visit,
        v,
        vec![],
        Some(&created),
        "2026-01-10T14:00:00Z",
    );
    assert_eq!(s.apply_foreign(std::slice::from_ref(&first)).unwrap(), 1);
    assert_facts_follow_bodies(&s.conn, "after a foreign add");

    // Edited here and there: a conflict. The reports follow the newest head.
    let here = visit(
        "2026-01-10T13:00:00Z",
        e1,
        "prevalence_count",
        &[("under_16", "female", 3)],
    );
    let local = s.edit(v, here).unwrap();
    let there = visit(
        "2026-02-11T13:00:00Z",
        e1,
        "monitoring",
        &[("unknown", "male", 7)],
    );
    let older = foreign(
        RecordKind::Visit,
        v,
        vec![first.id],
        Some(&there),
        "2026-01-11T09:00:00Z",
    );
    assert_eq!(s.apply_foreign(std::slice::from_ref(&older)).unwrap(), 1);
    assert!(s.show(v, false).unwrap().in_conflict());
    assert_facts_follow_bodies(&s.conn, "in conflict, the local head newest");
    let day: String = s
        .conn
        .query_row(
            "SELECT day FROM fact_visits WHERE record_id = ?1",
            [v.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        day, "2026-01-10",
        "the newest head (the local edit) is the one counted"
    );

    // A third head, newer than both, and a foreign tombstone on an old branch.
    let newest = foreign(
        RecordKind::Visit,
        v,
        vec![first.id],
        Some(&visit("2026-03-01T00:00:00Z", e1, "prevalence_count", &[])),
        "2099-01-01T00:00:00Z",
    );
    let tombstone = foreign(
        RecordKind::Visit,
        v,
        vec![older.id],
        None,
        "2026-01-12T00:00:00Z",
    );
    s.apply_foreign(&[newest, tombstone]).unwrap();
    assert_facts_follow_bodies(&s.conn, "three heads");

    // Resolved here: one head again, with every parent.
    let merged = visit(
        "2026-01-10T13:00:00Z",
        e1,
        "prevalence_count",
        &[("under_16", "female", 3), ("unknown", "male", 7)],
    );
    let resolution = s.resolve(v, merged).unwrap();
    assert!(resolution.parents.len() >= 2);
    assert_eq!(s.show(v, false).unwrap().heads, vec![resolution.id]);
    assert_facts_follow_bodies(&s.conn, "after the resolution");
    let _ = local;

    // Another laptop deletes it: the facts go.
    let gone = foreign(
        RecordKind::Visit,
        v,
        vec![resolution.id],
        None,
        "2099-06-01T00:00:00Z",
    );
    s.apply_foreign(&[gone]).unwrap();
    assert_facts_follow_bodies(&s.conn, "after a foreign delete");
    assert_eq!(count(&s.conn, "fact_visits"), 0);
}

/// The version just before the "report facts" migration.
fn version_before_facts() -> i64 {
    MIGRATIONS
        .iter()
        .position(|m| m.contains("-- report facts"))
        .unwrap() as i64
}

/// Writes a revision the way a store before the migration did (no facts), then marks the
/// record's heads and deleted flag.
fn write_old(tx: &rusqlite::Transaction<'_>, rev: &Revision) {
    revisions::insert(tx, rev).unwrap();
    tx.execute(
        "UPDATE records SET heads = (SELECT count(*) FROM heads WHERE record_id = ?1),
             deleted = ?2 WHERE id = ?1",
        rusqlite::params![rev.record_id.to_string(), rev.deleted],
    )
    .unwrap();
}

#[test]
fn the_migration_back_fills_the_facts_of_an_older_store() {
    let mut conn = Connection::open_in_memory().unwrap();
    migrations::migrate_to(&mut conn, version_before_facts()).unwrap();
    let tx = conn.transaction().unwrap();
    let add = |tx: &rusqlite::Transaction<'_>, r: &Record, at: &str| {
        let rev = foreign(r.kind(), Uuid::now_v7(), vec![], Some(r), at);
        write_old(tx, &rev);
        rev
    };
    let e1 = add(
        &tx,
        &establishment("Phnom Penh", "ភ្នំពេញ"),
        "2026-01-01T00:00:00Z",
    );
    let e2 = add(
        &tx,
        &establishment("Siem Reap", "Siem Reap"),
        "2026-01-01T00:00:01Z",
    );
    // The establishment moved, then was deleted.
    let moved = foreign(
        RecordKind::Establishment,
        e2.record_id,
        vec![e2.id],
        Some(&establishment("Kampot", "Kampot")),
        "2026-01-02T00:00:00Z",
    );
    write_old(&tx, &moved);
    write_old(
        &tx,
        &foreign(
            RecordKind::Establishment,
            e2.record_id,
            vec![moved.id],
            None,
            "2026-01-03T00:00:00Z",
        ),
    );
    let p1 = add(&tx, &person("survivor"), "2026-01-01T00:00:02Z");
    let counts = [("under_16", "female", 2), ("unknown", "male", 1)];
    let v1 = add(
        &tx,
        &visit(
            "2026-01-10T13:00:00Z",
            e1.record_id,
            "prevalence_count",
            &counts,
        ),
        "2026-01-10T14:00:00Z",
    );
    // Two heads: the newer one counts.
    for (at, n) in [("2026-01-11T00:00:00Z", 4), ("2026-01-12T00:00:00Z", 9)] {
        let r = visit(
            "2026-01-10T13:00:00Z",
            e2.record_id,
            "prevalence_count",
            &[("adult", "female", n)],
        );
        write_old(
            &tx,
            &foreign(RecordKind::Visit, v1.record_id, vec![v1.id], Some(&r), at),
        );
    }
    add(
        &tx,
        &interview(
            p1.record_id,
            "2026-01-15T02:00:00Z",
            json!(["deception", "isolation"]),
        ),
        "2026-01-15T03:00:00Z",
    );
    let gone = add(
        &tx,
        &interview(p1.record_id, "2026-01-16T02:00:00Z", json!(["deception"])),
        "2026-01-16T03:00:00Z",
    );
    write_old(
        &tx,
        &foreign(
            RecordKind::Interview,
            gone.record_id,
            vec![gone.id],
            None,
            "2026-01-17T00:00:00Z",
        ),
    );
    add(
        &tx,
        &referral(p1.record_id, "2026-01-20", "completed", json!("2026-02-10")),
        "2026-01-20T00:00:00Z",
    );
    add(
        &tx,
        &case(
            "verdict",
            "2026-01-05",
            json!([{"date": "2026-02-01", "count": 2}]),
            json!([{"date": "2026-03-30", "count": 1}]),
        ),
        "2026-01-05T00:00:00Z",
    );
    tx.commit().unwrap();

    migrations::migrate(&mut conn).unwrap();
    assert_facts_follow_bodies(&conn, "after the back-fill");
    assert_eq!(count(&conn, "fact_visits"), 1);
    assert_eq!(count(&conn, "fact_interviews"), 1);
    assert_eq!(count(&conn, "fact_establishments"), 2);
    let adults: i64 = conn
        .query_row("SELECT adult FROM fact_visits", [], |r| r.get(0))
        .unwrap();
    assert_eq!(adults, 9);

    // Refreshing every record from the views changes nothing: back-fill and write path agree.
    let before = stored(&conn);
    let ids: Vec<(String, String)> = conn
        .prepare("SELECT id, kind FROM records")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<std::result::Result<_, _>>()
        .unwrap();
    for (id, kind) in ids {
        let kind: RecordKind = serde_json::from_value(Value::String(kind)).unwrap();
        refresh(&conn, kind, &id).unwrap();
    }
    assert_eq!(stored(&conn), before);
}

#[test]
fn refreshing_one_record_reads_only_that_record() {
    let mut conn = Connection::open_in_memory().unwrap();
    migrations::migrate(&mut conn).unwrap();
    for kind in [
        RecordKind::Visit,
        RecordKind::Establishment,
        RecordKind::Interview,
        RecordKind::Person,
        RecordKind::Referral,
        RecordKind::Case,
    ] {
        for (_, source) in tables(kind) {
            let plan: Vec<String> = conn
                .prepare(&format!(
                    "EXPLAIN QUERY PLAN SELECT * FROM {source} WHERE record_id = ?1"
                ))
                .unwrap()
                .query_map(["x"], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<std::result::Result<_, _>>()
                .unwrap();
            for step in &plan {
                let scans_a_table = step.starts_with("SCAN")
                    && !step.contains("VIRTUAL TABLE")
                    // the co-routine's own few rows, after the record was looked up by id
                    && *step != format!("SCAN {source}")
                    && !step.contains("CONSTANT ROW");
                assert!(!scans_a_table, "{source} scans: {plan:?}");
            }
        }
    }
}

/// The version that made the ILO indicators a bit set on the interview facts.
fn version_with_ilo_bits() -> i64 {
    MIGRATIONS
        .iter()
        .position(|m| m.contains("ALTER TABLE fact_interviews ADD COLUMN ilo"))
        .unwrap() as i64
        + 1
}

#[test]
fn the_ilo_bits_are_filled_from_the_indicator_rows_of_a_store_with_facts() {
    let mut conn = Connection::open_in_memory().unwrap();
    let with_rows = version_with_ilo_bits() - 1;
    migrations::migrate_to(&mut conn, with_rows).unwrap();
    let tx = conn.transaction().unwrap();
    let p1 = foreign(
        RecordKind::Person,
        Uuid::now_v7(),
        vec![],
        Some(&person("survivor")),
        "2026-01-01T00:00:00Z",
    );
    write_old(&tx, &p1);
    refresh(&tx, RecordKind::Person, &p1.record_id.to_string()).unwrap();
    let every: Vec<&str> = crate::model::IloIndicator::ALL
        .iter()
        .map(|i| i.as_str())
        .collect();
    for (n, ilo) in [
        json!(every),
        json!([]),
        json!(["excessive_overtime", "abuse_of_vulnerability"]),
        json!(["debt_bondage"]),
    ]
    .into_iter()
    .enumerate()
    {
        let at = format!("2026-02-0{}T00:00:00Z", n + 1);
        let r = interview(p1.record_id, &at, ilo);
        let rev = foreign(RecordKind::Interview, Uuid::now_v7(), vec![], Some(&r), &at);
        write_old(&tx, &rev);
        // The write path of that version: one row per indicator.
        for (table, source) in [
            ("fact_interviews", "report_interview_source"),
            (
                "fact_interview_indicators",
                "report_interview_indicator_source",
            ),
        ] {
            tx.execute(
                &format!("INSERT INTO {table} SELECT * FROM {source} WHERE record_id = ?1"),
                [rev.record_id.to_string()],
            )
            .unwrap();
        }
    }
    tx.commit().unwrap();
    assert_eq!(count(&conn, "fact_interview_indicators"), 14);

    migrations::migrate(&mut conn).unwrap();
    assert_eq!(migrations::current(&conn).unwrap(), migrations::latest());
    assert_facts_follow_bodies(&conn, "after the bits were filled");
    let bits: Vec<i64> = conn
        .prepare("SELECT ilo FROM fact_interviews ORDER BY day")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<std::result::Result<_, _>>()
        .unwrap();
    assert_eq!(
        bits,
        vec![0b111_1111_1111, 0, 0b100_0000_0001, 0b1_0000_0000]
    );
    assert_eq!(count(&conn, "fact_interview_indicators"), 14);
}

#[test]
fn an_import_sized_batch_of_foreign_revisions_refreshes_every_records_facts() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = new_store(dir.path());
    // More records than one refresh statement takes, of three kinds, some edited twice in the
    // same batch (the later body wins) and one deleted in it.
    let mut revs = Vec::new();
    let mut places = Vec::new();
    for i in 0..(super::BATCH + 300) {
        let id = Uuid::now_v7();
        let first = establishment("Siem Reap", &format!("សៀមរាប {i}"));
        let rev = foreign(
            RecordKind::Establishment,
            id,
            vec![],
            Some(&first),
            "2026-02-01T08:00:00Z",
        );
        if i % 500 == 0 {
            let edited = establishment("Battambang", "បាត់ដំបង");
            let later = foreign(
                RecordKind::Establishment,
                id,
                vec![rev.id],
                Some(&edited),
                "2026-02-02T08:00:00Z",
            );
            revs.push(rev);
            revs.push(later);
        } else {
            revs.push(rev);
        }
        places.push(id);
    }
    for (i, place) in places.iter().take(40).enumerate() {
        let v = visit(
            "2026-02-03T13:00:00Z",
            *place,
            "prevalence_count",
            &[
                ("under_16", "female", 1 + i as u32 % 3),
                ("adult", "male", 4),
            ],
        );
        revs.push(foreign(
            RecordKind::Visit,
            Uuid::now_v7(),
            vec![],
            Some(&v),
            "2026-02-03T14:00:00Z",
        ));
    }
    let p = Uuid::now_v7();
    let born = foreign(
        RecordKind::Person,
        p,
        vec![],
        Some(&person("survivor")),
        "2026-02-04T08:00:00Z",
    );
    let gone = foreign(
        RecordKind::Person,
        p,
        vec![born.id],
        None,
        "2026-02-04T09:00:00Z",
    );
    revs.push(born);
    revs.push(gone);
    assert_eq!(s.apply_foreign(&revs).unwrap(), revs.len());
    assert_facts_follow_bodies(&s.conn, "after one large batch");
    assert_eq!(
        count(&s.conn, "fact_establishments"),
        (super::BATCH + 300) as i64
    );
    assert_eq!(count(&s.conn, "fact_visits"), 40);
    assert_eq!(count(&s.conn, "fact_persons"), 0);
}
