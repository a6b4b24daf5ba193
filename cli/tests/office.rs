//! The office's views through the real `fieldcase` binary: each device's bundles by sequence
//! with gaps and receipts (`devices`), records in conflict made through real bundles
//! (`conflicts`, `conflicts show`) and their resolution (`resolve`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use serde_json::{json, Value};

mod common;
use common::{text, Profile};

const PASS: &str = "ព្រះអាទិត្យរះ sunrise over Tonle Sap 3";

struct Prof(Profile);

impl std::ops::Deref for Prof {
    type Target = Profile;
    fn deref(&self) -> &Profile {
        &self.0
    }
}

impl Prof {
    fn new(name: &str, author: &str) -> Prof {
        Prof(Profile::init(
            PASS,
            &["--device-name", name, "--author", author],
        ))
    }
    fn p(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }
    /// Fails with `code`; returns stderr.
    fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "fieldcase {args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stderr)
    }
    fn add(&self, kind: &str, body: &Value) -> String {
        let out = self.run_stdin(&["add", kind, "--file", "-"], &body.to_string());
        assert!(out.status.success(), "add {kind}: {}", text(&out.stderr));
        text(&out.stdout).trim().to_string()
    }
    /// Edits a record: its shown body with `changes` merged over it (null removes a field).
    fn edit(&self, id: &str, changes: Value) {
        let mut body = self.json(&["show", id])["body"].clone();
        merge(&mut body, &changes);
        let out = self.run_stdin(&["edit", id, "--file", "-"], &body.to_string());
        assert!(out.status.success(), "edit: {}", text(&out.stderr));
    }
    fn audit_actions(&self) -> Vec<String> {
        self.json(&["audit", "log"])
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect()
    }
}

fn merge(body: &mut Value, changes: &Value) {
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            body.as_object_mut().unwrap().remove(k);
        } else {
            body[k] = v.clone();
        }
    }
}

/// A field laptop and an office that trust each other.
struct World {
    field: Prof,
    office: Prof,
    field_key: String,
}

impl World {
    fn new() -> World {
        let field = Prof::new("Field laptop 3", "INV-05");
        let office = Prof::new("Phnom Penh office", "OFF-01");
        let recipient = office.json(&["office", "init"])["recipient"]
            .as_str()
            .unwrap()
            .to_string();
        field.ok(&["office", "add-recipient", &recipient]);
        let field_key = field.json(&["keys", "show"])["public_key"]
            .as_str()
            .unwrap()
            .to_string();
        office.ok(&[
            "trust",
            "add",
            &field_key,
            "--name",
            "ឡានចុះវាល ៣ Battambang",
        ]);
        World {
            field,
            office,
            field_key,
        }
    }

    fn export(&self, name: &str) -> String {
        let out = self.field.p(name);
        self.field.ok(&["export", "--out", &out]);
        out
    }

    fn person(&self, changes: Value) -> String {
        let mut body: Value = serde_json::from_str(&self.field.ok(&["example", "person"])).unwrap();
        merge(&mut body, &changes);
        self.field.add("person", &body)
    }
}

// ---------------------------------------------------------------------------------------
// Devices.

#[test]
fn devices_show_each_laptops_bundles_by_sequence_with_the_gap_and_the_receipts() {
    let w = World::new();
    let quiet = Prof::new("Field laptop 7", "INV-07");
    let quiet_key = quiet.json(&["keys", "show"])["public_key"]
        .as_str()
        .unwrap()
        .to_string();
    w.office.ok(&[
        "trust",
        "add",
        &quiet_key,
        "--name",
        "Field laptop 7 (Siem Reap)",
    ]);

    let mut bundles = Vec::new();
    for i in 1..=4 {
        w.person(json!({"pseudonym": format!("ស្រី {i}")}));
        bundles.push(w.export(&format!("{i}.fcb")));
    }
    let mut ids = Vec::new();
    for i in [0, 1] {
        let s = w.office.json(&["import", &bundles[i]]);
        ids.push(s["bundle_id"].as_str().unwrap().to_string());
    }
    // Khmer names print as written, not escaped.
    let verified = w.office.ok(&["verify", &bundles[3]]);
    assert!(
        verified.contains("trusted as \"ឡានចុះវាល ៣ Battambang\""),
        "{verified}"
    );
    let imported = w.office.ok(&["import", &bundles[3]]);
    assert!(
        imported.contains("signed by \"ឡានចុះវាល ៣ Battambang\""),
        "{imported}"
    );
    ids.push(
        w.office.json(&["devices"])["devices"][0]["timeline"][3]["bundle_id"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    w.office
        .ok(&["receipt", &ids[0], "--out", &w.office.p("receipt-1.json")]);

    let all = w.office.json(&["devices"]);
    let devices = all["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 2);
    let d = &devices[0];
    assert_eq!(d["name"], "ឡានចុះវាល ៣ Battambang");
    assert_eq!(d["public_key"], w.field_key.as_str());
    assert_eq!(d["device_name"], "Field laptop 3");
    assert_eq!(d["revoked"], false);
    assert_eq!(d["revoked_at"], Value::Null);
    assert_eq!(d["bundles_received"], 3);
    assert_eq!(d["newest_sequence"], 4);
    assert_eq!(d["missing"], json!([3]));
    assert_eq!(d["without_receipt"], json!([2, 4]));
    assert_eq!(d["receipts_written"], 1);
    let timeline = d["timeline"].as_array().unwrap();
    let shape: Vec<(u64, &str)> = timeline
        .iter()
        .map(|e| {
            (
                e["sequence"].as_u64().unwrap(),
                e["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            (1, "received"),
            (2, "received"),
            (3, "missing"),
            (4, "received")
        ]
    );
    assert_eq!(timeline[0]["bundle_id"], ids[0].as_str());
    assert_eq!(timeline[0]["revisions"], 1);
    assert_eq!(timeline[0]["receipts"].as_array().unwrap().len(), 1);
    assert_eq!(timeline[0]["receipts"][0]["from_audit"], false);
    assert_eq!(
        timeline[0]["receipts"][0]["receipt_sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert_eq!(timeline[1]["previous_matches"], true);
    assert_eq!(timeline[2].get("bundle_id"), None, "{}", timeline[2]);
    assert_eq!(timeline[3]["previous_matches"], Value::Null);
    assert_eq!(d["last_seen"], timeline[3]["imported_at"]);
    assert_eq!(devices[1]["name"], "Field laptop 7 (Siem Reap)");
    assert_eq!(devices[1]["timeline"], json!([]));
    assert_eq!(devices[1]["last_seen"], Value::Null);

    let plain = w.office.ok(&["devices"]);
    assert!(plain.contains("missing: 3"), "{plain}");
    assert!(plain.contains("    3  MISSING"), "{plain}");
    assert!(
        plain.contains("no receipt written yet for: 2, 4"),
        "{plain}"
    );
    assert!(plain.contains("calls itself \"Field laptop 3\""), "{plain}");
    assert!(plain.contains("nothing received yet"), "{plain}");

    // A revoked laptop still shows what it sent, marked.
    w.office.ok(&["trust", "revoke", &w.field_key]);
    let d = &w.office.json(&["devices"])["devices"][0];
    assert_eq!(d["revoked"], true);
    assert!(d["revoked_at"].is_string());
    assert_eq!(d["bundles_received"], 3);
    assert!(w.office.ok(&["devices"]).contains("REVOKED"));
}

#[test]
fn devices_on_a_profile_that_trusts_nobody_says_so() {
    let lone = Prof::new("Office 2", "OFF-02");
    assert_eq!(lone.json(&["devices"]), json!({"devices": []}));
    assert!(lone.ok(&["devices"]).contains("No trusted devices"));
}

// ---------------------------------------------------------------------------------------
// Conflicts.

/// A person sent in bundle 1, then edited at the office and on the laptop; bundle 2 brings
/// the laptop's edit: a conflict. Returns the world and the person's id.
fn conflict_through_bundles() -> (World, String) {
    let w = World::new();
    let person = w.person(json!({"pseudonym": "ផ្កាឈូក", "case_code": "PP-2026-0142-S1"}));
    let one = w.export("1.fcb");
    let s1 = w.office.json(&["import", &one]);
    assert_eq!(s1["conflicts"], json!([]));
    w.office.edit(
        &person,
        json!({"pseudonym": "ផ្កាឈូក (ការិយាល័យ)", "nationality": "VN"}),
    );
    w.field.edit(
        &person,
        json!({"pseudonym": "ផ្កាឈូក (វាល)", "languages": ["km", "th"]}),
    );
    let two = w.export("2.fcb");
    let s2 = w.office.ok(&["import", &two]);
    assert!(
        s2.contains(&format!("Conflict: record {person} now has two or more versions; compare them with `fieldcase conflicts show {person}`")),
        "{s2}"
    );
    (w, person)
}

#[test]
fn a_conflict_from_bundles_is_listed_and_shown_field_by_field() {
    let (w, person) = conflict_through_bundles();
    let list = w.office.json(&["conflicts"]);
    assert_eq!(list, w.office.json(&["conflicts", "list"]));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], person.as_str());
    assert_eq!(list[0]["kind"], "person");
    let heads = list[0]["heads"].as_array().unwrap();
    assert_eq!(heads.len(), 2);
    // Newest first: the laptop's edit was made after the office's.
    assert_eq!(heads[0]["author"], "INV-05");
    assert_eq!(heads[0]["device_name"], "ឡានចុះវាល ៣ Battambang");
    assert_eq!(heads[1]["author"], "OFF-01");
    assert_eq!(heads[1]["device_name"], "Phnom Penh office");

    let view = w.office.json(&["conflicts", "show", &person]);
    assert_eq!(view["heads"].as_array().unwrap().len(), 2);
    assert_eq!(view["heads"][0]["body"]["pseudonym"], "ផ្កាឈូក (វាល)");
    assert_eq!(view["heads"][1]["body"]["pseudonym"], "ផ្កាឈូក (ការិយាល័យ)");
    let paths: Vec<&str> = view["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["/languages", "/nationality", "/pseudonym"]);
    let pseudonym = &view["differences"][2];
    assert_eq!(pseudonym["values"], json!(["ផ្កាឈូក (វាល)", "ផ្កាឈូក (ការិយាល័យ)"]));
    assert_eq!(pseudonym["ancestor"], "ផ្កាឈូក");
    assert_eq!(view["differences"][1]["values"], json!(["KH", "VN"]));
    let history = w.office.json(&["show", &person, "--history"]);
    assert_eq!(view["common_ancestor"], history[0]["id"]);
    assert_eq!(view["identity_differs"], false);

    let plain = w.office.ok(&["conflicts", "show", &person]);
    assert!(plain.contains("2 versions in conflict"), "{plain}");
    assert!(
        plain.contains(
            "  /pseudonym\n    A: \"ផ្កាឈូក (វាល)\"\n    B: \"ផ្កាឈូក (ការិយាល័យ)\"\n    was: \"ផ្កាឈូក\""
        ),
        "{plain}"
    );
    let shown = w.office.ok(&["show", &person]);
    assert!(
        shown.contains(&format!("fieldcase conflicts show {person}")),
        "{shown}"
    );
    let listed = w.office.ok(&["conflicts"]);
    assert!(
        listed.contains(&person) && listed.contains("2 versions"),
        "{listed}"
    );
    // The list marks it too, and a plain edit is refused until it is resolved.
    assert_eq!(w.office.json(&["list", "person"])[0]["conflict"], true);
    let out = w.office.run_stdin(
        &["edit", &person, "--file", "-"],
        &view["heads"][0]["body"].to_string(),
    );
    assert_eq!(out.status.code(), Some(9), "{}", text(&out.stderr));
}

#[test]
fn taking_one_version_resolves_with_both_parents_and_is_logged() {
    let (w, person) = conflict_through_bundles();
    let view = w.office.json(&["conflicts", "show", &person]);
    let field_version = view["heads"][0]["revision"].as_str().unwrap().to_string();
    let office_version = view["heads"][1]["revision"].as_str().unwrap().to_string();

    // Not one of the versions in conflict: refused, nothing written.
    let first = w.office.json(&["show", &person, "--history"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let err = w.office.fails(&["resolve", &person, "--take", &first], 4);
    assert!(err.contains("is not one of the versions"), "{err}");

    let done = w
        .office
        .json(&["resolve", &person, "--take", &field_version]);
    assert_eq!(done["id"], person.as_str());
    assert_eq!(done["taken"], field_version.as_str());
    assert_eq!(done["deleted"], false);
    assert_eq!(done["dropped"], json!([]));
    let mut parents: Vec<String> = done["parents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    parents.sort();
    let mut expected = vec![field_version.clone(), office_version];
    expected.sort();
    assert_eq!(parents, expected);

    let shown = w.office.json(&["show", &person]);
    assert_eq!(shown["heads"], json!([done["revision"]]));
    assert_eq!(shown["body"], view["heads"][0]["body"]);
    assert_eq!(w.office.json(&["conflicts"]), json!([]));
    assert!(w
        .office
        .ok(&["conflicts"])
        .contains("No records in conflict."));
    let history = w.office.json(&["show", &person, "--history"]);
    assert_eq!(
        history.as_array().unwrap().len(),
        4,
        "nothing is overwritten"
    );
    let log = w.office.json(&["audit", "log"]);
    let last = log.as_array().unwrap().last().unwrap();
    assert_eq!(last["action"], "conflict_resolved");
    assert_eq!(last["record_id"], person.as_str());
    assert_eq!(last["detail"]["taken"], field_version.as_str());
    assert!(w.office.ok(&["audit", "verify"]).contains("intact"));
    // Resolved once: a second resolve is refused as not in conflict, and edits work again.
    let err = w
        .office
        .fails(&["resolve", &person, "--take", &field_version], 4);
    assert!(err.contains("not in conflict"), "{err}");
    w.office.fails(&["conflicts", "show", &person], 4);
    w.office.edit(&person, json!({"pseudonym": "ផ្កាឈូក"}));
}

#[test]
fn a_merge_that_drops_a_value_both_versions_hold_is_refused_until_confirmed() {
    let (w, person) = conflict_through_bundles();
    let view = w.office.json(&["conflicts", "show", &person]);
    // A merge that keeps the office's pseudonym and both new fields, but leaves out the case
    // code that both versions hold.
    let mut merged = view["heads"][1]["body"].clone();
    merged["languages"] = json!(["km", "th"]);
    merged.as_object_mut().unwrap().remove("case_code");
    let file = w.office.path("merged.json");
    std::fs::write(&file, merged.to_string()).unwrap();
    let file = file.to_str().unwrap();
    let actions = w.office.audit_actions().len();

    let err = w.office.fails(&["resolve", &person, "--file", file], 4);
    assert!(err.contains("/case_code"), "{err}");
    assert!(err.contains("--drop /case_code"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    let out = w
        .office
        .run(&["--json", "resolve", &person, "--file", file]);
    assert_eq!(out.status.code(), Some(4));
    let error: Value = serde_json::from_str(text(&out.stderr).trim()).unwrap();
    assert_eq!(error["error"]["code"], "invalid");
    assert_eq!(error["error"]["fields"], json!(["/case_code"]));
    // Confirming some other field is not enough.
    w.office.fails(
        &["resolve", &person, "--file", file, "--drop", "/nationality"],
        4,
    );
    assert_eq!(w.office.json(&["conflicts"]).as_array().unwrap().len(), 1);
    assert_eq!(
        w.office.audit_actions().len(),
        actions,
        "nothing was written"
    );

    // From standard input, with the field confirmed.
    let out = w.office.run_stdin(
        &[
            "--json",
            "resolve",
            &person,
            "--file",
            "-",
            "--drop",
            "case_code",
        ],
        &merged.to_string(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let done: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(done["dropped"], json!(["/case_code"]));
    assert_eq!(done["taken"], Value::Null);
    assert_eq!(done["parents"].as_array().unwrap().len(), 2);
    let shown = w.office.json(&["show", &person]);
    assert_eq!(shown["body"], merged);
    let log = w.office.json(&["audit", "log"]);
    let last = log.as_array().unwrap().last().unwrap();
    assert_eq!(last["action"], "conflict_resolved");
    assert_eq!(last["detail"]["dropped"], json!(["/case_code"]));
    assert!(
        !last.to_string().contains("PP-2026-0142-S1"),
        "no values in the audit log"
    );
}

#[test]
fn resolve_refuses_what_it_cannot_do_with_the_documented_exit_codes() {
    let w = World::new();
    let person = w.person(json!({"pseudonym": "Dara"}));
    let rev = w.field.json(&["show", &person])["heads"][0]
        .as_str()
        .unwrap()
        .to_string();
    // Neither --take nor --file, or both: an argument error.
    w.field.fails(&["resolve", &person], 2);
    w.field
        .fails(&["resolve", &person, "--take", &rev, "--file", "-"], 2);
    // Not in conflict.
    let err = w.field.fails(&["resolve", &person, "--take", &rev], 4);
    assert!(err.contains("not in conflict"), "{err}");
    w.field.fails(&["conflicts", "show", &person], 4);
    // Not an id; no such record.
    w.field.fails(&["resolve", "nonsense", "--take", &rev], 4);
    w.field
        .fails(&["resolve", &person, "--take", "nonsense"], 4);
    let unknown = "01a20944-3d6b-7667-9f8b-e847b7b60fd9";
    w.field.fails(&["resolve", unknown, "--take", &rev], 5);
    w.field.fails(&["conflicts", "show", unknown], 5);
    let err = w
        .field
        .fails(&["--json", "resolve", unknown, "--file", "-"], 5);
    assert!(err.contains("\"not_found\""), "{err}");
}
