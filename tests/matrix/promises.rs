//! What the correct configuration promises: under every shipped schedule except clock skew, every
//! checker is valid on every seed.

use super::{correct, schedule, SEEDS};

fn every_checker_valid(schedule_name: &str, seeds: u64) {
    correct(&format!("quorum-blocking-{schedule_name}"))
        .schedule_file(schedule(schedule_name))
        .seeds(1..=seeds)
        .run()
        .assert_valid();
}

#[test]
fn quorum_blocking_is_valid_under_partition_halves() {
    every_checker_valid("partition-halves", SEEDS);
}

#[test]
fn quorum_blocking_is_valid_under_isolate_node() {
    every_checker_valid("isolate-node", SEEDS);
}

#[test]
fn quorum_blocking_is_valid_under_rolling_crash() {
    every_checker_valid("rolling-crash", SEEDS);
}

#[test]
fn quorum_blocking_is_valid_under_flaky_network() {
    every_checker_valid("flaky-network", SEEDS);
}

#[test]
fn quorum_blocking_is_valid_under_slow_links() {
    every_checker_valid("slow-links", SEEDS);
}

#[test]
fn quorum_blocking_is_valid_under_mixed_faults() {
    every_checker_valid("mixed", SEEDS);
}

#[test]
fn quorum_blocking_is_valid_under_crash_majority() {
    every_checker_valid("crash-majority", SEEDS);
}

#[test]
fn quorum_blocking_is_valid_under_slow_replica_and_reply_loss() {
    every_checker_valid("slow-replica", SEEDS / 2);
    every_checker_valid("reply-loss", SEEDS / 2);
}

/// Every safe fault kind drawn per seed, and the workload shape drawn per seed too.
#[test]
fn quorum_blocking_is_valid_under_generated_swarm_schedules_and_workloads() {
    use quorumlab::sim::schedule::FaultKind;
    correct("quorum-blocking-swarm")
        .nemesis(&FaultKind::SAFE)
        .swarm()
        .seeds(1..=SEEDS)
        .run()
        .assert_valid();
}

/// Nightly: many more seeds per schedule.
#[test]
#[ignore]
fn nightly_quorum_blocking_is_valid_on_500_seeds_per_schedule() {
    for s in [
        "partition-halves",
        "isolate-node",
        "rolling-crash",
        "flaky-network",
        "slow-links",
        "mixed",
        "crash-majority",
        "slow-replica",
        "reply-loss",
    ] {
        every_checker_valid(s, 500);
    }
}
