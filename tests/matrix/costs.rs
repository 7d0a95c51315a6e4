//! What the mechanisms cost, measured on the same seeds with the mechanism on and off (ratios
//! within one run of the suite, never timings): bytes on the wire with and without digest reads at
//! three value sizes, and the availability blocking read repair trades for monotonic reads.

use super::correct;
use quorumlab::lab::{Experiment, Report};
use quorumlab::sim::schedule::{Fault, NodeSel, Schedule, Step};
use quorumlab::store::config::{ConsistencyLevel, ReadRepair};
use std::time::Duration;

const COST_SEEDS: u64 = 6;

/// Bytes on the wire over the same seeds with digest reads on and off; asserts the verdicts agree.
fn digest_ratio(value_bytes: usize) -> (f64, u64, u64) {
    let run = |on: bool| {
        correct(&format!(
            "digest-{}-{value_bytes}",
            if on { "on" } else { "off" }
        ))
        .digest_reads(on)
        .value_bytes(value_bytes)
        .read_fraction(0.8)
        .ops(600)
        .seeds(1..=COST_SEEDS)
        .run()
    };
    let (on, off) = (run(true), run(false));
    on.assert_valid();
    off.assert_valid();
    let (b_on, b_off) = (on.counter("bytes_sent"), off.counter("bytes_sent"));
    assert!(b_on > 0 && b_off > 0);
    (b_on as f64 / b_off as f64, b_on, b_off)
}

#[test]
fn digest_reads_save_bytes_from_64_byte_values_up() {
    let mut lines = Vec::new();
    for bytes in [8usize, 64, 1024] {
        let (ratio, on, off) = digest_ratio(bytes);
        lines.push(format!(
            "{bytes:>5}-byte values: digest {on} B, full {off} B, digest/full = {ratio:.3}"
        ));
        if bytes >= 64 {
            assert!(
                ratio < 1.0,
                "{bytes}-byte values: digest reads sent more bytes than full reads ({ratio:.3})"
            );
        }
    }
    println!(
        "bytes on the wire over {COST_SEEDS} seeds, 80 % reads:\n{}",
        lines.join("\n")
    );
}

/// One replica whose disk is slow (every fsync takes 400 ms) for the whole run: its acks of
/// writes and read repairs come late, its reads do not.
fn slow_disk_on_n3() -> Schedule {
    Schedule {
        name: "slow-disk-n3".to_string(),
        steps: vec![Step {
            at: Duration::ZERO,
            fault: Fault::SlowDisk {
                node: NodeSel::Named("n3".to_string()),
                delay: Duration::from_millis(400),
            },
            line: 0,
        }],
    }
}

fn availability(mode: ReadRepair) -> Report {
    Experiment::new(&format!("availability-{mode}"))
        .write_cl(ConsistencyLevel::One)
        .read_cl(ConsistencyLevel::Quorum)
        .read_repair(mode)
        .ops(1000)
        .schedule(slow_disk_on_n3())
        .checkers(&["monotonic-reads", "invariants"])
        .seeds(1..=COST_SEEDS)
        .run()
}

/// Reads that failed or timed out, and all reads.
fn lost_reads(report: &Report) -> (u64, u64) {
    let reads = report.ops("read");
    (reads.fail + reads.info, reads.ok + reads.fail + reads.info)
}

#[test]
fn blocking_repair_costs_availability_when_repair_acks_are_slow() {
    let blocking = availability(ReadRepair::Blocking);
    let asynchronous = availability(ReadRepair::Async);
    blocking.assert_valid();
    let (b_lost, b_total) = lost_reads(&blocking);
    let (a_lost, a_total) = lost_reads(&asynchronous);
    let share = |lost: u64, total: u64| 100.0 * lost as f64 / total.max(1) as f64;
    println!(
        "reads that failed or timed out with n3's fsync at 400 ms, W=ONE R=QUORUM, {COST_SEEDS} \
         seeds: blocking {b_lost}/{b_total} ({:.1} %), async {a_lost}/{a_total} ({:.1} %); \
         repairs timed out: blocking {}, async {}",
        share(b_lost, b_total),
        share(a_lost, a_total),
        blocking.counter("repair-timeout"),
        asynchronous.counter("repair-timeout"),
    );
    assert!(
        share(b_lost, b_total) > 2.0 * share(a_lost, a_total),
        "blocking repair should fail clearly more reads than async repair here"
    );
}
