//! Casework figures: by period, interviews held, people interviewed, victims identified,
//! referrals made and completed, cases opened, arrests and convictions; over the whole range,
//! how often each ILO indicator of forced labour was found and how many cases stand at each
//! status.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use super::{
    count, count_cell, date_of, log_disclosure, shown, suppress, text, NumberSet, ReportQuery,
    DEFAULT_MIN_CELL, SUPPRESSED,
};
use crate::error::Result;
use crate::model::{CaseStatus, IloIndicator};
use crate::Store;

/// One period's counts (`None`: withheld by the small-cell rule).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseworkPeriod {
    /// The period (`2026-03`, `2026-Q1`, `2026`).
    pub period: String,
    /// Interviews that started in the period.
    pub interviews_held: Option<u64>,
    /// Distinct people interviewed in the period.
    pub people_interviewed: Option<u64>,
    /// Survivors whose first interview (ever) falls in the period.
    pub victims_identified: Option<u64>,
    /// Referrals made in the period (any status but planned), by `made_on`.
    pub referrals_made: Option<u64>,
    /// Referrals completed in the period, by `completed_on`.
    pub referrals_completed: Option<u64>,
    /// Cases opened in the period.
    pub cases_opened: Option<u64>,
    /// People arrested in the period (from cases' arrests).
    pub arrests: Option<u64>,
    /// People convicted in the period (from cases' convictions).
    pub convictions: Option<u64>,
    /// The cells withheld, by column name.
    pub suppressed: Vec<&'static str>,
}

/// How often one ILO indicator was found, over the report's whole range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorRow {
    /// The indicator.
    pub indicator: IloIndicator,
    /// Distinct people with the indicator in at least one interview in the range.
    pub people: Option<u64>,
    /// Interviews in the range that record it.
    pub interviews: Option<u64>,
    /// `people` over the people interviewed in the range (`None`: nobody interviewed, or withheld).
    pub share_of_people_interviewed: Option<f64>,
}

/// How many cases stand at one status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusRow {
    /// Our status.
    pub status: CaseStatus,
    /// The nearest HTCDS `cas_Status` value.
    pub htcds_status: &'static str,
    /// Live cases opened in the range that are at this status now.
    pub cases: Option<u64>,
}

/// The casework report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseworkReport {
    /// `casework`.
    pub report: &'static str,
    /// What it covers.
    pub query: ReportQuery,
    /// One row per period, in order; empty periods have zeros.
    pub periods: Vec<CaseworkPeriod>,
    /// Distinct people interviewed in the whole range (the ILO shares' denominator).
    pub people_interviewed: Option<u64>,
    /// Every ILO indicator, in the ILO's order.
    pub ilo_indicators: Vec<IndicatorRow>,
    /// Every case status, from intake to closure.
    pub cases_by_status: Vec<StatusRow>,
}

/// Exact counts of one period.
#[derive(Default)]
struct Tally {
    interviews: u64,
    /// The people interviewed, by number.
    people: NumberSet,
    victims: u64,
    referrals_made: u64,
    referrals_completed: u64,
    cases_opened: u64,
    arrests: u64,
    convictions: u64,
}

const PERIOD_COLUMNS: [&str; 8] = [
    "interviews_held",
    "people_interviewed",
    "victims_identified",
    "referrals_made",
    "referrals_completed",
    "cases_opened",
    "arrests",
    "convictions",
];

impl Tally {
    fn row(&self, period: String, min_cell: u64) -> CaseworkPeriod {
        let values = [
            self.interviews,
            self.people.len() as u64,
            self.victims,
            self.referrals_made,
            self.referrals_completed,
            self.cases_opened,
            self.arrests,
            self.convictions,
        ];
        let hidden = suppress(&values, &[], min_cell);
        let cell = |i: usize| shown(values[i], hidden[i]);
        CaseworkPeriod {
            period,
            interviews_held: cell(0),
            people_interviewed: cell(1),
            victims_identified: cell(2),
            referrals_made: cell(3),
            referrals_completed: cell(4),
            cases_opened: cell(5),
            arrests: cell(6),
            convictions: cell(7),
            suppressed: PERIOD_COLUMNS
                .iter()
                .zip(&hidden)
                .filter(|(_, h)| **h)
                .map(|(n, _)| *n)
                .collect(),
        }
    }
}

/// Computes the casework report. Reading only, except that a `min_cell` below
/// [`DEFAULT_MIN_CELL`] is written to the audit chain.
///
/// Reads the report facts (one small row per live record head, see `store::facts`) in
/// sequential scans and adds them up here: SQLite's GROUP BY and DISTINCT would allocate per
/// row, and with `cipher_memory_security` every allocation locks and wipes memory.
pub fn casework(store: &Store, query: &ReportQuery) -> Result<CaseworkReport> {
    query.check()?;
    let conn = &store.conn;
    let by = query.by;
    let mut dates: Vec<NaiveDate> = Vec::new();
    let mut tallies: BTreeMap<(i32, u32), Tally> = BTreeMap::new();

    // Interviews, with their ILO indicators as a bit set (bit i: `IloIndicator::ALL[i]`). People
    // are numbered as first seen, so sets hold numbers, not ids, and the loop allocates only for
    // a new person.
    let mut person_number: HashMap<String, usize> = HashMap::new();
    let mut first_interview: Vec<NaiveDate> = Vec::new();
    let mut people_in_range = NumberSet::default();
    let mut indicator_people = vec![NumberSet::default(); IloIndicator::ALL.len()];
    let mut indicator_interviews = vec![0u64; IloIndicator::ALL.len()];
    let known_indicators: u64 = (1 << IloIndicator::ALL.len()) - 1;
    let mut stmt =
        conn.prepare_cached("SELECT record_id, day, person_id, ilo FROM fact_interviews")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id = text(r, 0)?.unwrap_or_default();
        let date = day_of(text(r, 1)?, id)?;
        let person = text(r, 2)?.unwrap_or_default();
        let number = match person_number.get(person) {
            Some(n) => {
                first_interview[*n] = first_interview[*n].min(date);
                *n
            }
            None => {
                first_interview.push(date);
                person_number.insert(person.to_string(), first_interview.len() - 1);
                first_interview.len() - 1
            }
        };
        if !query.covers(date) {
            continue;
        }
        dates.push(date);
        let tally = tallies.entry(by.key(date)).or_default();
        tally.interviews += 1;
        tally.people.insert(number);
        people_in_range.insert(number);
        let ilo = u64::try_from(r.get::<_, i64>(3)?).unwrap_or(u64::MAX);
        if ilo & !known_indicators != 0 {
            return Err(super::damaged(id, "ILO indicator"));
        }
        for (i, people) in indicator_people.iter_mut().enumerate() {
            if ilo & (1 << i) != 0 {
                indicator_interviews[i] += 1;
                people.insert(number);
            }
        }
    }

    // Victims identified: survivors, counted in the period of their first interview.
    let mut stmt =
        conn.prepare_cached("SELECT record_id FROM fact_persons WHERE role = 'survivor'")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        if let Some(date) = person_number
            .get(&id)
            .map(|n| first_interview[*n])
            .filter(|d| query.covers(*d))
        {
            dates.push(date);
            tallies.entry(by.key(date)).or_default().victims += 1;
        }
    }

    // Referrals.
    let mut stmt =
        conn.prepare_cached("SELECT record_id, made_on, status, completed_on FROM fact_referrals")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let status = r.get::<_, Option<String>>(2)?.unwrap_or_default();
        if status != "planned" {
            let made = date_of(
                r.get::<_, Option<String>>(1)?
                    .as_deref()
                    .unwrap_or_default(),
                &id,
            )?;
            if query.covers(made) {
                dates.push(made);
                tallies.entry(by.key(made)).or_default().referrals_made += 1;
            }
        }
        if status == "completed" {
            let done = date_of(
                r.get::<_, Option<String>>(3)?
                    .as_deref()
                    .unwrap_or_default(),
                &id,
            )?;
            if query.covers(done) {
                dates.push(done);
                tallies.entry(by.key(done)).or_default().referrals_completed += 1;
            }
        }
    }

    // Cases.
    let mut status_counts = vec![0u64; CaseStatus::ALL.len()];
    let mut stmt = conn.prepare_cached("SELECT record_id, opened_on, status FROM fact_cases")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let opened = date_of(
            r.get::<_, Option<String>>(1)?
                .as_deref()
                .unwrap_or_default(),
            &id,
        )?;
        if query.covers(opened) {
            dates.push(opened);
            tallies.entry(by.key(opened)).or_default().cases_opened += 1;
            let status = r.get::<_, Option<String>>(2)?;
            if let Some(i) = CaseStatus::ALL
                .iter()
                .position(|s| Some(s.as_str()) == status.as_deref())
            {
                status_counts[i] += 1;
            }
        }
    }
    // Arrests and convictions.
    let mut stmt =
        conn.prepare_cached("SELECT record_id, outcome, day, people FROM fact_case_outcomes")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let date = date_of(
            r.get::<_, Option<String>>(2)?
                .as_deref()
                .unwrap_or_default(),
            &id,
        )?;
        if !query.covers(date) {
            continue;
        }
        dates.push(date);
        let people = count(r.get(3)?);
        let tally = tallies.entry(by.key(date)).or_default();
        if r.get::<_, String>(1)? == "arrest" {
            tally.arrests += people;
        } else {
            tally.convictions += people;
        }
    }

    let interviewed = people_in_range.len() as u64;
    let min_cell = query.threshold();
    let empty = Tally::default();
    let periods = query
        .periods(dates.into_iter())
        .into_iter()
        .map(|p| tallies.get(&p).unwrap_or(&empty).row(by.label(p), min_cell))
        .collect();

    let interviewed_hidden = suppress(&[interviewed], &[], min_cell)[0];
    let ilo_indicators = IloIndicator::ALL
        .iter()
        .enumerate()
        .map(|(i, indicator)| {
            let people = indicator_people[i].len() as u64;
            let hidden = suppress(&[people, indicator_interviews[i]], &[], min_cell);
            IndicatorRow {
                indicator: *indicator,
                people: shown(people, hidden[0]),
                interviews: shown(indicator_interviews[i], hidden[1]),
                share_of_people_interviewed: if hidden[0] || interviewed_hidden || interviewed == 0
                {
                    None
                } else {
                    Some(people as f64 / interviewed as f64)
                },
            }
        })
        .collect();
    let status_hidden = suppress(&status_counts, &[], min_cell);
    let cases_by_status = CaseStatus::ALL
        .iter()
        .enumerate()
        .map(|(i, status)| StatusRow {
            status: *status,
            htcds_status: status.htcds(),
            cases: shown(status_counts[i], status_hidden[i]),
        })
        .collect();

    let report = CaseworkReport {
        report: "casework",
        query: query.clone(),
        periods,
        people_interviewed: shown(interviewed, interviewed_hidden),
        ilo_indicators,
        cases_by_status,
    };
    if query.min_cell < DEFAULT_MIN_CELL {
        log_disclosure(
            store,
            json!({"report": "casework", "min_cell": query.min_cell, "rows": report.csv_rows().len()}),
        )?;
    }
    Ok(report)
}

/// The day at the start of a fact's date, or the store is damaged.
fn day_of(day: Option<&str>, record_id: &str) -> Result<NaiveDate> {
    date_of(day.unwrap_or_default(), record_id)
}

impl CaseworkReport {
    /// The CSV columns (a long table: one figure per row; see `docs/reports.md`).
    pub const CSV_HEADER: [&'static str; 6] =
        ["section", "period", "measure", "count", "share", "htcds"];

    /// The range the whole-range sections cover, as written in the `period` column:
    /// `all`, or `FROM..TO` with an open end left empty.
    pub fn range_label(&self) -> String {
        match (self.query.from, self.query.to) {
            (None, None) => "all".to_string(),
            (from, to) => format!(
                "{}..{}",
                from.map(|d| d.to_string()).unwrap_or_default(),
                to.map(|d| d.to_string()).unwrap_or_default()
            ),
        }
    }

    /// The rows as CSV cells, in [`Self::CSV_HEADER`] order.
    pub fn csv_rows(&self) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        for p in &self.periods {
            let values = [
                p.interviews_held,
                p.people_interviewed,
                p.victims_identified,
                p.referrals_made,
                p.referrals_completed,
                p.cases_opened,
                p.arrests,
                p.convictions,
            ];
            for (name, value) in PERIOD_COLUMNS.iter().zip(values) {
                rows.push(vec![
                    "by_period".into(),
                    p.period.clone(),
                    (*name).into(),
                    count_cell(value),
                    String::new(),
                    String::new(),
                ]);
            }
        }
        let range = self.range_label();
        rows.push(vec![
            "ilo_indicators".into(),
            range.clone(),
            "people_interviewed".into(),
            count_cell(self.people_interviewed),
            String::new(),
            String::new(),
        ]);
        for r in &self.ilo_indicators {
            let share = match (r.people, r.share_of_people_interviewed) {
                (None, _) => SUPPRESSED.to_string(),
                (Some(_), None) if self.people_interviewed.is_none() => SUPPRESSED.to_string(),
                (Some(_), None) => String::new(),
                (Some(_), Some(s)) => format!("{s:.4}"),
            };
            rows.push(vec![
                "ilo_indicators".into(),
                range.clone(),
                r.indicator.as_str().into(),
                count_cell(r.people),
                share,
                String::new(),
            ]);
        }
        for r in &self.cases_by_status {
            rows.push(vec![
                "cases_by_status".into(),
                range.clone(),
                r.status.as_str().into(),
                count_cell(r.cases),
                String::new(),
                format!("cas_Status={}", r.htcds_status),
            ]);
        }
        rows
    }

    /// Writes the report as CSV.
    pub fn write_csv(&self, out: &mut dyn std::io::Write) -> Result<()> {
        super::write_csv(out, &Self::CSV_HEADER, &self.csv_rows())
    }
}
