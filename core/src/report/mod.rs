//! The office's figures: the *prevalence* of minors among people observed in
//! establishments, *casework* counts (interviews, victims identified,
//! referrals, ILO indicators, cases by status, arrests and convictions), and
//! the record-level *partner export*.
//!
//! Reports read the store and never change a record. They are computed from
//! each record's head (the newest head when a record is in conflict); deleted
//! records are left out. Aggregate tables apply the small-cell rule
//! ([`suppress`]): a cell describing fewer than [`DEFAULT_MIN_CELL`] people is
//! withheld, and lowering that threshold is written to the audit chain, as is
//! every partner export. Everything is described for readers in
//! `docs/reports.md`.

pub mod case_summary;
pub mod casework;
pub mod partner;
pub(crate) mod pdf;
pub mod prevalence;

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result, ValidationError};
use crate::model::RecordKind;
use crate::store::audit::Action;
use crate::Store;

pub use case_summary::{case_summary, case_summary_in, Printed, SummaryLanguage};
pub use casework::{casework, CaseworkReport};
pub use partner::{partner_export, PartnerExport};
pub use prevalence::{prevalence, PrevalenceReport};

/// Cells describing fewer people than this are withheld unless the user lowers it
/// (as the Counter Trafficking Data Collaborative does).
pub const DEFAULT_MIN_CELL: u32 = 11;

/// The z value of a two-sided 95 % interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// What a CSV cell says when the small-cell rule withheld it.
pub const SUPPRESSED: &str = "suppressed";

/// How a report groups dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Calendar months (`2026-03`).
    Month,
    /// Calendar quarters (`2026-Q1`).
    Quarter,
    /// Calendar years (`2026`).
    Year,
}

impl Period {
    /// The name as typed on the command line.
    pub fn as_str(&self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }

    /// The period a date falls in, as (year, index): month 1–12, quarter 1–4, or 1 for a year.
    fn key(&self, date: NaiveDate) -> (i32, u32) {
        match self {
            Period::Month => (date.year(), date.month()),
            Period::Quarter => (date.year(), (date.month() - 1) / 3 + 1),
            Period::Year => (date.year(), 1),
        }
    }

    fn next(&self, (year, index): (i32, u32)) -> (i32, u32) {
        let last = match self {
            Period::Month => 12,
            Period::Quarter => 4,
            Period::Year => 1,
        };
        if index >= last {
            (year + 1, 1)
        } else {
            (year, index + 1)
        }
    }

    fn label(&self, (year, index): (i32, u32)) -> String {
        match self {
            Period::Month => format!("{year:04}-{index:02}"),
            Period::Quarter => format!("{year:04}-Q{index}"),
            Period::Year => format!("{year:04}"),
        }
    }

    /// The label of the period a date falls in: `2026-03`, `2026-Q1` or `2026`.
    pub fn label_of(&self, date: NaiveDate) -> String {
        self.label(self.key(date))
    }

    /// Every period from the one holding `first` to the one holding `last`, in order.
    fn span(&self, first: NaiveDate, last: NaiveDate) -> Vec<(i32, u32)> {
        let mut out = Vec::new();
        let end = self.key(last);
        let mut key = self.key(first);
        while key <= end {
            out.push(key);
            key = self.next(key);
        }
        out
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Period {
    type Err = ValidationError;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "month" => Ok(Period::Month),
            "quarter" => Ok(Period::Quarter),
            "year" => Ok(Period::Year),
            other => Err(ValidationError::new(
                "by",
                format!("`{other}` is not a period; expected month, quarter or year"),
            )),
        }
    }
}

/// Which part of an establishment's location a prevalence report groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceLevel {
    /// The establishment's city.
    City,
    /// The establishment's province.
    Province,
}

impl PlaceLevel {
    /// The name as typed on the command line.
    pub fn as_str(&self) -> &'static str {
        match self {
            PlaceLevel::City => "city",
            PlaceLevel::Province => "province",
        }
    }
}

impl fmt::Display for PlaceLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PlaceLevel {
    type Err = ValidationError;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "city" => Ok(PlaceLevel::City),
            "province" => Ok(PlaceLevel::Province),
            other => Err(ValidationError::new(
                "place",
                format!("`{other}` is not a place level; expected city or province"),
            )),
        }
    }
}

/// What a report covers and how it is cut.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportQuery {
    /// First day included (UTC date), if any.
    pub from: Option<NaiveDate>,
    /// Last day included (UTC date), if any.
    pub to: Option<NaiveDate>,
    /// The period rows are grouped by.
    pub by: Period,
    /// The place level (prevalence only).
    pub place: PlaceLevel,
    /// Cells describing fewer people than this are withheld; below
    /// [`DEFAULT_MIN_CELL`] the report is logged in the audit chain.
    pub min_cell: u32,
}

impl Default for ReportQuery {
    fn default() -> Self {
        ReportQuery {
            from: None,
            to: None,
            by: Period::Month,
            place: PlaceLevel::Province,
            min_cell: DEFAULT_MIN_CELL,
        }
    }
}

impl ReportQuery {
    /// Refuses a range that ends before it starts.
    fn check(&self) -> Result<()> {
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if to < from {
                return Err(ValidationError::new("to", "must not be before --from").into());
            }
        }
        Ok(())
    }

    /// Whether a date is inside the range.
    fn covers(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| date >= f) && self.to.is_none_or(|t| date <= t)
    }

    /// The threshold actually applied (0 behaves as 1: nothing withheld).
    fn threshold(&self) -> u64 {
        u64::from(self.min_cell.max(1))
    }

    /// The periods a report lists: every period from `from` (or the first date seen) to `to`
    /// (or the last date seen), so that empty periods show as zeros.
    fn periods(&self, seen: impl Iterator<Item = NaiveDate>) -> Vec<(i32, u32)> {
        let (mut first, mut last) = (None::<NaiveDate>, None::<NaiveDate>);
        for d in seen.filter(|d| self.covers(*d)) {
            first = Some(first.map_or(d, |f| f.min(d)));
            last = Some(last.map_or(d, |l| l.max(d)));
        }
        match (self.from.or(first), self.to.or(last)) {
            (Some(a), Some(b)) if a <= b => self.by.span(a, b),
            _ => Vec::new(),
        }
    }
}

/// A share with its 95 % Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Share {
    /// The share, from 0 to 1.
    pub share: f64,
    /// Lower bound of the 95 % Wilson score interval.
    pub low: f64,
    /// Upper bound of the 95 % Wilson score interval.
    pub high: f64,
}

/// `k` of `n` as a share with its 95 % Wilson score interval; `None` when `n` is 0
/// (no interval, never NaN).
///
/// With p = k/n and z = 1.96: centre = (p + z²/2n) / (1 + z²/n),
/// half-width = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²).
pub fn wilson(k: u64, n: u64) -> Option<Share> {
    if n == 0 || k > n {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z_95 * Z_95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z_95 / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(Share {
        share: p,
        low: (centre - half).max(0.0),
        high: (centre + half).min(1.0),
    })
}

/// The small-cell rule. `values` are counts of people; a cell with 0 < value < `min_cell` is
/// withheld (primary suppression). Each relation lists a total and its parts
/// (`[total, part, part, …]`); where exactly one member of a relation is withheld it could be
/// worked back by subtraction, so the smallest other non-zero member is withheld too
/// (complementary suppression), until no relation has a single withheld member.
/// Zeros are shown: they describe nobody. Returns which cells are withheld.
pub fn suppress(values: &[u64], relations: &[&[usize]], min_cell: u64) -> Vec<bool> {
    let mut hidden: Vec<bool> = values.iter().map(|&v| v > 0 && v < min_cell).collect();
    loop {
        let mut changed = false;
        for relation in relations {
            let withheld = relation
                .iter()
                .filter(|&&i| hidden.get(i).copied().unwrap_or(false))
                .count();
            if withheld != 1 {
                continue;
            }
            let partner = relation
                .iter()
                .copied()
                .filter(|&i| !hidden.get(i).copied().unwrap_or(true))
                .filter(|&i| values.get(i).copied().unwrap_or(0) > 0)
                .min_by_key(|&i| (values.get(i).copied().unwrap_or(0), i));
            if let Some(i) = partner {
                hidden[i] = true;
                changed = true;
            }
        }
        if !changed {
            return hidden;
        }
    }
}

/// A count that the small-cell rule may have withheld.
fn shown(value: u64, hidden: bool) -> Option<u64> {
    (!hidden).then_some(value)
}

/// A count as a CSV cell.
fn count_cell(value: Option<u64>) -> String {
    value.map_or_else(|| SUPPRESSED.to_string(), |v| v.to_string())
}

/// A share as three CSV cells (share, low, high): empty when there is no denominator,
/// `suppressed` when withheld, else four decimals.
fn share_cells(share: Option<Share>, withheld: bool) -> [String; 3] {
    if withheld {
        return [SUPPRESSED.into(), SUPPRESSED.into(), SUPPRESSED.into()];
    }
    match share {
        None => [String::new(), String::new(), String::new()],
        Some(s) => [
            format!("{:.4}", s.share),
            format!("{:.4}", s.low),
            format!("{:.4}", s.high),
        ],
    }
}

/// Writes a header and rows as CSV (RFC 4180, UTF-8, comma-separated, `\n` line ends).
/// Every CSV the app writes goes through here, so every cell is made [`spreadsheet_safe`]:
/// text from a record or a bundle must never open as a live formula in a partner's
/// spreadsheet.
pub fn write_csv(
    out: &mut dyn std::io::Write,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    let fail = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io("writing CSV", io),
        other => Error::Io {
            context: "writing CSV".into(),
            source: std::io::Error::other(format!("{other:?}")),
        },
    };
    let safe = |cells: &mut dyn Iterator<Item = &str>| -> Vec<String> {
        cells.map(|c| spreadsheet_safe(c).into_owned()).collect()
    };
    writer
        .write_record(safe(&mut header.iter().copied()))
        .map_err(fail)?;
    for row in rows {
        writer
            .write_record(safe(&mut row.iter().map(String::as_str)))
            .map_err(fail)?;
    }
    writer.flush().map_err(|e| Error::io("writing CSV", e))?;
    Ok(())
}

/// A cell as a spreadsheet will take it as text, never as a formula (OWASP's CSV-injection
/// rule): a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
/// single quote in front, which spreadsheets show as nothing and read as "this is text".
/// A negative number (`-3`, `-0.25`) stays as it is, so it still sums: a minus followed
/// only by digits and at most one decimal point cannot call anything.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let starts_live = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if !starts_live || is_negative_number(cell) {
        return std::borrow::Cow::Borrowed(cell);
    }
    std::borrow::Cow::Owned(format!("'{cell}"))
}

/// `-` then digits, with at most one `.` between digits (`-3`, `-0.25`; not `-`, `-1e3`).
fn is_negative_number(cell: &str) -> bool {
    let Some(rest) = cell.strip_prefix('-') else {
        return false;
    };
    let (whole, fraction) = rest.split_once('.').unwrap_or((rest, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && digits(fraction)
}

/// Writes a disclosure (a partner export, a report with the small-cell threshold lowered)
/// to the audit chain. The detail says what left, never what it says.
fn log_disclosure(store: &Store, detail: Value) -> Result<()> {
    store.audit_now(Action::DataExported, None, detail)
}

/// One live record's head, as selected by a report query.
struct HeadRow<T> {
    record_id: String,
    created_at: String,
    seq: i64,
    in_conflict: bool,
    fields: T,
}

/// Runs `select` (extra columns over the head revision `r` of live records of `kind`, see
/// [`heads_sql`]) and keeps one row per record: the newest head when a record is in conflict.
fn live_heads<T>(
    conn: &Connection,
    kind: RecordKind,
    select: &str,
    filter: &str,
    read: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<(String, T)>> {
    let sql = heads_sql(select, filter);
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([kind.as_str()], |r| {
        Ok(HeadRow {
            record_id: r.get(0)?,
            created_at: r.get(1)?,
            seq: r.get(2)?,
            in_conflict: r.get::<_, i64>(3)? > 1,
            fields: read(r)?,
        })
    })?;
    let mut plain = Vec::new();
    let mut conflicted: HashMap<String, HeadRow<T>> = HashMap::new();
    for row in rows {
        let row = row?;
        if !row.in_conflict {
            plain.push((row.record_id, row.fields));
            continue;
        }
        match conflicted.get(&row.record_id) {
            Some(kept) if (&kept.created_at, kept.seq) >= (&row.created_at, row.seq) => {}
            _ => {
                conflicted.insert(row.record_id.clone(), row);
            }
        }
    }
    plain.extend(conflicted.into_values().map(|r| (r.record_id, r.fields)));
    Ok(plain)
}

/// The query behind [`live_heads`]: columns 0–3 are record id, revision time, revision seq and
/// head count; `select` adds columns from 4 on over `r.body` (the head revision). The partner export reads
/// whole bodies this way; the prevalence and casework reports read the report facts instead.
fn heads_sql(select: &str, filter: &str) -> String {
    format!(
        "SELECT rec.id, r.created_at, r.seq, rec.heads, {select}
         FROM records rec
         JOIN heads h ON h.record_id = rec.id
         JOIN revisions r ON r.id = h.revision_id
         WHERE rec.kind = ?1 AND rec.deleted = 0 AND r.body IS NOT NULL {filter}"
    )
}

/// A text column read in place (no copy); `None` when null, an error when not text.
fn text<'r>(row: &'r rusqlite::Row<'_>, index: usize) -> Result<Option<&'r str>> {
    row.get_ref(index)?
        .as_str_or_null()
        .map_err(|e| Error::StoreDamaged(format!("a report fact is not text: {e}")))
}

/// A set of small numbers (people or establishments numbered as first seen), one bit each:
/// inserting hashes nothing, which matters at one insert per fact row.
#[derive(Debug, Default, Clone)]
struct NumberSet {
    words: Vec<u64>,
    len: usize,
}

impl NumberSet {
    fn insert(&mut self, n: usize) {
        let (word, bit) = (n / 64, 1u64 << (n % 64));
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        if let Some(w) = self.words.get_mut(word) {
            if *w & bit == 0 {
                *w |= bit;
                self.len += 1;
            }
        }
    }

    fn len(&self) -> usize {
        self.len
    }
}

/// A count from SQL (never negative).
fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// The UTC date at the start of an RFC 3339 time as the store writes it (`2026-03-14T…Z`).
fn date_of(text: &str, record_id: &str) -> Result<NaiveDate> {
    text.get(..10)
        .and_then(|d| ymd(d).or_else(|| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()))
        .ok_or_else(|| damaged(record_id, "a date"))
}

/// A day in the form the store writes (`2026-03-14`: four, two and two ASCII digits), read by
/// hand because reports read one per fact row; `None` for anything else, which callers hand to
/// chrono (it reads that form the same way, only slower).
fn ymd(day: &str) -> Option<NaiveDate> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *day.as_bytes() else {
        return None;
    };
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(number(&[y0, y1, y2, y3])?).ok()?;
    NaiveDate::from_ymd_opt(year, number(&[m0, m1])?, number(&[d0, d1])?)
}

fn damaged(record_id: &str, what: &str) -> Error {
    Error::StoreDamaged(format!("record {record_id} has an unreadable {what}"))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fast_path_tests {
    use super::*;

    #[test]
    fn days_read_by_hand_are_the_days_chrono_reads() {
        for day in [
            "2026-03-14",
            "0000-01-01",
            "9999-12-31",
            "2024-02-29",
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-01-32",
            "2026-1-014",
            "+2026-03-1",
            "2026/03/14",
            "２０２６-03-1",
            "",
            "2026-03-14T",
        ] {
            let chrono = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok();
            assert_eq!(
                ymd(day).or_else(|| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()),
                chrono,
                "{day}"
            );
            assert_eq!(
                ymd(day).or_else(|| day.parse().ok()),
                day.parse::<NaiveDate>().ok(),
                "{day}"
            );
            if ymd(day).is_some() {
                assert_eq!(ymd(day), chrono, "{day}");
            }
        }
    }

    #[test]
    fn a_number_set_counts_each_number_once() {
        let mut set = NumberSet::default();
        for n in [0, 63, 64, 1000, 63, 0, 5] {
            set.insert(n);
        }
        assert_eq!(set.len(), 5);
    }
}
