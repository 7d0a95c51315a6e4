//! Throughput of the linear checkers on generated register histories of 10k, 100k and 1M
//! operations with 10 and 100 client processes, against two baselines measured in the same run:
//! `baseline-iterate` (one pass over the events) and `baseline-pair` (`ops::pair`, the cost every
//! checker pays before it starts). The histories are legal executions of a correct register store
//! over 8 keys (every checker says valid, so each does its full work), with 1% of writes ending
//! `info`. After the runs a table gives each checker's mean time, operations per second, and ratio
//! to `baseline-pair`.
//!
//! Run: `cargo bench -p quorumlab-checkers --bench checks` (add `-- 100000` to filter).

use criterion::{black_box, criterion_group, BenchmarkId, Criterion, Throughput};
use quorumlab_checkers::checks::{convergence, lost_writes, monotonic_reads, phantom, stale_read};
use quorumlab_checkers::final_state::{FinalState, Placement, ReplicaCell};
use quorumlab_checkers::ops::{pair, Op};
use quorumlab_checkers::{Event, EventType, Process, Validity, Value};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::PathBuf;
use std::time::Duration;

const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];
const PROCESSES: [usize; 2] = [10, 100];
const KEYS: usize = 8;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n.max(1)
    }
}

/// A legal history of `n` operations by `procs` concurrent processes, and its final snapshot.
fn history(n: usize, procs: usize, seed: u64) -> (Vec<Event>, FinalState) {
    let mut rng = Rng(seed);
    let mut state: [Option<(i64, u64)>; KEYS] = [None; KEYS];
    let mut next_value = [1i64; KEYS];
    // Min-heap of (free from, process id).
    let mut free: BinaryHeap<Reverse<(u64, u64)>> =
        (0..procs as u64).map(|p| Reverse((0, p))).collect();
    let mut next_process = procs as u64;
    let mut raw: Vec<(u64, Event)> = Vec::with_capacity(2 * n);
    let mut lp = 0u64;
    let window = 1_000u64;
    for _ in 0..n {
        let Some(Reverse((from, p))) = free.pop() else {
            break;
        };
        lp = (lp + 1).max(from + 1 + rng.below(window / 2));
        let start = (from + 1).max(lp.saturating_sub(rng.below(window)));
        let end = lp + rng.below(window);
        let key = rng.below(KEYS as u64) as usize;
        let event = |kind, f: &str, value, ts| Event {
            index: 0,
            time: None,
            process: Process::Client(p),
            kind,
            f: f.to_string(),
            key: Some(Value::Int(key as i64)),
            value,
            ts,
            node: None,
            error: None,
        };
        let mut retired = false;
        if rng.below(2) == 0 {
            let v = next_value[key];
            next_value[key] += 1;
            state[key] = Some((v, lp));
            retired = rng.below(100) == 0;
            let kind = if retired {
                EventType::Info
            } else {
                EventType::Ok
            };
            raw.push((
                start,
                event(EventType::Invoke, "write", Value::Int(v), None),
            ));
            let ts = (!retired).then_some(lp);
            raw.push((end, event(kind, "write", Value::Int(v), ts)));
        } else {
            let (v, ts) = state[key].map_or((Value::Null, None), |(v, t)| (Value::Int(v), Some(t)));
            raw.push((start, event(EventType::Invoke, "read", Value::Null, None)));
            raw.push((end, event(EventType::Ok, "read", v, ts)));
        }
        if retired {
            free.push(Reverse((end, next_process)));
            next_process += 1;
        } else {
            free.push(Reverse((end, p)));
        }
    }
    raw.sort_by_key(|(t, e)| (*t, e.kind != EventType::Invoke));
    let events = raw
        .into_iter()
        .enumerate()
        .map(|(i, (t, mut e))| {
            e.index = i as u64;
            e.time = Some(t);
            e
        })
        .collect();
    let nodes: Vec<String> = ["n1", "n2", "n3"].iter().map(|s| s.to_string()).collect();
    let mut cells: Vec<ReplicaCell> = state
        .iter()
        .enumerate()
        .filter_map(|(k, s)| s.map(|(v, ts)| (k, v, ts)))
        .flat_map(|(k, v, ts)| {
            nodes.iter().map(move |n| ReplicaCell {
                node: n.clone(),
                key: k as i64,
                value: Some(v),
                ts,
            })
        })
        .collect();
    cells.sort();
    let fs = FinalState {
        nodes: nodes.clone(),
        unavailable: Vec::new(),
        placement: (0..KEYS as i64)
            .map(|key| Placement {
                key,
                replicas: nodes.clone(),
            })
            .collect(),
        cells,
        quiesce: None,
        reached: None,
    };
    (events, fs)
}

type Checker = fn(&[Op], &FinalState) -> Validity;

const CHECKERS: [(&str, Checker); 5] = [
    ("monotonic-reads", |ops, _| {
        monotonic_reads::check(ops).valid
    }),
    ("stale-read", |ops, _| stale_read::check(ops).valid),
    ("lost-writes", |ops, fs| {
        lost_writes::check(ops, Some(fs)).valid
    }),
    ("phantom", |ops, fs| {
        phantom::check(ops, Some(fs), None).valid
    }),
    ("convergence", |_, fs| convergence::check(Some(fs)).valid),
];

fn group_name(n: usize, procs: usize) -> String {
    format!("checks-{n}ops-{procs}procs")
}

fn bench_checks(c: &mut Criterion) {
    for n in SIZES {
        for procs in PROCESSES {
            let (events, fs) = history(n, procs, (n * 31 + procs) as u64);
            let ops = pair(&events).expect("generated history pairs");
            for (name, check) in CHECKERS {
                assert_eq!(
                    check(&ops, &fs),
                    Validity::Valid,
                    "{name} on a legal history"
                );
            }
            let mut g = c.benchmark_group(group_name(n, procs));
            g.throughput(Throughput::Elements(n as u64));
            if n >= 1_000_000 {
                g.sample_size(10)
                    .warm_up_time(Duration::from_secs(1))
                    .measurement_time(Duration::from_secs(5));
            } else if n >= 100_000 {
                g.sample_size(20);
            }
            g.bench_function("baseline-iterate", |b| {
                b.iter(|| {
                    let mut sum = 0u64;
                    for e in black_box(&events) {
                        sum = sum.wrapping_add(e.index ^ e.time.unwrap_or(0) ^ e.f.len() as u64);
                    }
                    sum
                })
            });
            g.bench_function("baseline-pair", |b| {
                b.iter(|| pair(black_box(&events)).map(|o| o.len()))
            });
            for (name, check) in CHECKERS {
                g.bench_with_input(BenchmarkId::from_parameter(name), &ops, |b, ops| {
                    b.iter(|| check(black_box(ops), &fs))
                });
            }
            g.finish();
        }
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

/// Print each checker's time, throughput and ratio to `baseline-pair`.
fn summary() {
    let home = criterion_home();
    println!(
        "\n{:<26} {:<16} {:>12} {:>14} {:>10}",
        "history", "bench", "mean", "ops/s", "x pair"
    );
    for n in SIZES {
        for procs in PROCESSES {
            let group = group_name(n, procs);
            let Some(base) = mean_ns(&home, &group, "baseline-pair") else {
                continue;
            };
            let ids = ["baseline-iterate", "baseline-pair"]
                .into_iter()
                .chain(CHECKERS.iter().map(|c| c.0));
            for id in ids {
                if let Some(t) = mean_ns(&home, &group, id) {
                    println!(
                        "{:<26} {:<16} {:>9.2} ms {:>14.0} {:>10.2}",
                        group,
                        id,
                        t / 1e6,
                        n as f64 / (t / 1e9),
                        t / base
                    );
                }
            }
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().output_directory(&criterion_home());
    targets = bench_checks
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
