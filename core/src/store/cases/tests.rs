use chrono::TimeZone;
use serde_json::{json, Value};

use super::*;
use crate::model::example;
use crate::store::consent::ConsentPart;
use crate::store::tests::temp_store;
use crate::store::Revision;

fn body(kind: RecordKind, changes: Value) -> Record {
    let mut v = example(kind).to_value();
    if let (Value::Object(map), Value::Object(changes)) = (&mut v, changes) {
        for (k, c) in changes {
            map.insert(k, c);
        }
    }
    Record::from_value(kind, v).unwrap()
}

/// A revision as another laptop would have written it (a new record when `parent` is None).
fn foreign(
    record_id: Uuid,
    kind: RecordKind,
    parent: Option<Uuid>,
    body: Option<Value>,
) -> Revision {
    let mut rev = Revision {
        id: Uuid::now_v7(),
        record_id,
        kind,
        parents: parent.into_iter().collect(),
        device_id: Uuid::now_v7(),
        author: "INV-09".into(),
        created_at: Utc::now(),
        deleted: body.is_none(),
        body,
        identity: None,
        body_hash: String::new(),
    };
    rev.body_hash = rev.compute_hash();
    rev
}

struct Linked {
    person: Uuid,
    establishment: Uuid,
    visit: Uuid,
    interview: Uuid,
    case: Uuid,
}

/// A person (Khmer pseudonym, with an identity), an establishment (Khmer name), a visit on
/// 2026-03-10, an interview on 2026-03-20 and a case linking them all.
fn linked(store: &mut Store) -> Linked {
    let person = store.add(example(RecordKind::Person)).unwrap();
    let establishment = store.add(example(RecordKind::Establishment)).unwrap();
    let visit = store
        .add(body(
            RecordKind::Visit,
            json!({"establishment_id": establishment, "started_at": "2026-03-10T21:30:00Z",
                   "ended_at": "2026-03-10T23:00:00Z"}),
        ))
        .unwrap();
    let interview = store
        .add(body(
            RecordKind::Interview,
            json!({"person_id": person, "started_at": "2026-03-20T02:15:00Z",
                   "ended_at": "2026-03-20T04:00:00Z", "establishments_named": [],
                   "suspects_named": []}),
        ))
        .unwrap();
    let case = store
        .add(body(
            RecordKind::Case,
            json!({"person_ids": [person], "interview_ids": [interview], "visit_ids": [visit],
                   "establishment_ids": [establishment]}),
        ))
        .unwrap();
    Linked {
        person,
        establishment,
        visit,
        interview,
        case,
    }
}

#[test]
fn the_view_lists_everything_linked_in_time_order_with_khmer_titles() {
    let (_dir, mut store) = temp_store("Office");
    let l = linked(&mut store);
    let view = store.case_view(l.case).unwrap();
    assert_eq!(view.code, "PP-2026-0142");
    assert_eq!(view.status, CaseStatus::Prosecution);
    assert_eq!(view.total_arrested, 2);
    assert!(view.title.contains("ការជួញដូរមនុស្ស"));
    let order: Vec<(RecordKind, Uuid)> = view.entries.iter().map(|e| (e.kind, e.id)).collect();
    // Visit (10 March), interview (20 March), then the person and the establishment, dated
    // by when they were recorded (today), in the order they were.
    assert_eq!(
        order,
        vec![
            (RecordKind::Visit, l.visit),
            (RecordKind::Interview, l.interview),
            (RecordKind::Person, l.person),
            (RecordKind::Establishment, l.establishment),
        ]
    );
    let [visit, interview, person, place] = &view.entries[..] else {
        panic!("four entries");
    };
    assert_eq!(visit.date, NaiveDate::from_ymd_opt(2026, 3, 10));
    assert_eq!(visit.time.as_deref(), Some("21:30"));
    assert_eq!(visit.dated_by, Some(DatedBy::Started));
    assert_eq!(
        visit.title,
        "Visit · 2026-03-10 · ខារ៉ាអូខេផ្កាយព្រឹក · prevalence count"
    );
    assert_eq!(interview.time.as_deref(), Some("02:15"));
    assert!(interview
        .title
        .starts_with("Interview · 2026-03-20 · shelter"));
    assert!(interview.title.ends_with(" · ផ្កាឈូក"), "{}", interview.title);
    assert_eq!(person.title, "ផ្កាឈូក · survivor");
    assert_eq!(person.dated_by, Some(DatedBy::Recorded));
    assert!(person.time.is_none());
    assert!(matches!(
        person.detail,
        Some(EntryDetail::Person {
            has_identity: true,
            ..
        })
    ));
    assert!(place.title.starts_with("ខារ៉ាអូខេផ្កាយព្រឹក · "));
    assert!(view
        .entries
        .iter()
        .all(|e| e.state == EntryState::Present && !e.in_conflict));
    // Never an identity field, anywhere in what the screen receives.
    let text = serde_json::to_string(&view).unwrap();
    for secret in [
        "សុខ ស្រីមុំ",
        "Sreymom",
        "KC-0417-2231",
        "+855 12 000 417",
        "2008-09-12",
    ] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
}

#[test]
fn withdrawn_consent_shows_on_the_interview_entry() {
    let (_dir, mut store) = temp_store("Office");
    let l = linked(&mut store);
    let at = Utc.with_ymd_and_hms(2026, 4, 1, 9, 0, 0).unwrap();
    store
        .withdraw_consent(l.interview, ConsentPart::Recording, at, "SW-02", "")
        .unwrap();
    let view = store.case_view(l.case).unwrap();
    let interview = view.entries.iter().find(|e| e.id == l.interview).unwrap();
    assert_eq!(interview.consent_withdrawn, vec!["recording".to_string()]);
}

#[test]
fn links_to_records_not_here_are_entries_saying_so_and_sort_last() {
    let (_dir, mut store) = temp_store("Office");
    let l = linked(&mut store);
    // A case written on a laptop whose persons and visits the office has not received yet.
    let absent_person = Uuid::now_v7();
    let absent_visit = Uuid::now_v7();
    let case_id = Uuid::now_v7();
    let case = body(
        RecordKind::Case,
        json!({"code": "BB-2026-0007", "person_ids": [absent_person, l.person],
               "visit_ids": [absent_visit], "interview_ids": [], "establishment_ids": []}),
    );
    store
        .apply_foreign(&[foreign(
            case_id,
            RecordKind::Case,
            None,
            Some(case.to_value()),
        )])
        .unwrap();
    let view = store.case_view(case_id).unwrap();
    let summary: Vec<(Uuid, EntryState)> = view.entries.iter().map(|e| (e.id, e.state)).collect();
    assert_eq!(
        summary,
        vec![
            (l.person, EntryState::Present),
            (absent_person, EntryState::Missing),
            (absent_visit, EntryState::Missing),
        ]
    );
    let missing = &view.entries[1];
    assert_eq!(missing.kind, RecordKind::Person);
    assert_eq!(missing.date, None);
    assert_eq!(missing.detail, None);
    assert!(
        missing.title.contains("not in this store"),
        "{}",
        missing.title
    );
}

#[test]
fn a_record_deleted_on_another_laptop_is_an_entry_saying_so() {
    let (_dir, mut store) = temp_store("Office");
    let l = linked(&mut store);
    let head = store.show(l.establishment, false).unwrap().heads[0];
    store
        .apply_foreign(&[foreign(
            l.establishment,
            RecordKind::Establishment,
            Some(head),
            None,
        )])
        .unwrap();
    let view = store.case_view(l.case).unwrap();
    let gone = view.entries.last().unwrap();
    assert_eq!(
        (gone.id, gone.state),
        (l.establishment, EntryState::Deleted)
    );
    assert_eq!(gone.title, "establishment deleted");
    // The visit still lists, saying its establishment is not here.
    let visit = view.entries.iter().find(|e| e.id == l.visit).unwrap();
    assert!(visit.title.contains("establishment not in this store"));
}

#[test]
fn a_conflict_on_a_linked_record_is_marked() {
    let (_dir, mut store) = temp_store("Office");
    let l = linked(&mut store);
    let head = store.show(l.person, false).unwrap().heads[0];
    store
        .edit(
            l.person,
            body(RecordKind::Person, json!({"pseudonym": "ផ្កាឈូក ២"}))
                .split_identity()
                .0,
        )
        .unwrap();
    let theirs = body(RecordKind::Person, json!({"pseudonym": "Lotus"}))
        .split_identity()
        .0;
    store
        .apply_foreign(&[foreign(
            l.person,
            RecordKind::Person,
            Some(head),
            Some(theirs.to_value()),
        )])
        .unwrap();
    let view = store.case_view(l.case).unwrap();
    let person = view.entries.iter().find(|e| e.id == l.person).unwrap();
    assert!(person.in_conflict);
}

#[test]
fn only_a_live_case_has_a_view() {
    let (_dir, mut store) = temp_store("Office");
    let l = linked(&mut store);
    assert!(matches!(
        store.case_view(l.person),
        Err(Error::Invalid(ValidationError { .. }))
    ));
    assert!(matches!(
        store.case_view(Uuid::now_v7()),
        Err(Error::NotFound { .. })
    ));
    store.delete(l.case).unwrap();
    assert!(matches!(store.case_view(l.case), Err(Error::Invalid(_))));
}

#[test]
fn cases_of_names_the_cases_linking_a_record() {
    let (_dir, mut store) = temp_store("Office");
    let l = linked(&mut store);
    let other = store
        .add(body(
            RecordKind::Case,
            json!({"code": "AA-2026-0001", "person_ids": [l.person], "interview_ids": [],
                   "visit_ids": [], "establishment_ids": [], "status": "intake",
                   "convictions": []}),
        ))
        .unwrap();
    let cases = store.cases_of(l.person).unwrap();
    let found: Vec<(&str, Uuid, &str)> = cases
        .iter()
        .map(|c| (c.code.as_str(), c.id, c.field.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("AA-2026-0001", other, "case.person_ids[0]"),
            ("PP-2026-0142", l.case, "case.person_ids[0]"),
        ]
    );
    assert_eq!(store.cases_of(l.visit).unwrap().len(), 1);
    assert!(store.cases_of(l.case).unwrap().is_empty());
    store.delete(other).unwrap();
    assert_eq!(store.cases_of(l.person).unwrap().len(), 1);
}
