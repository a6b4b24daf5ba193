//! Behaviour a person sees through `fieldcase`: real processes on real profile folders.
//! Each test gets its own temp dir; nothing here is mocked.
// A test crate: its helpers run only inside tests, where a failed unwrap is a failed test
// (clippy's allow-unwrap-in-tests covers #[test] functions, not the helpers they share).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

mod common;
use common::{code, json, text, Profile};

const PASS: &str = "ស្លឹកឈើ ជ្រុះ នៅរដូវប្រាំង green mango 42";
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
            &["--device-name", "Test laptop", "--author", "SW-04"],
        ))
    }
    /// An establishment, a person and an interview linked to them; returns (person, interview).
    fn interview(&self) -> (String, String) {
        let place = self.add("establishment", &self.example("establishment"));
        let person = self.add("person", &self.example("person"));
        let interview = self
            .example("interview")
            .replace(PERSON_PLACEHOLDER, &person)
            .replace(PLACE_PLACEHOLDER, &place);
        (person.clone(), self.add("interview", &interview))
    }
}

#[test]
fn a_recorded_interview_with_attachment_history_and_search() {
    let f = Field::new();
    let (person, interview) = f.interview();
    // attach a recording (the example interview has recording consent)
    let audio = f.path("part1.ogg");
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&audio, &bytes).unwrap();
    let att = f
        .ok(&["attach", &interview, audio.to_str().unwrap()])
        .trim()
        .to_string();
    let back = f.path("back.ogg");
    f.ok(&["attachment", "get", &att, "--out", back.to_str().unwrap()]);
    assert_eq!(std::fs::read(&back).unwrap(), bytes);

    // edit: a second revision, the first kept
    let mut body = json(&f.ok(&["--json", "show", &interview]))["body"].clone();
    body["interviewer_notes"] =
        Value::String("Follow-up: she wants to add to her account next week.".into());
    let out = f.run_stdin(&["edit", &interview, "--file", "-"], &body.to_string());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let history = json(&f.ok(&["--json", "show", &interview, "--history"]));
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert!(history[1]["parents"][0] == history[0]["id"]);
    let human = f.ok(&["show", &interview, "--history"]);
    assert!(
        human.contains("created") && human.contains("edited: interviewer_notes"),
        "{human}"
    );

    // search finds Khmer text inside a word run, and shows pseudonyms only
    let hits = json(&f.ok(&["--json", "search", "ភោជនីយដ្ឋាន"]));
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == interview.as_str()),
        "{hits}"
    );
    let listed = json(&f.ok(&["--json", "list", "person"]));
    assert_eq!(listed[0]["id"], person.as_str());

    // identity is protected unless revealed, and revealing is logged
    let shown = json(&f.ok(&["--json", "show", &person]));
    assert!(shown["body"].get("identity").is_none() && shown["has_identity"] == true);
    let revealed = json(&f.ok(&["--json", "show", &person, "--reveal-identity"]));
    assert!(revealed["body"]["identity"].is_object());
    let log = json(&f.ok(&["--json", "audit", "log"]));
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "identity_revealed" && e["record_id"] == person.as_str()));

    // delete keeps history (the attachment first: while it links to the interview, the
    // interview cannot be deleted)
    assert_eq!(code(&f.run(&["delete", &interview])), 4);
    f.ok(&["delete", &att]);
    f.ok(&["delete", &interview]);
    assert!(json(&f.ok(&["--json", "show", &interview]))["deleted"] == true);
    assert_eq!(
        json(&f.ok(&["--json", "show", &interview, "--history"]))
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(f.ok(&["audit", "verify"]).contains("intact"));
}

#[test]
fn wrong_passphrase_has_its_own_exit_code_changes_nothing_and_is_audited() {
    let f = Field::new();
    let db = f.profile().join("store.db");
    let before = std::fs::read(&db).unwrap();
    let out = f
        .cmd(&["list", "person"])
        .env("FIELDCASE_PASSPHRASE", "not it")
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("passphrase is wrong"));
    assert!(
        !text(&out.stderr).contains("hmac"),
        "SQLCipher noise leaked: {}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&db).unwrap(), before, "the database changed");
    let log = json(&f.ok(&["--json", "audit", "log"]));
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "unlock_failed"));
    assert!(f.ok(&["audit", "verify"]).contains("intact"));
}

/// The old `keyslots.json` (a backup, a disk image, an SSD's remapped block) with the old
/// passphrase opens nothing after a change: not the records from before it, not those added
/// after, not an attachment's file. The office recovery key still opens the profile.
#[test]
fn after_passwd_the_old_slot_file_and_passphrase_open_nothing() {
    use fieldcase_core::crypto::{subkey, DecryptingReader, KeySlots};
    use std::io::Read;
    let f = Field::new();
    let (person, interview) = f.interview();
    let audio = f.path("part1.ogg");
    std::fs::write(&audio, "ស្លឹកឈើ recording ".repeat(20_000)).unwrap();
    let att = f
        .ok(&["attach", &interview, audio.to_str().unwrap()])
        .trim()
        .to_string();
    let office = age::x25519::Identity::generate();
    f.ok(&["recovery", "set", &office.to_public().to_string()]);
    let slots_path = f.profile().join("keyslots.json");
    let old_slots = std::fs::read(&slots_path).unwrap();

    let new_pass = f.path("new");
    std::fs::write(&new_pass, "a new long passphrase ថ្មី\n").unwrap();
    let out = f.run(&[
        "passwd",
        "--new-passphrase-file",
        new_pass.to_str().unwrap(),
        "--insecure-fast-kdf-for-tests",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let with_new = |args: &[&str]| {
        let mut all = vec!["--passphrase-file", new_pass.to_str().unwrap()];
        all.extend_from_slice(args);
        f.cmd(&all).stdin(Stdio::null()).output().unwrap()
    };
    let new_slots = std::fs::read(&slots_path).unwrap();
    let later_file = f.path("later.json");
    std::fs::write(&later_file, f.example("person")).unwrap();
    let later = with_new(&["add", "person", "--file", later_file.to_str().unwrap()]);
    assert!(later.status.success(), "{}", text(&later.stderr));
    let later = text(&later.stdout).trim().to_string();
    assert_eq!(
        code(&f.run(&["show", &person])),
        3,
        "old passphrase still works"
    );
    for id in [&person, &later] {
        assert!(with_new(&["show", id]).status.success());
    }

    // Now the old slot file is put back, as from a backup.
    std::fs::write(&slots_path, &old_slots).unwrap();
    for id in [&person, &later, &interview] {
        let out = f.run(&["show", id]);
        assert!(!out.status.success(), "the old slot opened {id}");
        assert!(!text(&out.stdout).contains("ផ្កាឈូក"), "{}", text(&out.stdout));
    }
    let out = f.run(&[
        "attachment",
        "get",
        &att,
        "--out",
        f.path("x").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    // Nor does the old data key open any attachment file, under the key it once derived.
    let old_key = KeySlots::from_bytes(&old_slots)
        .unwrap()
        .unlock(&fieldcase_core::Passphrase::new(PASS.into()))
        .unwrap();
    let mut files = 0;
    for entry in std::fs::read_dir(f.profile().join("attachments")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        let key = subkey(&old_key, "fieldcase attachment v1", name.as_bytes());
        let file = std::fs::File::open(entry.path()).unwrap();
        let mut plain = Vec::new();
        let opened = DecryptingReader::new(file, &key).and_then(|mut r| {
            r.read_to_end(&mut plain)
                .map_err(|e| fieldcase_core::Error::io("reading", e))
        });
        assert!(opened.is_err(), "the old key opened {name}");
        files += 1;
    }
    assert_eq!(files, 1);

    // The current slot file back: the new passphrase and the office key still open it.
    std::fs::write(&slots_path, &new_slots).unwrap();
    assert!(with_new(&["show", &later]).status.success());
    let identity = f.path("office.key");
    std::fs::write(
        &identity,
        format!(
            "{}\n",
            age::secrecy::ExposeSecret::expose_secret(&office.to_string())
        ),
    )
    .unwrap();
    let recovered = f.path("recovered");
    std::fs::write(&recovered, "set by the office ការិយាល័យ\n").unwrap();
    f.ok(&[
        "recovery",
        "unlock",
        "--identity-file",
        identity.to_str().unwrap(),
        "--new-passphrase-file",
        recovered.to_str().unwrap(),
    ]);
    let out = f
        .cmd(&[
            "--passphrase-file",
            recovered.to_str().unwrap(),
            "show",
            &later,
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn invalid_input_names_the_field() {
    let f = Field::new();
    let out = f.run_stdin(&["add", "person", "--file", "-"], "{ not json");
    assert_eq!(code(&out), 4);
    let out = f.run_stdin(
        &["add", "person", "--file", "-"],
        r#"{"pseudonym": "Dara", "role": "survivor", "shoe_size": 41}"#,
    );
    assert_eq!(code(&out), 4);
    assert!(
        text(&out.stderr).contains("shoe_size"),
        "{}",
        text(&out.stderr)
    );
    let mut visit = json(&f.example("visit"));
    visit["establishment_id"] = Value::String("0195f3a0-0000-7000-8000-0000000000ff".into());
    let out = f.run_stdin(&["add", "visit", "--file", "-"], &visit.to_string());
    assert_eq!(code(&out), 4);
    assert!(
        text(&out.stderr).contains("visit.establishment_id"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(code(&f.run(&["show", "not-an-id"])), 4);
    assert_eq!(
        code(&f.run(&["show", "0195f3a0-0000-7000-8000-0000000000ff"])),
        5
    );
}

#[test]
fn a_minor_is_never_interviewed_alone() {
    let f = Field::new();
    let place = f.add("establishment", &f.example("establishment"));
    let person = f.add("person", &f.example("person"));
    let mut interview = json(
        &f.example("interview")
            .replace(PERSON_PLACEHOLDER, &person)
            .replace(PLACE_PLACEHOLDER, &place),
    );
    let present: Vec<Value> = interview["people_present"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["role"] != "social_worker" && p["role"] != "guardian")
        .cloned()
        .collect();
    interview["people_present"] = Value::Array(present);
    let out = f.run_stdin(&["add", "interview", "--file", "-"], &interview.to_string());
    assert_eq!(code(&out), 4, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("interview.people_present"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn no_recording_without_recording_consent() {
    let f = Field::new();
    let place = f.add("establishment", &f.example("establishment"));
    let person = f.add("person", &f.example("person"));
    let mut interview = json(
        &f.example("interview")
            .replace(PERSON_PLACEHOLDER, &person)
            .replace(PLACE_PLACEHOLDER, &place),
    );
    interview["consent"]["recording"]["given"] = Value::Bool(false);
    let id = f.add("interview", &interview.to_string());
    let audio = f.path("rec.m4a");
    std::fs::write(&audio, b"not really audio").unwrap();
    let out = f.run(&["attach", &id, audio.to_str().unwrap()]);
    assert_eq!(code(&out), 4, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("recording consent"),
        "{}",
        text(&out.stderr)
    );
    // a photo needs no recording consent
    let photo = f.path("room.jpg");
    std::fs::write(&photo, b"jpeg-ish").unwrap();
    f.ok(&["attach", &id, photo.to_str().unwrap()]);
    // nothing of the refused recording is left behind
    let blobs = std::fs::read_dir(f.profile().join("attachments"))
        .unwrap()
        .count();
    assert_eq!(blobs, 1);
}

#[test]
fn a_profile_in_use_is_refused_clearly() {
    let f = Field::new();
    let pass = fieldcase_core::Passphrase::new(PASS.into());
    let _open = fieldcase_core::Profile::open(&f.profile(), &pass).unwrap();
    let out = f.run(&["list", "person"]);
    assert_eq!(code(&out), 6, "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("in use"));
}

#[test]
fn damaged_profiles_get_a_clear_message_and_no_write() {
    // missing key slot
    let f = Field::new();
    std::fs::remove_file(f.profile().join("keyslots.json")).unwrap();
    let out = f.run(&["list", "person"]);
    assert_eq!(code(&out), 7, "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("key-slot"));
    // damaged key slot
    let f = Field::new();
    std::fs::write(f.profile().join("keyslots.json"), b"{\"format\":").unwrap();
    assert_eq!(code(&f.run(&["list", "person"])), 7);
    // truncated database
    let f = Field::new();
    for i in 0..20 {
        f.add(
            "person",
            &f.example("person").replace("ផ្កាឈូក", &format!("ផ្កាឈូក-{i}")),
        );
    }
    let db = f.profile().join("store.db");
    let len = std::fs::metadata(&db).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    file.set_len(len / 2).unwrap();
    drop(file);
    let before = std::fs::read(&db).unwrap();
    let out = f.run(&["list", "person"]);
    assert_eq!(code(&out), 7, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("damaged"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
    // no profile at all
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fieldcase"))
        .arg("--profile")
        .arg(empty.path().join("none"))
        .args(["list", "person"])
        .env("FIELDCASE_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert_eq!(code(&out), 5);
}

#[test]
fn keys_show_prints_a_minisign_key_and_fingerprint() {
    let f = Field::new();
    let out = f.ok(&["keys", "show"]);
    assert!(
        out.contains("untrusted comment: minisign public key"),
        "{out}"
    );
    let k = json(&f.ok(&["--json", "keys", "show"]));
    let fp = k["fingerprint"].as_str().unwrap();
    assert_eq!(fp.len(), 16, "{fp}");
    assert!(k["public_key"].as_str().unwrap().starts_with("RW"));
}

#[test]
fn every_example_is_accepted() {
    let f = Field::new();
    for kind in ["establishment", "person"] {
        f.add(kind, &f.example(kind));
    }
    let schema = json(&f.ok(&["schema", "interview"]));
    assert!(schema["properties"]["narrative"].is_object());
}

/// kill -9 at random moments during writes: the store opens, integrity_check is ok, the
/// audit chain verifies, and every add that reported success kept its record.
#[test]
fn kill_9_during_writes_loses_nothing_that_was_reported() {
    let f = Field::new();
    let person = f.example("person");
    let mut reported = Vec::new();
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    for round in 0..40 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay_ms = seed % 60;
        let body = person.replace("ផ្កាឈូក", &format!("ផ្កាឈូក-{round}"));
        let mut child = f
            .cmd(&["add", "person", "--file", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(body.as_bytes())
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            reported.push(text(&out.stdout).trim().to_string());
        }
    }
    let pass = fieldcase_core::Passphrase::new(PASS.into());
    let store = fieldcase_core::Profile::open(&f.profile(), &pass).unwrap();
    assert_eq!(store.integrity_check().unwrap(), vec!["ok".to_string()]);
    assert!(store.audit_verify().unwrap().is_intact());
    drop(store);
    for id in &reported {
        f.ok(&["show", id]);
    }
    eprintln!("{} of 40 adds completed before the kill", reported.len());
}

/// A file-size limit (like a full disk) mid-attachment: a clean error, nothing half-written,
/// and the store works afterwards.
#[test]
fn a_full_disk_mid_attachment_rolls_back() {
    let f = Field::new();
    let (_, interview) = f.interview();
    let big = f.path("long.ogg");
    std::fs::write(&big, vec![7u8; 6 * 1024 * 1024]).unwrap();
    let before: Vec<_> = std::fs::read_dir(f.profile().join("attachments"))
        .map(|d| d.count())
        .into_iter()
        .collect();
    // bash ignores SIGXFSZ so the write fails with EFBIG instead of killing the process
    let script = format!(
        "trap '' XFSZ; ulimit -f 2048; exec '{}' --profile '{}' attach {} '{}'",
        env!("CARGO_BIN_EXE_fieldcase"),
        f.profile().display(),
        interview,
        big.display()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .env("FIELDCASE_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert_eq!(code(&out), 8, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("disk is full"),
        "{}",
        text(&out.stderr)
    );
    let after: Vec<_> = std::fs::read_dir(f.profile().join("attachments"))
        .map(|d| d.count())
        .into_iter()
        .collect();
    assert_eq!(
        before.iter().sum::<usize>(),
        after.iter().sum::<usize>(),
        "a partial file was left"
    );
    assert!(json(&f.ok(&["--json", "list", "attachment"]))
        .as_array()
        .unwrap()
        .is_empty());
    f.ok(&["attach", &interview, big.to_str().unwrap()]);
    assert!(f.ok(&["audit", "verify"]).contains("intact"));
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn scan(dir: &Path, needles: &[&str], found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            scan(&p, needles, found);
        } else if let Ok(bytes) = std::fs::read(&p) {
            for n in needles {
                if p.to_string_lossy().contains(n) {
                    found.push(format!("the file name {} holds {n:?}", p.display()));
                }
                if contains(&bytes, n.as_bytes()) {
                    found.push(format!("{} holds {n:?}", p.display()));
                }
            }
        }
    }
}

/// No record text in any file outside the encrypted database: markers (Latin and Khmer) in
/// records (body and protected identity), an attachment's bytes, name and description, and
/// searches; then every file (and file name) under the profile and the temp dir is searched,
/// after the commands, after a write killed mid-way, and while the store is open (WAL on disk).
#[test]
fn no_plaintext_outside_the_encrypted_store() {
    let f = Field::new();
    let latin = "ZQX-MARKER-7731-lotus";
    let khmer = "សម្ងាត់ខ្លាំងណាស់៧៧៣១";
    let markers = [latin, khmer];
    let assert_clean = |when: &str| {
        let mut found = Vec::new();
        scan(&f.profile(), &markers, &mut found);
        scan(&f.tmp(), &markers, &mut found);
        assert!(found.is_empty(), "{when}: plaintext found: {found:?}");
    };
    let mut person = json(&f.example("person"));
    person["pseudonym"] = Value::String(format!("{latin} {khmer}"));
    person["identity"]["family"][0]["name"] = Value::String(format!("{khmer} {latin}"));
    let person_id = f.add("person", &person.to_string());
    let mut place = json(&f.example("establishment"));
    place["name"] = Value::String(format!("{khmer} karaoke"));
    place["notes"] = Value::String(format!("{latin} back stairs"));
    f.add("establishment", &place.to_string());
    let (_, interview) = f.interview();
    let mut body = json(&f.ok(&["--json", "show", &interview]))["body"].clone();
    body["narrative"] = Value::String(format!("{khmer} {latin} narrative"));
    let out = f.run_stdin(&["edit", &interview, "--file", "-"], &body.to_string());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = f.path("outside").join(format!("{latin}-{khmer}.txt"));
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        format!("{latin} {khmer} in an attachment").repeat(5000),
    )
    .unwrap();
    f.ok(&[
        "attach",
        &person_id,
        file.to_str().unwrap(),
        "--description",
        &format!("{khmer} {latin} photo of the letter"),
    ]);
    // the markers really are in the store: search finds each, in person and interview
    for marker in markers {
        let hits = json(&f.ok(&["--json", "search", marker]));
        let ids: Vec<&str> = hits
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap())
            .collect();
        assert!(
            ids.contains(&person_id.as_str()) && ids.contains(&interview.as_str()),
            "{marker}: {hits}"
        );
    }
    f.ok(&["show", &person_id, "--history", "--reveal-identity"]);
    assert_clean("after the commands");

    // a write killed mid-way leaves whatever it left (a WAL, a partial file) encrypted
    for delay_ms in [5, 20, 40, 80] {
        let mut child = f
            .cmd(&["add", "person", "--file", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(person.to_string().as_bytes())
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        assert_clean(&format!("after a kill at {delay_ms} ms"));
    }

    // while the store is open and has written: the WAL and shared memory are on disk
    let pass = fieldcase_core::Passphrase::new(PASS.into());
    let mut store = fieldcase_core::Profile::open(&f.profile(), &pass).unwrap();
    let record = fieldcase_core::model::Record::from_json(
        fieldcase_core::model::RecordKind::Person,
        &person.to_string(),
    )
    .unwrap();
    store.add(record).unwrap();
    assert!(f.profile().join("store.db-wal").exists());
    assert_clean("while the store is open");
    drop(store);
    assert_clean("after the store closed");
}

#[test]
fn consent_withdrawn_later_is_a_revision_that_names_who_and_when() {
    let f = Field::new();
    let (_, interview) = f.interview();
    f.ok(&[
        "withdraw-consent",
        &interview,
        "--part",
        "recording",
        "--by",
        "SW-04 សុខា",
        "--at",
        "2026-03-21",
        "--note",
        "She called the office.",
    ]);
    let shown = json(&f.ok(&["--json", "show", &interview]));
    let withdrawn = &shown["body"]["consent"]["recording"]["withdrawn"];
    assert_eq!(withdrawn["recorded_by"], "SW-04 សុខា");
    assert_eq!(withdrawn["at"], "2026-03-21T12:00:00Z");
    assert_eq!(withdrawn["note"], "She called the office.");
    let history = json(&f.ok(&["--json", "show", &interview, "--history"]));
    assert_eq!(history.as_array().unwrap().len(), 2);

    // Twice, a part that does not exist, a date before the consent: refused, nothing written.
    for (args, field) in [
        (vec!["--part", "recording", "--by", "SW-04"], "withdrawn"),
        (vec!["--part", "photos", "--by", "SW-04"], "part"),
        (
            vec!["--part", "interview", "--by", "SW-04", "--at", "2001-01-01"],
            "withdrawn.at",
        ),
    ] {
        let mut all = vec!["withdraw-consent", interview.as_str()];
        all.extend(args);
        let out = f.run(&all);
        assert_eq!(code(&out), 4, "{all:?}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains(field),
            "{all:?}: {}",
            text(&out.stderr)
        );
    }
    let history = json(&f.ok(&["--json", "show", &interview, "--history"]));
    assert_eq!(history.as_array().unwrap().len(), 2);
}
