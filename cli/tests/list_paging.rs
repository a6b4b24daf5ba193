//! `fieldcase list --after`: paging by cursor, as a user runs it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const PASS: &str = "ភ្លៀង paging passphrase";

fn run(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fieldcase"));
    c.arg("--profile")
        .arg(dir.join("profile"))
        .args(args)
        .env("FIELDCASE_PASSPHRASE", PASS)
        .env_remove("FIELDCASE_PROFILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        let mut input = input;
        input.write_all(text.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn ok(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> String {
    let out = run(dir, args, stdin);
    assert!(
        out.status.success(),
        "fieldcase {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn list_after_a_cursor_pages_through_every_record_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    ok(
        dir,
        &[
            "init",
            "--device-name",
            "Paging laptop",
            "--insecure-fast-kdf-for-tests",
        ],
        None,
    );
    let example: Value = serde_json::from_str(&ok(dir, &["example", "person"], None)).unwrap();
    let mut added = Vec::new();
    for i in 0..5 {
        let mut person = example.clone();
        person["pseudonym"] = Value::String(format!("ស្រី {i}"));
        let id = ok(
            dir,
            &["add", "person", "--file", "-"],
            Some(&person.to_string()),
        );
        added.push(id.trim().to_string());
    }
    added.reverse(); // most recently changed first

    // Plain output: a full page ends with the command for the next one, on stderr.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..10 {
        let mut args = vec!["list", "person", "--limit", "2"];
        if let Some(cursor) = &after {
            args.extend(["--after", cursor.as_str()]);
        }
        let out = run(dir, &args, None);
        assert!(out.status.success());
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        seen.extend(
            stdout
                .lines()
                .filter_map(|l| l.split_whitespace().next())
                .filter(|id| id.len() == 36)
                .map(str::to_string),
        );
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        after = stderr
            .split("--after ")
            .nth(1)
            .map(|c| c.trim().to_string());
        if after.is_none() {
            break;
        }
    }
    assert_eq!(seen, added);

    // JSON stays an array; the cursor is the last row's `updated_at~id`.
    let page: Value = serde_json::from_str(&ok(
        dir,
        &["--json", "list", "person", "--limit", "3"],
        None,
    ))
    .unwrap();
    let last = &page.as_array().unwrap()[2];
    let cursor = format!(
        "{}~{}",
        last["updated_at"].as_str().unwrap(),
        last["id"].as_str().unwrap()
    );
    let rest: Value = serde_json::from_str(&ok(
        dir,
        &["--json", "list", "person", "--after", &cursor],
        None,
    ))
    .unwrap();
    let ids: Vec<&str> = rest
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![added[3].as_str(), added[4].as_str()]);

    // A cursor that is not one is a usage mistake (invalid, exit 4), not a crash.
    let out = run(dir, &["list", "person", "--after", "yesterday"], None);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cursor"));
    // --offset still works, and cannot be mixed with --after.
    let out = run(
        dir,
        &["list", "person", "--offset", "1", "--after", &cursor],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let second = ok(
        dir,
        &["--json", "list", "person", "--offset", "1", "--limit", "1"],
        None,
    );
    assert!(second.contains(&added[1]));
}
