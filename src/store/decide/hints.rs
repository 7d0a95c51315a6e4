//! Hinted handoff's decisions: who is owed a hint, when a hint has expired, what a replay sends,
//! and what a failed delivery drops.
//!
//! Guarantees (correct store): every replica other than the coordinator that did not acknowledge a
//! write that was sent is owed a hint (when hinted handoff is on); a hint older than the hint
//! window is dropped rather than delivered (by the coordinator before replay, by the replica on
//! arrival), so it never outlives the tombstones it could resurrect; a replay sends the hinted
//! cell as it was written; a failed delivery drops nothing (the hint and those after it wait for
//! the next pass). Planted bugs that change these decisions: `hint-restamp`, `hint-drop-queue`.

use crate::store::cell::Cell;
use crate::store::config::Mutant;
use crate::store::ring::NodeId;
use std::ops::Range;

/// Whether coordinator `me` stores a hint for replica `target` that missed a write.
pub fn hint_owed(target: NodeId, me: NodeId, hints_enabled: bool) -> bool {
    hints_enabled && target != me
}

/// Whether a hint created at `created_us` is past the hint window (`window_us`) at `now_us`.
pub fn expired(created_us: u64, now_us: u64, window_us: u64) -> bool {
    now_us.saturating_sub(created_us) > window_us
}

/// The cell a replay sends for a hinted `cell`. Planted bug `hint-restamp`: re-stamped with the
/// replay time `now_us`.
pub fn replay_cell(mut cell: Cell, mutant: Option<Mutant>, now_us: u64) -> Cell {
    if mutant == Some(Mutant::HintRestamp) {
        cell.ts = now_us;
    }
    cell
}

/// The hints (positions in the target's queue of `queued`) dropped when delivering the one at
/// `failed` failed: none. Planted bug `hint-drop-queue`: it and every one after it.
pub fn dropped_after_failure(failed: usize, queued: usize, mutant: Option<Mutant>) -> Range<usize> {
    if mutant == Some(Mutant::HintDropQueue) {
        failed..queued.max(failed)
    } else {
        failed..failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_replicas_are_owed_hints_when_handoff_is_on() {
        assert!(hint_owed(2, 0, true));
        assert!(!hint_owed(0, 0, true), "never to itself");
        assert!(!hint_owed(2, 0, false), "handoff off");
    }

    #[test]
    fn a_hint_expires_strictly_after_the_window() {
        assert!(!expired(1_000, 11_000, 10_000));
        assert!(expired(1_000, 11_001, 10_000));
        assert!(
            !expired(5_000, 1_000, 10_000),
            "a clock behind the hint is no age"
        );
    }

    #[test]
    fn a_replay_sends_the_hinted_cell_unless_restamped() {
        let cell = Cell::live(7, vec![1]);
        assert_eq!(replay_cell(cell.clone(), None, 50), cell);
        assert_eq!(
            replay_cell(cell.clone(), Some(Mutant::RepairRestamp), 50),
            cell
        );
        assert_eq!(
            replay_cell(cell, Some(Mutant::HintRestamp), 50),
            Cell::live(50, vec![1])
        );
    }

    #[test]
    fn a_failed_delivery_drops_nothing_unless_the_queue_is_dropped() {
        assert!(dropped_after_failure(1, 4, None).is_empty());
        assert_eq!(
            dropped_after_failure(1, 4, Some(Mutant::HintDropQueue)),
            1..4
        );
        assert_eq!(
            dropped_after_failure(0, 1, Some(Mutant::HintDropQueue)),
            0..1
        );
    }
}
