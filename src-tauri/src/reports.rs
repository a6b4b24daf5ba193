//! Commands of the office's Reports screen: the prevalence and casework reports with the
//! CLI's options (`fieldcase report prevalence|casework --from --to --by --place --min-cell`),
//! returned as the core's report structs, and the CSV files for partners (an aggregate report,
//! or the record-level partner export) written to a typed path that must not exist yet.
//!
//! The core does the work and the logging: a small-cell threshold below the default, and
//! every partner export (identities included or not), go to the audit chain there, exactly as
//! from the CLI. Like the CLI, reports are not limited to the office role. Each runs off the
//! window's thread, with the store to itself (a report over a big store takes a moment).
//! Every name here is also in `build.rs` and `capabilities/main.json`.

use crate::commands::{confirmed_job, job, user_path, SessionState};
use crate::error::{ApiError, Code};
use chrono::NaiveDate;
use fieldcase_core::model::RecordKind;
use fieldcase_core::report::{
    self, CaseworkReport, Period, PlaceLevel, PrevalenceReport, ReportQuery, DEFAULT_MIN_CELL,
};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::{AppHandle, State};

/// What the UI asks a report for: the CLI's options. Dates are `YYYY-MM-DD` (UTC) or absent.
#[derive(Debug, Clone, Deserialize)]
pub struct ReportOptions {
    /// First day included.
    pub from: Option<String>,
    /// Last day included.
    pub to: Option<String>,
    /// `month`, `quarter` or `year`.
    pub by: Period,
    /// `city` or `province` (prevalence only; ignored by casework).
    pub place: Option<PlaceLevel>,
    /// The small-cell threshold; absent means the default (11). Lower is logged by the core.
    pub min_cell: Option<u32>,
}

impl ReportOptions {
    /// The core's query; a date that is not `YYYY-MM-DD` is refused naming its field.
    fn query(&self) -> Result<ReportQuery, ApiError> {
        Ok(ReportQuery {
            from: date("from", self.from.as_deref())?,
            to: date("to", self.to.as_deref())?,
            by: self.by,
            place: self.place.unwrap_or(PlaceLevel::Province),
            min_cell: self.min_cell.unwrap_or(DEFAULT_MIN_CELL),
        })
    }
}

/// An optional date as typed (blank is none).
fn date(field: &str, typed: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    match typed.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                ApiError::new(
                    Code::Invalid,
                    format!("{field}: `{t}` is not a date (YYYY-MM-DD)"),
                )
            }),
    }
}

/// The prevalence of minors among people observed, by place and period.
#[tauri::command]
pub async fn prevalence_report(
    session: State<'_, SessionState>,
    options: ReportOptions,
    passphrase: Option<String>,
) -> Result<PrevalenceReport, ApiError> {
    let query = options.query()?;
    maybe_confirmed(&session, query.min_cell, passphrase, move |store| {
        report::prevalence(store, &query)
    })
    .await
}

/// Casework by period, ILO indicator frequencies and cases by status.
#[tauri::command]
pub async fn casework_report(
    session: State<'_, SessionState>,
    options: ReportOptions,
    passphrase: Option<String>,
) -> Result<CaseworkReport, ApiError> {
    let query = options.query()?;
    maybe_confirmed(&session, query.min_cell, passphrase, move |store| {
        report::casework(store, &query)
    })
    .await
}

/// A report job, after the passphrase typed again when its small-cell threshold is lowered
/// below the default (small cells can point at one person).
async fn maybe_confirmed<T: Send + 'static>(
    session: &State<'_, SessionState>,
    min_cell: u32,
    passphrase: Option<String>,
    f: impl FnOnce(&mut fieldcase_core::Store) -> Result<T, fieldcase_core::Error> + Send + 'static,
) -> Result<T, ApiError> {
    if min_cell < DEFAULT_MIN_CELL {
        confirmed_job(session, passphrase, "lowering the small-cell threshold", f).await
    } else {
        job(session, f).await
    }
}

/// Which CSV a partner gets.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", tag = "what")]
pub enum PartnerCsv {
    /// The prevalence report's table (small cells withheld).
    Prevalence {
        /// The report's options.
        options: ReportOptions,
    },
    /// The casework report's tables (small cells withheld).
    Casework {
        /// The report's options.
        options: ReportOptions,
    },
    /// One row per record of `kind` (`docs/reports.md` lists the columns).
    Records {
        /// person, visit, interview, case or referral.
        kind: RecordKind,
        /// Include persons' identity columns (logged).
        include_identities: bool,
    },
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct CsvWritten {
    /// The file, as resolved.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Data rows (records exports only).
    pub rows: Option<u64>,
    /// Interviews left out because their interview consent was withdrawn (records only).
    pub left_out: Option<u64>,
}

/// Writes a CSV for partners to `path` (full or `~/…`; the file must not exist). The core
/// logs a partner export, and a report whose small-cell threshold was lowered.
#[tauri::command]
pub async fn write_partner_csv(
    app: AppHandle,
    session: State<'_, SessionState>,
    path: String,
    csv: PartnerCsv,
    passphrase: Option<String>,
) -> Result<CsvWritten, ApiError> {
    let out = user_path(&app, &path)?;
    let planned = match csv {
        PartnerCsv::Prevalence { options } => Planned::Prevalence(options.query()?),
        PartnerCsv::Casework { options } => Planned::Casework(options.query()?),
        PartnerCsv::Records {
            kind,
            include_identities,
        } => Planned::Records(kind, include_identities),
    };
    if out.exists() {
        return Err(ApiError::new(
            Code::FileExists,
            format!("{} already exists; choose a new file name", out.display()),
        ));
    }
    let during = planned.needs_passphrase();
    let write = move |store: &mut fieldcase_core::Store| {
        // Computed (and logged) before the file is created, so a refusal leaves no file.
        // Wiped when dropped; the copies a growing Vec leaves behind are not (the size is not
        // known beforehand), which is why it starts at 1 MiB.
        let mut text = zeroize::Zeroizing::new(Vec::with_capacity(1 << 20));
        let (rows, left_out) = match planned {
            Planned::Prevalence(q) => {
                report::prevalence(store, &q)?.write_csv(&mut *text)?;
                (None, None)
            }
            Planned::Casework(q) => {
                report::casework(store, &q)?.write_csv(&mut *text)?;
                (None, None)
            }
            Planned::Records(kind, include_identities) => {
                let export = report::partner_export(store, kind, include_identities)?;
                export.write_csv(&mut *text)?;
                (Some(export.rows.len() as u64), Some(export.left_out))
            }
        };
        fieldcase_core::files::write_new(&out, &text[..])?;
        Ok(CsvWritten {
            bytes: text.len() as u64,
            path: out,
            rows,
            left_out,
        })
    };
    match during {
        Some(during) => confirmed_job(&session, passphrase, during, write).await,
        None => job(&session, write).await,
    }
}

/// A partner CSV with its options checked.
enum Planned {
    Prevalence(ReportQuery),
    Casework(ReportQuery),
    Records(RecordKind, bool),
}

impl Planned {
    /// What needs the passphrase typed again: identities going to a partner, or small cells.
    fn needs_passphrase(&self) -> Option<&'static str> {
        match self {
            Planned::Records(_, true) => Some("a partner export with identities"),
            Planned::Prevalence(q) | Planned::Casework(q) if q.min_cell < DEFAULT_MIN_CELL => {
                Some("lowering the small-cell threshold")
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(json: serde_json::Value) -> ReportOptions {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn identities_and_small_cells_need_the_passphrase_and_nothing_else_does() {
        let lowered = options(serde_json::json!({"by": "month", "min_cell": 3}))
            .query()
            .unwrap();
        let default = options(serde_json::json!({"by": "month", "min_cell": null}))
            .query()
            .unwrap();
        assert!(Planned::Records(RecordKind::Person, true)
            .needs_passphrase()
            .is_some());
        assert!(Planned::Records(RecordKind::Person, false)
            .needs_passphrase()
            .is_none());
        assert!(Planned::Prevalence(lowered.clone())
            .needs_passphrase()
            .is_some());
        assert!(Planned::Casework(lowered).needs_passphrase().is_some());
        assert!(Planned::Prevalence(default.clone())
            .needs_passphrase()
            .is_none());
        assert!(Planned::Casework(default).needs_passphrase().is_none());
    }

    #[test]
    fn options_read_as_the_cli_reads_its_flags() {
        let q = options(serde_json::json!({
            "from": "2026-01-01", "to": " 2026-06-30 ", "by": "quarter", "place": "city", "min_cell": null
        }))
        .query()
        .unwrap();
        assert_eq!(q.from, NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(q.to, NaiveDate::from_ymd_opt(2026, 6, 30));
        assert_eq!(
            (q.by, q.place, q.min_cell),
            (Period::Quarter, PlaceLevel::City, DEFAULT_MIN_CELL)
        );

        let q = options(serde_json::json!({"from": "", "to": null, "by": "month"}))
            .query()
            .unwrap();
        assert_eq!((q.from, q.to, q.place), (None, None, PlaceLevel::Province));
    }

    #[test]
    fn a_date_that_is_not_one_is_refused_by_name() {
        let e = options(serde_json::json!({"from": "14/03/2026", "by": "year"}))
            .query()
            .unwrap_err();
        assert_eq!(e.code, Code::Invalid);
        assert!(e.message.starts_with("from:"), "{}", e.message);
        assert!(
            serde_json::from_value::<ReportOptions>(serde_json::json!({"by": "week"})).is_err()
        );
    }

    #[test]
    fn a_new_file_never_replaces_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prevalence.csv");
        fieldcase_core::files::write_new(&path, "place,period\n".as_bytes()).unwrap();
        let again = fieldcase_core::files::write_new(&path, b"other").unwrap_err();
        assert_eq!(ApiError::from(again).code, Code::FileExists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "place,period\n");
    }
}
