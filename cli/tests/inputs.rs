//! What the CLI refuses to take in, and how it says so: text beyond the model's limits or
//! with control characters in it. Real `fieldcase` processes on real profile folders.
// A test crate: its helpers run only inside tests, where a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;

mod common;
use common::{code, json, text, Profile};

const PASS: &str = "ផ្កាយព្រឹក morning star over Kampot 23";

fn field() -> Profile {
    Profile::init(
        PASS,
        &["--device-name", "Test laptop", "--author", "INV-07"],
    )
}

fn establishment_count(f: &Profile) -> usize {
    f.json(&["list", "establishment"]).as_array().unwrap().len()
}

#[test]
fn notes_of_64_mib_are_refused_naming_the_field_and_nothing_is_saved() {
    let f = field();
    let mut body = json(&f.example("establishment"));
    body["notes"] = Value::String("បន្ទប់ខាងលើ rooms upstairs. ".repeat(64 * 1024 * 1024 / 48));
    let file = f.path("big.json");
    std::fs::write(&file, body.to_string()).unwrap();
    assert!(std::fs::metadata(&file).unwrap().len() >= 64 * 1024 * 1024);

    let out = f.run(&["add", "establishment", "--file", file.to_str().unwrap()]);
    assert_eq!(code(&out), 4, "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("establishment.notes"), "{err}");
    assert!(err.contains("200000 characters"), "{err}");
    assert_eq!(establishment_count(&f), 0);
}

#[test]
fn a_nul_or_an_escape_in_a_name_is_refused_naming_the_field() {
    let f = field();
    for bad in ["ផ្ទះ\u{0}សំណាង", "Golden\u{1b}[2J Star"] {
        let mut body = json(&f.example("establishment"));
        body["name"] = Value::String(bad.into());
        let out = f.run_stdin(&["add", "establishment", "--file", "-"], &body.to_string());
        assert_eq!(code(&out), 4, "{}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(err.contains("establishment.name"), "{err}");
        assert!(err.contains("control character"), "{err}");
    }
    let mut person = json(&f.example("person"));
    person["pseudonym"] = Value::String("ផ្កា\rឈូក".into());
    let out = f.run_stdin(&["add", "person", "--file", "-"], &person.to_string());
    assert!(
        text(&out.stderr).contains("person.pseudonym"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(establishment_count(&f), 0);

    // Khmer with its zero-width spaces and joiners is a name like any other.
    let mut body = json(&f.example("establishment"));
    body["name"] = Value::String("ផ្ទះ\u{200B}សំណាង\u{200C}ថ្មី\u{200D}".into());
    f.add("establishment", &body.to_string());
    assert_eq!(establishment_count(&f), 1);
}
