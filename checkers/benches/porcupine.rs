//! Porcupine's own test histories (`test_data/jepsen/etcd_*.log`, `test_data/kv/*.txt` of
//! github.com/anishathalye/porcupine), timed one history at a time in one process, the work
//! `quorumlab check` does for each: read and parse the file, pair it, run the suite (for Jepsen
//! formats: `linearizable`, explanation included) and render the report. Companion of the Go
//! driver in `benches/porcupine/` (same output), whose README says where the data comes from.
//!
//! Input: the directory in `QUORUMLAB_PORCUPINE_DATA` (its `jepsen/*.log` are checked as
//! `jepsen-log` under `cas-register`, its `kv/*.txt` as `jepsen-edn` under `kv`), or the files
//! and directories given after `--`. `QL_REPEAT` runs (default 5; medians printed),
//! `QL_THREADS` workers for each history's search (default 0: all cores, as `quorumlab check` on
//! one history). Output, tab-separated: `name verdict microseconds` per history, then `TOTAL - µs`
//! (the median over the runs of the sum). `QL_PHASES=1` also prints, on stderr, each run's split
//! of each history's time into loading, the suite (search and explanation) and rendering.
//!
//! Run: `QUORUMLAB_PORCUPINE_DATA=/tmp/porcupine-data cargo bench -p quorumlab-checkers --bench porcupine`

use quorumlab_checkers::format::Format;
use quorumlab_checkers::lin::{LinOptions, ModelKind, NilRead};
use quorumlab_checkers::suite::{self, SuiteOptions};
use quorumlab_checkers::{load, Validity};
use std::hint::black_box;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The histories under `p`: a file; a directory holding `jepsen/` or `kv/`: theirs; another
/// directory: its `*.log` then `*.txt` (in name order).
fn collect(p: &Path, out: &mut Vec<PathBuf>) {
    if !p.is_dir() {
        out.push(p.to_path_buf());
        return;
    }
    let subs: Vec<PathBuf> = ["jepsen", "kv"]
        .iter()
        .map(|s| p.join(s))
        .filter(|s| s.is_dir())
        .collect();
    if !subs.is_empty() {
        subs.iter().for_each(|s| collect(s, out));
        return;
    }
    for ext in ["log", "txt"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(p)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|f| f.is_file() && f.extension().is_some_and(|e| e == ext));
        files.sort();
        out.extend(files);
    }
}

/// Check one history as `quorumlab check` does: its verdict and the time taken. With `phases`,
/// the split (load, suite, render) goes to stderr.
fn check(path: &Path, threads: usize, phases: bool) -> (Validity, Duration) {
    let start = Instant::now();
    let (format, model, nil_read) = if path.extension().is_some_and(|e| e == "log") {
        (Format::JepsenLog, ModelKind::CasRegister, NilRead::Literal)
    } else {
        (Format::JepsenEdn, ModelKind::Kv, NilRead::Wildcard)
    };
    let name = path.display().to_string();
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let loaded =
        load::paired(format, &name, BufReader::new(file), model).unwrap_or_else(|e| panic!("{e}"));
    let opts = SuiteOptions {
        lin: LinOptions {
            model,
            nil_read,
            threads,
            ..LinOptions::default()
        },
        ..SuiteOptions::new(format)
    };
    let loaded_at = start.elapsed();
    let run = suite::run(&loaded.ops, None, &opts);
    let run_at = start.elapsed();
    black_box(suite::render(&run));
    let done = start.elapsed();
    if phases {
        eprintln!(
            "{name}\tload {} µs\tsuite {} µs\trender {} µs",
            loaded_at.as_micros(),
            (run_at - loaded_at).as_micros(),
            (done - run_at).as_micros()
        );
    }
    (run.results.valid, done)
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument is a history or a directory.
    let args: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    let roots = if args.is_empty() {
        match std::env::var_os("QUORUMLAB_PORCUPINE_DATA") {
            Some(d) => vec![PathBuf::from(d)],
            None => {
                eprintln!(
                    "porcupine bench: skipped, set QUORUMLAB_PORCUPINE_DATA to a directory holding \
                     Porcupine's jepsen/ and kv/ test data (see benches/porcupine/README.md)"
                );
                return;
            }
        }
    } else {
        args
    };
    let mut files = Vec::new();
    for r in &roots {
        collect(r, &mut files);
    }
    let repeat = env_usize("QL_REPEAT", 5).max(1);
    let threads = env_usize("QL_THREADS", 0);
    let phases = std::env::var_os("QL_PHASES").is_some();
    let mut times = vec![Vec::new(); files.len()];
    let mut verdicts = vec![Validity::Unknown; files.len()];
    let mut totals = Vec::new();
    for _ in 0..repeat {
        let mut total = Duration::ZERO;
        for (i, f) in files.iter().enumerate() {
            let (v, d) = check(f, threads, phases);
            verdicts[i] = v;
            times[i].push(d);
            total += d;
        }
        totals.push(total);
    }
    for (i, f) in files.iter().enumerate() {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let verdict = match verdicts[i] {
            Validity::Valid => "valid",
            Validity::Invalid => "invalid",
            Validity::Unknown => "unknown",
        };
        let us = median(std::mem::take(&mut times[i])).as_micros();
        println!("{name}\t{verdict}\t{us}");
    }
    println!("TOTAL\t-\t{}", median(totals).as_micros());
}
