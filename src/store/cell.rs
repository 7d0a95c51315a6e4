//! Cells and last-write-wins reconciliation (pure).
//!
//! A cell is a value with the coordinator timestamp of the write that produced it. Cells are totally
//! ordered by `(ts, value)`: the later timestamp wins, and equal timestamps are broken
//! deterministically by the larger value, so every replica that has seen the same set of writes
//! keeps the same winner regardless of the order they arrived in (reconcile is commutative,
//! associative and idempotent).

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// A key of the store.
pub type Key = i64;

/// A stored value with its write timestamp (coordinator clock, µs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cell {
    /// The value written.
    pub value: i64,
    /// The coordinator's timestamp for the write, in microseconds.
    pub ts: u64,
}

impl Ord for Cell {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.ts, self.value).cmp(&(other.ts, other.value))
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
pub fn supersedes(incoming: Cell, current: Option<Cell>) -> bool {
    Some(incoming) > current
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(value: i64, ts: u64) -> Option<Cell> {
        Some(Cell { value, ts })
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
    fn absent_loses_and_reconcile_is_idempotent() {
        assert_eq!(reconcile(None, c(1, 1)), c(1, 1));
        assert_eq!(reconcile(c(1, 1), None), c(1, 1));
        assert_eq!(reconcile(None, None), None);
        assert_eq!(reconcile(c(4, 4), c(4, 4)), c(4, 4));
    }

    #[test]
    fn reconcile_all_is_order_independent() {
        let cells = [c(1, 5), None, c(2, 7), c(9, 7), c(3, 6)];
        let forward = reconcile_all(cells);
        let backward = reconcile_all(cells.into_iter().rev());
        assert_eq!(forward, c(9, 7));
        assert_eq!(forward, backward);
    }

    #[test]
    fn supersedes_only_strictly_newer() {
        let cur = c(5, 10);
        assert!(supersedes(Cell { value: 1, ts: 11 }, cur));
        assert!(!supersedes(Cell { value: 5, ts: 10 }, cur));
        assert!(!supersedes(Cell { value: 9, ts: 9 }, cur));
        assert!(supersedes(Cell { value: 0, ts: 0 }, None));
    }
}
