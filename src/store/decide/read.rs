//! A read's decisions: what to ask each contacted replica, what the answers reveal, whether they
//! agree, the reconciled winner and who is stale, and how the stale replicas are repaired.
//!
//! 1. [`read_plan`]: the first contacted replica is asked for the cell (data read); with digest
//!    reads the others only for its digest, without they are asked for the cell too.
//! 2. [`first_round`]: a digest equal to the data reply's stands for the data reply's cell; a
//!    different one leaves the replica's cell unknown (it is read in full next). The answers
//!    [`FirstRound::agree`] when every cell is known and equal to the data reply's.
//! 3. [`reconcile_contacts`]: once every cell is known, the last-write-wins winner
//!    ([`crate::store::cell::reconcile_all`]) and the replicas that do not hold it (stale).
//! 4. [`repair_mode`], [`repair_cell`], [`repair_acks`]: how the winner is sent to the stale
//!    replicas, what is sent, and when a blocking repair may answer.
//!
//! Guarantees (correct store): a digest covers the whole cell, so agreeing digests mean equal
//! cells; the winner is the newest cell any contacted replica holds; a blocking repair answers
//! only once every stale replica acknowledged the winner. Planted bugs that change these decisions:
//! `digest-omits-value` (through the digest coverage, [`super::replica::digest_coverage`]),
//! `mismatch-skips-data`, `repair-no-wait`, `repair-ack-ignored`, `repair-restamp`.

use super::acks::Acks;
use crate::store::cell::{reconcile_all, Cell};
use crate::store::config::{Mutant, ReadRepair};
use crate::store::digest::{digest, Coverage};
use crate::store::proto::Response;

/// What a read asks one contacted replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// The full cell.
    Data,
    /// Only the cell's digest.
    Digest,
}

/// What to ask each of `contacted` replicas, in contact order.
pub fn read_plan(contacted: usize, digest_reads: bool) -> Vec<Ask> {
    (0..contacted)
        .map(|i| {
            if i == 0 || !digest_reads {
                Ask::Data
            } else {
                Ask::Digest
            }
        })
        .collect()
}

/// What the first answers (one per contacted replica, in contact order) reveal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstRound {
    /// The data reply's cell (from the first contacted replica).
    pub first: Option<Cell>,
    /// Per contacted replica, its cell when known (`None`: its digest differed).
    pub known: Vec<Option<Option<Cell>>>,
}

impl FirstRound {
    /// Whether every contacted replica holds the data reply's cell: the read can answer at once.
    pub fn agree(&self) -> bool {
        self.known.iter().all(|c| c.as_ref() == Some(&self.first))
    }

    /// The contacted replicas (indices) whose cell is still unknown.
    pub fn unknown(&self) -> Vec<usize> {
        (0..self.known.len())
            .filter(|&i| self.known[i].is_none())
            .collect()
    }
}

/// Interpret the first answers; digests are compared with the data reply's under `coverage`.
/// `None` when the first answer is not a data reply or an answer is neither data nor a digest
/// (the read then times out).
pub fn first_round(answers: Vec<Response>, coverage: Coverage) -> Option<FirstRound> {
    let first = match answers.first() {
        Some(Response::Data(cell)) => cell.clone(),
        _ => return None,
    };
    let first_digest = digest(first.as_ref(), coverage);
    let mut known = Vec::with_capacity(answers.len());
    for answer in answers {
        known.push(match answer {
            Response::Data(cell) => Some(cell),
            Response::Digest(d) if d == first_digest => Some(first.clone()),
            Response::Digest(_) => None,
            _ => return None,
        });
    }
    Some(FirstRound { first, known })
}

/// The outcome of reconciling every contacted replica's cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconciled {
    /// The last-write-wins winner (`None`: no replica holds the key).
    pub winner: Option<Cell>,
    /// The contacted replicas (indices) that do not hold the winner: the ones to repair.
    pub stale: Vec<usize>,
}

/// The winner among the contacted replicas' cells (`cells[0]` is the data reply) and who is
/// stale. Planted bug `mismatch-skips-data`: the data reply is left out of the reconciliation (so
/// an older digest replica's cell can win and the data replica is "repaired" backwards).
pub fn reconcile_contacts(cells: &[Option<Cell>], mutant: Option<Mutant>) -> Reconciled {
    let skip_data = mutant == Some(Mutant::MismatchSkipsData);
    let from = usize::from(skip_data && cells.len() > 1);
    let winner = reconcile_all(cells[from..].iter().cloned());
    let stale = (0..cells.len()).filter(|&i| cells[i] != winner).collect();
    Reconciled { winner, stale }
}

/// How a read repairs the stale replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepairMode {
    /// Not at all.
    Skip,
    /// From a background stage after `delay_ms`; the read answers at once.
    Background {
        /// Time the repair waits in its queue, ms.
        delay_ms: u64,
    },
    /// Before the read answers: every stale replica must acknowledge ([`repair_acks`]).
    Blocking,
}

/// The repair mode of a read under `read_repair` (`async_delay_ms`: the background stage's
/// delay). Planted bug `repair-no-wait`: blocking repair is handed to the background stage with
/// no delay and the read answers at once.
pub fn repair_mode(
    read_repair: ReadRepair,
    async_delay_ms: u64,
    mutant: Option<Mutant>,
) -> RepairMode {
    match read_repair {
        ReadRepair::None => RepairMode::Skip,
        ReadRepair::Async => RepairMode::Background {
            delay_ms: async_delay_ms,
        },
        ReadRepair::Blocking if mutant == Some(Mutant::RepairNoWait) => {
            RepairMode::Background { delay_ms: 0 }
        }
        ReadRepair::Blocking => RepairMode::Blocking,
    }
}

/// The cell a repair sends: the winner as it is. Planted bug `repair-restamp`: re-stamped with
/// the coordinator's time `now_us`.
pub fn repair_cell(mut winner: Cell, mutant: Option<Mutant>, now_us: u64) -> Cell {
    if mutant == Some(Mutant::RepairRestamp) {
        winner.ts = now_us;
    }
    winner
}

/// When a blocking repair of `stale` replicas may answer: once every one acknowledged. Planted bug
/// `repair-ack-ignored`: a failed repair write counts as acknowledged.
pub fn repair_acks(stale: usize, mutant: Option<Mutant>) -> Acks {
    Acks::new(stale, stale).counting_failures(mutant == Some(Mutant::RepairAckIgnored))
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
