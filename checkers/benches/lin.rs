//! Benchmark of the linearizability checker (issue 4, "Speed").
//!
//! Generated linearizable register histories (see `lin::synth`: a random sequential execution with
//! legal overlaps, no `info` operations so the baseline's semantics match) on one key with 5, 10
//! and 50 concurrent clients, at 1k and 10k operations, and 8 keys × 10k operations with 50
//! clients; plus a deliberately hard non-linearizable history: 12 concurrent writes, each read by
//! its own concurrent reader, then a read of a value none wrote — every subset of the writes is a
//! distinct configuration that must be tried.
//!
//! The baseline, measured in the same run, is a faithful port of Porcupine's `checkSingle`
//! (benches/lin/porcupine.rs: plain WGL, whole-bitset clone per probe, dynamic states), so the
//! figure that matters is the ratio. It is left out where it cannot finish: with 20 clients on
//! 1k operations it already takes seconds, and with 50 it exhausts 6 GB of memory (measured with
//! `ulimit -v`), while ours stays near one state per operation. Throughput is in operations per
//! second; each case prints the states it explores once, so states/s = states × ops/s ÷ ops.

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

/// `writers` concurrent writes, each read by its own concurrent reader, then a read of a value
/// none of them wrote.
fn hard_history(writers: u64) -> Vec<Op> {
    ops::pair(&quorumlab_checkers::lin::synth::hard_history(writers)).expect("pairs")
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

fn bench_case(c: &mut Criterion, name: &str, ops: &[Op], expect: Validity, baseline: bool) {
    let once = check(ops, &LinOptions::default());
    assert_eq!(once.valid, expect, "{name}: {once:?}");
    if baseline {
        assert_eq!(
            porcupine::check(ops),
            expect == Validity::Valid,
            "{name}: baseline disagrees"
        );
    }
    eprintln!(
        "{name}: {} ops, {} partitions, {} states explored, {} cache hits, {} look-ahead prunes",
        ops.len(),
        once.stats["independent-keys"],
        once.stats["states_explored"],
        once.stats["cache_hits"],
        once.stats["lookahead_prunes"]
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
    if baseline {
        g.bench_function(BenchmarkId::new("porcupine-port", "sequential"), |b| {
            b.iter(|| porcupine::check(black_box(ops)))
        });
    }
    g.finish();
}

fn linearizable(c: &mut Criterion) {
    for (clients, per_key, baseline) in [
        (5, 1_000, true),
        (5, 10_000, true),
        (10, 10_000, true),
        (50, 1_000, false),
        (50, 10_000, false),
    ] {
        let ops = register_history(clients, per_key, 1, 7);
        let name = format!("register-{clients}c-1x{per_key}");
        bench_case(c, &name, &ops, Validity::Valid, baseline);
    }
    let ops = register_history(50, 10_000, 8, 11);
    bench_case(c, "register-50c-8x10000", &ops, Validity::Valid, false);
}

fn nonlinearizable(c: &mut Criterion) {
    let ops = hard_history(12);
    bench_case(c, "hard-invalid-12-writers", &ops, Validity::Invalid, true);
}

/// A failing history's full check (verdict and explanation, default budget) against its verdict
/// alone (`explain_percent: 0`), on generated histories made non-linearizable by one read of a
/// value never written, halfway through (issue 13: a failing history costs at most ~2× its
/// verdict).
fn explanation(c: &mut Criterion) {
    use quorumlab_checkers::lin::synth::corrupted;
    for (model, clients, n) in [
        (ModelKind::Register, 5, 100_000),
        (ModelKind::CasRegister, 5, 10_000),
        (ModelKind::Kv, 3, 2_000),
        (ModelKind::Register, 20, 10_000),
    ] {
        let cfg = SynthConfig {
            model,
            clients,
            ops: n,
            keys: 0,
            info_per_mille: 10,
            spread: clients as u64,
            seed: 3,
        };
        let (events, _) = corrupted(&cfg, 500).expect("a read");
        let ops = ops::pair(&events).expect("pairs");
        let opts = |explain_percent| LinOptions {
            model,
            threads: 1,
            explain_percent,
            ..LinOptions::default()
        };
        let once = check(&ops, &opts(100));
        assert_eq!(once.valid, Validity::Invalid);
        eprintln!(
            "explain/{model}-{clients}c-{n}: states {}, explain work {} of budget {}: {}",
            once.stats["states_explored"],
            once.stats["explain_work"],
            once.stats["explain_budget"],
            once.anomalies[0].explanation
        );
        let mut g = c.benchmark_group(format!("explain/{model}-{clients}c-{n}"));
        g.throughput(Throughput::Elements(ops.len() as u64));
        g.sample_size(10);
        g.warm_up_time(Duration::from_millis(300));
        g.measurement_time(Duration::from_secs(2));
        g.bench_function("verdict-only (baseline)", |b| {
            b.iter(|| check(black_box(&ops), &opts(0)).valid)
        });
        g.bench_function("verdict+explanation", |b| {
            b.iter(|| check(black_box(&ops), &opts(100)).valid)
        });
        g.finish();
    }
}

criterion_group!(benches, linearizable, nonlinearizable, explanation);
criterion_main!(benches);
