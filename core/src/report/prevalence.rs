//! Prevalence of minors among people observed in establishments: for visits whose purpose is
//! a prevalence count, by establishment city or province and by period, the establishments
//! visited, the people observed, and the shares 15 and under and 16–17 over the people whose
//! age band was judged, each with its 95 % Wilson interval. Unweighted.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use serde_json::json;

use super::{
    count, count_cell, log_disclosure, share_cells, shown, suppress, text, wilson, ymd, NumberSet,
    PlaceLevel, ReportQuery, Share, DEFAULT_MIN_CELL,
};
use crate::error::Result;
use crate::Store;

/// What the report says about weighting, in every output.
pub const WEIGHTING: &str = "unweighted: every person observed counts once and every \
establishment visited counts the same, whatever its sampling stratum; not a population estimate";

/// The place shown when an establishment's city or province was not recorded.
pub const PLACE_NOT_RECORDED: &str = "(not recorded)";

/// One place in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrevalenceRow {
    /// The city or province (as recorded on the establishment).
    pub place: String,
    /// The period (`2026-03`, `2026-Q1`, `2026`).
    pub period: String,
    /// Prevalence-count visits made.
    pub visits: u64,
    /// Distinct establishments visited.
    pub establishments_visited: u64,
    /// Everyone observed (`None`: withheld by the small-cell rule, as for every count below).
    pub people_observed: Option<u64>,
    /// Observed 15 and under.
    pub under_16: Option<u64>,
    /// Observed aged 16 or 17.
    pub age_16_17: Option<u64>,
    /// Observed 18 and over.
    pub adult: Option<u64>,
    /// Observed whose age band could not be judged (left out of the shares' denominator).
    pub age_unknown: Option<u64>,
    /// Observed whose age band was judged: the shares' denominator.
    pub age_judged: Option<u64>,
    /// Share 15 and under of those judged, with its interval (`None`: nobody judged, or withheld).
    pub share_under_16: Option<Share>,
    /// Share aged 16–17 of those judged, with its interval.
    pub share_16_17: Option<Share>,
    /// The cells withheld by the small-cell rule, by column name.
    pub suppressed: Vec<&'static str>,
}

/// The prevalence report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrevalenceReport {
    /// `prevalence`.
    pub report: &'static str,
    /// What it covers.
    pub query: ReportQuery,
    /// How counts are weighted (they are not).
    pub weighting: &'static str,
    /// One row per place and period, places in order, periods in order; empty periods have
    /// zero counts and no shares.
    pub rows: Vec<PrevalenceRow>,
}

/// The exact counts of one place and period.
#[derive(Debug, Default, Clone)]
struct Tally {
    visits: u64,
    /// The establishments visited, by number.
    establishments: NumberSet,
    bands: [u64; 4],
}

impl Tally {
    /// Adds a visit: its establishment and its people by age band (15 and under, 16–17,
    /// adult, unknown).
    fn add(&mut self, establishment: usize, bands: [u64; 4]) {
        self.visits += 1;
        self.establishments.insert(establishment);
        for (sum, n) in self.bands.iter_mut().zip(bands) {
            *sum += n;
        }
    }

    fn row(&self, place: &str, period: String, min_cell: u64) -> PrevalenceRow {
        let [under_16, age_16_17, adult, unknown] = self.bands;
        let judged = under_16 + age_16_17 + adult;
        let people = judged + unknown;
        // Cells: 0 people, 1 under 16, 2 16–17, 3 adult, 4 unknown, 5 judged.
        let values = [people, under_16, age_16_17, adult, unknown, judged];
        let hidden = suppress(&values, &[&[0, 5, 4], &[5, 1, 2, 3]], min_cell);
        let names = [
            "people_observed",
            "under_16",
            "age_16_17",
            "adult",
            "age_unknown",
            "age_judged",
        ];
        let mut suppressed: Vec<&'static str> = names
            .iter()
            .zip(&hidden)
            .filter(|(_, h)| **h)
            .map(|(n, _)| *n)
            .collect();
        let under_16_withheld = hidden[1] || hidden[5];
        let age_16_17_withheld = hidden[2] || hidden[5];
        if under_16_withheld {
            suppressed.push("share_under_16");
        }
        if age_16_17_withheld {
            suppressed.push("share_16_17");
        }
        PrevalenceRow {
            place: place.to_string(),
            period,
            visits: self.visits,
            establishments_visited: self.establishments.len() as u64,
            people_observed: shown(people, hidden[0]),
            under_16: shown(under_16, hidden[1]),
            age_16_17: shown(age_16_17, hidden[2]),
            adult: shown(adult, hidden[3]),
            age_unknown: shown(unknown, hidden[4]),
            age_judged: shown(judged, hidden[5]),
            share_under_16: if under_16_withheld {
                None
            } else {
                wilson(under_16, judged)
            },
            share_16_17: if age_16_17_withheld {
                None
            } else {
                wilson(age_16_17, judged)
            },
            suppressed,
        }
    }
}

/// Computes the prevalence report. Reading only, except that a `min_cell` below
/// [`DEFAULT_MIN_CELL`] is written to the audit chain.
///
/// Reads the report facts (one small row per live visit head, see `store::facts`) in one
/// sequential scan and adds them up here: SQLite's GROUP BY and DISTINCT would allocate per
/// row, and with `cipher_memory_security` every allocation locks and wipes memory.
pub fn prevalence(store: &Store, query: &ReportQuery) -> Result<PrevalenceReport> {
    query.check()?;
    let conn = &store.conn;
    let place_of = establishment_places(conn, query.place)?;
    let mut stmt = conn.prepare_cached(
        "SELECT record_id, day, establishment_id, under_16, age_16_17, adult, age_unknown
         FROM fact_visits WHERE purpose = 'prevalence_count'",
    )?;
    let mut visits = stmt.query([])?;

    // Establishments and places are numbered as first seen, so the loop allocates nothing.
    let mut establishment_number: HashMap<String, (usize, usize)> = HashMap::new();
    let mut place_names: Vec<String> = Vec::new();
    let mut place_seen: Vec<bool> = Vec::new();
    let mut dates = Vec::new();
    let mut tallies: HashMap<(usize, (i32, u32)), Tally> = HashMap::new();
    while let Some(r) = visits.next()? {
        let date = match text(r, 1)?
            .and_then(|d| d.get(..10))
            .and_then(|d| ymd(d).or_else(|| d.parse().ok()))
        {
            Some(date) => date,
            None => return Err(super::damaged(&r.get::<_, String>(0)?, "a date")),
        };
        let establishment = text(r, 2)?.unwrap_or_default();
        let (establishment, place) = match establishment_number.get(establishment) {
            Some(numbers) => *numbers,
            None => {
                let name = place_of
                    .get(establishment)
                    .cloned()
                    .unwrap_or_else(|| PLACE_NOT_RECORDED.to_string());
                let place = match place_names.iter().position(|p| *p == name) {
                    Some(i) => i,
                    None => {
                        place_names.push(name);
                        place_seen.push(false);
                        place_names.len() - 1
                    }
                };
                let numbers = (establishment_number.len(), place);
                establishment_number.insert(establishment.to_string(), numbers);
                numbers
            }
        };
        place_seen[place] = true;
        dates.push(date);
        if !query.covers(date) {
            continue;
        }
        let bands = [
            count(r.get(3)?),
            count(r.get(4)?),
            count(r.get(5)?),
            count(r.get(6)?),
        ];
        tallies
            .entry((place, query.by.key(date)))
            .or_default()
            .add(establishment, bands);
    }
    let places: BTreeSet<(String, usize)> = place_names
        .into_iter()
        .enumerate()
        .filter(|(i, _)| place_seen[*i])
        .map(|(i, name)| (name, i))
        .collect();

    let periods = query.periods(dates.into_iter());
    let empty = Tally::default();
    let min_cell = query.threshold();
    let mut rows = Vec::with_capacity(places.len() * periods.len());
    for (place, number) in places {
        for period in &periods {
            let tally = tallies.get(&(number, *period)).unwrap_or(&empty);
            rows.push(tally.row(&place, query.by.label(*period), min_cell));
        }
    }
    if query.min_cell < DEFAULT_MIN_CELL {
        log_disclosure(
            store,
            json!({"report": "prevalence", "min_cell": query.min_cell, "rows": rows.len()}),
        )?;
    }
    Ok(PrevalenceReport {
        report: "prevalence",
        query: query.clone(),
        weighting: WEIGHTING,
        rows,
    })
}

/// Each establishment's city or province as last recorded (a deleted establishment keeps
/// the place it had), by establishment id.
fn establishment_places(
    conn: &rusqlite::Connection,
    level: PlaceLevel,
) -> Result<HashMap<String, String>> {
    let sql = match level {
        PlaceLevel::City => "SELECT record_id, city FROM fact_establishments",
        PlaceLevel::Province => "SELECT record_id, province FROM fact_establishments",
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, place) = row?;
        let place = place
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| PLACE_NOT_RECORDED.to_string());
        out.insert(id, place);
    }
    Ok(out)
}

impl PrevalenceReport {
    /// The CSV columns, in order (documented in `docs/reports.md`).
    pub const CSV_HEADER: [&'static str; 18] = [
        "place_level",
        "place",
        "period",
        "visits",
        "establishments_visited",
        "people_observed",
        "under_16",
        "age_16_17",
        "adult",
        "age_unknown",
        "age_judged",
        "share_under_16",
        "share_under_16_low",
        "share_under_16_high",
        "share_16_17",
        "share_16_17_low",
        "share_16_17_high",
        "weighting",
    ];

    /// The rows as CSV cells, in [`Self::CSV_HEADER`] order.
    pub fn csv_rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                let mut cells = vec![
                    self.query.place.as_str().to_string(),
                    r.place.clone(),
                    r.period.clone(),
                    r.visits.to_string(),
                    r.establishments_visited.to_string(),
                    count_cell(r.people_observed),
                    count_cell(r.under_16),
                    count_cell(r.age_16_17),
                    count_cell(r.adult),
                    count_cell(r.age_unknown),
                    count_cell(r.age_judged),
                ];
                cells.extend(share_cells(
                    r.share_under_16,
                    r.suppressed.contains(&"share_under_16"),
                ));
                cells.extend(share_cells(
                    r.share_16_17,
                    r.suppressed.contains(&"share_16_17"),
                ));
                cells.push("unweighted".to_string());
                cells
            })
            .collect()
    }

    /// Writes the report as CSV.
    pub fn write_csv(&self, out: &mut dyn std::io::Write) -> Result<()> {
        super::write_csv(out, &Self::CSV_HEADER, &self.csv_rows())
    }
}
