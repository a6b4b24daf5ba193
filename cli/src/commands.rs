//! One function per command: get what it needs, call the core once, print.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use fieldcase_core::crypto::KdfParams;
use fieldcase_core::error::ValidationError;
use fieldcase_core::model::{self, MediaKind, Record};
use fieldcase_core::store::attachments::{guess_media, NewAttachment};
use fieldcase_core::store::consent::ConsentPart;
use fieldcase_core::store::{ListCursor, ListPage, Revision};
use fieldcase_core::{NewProfile, Profile, Store};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    passphrase, AttachmentCommand, AuditCommand, Cli, Command, KeysCommand, RecoveryCommand,
};

/// A mistake in what was asked (not a core error): exit code 4.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn default_profile() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("org", "Fieldcase", "fieldcase")
        .ok_or_else(|| anyhow!("no home folder to keep the profile in; pass --profile DIR"))?;
    Ok(dirs.data_dir().join("profile"))
}

/// A date (`YYYY-MM-DD`, taken as noon UTC) or an RFC 3339 date and time.
fn parse_instant(text: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    let text = text.trim();
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        if let Some(noon) = day.and_hms_opt(12, 0, 0) {
            return Ok(noon.and_utc());
        }
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| {
            fieldcase_core::Error::from(ValidationError::new(
                "at",
                format!("{text:?} is neither YYYY-MM-DD nor an RFC 3339 date and time ({e})"),
            ))
            .into()
        })
}

pub(crate) fn parse_id(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text.trim())
        .map_err(|_| anyhow!(UsageError(format!("{text:?} is not a record id (a UUID)"))))
}

/// Opens a file the person named as an input: a regular file only (a FIFO or a device such as
/// `/dev/zero` is refused at once, see `fieldcase_core::files::open_input`).
pub(crate) fn open_input(path: &Path) -> Result<File> {
    Ok(fieldcase_core::files::open_input(path)?)
}

/// The text of a file the person named as an input (a regular file only).
pub(crate) fn read_text(path: &Path) -> Result<String> {
    let mut text = String::new();
    open_input(path)?
        .read_to_string(&mut text)
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(text)
}

/// A record's JSON from a file, or from standard input for `-`.
pub(crate) fn read_input(path: &Path) -> Result<String> {
    let mut text = String::new();
    if path == Path::new("-") {
        io::stdin()
            .read_to_string(&mut text)
            .context("reading standard input")?;
    } else {
        return read_text(path);
    }
    Ok(text)
}

pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    write_out(format_args!("{text}\n"))
}

/// Standard output was closed by its reader (`fieldcase list | head -1`): the command stops
/// quietly, as command-line tools do, instead of panicking.
#[derive(Debug)]
pub struct OutputClosed;

impl std::fmt::Display for OutputClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for OutputClosed {}

/// Writes to standard output; a closed pipe becomes [`OutputClosed`], never a panic.
pub fn write_out(args: std::fmt::Arguments<'_>) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// [`write_out`] for bytes already formatted (a CSV or JSON document).
pub fn write_out_bytes(bytes: &[u8]) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

fn stdout_error(e: io::Error) -> anyhow::Error {
    match e.kind() {
        io::ErrorKind::BrokenPipe => anyhow!(OutputClosed),
        _ => anyhow::Error::new(e).context("writing to standard output"),
    }
}

/// `print!` that returns a closed pipe as an error instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        write_out(format_args!($($arg)*))?
    };
}

/// `println!` that returns a closed pipe as an error instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::commands::write_out(format_args!("{}\n", format_args!($($arg)*)))?
    };
}
pub(crate) use outln;

pub(crate) struct Ctx {
    pub(crate) profile: PathBuf,
    pub(crate) passphrase_file: Option<PathBuf>,
    pub(crate) json: bool,
}

impl Ctx {
    pub(crate) fn open(&self) -> Result<Store> {
        let pass = passphrase::existing(self.passphrase_file.as_deref())?;
        let store = Profile::open(&self.profile, &pass)?;
        warn_if_weak_kdf(&store);
        Ok(store)
    }
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<()> {
    let profile = match cli.profile {
        Some(p) => p,
        None => default_profile()?,
    };
    let ctx = Ctx {
        profile,
        passphrase_file: cli.passphrase_file,
        json: cli.json,
    };
    match cli.command {
        Command::Init {
            device_name,
            author,
            #[cfg(debug_assertions)]
            insecure_fast_kdf_for_tests,
        } => {
            #[cfg(not(debug_assertions))]
            let insecure_fast_kdf_for_tests = false;
            init(&ctx, device_name, author, insecure_fast_kdf_for_tests)
        }
        Command::Passwd {
            new_passphrase_file,
            #[cfg(debug_assertions)]
            insecure_fast_kdf_for_tests,
        } => {
            #[cfg(not(debug_assertions))]
            let insecure_fast_kdf_for_tests = false;
            // Checked before the unlock, so a short one fails at once rather than after the KDF.
            let new = passphrase::new(new_passphrase_file.as_deref(), "FIELDCASE_NEW_PASSPHRASE")?;
            new.check_new()?;
            let mut store = ctx.open()?;
            store.change_passphrase(&new, kdf(insecure_fast_kdf_for_tests))?;
            say(
                &ctx,
                "The passphrase was changed. The old one no longer opens this profile.",
                json!({"changed": true}),
            )
        }
        Command::Example { kind } => print_json(&model::example(kind).to_value()),
        Command::Schema { kind } => print_json(&model::json_schema(kind)),
        Command::Add { kind, file } => {
            let record = Record::from_json(kind, &read_input(&file)?)?;
            let mut store = ctx.open()?;
            let id = store.add(record)?;
            if ctx.json {
                print_json(&json!({"id": id}))
            } else {
                outln!("{id}");
                Ok(())
            }
        }
        Command::Edit { id, file } => {
            let id = parse_id(&id)?;
            let text = read_input(&file)?;
            let mut store = ctx.open()?;
            let kind = store.show(id, false)?.kind;
            let record = Record::from_json(kind, &text)?;
            let rev = store.edit(id, record)?;
            say(
                &ctx,
                &format!("Saved revision {} of {id}.", rev.id),
                json!({"id": id, "revision": rev.id}),
            )
        }
        Command::Show {
            id,
            history,
            reveal_identity,
        } => {
            let id = parse_id(&id)?;
            let mut store = ctx.open()?;
            if history {
                show_history(&ctx, &mut store, id, reveal_identity)
            } else {
                show(&ctx, &mut store, id, reveal_identity)
            }
        }
        Command::List {
            kind,
            limit,
            offset,
            after,
        } => {
            let after = after
                .map(|c| c.parse::<ListCursor>())
                .transpose()
                .map_err(fieldcase_core::Error::from)?;
            let store = ctx.open()?;
            let page = if offset > 0 {
                let records = store.list(kind, limit, offset)?;
                ListPage {
                    next: None,
                    records,
                }
            } else {
                store.list_after(kind, limit, after.as_ref())?
            };
            if ctx.json {
                // An array, as before; the next cursor is the last row's `updated_at~id`.
                return print_json(&page.records);
            }
            if page.records.is_empty() {
                outln!("No {kind} records.");
            }
            for r in page.records {
                let conflict = if r.conflict { "  [conflict]" } else { "" };
                outln!("{}  {}  {}{}", r.id, r.updated_at, r.label, conflict);
            }
            if let Some(next) = page.next {
                eprintln!("More may follow: fieldcase list {kind} --after {next}");
            }
            Ok(())
        }
        Command::Search {
            text,
            limit,
            offset,
        } => {
            let store = ctx.open()?;
            let hits = store.search(&text, limit, offset)?;
            if ctx.json {
                return print_json(&hits);
            }
            if hits.is_empty() {
                outln!("Nothing found for {text:?}.");
            }
            for h in hits {
                outln!(
                    "{}  {:<13} {}\n    {}",
                    h.id,
                    h.kind.as_str(),
                    h.label,
                    h.excerpt
                );
            }
            Ok(())
        }
        Command::Attach {
            record_id,
            file,
            media,
            description,
        } => attach(&ctx, &record_id, &file, media, description),
        Command::Attachment(AttachmentCommand::Get { id, out }) => {
            let id = parse_id(&id)?;
            let mut store = ctx.open()?;
            let bytes = store.export_attachment(id, &out)?;
            say(
                &ctx,
                &format!(
                    "Wrote {bytes} bytes to {} (SHA-256 checked).",
                    out.display()
                ),
                json!({"bytes": bytes, "out": out}),
            )
        }
        Command::WithdrawConsent {
            id,
            part,
            by,
            at,
            note,
        } => {
            let id = parse_id(&id)?;
            let part: ConsentPart = part.parse().map_err(fieldcase_core::Error::from)?;
            let at = match at.as_deref() {
                None => chrono::Utc::now(),
                Some(text) => parse_instant(text)?,
            };
            let mut store = ctx.open()?;
            let rev = store.withdraw_consent(id, part, at, &by, &note)?;
            say(
                &ctx,
                &format!(
                    "Recorded the withdrawal of {} consent on {id} (revision {}).",
                    part.as_str(),
                    rev.id
                ),
                json!({"id": id, "revision": rev.id, "part": part, "at": at}),
            )
        }
        Command::Delete { id } => {
            let id = parse_id(&id)?;
            let mut store = ctx.open()?;
            let rev = store.delete(id)?;
            say(
                &ctx,
                &format!("Deleted {id} (tombstone {}; its history is kept).", rev.id),
                json!({"id": id, "revision": rev.id}),
            )
        }
        Command::Audit(AuditCommand::Verify) => {
            let store = ctx.open()?;
            let report = store.audit_verify()?;
            if ctx.json {
                print_json(&report)?;
            } else if let Some(seq) = report.first_broken {
                outln!(
                    "The audit chain is BROKEN at entry {seq}: {}.",
                    report.reason.clone().unwrap_or_default()
                );
            } else {
                outln!(
                    "The audit chain is intact: {} entries verified.",
                    report.entries
                );
            }
            if report.is_intact() {
                Ok(())
            } else {
                Err(fieldcase_core::Error::StoreDamaged(format!(
                    "audit chain broken at entry {}",
                    report.first_broken.unwrap_or(0)
                ))
                .into())
            }
        }
        Command::Audit(AuditCommand::Log) => {
            let store = ctx.open()?;
            let entries = store.audit_entries()?;
            if ctx.json {
                return print_json(&entries);
            }
            for e in entries {
                outln!(
                    "{:>6}  {}  {:<20} {}  {}",
                    e.seq,
                    e.at,
                    e.action,
                    e.actor,
                    e.record_id.unwrap_or_default()
                );
            }
            Ok(())
        }
        Command::Keys(KeysCommand::Show) => {
            let store = ctx.open()?;
            let key = store.device_key()?;
            if ctx.json {
                return print_json(
                    &json!({"device_id": store.device().id, "device_name": store.device().name,
                    "public_key": key.public_key, "fingerprint": key.fingerprint, "minisign": key.minisign}),
                );
            }
            outln!("Device {} ({})", store.device().name, store.device().id);
            outln!("Fingerprint: {}", key.fingerprint);
            out!("{}", key.minisign);
            Ok(())
        }
        Command::Office(cmd) => crate::bundles::office(&ctx, cmd),
        Command::Trust(cmd) => crate::bundles::trust(&ctx, cmd),
        Command::Export { out, all } => crate::bundles::export(&ctx, &out, all),
        Command::Verify { file } => crate::bundles::verify(&ctx, &file),
        Command::Import { file } => crate::bundles::import(&ctx, &file),
        Command::Receipt { bundle_id, out } => crate::bundles::receipt(&ctx, &bundle_id, &out),
        Command::ImportReceipt { file } => crate::bundles::import_receipt(&ctx, &file),
        Command::Purge { acknowledged } => crate::bundles::purge(&ctx, acknowledged),
        Command::Devices => crate::office::devices(&ctx),
        Command::Conflicts { command } => crate::office::conflicts(&ctx, command),
        Command::Resolve {
            id,
            take,
            file,
            drop: drops,
        } => crate::office::resolve(&ctx, &id, take.as_deref(), file.as_deref(), &drops),
        Command::Recovery(RecoveryCommand::Set { recipient }) => {
            let mut store = ctx.open()?;
            store.set_recovery_recipient(recipient.trim())?;
            say(
                &ctx,
                "The office's key can now unlock this profile if the passphrase is lost.",
                json!({"recovery": true}),
            )
        }
        Command::Recovery(RecoveryCommand::Unlock {
            identity_file,
            new_passphrase_file,
        }) => {
            let identity = zeroize::Zeroizing::new(read_text(&identity_file)?);
            let line = identity
                .lines()
                .find(|l| l.starts_with("AGE-SECRET-KEY-"))
                .ok_or_else(|| {
                    anyhow!(UsageError(
                        "the identity file holds no AGE-SECRET-KEY line".into()
                    ))
                })?;
            let new = passphrase::new(new_passphrase_file.as_deref(), "FIELDCASE_NEW_PASSPHRASE")?;
            new.check_new()?;
            let mut store = Profile::open_with_recovery(&ctx.profile, line)?;
            store.change_passphrase(&new, KdfParams::DEFAULT)?;
            say(
                &ctx,
                "Unlocked with the office key; the new passphrase is set.",
                json!({"recovered": true}),
            )
        }
        Command::Case(command) => crate::case::run(&ctx, command),
        Command::Report(which) => {
            crate::report::run_report(&ctx.profile, ctx.passphrase_file.as_deref(), which)
        }
        Command::PartnerExport(args) => crate::report::run_partner_export(
            &ctx.profile,
            ctx.passphrase_file.as_deref(),
            ctx.json,
            args,
        ),
    }
}

/// A release build makes no key slot below the floor, but opens one made before, and says so.
fn warn_if_weak_kdf(store: &Store) {
    if fieldcase_core::crypto::WEAK_KDF_ALLOWED {
        return;
    }
    if let Ok(p) = store.key_slot_params() {
        if p.below_release_floor() {
            eprintln!(
                "fieldcase: warning: this profile's passphrase is protected by a weak key \
                 derivation ({} MiB, {} passes); run `fieldcase passwd` to strengthen it",
                p.m_kib / 1024,
                p.t
            );
        }
    }
}

fn kdf(insecure: bool) -> KdfParams {
    if insecure {
        KdfParams::FOR_TESTS_ONLY
    } else {
        KdfParams::DEFAULT
    }
}

pub(crate) fn say(ctx: &Ctx, text: &str, value: Value) -> Result<()> {
    if ctx.json {
        print_json(&value)
    } else {
        outln!("{text}");
        Ok(())
    }
}

fn init(ctx: &Ctx, device_name: String, author: Option<String>, insecure: bool) -> Result<()> {
    if Profile::exists(&ctx.profile) {
        return Err(fieldcase_core::Error::ProfileExists(ctx.profile.clone()).into());
    }
    let pass = passphrase::new(ctx.passphrase_file.as_deref(), "FIELDCASE_PASSPHRASE")?;
    let store = Profile::init(
        &ctx.profile,
        &pass,
        &NewProfile {
            device_name,
            author,
            kdf: kdf(insecure),
            unencrypted_for_benchmarks: false,
        },
    )?;
    let key = store.device_key()?;
    if ctx.json {
        return print_json(
            &json!({"profile": ctx.profile, "device_id": store.device().id, "fingerprint": key.fingerprint}),
        );
    }
    outln!("Created an encrypted profile in {}.", ctx.profile.display());
    outln!(
        "Device {} ({}), signing key fingerprint {}.",
        store.device().name,
        store.device().id,
        key.fingerprint
    );
    outln!("Keep the passphrase safe: without it (or the office's recovery key) nothing here can be read.");
    Ok(())
}

fn attach(
    ctx: &Ctx,
    record_id: &str,
    file: &Path,
    media: Option<String>,
    description: Option<String>,
) -> Result<()> {
    let record_id = parse_id(record_id)?;
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "attachment".into());
    let (guessed, media_type) = guess_media(&file_name);
    let media = match media {
        None => guessed,
        Some(m) => serde_json::from_value::<MediaKind>(Value::String(m.clone())).map_err(|_| {
            anyhow!(UsageError(format!(
                "--media {m:?}: use audio, photo, video or document"
            )))
        })?,
    };
    let mut source = open_input(file)?;
    let mut store = ctx.open()?;
    let id = store.attach(
        NewAttachment {
            record_id,
            media,
            file_name,
            media_type: media_type.into(),
            description,
        },
        &mut source,
    )?;
    if ctx.json {
        let view = store.show(id, false)?;
        return print_json(
            &json!({"id": id, "sha256": view.body.as_ref().and_then(|b| b.get("sha256")).cloned()}),
        );
    }
    outln!("{id}");
    Ok(())
}

fn show(ctx: &Ctx, store: &mut Store, id: Uuid, reveal: bool) -> Result<()> {
    let view = store.show(id, reveal)?;
    if ctx.json {
        return print_json(&view);
    }
    outln!("{} · {} · {}", view.kind, view.label, view.id);
    outln!("created {} · changed {}", view.created_at, view.updated_at);
    if view.deleted {
        outln!("DELETED (its history is kept: show --history)");
    }
    if view.in_conflict() {
        outln!(
            "CONFLICT: {} versions were made apart; the newest is shown. Heads: {:?}. Compare them with `fieldcase conflicts show {}`",
            view.heads.len(),
            view.heads,
            view.id
        );
    }
    if view.has_identity && !reveal {
        outln!("Identity: protected (show it with --reveal-identity; that is logged)");
    }
    if let Some(purged) = &view.purged {
        println!(
            "PURGED: the office holds this content; it was removed from this laptop. {}",
            serde_json::to_string(purged)?
        );
    }
    if let Some(body) = &view.body {
        outln!("{}", serde_json::to_string_pretty(body)?);
    }
    Ok(())
}

fn show_history(ctx: &Ctx, store: &mut Store, id: Uuid, reveal: bool) -> Result<()> {
    let revs = store.history(id, reveal)?;
    if ctx.json {
        return print_json(&revs);
    }
    let mut previous: Option<&Revision> = None;
    for (i, rev) in revs.iter().enumerate() {
        let what = if rev.deleted {
            "deleted".to_string()
        } else if rev.parents.is_empty() {
            "created".to_string()
        } else {
            let changed = changed_fields(previous.and_then(|p| p.body.as_ref()), rev.body.as_ref());
            if changed.is_empty() {
                "edited (no field changed)".into()
            } else {
                format!("edited: {}", changed.join(", "))
            }
        };
        outln!(
            "{}. {}  {}  by {}  on device {}",
            i + 1,
            rev.created_at.to_rfc3339(),
            what,
            rev.author,
            rev.device_id
        );
        outln!(
            "   revision {}  hash {}",
            rev.id,
            &rev.body_hash[..16.min(rev.body_hash.len())]
        );
        previous = Some(rev);
    }
    Ok(())
}

fn changed_fields(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let (Some(Value::Object(a)), Some(Value::Object(b))) = (before, after) else {
        return Vec::new();
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| k.to_string())
        .collect()
}

impl std::error::Error for UsageError {}
