//! How many replicas an operation needs, and whether it may start at all.
//!
//! Guarantees (correct store): QUORUM is a strict majority of the replication factor, so any
//! QUORUM read meets any QUORUM write; an operation starts only when at least as many replicas
//! are reachable as it needs, so a refusal (`Unavailable`) means nothing was sent.

use crate::store::config::{ConsistencyLevel, Mutant};
use crate::store::proto::ClientError;

/// Why a coordinator answers a client with an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Fewer replicas were reachable than needed: nothing was sent (a definite failure).
    Unavailable {
        /// Replicas reachable.
        alive: usize,
        /// Replicas needed.
        needed: usize,
    },
    /// Not enough answers came (in time): indeterminate for a write, since some replicas may have
    /// applied it.
    Timeout {
        /// Answers (acknowledgements) that came.
        answered: usize,
        /// Answers needed.
        needed: usize,
    },
}

impl From<Failure> for ClientError {
    fn from(f: Failure) -> ClientError {
        match f {
            Failure::Unavailable { alive, needed } => ClientError::Unavailable { alive, needed },
            Failure::Timeout { answered, needed } => ClientError::Timeout { answered, needed },
        }
    }
}

/// How many of `rf` replicas consistency level `cl` needs. Planted bug `quorum-floor`: QUORUM is
/// ⌊RF/2⌋ (at least one) instead of ⌊RF/2⌋+1.
pub fn required(cl: ConsistencyLevel, rf: usize, mutant: Option<Mutant>) -> usize {
    if cl == ConsistencyLevel::Quorum && mutant == Some(Mutant::QuorumFloor) {
        return (rf / 2).max(1);
    }
    cl.required(rf)
}

/// Whether an operation that needs `needed` replicas may start with `alive` of them reachable.
/// `sloppy` (planted bug `sloppy-quorum`, with hinted handoff on): hints count as
/// acknowledgements, so any reachable replica will do.
pub fn admit(alive: usize, needed: usize, sloppy: bool) -> Result<(), Failure> {
    if alive < needed && !(sloppy && alive > 0) {
        return Err(Failure::Unavailable { alive, needed });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConsistencyLevel::{All, One, Quorum};

    #[test]
    fn levels_need_one_a_majority_or_all() {
        for rf in 1..=7 {
            assert_eq!(required(One, rf, None), 1);
            assert_eq!(required(Quorum, rf, None), rf / 2 + 1);
            assert_eq!(required(All, rf, None), rf);
        }
        assert_eq!(required(Quorum, 3, None), 2);
        assert_eq!(required(Quorum, 4, None), 3);
    }

    #[test]
    fn quorum_floor_takes_half_rounded_down_but_at_least_one() {
        let floor = Some(Mutant::QuorumFloor);
        assert_eq!(required(Quorum, 3, floor), 1);
        assert_eq!(required(Quorum, 4, floor), 2);
        assert_eq!(required(Quorum, 5, floor), 2);
        assert_eq!(required(Quorum, 1, floor), 1);
        // Only QUORUM is affected.
        assert_eq!(required(One, 3, floor), 1);
        assert_eq!(required(All, 3, floor), 3);
    }

    #[test]
    fn other_planted_bugs_leave_the_arithmetic_alone() {
        for m in Mutant::ALL
            .into_iter()
            .filter(|&m| m != Mutant::QuorumFloor)
        {
            assert_eq!(required(Quorum, 3, Some(m)), 2, "{m}");
        }
    }

    #[test]
    fn an_operation_starts_only_with_enough_reachable_replicas() {
        assert_eq!(admit(2, 2, false), Ok(()));
        assert_eq!(admit(3, 2, false), Ok(()));
        assert_eq!(
            admit(1, 2, false),
            Err(Failure::Unavailable {
                alive: 1,
                needed: 2
            })
        );
        assert_eq!(
            admit(0, 1, false),
            Err(Failure::Unavailable {
                alive: 0,
                needed: 1
            })
        );
    }

    #[test]
    fn failures_are_the_client_errors_of_the_same_name() {
        let u = Failure::Unavailable {
            alive: 1,
            needed: 2,
        };
        assert_eq!(
            ClientError::from(u),
            ClientError::Unavailable {
                alive: 1,
                needed: 2
            }
        );
        let t = Failure::Timeout {
            answered: 0,
            needed: 2,
        };
        assert_eq!(
            ClientError::from(t),
            ClientError::Timeout {
                answered: 0,
                needed: 2
            }
        );
    }

    #[test]
    fn a_sloppy_quorum_starts_with_any_reachable_replica_but_not_none() {
        assert_eq!(admit(1, 3, true), Ok(()));
        assert_eq!(
            admit(0, 2, true),
            Err(Failure::Unavailable {
                alive: 0,
                needed: 2
            })
        );
    }
}
