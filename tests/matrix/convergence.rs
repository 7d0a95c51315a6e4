//! Convergence after a partition heals: with no repair mechanism at all the replicas stay apart;
//! hinted handoff alone, or Merkle-tree anti-entropy alone, brings them together.
//!
//! The partition is lifted only by the heal phase, so the writes made during it are the last ones
//! and nothing but a repair mechanism can bring the minority side up to date.

use super::{correct, SEEDS};
use quorumlab::lab::Experiment;
use quorumlab::sim::schedule::{Fault, PartitionSpec, Schedule, Step};
use quorumlab::store::config::ReadRepair;
use std::time::Duration;

fn partition_until_heal() -> Schedule {
    let group = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    Schedule {
        name: "partition-until-heal".to_string(),
        steps: vec![Step {
            at: Duration::from_millis(500),
            fault: Fault::Partition(PartitionSpec::Groups(vec![
                group(&["n1", "n2"]),
                group(&["n3", "n4", "n5"]),
            ])),
            line: 0,
        }],
    }
}

fn after_partition(name: &str, hints: bool, anti_entropy: bool) -> Experiment {
    correct(name)
        .read_repair(ReadRepair::None)
        .hints(hints)
        .anti_entropy(anti_entropy)
        .schedule(partition_until_heal())
        .checkers(&["convergence"])
        .seeds(1..=SEEDS)
}

#[test]
fn without_any_repair_replicas_do_not_converge() {
    let report = after_partition("no-repair-convergence", false, false).run();
    let diverged = report.violations("convergence").len();
    println!(
        "no read repair, no hints, no anti-entropy: {diverged} of {} seeds end with replicas apart",
        report.seeds.len()
    );
    assert_eq!(
        diverged as u64, SEEDS,
        "every seed writes on the majority side during the partition, so every seed must end diverged"
    );
}

#[test]
fn hints_alone_converge() {
    let report = after_partition("hints-only-convergence", true, false).run();
    report.assert_valid();
    assert!(report.counter("apply:hint") > 0, "hints repaired nothing");
    assert_eq!(report.counter("apply:anti-entropy"), 0);
}

#[test]
fn anti_entropy_alone_converges() {
    let report = after_partition("ae-only-convergence", false, true).run();
    report.assert_valid();
    assert!(
        report.counter("apply:anti-entropy") > 0,
        "anti-entropy repaired nothing"
    );
    assert_eq!(report.counter("apply:hint"), 0);
}
