//! Benchmark of the linearizability checker (issue 4, "Speed").
//!
//! Generated linearizable register histories (see `lin::synth`: a random sequential execution with
//! legal overlaps, no `info` operations so the baseline's semantics match) with 5 and 50
//! concurrent clients on one key, at 1k and 10k operations, and 8 keys × 10k operations with 50
//! clients; plus a deliberately hard non-linearizable history (many concurrent writes, then a read
//! of a value none wrote: every subset of the writes must be tried).
//!
//! Each case is measured for our checker with 1 thread, with the default threads, and for the
//! baseline — a faithful port of Porcupine's `checkSingle` (benches/lin/porcupine.rs) — in the same
//! run, so the figure that matters is the ratio. Throughput is in operations per second; the
//! number of states each case explores is printed once, so states/s = states × ops/s ÷ ops.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use quorumlab_checkers::lin::synth::{history, SynthConfig};
use quorumlab_checkers::lin::{check, LinOptions, ModelKind};
use quorumlab_checkers::ops::{self, Op};
use quorumlab_checkers::Validity;
use std::hint::black_box;
use std::time::Duration;

#[path = "lin/porcupine.rs"]
mod porcupine;

fn register_history(clients: usize, ops_per_key: usize, keys: usize, seed: u64) -> Vec<Op> {
    let mut all = Vec::new();
    for k in 0..keys.max(1) {
        let cfg = SynthConfig {
            model: ModelKind::Register,
            clients,
            ops: ops_per_key,
            keys: 0,
            info_per_mille: 0,
            spread: clients as u64,
            seed: seed + k as u64,
        };
        let mut part = ops::pair(&history(&cfg)).expect("pairs");
        for op in &mut part {
            op.key = Some((k as i64).into());
            op.process += 1000 * k as u64;
        }
        all.extend(part);
    }
    all
}

/// `writers` concurrent writes of distinct values, then a read of a value none of them wrote.
fn hard_history(writers: u64) -> Vec<Op> {
    use quorumlab_checkers::{Event, EventType, Process, Value};
    let ev = |index, time, p, kind, f: &str, value| Event {
        index,
        time: Some(time),
        process: Process::Client(p),
        kind,
        f: f.into(),
        key: None,
        value,
        ts: None,
        node: None,
        error: None,
    };
    let mut events = Vec::new();
    for p in 0..writers {
        events.push(ev(
            p,
            10 + p,
            p,
            EventType::Invoke,
            "write",
            Value::Int(p as i64),
        ));
    }
    for p in 0..writers {
        events.push(ev(
            writers + p,
            1000 + p,
            p,
            EventType::Ok,
            "write",
            Value::Int(p as i64),
        ));
    }
    let r = writers * 2;
    events.push(ev(r, 2000, writers, EventType::Invoke, "read", Value::Null));
    events.push(ev(
        r + 1,
        2001,
        writers,
        EventType::Ok,
        "read",
        Value::Int(-1),
    ));
    ops::pair(&events).expect("pairs")
}

fn ours(ops: &[Op], threads: usize) -> Validity {
    check(
        ops,
        &LinOptions {
            threads,
            ..LinOptions::default()
        },
    )
    .valid
}

fn bench_case(c: &mut Criterion, name: &str, ops: &[Op], expect: Validity) {
    let once = check(ops, &LinOptions::default());
    assert_eq!(once.valid, expect, "{name}: {once:?}");
    assert_eq!(
        porcupine::check(ops),
        expect == Validity::Valid,
        "{name}: baseline disagrees"
    );
    eprintln!(
        "{name}: {} ops, {} partitions, {} states explored, {} cache hits",
        ops.len(),
        once.stats["partitions"],
        once.stats["states_explored"],
        once.stats["cache_hits"]
    );
    let mut g = c.benchmark_group(format!("lin/{name}"));
    g.throughput(Throughput::Elements(ops.len() as u64));
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(3));
    g.bench_function(BenchmarkId::new("ours", "threads=1"), |b| {
        b.iter(|| ours(black_box(ops), 1))
    });
    g.bench_function(BenchmarkId::new("ours", "threads=default"), |b| {
        b.iter(|| ours(black_box(ops), 0))
    });
    g.bench_function(BenchmarkId::new("porcupine-port", "sequential"), |b| {
        b.iter(|| porcupine::check(black_box(ops)))
    });
    g.finish();
}

fn linearizable(c: &mut Criterion) {
    for clients in [5, 50] {
        for per_key in [1_000, 10_000] {
            let ops = register_history(clients, per_key, 1, 7);
            bench_case(
                c,
                &format!("register-{clients}c-1x{per_key}"),
                &ops,
                Validity::Valid,
            );
        }
    }
    let ops = register_history(50, 10_000, 8, 11);
    bench_case(c, "register-50c-8x10000", &ops, Validity::Valid);
}

fn nonlinearizable(c: &mut Criterion) {
    let ops = hard_history(12);
    bench_case(c, "hard-invalid-12-writers", &ops, Validity::Invalid);
}

criterion_group!(benches, linearizable, nonlinearizable);
criterion_main!(benches);
