//! Office keys, trust, bundles, receipts and purge: one function per command.

use crate::commands::outln;
use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Result;
use fieldcase_core::bundle::{ExportOptions, Gaps, Progress};
use serde_json::json;

use crate::commands::{parse_id, print_json, say, Ctx, UsageError};
use crate::{IdentityCommand, OfficeCommand, TrustCommand};

/// A progress line on stderr when it is a terminal; nothing otherwise.
fn progress_line(verb: &'static str) -> impl FnMut(Progress) {
    let terminal = std::io::stderr().is_terminal();
    let mut last_percent = u64::MAX;
    move |p: Progress| {
        if !terminal || p.total == 0 {
            return;
        }
        let percent = p.done.saturating_mul(100) / p.total;
        if percent == last_percent {
            return;
        }
        last_percent = percent;
        let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{verb} {percent:>3}% ({:.1} of {:.1} MiB)",
            mib(p.done),
            mib(p.total)
        );
        if p.done >= p.total {
            let _ = writeln!(err);
        }
    }
}

pub fn office(ctx: &Ctx, cmd: OfficeCommand) -> Result<()> {
    match cmd {
        OfficeCommand::Init => {
            let mut store = ctx.open()?;
            let recipient = store.office_init()?;
            if ctx.json {
                return print_json(&json!({"recipient": recipient}));
            }
            outln!("This profile is now an office. Field laptops encrypt bundles to:");
            outln!("{recipient}");
            Ok(())
        }
        OfficeCommand::Recipient => {
            let store = ctx.open()?;
            let recipient = store.office_recipient()?;
            if ctx.json {
                return print_json(&json!({"recipient": recipient}));
            }
            outln!("{recipient}");
            Ok(())
        }
        OfficeCommand::Identity(IdentityCommand::Export { out }) => {
            let mut store = ctx.open()?;
            store.export_office_identity(&out)?;
            eprintln!(
                "WARNING: {} now holds the office's secret key. Whoever has this file can read every \
                 bundle ever sent to this office. Keep it offline, in escrow, and never on a field laptop.",
                out.display()
            );
            say(
                ctx,
                &format!("The office identity was written to {}.", out.display()),
                json!({"written": out}),
            )
        }
        OfficeCommand::AddRecipient { recipient } => {
            let mut store = ctx.open()?;
            store.add_office_recipient(&recipient)?;
            let all = store.office_recipients()?;
            say(
                ctx,
                &format!(
                    "Bundles from this profile will be encrypted to {} office key(s).",
                    all.len()
                ),
                json!({"recipients": all}),
            )
        }
    }
}

fn parse_device_id(text: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(text.trim()).map_err(|_| {
        anyhow::anyhow!(UsageError(format!(
            "{text:?} is not a device id (a UUID, as `fieldcase keys show` on the laptop prints it)"
        )))
    })
}

pub fn trust(ctx: &Ctx, cmd: TrustCommand) -> Result<()> {
    match cmd {
        TrustCommand::Add {
            public_key,
            name,
            device,
        } => {
            let device = device.as_deref().map(parse_device_id).transpose()?;
            let mut store = ctx.open()?;
            let key = store.trust_add_for_device(&public_key, &name, device)?;
            if ctx.json {
                return print_json(&key);
            }
            match key.device_id {
                Some(device) => outln!(
                    "Trusted key {} ({}) for device {device}.",
                    key.key_id,
                    key.name
                ),
                None => outln!(
                    "Trusted key {} ({}); its first bundle sets the device it signs for.",
                    key.key_id,
                    key.name
                ),
            }
            Ok(())
        }
        TrustCommand::List => {
            let store = ctx.open()?;
            let keys = store.trust_list()?;
            if ctx.json {
                return print_json(&keys);
            }
            if keys.is_empty() {
                outln!("No trusted keys.");
            }
            for k in keys {
                let state = match &k.revoked_at {
                    Some(at) => format!("REVOKED {at}"),
                    None => "trusted".to_string(),
                };
                let device = k.device_id.map_or_else(
                    || "device not yet known".to_string(),
                    |d| format!("device {d}"),
                );
                outln!(
                    "{}  {}  since {}  {}  {}  {}",
                    k.key_id,
                    state,
                    k.added_at,
                    k.name,
                    device,
                    k.public_key
                );
            }
            Ok(())
        }
        TrustCommand::Revoke { key } => {
            let mut store = ctx.open()?;
            let key = store.trust_revoke(&key)?;
            if ctx.json {
                return print_json(&key);
            }
            outln!(
                "Revoked key {} ({}); bundles and receipts it signs are refused from now on.",
                key.key_id,
                key.name
            );
            Ok(())
        }
    }
}

fn gaps_text(g: &Gaps) -> Vec<String> {
    let mut out = Vec::new();
    if g.already_imported {
        out.push("this bundle was imported before".to_string());
    }
    if !g.missing.is_empty() {
        let list: Vec<String> = g.missing.iter().map(u64::to_string).collect();
        out.push(format!(
            "bundle(s) {} from this device have not arrived",
            list.join(", ")
        ));
    }
    if g.out_of_order {
        out.push("a later bundle from this device arrived first (out of order)".into());
    }
    if g.previous_mismatch {
        out.push(
            "its previous-bundle hash differs from the bundle imported before it: ask the device"
                .into(),
        );
    }
    out
}

pub fn export(ctx: &Ctx, out: &Path, all: bool) -> Result<()> {
    let mut store = ctx.open()?;
    let mut progress = progress_line("export");
    let summary = store.export_bundle(out, ExportOptions { all }, &mut progress)?;
    if ctx.json {
        return print_json(&summary);
    }
    let c = summary.counts;
    outln!(
        "Wrote bundle {} (sequence {}) to {}: {} revision(s) of {} record(s), {} tombstone(s), {} attachment(s), {} bytes.",
        summary.bundle_id,
        summary.sequence,
        summary.path.display(),
        c.revisions,
        c.records,
        c.tombstones,
        c.attachments,
        summary.file_bytes
    );
    Ok(())
}

pub fn verify(ctx: &Ctx, file: &Path) -> Result<()> {
    let store = ctx.open()?;
    let mut progress = progress_line("verify");
    let report = store.verify_bundle(file, &mut progress)?;
    if ctx.json {
        return print_json(&report);
    }
    let m = &report.manifest;
    let c = m.counts;
    outln!("Bundle {} is intact and signed.", m.bundle_id);
    outln!(
        "Device: {} ({}), key {} trusted as \"{}\"",
        m.device_name,
        m.device_id,
        report.signer.key_id,
        report.signer.name
    );
    outln!(
        "Sequence: {}  written {}",
        m.sequence,
        m.created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    outln!(
        "Holds: {} revision(s) of {} record(s), {} tombstone(s), {} attachment(s) ({} bytes)",
        c.revisions,
        c.records,
        c.tombstones,
        c.attachments,
        c.attachment_bytes
    );
    let gaps = gaps_text(&report.gaps);
    if gaps.is_empty() {
        outln!("Gaps: none");
    }
    for g in gaps {
        outln!("Note: {g}");
    }
    Ok(())
}

pub fn import(ctx: &Ctx, file: &Path) -> Result<()> {
    let mut store = ctx.open()?;
    let mut progress = progress_line("import");
    let summary = store.import_bundle(file, &mut progress)?;
    if ctx.json {
        return print_json(&summary);
    }
    if summary.gaps.already_imported {
        outln!(
            "Bundle {} was imported before; nothing changed.",
            summary.bundle_id
        );
        return Ok(());
    }
    outln!(
        "Imported bundle {} from {} (sequence {}, signed by \"{}\"): {} new revision(s), {} already here, {} tombstone(s), {} attachment(s) stored.",
        summary.bundle_id,
        summary.device_name,
        summary.sequence,
        summary.signer,
        summary.added,
        summary.known,
        summary.tombstones,
        summary.attachments_stored
    );
    for id in &summary.conflicts {
        outln!(
            "Conflict: record {id} now has two or more versions; compare them with `fieldcase conflicts show {id}`."
        );
    }
    for g in gaps_text(&summary.gaps) {
        outln!("Note: {g}");
    }
    Ok(())
}

pub fn receipt(ctx: &Ctx, bundle_id: &str, out: &Path) -> Result<()> {
    let id = parse_id(bundle_id)?;
    let mut store = ctx.open()?;
    let summary = store.write_receipt(id, out)?;
    if ctx.json {
        return print_json(&summary);
    }
    outln!(
        "Wrote a signed receipt for bundle {} (sequence {}): {} revision(s), {} attachment(s) held by {}. Send {} back to the laptop.",
        summary.bundle_id,
        summary.sequence,
        summary.revisions,
        summary.attachments,
        summary.office,
        out.display()
    );
    Ok(())
}

pub fn import_receipt(ctx: &Ctx, file: &Path) -> Result<()> {
    let mut store = ctx.open()?;
    let summary = store.import_receipt(file)?;
    if ctx.json {
        return print_json(&summary);
    }
    outln!(
        "{} acknowledged bundle {} (sequence {}): {} revision(s) and {} attachment(s) are now held by the office; `fieldcase purge --acknowledged` removes them from this laptop.",
        summary.office, summary.bundle_id, summary.sequence, summary.revisions, summary.attachments
    );
    Ok(())
}

pub fn purge(ctx: &Ctx, acknowledged: bool) -> Result<()> {
    let _ = acknowledged; // required by the parser: purge has one mode, said out loud
    let mut store = ctx.open()?;
    let s = store.purge_acknowledged()?;
    if ctx.json {
        return print_json(&s);
    }
    outln!(
        "Purged {} revision(s) ({} record(s) now stubs, {} identity section(s), {} draft(s) editing them) and {} attachment(s) ({} bytes) that the office holds.",
        s.revisions, s.records, s.identities, s.drafts, s.attachments, s.attachment_bytes
    );
    Ok(())
}
