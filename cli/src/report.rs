//! `fieldcase report` and `fieldcase partner-export`: the office's figures and the
//! record-level CSV for partners. Each command opens the store, calls one core function,
//! and prints or writes what it returns. See docs/reports.md.

use crate::commands::outln;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use fieldcase_core::report::{self, PlaceLevel, ReportQuery, DEFAULT_MIN_CELL};
use fieldcase_core::{Profile, Store};
use serde_json::json;

use crate::{passphrase, KindArg};

/// Which report.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Share of people observed aged 15 and under and 16-17, by place and period, from
    /// prevalence-count visits, with 95 % Wilson intervals (unweighted)
    Prevalence {
        #[command(flatten)]
        common: ReportArgs,
        /// Group establishments by their city or their province
        #[arg(long, value_enum, default_value_t = PlaceArg::Province)]
        place: PlaceArg,
    },
    /// Interviews, victims identified, referrals, cases opened, arrests and convictions by
    /// period; ILO indicator frequencies; cases by status
    Casework {
        #[command(flatten)]
        common: ReportArgs,
    },
}

/// What every report takes.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// First day included (YYYY-MM-DD, UTC)
    #[arg(long, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// Last day included (YYYY-MM-DD, UTC)
    #[arg(long, value_name = "DATE")]
    to: Option<NaiveDate>,
    /// The period rows are grouped by
    #[arg(long, value_enum, default_value_t = PeriodArg::Month)]
    by: PeriodArg,
    /// json (for scripts and the office) or csv (for partners)
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Withhold cells describing fewer people than this; a lower value is logged in the
    /// audit chain
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MIN_CELL)]
    min_cell: u32,
    /// Write to this file (must not exist) instead of standard output
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// `partner-export`'s arguments.
#[derive(Debug, Args)]
pub struct PartnerExportArgs {
    /// person, visit, interview, case or referral
    kind: KindArg,
    /// The CSV file to write (must not exist)
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Include persons' identity columns (pseudonym, legal name, birth date, ID documents);
    /// logged in the audit chain
    #[arg(long)]
    include_identities: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PeriodArg {
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PlaceArg {
    City,
    Province,
}

#[derive(Debug, Clone, Copy, PartialEq, ValueEnum)]
enum Format {
    Json,
    Csv,
}

fn open(profile: &Path, passphrase_file: Option<&Path>) -> Result<Store> {
    let pass = passphrase::existing(passphrase_file)?;
    Ok(Profile::open(profile, &pass)?)
}

/// A new file, refusing to overwrite one.
fn create(path: &Path) -> Result<std::fs::File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| fieldcase_core::Error::io(format!("creating {}", path.display()), e))
        .context("the file must not exist yet")
}

/// Runs `fieldcase report …`.
pub fn run_report(
    profile: &Path,
    passphrase_file: Option<&Path>,
    command: ReportCommand,
) -> Result<()> {
    let (common, place) = match command {
        ReportCommand::Prevalence { common, place } => (common, Some(place)),
        ReportCommand::Casework { common } => (common, None),
    };
    let query = ReportQuery {
        from: common.from,
        to: common.to,
        by: match common.by {
            PeriodArg::Month => report::Period::Month,
            PeriodArg::Quarter => report::Period::Quarter,
            PeriodArg::Year => report::Period::Year,
        },
        place: match place {
            Some(PlaceArg::City) => PlaceLevel::City,
            _ => PlaceLevel::Province,
        },
        min_cell: common.min_cell,
    };
    if let Some(path) = common.out.as_deref().filter(|p| p.exists()) {
        return Err(crate::commands::UsageError(format!(
            "{} already exists; choose a new file name",
            path.display()
        ))
        .into());
    }
    let store = open(profile, passphrase_file)?;
    let mut text = Vec::new();
    if place.is_some() {
        let report = report::prevalence(&store, &query)?;
        match common.format {
            Format::Json => serde_json::to_writer_pretty(&mut text, &report)?,
            Format::Csv => report.write_csv(&mut text)?,
        }
    } else {
        let report = report::casework(&store, &query)?;
        match common.format {
            Format::Json => serde_json::to_writer_pretty(&mut text, &report)?,
            Format::Csv => report.write_csv(&mut text)?,
        }
    }
    if common.format == Format::Json {
        text.push(b'\n');
    }
    drop(store);
    match common.out {
        Some(path) => {
            let mut file = create(&path)?;
            file.write_all(&text)
                .map_err(|e| fieldcase_core::Error::io(format!("writing {}", path.display()), e))?;
        }
        None => crate::commands::write_out_bytes(&text)?,
    }
    Ok(())
}

/// Runs `fieldcase partner-export …`.
pub fn run_partner_export(
    profile: &Path,
    passphrase_file: Option<&Path>,
    json: bool,
    args: PartnerExportArgs,
) -> Result<()> {
    if args.out.exists() {
        return Err(crate::commands::UsageError(format!(
            "{} already exists; choose a new file name",
            args.out.display()
        ))
        .into());
    }
    let store = open(profile, passphrase_file)?;
    let export = report::partner_export(&store, args.kind, args.include_identities)?;
    drop(store);
    let mut file = create(&args.out)?;
    export.write_csv(&mut file)?;
    file.sync_all()
        .map_err(|e| fieldcase_core::Error::io(format!("writing {}", args.out.display()), e))?;
    if json {
        let value = json!({
            "kind": export.kind,
            "rows": export.rows.len(),
            "left_out": export.left_out,
            "include_identities": export.include_identities,
            "out": args.out,
        });
        outln!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        outln!(
            "Wrote {} {} rows to {} ({}); the export is logged in the audit chain.",
            export.rows.len(),
            export.kind,
            args.out.display(),
            if export.include_identities {
                "identities INCLUDED"
            } else {
                "identities left out"
            }
        );
        if export.left_out > 0 {
            outln!(
                "Left out {} interview(s) whose interview consent was withdrawn.",
                export.left_out
            );
        }
    }
    Ok(())
}
