//! The Wing–Gong–Lowe search with memoisation (Wing & Gong 1993; Lowe 2017 "Testing for
//! linearizability"; the loop of Porcupine's `checkSingle` and Knossos's `wgl`).
//!
//! The candidates at a configuration are the call entries before the first return entry of the
//! list: operations invoked before any pending operation had to complete. Linearizing one pushes
//! the configuration (linearized set, state) — unless the cache says it was explored before —
//! and lifts the operation out of the list. Reaching the first return entry means the operation
//! it closes had to be linearized by then and was not: undo the last choice and try the next
//! candidate. The history is linearizable when every completed operation is linearized (open
//! operations may stay out: they may never have taken effect); it is not when a return entry is
//! reached with nothing left to undo.
//!
//! Two refinements keep the search from exploring orders that cannot matter, without losing
//! completeness:
//! - **pure operations first, never branched on.** If a pure operation (a read) can be linearized
//!   now, some linearization extending this configuration exists iff one extending it with the
//!   read next exists: in any extension, moving the read to the front keeps every state (it
//!   changes none) and every real-time constraint (no pending operation completed before the
//!   read's call, or its return entry would come first). So it is taken at once, and undoing it
//!   means the configuration itself fails. The same holds for what a model declares
//!   [`Model::absorbed`] (the register's writes of values nobody reads, over such a value);
//! - **look-ahead**: a step the model proves hopeless ([`Model::doomed`], e.g. overwriting the
//!   only value a pending read can still return) is not taken;
//! - **just-in-time order** (Lowe 2017, §4): among the other candidates, first the one whose
//!   return entry comes first — it must be linearized before that point anyway — then, when it is
//!   not possible yet, the candidates after which it is (a blocked read wants the write it saw),
//!   then the rest in list order. Every candidate is still tried: this only orders the branches;
//! - **interchangeable open operations**: two open (`info`) operations with equal inputs, both
//!   invoked already, can trade places in any linearization (neither has a return to respect), so
//!   at each configuration only the first of them in the list is tried.
//!
//! Guarantees:
//! - sound and complete for the model: `Linearizable` and `Violation` are exact answers;
//! - the search stops with [`Outcome::Stopped`] when the state budget or the cache bound is
//!   reached (checked at every step: deterministic), or the deadline or the cancellation flag says
//!   so (checked every 1024 steps), never with a wrong answer;
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
    /// The cache holds as many configurations as allowed (the memory bound).
    MaxCache,
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
    /// Maximum number of configurations to keep in the cache (memory bound).
    pub max_cache: Option<u64>,
    /// Wall-clock deadline.
    pub deadline: Option<Instant>,
    /// Polled periodically; `true` stops the search.
    pub cancelled: &'a (dyn Fn() -> bool + Sync),
    /// Whether to use the model's look-ahead ([`Model::doomed`]). It never changes the answer,
    /// only the work; without it the longest partial linearization is the natural one to report.
    pub look_ahead: bool,
}

/// What one search found.
pub struct SearchResult<S> {
    /// The answer.
    pub outcome: Outcome,
    /// Distinct configurations explored (cache insertions).
    pub states: u64,
    /// Configurations pruned because they were explored before.
    pub cache_hits: u64,
    /// Steps refused by the model's look-ahead ([`Model::doomed`]).
    pub doomed: u64,
    /// The longest partial linearization found, as operation ids in linearization order.
    pub best: Vec<u32>,
    /// The state after `best`.
    pub best_state: S,
    /// Configurations in the cache at the end.
    pub cache_len: u64,
    /// About how many bytes the cache held at the end.
    pub cache_bytes: u64,
}

/// Where the search is at the current configuration.
#[derive(Clone, Copy)]
enum Phase {
    /// Just arrived: try pure candidates, then the first-returning operation.
    Fresh,
    /// Try the remaining candidates from this node on, skipping pure ones and `first`: with
    /// `enablers`, those after which `first` is possible; then the others.
    Others {
        from: u32,
        first: u32,
        enablers: bool,
    },
    /// The configuration fails: undo the last choice.
    Backtrack,
}

struct Frame<S> {
    call: u32,
    prev: S,
    /// The first-returning candidate's call node at the configuration this frame left, or
    /// [`GREEDY`] when the operation was taken without branching (pure or absorbed).
    first: u32,
    /// Whether it was tried among the enablers of `first`.
    enablers: bool,
}

/// Marks a frame taken without branching: undoing it means its configuration fails.
const GREEDY: u32 = NONE - 1;

struct Searcher<'m, M: Model> {
    model: &'m M,
    state: M::State,
    bits: Bitset,
    cache: Cache<M::State>,
    pending: M::Pending,
    look_ahead: bool,
    stack: Vec<Frame<M::State>>,
    remaining: usize,
    states: u64,
    hits: u64,
    doomed: u64,
    best: Vec<u32>,
    best_state: M::State,
    /// Length of the prefix of `stack` known to equal `best`.
    common: usize,
    /// `seen[class] == stamp`: an open operation of that class came earlier in the current scan.
    seen: Vec<u32>,
    stamp: u32,
}

impl<M: Model> Searcher<'_, M> {
    /// Linearize the operation at call node `call` now, giving state `next`; `false` when that
    /// configuration was explored before.
    fn push(
        &mut self,
        entries: &mut Entries<M::Input>,
        call: u32,
        next: M::State,
        first: u32,
        enablers: bool,
    ) -> bool {
        let op = entries.nodes[call as usize].op;
        let item = &entries.items[op as usize];
        self.model.remove_pending(&mut self.pending, item);
        if self.look_ahead && self.model.doomed(&self.pending, &self.state, &next) {
            self.doomed += 1;
            self.model.add_pending(&mut self.pending, item);
            return false;
        }
        self.bits.insert(op);
        let hash = self.bits.hash() ^ hash_state(&next);
        if !self.cache.insert(&self.bits, &next, hash) {
            self.hits += 1;
            self.bits.remove(op);
            self.model.add_pending(&mut self.pending, item);
            return false;
        }
        self.states += 1;
        if item.required {
            self.remaining -= 1;
        }
        let prev = std::mem::replace(&mut self.state, next);
        self.stack.push(Frame {
            call,
            prev,
            first,
            enablers,
        });
        entries.lift(call);
        if self.stack.len() > self.best.len() {
            self.best.truncate(self.common);
            let from = self.common;
            self.best.extend(
                self.stack[from..]
                    .iter()
                    .map(|f| entries.nodes[f.call as usize].op),
            );
            self.common = self.stack.len();
            self.best_state = self.state.clone();
        }
        true
    }

    /// Undo choices until one leaves candidates to try; `None` when nothing is left to undo.
    fn backtrack(&mut self, entries: &mut Entries<M::Input>) -> Option<Phase> {
        loop {
            let frame = self.stack.pop()?;
            self.common = self.common.min(self.stack.len());
            self.state = frame.prev;
            let op = entries.nodes[frame.call as usize].op;
            self.bits.remove(op);
            let item = &entries.items[op as usize];
            self.model.add_pending(&mut self.pending, item);
            if item.required {
                self.remaining += 1;
            }
            entries.unlift(frame.call);
            if frame.first == GREEDY {
                continue; // taken without branching: the configuration it left fails
            }
            let (from, enablers) = if frame.call == frame.first {
                (entries.nodes[HEAD as usize].next, true)
            } else {
                (entries.nodes[frame.call as usize].next, frame.enablers)
            };
            return Some(Phase::Others {
                from,
                first: frame.first,
                enablers,
            });
        }
    }

    /// One step from a fresh configuration.
    fn fresh(&mut self, entries: &mut Entries<M::Input>) -> Phase {
        let mut n = entries.nodes[HEAD as usize].next;
        while n != NONE && entries.nodes[n as usize].is_call {
            let item = &entries.items[entries.nodes[n as usize].op as usize];
            if item.pure || self.model.absorbed(&self.state, &item.input) {
                if let Some(next) = self.model.step(&self.state, &item.input) {
                    return if self.push(entries, n, next, GREEDY, false) {
                        Phase::Fresh
                    } else {
                        Phase::Backtrack
                    };
                }
            }
            n = entries.nodes[n as usize].next;
        }
        if n == NONE {
            return Phase::Backtrack; // defensive: required operations always have a return entry
        }
        let first = entries.nodes[n as usize].partner;
        let item = &entries.items[entries.nodes[first as usize].op as usize];
        if !item.pure {
            if let Some(next) = self.model.step(&self.state, &item.input) {
                if self.push(entries, first, next, first, false) {
                    return Phase::Fresh;
                }
            }
        }
        Phase::Others {
            from: entries.nodes[HEAD as usize].next,
            first,
            enablers: true,
        }
    }

    /// Whether the candidate at node `n` is the first of its class of interchangeable open
    /// operations in this scan (always true for completed operations); marks its class.
    fn first_of_class(&mut self, entries: &Entries<M::Input>, n: u32) -> bool {
        let class = entries.items[entries.nodes[n as usize].op as usize].class;
        if class == NONE {
            return true;
        }
        let slot = &mut self.seen[class as usize];
        let first = *slot != self.stamp;
        *slot = self.stamp;
        first
    }

    /// Try the remaining candidates from `from`: first those after which `first` is possible
    /// (goal-directed: a blocked read wants the write it saw), then the rest.
    fn others(
        &mut self,
        entries: &mut Entries<M::Input>,
        from: u32,
        first: u32,
        enablers: bool,
    ) -> Phase {
        let goal = entries.nodes[first as usize].op as usize;
        // Open operations with equal inputs are interchangeable: only the first of each class in
        // the list is tried. Mark the classes met before `from`.
        self.stamp = self.stamp.wrapping_add(1);
        let mut n = entries.nodes[HEAD as usize].next;
        while n != from && n != NONE && entries.nodes[n as usize].is_call {
            self.first_of_class(entries, n);
            n = entries.nodes[n as usize].next;
        }
        let mut n = from;
        while n != NONE && entries.nodes[n as usize].is_call {
            let representative = self.first_of_class(entries, n);
            let item = &entries.items[entries.nodes[n as usize].op as usize];
            if n != first && !item.pure && representative {
                if let Some(next) = self.model.step(&self.state, &item.input) {
                    let enables = self.model.step(&next, &entries.items[goal].input).is_some();
                    if enables == enablers && self.push(entries, n, next, first, enablers) {
                        return Phase::Fresh;
                    }
                }
            }
            n = entries.nodes[n as usize].next;
        }
        if enablers {
            Phase::Others {
                from: entries.nodes[HEAD as usize].next,
                first,
                enablers: false,
            }
        } else {
            Phase::Backtrack
        }
    }
}

/// Search for a linearization of `entries` under `model`. The list is restored on return.
pub fn search<M: Model>(
    model: &M,
    entries: &mut Entries<M::Input>,
    limits: &Limits<'_>,
) -> SearchResult<M::State> {
    let init = model.init();
    let mut s = Searcher {
        model,
        state: init.clone(),
        bits: Bitset::new(entries.items.len()),
        cache: Cache::with_capacity(entries.items.len() + 16),
        pending: M::Pending::default(),
        look_ahead: limits.look_ahead,
        stack: Vec::new(),
        remaining: entries.required(),
        states: 0,
        hits: 0,
        doomed: 0,
        best: Vec::new(),
        best_state: init,
        common: 0,
        seen: vec![0; entries.items.len()],
        stamp: 0,
    };
    for item in &entries.items {
        model.add_pending(&mut s.pending, item);
    }
    let mut phase = Phase::Fresh;
    let mut steps = 0u64;
    let outcome = loop {
        if s.remaining == 0 {
            break Outcome::Linearizable;
        }
        if limits.max_states.is_some_and(|m| s.states >= m) {
            break Outcome::Stopped(Stop::MaxStates);
        }
        if limits.max_cache.is_some_and(|m| s.cache.len() as u64 >= m) {
            break Outcome::Stopped(Stop::MaxCache);
        }
        steps += 1;
        if steps & 1023 == 0 {
            if limits.deadline.is_some_and(|d| Instant::now() >= d) {
                break Outcome::Stopped(Stop::TimeLimit);
            }
            if (limits.cancelled)() {
                break Outcome::Stopped(Stop::Cancelled);
            }
        }
        phase = match phase {
            Phase::Fresh => s.fresh(entries),
            Phase::Others {
                from,
                first,
                enablers,
            } => s.others(entries, from, first, enablers),
            Phase::Backtrack => match s.backtrack(entries) {
                Some(p) => p,
                None => break Outcome::Violation,
            },
        };
    };
    while let Some(frame) = s.stack.pop() {
        entries.unlift(frame.call);
    }
    SearchResult {
        outcome,
        states: s.states,
        cache_hits: s.hits,
        doomed: s.doomed,
        best: s.best,
        best_state: s.best_state,
        cache_len: s.cache.len() as u64,
        cache_bytes: s.cache.approx_bytes(),
    }
}
