//! `fieldcase`: the command-line shell over Fieldcase's core, for office staff and scripts.
//!
//! Parses arguments, gets a passphrase, calls one core function, prints the result for a
//! person or, with `--json`, for a script. Errors from the core are mapped once, in
//! [`exit::code_for`], to a documented exit code.
#![forbid(unsafe_code)]

mod bundles;
mod case;
mod commands;
mod exit;
mod office;
mod passphrase;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Fieldcase: encrypted case records for anti-trafficking field work.
///
/// Every record lives in an encrypted profile folder. Commands that read or write records ask
/// for the profile's passphrase: from --passphrase-file, the FIELDCASE_PASSPHRASE variable,
/// or a prompt. Exit codes: 0 success, 1 other failure, 2 bad arguments, 3 wrong passphrase
/// (or too many in a row: wait the time given),
/// 4 invalid input, 5 not found (record, attachment or profile), 6 profile in use,
/// 7 store or key slot damaged (or from a newer Fieldcase), 8 disk full, 9 record in conflict,
/// 10 bundle or receipt refused (or no bundle can be made).
#[derive(Debug, Parser)]
#[command(name = "fieldcase", version, about, long_about)]
pub struct Cli {
    /// The profile folder [default: the platform's data folder, e.g. ~/.local/share/fieldcase/profile]
    #[arg(long, global = true, env = "FIELDCASE_PROFILE", value_name = "DIR")]
    profile: Option<PathBuf>,
    /// Read the passphrase from the first line of this file
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// Print results (and errors, on stderr) as JSON for scripts
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

/// The record kinds, as typed on the command line.
pub type KindArg = fieldcase_core::model::RecordKind;

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new encrypted profile (asks for the passphrase twice)
    Init {
        /// This device's name, e.g. "Field laptop 3"
        #[arg(long, default_value = "Fieldcase laptop")]
        device_name: String,
        /// Who writes on this device (name or staff code) [default: the device name]
        #[arg(long)]
        author: Option<String>,
        /// INSECURE: a cheap key derivation, for automated tests only (debug builds only)
        #[cfg(debug_assertions)]
        #[arg(long, hide = true)]
        insecure_fast_kdf_for_tests: bool,
    },
    /// Change the passphrase; the data is re-encrypted under a new key, so the old passphrase and key-slot file open nothing
    Passwd {
        /// Read the new passphrase from this file [or FIELDCASE_NEW_PASSPHRASE, or a prompt]
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
        /// INSECURE: a cheap key derivation, for automated tests only (debug builds only)
        #[cfg(debug_assertions)]
        #[arg(long, hide = true)]
        insecure_fast_kdf_for_tests: bool,
    },
    /// Print a complete, valid example record of a kind (a template for `add`)
    Example {
        /// person, establishment, visit, interview, case, referral or attachment
        kind: KindArg,
    },
    /// Print the JSON Schema of a record kind
    Schema {
        /// person, establishment, visit, interview, case, referral or attachment
        kind: KindArg,
    },
    /// Add a record from JSON; prints the new record's id
    Add {
        /// person, establishment, visit, interview, case or referral
        kind: KindArg,
        /// The JSON file, or - for standard input
        #[arg(long, short)]
        file: PathBuf,
    },
    /// Edit a record: appends a revision; the earlier ones stay
    Edit {
        /// The record's id
        id: String,
        /// The JSON file with the whole record as it should now be, or - for standard input
        #[arg(long, short)]
        file: PathBuf,
    },
    /// Show a record as it stands, or its whole history
    Show {
        /// The record's id
        id: String,
        /// List every revision: who, when, what
        #[arg(long)]
        history: bool,
        /// Include a person's protected identity section (logged in the audit chain)
        #[arg(long)]
        reveal_identity: bool,
    },
    /// List records of a kind, most recently changed first
    List {
        /// person, establishment, visit, interview, case, referral or attachment
        kind: KindArg,
        /// How many
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// How many to skip (slow on deep pages; prefer --after)
        #[arg(long, default_value_t = 0, conflicts_with = "after")]
        offset: u32,
        /// Continue after this cursor: the last row's <updated_at>~<id>, printed after a full page
        #[arg(long, value_name = "CURSOR")]
        after: Option<String>,
    },
    /// Find records whose text contains these words (any language, Khmer included)
    Search {
        /// What to look for
        text: String,
        /// How many
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// How many to skip (for paging)
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// Store a file (audio, photo, document) encrypted, attached to a record; prints its id
    Attach {
        /// The record it belongs to (interview, visit, person, establishment or case)
        record_id: String,
        /// The file
        file: PathBuf,
        /// audio, photo, video or document [default: from the file name]
        #[arg(long)]
        media: Option<String>,
        /// What it shows or holds
        #[arg(long)]
        description: Option<String>,
    },
    /// Attachment bytes
    #[command(subcommand)]
    Attachment(AttachmentCommand),
    /// Record that the person withdrew a part of their consent to an interview (a new revision)
    WithdrawConsent {
        /// The interview's id
        id: String,
        /// Which part: interview, recording, sharing_with_police, sharing_with_prosecutors
        #[arg(long)]
        part: String,
        /// Who recorded the withdrawal (name or staff code)
        #[arg(long)]
        by: String,
        /// When it was withdrawn: YYYY-MM-DD (noon UTC) or RFC 3339; default now
        #[arg(long)]
        at: Option<String>,
        /// A note
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Delete a record (a tombstone revision; its history stays)
    Delete {
        /// The record's id
        id: String,
    },
    /// The audit log
    #[command(subcommand)]
    Audit(AuditCommand),
    /// This device's signing key
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Office recovery of a lost passphrase
    #[command(subcommand)]
    Recovery(RecoveryCommand),
    /// A case and everything linked to it (`show`), or its printable summary, a PDF that is
    /// not encrypted, identities withheld unless asked for, which is logged (`summary`)
    #[command(subcommand)]
    Case(case::CaseCommand),
    /// Figures for the office and partners: prevalence of minors, casework (read-only)
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Write a record-level CSV of one kind for partners (coded fields only; logged)
    PartnerExport(report::PartnerExportArgs),
    /// The office's age key (office profile), or the offices this laptop sends to (field profile)
    #[command(subcommand)]
    Office(OfficeCommand),
    /// Signing keys this profile trusts: devices (on the office), the office (on a laptop)
    #[command(subcommand)]
    Trust(TrustCommand),
    /// Write a signed, encrypted bundle of what the office has not acknowledged yet
    Export {
        /// The bundle file to write (must not exist), e.g. laptop3-2026-11-23.fcb
        #[arg(long)]
        out: PathBuf,
        /// Everything (not purged), not only what no receipt has acknowledged
        #[arg(long)]
        all: bool,
    },
    /// Check a bundle as import would (signer, every hash, every record), writing nothing
    Verify {
        /// The bundle file
        file: PathBuf,
    },
    /// Import a bundle: everything after every check, in one transaction, or nothing
    Import {
        /// The bundle file
        file: PathBuf,
    },
    /// On the office: write a signed receipt for an imported bundle, for the laptop that sent it
    Receipt {
        /// The bundle's id (import prints it)
        bundle_id: String,
        /// The receipt file to write (must not exist)
        #[arg(long)]
        out: PathBuf,
    },
    /// On a laptop: check the office's receipt (a trusted office key) and mark what it lists acknowledged
    ImportReceipt {
        /// The receipt file
        file: PathBuf,
    },
    /// Remove from this laptop what the office acknowledged holding, leaving stubs (logged)
    Purge {
        /// Purge what signed receipts acknowledged (required: purge removes nothing else)
        #[arg(long, required = true)]
        acknowledged: bool,
    },
    /// On the office: each trusted device, its bundles by sequence (missing ones marked), when it was last seen, receipts written
    Devices,
    /// Records edited apart on two devices (two or more versions): list them, or show one side by side
    Conflicts {
        #[command(subcommand)]
        command: Option<ConflictsCommand>,
    },
    /// Resolve a conflict: take one version whole, or give the merged record (every version stays in the history)
    #[command(group(clap::ArgGroup::new("how").required(true).args(["take", "file"])))]
    Resolve {
        /// The record's id
        id: String,
        /// Take this version whole: a revision id, as `conflicts show` lists them
        #[arg(long, value_name = "REVISION")]
        take: Option<String>,
        /// The merged record as it should now be (JSON file, or - for standard input)
        #[arg(long, short, value_name = "FILE")]
        file: Option<PathBuf>,
        /// Confirm dropping a field every version holds, e.g. /location/city (repeat for each)
        #[arg(long = "drop", value_name = "FIELD")]
        drop: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ConflictsCommand {
    /// List the records in conflict (what `fieldcase conflicts` does alone)
    List,
    /// Show one record's versions side by side and the fields on which they differ
    Show {
        /// The record's id
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum OfficeCommand {
    /// Make this profile an office: create its age key inside the encrypted store
    Init,
    /// Print the office's age recipient (age1…) for field laptops
    Recipient,
    /// The office's age identity
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// On a field profile: encrypt bundles to this office recipient (age1…) too
    AddRecipient {
        /// The office's recipient, as `fieldcase office recipient` prints it
        recipient: String,
    },
}

#[derive(Debug, Subcommand)]
enum IdentityCommand {
    /// Write the office's age identity to a file for escrow (standard age identity file)
    Export {
        /// Where to write it (must not exist; created readable by its owner only)
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum TrustCommand {
    /// Trust a minisign public key (as `fieldcase keys show` prints it)
    Add {
        /// The public key (base64 line, or minisign's two-line form)
        public_key: String,
        /// Whose it is, e.g. "Field laptop 3 (Battambang)"
        #[arg(long)]
        name: String,
        /// The device id the key signs for (`fieldcase keys show` on the laptop prints it);
        /// without it, the key's first bundle sets it
        #[arg(long)]
        device: Option<String>,
    },
    /// List trusted keys, revoked ones included
    List,
    /// Revoke trust in a key (by key id or public key); final
    Revoke {
        /// The key id (16 hex digits) or the public key
        key: String,
    },
}

#[derive(Debug, Subcommand)]
enum AttachmentCommand {
    /// Write an attachment's bytes to a file (checked against its SHA-256; logged)
    Get {
        /// The attachment's id
        id: String,
        /// Where to write it (must not exist)
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; names the first broken entry
    Verify,
    /// Print the audit log
    Log,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Print the device's Ed25519 public key (minisign format) and its fingerprint
    Show,
}

#[derive(Debug, Subcommand)]
enum RecoveryCommand {
    /// Let the office's age key unlock this profile if the passphrase is lost
    Set {
        /// The office's age recipient (age1…)
        recipient: String,
    },
    /// Unlock with the office's age identity file and set a new passphrase
    Unlock {
        /// The office's age identity file (AGE-SECRET-KEY-1…)
        #[arg(long)]
        identity_file: PathBuf,
        /// Read the new passphrase from this file [or FIELDCASE_NEW_PASSPHRASE, or a prompt]
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    // Before anything reads a passphrase: no core file, no ptrace by other processes.
    if let Err(e) = fieldcase_core::hygiene::harden_process() {
        eprintln!("fieldcase: warning: {e}");
    }
    let cli = Cli::parse();
    let json = cli.json;
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our output (e.g. `head`) has all it wanted: nothing went wrong here.
        Err(err) if err.downcast_ref::<commands::OutputClosed>().is_some() => ExitCode::SUCCESS,
        Err(err) => exit::report(&err, json),
    }
}
