//! What every CLI behaviour test needs: a profile in its own temp folder, and the real
//! `fieldcase` binary run on it as a person would (passphrase from the environment, temp
//! files kept inside the test's folder). Each test file wraps [`Profile`] with what only it
//! needs.
// Each test binary uses part of this module.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_fieldcase");

/// A profile folder (`<tmp>/profile`) and the passphrase it was made with.
pub struct Profile {
    dir: tempfile::TempDir,
    pass: &'static str,
}

impl Profile {
    /// `fieldcase init` with the cheap test KDF and `init_args` (device name, author…).
    pub fn init(pass: &'static str, init_args: &[&str]) -> Profile {
        let p = Profile {
            dir: tempfile::tempdir().unwrap(),
            pass,
        };
        let mut args = vec!["init"];
        args.extend_from_slice(init_args);
        args.push("--insecure-fast-kdf-for-tests");
        p.ok(&args);
        p
    }
    /// A path inside the test's folder (beside the profile).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    pub fn profile(&self) -> PathBuf {
        self.path("profile")
    }
    /// The test's own TMPDIR, so a scan for plaintext can read everything the binary wrote.
    pub fn tmp(&self) -> PathBuf {
        let t = self.path("tmp");
        std::fs::create_dir_all(&t).unwrap();
        t
    }
    pub fn pass(&self) -> &'static str {
        self.pass
    }
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--profile").arg(self.profile()).args(args);
        c.env("FIELDCASE_PASSPHRASE", self.pass)
            .env("TMPDIR", self.tmp())
            .env_remove("FIELDCASE_PROFILE")
            .env_remove("FIELDCASE_NEW_PASSPHRASE");
        c
    }
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).stdin(Stdio::null()).output().unwrap()
    }
    /// Runs with `input` on standard input.
    pub fn run_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
    /// Runs, asserts success, returns standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "fieldcase {args:?} failed ({:?}): {}",
            out.status.code(),
            text(&out.stderr)
        );
        text(&out.stdout)
    }
    /// `fieldcase --json <args>`, parsed.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        json(&self.ok(&all))
    }
    /// `fieldcase add <kind> --file -`; returns the new id.
    pub fn add(&self, kind: &str, body: &str) -> String {
        let out = self.run_stdin(&["add", kind, "--file", "-"], body);
        assert!(
            out.status.success(),
            "add {kind} failed: {}",
            text(&out.stderr)
        );
        text(&out.stdout).trim().to_string()
    }
    /// `fieldcase example <kind>`.
    pub fn example(&self, kind: &str) -> String {
        self.ok(&["example", kind])
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

pub fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}
