//! The office's views: devices and what they sent, records in conflict, and resolving them.

use std::path::Path;

use anyhow::Result;
use fieldcase_core::model::Record;
use fieldcase_core::store::{ConflictView, DeviceTimeline, EntryStatus, Resolution};
use serde_json::Value;

use crate::commands::{outln, parse_id, print_json, read_input, Ctx, UsageError};
use crate::ConflictsCommand;

pub fn devices(ctx: &Ctx) -> Result<()> {
    let store = ctx.open()?;
    let devices = store.device_timelines()?;
    if ctx.json {
        return print_json(&serde_json::json!({ "devices": devices }));
    }
    if devices.is_empty() {
        outln!("No trusted devices. Trust a laptop's signing key with `fieldcase trust add`.");
    }
    for (i, d) in devices.iter().enumerate() {
        if i > 0 {
            outln!("");
        }
        print_device(d)?;
    }
    Ok(())
}

fn numbers(list: &[u64]) -> String {
    list.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_device(d: &DeviceTimeline) -> Result<()> {
    outln!(
        "{}  key {}  trusted since {}",
        d.name,
        d.key_id,
        d.trusted_at
    );
    if let Some(at) = &d.revoked_at {
        outln!("  REVOKED {at}: bundles it signs are refused");
    }
    if let Some(name) = &d.device_name {
        outln!("  calls itself \"{name}\"");
    }
    match d.bound_device {
        Some(bound) => outln!("  signs for device {bound} only"),
        None => outln!("  device not yet known: its first bundle sets it"),
    }
    for id in d
        .device_ids
        .iter()
        .filter(|id| Some(**id) != d.bound_device)
    {
        outln!("  bundles also named device {id}");
    }
    if !d.forked.is_empty() {
        outln!(
            "  WARNING: two different bundles under one number (a copied laptop, or its key used elsewhere): {}",
            numbers(&d.forked)
        );
    }
    let Some(last) = &d.last_seen else {
        outln!("  nothing received yet");
        return Ok(());
    };
    outln!(
        "  last seen {last}; {} bundle(s) received, up to sequence {}",
        d.bundles_received,
        d.newest_sequence.unwrap_or(0)
    );
    if !d.missing.is_empty() {
        outln!("  missing: {}", numbers(&d.missing));
    }
    if !d.without_receipt.is_empty() {
        outln!(
            "  no receipt written yet for: {}",
            numbers(&d.without_receipt)
        );
    }
    for e in &d.timeline {
        let Some(b) = &e.bundle else {
            debug_assert_eq!(e.status, EntryStatus::Missing);
            outln!("  {:>5}  MISSING", e.sequence);
            continue;
        };
        let receipt = match b.receipts.last() {
            Some(r) if b.receipts.len() > 1 => {
                format!("{} receipts, last {}", b.receipts.len(), r.written_at)
            }
            Some(r) => format!("receipt {}", r.written_at),
            None => "no receipt".to_string(),
        };
        outln!(
            "  {:>5}  written {}  imported {}  {} revision(s), {} attachment(s)  {}  bundle {}",
            e.sequence,
            b.written_at,
            b.imported_at,
            b.revisions,
            b.attachments,
            receipt,
            b.bundle_id
        );
        if b.previous_matches == Some(false) {
            outln!(
                "         its previous-bundle hash does not match bundle {} as received: ask the device",
                e.sequence.saturating_sub(1)
            );
        }
    }
    Ok(())
}

pub fn conflicts(ctx: &Ctx, command: Option<ConflictsCommand>) -> Result<()> {
    match command.unwrap_or(ConflictsCommand::List) {
        ConflictsCommand::List => {
            let store = ctx.open()?;
            let list = store.conflicts()?;
            if ctx.json {
                return print_json(&list);
            }
            if list.is_empty() {
                outln!("No records in conflict.");
            }
            for c in list {
                outln!(
                    "{}  {:<13} {}  {} versions  changed {}",
                    c.id,
                    c.kind.as_str(),
                    c.label,
                    c.heads.len(),
                    c.updated_at
                );
            }
            Ok(())
        }
        ConflictsCommand::Show { id } => {
            let id = parse_id(&id)?;
            let store = ctx.open()?;
            let view = store.conflict(id)?;
            if ctx.json {
                return print_json(&view);
            }
            print_conflict(&view)
        }
    }
}

/// A, B, C…: how the plain output names the versions.
fn letter(i: usize) -> String {
    u8::try_from(i)
        .ok()
        .filter(|i| *i < 26)
        .map(|i| char::from(b'A' + i).to_string())
        .unwrap_or_else(|| format!("#{}", i + 1))
}

fn shown(value: Option<&Value>) -> Result<String> {
    Ok(match value {
        Some(v) => serde_json::to_string(v)?,
        None => "(absent)".to_string(),
    })
}

fn print_conflict(view: &ConflictView) -> Result<()> {
    outln!("{} · {} · {}", view.kind, view.label, view.id);
    outln!("{} versions in conflict, newest first:", view.heads.len());
    for (i, h) in view.heads.iter().enumerate() {
        let state = if h.head.deleted {
            "  DELETES the record"
        } else if h.purged {
            "  (content purged here)"
        } else {
            ""
        };
        outln!(
            "  {}  revision {}  {}  by {} on {} ({}){state}",
            letter(i),
            h.head.revision,
            h.head.created_at,
            h.head.author,
            h.head.device_name.as_deref().unwrap_or("an unknown device"),
            h.head.device_id
        );
    }
    match view.common_ancestor {
        Some(a) => outln!("Last version they share: revision {a}"),
        None => outln!("They share no earlier version."),
    }
    if view.differences.is_empty() {
        outln!("The versions hold the same fields and values.");
    } else {
        outln!("Fields that differ:");
    }
    for d in &view.differences {
        outln!("  {}", d.path);
        for (i, v) in d.values.iter().enumerate() {
            outln!("    {}: {}", letter(i), shown(v.as_ref())?);
        }
        if view.common_ancestor.is_some() {
            outln!("    was: {}", shown(d.ancestor.as_ref())?);
        }
    }
    if view.identity_differs {
        outln!("The protected identity sections differ too (not shown here; `show --history --reveal-identity` shows them, and is logged).");
    }
    outln!(
        "Resolve with: fieldcase resolve {} --take <revision>, or --file merged.json",
        view.id
    );
    Ok(())
}

pub fn resolve(
    ctx: &Ctx,
    id: &str,
    take: Option<&str>,
    file: Option<&Path>,
    drops: &[String],
) -> Result<()> {
    let id = parse_id(id)?;
    // Read the input before opening the profile, as `edit` does.
    let (taken, merged) = match (take, file) {
        (Some(rev), _) => (Some(parse_id(rev)?), None),
        (None, Some(file)) => (None, Some(read_input(file)?)),
        // The parser requires one of them; this is only reached if that rule changes.
        (None, None) => {
            return Err(anyhow::anyhow!(UsageError(
                "give --take <revision> or --file <merged.json>".into()
            )))
        }
    };
    let mut store = ctx.open()?;
    let resolution = match (taken, merged) {
        (Some(rev), _) => Resolution::Take(rev),
        (None, text) => {
            // Looked up first so that an unknown record is "not found" before its file is read;
            // the core validates the body against this kind again.
            let kind = store.show(id, false)?.kind;
            let record = Record::from_json(kind, text.as_deref().unwrap_or_default())?;
            Resolution::Merged(record.to_value())
        }
    };
    let done = store.resolve_conflict(id, resolution, drops)?;
    if ctx.json {
        return print_json(&done);
    }
    let parents: Vec<String> = done.parents.iter().map(|p| p.to_string()).collect();
    let how = match (done.taken, done.deleted) {
        (Some(t), true) => format!("took version {t}, which deletes the record"),
        (Some(t), false) => format!("took version {t} whole"),
        (None, _) => "merged".to_string(),
    };
    outln!(
        "Resolved {}: revision {} ({how}) follows {}; every version stays in the history.",
        done.id,
        done.revision,
        parents.join(" and ")
    );
    if !done.dropped.is_empty() {
        outln!("Dropped, as confirmed: {}", done.dropped.join(", "));
    }
    Ok(())
}
