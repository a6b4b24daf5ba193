//! Robustness a person relies on without seeing it: full disks, killed processes, closed
//! pipes, refused overwrites, dangling links, file modes. Real `fieldcase` processes on real
//! profile folders; nothing is mocked.
// A test crate: its helpers run only inside tests, where a failed unwrap is a failed test
// (clippy's allow-unwrap-in-tests covers #[test] functions, not the helpers they share).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

mod common;
use common::{code, json, text, Profile, BIN};

const PASS: &str = "ព្រះអាទិត្យ រះ sunrise over the river 17";
const PERSON_PLACEHOLDER: &str = "0195f3a0-0000-7000-8000-000000000001";
const PLACE_PLACEHOLDER: &str = "0195f3a0-0000-7000-8000-000000000010";

struct Field(Profile);

impl std::ops::Deref for Field {
    type Target = Profile;
    fn deref(&self) -> &Profile {
        &self.0
    }
}

impl Field {
    fn new() -> Field {
        Field(Profile::init(
            PASS,
            &["--device-name", "Test laptop", "--author", "INV-02"],
        ))
    }
    fn run_with(&self, pass: &str, args: &[&str]) -> Output {
        self.cmd(args)
            .env("FIELDCASE_PASSPHRASE", pass)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
    /// Runs under `ulimit -f <kib>` (a full disk as far as the process can tell); SIGXFSZ is
    /// ignored so the write fails with EFBIG instead of killing the process.
    fn run_limited(&self, kib: u64, args: &[&str]) -> Output {
        let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
        let script = format!(
            "trap '' XFSZ; ulimit -f {kib}; exec '{BIN}' --profile '{}' {}",
            self.profile().display(),
            quoted.join(" ")
        );
        Command::new("bash")
            .arg("-c")
            .arg(script)
            .env("FIELDCASE_PASSPHRASE", PASS)
            .env("TMPDIR", self.tmp())
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, contents).unwrap();
        p
    }
    fn add(&self, kind: &str, json: &str) -> String {
        let file = self.write("record.json", json);
        self.ok(&["add", kind, "--file", file.to_str().unwrap()])
            .trim()
            .to_string()
    }
    /// An establishment, a person and an interview naming both: (establishment, person, interview).
    fn interview(&self) -> (String, String, String) {
        let place = self.add("establishment", &self.example("establishment"));
        let person = self.add("person", &self.example("person"));
        let interview = self
            .example("interview")
            .replace(PERSON_PLACEHOLDER, &person)
            .replace(PLACE_PLACEHOLDER, &place);
        let interview = self.add("interview", &interview);
        (place, person, interview)
    }
    /// Opens the profile in this process: integrity_check ok and the audit chain intact.
    fn assert_sound(&self, pass: &str) {
        let store = fieldcase_core::Profile::open(
            &self.profile(),
            &fieldcase_core::Passphrase::new(pass.into()),
        )
        .unwrap();
        assert_eq!(store.integrity_check().unwrap(), vec!["ok".to_string()]);
        let report = store.audit_verify().unwrap();
        assert!(report.is_intact(), "audit chain broken: {report:?}");
    }
}

/// A small xorshift, so the "random" kill moments are the same on every run.
struct Moments(u64);

impl Moments {
    fn next_ms(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// Stops a child after `delay_ms`: kill -9, or SIGINT (what Ctrl-C sends).
fn interrupt(mut child: Child, delay_ms: u64, sigint: bool) -> Output {
    std::thread::sleep(Duration::from_millis(delay_ms));
    if sigint {
        let _ = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
    } else {
        let _ = child.kill();
    }
    child.wait_with_output().unwrap()
}

fn assert_disk_full(out: &Output) {
    assert_eq!(code(out), 8, "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("disk is full"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// An establishment whose notes and address are long enough that its revision cannot fit
/// under the file-size limit (each within its own limit of 200 000 characters).
fn big_establishment(f: &Field, notes: &str) -> String {
    let mut e = json(&f.example("establishment"));
    let half = Value::String(notes.repeat(200_000 / notes.chars().count()));
    e["notes"] = half.clone();
    e["location"]["address"] = half;
    e.to_string()
}

#[test]
fn a_full_disk_during_add_or_edit_saves_nothing_and_the_store_works_after() {
    let f = Field::new();
    let place = f.add("establishment", &f.example("establishment"));
    let shown_before = f.ok(&["--json", "show", &place]);
    let big = f.write("big.json", &big_establishment(&f, "Rooms upstairs. "));

    // add: refused cleanly, nothing saved
    let out = f.run_limited(
        200,
        &["add", "establishment", "--file", big.to_str().unwrap()],
    );
    assert_disk_full(&out);
    assert!(
        text(&out.stdout).is_empty(),
        "an id was printed: {}",
        text(&out.stdout)
    );
    assert_eq!(
        json(&f.ok(&["--json", "list", "establishment"]))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // edit: refused cleanly, the record as it was
    let out = f.run_limited(200, &["edit", &place, "--file", big.to_str().unwrap()]);
    assert_disk_full(&out);
    assert_eq!(f.ok(&["--json", "show", &place]), shown_before);
    assert_eq!(
        json(&f.ok(&["--json", "show", &place, "--history"]))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let log = json(&f.ok(&["--json", "audit", "log"]));
    assert_eq!(log.as_array().unwrap().len(), 2, "{log}"); // profile_created, record_created
    f.assert_sound(PASS);

    // with room again, the same writes succeed
    let id = f.ok(&["add", "establishment", "--file", big.to_str().unwrap()]);
    f.ok(&["edit", &place, "--file", big.to_str().unwrap()]);
    f.ok(&["show", id.trim()]);
    f.assert_sound(PASS);
}

/// `init` runs every migration from an empty database; a full disk in the middle of them
/// leaves nothing that would block a second try.
#[test]
fn a_full_disk_during_the_first_migration_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let init = |limit: Option<u64>| {
        let ulimit = limit.map(|k| format!("ulimit -f {k};")).unwrap_or_default();
        Command::new("bash")
            .arg("-c")
            .arg(format!(
                "trap '' XFSZ; {ulimit} exec '{BIN}' --profile '{}' init --insecure-fast-kdf-for-tests",
                profile.display()
            ))
            .env("FIELDCASE_PASSPHRASE", PASS)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    for kib in [8, 40, 64] {
        let out = init(Some(kib));
        assert_disk_full(&out);
        let left: Vec<String> = std::fs::read_dir(&profile)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n != "lock")
            .collect();
        assert!(
            left.is_empty(),
            "after a {kib} KiB limit, left behind: {left:?}"
        );
    }
    let out = init(None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let store =
        fieldcase_core::Profile::open(&profile, &fieldcase_core::Passphrase::new(PASS.into()))
            .unwrap();
    assert_eq!(store.integrity_check().unwrap(), vec!["ok".to_string()]);
    assert!(store.audit_verify().unwrap().is_intact());
}

/// kill -9 and SIGINT at random moments during `attach`: every attachment reported saved
/// reads back byte for byte, no stray file is left, integrity and the audit chain hold.
#[test]
fn killing_attach_at_random_moments_loses_nothing_reported() {
    let f = Field::new();
    let (_, _, interview) = f.interview();
    let mut moments = Moments(0x2545f4914f6cdd1d);
    let mut reported: Vec<(String, Vec<u8>)> = Vec::new();
    // How long one attach takes here, so the kills spread over the whole of it and past it.
    let probe = f.write("probe.ogg", &"x".repeat(1024 * 1024));
    let started = std::time::Instant::now();
    f.ok(&["attach", &interview, probe.to_str().unwrap()]);
    let span_ms = (started.elapsed().as_millis() as u64 * 13 / 10).max(20);
    let rounds = 30;
    for round in 0..rounds {
        let bytes: Vec<u8> = (0..(1024 * 1024 + round * 1000))
            .map(|i| (i * 31 + round) as u8)
            .collect();
        let file = f.path(&format!("recording-{round}.ogg"));
        std::fs::write(&file, &bytes).unwrap();
        let child = f
            .cmd(&["attach", &interview, file.to_str().unwrap()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = interrupt(child, moments.next_ms(span_ms), round % 3 == 2);
        if out.status.success() {
            reported.push((text(&out.stdout).trim().to_string(), bytes));
        } else {
            assert!(
                !text(&out.stderr).contains("panicked"),
                "{}",
                text(&out.stderr)
            );
        }
    }
    f.assert_sound(PASS);
    for (i, (id, bytes)) in reported.iter().enumerate() {
        let back = f.path(&format!("back-{i}"));
        f.ok(&["attachment", "get", id, "--out", back.to_str().unwrap()]);
        assert!(
            std::fs::read(&back).unwrap() == *bytes,
            "attachment {id} differs"
        );
    }
    // every blob left belongs to an attachment record (orphans are swept at unlock)
    let listed = json(&f.ok(&["--json", "list", "attachment", "--limit", "1000"]));
    let blobs = std::fs::read_dir(f.profile().join("attachments"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(blobs, listed.as_array().unwrap().len());
    assert!(listed.as_array().unwrap().len() > reported.len()); // the probe too
    eprintln!(
        "{} of {rounds} attaches completed before the kill",
        reported.len()
    );
    assert!(
        reported.len() < rounds as usize,
        "every kill came after the attach had finished"
    );
}

/// kill -9 and SIGINT at random moments during `passwd`, which re-encrypts the store under a
/// new data key: afterwards exactly one of the old and new passphrases opens the profile, a
/// reported change always took, and every record and attachment reads back.
#[test]
fn killing_passwd_at_random_moments_leaves_exactly_one_passphrase() {
    let f = Field::new();
    let person = f.add("person", &f.example("person"));
    let shown = f.ok(&["--json", "show", &person]);
    // Records enough for the database to be more than a few pages, and attachments.
    let (_, _, interview) = f.interview();
    let mut records = vec![interview.clone()];
    for i in 0..6 {
        let mut e = json(&f.example("establishment"));
        e["notes"] = Value::String(format!("កំណត់ចំណាំ {i} ").repeat(500));
        records.push(f.add("establishment", &e.to_string()));
    }
    let records: Vec<(String, String)> = records
        .into_iter()
        .map(|id| {
            let shown = f.ok(&["--json", "show", &id]);
            (id, shown)
        })
        .collect();
    let mut attachments = Vec::new();
    for i in 0..3u32 {
        let bytes: Vec<u8> = (0..(300_000 + i * 1000))
            .map(|b| (b * 13 + i) as u8)
            .collect();
        let file = f.path(&format!("recording-{i}.ogg"));
        std::fs::write(&file, &bytes).unwrap();
        let id = f.ok(&["attach", &interview, file.to_str().unwrap()]);
        attachments.push((id.trim().to_string(), bytes));
    }
    let mut moments = Moments(0x9e3779b97f4a7c15);
    // How long one passwd takes here, so the kills spread over the whole of it and past it.
    let probe_pass = "probe passphrase";
    let probe = f.write("new-pass", probe_pass);
    let started = std::time::Instant::now();
    let args = [
        "passwd",
        "--new-passphrase-file",
        probe.to_str().unwrap(),
        "--insecure-fast-kdf-for-tests",
    ];
    f.ok(&args);
    let span_ms = (started.elapsed().as_millis() as u64 * 13 / 10).max(20);
    let mut current = probe_pass.to_string();
    let (mut changed, mut reported) = (0, 0);
    let rounds = 40;
    for round in 0..rounds {
        let new = format!("new passphrase {round} ពាក្យសម្ងាត់");
        let new_file = f.write("new-pass", &new);
        let child = f
            .cmd(&[
                "passwd",
                "--new-passphrase-file",
                new_file.to_str().unwrap(),
                "--insecure-fast-kdf-for-tests",
            ])
            .env("FIELDCASE_PASSPHRASE", &current)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = interrupt(child, moments.next_ms(span_ms), round % 3 == 2);
        let old_opens = f.run_with(&current, &["--json", "show", &person]);
        let new_opens = f.run_with(&new, &["--json", "show", &person]);
        let opens = [&old_opens, &new_opens]
            .iter()
            .filter(|o| o.status.success())
            .count();
        assert_eq!(
            opens,
            1,
            "round {round}: old exit {}, new exit {}: {} {}",
            code(&old_opens),
            code(&new_opens),
            text(&old_opens.stderr),
            text(&new_opens.stderr)
        );
        for o in [&old_opens, &new_opens] {
            if o.status.success() {
                assert_eq!(text(&o.stdout), shown, "round {round}: the record changed");
            } else {
                assert_eq!(code(o), 3, "round {round}: {}", text(&o.stderr));
            }
        }
        let works = if new_opens.status.success() {
            &new
        } else {
            &current
        };
        for (id, shown) in &records {
            let out = f.ok_with(works, &["--json", "show", id]);
            assert_eq!(&out, shown, "round {round}: record {id} changed");
        }
        for (id, bytes) in &attachments {
            let back = f.path("back");
            let _ = std::fs::remove_file(&back);
            f.ok_with(
                works,
                &["attachment", "get", id, "--out", back.to_str().unwrap()],
            );
            assert!(
                std::fs::read(&back).unwrap() == *bytes,
                "round {round}: attachment {id} differs"
            );
        }
        if out.status.success() {
            reported += 1;
            assert!(
                new_opens.status.success(),
                "round {round}: a reported change was lost"
            );
        }
        if new_opens.status.success() {
            changed += 1;
            current = new;
        }
    }
    f.assert_sound(&current);
    let leftovers: Vec<String> = std::fs::read_dir(f.profile())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let log = json(&f.ok_with(&current, &["--json", "audit", "log"]));
    let logged = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "passphrase_changed")
        .count();
    assert!(
        logged >= reported,
        "{logged} changes logged, {reported} reported"
    );
    eprintln!(
        "{changed} of {rounds} passwd runs took effect ({reported} reported before the kill)"
    );
    assert!(
        reported < rounds,
        "every kill came after passwd had finished"
    );
}

impl Field {
    fn ok_with(&self, pass: &str, args: &[&str]) -> String {
        let out = self.run_with(pass, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }
}

/// `fieldcase list | head -1`: the reader closes the pipe early; no panic, exit 0.
#[test]
fn a_closed_output_pipe_ends_quietly() {
    let f = Field::new();
    for i in 0..5 {
        f.add(
            "establishment",
            &f.example("establishment")
                .replace("ខារ៉ាអូខេផ្កាយព្រឹក", &format!("ហាង {i}")),
        );
    }
    for args in [
        &["list", "establishment"][..],
        &["--json", "list", "establishment"][..],
        &["search", "ហាង"][..],
        &["keys", "show"][..],
        &["example", "interview"][..],
        &["report", "casework", "--format", "csv"][..],
    ] {
        let mut child = f
            .cmd(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader is gone before anything is written
        let out = child.wait_with_output().unwrap();
        assert_eq!(code(&out), 0, "{args:?}: {}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "{args:?}: {}", text(&out.stderr));
    }
    // and through a real shell pipe
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; '{BIN}' --profile '{}' list establishment | head -1 >/dev/null",
            f.profile().display()
        ))
        .env("FIELDCASE_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_bad_recovery_recipient_is_invalid_input() {
    let f = Field::new();
    let slots = std::fs::read(f.profile().join("keyslots.json")).unwrap();
    for bad in ["age1notakey", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", ""] {
        let out = f.run(&["recovery", "set", bad]);
        assert_eq!(code(&out), 4, "{bad:?}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(err.contains("recipient") && err.contains("age1"), "{err}");
        let out = f.run(&["--json", "recovery", "set", bad]);
        assert_eq!(json(&text(&out.stderr))["error"]["code"], "invalid");
    }
    assert_eq!(
        std::fs::read(f.profile().join("keyslots.json")).unwrap(),
        slots
    );
}

#[test]
fn attachment_get_never_overwrites_a_file() {
    let f = Field::new();
    let (_, _, interview) = f.interview();
    let photo = f.write("room.jpg", "jpeg-ish bytes");
    let att = f.ok(&["attach", &interview, photo.to_str().unwrap()]);
    let existing = f.write("keep-me.txt", "my own notes");
    let out = f.run(&[
        "attachment",
        "get",
        att.trim(),
        "--out",
        existing.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 4, "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("already exists") && err.contains("choose another path"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "my own notes");
    let log = json(&f.ok(&["--json", "audit", "log"]));
    assert!(!log
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "attachment_exported"));
}

#[test]
fn a_recovery_unlock_is_audited_as_such_before_the_new_passphrase() {
    use age::secrecy::ExposeSecret;
    let f = Field::new();
    let person = f.add("person", &f.example("person"));
    let office = age::x25519::Identity::generate();
    f.ok(&["recovery", "set", &office.to_public().to_string()]);
    let identity = f.write("office.key", office.to_string().expose_secret());
    let new = "the office gave this back ថ្មី";
    let new_file = f.write("new-pass", new);
    let out = f
        .cmd(&[
            "recovery",
            "unlock",
            "--identity-file",
            identity.to_str().unwrap(),
            "--new-passphrase-file",
            new_file.to_str().unwrap(),
        ])
        .env_remove("FIELDCASE_PASSPHRASE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = json(&f.ok_with(new, &["--json", "audit", "log"]));
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions[actions.len() - 2..],
        ["recovery_unlock", "passphrase_changed"],
        "{actions:?}"
    );
    f.ok_with(new, &["show", &person]);
    f.assert_sound(new);
}

#[test]
fn a_record_others_link_to_cannot_be_deleted() {
    let f = Field::new();
    let (place, person, interview) = f.interview();
    let visit = f.add(
        "visit",
        &f.example("visit").replace(PLACE_PLACEHOLDER, &place),
    );
    let photo = f.write("door.jpg", "jpeg-ish");
    let att = f.ok(&["attach", &interview, photo.to_str().unwrap()]);
    let att = att.trim();

    // the establishment: a visit and the interview name it
    let out = f.run(&["delete", &place]);
    assert_eq!(code(&out), 4, "{}", text(&out.stderr));
    let err = text(&out.stderr);
    for expected in [
        visit.as_str(),
        "visit.establishment_id",
        interview.as_str(),
        "delete those records or change their links first",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in: {err}");
    }
    let out = f.run(&["--json", "delete", &place]);
    assert_eq!(json(&text(&out.stderr))["error"]["code"], "invalid");
    // the person: the interview is about them
    let err = text(&f.run(&["delete", &person]).stderr);
    assert!(
        err.contains("interview.person_id") && err.contains(&interview),
        "{err}"
    );
    // the interview: its attachment belongs to it
    let err = text(&f.run(&["delete", &interview]).stderr);
    assert!(
        err.contains("attachment.record_id") && err.contains(att),
        "{err}"
    );
    // nothing was deleted
    for id in [&place, &person, &interview] {
        assert!(json(&f.ok(&["--json", "show", id]))["deleted"] == false);
    }

    // deleted in order, from the leaves: each delete is allowed once nothing links to it
    for id in [
        att,
        interview.as_str(),
        visit.as_str(),
        person.as_str(),
        place.as_str(),
    ] {
        f.ok(&["delete", id]);
    }
    f.assert_sound(PASS);
}

/// Every file in the profile is 0600 and every folder 0700 from the moment it is made, even
/// when the process's umask would allow more.
#[cfg(unix)]
#[test]
fn profile_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    // every command runs with a permissive umask
    let sh = |args: &str, pass: &str| {
        let mut c = Command::new("bash");
        c.arg("-c")
            .arg(format!(
                "umask 022; exec '{BIN}' --profile '{}' {args}",
                profile.display()
            ))
            .env("FIELDCASE_PASSPHRASE", pass)
            .env("TMPDIR", &tmp)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    };
    let out = sh("init --insecure-fast-kdf-for-tests", PASS)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    // as `init` made them, before any unlock could tighten them
    check_modes(&profile, &mut Vec::new());
    let record = dir.path().join("person.json");
    std::fs::write(&record, f_example("person")).unwrap();
    let out = sh(&format!("add person --file '{}'", record.display()), PASS)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let person = text(&out.stdout).trim().to_string();
    // a wrong passphrase leaves the unlock-failures note
    let out = sh("list person", "wrong").output().unwrap();
    assert_eq!(code(&out), 3);
    assert!(profile.join("unlock-failures").exists());
    check_modes(&profile, &mut Vec::new());

    // Attach a large (sparse) file and stop the process while it writes, so that the store is
    // open (WAL and shared memory on disk) and the attachment half-written while we look. A
    // FIFO would hold it open more simply, but only regular files are inputs.
    let recording = dir.path().join("recording.ogg");
    std::fs::File::create(&recording)
        .unwrap()
        .set_len(128 * 1024 * 1024)
        .unwrap();
    let mut child = sh(&format!("attach {person} '{}'", recording.display()), PASS)
        .spawn()
        .unwrap();
    let wal = profile.join("store.db-wal");
    let writing = || {
        std::fs::read_dir(profile.join("attachments"))
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().ends_with(".partial"))
            })
            .unwrap_or(false)
    };
    let pid = child.id().to_string();
    let signal = |name: &str| {
        let sent = Command::new("kill").args([name, &pid]).status().unwrap();
        assert!(sent.success());
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !(writing() && wal.exists() && profile.join("store.db-shm").exists()) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "attach ended before it was seen writing"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "attach never started writing"
        );
    }
    signal("-STOP");
    let mut seen = Vec::new();
    check_modes(&profile, &mut seen);
    assert!(
        seen.iter().any(|s| s.ends_with(".partial")),
        "no attachment being written: {seen:?}"
    );
    signal("-CONT");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut seen = Vec::new();
    check_modes(&profile, &mut seen);
    for name in ["store.db", "keyslots.json", "lock", "attachments"] {
        assert!(
            seen.iter().any(|s| s == name),
            "{name} not checked: {seen:?}"
        );
    }

    fn check_modes(dir: &Path, seen: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let meta = e.metadata().unwrap();
            let mode = meta.permissions().mode() & 0o777;
            let name = e.file_name().to_string_lossy().to_string();
            if meta.is_dir() {
                assert_eq!(mode, 0o700, "{} is {mode:o}", e.path().display());
                check_modes(&e.path(), seen);
            } else {
                assert_eq!(mode, 0o600, "{} is {mode:o}", e.path().display());
            }
            seen.push(name);
        }
        let mode = std::fs::metadata(dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{} is {mode:o}", dir.display());
    }
}

fn f_example(kind: &str) -> String {
    text(
        &Command::new(BIN)
            .args(["example", kind])
            .output()
            .unwrap()
            .stdout,
    )
}

/// `fieldcase` makes itself not dumpable and sets its core-file limit to 0 before it reads a
/// passphrase: seen from outside while it waits on a passphrase FIFO.
#[cfg(target_os = "linux")]
#[test]
fn the_cli_writes_no_core_file_and_cannot_be_traced_while_it_waits_for_a_passphrase() {
    use std::os::unix::fs::MetadataExt;
    let f = Field::new();
    let fifo = f.path("passphrase.fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let child = f
        .cmd(&[
            "--passphrase-file",
            fifo.to_str().unwrap(),
            "list",
            "person",
        ])
        .env_remove("FIELDCASE_PASSPHRASE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let proc_dir = PathBuf::from(format!("/proc/{}", child.id()));
    // The limits file exists from the start; the core line changes once main has run.
    let core_line = || {
        std::fs::read_to_string(proc_dir.join("limits"))
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    let mut line = core_line();
    for _ in 0..200 {
        if line == "Max core file size 0 0 bytes" {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
        line = core_line();
    }
    assert_eq!(line, "Max core file size 0 0 bytes");
    // Not dumpable: its /proc entries belong to root, so a non-root user cannot read its
    // memory or attach to it. (Run as root, ownership shows nothing.)
    let me = std::fs::metadata("/proc/self").unwrap().uid();
    if me != 0 {
        assert_eq!(std::fs::metadata(&proc_dir).unwrap().uid(), 0);
    }
    std::fs::write(&fifo, format!("{PASS}\n")).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}
