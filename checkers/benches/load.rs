//! Loading a JSON Lines history, as `quorumlab check` does before its checkers run (issue 13: a
//! 1M-operation history checked in ≤ 2 s).
//!
//! The input is `h1m.jsonl` of BENCHMARKS.md, built in memory by [`h1m_text`]:
//! `histories/valid/recorded-quorum-mixed.jsonl` repeated with keys, processes and times shifted
//! per block — 100 blocks (123 200 events, 60 800 operations, 14.7 MB) and the full 1 645
//! (2 026 640 events, 1 000 160 operations, 241 MB; the same bytes as
//! `checkers/benches/gen_h1m.py`). Cases, all on the same bytes in the same run:
//!
//! - `baseline-before` — the loader before issue 13 (`load/before.rs`): decode the whole text,
//!   serde_json per line into events, check functions, pair (cloning strings);
//! - `history` — [`load::history`]: the same result (events with their lines, and operations) in
//!   one pass with the fast line reader;
//! - `paired` — [`load::paired`] from a reader: operations only, parsed while read, events not
//!   kept (what `quorumlab check` runs).
//!
//! After the runs a table gives each case's mean time and its ratio to `baseline-before`.
//! Run: `cargo bench -p quorumlab-checkers --bench load` (add `-- 100blocks` to filter).
//! `H1M_OUT=h1m.jsonl cargo bench -p quorumlab-checkers --bench load` writes the full input to a
//! file instead of benchmarking.

use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use quorumlab_checkers::format::Format;
use quorumlab_checkers::lin::ModelKind;
use quorumlab_checkers::{jsonl, load, Process, Value};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

#[path = "load/before.rs"]
mod before;

const BLOCKS: [usize; 2] = [100, 1645];
const CASES: [&str; 3] = ["baseline-before", "history", "paired"];

/// `recorded-quorum-mixed.jsonl` repeated `blocks` times: block `b` shifts keys by 16·b, client
/// processes by 1000·b and times by b·(last time + 1 µs); indices run on. Non-ASCII characters
/// are written as `\uXXXX` escapes, as Python's json module does (so a few lines take the slow
/// path, as in the file the CLI was timed on).
fn h1m_text(blocks: usize) -> String {
    let src = include_str!("../../histories/valid/recorded-quorum-mixed.jsonl");
    let events = jsonl::parse_jsonl("recorded-quorum-mixed.jsonl", src)
        .expect("the source history parses")
        .into_events();
    let period = events.iter().filter_map(|e| e.time).max().unwrap_or(0) + 1000;
    let mut out = String::new();
    let mut index = 0;
    for b in 0..blocks as u64 {
        for e in &events {
            let mut e = e.clone();
            e.index = index;
            index += 1;
            e.time = e.time.map(|t| t + b * period);
            if let Process::Client(p) = e.process {
                e.process = Process::Client(p + 1000 * b);
            }
            if let Some(Value::Int(k)) = e.key {
                e.key = Some(Value::Int(k + 16 * b as i64));
            }
            for c in jsonl::to_line(&e).chars() {
                if c.is_ascii() {
                    out.push(c);
                } else {
                    for unit in c.encode_utf16(&mut [0; 2]) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
            }
            out.push('\n');
        }
    }
    out
}

fn group_name(blocks: usize) -> String {
    format!("load-{blocks}blocks")
}

fn bench_load(c: &mut Criterion) {
    let model = ModelKind::Register;
    for blocks in BLOCKS {
        let bytes = h1m_text(blocks).into_bytes();
        let want = load::history(Format::Jsonl, "h1m", bytes.clone(), model).expect("loads");
        let (events, lines, ops) = before::load(bytes.clone(), model.functions());
        assert_eq!(want.history.events(), events, "same events as before");
        assert_eq!(want.history.lines(), lines, "same lines as before");
        assert_eq!(want.ops, ops, "same operations as before");
        let paired = load::paired(Format::Jsonl, "h1m", &bytes[..], model).expect("loads");
        assert_eq!((paired.events, &paired.ops), (events.len(), &ops));
        drop((want, events, lines, ops, paired));

        let mut g = c.benchmark_group(group_name(blocks));
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        if blocks >= 1000 {
            g.sample_size(10)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(20));
        } else {
            g.sample_size(20);
        }
        g.bench_function(CASES[0], |b| {
            b.iter_batched(
                || bytes.clone(),
                |bytes| before::load(black_box(bytes), model.functions()),
                BatchSize::PerIteration,
            )
        });
        g.bench_function(CASES[1], |b| {
            b.iter_batched(
                || bytes.clone(),
                |bytes| load::history(Format::Jsonl, "h1m", black_box(bytes), model),
                BatchSize::PerIteration,
            )
        });
        g.bench_function(CASES[2], |b| {
            b.iter_batched(
                || (),
                |()| load::paired(Format::Jsonl, "h1m", black_box(&bytes[..]), model),
                BatchSize::PerIteration,
            )
        });
        g.finish();
    }
}

/// Mean time in ns of one benchmark from criterion's saved estimates.
fn mean_ns(home: &std::path::Path, group: &str, id: &str) -> Option<f64> {
    let text =
        std::fs::read_to_string(home.join(group).join(id).join("new/estimates.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["mean"]["point_estimate"].as_f64()
}

fn criterion_home() -> PathBuf {
    std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/criterion"))
}

/// Print each case's mean time and its ratio to `baseline-before`.
fn summary() {
    let home = criterion_home();
    println!(
        "\n{:<20} {:<16} {:>12} {:>14}",
        "input", "bench", "mean", "x before"
    );
    for blocks in BLOCKS {
        let group = group_name(blocks);
        let Some(base) = mean_ns(&home, &group, CASES[0]) else {
            continue;
        };
        for id in CASES {
            if let Some(t) = mean_ns(&home, &group, id) {
                println!(
                    "{:<20} {:<16} {:>9.1} ms {:>14.2}",
                    group,
                    id,
                    t / 1e6,
                    t / base
                );
            }
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().output_directory(&criterion_home());
    targets = bench_load
}

fn main() {
    if let Some(out) = std::env::var_os("H1M_OUT") {
        std::fs::write(&out, h1m_text(1645)).expect("writes H1M_OUT");
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
