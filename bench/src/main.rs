//! Fieldcase's performance bench. It prints figures next to the targets;
//! it never asserts. See docs/performance.md.

mod reports;
mod search;

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::Utc;
use clap::{Parser, Subcommand};
use fieldcase_core::crypto::{KdfParams, KeySlots};
use fieldcase_core::model::{self, MediaKind, Record, RecordKind};
use fieldcase_core::store::attachments::NewAttachment;
use fieldcase_core::store::{ListCursor, Revision};
use fieldcase_core::{DataKey, NewProfile, Passphrase, Profile, Store};
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(Parser)]
#[command(about = "Fieldcase performance bench (prints figures; never asserts)")]
struct Args {
    /// Visit + interview records to insert (half each).
    #[arg(long, default_value_t = 100_000)]
    records: usize,
    /// Size of the attachment streamed in and out, in MiB.
    #[arg(long, default_value_t = 1024)]
    attachment_mib: u64,
    /// Search and list calls to time.
    #[arg(long, default_value_t = 200)]
    queries: usize,
    /// How many of the records are added one `Store::add` at a time (timed); the rest go
    /// first, untimed, as foreign revisions in batches (`Store::apply_foreign`), so both
    /// stores reach full size quickly. Default: all of them.
    #[arg(long)]
    timed_adds: Option<usize>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(subcommand)]
    child: Option<Hidden>,
}

#[derive(Subcommand)]
enum Hidden {
    /// Internal: the attachment phase, run in a fresh process so RSS is its own.
    #[command(hide = true)]
    AttachChild {
        #[arg(long)]
        mib: u64,
    },
    /// Internal, for scripts/bench-bundles: adds N example establishments ("Morning Star
    /// KTV <i>") to an existing profile through `Store::add`, in one process, instead of
    /// one `fieldcase add` process (and unlock) per record. Passphrase from
    /// FIELDCASE_PASSPHRASE.
    #[command(hide = true)]
    AddEstablishments {
        #[arg(long)]
        profile: std::path::PathBuf,
        #[arg(long)]
        records: usize,
    },
    /// What Home asks the store for (export status, counts, recent work) on an existing
    /// profile: the median of 5 calls each, after a first (cold) one. Passphrase from
    /// FIELDCASE_PASSPHRASE. For the 100 000-record profile of `scripts/measure-desktop`.
    #[command(hide = true)]
    HomeQueries {
        #[arg(long)]
        profile: std::path::PathBuf,
    },
}

/// One line of the report.
struct Row {
    name: String,
    value: f64,
    unit: &'static str,
    /// Human text of the target, and whether it is met (None: informational).
    target: Option<(String, bool)>,
}

fn row(name: &str, value: f64, unit: &'static str, target: Option<(String, bool)>) -> Row {
    Row {
        name: name.to_string(),
        value,
        unit,
        target,
    }
}

fn main() -> Result<()> {
    if std::env::args().nth(1).as_deref() == Some("reports") {
        return reports::run(std::env::args().skip(2));
    }
    if std::env::args().nth(1).as_deref() == Some("search") {
        return search::run(std::env::args().skip(2));
    }
    let args = Args::parse();
    if let Some(Hidden::AttachChild { mib }) = args.child {
        let out = attach_child(mib)?;
        println!("{out}");
        return Ok(());
    }
    if let Some(Hidden::AddEstablishments { profile, records }) = args.child {
        return add_establishments(&profile, records);
    }
    if let Some(Hidden::HomeQueries { profile }) = args.child {
        return home_queries(&profile);
    }
    let mut rows = Vec::new();
    let log = |m: &str| eprintln!("[bench] {m}");
    let timed = args.timed_adds.unwrap_or(args.records).min(args.records);
    rows.push(row("load average (1 min), start", load_average(), "", None));

    // 1. Inserts: same code, unencrypted then encrypted.
    log(&format!("inserting {} records, unencrypted", args.records));
    let plain_dir = tempfile::tempdir()?;
    let (plain_store, plain_rate) =
        build_store(&plain_dir.path().join("p"), args.records, timed, true)?;
    drop(plain_store);
    drop(plain_dir);
    log(&format!("inserting {} records, encrypted", args.records));
    let enc_dir = tempfile::tempdir()?;
    let enc_path = enc_dir.path().join("p");
    let (store, enc_rate) = build_store(&enc_path, args.records, timed, false)?;
    let ratio = enc_rate / plain_rate;
    rows.push(row("records added one by one", timed as f64, "", None));
    rows.push(row("insert, unencrypted", plain_rate, "rec/s", None));
    rows.push(row("insert, encrypted", enc_rate, "rec/s", None));
    rows.push(row(
        "insert ratio enc/plain",
        ratio,
        "x",
        Some((">= 0.85".into(), ratio >= 0.85)),
    ));
    let db_bytes = dir_bytes(&enc_path);
    rows.push(row(
        "encrypted profile size",
        db_bytes as f64 / 1_048_576.0,
        "MiB",
        None,
    ));

    // 2. Search and list on the encrypted store.
    log("search and list");
    for (class, times) in time_searches(&store, args.queries)? {
        let p = p95(&times);
        let target = (class == "all").then(|| ("<= 20 ms".to_string(), p <= 20.0));
        rows.push(row(&format!("search p95 ({class})"), p, "ms", target));
    }
    let (first, deep, deep_offset) = time_lists(&store, args.queries)?;
    let p = p95(&first);
    rows.push(row(
        "list page 1 p95",
        p,
        "ms",
        Some(("<= 5 ms".into(), p <= 5.0)),
    ));
    let p = p95(&deep);
    rows.push(row(
        "list random page p95",
        p,
        "ms",
        Some(("<= 5 ms".into(), p <= 5.0)),
    ));
    rows.push(row(
        "  (same, by OFFSET) p95",
        p95(&deep_offset),
        "ms",
        None,
    ));

    // 4. Unlock: open the big profile again (FOR_TESTS_ONLY KDF), minus that KDF's time.
    drop(store);
    log("open");
    let pass = passphrase();
    let t = Instant::now();
    let reopened = Profile::open(&enc_path, &pass)?;
    let open_ms = ms(t.elapsed());
    drop(reopened);
    let test_kdf_ms = kdf_unlock_ms(KdfParams::FOR_TESTS_ONLY, 3)?;
    let rest = (open_ms - test_kdf_ms).max(0.0);
    rows.push(row("open big profile (total)", open_ms, "ms", None));
    rows.push(row("  of which test KDF (median)", test_kdf_ms, "ms", None));
    // Timing noise can make the difference negative; it is then shown as 0.
    rows.push(row(
        "open minus KDF",
        rest,
        "ms",
        Some(("<= 100 ms".into(), rest <= 100.0)),
    ));
    drop(enc_dir);
    log("Argon2id DEFAULT");
    let kdf = kdf_unlock_ms(KdfParams::DEFAULT, 3)? / 1000.0;
    rows.push(row(
        "Argon2id DEFAULT unlock",
        kdf,
        "s",
        Some(("0.3-1.5 s".into(), (0.3..=1.5).contains(&kdf))),
    ));

    // 3. Attachments, in a child process of this binary.
    log(&format!(
        "attachment of {} MiB (child process)",
        args.attachment_mib
    ));
    let exe = std::env::current_exe()?;
    let out = Command::new(exe)
        .args(["attach-child", "--mib", &args.attachment_mib.to_string()])
        .output()?;
    if !out.status.success() {
        bail!(
            "attachment child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let child: Value = serde_json::from_slice(&out.stdout).context("attachment child output")?;
    let get = |k: &str| child.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let (w, r, rss, base) = (
        get("write_mb_s"),
        get("read_mb_s"),
        get("peak_rss_mib"),
        get("rss_before_mib"),
    );
    let (w_cpu, r_cpu) = (get("write_mb_per_cpu_s"), get("read_mb_per_cpu_s"));
    rows.push(row(
        "attach (write)",
        w,
        "MB/s",
        Some((">= 300 MB/s".into(), w >= 300.0)),
    ));
    rows.push(row(
        "attachment read",
        r,
        "MB/s",
        Some((">= 300 MB/s".into(), r >= 300.0)),
    ));
    rows.push(row(
        "attachment peak RSS",
        rss,
        "MiB",
        Some(("<= 64 MiB".into(), rss <= 64.0)),
    ));
    rows.push(row("  (RSS before attach)", base, "MiB", None));
    rows.push(row("  write, per CPU second", w_cpu, "MB/s", None));
    rows.push(row("  read, per CPU second", r_cpu, "MB/s", None));
    rows.push(row("load average (1 min), end", load_average(), "", None));

    report(&args, &rows);
    Ok(())
}

fn report(args: &Args, rows: &[Row]) {
    if args.json {
        let list: Vec<Value> = rows
            .iter()
            .map(|r| {
                json!({
                    "name": r.name,
                    "value": r.value,
                    "unit": r.unit,
                    "target": r.target.as_ref().map(|t| t.0.clone()),
                    "pass": r.target.as_ref().map(|t| t.1),
                })
            })
            .collect();
        let doc = json!({
            "records": args.records,
            "attachment_mib": args.attachment_mib,
            "queries": args.queries,
            "results": list,
        });
        println!("{doc:#}");
        return;
    }
    println!(
        "records = {}, attachment = {} MiB, queries = {}",
        args.records, args.attachment_mib, args.queries
    );
    println!(
        "{:<28} {:>12} {:<6} {:<12} result",
        "measure", "value", "unit", "target"
    );
    for r in rows {
        let (t, res) = match &r.target {
            Some((t, ok)) => (t.as_str(), if *ok { "PASS" } else { "MISS" }),
            None => ("", ""),
        };
        println!(
            "{:<28} {:>12.3} {:<6} {:<12} {}",
            r.name, r.value, r.unit, t, res
        );
    }
}

fn passphrase() -> Passphrase {
    Passphrase::new("correct horse battery staple bench".to_string())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn p95(times: &[f64]) -> f64 {
    if times.is_empty() {
        return f64::NAN;
    }
    let mut v = times.to_vec();
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64) * 0.95).ceil() as usize;
    v[i.clamp(1, v.len()) - 1]
}

fn new_profile(path: &Path, unencrypted: bool) -> Result<Store> {
    Ok(Profile::init(
        path,
        &passphrase(),
        &NewProfile {
            device_name: "bench".into(),
            author: Some("bench".into()),
            kdf: KdfParams::FOR_TESTS_ONLY,
            unencrypted_for_benchmarks: unencrypted,
        },
    )?)
}

/// Replaces every string equal to a placeholder example id with the real id.
fn remap(v: &mut Value, ids: &HashMap<String, String>) {
    match v {
        Value::String(s) => {
            if let Some(real) = ids.get(s.as_str()) {
                *s = real.clone();
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| remap(x, ids)),
        Value::Object(o) => o.values_mut().for_each(|x| remap(x, ids)),
        _ => {}
    }
}

const LATIN: &[&str] = &[
    "karaoke",
    "recruiter",
    "passport",
    "debt bond",
    "Sihanoukville",
    "massage",
    "bus ticket",
    "border",
    "overtime",
    "dormitory",
];
const KHMER: &[&str] = &[
    "ភោជនីយដ្ឋាន",
    "ការងារ",
    "បំណុល",
    "លិខិតឆ្លងដែន",
    "ខារ៉ាអូខេ",
    "ព្រំដែន",
    "ម្ចាស់ផ្ទះ",
];

/// Example records with links pointed at the real ids and narratives varied by `i`.
fn varied(kind: RecordKind, i: usize, ids: &HashMap<String, String>) -> Result<Record> {
    let mut v = model::example(kind).to_value();
    remap(&mut v, ids);
    let extra = format!(
        " Bench note {i}: {} near the {}; {} {}.",
        LATIN[i % LATIN.len()],
        LATIN[(i / 7) % LATIN.len()],
        KHMER[i % KHMER.len()],
        KHMER[(i / 5) % KHMER.len()],
    );
    if let Some(Value::String(n)) = v.get_mut("narrative") {
        n.push_str(&extra);
    }
    Ok(Record::from_value(kind, v)?)
}

/// `n` example establishments, each its own `Store::add` (as `fieldcase add` would), named
/// as scripts/bench-bundles always named them.
fn home_queries(profile: &Path) -> Result<()> {
    let pass =
        std::env::var("FIELDCASE_PASSPHRASE").context("home-queries needs FIELDCASE_PASSPHRASE")?;
    let t = Instant::now();
    let store = Profile::open(profile, &Passphrase::new(pass))?;
    println!(
        "open (KDF, migrations): {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let time = |name: &str, f: &dyn Fn() -> Result<()>| -> Result<()> {
        let t = Instant::now();
        f()?;
        let cold = t.elapsed().as_secs_f64() * 1e3;
        let mut warm = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            f()?;
            warm.push(t.elapsed().as_secs_f64() * 1e3);
        }
        warm.sort_by(f64::total_cmp);
        println!(
            "{name}: first {cold:.1} ms, median of 5 after {:.1} ms",
            warm[2]
        );
        Ok(())
    };
    time("export_status", &|| {
        store.export_status().map(|_| ()).map_err(Into::into)
    })?;
    time("counts", &|| store.counts().map(|_| ()).map_err(Into::into))?;
    time("recent(8)", &|| {
        store.recent(8).map(|_| ()).map_err(Into::into)
    })?;
    println!("load average (1 min): {:.2}", load_average());
    Ok(())
}

fn add_establishments(profile: &Path, n: usize) -> Result<()> {
    let pass = std::env::var("FIELDCASE_PASSPHRASE")
        .context("add-establishments needs FIELDCASE_PASSPHRASE")?;
    let mut store = Profile::open(profile, &Passphrase::new(pass))?;
    for i in 1..=n {
        let mut v = model::example(RecordKind::Establishment).to_value();
        if let Some(Value::Array(aliases)) = v.get_mut("aliases") {
            for a in aliases.iter_mut() {
                if a.as_str() == Some("Morning Star KTV") {
                    *a = Value::String(format!("Morning Star KTV {i}"));
                }
            }
        }
        store.add(Record::from_value(RecordKind::Establishment, v)?)?;
    }
    Ok(())
}

/// A profile with `n` visits + interviews: the first `n - timed` imported untimed as
/// foreign revisions (batches of 1,000, one transaction each), then `timed` added one
/// `Store::add` at a time. Returns the store and the insert rate (records/s, add() calls only).
fn build_store(path: &Path, n: usize, timed: usize, unencrypted: bool) -> Result<(Store, f64)> {
    let mut store = new_profile(path, unencrypted)?;
    let mut ids = HashMap::new();
    for kind in [RecordKind::Person, RecordKind::Establishment] {
        let id = store.add(model::example(kind))?;
        ids.insert(model::example_id(kind).to_string(), id.to_string());
    }
    // One visit first, in case an interview links a visit.
    let id = store.add(varied(RecordKind::Visit, 0, &ids)?)?;
    ids.insert(
        model::example_id(RecordKind::Visit).to_string(),
        id.to_string(),
    );
    let untimed = n - timed;
    let other_device = Uuid::now_v7();
    let mut batch = Vec::new();
    for i in 0..untimed {
        let kind = if i % 2 == 0 {
            RecordKind::Visit
        } else {
            RecordKind::Interview
        };
        let mut rev = Revision {
            id: Uuid::now_v7(),
            record_id: Uuid::now_v7(),
            kind,
            parents: Vec::new(),
            device_id: other_device,
            author: "bench import".into(),
            created_at: Utc::now(),
            deleted: false,
            body: Some(varied(kind, i, &ids)?.to_value()),
            identity: None,
            body_hash: String::new(),
        };
        rev.body_hash = rev.compute_hash();
        batch.push(rev);
        if batch.len() == 1000 || i + 1 == untimed {
            store.apply_foreign(&batch)?;
            batch.clear();
            if (i + 1).is_multiple_of(10_000) || i + 1 == untimed {
                eprintln!("[bench]   imported {} / {untimed} untimed", i + 1);
            }
        }
    }
    let mut spent = Duration::ZERO;
    let progress = (timed / 10).max(1);
    for i in untimed..n {
        let kind = if i % 2 == 0 {
            RecordKind::Visit
        } else {
            RecordKind::Interview
        };
        let record = varied(kind, i, &ids)?;
        let t = Instant::now();
        store.add(record)?;
        spent += t.elapsed();
        let done = i + 1 - untimed;
        if done.is_multiple_of(progress) {
            eprintln!(
                "[bench]   {done} / {timed} timed adds, {:.0} rec/s so far",
                done as f64 / spent.as_secs_f64()
            );
        }
    }
    Ok((store, timed as f64 / spent.as_secs_f64()))
}

/// Times `Store::search(q, 50, 0)` over Latin, Khmer, rare and absent substrings.
fn time_searches(store: &Store, n: usize) -> Result<Vec<(&'static str, Vec<f64>)>> {
    let mut classes: Vec<(&'static str, Vec<f64>)> = ["latin", "khmer", "rare", "absent"]
        .iter()
        .map(|c| (*c, Vec::new()))
        .collect();
    let mut all = Vec::new();
    let mut hits = 0usize;
    for (class, q) in search_queries(n) {
        let t = Instant::now();
        let found = store.search(&q, 50, 0)?;
        let e = ms(t.elapsed());
        hits += found.len();
        classes[class].1.push(e);
        all.push(e);
    }
    eprintln!("[bench]   {n} searches, {hits} hits in all");
    classes.insert(0, ("all", all));
    Ok(classes)
}

/// The bench's searches, each with its class (0 Latin, 1 Khmer, 2 rare, 3 absent).
fn search_queries(n: usize) -> Vec<(usize, String)> {
    (0..n)
        .map(|i| match i % 5 {
            0 | 1 => {
                // a Latin substring, not always a whole word
                let w = LATIN[i % LATIN.len()];
                (0, w[..w.len().min(3 + i % 5)].to_string())
            }
            2 => {
                let w: Vec<char> = KHMER[i % KHMER.len()].chars().collect();
                let take = w.len().min(3 + i % 3);
                (1, w[..take].iter().collect())
            }
            3 => (2, format!("note {}:", (i * 7919) % 50_000)),
            _ => (3, format!("qzx{i}wv")),
        })
        .collect()
}

/// Times a page of 50: the first page, a page after a random cursor
/// (`Store::list_after`, what the CLI's `--after` uses), and the same depth by OFFSET.
fn time_lists(store: &Store, n: usize) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    // Every page's cursor, walked once per kind (not timed).
    let mut cursors: HashMap<RecordKind, Vec<ListCursor>> = HashMap::new();
    for kind in [RecordKind::Visit, RecordKind::Interview] {
        let mut all = Vec::new();
        let mut after: Option<ListCursor> = None;
        loop {
            let page = store.list_after(kind, 50, after.as_ref())?;
            match page.next {
                Some(next) => {
                    all.push(next.clone());
                    after = Some(next);
                }
                None => break,
            }
        }
        cursors.insert(kind, all);
    }
    let mut first = Vec::new();
    let mut deep = Vec::new();
    let mut deep_offset = Vec::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..n {
        let kind = if i % 2 == 0 {
            RecordKind::Visit
        } else {
            RecordKind::Interview
        };
        let t = Instant::now();
        let page = store.list_after(kind, 50, None)?;
        first.push(ms(t.elapsed()));
        if page.records.len() < 50 {
            eprintln!("[bench]   short first page: {}", page.records.len());
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let kind_cursors = &cursors[&kind];
        if kind_cursors.is_empty() {
            continue;
        }
        let page_no = (x % kind_cursors.len() as u64) as usize;
        let t = Instant::now();
        store.list_after(kind, 50, Some(&kind_cursors[page_no]))?;
        deep.push(ms(t.elapsed()));
        let t = Instant::now();
        store.list(kind, 50, ((page_no + 1) * 50) as u32)?;
        deep_offset.push(ms(t.elapsed()));
    }
    Ok((first, deep, deep_offset))
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(f64::NAN)
}

/// This process's CPU time (user + system, all threads), from /proc/self/stat.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let f: Vec<&str> = after.split_whitespace().collect();
            // utime and stime are fields 14 and 15 of the line, 12 and 13 after ")".
            let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// Median time of `KeySlots::unlock` (the passphrase KDF and unwrap) with `params`.
fn kdf_unlock_ms(params: KdfParams, runs: usize) -> Result<f64> {
    let pass = passphrase();
    let slots = KeySlots::create(&DataKey::generate(), &pass, params)?;
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let _key = slots.unlock(&pass)?;
        times.push(ms(t.elapsed()));
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

fn dir_bytes(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Pseudo-random bytes (xorshift64), `left` of them, generated as they are read.
struct Generator {
    state: u64,
    left: u64,
}

impl Read for Generator {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = (buf.len() as u64).min(self.left) as usize;
        for chunk in buf[..n].chunks_mut(8) {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            let bytes = self.state.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn vm_hwm_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The attachment phase: stream `mib` MiB in through `attach` and out through
/// `attachment_reader`. Prints one JSON object.
fn attach_child(mib: u64) -> Result<Value> {
    let dir = tempfile::tempdir()?;
    let mut store = new_profile(&dir.path().join("p"), false)?;
    let est = store.add(model::example(RecordKind::Establishment))?;
    let mut ids = HashMap::new();
    ids.insert(
        model::example_id(RecordKind::Establishment).to_string(),
        est.to_string(),
    );
    let visit = store.add(varied(RecordKind::Visit, 0, &ids)?)?;
    let rss_before = vm_hwm_mib();
    let bytes = mib * 1_048_576;
    let mut source = Generator {
        state: 0x2545_F491_4F6C_DD1D,
        left: bytes,
    };
    let t = Instant::now();
    let cpu = cpu_seconds();
    let id = store.attach(
        NewAttachment {
            record_id: visit,
            media: MediaKind::Document,
            file_name: "bench.bin".into(),
            media_type: "application/octet-stream".into(),
            description: Some("bench".into()),
        },
        &mut source,
    )?;
    let write_s = t.elapsed().as_secs_f64();
    let write_cpu = cpu_seconds() - cpu;
    let t = Instant::now();
    let cpu = cpu_seconds();
    let mut reader = store.attachment_reader(id)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut read = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        read += n as u64;
    }
    let read_s = t.elapsed().as_secs_f64();
    let read_cpu = cpu_seconds() - cpu;
    if read != bytes {
        bail!("read back {read} bytes, wrote {bytes}");
    }
    Ok(json!({
        "bytes": bytes,
        "write_mb_s": bytes as f64 / 1e6 / write_s,
        "read_mb_s": bytes as f64 / 1e6 / read_s,
        "write_mb_per_cpu_s": bytes as f64 / 1e6 / write_cpu,
        "read_mb_per_cpu_s": bytes as f64 / 1e6 / read_cpu,
        "peak_rss_mib": vm_hwm_mib(),
        "rss_before_mib": rss_before,
    }))
}
