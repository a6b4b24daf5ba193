use chrono::TimeZone;
use serde_json::{json, Value};

use super::*;
use crate::model::{example, CaseStatus, Record, RecordKind};
use crate::store::tests::temp_store;

fn record(kind: RecordKind, changes: Value) -> Record {
    let mut v = example(kind).to_value();
    if let (Value::Object(map), Value::Object(changes)) = (&mut v, changes) {
        for (k, c) in changes {
            map.insert(k, c);
        }
    }
    Record::from_value(kind, v).unwrap()
}

/// The example person (pseudonym ផ្កាឈូក, legal name សុខ ស្រីមុំ) in a case with `notes`.
fn case_with_person(store: &mut Store, notes: &str) -> (Uuid, Uuid) {
    let person = store.add(example(RecordKind::Person)).unwrap();
    let case = store
        .add(record(
            RecordKind::Case,
            json!({"person_ids": [person], "interview_ids": [], "visit_ids": [],
                   "establishment_ids": [], "notes": notes}),
        ))
        .unwrap();
    (person, case)
}

fn pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
}

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 30, 0).unwrap()
}

#[test]
fn a_summary_without_identities_is_a_pdf_and_is_logged_as_case_summary() {
    let (_dir, mut store) = temp_store("Office");
    let (_, case) = case_with_person(&mut store, "ស្ត្រីម្នាក់ត្រូវបានគេបញ្ឆោត");
    let pdf = store.case_summary_pdf(case, false, at()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(pages(&pdf), 1);
    let last = store.audit_entries().unwrap().pop().unwrap();
    assert_eq!(last.action, "case_summary");
    assert_eq!(last.record_id, Some(case.to_string()));
    assert_eq!(last.detail, json!({"case": "PP-2026-0142"}));
    assert_eq!(last.at, "2026-12-01T09:30:00.000000Z");
    assert!(store.audit_verify().unwrap().is_intact());
}

#[test]
fn a_summary_with_identities_is_logged_naming_the_persons_never_their_identity() {
    let (_dir, mut store) = temp_store("Office");
    let (person, case) = case_with_person(&mut store, "");
    let without = store.case_summary_pdf(case, false, at()).unwrap();
    let with = store.case_summary_pdf(case, true, at()).unwrap();
    assert!(with.len() > without.len(), "the identity fields add text");
    let last = store.audit_entries().unwrap().pop().unwrap();
    assert_eq!(last.action, "case_summary_identities");
    assert_eq!(
        last.detail,
        json!({"case": "PP-2026-0142", "identities_of": [person]})
    );
    let log = serde_json::to_string(&store.audit_entries().unwrap()).unwrap();
    for secret in ["សុខ ស្រីមុំ", "Sreymom", "KC-0417-2231"] {
        assert!(!log.contains(secret));
    }
}

#[test]
fn a_failed_summary_logs_nothing() {
    let (_dir, mut store) = temp_store("Office");
    let (person, _) = case_with_person(&mut store, "");
    let before = store.audit_entries().unwrap().len();
    assert!(matches!(
        store.case_summary_pdf(person, true, at()),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        store.case_summary_pdf(Uuid::now_v7(), false, at()),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(store.audit_entries().unwrap().len(), before);
}

#[test]
fn long_notes_break_onto_more_pages() {
    let (_dir, mut store) = temp_store("Office");
    let notes = "ស្ត្រីម្នាក់ត្រូវបានគេបញ្ឆោតឱ្យធ្វើការនៅកោះកុង។ She was promised work in a \
                 restaurant and taken to a compound instead.\n"
        .repeat(60);
    let (_, case) = case_with_person(&mut store, &notes);
    let pdf = store.case_summary_pdf(case, false, at()).unwrap();
    assert!(pages(&pdf) >= 3, "{} pages", pages(&pdf));
}

#[test]
fn an_empty_case_with_missing_links_still_prints() {
    let view = CaseView {
        id: Uuid::now_v7(),
        code: "KK-2026-0001".into(),
        title: String::new(),
        status: CaseStatus::Intake,
        opened_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        arrests: Vec::new(),
        convictions: Vec::new(),
        total_arrested: 0,
        total_convicted: 0,
        notes: String::new(),
        in_conflict: true,
        updated_at: "2026-01-05T10:00:00Z".into(),
        entries: vec![CaseEntry {
            kind: RecordKind::Person,
            id: Uuid::now_v7(),
            state: EntryState::Missing,
            date: None,
            time: None,
            dated_by: None,
            title: "person not in this store (not imported yet?)".into(),
            detail: None,
            in_conflict: false,
            consent_withdrawn: Vec::new(),
        }],
    };
    let printed = Printed {
        at: at(),
        by: "OFF-01".into(),
        device: "Office".into(),
    };
    let pdf = case_summary(&view, None, &printed).unwrap();
    assert_eq!(pages(&pdf), 1);
}

#[test]
fn entry_titles_are_worded_in_the_summary_language() {
    let (_dir, mut store) = temp_store("Office");
    let (_, case) = case_with_person(&mut store, "");
    let view = store.case_view(case).unwrap();
    let person = &view.entries[0];
    assert_eq!(
        entry_title(person, SummaryLanguage::English),
        "Person · ផ្កាឈូក · survivor"
    );
    assert_eq!(
        entry_title(person, SummaryLanguage::Khmer),
        "បុគ្គល · ផ្កាឈូក · ជនរងគ្រោះ"
    );
    let mut gone = person.clone();
    gone.state = EntryState::Missing;
    assert!(entry_title(&gone, SummaryLanguage::English).starts_with("Person: not in this store"));
    assert!(entry_title(&gone, SummaryLanguage::Khmer).starts_with("បុគ្គល៖"));
}

#[test]
fn a_summary_in_khmer_is_made_and_logged_like_one_in_english() {
    let (_dir, mut store) = temp_store("Office");
    let (_, case) = case_with_person(&mut store, "កំណត់ចំណាំ");
    let pdf = store
        .case_summary_pdf_in(case, false, at(), SummaryLanguage::Khmer)
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let last = store.audit_entries().unwrap().pop().unwrap();
    assert_eq!(last.action, "case_summary");
    assert_eq!(
        "km".parse::<SummaryLanguage>().unwrap(),
        SummaryLanguage::Khmer
    );
    assert!("fr".parse::<SummaryLanguage>().is_err());
}
