//! README's "Your own tests" example, verbatim: it runs here exactly as a user would paste it
//! into their crate (`readme_still_shows_this_example` fails when the two drift apart).

use quorumlab::lab::Experiment;
use quorumlab::sim::schedule::FaultKind;
use quorumlab::store::config::{ConsistencyLevel, ReadRepair};

#[test]
fn quorum_reads_stay_linearizable_under_faults() {
    Experiment::new("quorum-under-faults")
        .read_cl(ConsistencyLevel::Quorum)
        .write_cl(ConsistencyLevel::Quorum)
        .read_repair(ReadRepair::Blocking)
        .nemesis(&FaultKind::SAFE)
        .swarm()
        .seeds(1..=20)
        .run()
        .assert_valid(); // panics with each anomaly explained and the replay command
}

/// The README's Rust block is this file's code, line for line.
#[test]
fn readme_still_shows_this_example() {
    let readme = include_str!("../README.md");
    let block: String = readme
        .split("```rust\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README has a ```rust block")
        .to_string();
    let this = include_str!("readme_example.rs");
    assert!(
        this.contains(&block),
        "README's test example and tests/readme_example.rs differ: copy one onto the other"
    );
}
