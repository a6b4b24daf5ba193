//! `fieldcase case show` and `fieldcase case summary`: a case with Khmer records, its view in
//! time order, and its PDF read back with poppler's `pdftotext` (as anyone receiving the
//! file would read it): identities withheld unless asked for, and both logged.
// Helpers outside #[test] functions unwrap too; clippy's allow-unwrap-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::{code, json, text, Profile};
use serde_json::Value;

const PASS: &str = "ពាក្យសម្ងាត់ case summary test";
const LEGAL_NAME: &str = "Chan Dara Legalname";
const NOTE: &str = "ស្ត្រីម្នាក់ត្រូវបានគេបញ្ឆោតឱ្យធ្វើការនៅកោះកុង។";

fn with(p: &Profile, kind: &str, changes: Value) -> String {
    let mut body: Value = json(&p.example(kind));
    for (k, v) in changes.as_object().unwrap() {
        body[k] = v.clone();
    }
    p.add(kind, &body.to_string())
}

struct Case {
    p: Profile,
    person: String,
    establishment: String,
    visit: String,
    interview: String,
    case: String,
}

fn case() -> Case {
    let p = Profile::init(PASS, &["--device-name", "Office", "--author", "OFF-01"]);
    let person = with(
        &p,
        "person",
        serde_json::json!({"pseudonym": "ផ្កាឈូក", "identity": {
            "legal_name": LEGAL_NAME, "other_names": [], "birth_date": "2008-09-12"}}),
    );
    let establishment = p.add("establishment", &p.example("establishment"));
    let visit = with(
        &p,
        "visit",
        serde_json::json!({"establishment_id": establishment,
            "started_at": "2026-03-10T21:30:00Z", "ended_at": "2026-03-10T23:00:00Z"}),
    );
    let interview = with(
        &p,
        "interview",
        serde_json::json!({"person_id": person, "started_at": "2026-03-20T02:15:00Z",
            "ended_at": "2026-03-20T04:00:00Z", "establishments_named": [],
            "suspects_named": []}),
    );
    let case = with(
        &p,
        "case",
        serde_json::json!({"person_ids": [person], "interview_ids": [interview],
            "visit_ids": [visit], "establishment_ids": [establishment], "notes": NOTE}),
    );
    Case {
        p,
        person,
        establishment,
        visit,
        interview,
        case,
    }
}

/// `pdftotext` of a PDF, with whitespace removed: poppler sometimes puts a space inside a
/// Khmer word (after a cluster ending in a subscript), which changes no character.
fn pdf_text(path: &std::path::Path) -> (String, String) {
    let out = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, installed by scripts/setup) must be on PATH");
    assert!(out.status.success(), "pdftotext: {}", text(&out.stderr));
    let plain = text(&out.stdout);
    let squeezed = plain.chars().filter(|c| !c.is_whitespace()).collect();
    (plain, squeezed)
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn last_audit(p: &Profile) -> Value {
    p.json(&["audit", "log"])
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone()
}

#[test]
fn case_show_lists_everything_linked_in_time_order() {
    let c = case();
    let view = c.p.json(&["case", "show", &c.case]);
    assert_eq!(view["code"], "PP-2026-0142");
    let order: Vec<(&str, &str)> = view["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        order,
        vec![
            ("visit", c.visit.as_str()),
            ("interview", c.interview.as_str()),
            ("person", c.person.as_str()),
            ("establishment", c.establishment.as_str()),
        ]
    );
    assert_eq!(view["entries"][1]["time"], "02:15");
    assert!(!view.to_string().contains(LEGAL_NAME));
    // The table says the same, Khmer included.
    let table = c.p.ok(&["case", "show", &c.case]);
    assert!(table.contains("ផ្កាឈូក · survivor"), "{table}");
    assert!(table.find("visit").unwrap() < table.find("interview").unwrap());
    assert!(!table.contains(LEGAL_NAME));
}

#[test]
fn case_show_refuses_what_is_not_a_case() {
    let c = case();
    assert_eq!(code(&c.p.run(&["case", "show", &c.person])), 4);
    assert_eq!(code(&c.p.run(&["case", "show", "not-an-id"])), 4);
    let unknown = "01a23000-0000-7000-8000-000000000000";
    assert_eq!(code(&c.p.run(&["case", "show", unknown])), 5);
    let out = c.p.path("x.pdf");
    let out = out.to_str().unwrap();
    assert_eq!(
        code(&c.p.run(&["case", "summary", unknown, "--out", out])),
        5
    );
    assert!(!c.p.path("x.pdf").exists(), "nothing written for a failure");
}

#[test]
fn case_summary_withholds_identities_unless_asked_and_logs_both() {
    let c = case();
    let out = c.p.path("summary.pdf");
    let out_arg = out.to_str().unwrap();
    c.p.ok(&["case", "summary", &c.case, "--out", out_arg]);
    let (plain, squeezed) = pdf_text(&out);
    assert!(squeezed.contains("ផ្កាឈូក"), "{plain}");
    assert!(squeezed.contains(&squeeze(NOTE)), "{plain}");
    assert!(plain.contains("PP-2026-0142"));
    assert!(plain.contains("withheld"));
    assert!(!squeezed.contains(&squeeze(LEGAL_NAME)), "{plain}");
    assert!(!plain.contains("2008-09-12"));
    let entry = last_audit(&c.p);
    assert_eq!(entry["action"], "case_summary");
    assert_eq!(entry["record_id"], c.case.as_str());
    assert_eq!(entry["detail"]["case"], "PP-2026-0142");
    // Owner-only, like every file Fieldcase writes out.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // An existing file is never overwritten without --force.
    let again = c.p.run(&["case", "summary", &c.case, "--out", out_arg]);
    assert_eq!(code(&again), 4, "{}", text(&again.stderr));
    assert!(text(&again.stderr).contains("--force"));

    c.p.ok(&[
        "case",
        "summary",
        &c.case,
        "--out",
        out_arg,
        "--include-identities",
        "--force",
    ]);
    let (plain, squeezed) = pdf_text(&out);
    assert!(plain.contains(LEGAL_NAME), "{plain}");
    assert!(plain.contains("2008-09-12"));
    assert!(squeezed.contains("ផ្កាឈូក"));
    let entry = last_audit(&c.p);
    assert_eq!(entry["action"], "case_summary_identities");
    assert_eq!(entry["detail"]["case"], "PP-2026-0142");
    assert_eq!(entry["detail"]["identities_of"][0], c.person.as_str());
    assert!(!entry.to_string().contains(LEGAL_NAME));

    // The PDF went only where it was asked to: no temporary file was left anywhere.
    let left: Vec<_> = std::fs::read_dir(c.p.tmp()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn case_summary_help_says_it_is_not_encrypted_and_asking_for_identities_is_logged() {
    let p = Profile::init(PASS, &[]);
    let help = p.ok(&["case", "summary", "--help"]);
    assert!(help.contains("NOT encrypted"), "{help}");
    assert!(help.contains("withheld"));
    assert!(help.contains("audit"));
    assert!(help.contains("--force"));
}

#[test]
fn case_summary_in_khmer_words_its_labels_in_khmer() {
    let c = case();
    let out = c.p.path("km.pdf");
    let out_arg = out.to_str().unwrap();
    c.p.ok(&[
        "case",
        "summary",
        &c.case,
        "--out",
        out_arg,
        "--language",
        "km",
    ]);
    let (plain, squeezed) = pdf_text(&out);
    assert!(squeezed.contains("បានលាក់"), "withheld, in Khmer: {plain}");
    assert!(squeezed.contains("ជនរងគ្រោះ"), "survivor, in Khmer: {plain}");
    assert!(squeezed.contains("ផ្កាឈូក"));
    assert!(!squeezed.contains(&squeeze(LEGAL_NAME)));
    assert_eq!(last_audit(&c.p)["action"], "case_summary");
    let bad = c.p.run(&[
        "case",
        "summary",
        &c.case,
        "--out",
        "x.pdf",
        "--language",
        "fr",
    ]);
    assert_eq!(code(&bad), 2);
}
