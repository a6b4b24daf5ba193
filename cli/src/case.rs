//! `fieldcase case`: a case and everything linked to it, and its printable summary (PDF).
//! Each command opens the store and calls one core function. See docs/case-summary.md.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Subcommand;
use fieldcase_core::report::SummaryLanguage;
use fieldcase_core::store::{CaseView, EntryState};
use serde_json::json;

use crate::commands::{outln, parse_id, print_json, say, Ctx, UsageError};

/// What `fieldcase case` does.
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Show a case and everything linked to it, oldest first (persons by pseudonym; never an
    /// identity field)
    Show {
        /// The case's id
        id: String,
    },
    /// Write a printable case summary (PDF): title, status, dates, arrests and convictions,
    /// notes, the timeline, and each person by pseudonym
    ///
    /// Identity fields (legal name, documents, contacts, family) are printed as "withheld"
    /// unless you pass --include-identities, and asking for them is written to the audit
    /// log (so is every summary, as `case_summary` or `case_summary_identities`). The PDF
    /// is NOT encrypted: it is written only to the file you name, and from then on it is
    /// as safe as wherever that file goes. Fonts are embedded, so Khmer prints on any machine.
    Summary {
        /// The case's id
        id: String,
        /// The PDF file to write (refused if it exists, unless --force)
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
        /// Print the persons' identity fields instead of "withheld" (logged in the audit chain)
        #[arg(long)]
        include_identities: bool,
        /// Overwrite FILE.pdf if it exists
        #[arg(long)]
        force: bool,
        /// The language of the summary's headings and labels (the records print as written);
        /// the Khmer wording still needs a native speaker's review
        #[arg(long, value_name = "LANG", default_value = "en", value_parser = ["en", "km"])]
        language: String,
    },
}

/// Runs `fieldcase case …`.
pub fn run(ctx: &Ctx, command: CaseCommand) -> Result<()> {
    match command {
        CaseCommand::Show { id } => {
            let id = parse_id(&id)?;
            let store = ctx.open()?;
            let view = store.case_view(id)?;
            if ctx.json {
                return print_json(&view);
            }
            print_view(&view)
        }
        CaseCommand::Summary {
            id,
            out,
            include_identities,
            force,
            language,
        } => {
            let language: SummaryLanguage =
                language.parse().map_err(fieldcase_core::Error::from)?;
            summary(ctx, &id, &out, include_identities, force, language)
        }
    }
}

fn summary(
    ctx: &Ctx,
    id: &str,
    out: &Path,
    include_identities: bool,
    force: bool,
    language: SummaryLanguage,
) -> Result<()> {
    let id = parse_id(id)?;
    if out.exists() && !force {
        return Err(UsageError(format!(
            "{} already exists; choose a new file name, or pass --force to overwrite it",
            out.display()
        ))
        .into());
    }
    let mut store = ctx.open()?;
    let pdf = store.case_summary_pdf_in(id, include_identities, chrono::Utc::now(), language)?;
    write_pdf(out, &pdf, force)?;
    let identities = if include_identities {
        "identities INCLUDED (logged)"
    } else {
        "identities withheld"
    };
    say(
        ctx,
        &format!(
            "Wrote the case summary to {} ({} bytes, {identities}). It is not encrypted: keep it \
             as safe as the records.",
            out.display(),
            pdf.len()
        ),
        json!({"out": out, "bytes": pdf.len(), "include_identities": include_identities}),
    )
}

/// Writes the PDF straight to `out` (never through a temporary file), readable by its owner
/// only when it is created; `force` writes over an existing file.
fn write_pdf(out: &Path, bytes: &[u8], force: bool) -> Result<()> {
    if !force {
        // A new file: owner-only, and removed again if the write fails half-way.
        fieldcase_core::files::write_new(out, bytes)?;
        return Ok(());
    }
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options
        .open(out)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()));
    written.map_err(|e| fieldcase_core::Error::io(format!("writing {}", out.display()), e))?;
    Ok(())
}

fn print_view(view: &CaseView) -> Result<()> {
    if view.title.trim().is_empty() {
        outln!("{}", view.code);
    } else {
        outln!("{} · {}", view.code, view.title.trim());
    }
    outln!(
        "status {} · opened {} · last changed {}",
        view.status.label(),
        view.opened_on,
        view.updated_at
    );
    if view.in_conflict {
        outln!("IN CONFLICT: this case has two or more versions; the newest is shown");
    }
    for (label, list, total) in [
        ("arrests", &view.arrests, view.total_arrested),
        ("convictions", &view.convictions, view.total_convicted),
    ] {
        if list.is_empty() {
            outln!("{label}: none recorded");
            continue;
        }
        outln!("{label}: {total}");
        for o in list {
            if o.note.trim().is_empty() {
                outln!("  {}  {}", o.date, o.count);
            } else {
                outln!("  {}  {}  {}", o.date, o.count, o.note.trim());
            }
        }
    }
    if !view.notes.trim().is_empty() {
        outln!("notes:");
        for line in view.notes.trim().lines() {
            outln!("  {line}");
        }
    }
    outln!("");
    if view.entries.is_empty() {
        outln!("Nothing is linked to this case yet.");
        return Ok(());
    }
    outln!("{:<18}  {:<13}  {:<36}  WHAT", "WHEN (UTC)", "KIND", "ID");
    for e in &view.entries {
        let when = match (&e.date, &e.time) {
            (Some(d), Some(t)) => format!("{d} {t}"),
            (Some(d), None) => format!("{d} recorded"),
            (None, _) => "-".to_string(),
        };
        let mut what = e.title.clone();
        if e.state != EntryState::Present {
            what = format!("[{}] {what}", state_word(e.state));
        }
        if e.in_conflict {
            what.push_str(" [in conflict]");
        }
        if !e.consent_withdrawn.is_empty() {
            what.push_str(&format!(
                " [consent withdrawn: {}]",
                e.consent_withdrawn.join(", ")
            ));
        }
        outln!("{when:<18}  {:<13}  {:<36}  {what}", e.kind.as_str(), e.id);
    }
    Ok(())
}

fn state_word(state: EntryState) -> &'static str {
    match state {
        EntryState::Present => "present",
        EntryState::Missing => "missing",
        EntryState::Deleted => "deleted",
        EntryState::Purged => "purged",
        EntryState::WrongKind => "wrong kind",
    }
}
