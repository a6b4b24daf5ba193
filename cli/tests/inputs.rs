//! What the CLI refuses to take in, and how it says so: text beyond the model's limits or
//! with control characters in it, and inputs that are not regular files (a FIFO, `/dev/zero`),
//! which must be refused at once rather than hang. Real `fieldcase` processes on real profile
//! folders.
// A test crate: its helpers run only inside tests, where a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

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

/// Runs `fieldcase <args>` and kills it if it has not finished within 20 s: a command that
/// blocks on its input fails the test instead of hanging it.
fn run_within_20s(f: &Profile, args: &[&str]) -> Output {
    let mut child = f
        .cmd(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("fieldcase {args:?} was still running after 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn assert_not_a_file(out: &Output, path: &str, kind: &str) {
    let err = text(&out.stderr);
    assert_eq!(code(out), 4, "{err}");
    assert!(err.contains(path) && err.contains(kind), "{err}");
    assert!(err.contains("not a regular file"), "{err}");
}

#[test]
fn attaching_dev_zero_is_refused_at_once() {
    let f = field();
    let person = f.add("person", &f.example("person"));
    let out = run_within_20s(&f, &["attach", &person, "/dev/zero"]);
    assert_not_a_file(&out, "/dev/zero", "character device");
    assert!(f
        .json(&["list", "attachment"])
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn a_fifo_is_refused_at_once_as_a_record_a_bundle_a_receipt_or_an_attachment() {
    let f = field();
    let person = f.add("person", &f.example("person"));
    let fifo = f.path("ផ្លូវ.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let p = fifo.to_str().unwrap();
    for args in [
        vec!["add", "person", "--file", p],
        vec!["attach", &person, p],
        vec!["import-receipt", p],
    ] {
        let out = run_within_20s(&f, &args);
        assert_not_a_file(&out, p, "FIFO");
    }
    // Bundles are read by an office.
    let office = Profile::init(PASS, &["--device-name", "Phnom Penh office"]);
    office.ok(&["office", "init"]);
    for args in [vec!["verify", p], vec!["import", p]] {
        let out = run_within_20s(&office, &args);
        assert_not_a_file(&out, p, "FIFO");
    }
    // A folder is no file either.
    let out = run_within_20s(
        &f,
        &["add", "person", "--file", f.path("").to_str().unwrap()],
    );
    assert_not_a_file(&out, "", "folder");
}

#[test]
fn a_passphrase_shorter_than_ten_characters_is_refused_at_init_and_passwd() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let out = Command::new(common::BIN)
        .arg("--profile")
        .arg(&profile)
        .args([
            "init",
            "--device-name",
            "Test laptop",
            "--insecure-fast-kdf-for-tests",
        ])
        .env("FIELDCASE_PASSPHRASE", "ទឹកភ្លៀង")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&out), 4, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("at least 10 characters"),
        "{}",
        text(&out.stderr)
    );
    assert!(!profile.exists(), "nothing may be left behind");

    let f = field();
    let out = f
        .cmd(&["passwd", "--insecure-fast-kdf-for-tests"])
        .env("FIELDCASE_NEW_PASSPHRASE", "rain 2026")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&out), 4, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("too short"),
        "{}",
        text(&out.stderr)
    );
    f.ok(&["list", "person"]);
}
