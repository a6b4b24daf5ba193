//! `fieldcase-bench search`: the search figures alone, on an encrypted store built the way
//! the full bench builds it (the first records imported in batches as another device's
//! revisions, the last ones added one `Store::add` at a time), optionally kept in a folder and
//! reused, so that search can be measured and profiled without rebuilding the store. Prints
//! figures; never asserts.

use std::time::Instant;

use anyhow::Result;
use clap::Parser;
use fieldcase_core::Profile;

#[derive(Parser)]
#[command(name = "fieldcase-bench search")]
struct Args {
    /// Visit + interview records in the store (half each).
    #[arg(long, default_value_t = 100_000)]
    records: usize,
    /// How many of them are added one `Store::add` at a time (the rest go in batches).
    #[arg(long, default_value_t = 10_000)]
    timed_adds: usize,
    /// Searches to time.
    #[arg(long, default_value_t = 200)]
    queries: usize,
    /// Build the profile in this folder and keep it, or reuse it if it is there (opening it
    /// runs any pending migration).
    #[arg(long, value_name = "DIR")]
    keep: Option<std::path::PathBuf>,
    /// Also write every search's first page (ids, labels, excerpts), as JSON, to this file (to
    /// check that a change leaves the results as they were).
    #[arg(long, value_name = "FILE")]
    dump: Option<std::path::PathBuf>,
}

/// Runs the search bench; `args` are the words after `search`.
pub fn run(args: impl Iterator<Item = String>) -> Result<()> {
    let args = Args::parse_from(std::iter::once("search".to_string()).chain(args));
    let dir = tempfile::tempdir()?;
    let path = match &args.keep {
        Some(kept) => kept.clone(),
        None => dir.path().join("p"),
    };
    println!("load average (1 min), start  {:.2}", super::load_average());
    let store = if args.keep.is_some() && Profile::exists(&path) {
        let t = Instant::now();
        let store = Profile::open(&path, &super::passphrase())?;
        eprintln!(
            "[bench] opened {} in {:.1} s",
            path.display(),
            t.elapsed().as_secs_f64()
        );
        store
    } else {
        let timed = args.timed_adds.min(args.records);
        let t = Instant::now();
        let (store, rate) = super::build_store(&path, args.records, timed, false)?;
        eprintln!(
            "[bench] built {} records in {:.0} s ({rate:.1} rec/s for the {timed} single adds)",
            args.records,
            t.elapsed().as_secs_f64()
        );
        store
    };
    for (class, mut times) in super::time_searches(&store, args.queries)? {
        let p95 = super::p95(&times);
        times.sort_by(f64::total_cmp);
        let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
        let verdict = if class == "all" {
            if p95 <= 20.0 {
                "target <= 20 ms: PASS"
            } else {
                "target <= 20 ms: MISS"
            }
        } else {
            ""
        };
        println!("search {class:<7} median {median:>7.2} ms   p95 {p95:>7.2} ms   {verdict}");
    }
    println!("load average (1 min), end    {:.2}", super::load_average());
    if let Some(file) = &args.dump {
        let mut pages = Vec::new();
        for (_, q) in super::search_queries(args.queries) {
            pages.push(serde_json::json!({"query": q, "hits": store.search(&q, 50, 0)?}));
        }
        std::fs::write(file, serde_json::to_string_pretty(&pages)?)?;
    }
    Ok(())
}
