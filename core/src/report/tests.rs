//! Reports over known inputs, with results worked out by hand.

use chrono::NaiveDate;
use serde_json::{json, Value};
use uuid::Uuid;

use super::*;
use crate::crypto::KdfParams;
use crate::model::{example, Record};
use crate::profile::{NewProfile, Profile};
use crate::secret::Passphrase;
use crate::store::Revision;

fn new_store(dir: &std::path::Path) -> Store {
    Profile::init(
        dir,
        &Passphrase::new("ទឹកភ្លៀង reports".into()),
        &NewProfile {
            device_name: "Office".into(),
            author: Some("OFF-01".into()),
            kdf: KdfParams::FOR_TESTS_ONLY,
            unencrypted_for_benchmarks: false,
        },
    )
    .unwrap()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// The example of `kind` with `changes` merged over it (a null removes a field).
fn body(kind: RecordKind, changes: Value) -> Value {
    let mut v = example(kind).to_value();
    for (k, x) in changes.as_object().unwrap() {
        if x.is_null() {
            v.as_object_mut().unwrap().remove(k);
        } else {
            v[k] = x.clone();
        }
    }
    v
}

fn add(store: &mut Store, kind: RecordKind, changes: Value) -> Uuid {
    store
        .add(Record::from_value(kind, body(kind, changes)).unwrap())
        .unwrap()
}

fn establishment(store: &mut Store, province: &str, city: &str) -> Uuid {
    add(
        store,
        RecordKind::Establishment,
        json!({"location": {"country": "KH", "province": province, "city": city}, "people": null}),
    )
}

fn counts(list: &[(&str, &str, u32)]) -> Value {
    Value::Array(
        list.iter()
            .map(|(band, sex, n)| json!({"age_band": band, "sex": sex, "count": n}))
            .collect(),
    )
}

fn visit(store: &mut Store, at: &str, establishment: Uuid, purpose: &str, c: Value) -> Uuid {
    add(
        store,
        RecordKind::Visit,
        json!({
            "started_at": at, "ended_at": null, "establishment_id": establishment,
            "purpose": purpose, "counts": c,
            "sampling": {"stratum": "PNH/karaoke/evening"},
        }),
    )
}

/// Phnom Penh (two establishments) and Siem Reap (one), visits in Q1 and Q2 2026:
/// Phnom Penh Q1: 15 and under 3, 16–17 5, adult 32, unknown 4 (judged 40, people 44),
/// 3 prevalence visits to 2 establishments; a monitoring visit that must not count.
/// Siem Reap Q2: 6 people, all of unknown age.
fn prevalence_store(dir: &std::path::Path) -> Store {
    let mut s = new_store(dir);
    let e1 = establishment(&mut s, "Phnom Penh", "ភ្នំពេញ");
    let e2 = establishment(&mut s, "Siem Reap", "Siem Reap");
    let e3 = establishment(&mut s, "Phnom Penh", "ភ្នំពេញ");
    let c1 = counts(&[
        ("under_16", "female", 2),
        ("age_16_17", "female", 1),
        ("adult", "female", 20),
        ("unknown", "female", 3),
    ]);
    visit(&mut s, "2026-01-10T13:00:00Z", e1, "prevalence_count", c1);
    let c2 = counts(&[
        ("under_16", "female", 1),
        ("age_16_17", "female", 4),
        ("adult", "female", 10),
        ("adult", "male", 2),
        ("unknown", "male", 1),
    ]);
    visit(&mut s, "2026-02-20T13:00:00Z", e3, "prevalence_count", c2);
    visit(
        &mut s,
        "2026-03-05T13:00:00Z",
        e1,
        "prevalence_count",
        json!([]),
    );
    let monitoring = counts(&[("under_16", "female", 9)]);
    visit(&mut s, "2026-03-06T13:00:00Z", e1, "monitoring", monitoring);
    let c5 = counts(&[("unknown", "female", 6)]);
    visit(&mut s, "2026-05-01T13:00:00Z", e2, "prevalence_count", c5);
    s
}

fn quarterly(min_cell: u32) -> ReportQuery {
    ReportQuery {
        by: Period::Quarter,
        min_cell,
        ..ReportQuery::default()
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.00005
}

fn assert_share(share: Option<Share>, expected: (f64, f64, f64)) {
    let s = share.expect("a share");
    assert!(
        close(s.share, expected.0) && close(s.low, expected.1) && close(s.high, expected.2),
        "{s:?} is not {expected:?}"
    );
}

#[test]
fn wilson_bounds_match_hand_computed_values() {
    // 3 of 40: p = 0.075, centre 0.112239, half-width 0.086403.
    assert_share(wilson(3, 40), (0.075, 0.0258, 0.1986));
    assert_share(wilson(5, 40), (0.125, 0.0546, 0.2611));
    assert_share(wilson(0, 40), (0.0, 0.0, 0.0876));
    assert_share(wilson(40, 40), (1.0, 0.9124, 1.0));
    assert_share(wilson(1, 2), (0.5, 0.0945, 0.9055));
    // 0 of 0: no share and no interval, never NaN.
    assert_eq!(wilson(0, 0), None);
    assert_eq!(wilson(5, 3), None);
}

#[test]
fn periods_are_labelled_and_spanned_in_order() {
    assert_eq!(Period::Month.label_of(day("2026-03-31")), "2026-03");
    assert_eq!(Period::Quarter.label_of(day("2026-04-01")), "2026-Q2");
    assert_eq!(Period::Year.label_of(day("2026-12-31")), "2026");
    let span: Vec<String> = Period::Quarter
        .span(day("2025-11-15"), day("2026-04-02"))
        .into_iter()
        .map(|k| Period::Quarter.label(k))
        .collect();
    assert_eq!(span, ["2025-Q4", "2026-Q1", "2026-Q2"]);
    assert_eq!("QUARTER".parse::<Period>().unwrap(), Period::Quarter);
    assert!("week".parse::<Period>().is_err());
    assert_eq!("city".parse::<PlaceLevel>().unwrap(), PlaceLevel::City);
}

#[test]
fn small_cells_and_the_one_that_would_give_them_away_are_withheld() {
    // people 44 = judged 40 + unknown 4; judged 40 = 3 + 5 + 32.
    let values = [44, 3, 5, 32, 4, 40];
    let hidden = suppress(&values, &[&[0, 5, 4], &[5, 1, 2, 3]], 11);
    // 3, 5 and 4 are small; unknown alone in people = judged + unknown would be worked back,
    // so judged (the smallest other) goes too.
    assert_eq!(hidden, [false, true, true, false, true, true]);
    // A single small part in a sum: the smallest other non-zero part is withheld with it.
    assert_eq!(
        suppress(&[30, 2, 0, 28], &[&[0, 1, 2, 3]], 11),
        [false, true, false, true]
    );
    // Zeros describe nobody and stay; a threshold of 1 withholds nothing.
    assert_eq!(suppress(&[0, 12], &[], 11), [false, false]);
    assert_eq!(suppress(&values, &[&[0, 5, 4]], 1), [false; 6]);
}

#[test]
fn prevalence_counts_shares_and_intervals_by_province_and_quarter() {
    let dir = tempfile::tempdir().unwrap();
    let store = prevalence_store(&dir.path().join("p"));
    let report = prevalence(&store, &quarterly(1)).unwrap();
    assert_eq!(report.weighting, prevalence::WEIGHTING);
    let keys: Vec<(&str, &str)> = report
        .rows
        .iter()
        .map(|r| (r.place.as_str(), r.period.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("Phnom Penh", "2026-Q1"),
            ("Phnom Penh", "2026-Q2"),
            ("Siem Reap", "2026-Q1"),
            ("Siem Reap", "2026-Q2"),
        ]
    );
    let pp = &report.rows[0];
    assert_eq!((pp.visits, pp.establishments_visited), (3, 2));
    assert_eq!(pp.people_observed, Some(44));
    assert_eq!(
        (
            pp.under_16,
            pp.age_16_17,
            pp.adult,
            pp.age_unknown,
            pp.age_judged
        ),
        (Some(3), Some(5), Some(32), Some(4), Some(40))
    );
    assert_share(pp.share_under_16, (0.075, 0.0258, 0.1986));
    assert_share(pp.share_16_17, (0.125, 0.0546, 0.2611));
    assert!(pp.suppressed.is_empty());

    // An empty period: zero counts and no interval.
    let empty = &report.rows[1];
    assert_eq!((empty.visits, empty.establishments_visited), (0, 0));
    assert_eq!(empty.people_observed, Some(0));
    assert_eq!((empty.share_under_16, empty.share_16_17), (None, None));

    // Everyone of unknown age: counted and shown, no share.
    let sr = &report.rows[3];
    assert_eq!((sr.people_observed, sr.age_unknown), (Some(6), Some(6)));
    assert_eq!(sr.age_judged, Some(0));
    assert_eq!(sr.share_under_16, None);
}

#[test]
fn prevalence_by_city_and_month_within_a_range() {
    let dir = tempfile::tempdir().unwrap();
    let store = prevalence_store(&dir.path().join("p"));
    let query = ReportQuery {
        from: Some(day("2026-02-01")),
        to: Some(day("2026-03-31")),
        by: Period::Month,
        place: PlaceLevel::City,
        min_cell: 1,
    };
    let report = prevalence(&store, &query).unwrap();
    let feb = report
        .rows
        .iter()
        .find(|r| r.place == "ភ្នំពេញ" && r.period == "2026-02")
        .unwrap();
    // 1 of 17 under 16, 4 of 17 aged 16–17; 1 unknown beside them.
    assert_eq!(
        (feb.under_16, feb.age_16_17, feb.age_unknown, feb.age_judged),
        (Some(1), Some(4), Some(1), Some(17))
    );
    assert_share(feb.share_under_16, (0.0588, 0.0105, 0.2698));
    assert_share(feb.share_16_17, (0.2353, 0.0956, 0.4726));
    let periods: Vec<&str> = report.rows.iter().map(|r| r.period.as_str()).collect();
    assert_eq!(periods, ["2026-02", "2026-03", "2026-02", "2026-03"]);
}

#[test]
fn a_report_over_an_empty_range_has_zero_counts_and_no_interval() {
    let dir = tempfile::tempdir().unwrap();
    let store = prevalence_store(&dir.path().join("p"));
    let query = ReportQuery {
        from: Some(day("2025-01-01")),
        to: Some(day("2025-12-31")),
        by: Period::Year,
        ..ReportQuery::default()
    };
    let report = prevalence(&store, &query).unwrap();
    assert_eq!(report.rows.len(), 2);
    for row in &report.rows {
        assert_eq!(row.people_observed, Some(0));
        assert_eq!((row.share_under_16, row.share_16_17), (None, None));
    }
    let csv = csv_text(|out| report.write_csv(out));
    assert!(!csv.contains("NaN") && !csv.contains("inf"), "{csv}");

    // A store with no visits at all: no rows, no error.
    let empty = new_store(&dir.path().join("empty"));
    assert!(prevalence(&empty, &ReportQuery::default())
        .unwrap()
        .rows
        .is_empty());
    let casework = casework(&empty, &ReportQuery::default()).unwrap();
    assert!(casework.periods.is_empty());
    assert!(casework
        .ilo_indicators
        .iter()
        .all(|r| r.people == Some(0) && r.share_of_people_interviewed.is_none()));
}

#[test]
fn prevalence_withholds_small_cells_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let store = prevalence_store(&dir.path().join("p"));
    let report = prevalence(&store, &quarterly(DEFAULT_MIN_CELL)).unwrap();
    let pp = &report.rows[0];
    assert_eq!((pp.people_observed, pp.adult), (Some(44), Some(32)));
    assert_eq!(
        (pp.under_16, pp.age_16_17, pp.age_unknown, pp.age_judged),
        (None, None, None, None)
    );
    assert_eq!((pp.share_under_16, pp.share_16_17), (None, None));
    assert_eq!(
        pp.suppressed,
        [
            "under_16",
            "age_16_17",
            "age_unknown",
            "age_judged",
            "share_under_16",
            "share_16_17"
        ]
    );
    let cells = &report.csv_rows()[0];
    assert_eq!(
        &cells[5..11],
        [
            "44",
            "suppressed",
            "suppressed",
            "32",
            "suppressed",
            "suppressed"
        ]
    );
    assert_eq!(&cells[11..14], ["suppressed", "suppressed", "suppressed"]);
    // Siem Reap Q2: 6 people, withheld; no share to withhold (nobody judged).
    let sr = &report.csv_rows()[3];
    assert_eq!(
        &sr[5..17],
        [
            "suppressed",
            "0",
            "0",
            "0",
            "suppressed",
            "0",
            "",
            "",
            "",
            "",
            "",
            ""
        ]
    );
}

fn data_exports(store: &Store) -> Vec<Value> {
    store
        .audit_entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "data_exported")
        .map(|e| e.detail)
        .collect()
}

#[test]
fn lowering_the_threshold_is_logged_and_the_default_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = prevalence_store(&dir.path().join("p"));
    prevalence(&store, &quarterly(DEFAULT_MIN_CELL)).unwrap();
    casework(&store, &quarterly(DEFAULT_MIN_CELL)).unwrap();
    assert!(data_exports(&store).is_empty());
    prevalence(&store, &quarterly(3)).unwrap();
    casework(&store, &quarterly(1)).unwrap();
    let logged = data_exports(&store);
    assert_eq!(logged.len(), 2);
    assert_eq!(logged[0]["report"], "prevalence");
    assert_eq!(logged[0]["min_cell"], 3);
    assert_eq!(logged[1]["report"], "casework");
    assert!(store.audit_verify().unwrap().is_intact());
}

fn csv_text(write: impl FnOnce(&mut dyn std::io::Write) -> Result<()>) -> String {
    let mut out = Vec::new();
    write(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn read_back(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn prevalence_csv_reads_back_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = prevalence_store(&dir.path().join("p"));
    let query = ReportQuery {
        place: PlaceLevel::City,
        ..quarterly(1)
    };
    let report = prevalence(&store, &query).unwrap();
    let text = csv_text(|out| report.write_csv(out));
    let (header, rows) = read_back(&text);
    assert_eq!(header, PrevalenceReport::CSV_HEADER);
    assert_eq!(rows, report.csv_rows());
    // Places sort by their text: Latin before Khmer.
    assert_eq!(rows[0][1], "Siem Reap");
    assert_eq!(
        rows[2],
        [
            "city",
            "ភ្នំពេញ",
            "2026-Q1",
            "3",
            "2",
            "44",
            "3",
            "5",
            "32",
            "4",
            "40",
            "0.0750",
            "0.0258",
            "0.1986",
            "0.1250",
            "0.0546",
            "0.2611",
            "unweighted"
        ]
    );
}

/// Persons P1 and P2 (survivors) and P3 (a witness); interviews in January and March 2026;
/// referrals made in January (completed in February) and March, one only planned; case C1
/// opened in January (2 arrests in February, 1 conviction in March), C2 opened in March.
fn casework_store(dir: &std::path::Path) -> Store {
    let mut s = new_store(dir);
    let adult = json!({"years": 24, "basis": "stated"});
    let p1 = add(
        &mut s,
        RecordKind::Person,
        json!({"role": "survivor", "age": adult}),
    );
    let p2 = add(
        &mut s,
        RecordKind::Person,
        json!({"role": "survivor", "age": adult}),
    );
    let p3 = add(
        &mut s,
        RecordKind::Person,
        json!({"role": "witness", "age": adult}),
    );
    let interview = |s: &mut Store, person: Uuid, at: &str, ilo: Value| {
        add(
            s,
            RecordKind::Interview,
            json!({
                "person_id": person, "started_at": at, "ended_at": null, "breaks": null,
                "establishments_named": null, "suspects_named": null, "ilo_indicators": ilo,
                "consent": {"interview": {"given": true, "explained_by": "SW-11", "language": "km"}},
            }),
        )
    };
    interview(
        &mut s,
        p1,
        "2026-01-15T02:00:00Z",
        json!(["deception", "debt_bondage"]),
    );
    interview(
        &mut s,
        p1,
        "2026-03-02T02:00:00Z",
        json!(["debt_bondage", "isolation"]),
    );
    interview(&mut s, p2, "2026-03-20T02:00:00Z", json!(["deception"]));
    interview(&mut s, p3, "2026-03-21T02:00:00Z", json!([]));
    let referral = |s: &mut Store, person: Uuid, made: &str, status: &str, done: Value| {
        add(
            s,
            RecordKind::Referral,
            json!({"person_id": person, "case_id": null, "made_on": made, "status": status, "completed_on": done}),
        )
    };
    referral(&mut s, p1, "2026-01-20", "completed", json!("2026-02-10"));
    referral(&mut s, p2, "2026-03-22", "made", Value::Null);
    referral(&mut s, p2, "2026-03-25", "planned", Value::Null);
    let no_links = json!({"person_ids": null, "interview_ids": null, "visit_ids": null, "establishment_ids": null});
    let mut c1 = no_links.clone();
    c1["code"] = json!("PP-2026-0001");
    c1["status"] = json!("verdict");
    c1["opened_on"] = json!("2026-01-05");
    c1["arrests"] = json!([{"date": "2026-02-01", "count": 2}]);
    c1["convictions"] = json!([{"date": "2026-03-30", "count": 1}]);
    add(&mut s, RecordKind::Case, c1);
    let mut c2 = no_links;
    c2["code"] = json!("PP-2026-0002");
    c2["status"] = json!("investigation");
    c2["opened_on"] = json!("2026-03-01");
    c2["arrests"] = Value::Null;
    add(&mut s, RecordKind::Case, c2);
    s
}

fn monthly(min_cell: u32) -> ReportQuery {
    ReportQuery {
        min_cell,
        ..ReportQuery::default()
    }
}

#[test]
fn casework_counts_by_month() {
    let dir = tempfile::tempdir().unwrap();
    let store = casework_store(&dir.path().join("p"));
    let report = casework(&store, &monthly(1)).unwrap();
    let months: Vec<&str> = report.periods.iter().map(|p| p.period.as_str()).collect();
    assert_eq!(months, ["2026-01", "2026-02", "2026-03"]);
    let figures = |p: &casework::CaseworkPeriod| {
        [
            p.interviews_held,
            p.people_interviewed,
            p.victims_identified,
            p.referrals_made,
            p.referrals_completed,
            p.cases_opened,
            p.arrests,
            p.convictions,
        ]
        .map(|v| v.unwrap())
    };
    assert_eq!(figures(&report.periods[0]), [1, 1, 1, 1, 0, 1, 0, 0]);
    assert_eq!(figures(&report.periods[1]), [0, 0, 0, 0, 1, 0, 2, 0]);
    // P1 interviewed again in March is not identified twice; P3 is a witness.
    assert_eq!(figures(&report.periods[2]), [3, 3, 1, 1, 0, 1, 0, 1]);
}

#[test]
fn casework_ilo_indicators_and_cases_by_status() {
    let dir = tempfile::tempdir().unwrap();
    let store = casework_store(&dir.path().join("p"));
    let report = casework(&store, &monthly(1)).unwrap();
    assert_eq!(report.people_interviewed, Some(3));
    let row = |i: IloIndicator| {
        report
            .ilo_indicators
            .iter()
            .find(|r| r.indicator == i)
            .unwrap()
            .clone()
    };
    use crate::model::{CaseStatus, IloIndicator};
    let deception = row(IloIndicator::Deception);
    assert_eq!((deception.people, deception.interviews), (Some(2), Some(2)));
    assert!(close(
        deception.share_of_people_interviewed.unwrap(),
        0.6667
    ));
    let debt = row(IloIndicator::DebtBondage);
    // Two interviews, one person.
    assert_eq!((debt.people, debt.interviews), (Some(1), Some(2)));
    assert!(close(debt.share_of_people_interviewed.unwrap(), 0.3333));
    assert_eq!(row(IloIndicator::ExcessiveOvertime).people, Some(0));
    assert_eq!(report.ilo_indicators.len(), 11);
    let status: Vec<(CaseStatus, Option<u64>)> = report
        .cases_by_status
        .iter()
        .map(|r| (r.status, r.cases))
        .collect();
    assert_eq!(status[1], (CaseStatus::Investigation, Some(1)));
    assert_eq!(status[4], (CaseStatus::Verdict, Some(1)));
    assert_eq!(status[0], (CaseStatus::Intake, Some(0)));

    // Only March: the January interview is outside, so P1 counts once, in March's people.
    let march = ReportQuery {
        from: Some(day("2026-03-01")),
        to: Some(day("2026-03-31")),
        ..monthly(1)
    };
    let report = casework(&store, &march).unwrap();
    assert_eq!(report.periods.len(), 1);
    assert_eq!(report.periods[0].victims_identified, Some(1));
    assert_eq!(report.people_interviewed, Some(3));
    let status: Vec<Option<u64>> = report.cases_by_status.iter().map(|r| r.cases).collect();
    assert_eq!(
        status,
        [Some(0), Some(1), Some(0), Some(0), Some(0), Some(0)]
    );
}

#[test]
fn casework_csv_reads_back_and_withholds_small_cells() {
    let dir = tempfile::tempdir().unwrap();
    let store = casework_store(&dir.path().join("p"));
    let report = casework(&store, &monthly(DEFAULT_MIN_CELL)).unwrap();
    let text = csv_text(|out| report.write_csv(out));
    let (header, rows) = read_back(&text);
    assert_eq!(header, CaseworkReport::CSV_HEADER);
    assert_eq!(rows, report.csv_rows());
    assert!(rows.contains(&vec![
        "by_period".to_string(),
        "2026-01".into(),
        "interviews_held".into(),
        "suppressed".into(),
        "".into(),
        "".into()
    ]));
    assert!(rows.contains(&vec![
        "by_period".to_string(),
        "2026-02".into(),
        "interviews_held".into(),
        "0".into(),
        "".into(),
        "".into()
    ]));
    assert!(rows.contains(&vec![
        "cases_by_status".to_string(),
        "all".into(),
        "verdict".into(),
        "suppressed".into(),
        "".into(),
        "cas_Status=FollowUp".into()
    ]));
    // No figure under 11 is left in the count column.
    for r in &rows {
        if let Ok(n) = r[3].parse::<u64>() {
            assert!(n == 0 || n >= 11, "{r:?}");
        }
    }
}

/// A revision of `record_id` written on another laptop on top of `parent`.
fn foreign(record_id: Uuid, parent: Uuid, kind: RecordKind, body: Value) -> Revision {
    let mut rev = Revision {
        id: Uuid::now_v7(),
        record_id,
        kind,
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
    rev
}

#[test]
fn a_record_in_conflict_counts_once_by_its_newest_head_and_deleted_records_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = new_store(&dir.path().join("p"));
    let e = establishment(&mut s, "Kampot", "Kampot");
    let c = counts(&[("adult", "female", 12)]);
    let v = visit(&mut s, "2026-01-10T13:00:00Z", e, "prevalence_count", c);
    let first = s.show(v, false).unwrap().heads[0];
    // Another laptop's edit, on the same parent: two heads. Ours is older.
    let mut theirs = s.show(v, false).unwrap().body.unwrap();
    theirs["counts"] = counts(&[("adult", "female", 12), ("under_16", "female", 1)]);
    let mine = Record::from_value(RecordKind::Visit, {
        let mut b = theirs.clone();
        b["counts"] = counts(&[("adult", "female", 30)]);
        b
    })
    .unwrap();
    s.edit(v, mine).unwrap();
    s.apply_foreign(&[foreign(v, first, RecordKind::Visit, theirs)])
        .unwrap();
    assert!(s.show(v, false).unwrap().in_conflict());
    let gone = visit(
        &mut s,
        "2026-01-11T13:00:00Z",
        e,
        "prevalence_count",
        counts(&[("adult", "male", 50)]),
    );
    s.delete(gone).unwrap();
    let report = prevalence(&s, &quarterly(1)).unwrap();
    assert_eq!(report.rows.len(), 1);
    let row = &report.rows[0];
    assert_eq!(row.visits, 1);
    assert_eq!((row.people_observed, row.under_16), (Some(13), Some(1)));
}

fn partner_store(dir: &std::path::Path) -> Store {
    let mut s = casework_store(dir);
    // A person with the example's identity section, and an interview whose consent was
    // withdrawn.
    let p = add(&mut s, RecordKind::Person, json!({"role": "survivor"}));
    add(
        &mut s,
        RecordKind::Interview,
        json!({
            "person_id": p, "establishments_named": null, "suspects_named": null,
            "consent": {"interview": {
                "given": true, "explained_by": "SW-11", "language": "km",
                "at": "2026-03-20T02:05:00Z",
                "withdrawn": {"at": "2026-04-01T09:00:00Z", "recorded_by": "SW-11"}
            }},
        }),
    );
    let e = establishment(&mut s, "Preah Sihanouk", "Sihanoukville");
    visit(
        &mut s,
        "2026-01-10T13:00:00Z",
        e,
        "prevalence_count",
        counts(&[("under_16", "female", 1), ("adult", "male", 4)]),
    );
    s
}

#[test]
fn partner_export_leaves_identities_out_unless_asked_and_logs_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = partner_store(&dir.path().join("p"));
    let export = partner_export(&store, RecordKind::Person, false).unwrap();
    assert_eq!(export.rows.len(), 4);
    assert_eq!(export.header, partner::columns(RecordKind::Person, false));
    let text = csv_text(|out| export.write_csv(out));
    for secret in ["សុខ ស្រីមុំ", "KC-0417-2231", "2008-09-12", "Sreymom", "+855"]
    {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(!export.header.contains(&"legal_name"));

    let with = partner_export(&store, RecordKind::Person, true).unwrap();
    let text = csv_text(|out| with.write_csv(out));
    assert!(text.contains("សុខ ស្រីមុំ") && text.contains("family_book:KC-0417-2231"));
    // Contacts and family never leave, even with identities.
    assert!(!text.contains("+855 12 000 417"), "{text}");

    let logged = data_exports(&store);
    assert_eq!(logged.len(), 2);
    assert_eq!(logged[0]["export"], "person");
    assert_eq!(logged[0]["include_identities"], false);
    assert_eq!(logged[1]["include_identities"], true);
    assert_eq!(logged[1]["rows"], 4);
}

#[test]
fn partner_export_of_interviews_keeps_codes_and_drops_words() {
    let dir = tempfile::tempdir().unwrap();
    let store = partner_store(&dir.path().join("p"));
    let export = partner_export(&store, RecordKind::Interview, false).unwrap();
    // Four interviews; the fifth's consent was withdrawn.
    assert_eq!((export.rows.len(), export.left_out), (4, 1));
    let text = csv_text(|out| export.write_csv(out));
    let narrative = example(RecordKind::Interview).to_value()["narrative"]
        .as_str()
        .unwrap()
        .to_string();
    let first_words: String = narrative.chars().take(12).collect();
    assert!(!text.contains(&first_words));
    let (header, rows) = read_back(&text);
    assert_eq!(header, partner::columns(RecordKind::Interview, false));
    assert_eq!(rows, export.rows);
    let ilo = header.iter().position(|h| h == "ilo_indicators").unwrap();
    assert_eq!(rows[0][ilo], "deception;debt_bondage");
}

#[test]
fn partner_export_of_visits_cases_and_referrals_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = partner_store(&dir.path().join("p"));
    for kind in [RecordKind::Visit, RecordKind::Case, RecordKind::Referral] {
        let export = partner_export(&store, kind, false).unwrap();
        let (header, rows) = read_back(&csv_text(|out| export.write_csv(out)));
        assert_eq!(header, partner::columns(kind, false));
        assert_eq!(rows, export.rows);
        assert!(!rows.is_empty());
    }
    let visits = partner_export(&store, RecordKind::Visit, false).unwrap();
    let col = |name: &str| visits.header.iter().position(|h| *h == name).unwrap();
    let row = &visits.rows[0];
    assert_eq!(row[col("city")], "Sihanoukville");
    assert_eq!(
        [
            &row[col("people_observed")],
            &row[col("under_16")],
            &row[col("male")]
        ],
        ["5", "1", "4"]
    );
    let cases = partner_export(&store, RecordKind::Case, false).unwrap();
    assert_eq!(cases.rows[0][3], "FollowUp");
    assert!(partner_export(&store, RecordKind::Attachment, false).is_err());
}

#[test]
fn every_column_is_documented() {
    let docs = include_str!("../../../docs/reports.md");
    let mut names: Vec<&str> = PrevalenceReport::CSV_HEADER.to_vec();
    names.extend(CaseworkReport::CSV_HEADER);
    for kind in partner::EXPORTABLE {
        names.extend(partner::columns(kind, true));
    }
    for name in names {
        assert!(
            docs.contains(&format!("`{name}`")),
            "{name} is not in docs/reports.md"
        );
    }
}

#[test]
fn a_cell_that_would_open_as_a_formula_is_written_as_text() {
    for (cell, written) in [
        (
            "=HYPERLINK(\"http://x\",\"y\")",
            "'=HYPERLINK(\"http://x\",\"y\")",
        ),
        ("@SUM(1)", "'@SUM(1)"),
        ("+1", "'+1"),
        ("-x", "'-x"),
        ("-1e3", "'-1e3"),
        ("-", "'-"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "'\r=1"),
        ("-3", "-3"),
        ("-0.25", "-0.25"),
        ("0.0750", "0.0750"),
        ("a=b", "a=b"),
        ("ផ្កាឈូក", "ផ្កាឈូក"),
        ("", ""),
    ] {
        assert_eq!(spreadsheet_safe(cell), written, "{cell:?}");
    }
}

#[test]
fn partner_and_report_csvs_neutralise_formulas_from_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = prevalence_store(&dir.path().join("p"));
    add(
        &mut store,
        RecordKind::Person,
        json!({"pseudonym": "=HYPERLINK(\"http://x\",\"y\")"}),
    );
    for (province, city) in [("@SUM(1)", "+1"), ("+1", "-x")] {
        let e = establishment(&mut store, province, city);
        visit(
            &mut store,
            "2026-02-10T13:00:00Z",
            e,
            "prevalence_count",
            counts(&[("adult", "female", 12)]),
        );
    }
    let people = partner_export(&store, RecordKind::Person, true).unwrap();
    let (header, rows) = read_back(&csv_text(|out| people.write_csv(out)));
    let pseudonym = header.iter().position(|h| h == "pseudonym").unwrap();
    assert!(
        rows.iter()
            .any(|r| r[pseudonym] == "'=HYPERLINK(\"http://x\",\"y\")"),
        "{rows:?}"
    );

    let visits = partner_export(&store, RecordKind::Visit, false).unwrap();
    let (header, rows) = read_back(&csv_text(|out| visits.write_csv(out)));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let places: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[col("province")].as_str(), r[col("city")].as_str()))
        .collect();
    assert!(places.contains(&("'@SUM(1)", "'+1")), "{places:?}");
    assert!(places.contains(&("'+1", "'-x")), "{places:?}");

    let report = prevalence(&store, &quarterly(1)).unwrap();
    let (_, rows) = read_back(&csv_text(|out| report.write_csv(out)));
    let provinces: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert!(provinces.contains(&"'@SUM(1)") && provinces.contains(&"'+1"));
    assert!(!provinces.iter().any(|p| p.starts_with(['@', '+', '='])));
}
