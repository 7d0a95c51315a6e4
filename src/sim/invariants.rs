//! Invariants checked while the simulation runs (TigerBeetle's state checker), from what the nodes
//! report and what the harness observes, at the simulated moment things happen:
//!
//! - **cell-regressed**: a replica's cell never goes back in last-write-wins order when it applies
//!   a cell (whatever the cause: write, read repair, hint replay, anti-entropy);
//! - **restart-lost-cells**: after a crash and restart, log replay gives back at least every cell
//!   the replica held before the crash (it only ever showed synced cells);
//! - **ack-not-durable**: when a coordinator acknowledges a write or delete, the cell (or a newer
//!   one) is in the synced log of at least W replicas, W computed here from the configuration —
//!   never from the store's own arithmetic;
//! - **repair-incomplete**: with blocking read repair, when a coordinator answers a read, every
//!   replica it contacted holds the answer (or newer) durably.
//!
//! The checks are pure functions of the state kept here; [`super::monitor`] feeds it events.

use crate::store::cell::{Cell, Key};
use crate::store::config::{ConsistencyLevel, ReadRepair, StoreConfig};
use std::collections::BTreeMap;

/// One broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Simulated time (ns).
    pub time_ns: u64,
    /// `cell-regressed`, `restart-lost-cells`, `ack-not-durable`, `repair-incomplete`.
    pub kind: &'static str,
    /// The key.
    pub key: Key,
    /// History indices of the client operations involved.
    pub ops: Vec<u64>,
    /// One sentence for a person.
    pub explanation: String,
}

/// How many replicas a consistency level needs, computed by the harness (the oracle must not share
/// the store's arithmetic, or a planted bug there would fool it).
pub fn required(cl: ConsistencyLevel, rf: usize) -> usize {
    match cl {
        ConsistencyLevel::One => 1,
        ConsistencyLevel::Quorum => rf / 2 + 1,
        ConsistencyLevel::All => rf,
    }
}

/// What the invariants need to know of the configuration.
#[derive(Clone, Debug)]
pub struct Rules {
    /// Acknowledgements a write needs.
    pub write_acks: usize,
    /// Whether reads repair before replying.
    pub blocking_repair: bool,
}

impl Rules {
    /// The rules of a store configuration.
    pub fn of(cfg: &StoreConfig) -> Rules {
        Rules {
            write_acks: required(cfg.write_cl, cfg.rf),
            blocking_repair: cfg.read_repair == ReadRepair::Blocking,
        }
    }
}

/// Whether `have` is at least as new as `want` (absent is older than everything).
fn covers(have: Option<&Cell>, want: &Cell) -> bool {
    have.is_some_and(|h| h >= want)
}

/// `cell-regressed`: a replica replaced `old` by an older `new`.
pub fn regressed(old: Option<&Cell>, new: &Cell) -> bool {
    old.is_some_and(|o| new < o)
}

/// `restart-lost-cells`: the keys whose cell before the crash is newer than after replay.
pub fn lost_at_restart(before: &BTreeMap<Key, Cell>, after: &BTreeMap<Key, Cell>) -> Vec<Key> {
    before
        .iter()
        .filter(|(k, cell)| !covers(after.get(k), cell))
        .map(|(&k, _)| k)
        .collect()
}

/// `ack-not-durable`: the replicas (of `replicas`) whose durable cell covers `cell`, when fewer
/// than `needed`; `None` when the acknowledgement is justified.
pub fn unjustified_ack<'a>(
    cell: &Cell,
    replicas: &'a [String],
    durable: impl Fn(&str) -> Option<&'a Cell>,
    needed: usize,
) -> Option<Vec<&'a str>> {
    let holding: Vec<&str> = replicas
        .iter()
        .map(String::as_str)
        .filter(|r| covers(durable(r), cell))
        .collect();
    (holding.len() < needed).then_some(holding)
}

/// `repair-incomplete`: the contacted replicas whose durable cell does not cover the answer.
pub fn unrepaired<'a>(
    answer: &Cell,
    contacted: &'a [String],
    durable: impl Fn(&str) -> Option<&'a Cell>,
) -> Vec<&'a str> {
    contacted
        .iter()
        .map(String::as_str)
        .filter(|r| !covers(durable(r), answer))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(ts: u64) -> Cell {
        Cell::live(ts, vec![1])
    }

    #[test]
    fn the_harness_counts_quorums_itself() {
        assert_eq!(required(ConsistencyLevel::Quorum, 3), 2);
        assert_eq!(required(ConsistencyLevel::Quorum, 5), 3);
        assert_eq!(required(ConsistencyLevel::One, 5), 1);
        assert_eq!(required(ConsistencyLevel::All, 5), 5);
    }

    #[test]
    fn regressions_and_restart_losses_are_found() {
        assert!(regressed(Some(&c(5)), &c(4)));
        assert!(!regressed(Some(&c(5)), &c(6)));
        assert!(!regressed(None, &c(1)));
        let before: BTreeMap<Key, Cell> = [(1, c(5)), (2, c(7)), (3, Cell::tombstone(2))].into();
        let after: BTreeMap<Key, Cell> = [(1, c(5)), (2, c(6))].into();
        assert_eq!(lost_at_restart(&before, &after), vec![2, 3]);
    }

    #[test]
    fn an_ack_needs_enough_durable_replicas() {
        let replicas = vec!["n1".to_string(), "n2".to_string(), "n3".to_string()];
        let durable: BTreeMap<&str, Cell> = [("n1", c(9)), ("n2", c(4))].into();
        let look = |n: &str| durable.get(n);
        assert_eq!(unjustified_ack(&c(5), &replicas, look, 2), Some(vec!["n1"]));
        assert_eq!(unjustified_ack(&c(4), &replicas, look, 2), None);
        assert_eq!(unrepaired(&c(5), &replicas[1..], look), vec!["n2", "n3"]);
    }
}
