//! `fieldcase report` and `fieldcase partner-export` as a person uses them: real processes on
//! real profile folders.
// Helpers outside #[test] functions unwrap too; clippy's allow-unwrap-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;

use serde_json::{json, Value};

mod common;
use common::{text, Profile};

const PASS: &str = "ផ្កាឈូក lotus at dawn 7";

struct Office(Profile);

impl std::ops::Deref for Office {
    type Target = Profile;
    fn deref(&self) -> &Profile {
        &self.0
    }
}

impl Office {
    fn new() -> Office {
        Office(Profile::init(PASS, &["--device-name", "Office"]))
    }
    fn add(&self, kind: &str, body: &Value) -> String {
        let out = self.run_stdin(&["--json", "add", kind, "--file", "-"], &body.to_string());
        assert!(out.status.success(), "add {kind}: {}", text(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["id"].as_str().unwrap().to_string()
    }
    fn example(&self, kind: &str) -> Value {
        serde_json::from_str(&self.ok(&["example", kind])).unwrap()
    }
    fn data_exports(&self) -> Vec<Value> {
        let log: Value = serde_json::from_str(&self.ok(&["--json", "audit", "log"])).unwrap();
        log.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "data_exported")
            .map(|e| e["detail"].clone())
            .collect()
    }
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

/// One establishment in Sihanoukville (Preah Sihanouk); two prevalence visits in Q1 2026:
/// 15 and under 3, 16–17 5, adult 32, unknown 4 (3 of 40 judged are 15 and under).
fn office_with_visits() -> Office {
    let o = Office::new();
    let mut place = o.example("establishment");
    place.as_object_mut().unwrap().remove("people");
    let e = o.add("establishment", &place);
    for (at, c) in [
        ("2026-01-10T13:00:00Z", [2, 1, 20, 3]),
        ("2026-03-02T13:00:00Z", [1, 4, 12, 1]),
    ] {
        let mut v = o.example("visit");
        v["establishment_id"] = json!(e);
        v["started_at"] = json!(at);
        v["sampling"] = json!({"stratum": "KPS/karaoke/evening"});
        v.as_object_mut().unwrap().remove("ended_at");
        v["counts"] = json!([
            {"age_band": "under_16", "sex": "female", "count": c[0]},
            {"age_band": "age_16_17", "sex": "female", "count": c[1]},
            {"age_band": "adult", "sex": "female", "count": c[2]},
            {"age_band": "unknown", "sex": "female", "count": c[3]},
        ]);
        o.add("visit", &v);
    }
    o
}

#[test]
fn prevalence_csv_gives_shares_and_wilson_bounds() {
    let o = office_with_visits();
    let out = o.ok(&[
        "report",
        "prevalence",
        "--by",
        "quarter",
        "--place",
        "city",
        "--format",
        "csv",
        "--min-cell",
        "1",
    ]);
    let rows = csv_rows(&out);
    assert_eq!(rows[0][0], "place_level");
    assert_eq!(
        rows[1],
        [
            "city",
            "Sihanoukville",
            "2026-Q1",
            "2",
            "1",
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
    assert_eq!(rows.len(), 2);
    // Lowering the threshold is logged.
    let logged = o.data_exports();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["min_cell"], 1);
}

#[test]
fn prevalence_json_by_default_withholds_small_cells_and_says_it_is_unweighted() {
    let o = office_with_visits();
    let out = o.ok(&["report", "prevalence", "--by", "year"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(report["weighting"]
        .as_str()
        .unwrap()
        .starts_with("unweighted"));
    assert_eq!(report["query"]["min_cell"], 11);
    let row = &report["rows"][0];
    assert_eq!(
        (row["place"].as_str(), row["period"].as_str()),
        (Some("Preah Sihanouk"), Some("2026"))
    );
    assert_eq!(row["people_observed"], 44);
    assert_eq!(row["under_16"], Value::Null);
    assert_eq!(row["share_under_16"], Value::Null);
    assert!(row["suppressed"]
        .as_array()
        .unwrap()
        .contains(&json!("share_under_16")));
    // The default threshold is not logged: reports are read-only.
    assert!(o.data_exports().is_empty());

    // An empty range: zero counts, no interval, no NaN.
    let out = o.ok(&[
        "report",
        "prevalence",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--by",
        "year",
        "--format",
        "csv",
    ]);
    assert!(!out.contains("NaN"));
    let rows = csv_rows(&out);
    assert_eq!(&rows[1][3..7], ["0", "0", "0", "0"]);
    assert_eq!(&rows[1][11..17], ["", "", "", "", "", ""]);
}

#[test]
fn casework_csv_and_its_usage_errors() {
    let o = office_with_visits();
    let mut person = o.example("person");
    person["age"] = json!({"years": 30, "basis": "stated"});
    let p = o.add("person", &person);
    let mut interview = o.example("interview");
    interview["person_id"] = json!(p);
    for k in ["establishments_named", "suspects_named"] {
        interview.as_object_mut().unwrap().remove(k);
    }
    o.add("interview", &interview);
    let out = o.ok(&["report", "casework", "--format", "csv", "--min-cell", "1"]);
    let rows = csv_rows(&out);
    assert_eq!(
        rows[0],
        ["section", "period", "measure", "count", "share", "htcds"]
    );
    let find = |section: &str, measure: &str| {
        rows.iter()
            .find(|r| r[0] == section && r[2] == measure)
            .unwrap_or_else(|| panic!("{section} {measure} in {out}"))
            .clone()
    };
    assert_eq!(find("by_period", "interviews_held")[3], "1");
    assert_eq!(find("by_period", "victims_identified")[3], "1");
    assert_eq!(find("ilo_indicators", "people_interviewed")[3], "1");

    // --place belongs to prevalence; an unknown period and a range backwards are refused.
    let out = o.run(&["report", "casework", "--place", "city"]);
    assert_eq!(out.status.code(), Some(2));
    let out = o.run(&["report", "prevalence", "--by", "week"]);
    assert_eq!(out.status.code(), Some(2));
    let out = o.run(&[
        "report",
        "casework",
        "--from",
        "2026-05-01",
        "--to",
        "2026-04-01",
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
}

#[test]
fn partner_export_leaves_identities_out_unless_asked_and_logs_both() {
    let o = Office::new();
    o.add("person", &o.example("person"));
    let plain = o.path("persons.csv");
    let said = o.ok(&["partner-export", "person", "--out", plain.to_str().unwrap()]);
    assert!(said.contains("identities left out"), "{said}");
    let csv = std::fs::read_to_string(&plain).unwrap();
    assert!(csv.starts_with("id,role,sex,nationality,languages,age_years,age_basis,minor\n"));
    assert!(
        !csv.contains("សុខ ស្រីមុំ") && !csv.contains("KC-0417-2231"),
        "{csv}"
    );

    let with = o.path("persons-identified.csv");
    o.ok(&[
        "partner-export",
        "person",
        "--out",
        with.to_str().unwrap(),
        "--include-identities",
    ]);
    let csv = std::fs::read_to_string(&with).unwrap();
    assert!(csv.contains("សុខ ស្រីមុំ") && csv.contains("legal_name"));

    let logged = o.data_exports();
    assert_eq!(logged.len(), 2);
    assert_eq!(logged[0]["include_identities"], false);
    assert_eq!(logged[1]["include_identities"], true);

    // An existing file is never overwritten; an attachment is not exportable.
    let out = o.run(&["partner-export", "person", "--out", plain.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    let out = o.run(&[
        "partner-export",
        "attachment",
        "--out",
        o.path("a.csv").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(o.data_exports().len(), 2);
}

#[test]
fn a_wrong_passphrase_gets_no_report() {
    let o = office_with_visits();
    let out = o
        .cmd(&["report", "prevalence"])
        .env("FIELDCASE_PASSPHRASE", "not it")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
}
