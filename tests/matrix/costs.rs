//! What the mechanisms cost, as reports: bytes on the wire with and without digest reads, and the
//! availability blocking read repair trades for monotonic reads. The verdicts are asserted; the
//! figures are printed (ratios within the same run of the suite, not timings).

use super::{correct, schedule, SEEDS};
use quorumlab::lab::Report;
use quorumlab::store::config::ReadRepair;

#[test]
fn digest_reads_on_and_off_give_the_same_verdicts() {
    let run = |on: bool| {
        correct(if on { "digest-on" } else { "digest-off" })
            .digest_reads(on)
            .schedule_file(schedule("partition-halves"))
            .seeds(1..=SEEDS)
            .run()
    };
    let (on, off) = (run(true), run(false));
    on.assert_valid();
    off.assert_valid();
    let (bytes_on, bytes_off) = (on.counter("bytes_sent"), off.counter("bytes_sent"));
    println!(
        "bytes on the wire over {SEEDS} seeds: digest reads {bytes_on}, full reads {bytes_off} \
         (digest/full = {:.3}; saved {} bytes); digest mismatches {} vs {}",
        bytes_on as f64 / bytes_off as f64,
        bytes_off as i64 - bytes_on as i64,
        on.counter("digest-mismatch"),
        off.counter("digest-mismatch"),
    );
    assert!(bytes_on > 0 && bytes_off > 0);
}

fn unavailable_share(report: &Report) -> (f64, u64, u64) {
    let reads = report.ops("read");
    let total = reads.ok + reads.fail + reads.info;
    let lost = reads.fail + reads.info;
    (lost as f64 / total.max(1) as f64, lost, total)
}

#[test]
fn blocking_repair_costs_availability_report() {
    let run = |mode: ReadRepair| {
        correct(&format!("availability-{mode}"))
            .read_repair(mode)
            .schedule_file(schedule("mixed"))
            .checkers(&["linearizable", "monotonic-reads"])
            .seeds(1..=SEEDS)
            .run()
    };
    let blocking = run(ReadRepair::Blocking);
    let asynchronous = run(ReadRepair::Async);
    blocking.assert_valid();
    let (b, b_lost, b_total) = unavailable_share(&blocking);
    let (a, a_lost, a_total) = unavailable_share(&asynchronous);
    println!(
        "reads that failed or timed out under the mixed schedule over {SEEDS} seeds: blocking \
         {b_lost}/{b_total} ({:.2} %), async {a_lost}/{a_total} ({:.2} %)",
        100.0 * b,
        100.0 * a
    );
    assert!(b_total > 0 && a_total > 0);
}
