//! # leader_register: a primary/backup register map under the quorumlab harness
//!
//! A store of a different design from the built-in Dynamo-style one, plugged in through
//! [`quorumlab::sut::System`]: three nodes `n1 n2 n3`, of which `n1` is the fixed leader (no
//! election). Clients may be bound to any node; a follower forwards their operations to the leader
//! and relays its answer. The leader gives each write or delete the next sequence number, appends
//! it to its log and syncs it, then sends it to both followers, which append and sync it before
//! acknowledging; only when both have it does the leader answer `ok` (with the sequence number as
//! the version). Reads are answered by the leader from its map. A node replays its log when it
//! boots; a follower acknowledges entry `n` only when it holds every entry up to `n`, and the
//! leader sends each follower, in order, what it lacks (after a probe of its last entry).
//!
//! What it guarantees, under every fault the harness injects (crashes with loss of unsynced
//! data, partitions, loss, pauses, slow links and disks; it reads no clock):
//! - **linearizability** of reads, writes and deletes: there is one order of all writes (the
//!   leader's log), a write is visible only once durable on the leader — which never loses it nor
//!   hands its role over — and every read is served by the leader;
//! - **durability** of acknowledged writes on all three nodes;
//! - **convergence**: after the faults heal, every follower holds the leader's log, so the three
//!   maps are equal (the harness's `settled` waits for it and `final_state` shows all three).
//!
//! What it does not promise: availability. Writes need the leader and both followers (a write
//! the leader cannot replicate in 500 ms ends unknown, and it refuses writes at once while it
//! cannot reach a follower); reads need the leader. Outcomes are honest: `fail` only when nothing
//! was done — a write refused before its append, an operation a follower could not even dial the
//! leader for, any failed read — and `info` otherwise.
//!
//! Planted bugs ([`store::Bug`]) show that the harness notices when a promise is broken.

mod client;
mod disk;
mod node;
mod store;
#[cfg(test)]
mod tests;
mod wire;

use quorumlab::lab::{Experiment, Report};
use quorumlab::sim::schedule::FaultKind;
use store::{Bug, Config, LeaderRegister};

/// Simulated length of a run's main phase (ms).
pub const MAIN_MS: u64 = 10_000;

/// The checkers a planted bug may trip.
pub const CHECKERS: &[&str] = &[
    "linearizable",
    "monotonic-reads",
    "stale-read",
    "lost-writes",
    "convergence",
];

/// The store (with `bug` planted) under faults of every kind, drawn per seed, for `MAIN_MS` of
/// simulated time per seed.
pub fn experiment(bug: Option<Bug>) -> Experiment {
    let name = match bug {
        None => "leader-register".to_string(),
        Some(bug) => format!("leader-register-{bug:?}"),
    };
    Experiment::new(&name)
        .system("leader-register", move |cfg| {
            LeaderRegister::new(Config::new(cfg.workload.client_timeout_ms, bug))
        })
        .nemesis(&FaultKind::ALL)
        .configure(|c| {
            c.workload.ops = None;
            c.workload.duration_ms = Some(MAIN_MS);
        })
}

/// One line about a report: failing seeds with the checkers they tripped, and outcome counts.
fn summary(report: &Report) -> String {
    let failing: Vec<String> = report
        .failures()
        .iter()
        .map(|o| {
            let bad: Vec<&str> = CHECKERS.iter().copied().filter(|c| o.violates(c)).collect();
            format!("seed {} ({})", o.seed, bad.join(", "))
        })
        .collect();
    let (w, r) = (report.ops("write"), report.ops("read"));
    format!(
        "{}: {} seeds, {} not valid{}; writes ok/fail/info {}/{}/{}, reads ok/fail {}/{}",
        report.name,
        report.seeds.len(),
        failing.len(),
        match failing.is_empty() {
            true => String::new(),
            false => format!(": {}", failing.join(", ")),
        },
        w.ok,
        w.fail,
        w.info,
        r.ok,
        r.fail,
    )
}

/// The correct store and each planted bug on the same ten seeds.
fn main() {
    let bugs = [
        Bug::AckBeforeDurable,
        Bug::ReadFromFollower,
        Bug::AckBeforeReplicate,
    ];
    for bug in [None].into_iter().chain(bugs.map(Some)) {
        println!("{}", summary(&experiment(bug).seeds(1..=10).run()));
    }
}
