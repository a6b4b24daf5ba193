//! `fieldcase-bench reports`: times the prevalence and casework reports over an encrypted
//! store of 100,000 visits and 50,000 interviews (with persons, establishments, referrals and
//! cases around them). Records go in as foreign revisions, a few thousand per transaction,
//! because one `Store::add` per record would take most of an hour; the reports read the same
//! tables either way. Prints figures; never asserts.

use std::time::Instant;

use anyhow::Result;
use chrono::{DateTime, Days, NaiveDate, Utc};
use clap::Parser;
use fieldcase_core::crypto::KdfParams;
use fieldcase_core::model::{self, RecordKind};
use fieldcase_core::report::{self, Period, PlaceLevel, ReportQuery};
use fieldcase_core::store::Revision;
use fieldcase_core::{NewProfile, Passphrase, Profile, Store};
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(Parser)]
#[command(name = "fieldcase-bench reports")]
struct Args {
    /// Visits (80 % of them prevalence counts).
    #[arg(long, default_value_t = 100_000)]
    visits: usize,
    /// Interviews.
    #[arg(long, default_value_t = 50_000)]
    interviews: usize,
    /// Use a plain (unencrypted) store, to see what encryption costs.
    #[arg(long)]
    unencrypted: bool,
    /// Build the profile in this folder and keep it (for looking at it afterwards).
    #[arg(long, value_name = "DIR")]
    keep: Option<std::path::PathBuf>,
    /// Timed runs of each report.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Also write both reports, as JSON, to this file (to check that a change leaves them as
    /// they were).
    #[arg(long, value_name = "FILE")]
    dump: Option<std::path::PathBuf>,
}

const PROVINCES: [&str; 8] = [
    "Phnom Penh",
    "Siem Reap",
    "Preah Sihanouk",
    "Battambang",
    "Kampot",
    "Koh Kong",
    "Banteay Meanchey",
    "ភ្នំពេញ",
];

/// Runs the reports bench; `args` are the words after `reports`.
pub fn run(args: impl Iterator<Item = String>) -> Result<()> {
    let args = Args::parse_from(std::iter::once("reports".to_string()).chain(args));
    let dir = tempfile::tempdir()?;
    let path = match &args.keep {
        Some(kept) => kept.clone(),
        None => dir.path().join("office"),
    };
    let passphrase = Passphrase::new("bench reports passphrase".into());
    let reuse = args.keep.is_some() && Profile::exists(&path);
    let mut store = if reuse {
        Profile::open(&path, &passphrase)?
    } else {
        Profile::init(
            &path,
            &passphrase,
            &NewProfile {
                device_name: "bench office".into(),
                author: Some("bench".into()),
                kdf: KdfParams::FOR_TESTS_ONLY,
                unencrypted_for_benchmarks: args.unencrypted,
            },
        )?
    };
    let started = Instant::now();
    if !reuse {
        fill(&mut store, &args)?;
    }
    eprintln!(
        "[bench] filled {} visits and {} interviews (and the records around them) in {:.0} s",
        args.visits,
        args.interviews,
        started.elapsed().as_secs_f64()
    );
    let prevalence_query = ReportQuery {
        by: Period::Quarter,
        place: PlaceLevel::Province,
        ..ReportQuery::default()
    };
    let casework_query = ReportQuery::default();
    let mut rows = Vec::new();
    for name in ["prevalence", "casework"] {
        let mut times = Vec::new();
        let mut cpu = Vec::new();
        let mut size = 0;
        for _ in 0..args.runs.max(1) {
            let t = Instant::now();
            let c = cpu_ms();
            size = match name {
                "prevalence" => report::prevalence(&store, &prevalence_query)?.rows.len(),
                _ => report::casework(&store, &casework_query)?.periods.len(),
            };
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            cpu.push(cpu_ms() - c);
        }
        cpu.sort_by(f64::total_cmp);
        let cpu_median = cpu[cpu.len() / 2];
        let first = times[0];
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let max = times[times.len() - 1];
        rows.push(json!({
            "report": name, "rows": size, "first_ms": first, "median_ms": median, "max_ms": max,
            "cpu_median_ms": cpu_median, "target_ms": 200, "met": max <= 200.0,
        }));
        println!(
            "{name:<11} {size:>4} rows   first {first:>7.1} ms   median {median:>7.1} ms   \
             max {max:>7.1} ms   (cpu median {cpu_median:>7.1} ms)   target <= 200 ms: {}",
            if max <= 200.0 { "met" } else { "MISS" }
        );
    }
    eprintln!("{}", Value::Array(rows));
    if let Some(file) = &args.dump {
        let both = json!({
            "prevalence": report::prevalence(&store, &prevalence_query)?,
            "casework": report::casework(&store, &casework_query)?,
        });
        std::fs::write(file, serde_json::to_string_pretty(&both)?)?;
    }
    Ok(())
}

/// A revision creating a record, as another device would send it.
fn creation(kind: RecordKind, device: Uuid, body: Value, identity: Option<Value>) -> Revision {
    let mut rev = Revision {
        id: Uuid::now_v7(),
        record_id: Uuid::now_v7(),
        kind,
        parents: Vec::new(),
        device_id: device,
        author: "bench".into(),
        created_at: chrono_now(),
        deleted: false,
        body: Some(body),
        identity,
        body_hash: String::new(),
    };
    rev.body_hash = rev.compute_hash();
    rev
}

fn chrono_now() -> DateTime<Utc> {
    Utc::now()
}

/// Applies revisions in transactions of a few thousand.
fn apply(store: &mut Store, batch: &mut Vec<Revision>, force: bool) -> Result<()> {
    if batch.len() >= 2_000 || (force && !batch.is_empty()) {
        store.apply_foreign(batch)?;
        batch.clear();
    }
    Ok(())
}

/// A date-time `i` hours after 2024-01-01, spread over two years.
fn when(i: usize) -> String {
    let day = (i * 7919) % 730;
    let date = NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap_or_default()
        .checked_add_days(Days::new(day as u64))
        .unwrap_or_default();
    format!("{date}T{:02}:{:02}:00Z", 10 + i % 12, i % 60)
}

fn fill(store: &mut Store, args: &Args) -> Result<()> {
    let device = Uuid::now_v7();
    let mut batch = Vec::new();

    let establishments: Vec<Uuid> = (0..400)
        .map(|i| {
            let mut body = model::example(RecordKind::Establishment).to_value();
            body["location"]["province"] = json!(PROVINCES[i % PROVINCES.len()]);
            body["location"]["city"] = json!(format!("City {}", i % 40));
            let rev = creation(RecordKind::Establishment, device, body, None);
            let id = rev.record_id;
            batch.push(rev);
            id
        })
        .collect();
    apply(store, &mut batch, true)?;

    let persons: Vec<Uuid> = (0..args.interviews / 2 + 1)
        .map(|i| {
            let (record, identity) = model::example(RecordKind::Person).split_identity();
            let mut body = record.to_value();
            body["role"] = json!(if i % 5 == 4 { "witness" } else { "survivor" });
            body["age"] = json!({"years": 18 + i % 30, "basis": "stated"});
            let rev = creation(RecordKind::Person, device, body, identity);
            let id = rev.record_id;
            batch.push(rev);
            id
        })
        .collect();
    apply(store, &mut batch, true)?;

    let purposes = [
        "prevalence_count",
        "prevalence_count",
        "prevalence_count",
        "prevalence_count",
        "monitoring",
    ];
    for i in 0..args.visits {
        let mut body = model::example(RecordKind::Visit).to_value();
        body["establishment_id"] = json!(establishments[i % establishments.len()]);
        body["started_at"] = json!(when(i));
        if let Some(o) = body.as_object_mut() {
            o.remove("ended_at");
        }
        body["purpose"] = json!(purposes[i % purposes.len()]);
        body["sampling"] = json!({"stratum": format!("S{}", i % 12)});
        body["counts"] = json!([
            {"age_band": "adult", "sex": "female", "count": 5 + i % 20},
            {"age_band": "age_16_17", "sex": "female", "count": i % 3},
            {"age_band": "under_16", "sex": "female", "count": usize::from(i % 17 == 0)},
            {"age_band": "unknown", "sex": "male", "count": i % 2},
        ]);
        batch.push(creation(RecordKind::Visit, device, body, None));
        apply(store, &mut batch, false)?;
    }
    apply(store, &mut batch, true)?;

    let indicators = model::IloIndicator::ALL;
    for i in 0..args.interviews {
        let mut body = model::example(RecordKind::Interview).to_value();
        body["person_id"] = json!(persons[i % persons.len()]);
        let start = when(i + 3);
        body["started_at"] = json!(start);
        if let Some(o) = body.as_object_mut() {
            for k in ["ended_at", "breaks", "stop_reason", "consent"] {
                o.remove(k);
            }
        }
        body["consent"] =
            json!({"interview": {"given": true, "explained_by": "SW-11", "language": "km"}});
        body["ilo_indicators"] = json!([
            indicators[i % indicators.len()],
            indicators[(i / 3) % indicators.len()]
        ]);
        batch.push(creation(RecordKind::Interview, device, body, None));
        apply(store, &mut batch, false)?;
    }
    apply(store, &mut batch, true)?;

    for i in 0..args.interviews / 5 {
        let mut body = model::example(RecordKind::Referral).to_value();
        body["person_id"] = json!(persons[i % persons.len()]);
        if let Some(o) = body.as_object_mut() {
            o.remove("case_id");
        }
        let made = &when(i)[..10];
        body["made_on"] = json!(made);
        if i % 2 == 0 {
            body["status"] = json!("made");
            if let Some(o) = body.as_object_mut() {
                o.remove("completed_on");
            }
        } else {
            body["completed_on"] = json!(made);
        }
        batch.push(creation(RecordKind::Referral, device, body, None));
        apply(store, &mut batch, false)?;
    }
    for i in 0..args.interviews / 25 {
        let mut body = model::example(RecordKind::Case).to_value();
        body["code"] = json!(format!("BENCH-{i}"));
        body["opened_on"] = json!(&when(i)[..10]);
        body["arrests"] = json!([{"date": &when(i + 1)[..10], "count": 1 + i % 3}]);
        batch.push(creation(RecordKind::Case, device, body, None));
        apply(store, &mut batch, false)?;
    }
    apply(store, &mut batch, true)?;
    Ok(())
}

/// CPU time this thread has used, in ms (Linux; 0 elsewhere). Wall-clock figures on a shared
/// machine include waiting for a core; this does not.
fn cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e6)
}
