//! The Wing–Gong–Lowe search with memoisation (Wing & Gong 1993; Lowe 2017 "Testing for
//! linearizability"; the loop of Porcupine's `checkSingle` and Knossos's `wgl`).
//!
//! Walk the entry list from its head. At a call entry, try to linearize that operation now: if the
//! model allows it and the resulting configuration (linearized set, state) is new, push it, lift
//! the operation out of the list and restart from the head. At a return entry, the operation it
//! closes had to be linearized before this point and was not: undo the last choice (pop, unlift)
//! and try the next candidate after it. The history is linearizable when every completed operation
//! has been linearized (open operations may stay out: they may never have taken effect); it is not
//! when a return entry is reached with nothing left to undo.
//!
//! Guarantees:
//! - sound and complete for the model: `Linearizable` and `Violation` are exact answers;
//! - the search stops with [`Outcome::Stopped`] when the state budget, the deadline or the
//!   cancellation flag says so (checked every 1024 steps), never with a wrong answer;
//! - it records the longest partial linearization it found (amortised O(1) per step), which is
//!   what a violation report shows.

use super::bitset::{hash_state, Bitset};
use super::cache::Cache;
use super::entries::{Entries, HEAD, NONE};
use super::model::Model;
use std::time::Instant;

/// Why a search stopped without an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The state budget was spent.
    MaxStates,
    /// The deadline passed.
    TimeLimit,
    /// Another partition was found invalid first.
    Cancelled,
}

/// The answer of one search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every completed operation could be linearized.
    Linearizable,
    /// No linearization exists.
    Violation,
    /// Stopped early; no answer.
    Stopped(Stop),
}

/// When to stop early.
pub struct Limits<'a> {
    /// Maximum number of distinct configurations to explore.
    pub max_states: Option<u64>,
    /// Wall-clock deadline.
    pub deadline: Option<Instant>,
    /// Polled periodically; `true` stops the search.
    pub cancelled: &'a (dyn Fn() -> bool + Sync),
}

/// What one search found.
pub struct SearchResult<S> {
    /// The answer.
    pub outcome: Outcome,
    /// Distinct configurations explored (cache insertions).
    pub states: u64,
    /// Configurations pruned because they were explored before.
    pub cache_hits: u64,
    /// The longest partial linearization found, as operation ids in linearization order.
    pub best: Vec<u32>,
    /// The state after `best`.
    pub best_state: S,
}

/// Search for a linearization of `entries` under `model`. The list is restored on return.
pub fn search<M: Model>(
    model: &M,
    entries: &mut Entries<M::Input>,
    limits: &Limits<'_>,
) -> SearchResult<M::State> {
    let n = entries.items.len();
    let mut remaining = entries.required();
    let mut state = model.init();
    let mut bits = Bitset::new(n);
    let mut cache: Cache<M::State> = Cache::new();
    let mut stack: Vec<(u32, M::State)> = Vec::new();
    let (mut states, mut hits, mut steps) = (0u64, 0u64, 0u64);
    let mut best: Vec<u32> = Vec::new();
    let mut best_state = state.clone();
    let mut common = 0usize; // length of the prefix of `stack` known to equal `best`
    let mut node = entries.first();
    let outcome = loop {
        if remaining == 0 {
            break Outcome::Linearizable;
        }
        steps += 1;
        if steps & 1023 == 0 {
            if limits.max_states.is_some_and(|m| states >= m) {
                break Outcome::Stopped(Stop::MaxStates);
            }
            if limits.deadline.is_some_and(|d| Instant::now() >= d) {
                break Outcome::Stopped(Stop::TimeLimit);
            }
            if (limits.cancelled)() {
                break Outcome::Stopped(Stop::Cancelled);
            }
        }
        let nd = if node == NONE {
            None
        } else {
            Some(entries.nodes[node as usize])
        };
        match nd {
            Some(nd) if nd.is_call => {
                let item = &entries.items[nd.op as usize];
                if let Some(next) = model.step(&state, &item.input) {
                    bits.insert(nd.op);
                    let hash = bits.hash() ^ hash_state(&next);
                    if cache.insert(&bits, &next, hash) {
                        states += 1;
                        if item.required {
                            remaining -= 1;
                        }
                        stack.push((node, std::mem::replace(&mut state, next)));
                        entries.lift(node);
                        if stack.len() > best.len() {
                            best.truncate(common);
                            best.extend(
                                stack[common..]
                                    .iter()
                                    .map(|(c, _)| entries.nodes[*c as usize].op),
                            );
                            common = stack.len();
                            best_state = state.clone();
                        }
                        node = entries.nodes[HEAD as usize].next;
                        continue;
                    }
                    hits += 1;
                    bits.remove(nd.op);
                }
                node = nd.next;
            }
            _ => {
                // A return entry (or, defensively, the end of the list): backtrack.
                let Some((call, prev)) = stack.pop() else {
                    break Outcome::Violation;
                };
                common = common.min(stack.len());
                state = prev;
                let op = entries.nodes[call as usize].op;
                bits.remove(op);
                if entries.items[op as usize].required {
                    remaining += 1;
                }
                entries.unlift(call);
                node = entries.nodes[call as usize].next;
            }
        }
    };
    while let Some((call, _)) = stack.pop() {
        entries.unlift(call);
    }
    SearchResult {
        outcome,
        states,
        cache_hits: hits,
        best,
        best_state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lin::model::Prepared;
    use crate::lin::models::register::{RegOp, Register};
    use crate::lin::NilRead;

    fn run(ops: &[(RegOp, u64, Option<u64>)], max_states: Option<u64>) -> SearchResult<u32> {
        let m = Register::new(None, NilRead::Literal).unwrap();
        let prepared: Vec<Prepared<RegOp>> = ops
            .iter()
            .enumerate()
            .map(|(i, &(input, call, ret))| Prepared {
                input,
                call,
                ret,
                op: i,
            })
            .collect();
        let mut e = Entries::build(&m, &prepared, None);
        let never = || false;
        let limits = Limits {
            max_states,
            deadline: None,
            cancelled: &never,
        };
        search(&m, &mut e, &limits)
    }

    use RegOp::{Read, Write};

    #[test]
    fn concurrent_write_may_be_ordered_either_way() {
        // write 1 [0,10] and read 1 [2,4] and read 0 [1,3]: write after read 0, before read 1.
        let r = run(
            &[
                (Write(1), 0, Some(10)),
                (Read(0), 1, Some(3)),
                (Read(1), 2, Some(4)),
            ],
            None,
        );
        assert_eq!(r.outcome, Outcome::Linearizable);
    }

    #[test]
    fn stale_read_after_completed_write_is_a_violation() {
        let r = run(&[(Write(1), 0, Some(1)), (Read(0), 2, Some(3))], None);
        assert_eq!(r.outcome, Outcome::Violation);
        assert_eq!(r.best, vec![0], "the write is the longest valid prefix");
        assert_eq!(r.best_state, 1);
    }

    #[test]
    fn open_write_may_take_effect_late_or_never() {
        // Open write 2 invoked at 0; read 2 much later; and a history where it never takes effect.
        let late = run(
            &[
                (Write(2), 0, None),
                (Write(1), 1, Some(2)),
                (Read(1), 3, Some(4)),
                (Read(2), 50, Some(51)),
            ],
            None,
        );
        assert_eq!(late.outcome, Outcome::Linearizable);
        let never = run(&[(Write(2), 0, None), (Read(0), 3, Some(4))], None);
        assert_eq!(never.outcome, Outcome::Linearizable);
        let before_call = run(&[(Read(2), 0, Some(1)), (Write(2), 2, None)], None);
        assert_eq!(before_call.outcome, Outcome::Violation);
    }

    #[test]
    fn a_tiny_budget_stops_without_an_answer() {
        // Many concurrent writes and a final impossible read: lots of states to explore.
        let mut ops: Vec<(RegOp, u64, Option<u64>)> =
            (1..=12).map(|v| (Write(v), v as u64, Some(100))).collect();
        ops.push((Read(99), 101, Some(102)));
        let r = run(&ops, Some(10));
        assert_eq!(r.outcome, Outcome::Stopped(Stop::MaxStates));
        let full = run(&ops, None);
        assert_eq!(full.outcome, Outcome::Violation);
        assert!(full.states > 10);
    }
}
