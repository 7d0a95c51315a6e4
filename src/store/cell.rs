//! Cells and last-write-wins reconciliation (pure).
//!
//! A cell is what a replica stores for a key: the coordinator timestamp of the write that produced
//! it and either the written value (opaque bytes) or a **tombstone** (the key was deleted). Cells
//! are totally ordered by `(ts, tombstone, value)`: the later timestamp wins; at equal timestamps a
//! tombstone beats a value (a delete wins a tie, as in Cassandra), and two values are broken
//! deterministically by the larger byte string. So every replica that has seen the same set of
//! writes keeps the same winner whatever the order they arrived in (reconcile is commutative,
//! associative and idempotent).

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// A key of the store.
pub type Key = i64;

/// A value as the store sees it: opaque bytes.
pub type Bytes = Vec<u8>;

/// A stored value (or tombstone) with its write timestamp (coordinator clock, µs).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cell {
    /// The coordinator's timestamp for the write, in microseconds.
    pub ts: u64,
    /// The value written; `None` is a tombstone (the key was deleted at `ts`).
    pub value: Option<Bytes>,
}

impl Cell {
    /// A live cell holding `value`.
    pub fn live(ts: u64, value: impl Into<Bytes>) -> Cell {
        Cell {
            ts,
            value: Some(value.into()),
        }
    }

    /// A tombstone: the key was deleted at `ts`.
    pub fn tombstone(ts: u64) -> Cell {
        Cell { ts, value: None }
    }

    /// Whether this cell records a delete.
    pub fn is_tombstone(&self) -> bool {
        self.value.is_none()
    }

    /// Bytes of the value (0 for a tombstone).
    pub fn value_len(&self) -> usize {
        self.value.as_ref().map_or(0, Vec::len)
    }
}

impl Ord for Cell {
    fn cmp(&self, other: &Self) -> Ordering {
        self.ts
            .cmp(&other.ts)
            .then_with(|| self.is_tombstone().cmp(&other.is_tombstone()))
            .then_with(|| self.value.cmp(&other.value))
    }
}

impl PartialOrd for Cell {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The last-write-wins winner of two possibly absent cells (absent loses to any cell).
pub fn reconcile(a: Option<Cell>, b: Option<Cell>) -> Option<Cell> {
    a.max(b)
}

/// The winner among many possibly absent cells.
pub fn reconcile_all<I: IntoIterator<Item = Option<Cell>>>(cells: I) -> Option<Cell> {
    cells.into_iter().fold(None, reconcile)
}

/// Whether `incoming` would replace `current` under last-write-wins.
pub fn supersedes(incoming: &Cell, current: Option<&Cell>) -> bool {
    Some(incoming) > current
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(value: u8, ts: u64) -> Option<Cell> {
        Some(Cell::live(ts, vec![value]))
    }

    #[test]
    fn later_timestamp_wins() {
        assert_eq!(reconcile(c(9, 10), c(1, 11)), c(1, 11));
        assert_eq!(reconcile(c(1, 11), c(9, 10)), c(1, 11));
    }

    #[test]
    fn equal_timestamps_break_ties_by_larger_value() {
        assert_eq!(reconcile(c(3, 10), c(7, 10)), c(7, 10));
        assert_eq!(reconcile(c(7, 10), c(3, 10)), c(7, 10));
    }

    #[test]
    fn a_tombstone_wins_a_tie_and_loses_to_a_later_write() {
        let dead = Some(Cell::tombstone(10));
        assert_eq!(reconcile(c(255, 10), dead.clone()), dead);
        assert_eq!(reconcile(dead.clone(), c(255, 10)), dead);
        assert_eq!(reconcile(dead.clone(), c(0, 11)), c(0, 11));
        assert!(supersedes(&Cell::tombstone(10), c(200, 10).as_ref()));
        assert!(!supersedes(&Cell::live(10, vec![200]), dead.as_ref()));
    }

    #[test]
    fn absent_loses_and_reconcile_is_idempotent() {
        assert_eq!(reconcile(None, c(1, 1)), c(1, 1));
        assert_eq!(reconcile(c(1, 1), None), c(1, 1));
        assert_eq!(reconcile(None, None), None);
        assert_eq!(reconcile(c(4, 4), c(4, 4)), c(4, 4));
        assert_eq!(
            reconcile(None, Some(Cell::tombstone(0))),
            Some(Cell::tombstone(0))
        );
    }

    #[test]
    fn reconcile_all_is_order_independent() {
        let cells = [
            c(1, 5),
            None,
            c(2, 7),
            c(9, 7),
            c(3, 6),
            Some(Cell::tombstone(6)),
        ];
        let forward = reconcile_all(cells.clone());
        let backward = reconcile_all(cells.into_iter().rev());
        assert_eq!(forward, c(9, 7));
        assert_eq!(forward, backward);
    }

    #[test]
    fn supersedes_only_strictly_newer() {
        let cur = c(5, 10);
        assert!(supersedes(&Cell::live(11, vec![1]), cur.as_ref()));
        assert!(!supersedes(&Cell::live(10, vec![5]), cur.as_ref()));
        assert!(!supersedes(&Cell::live(9, vec![9]), cur.as_ref()));
        assert!(supersedes(&Cell::live(0, vec![]), None));
    }
}
