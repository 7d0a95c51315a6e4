//! Which replicas a write sends to, which get a hint instead, and how many answers to await.
//!
//! A write goes to every replica of the key, in ring order, concurrently: each reachable one gets
//! the cell (primary delivery), each unreachable one a hint (hinted handoff, see
//! [`super::hints`]), as does every reachable one that does not acknowledge. A hint is not an
//! acknowledgement — except under the planted bug `sloppy-quorum`, where a hint stands in for the
//! replica's answer.
//!
//! Guarantees (correct store): a write that cannot reach as many replicas as it needs is refused
//! before anything is sent ([`super::quorum::admit`]); the answers awaited are exactly the primary
//! deliveries.

use super::acks::Acks;
use super::quorum::{admit, Failure};

/// What one replica of the key gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The cell, now (the replica is reachable).
    Send,
    /// A hint, replayed when the replica is reachable again.
    Hint,
}

/// A write that may start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WritePlan {
    /// Per replica, in the order given.
    pub deliveries: Vec<Delivery>,
    /// When to answer: the acknowledgement counter (answers awaited, failures that count).
    pub acks: Acks,
    /// Whether an unreachable replica's hint is reported at once as an answer (`sloppy-quorum`).
    pub hint_answers: bool,
}

/// The plan of a write to replicas of which `reachable` are, needing `needed` acknowledgements;
/// `sloppy`: the planted bug `sloppy-quorum` with hinted handoff on. `Err(Unavailable)`: refuse,
/// nothing is sent.
pub fn write_plan(reachable: &[bool], needed: usize, sloppy: bool) -> Result<WritePlan, Failure> {
    let alive = reachable.iter().filter(|&&r| r).count();
    admit(alive, needed, sloppy)?;
    let deliveries: Vec<Delivery> = reachable
        .iter()
        .map(|&r| if r { Delivery::Send } else { Delivery::Hint })
        .collect();
    let awaited = if sloppy { reachable.len() } else { alive };
    Ok(WritePlan {
        deliveries,
        acks: Acks::new(needed, awaited).counting_failures(sloppy),
        hint_answers: sloppy,
    })
}

#[cfg(test)]
mod tests {
    use super::super::acks::Verdict;
    use super::*;

    #[test]
    fn reachable_replicas_get_the_cell_and_the_others_a_hint() {
        let plan = write_plan(&[true, false, true], 2, false).unwrap();
        assert_eq!(
            plan.deliveries,
            vec![Delivery::Send, Delivery::Hint, Delivery::Send]
        );
        assert!(!plan.hint_answers);
        assert_eq!(plan.acks, Acks::new(2, 2));
    }

    #[test]
    fn too_few_reachable_replicas_refuse_the_write() {
        assert_eq!(
            write_plan(&[true, false, false], 2, false),
            Err(Failure::Unavailable {
                alive: 1,
                needed: 2
            })
        );
        assert!(write_plan(&[false, false, false], 1, true).is_err());
    }

    #[test]
    fn only_primary_deliveries_are_awaited_and_a_failed_one_does_not_count() {
        let mut plan = write_plan(&[true, true, false], 2, false).unwrap();
        assert_eq!(plan.acks.record(true), Verdict::Wait);
        assert_eq!(
            plan.acks.record(false),
            Verdict::Answer(Err(Failure::Timeout {
                answered: 1,
                needed: 2
            }))
        );
    }

    #[test]
    fn a_sloppy_quorum_counts_hints_toward_the_level() {
        let mut plan = write_plan(&[true, false, false], 2, true).unwrap();
        assert!(plan.hint_answers);
        assert_eq!(
            plan.deliveries,
            vec![Delivery::Send, Delivery::Hint, Delivery::Hint]
        );
        // The two hints answer at once, each as an acknowledgement.
        assert_eq!(plan.acks.record(false), Verdict::Wait);
        assert_eq!(plan.acks.record(false), Verdict::Answer(Ok(2)));
    }
}
