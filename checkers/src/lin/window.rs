//! The minimal failing prefix ("failing window") of a non-linearizable partition, within a work
//! budget.
//!
//! Cut the history at real-time rank `c`: keep operations invoked by `c`, and treat those
//! completed after `c` as open (Jepsen `info`). Being non-linearizable is monotone in `c`: a
//! linearization of a longer cut, truncated before the first operation invoked after `c`, is a
//! linearization of the shorter one (operations completed by `c` precede every later invocation,
//! and open operations may stop anywhere). So a search over completion ranks finds the earliest
//! completion by which the history is already non-linearizable.
//!
//! A lower bound comes for free: a search (with or without look-ahead) that says `Violation`
//! never got past the completion of the operation after its longest partial linearization
//! ([`lower_bound`]); if a shorter cut failed, no configuration would pass that cut, so the
//! first completion after the longest one is at or before the shortest failing cut, and every
//! shorter cut is linearizable. The probes start there and gallop up (steps 1, 2, 4, …) until a
//! cut fails, then bisect — one probe when the bound is right.
//!
//! Work is counted in deterministic units: one per operation put into a probe's entry list, one
//! per configuration a probe explores. A probe starts only if its list fits in what is left, and
//! its search may explore only what is left; when the budget runs out the search stops
//! (`cut_short`).
//!
//! Guarantees: the returned cut is always one whose search said `Violation` (the full history
//! when nothing shorter was proved); it is the shortest such cut when `exact`, else an upper
//! bound; the work spent never exceeds the budget.

use super::entries::Entries;
use super::explain::failure;
use super::model::{Model, Prepared};
use super::search::{search, Limits, Outcome, SearchResult, Stop};

/// The shortest failing cut found.
pub struct Shrunk<I, S> {
    /// The cut rank, or `None` for the whole history.
    pub cut: Option<u64>,
    /// The entry list at that cut.
    pub entries: Entries<I>,
    /// The search of that cut (a `Violation`).
    pub result: SearchResult<S>,
    /// Whether the cut is proved the shortest failing one.
    pub exact: bool,
    /// Whether the work budget ran out before the search finished.
    pub cut_short: bool,
    /// Configurations explored by the probes.
    pub states: u64,
    /// Work units spent (list entries built plus configurations explored).
    pub work: u64,
}

/// Shrink a violation of the whole history (`entries`, `result`) to its shortest failing cut,
/// spending at most `budget` work units (see the module doc).
pub fn shrink<M: Model>(
    model: &M,
    prepared: &[Prepared<M::Input>],
    entries: Entries<M::Input>,
    result: SearchResult<M::State>,
    limits: &Limits<'_>,
    budget: u64,
    bound: Option<u64>,
) -> Shrunk<M::Input, M::State> {
    let mut returns: Vec<u64> = prepared.iter().filter_map(|p| p.ret).collect();
    returns.sort_unstable();
    returns.dedup();
    let mut calls: Vec<u64> = prepared.iter().map(|p| p.call).collect();
    calls.sort_unstable();
    let mut best = Shrunk {
        cut: None,
        entries,
        result,
        exact: true,
        cut_short: false,
        states: 0,
        work: 0,
    };
    let bound = lower_bound(prepared, &mut best.entries, &best.result).max(bound);
    // Invariant: cuts at returns[hi..] fail (hi = len: the whole history); cuts at returns[..=lo]
    // were not shown to fail.
    let below = bound.map_or(0, |b| returns.partition_point(|&r| r < b));
    let (mut lo, mut hi) = (below as i64 - 1, returns.len() as i64);
    let (mut step, mut gallop, mut unanswered) = (1i64, true, false);
    while lo + 1 < hi {
        let mid = if gallop && lo + step < hi {
            lo + step
        } else {
            (lo + hi) / 2
        };
        let cut = returns[mid as usize];
        let size = calls.partition_point(|&c| c <= cut) as u64;
        let left = budget.saturating_sub(best.work);
        if size >= left {
            best.cut_short = true;
            break;
        }
        best.work += size;
        let mut probe = Entries::build(model, prepared, Some(cut));
        let room = left - size;
        let probe_limits = Limits {
            max_states: Some(limits.max_states.map_or(room, |m| m.min(room))),
            ..*limits
        };
        let r = search(model, &mut probe, &probe_limits);
        best.states += r.states;
        best.work += r.states;
        match r.outcome {
            Outcome::Violation => {
                hi = mid;
                gallop = false;
                best.cut = Some(cut);
                best.entries = probe;
                best.result = r;
            }
            Outcome::Linearizable => {
                lo = mid;
                step *= 2;
            }
            Outcome::Stopped(Stop::MaxStates) if r.states >= room => {
                best.cut_short = true;
                break;
            }
            Outcome::Stopped(_) => {
                unanswered = true;
                lo = mid;
                step *= 2;
            }
        }
    }
    best.exact = !best.cut_short && !unanswered;
    best
}

/// The completion a `Violation` search could not get past (see the module doc): every cut
/// before it is linearizable. `None` when the search found no such completion.
pub fn lower_bound<I: Clone + Eq + std::hash::Hash, S>(
    prepared: &[Prepared<I>],
    entries: &mut Entries<I>,
    result: &SearchResult<S>,
) -> Option<u64> {
    if result.outcome != Outcome::Violation {
        return None;
    }
    let f = failure(entries, &result.best)?;
    prepared[entries.items[f.op as usize].prepared].ret
}
