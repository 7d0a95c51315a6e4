//! The minimal failing prefix ("failing window") of a non-linearizable partition.
//!
//! Cut the history at real-time rank `c`: keep operations invoked by `c`, and treat those
//! completed after `c` as open (Jepsen `info`). Being non-linearizable is monotone in `c`: a
//! linearization of a longer cut, truncated before the first operation invoked after `c`, is a
//! linearization of the shorter one (operations completed by `c` precede every later invocation,
//! and open operations may stop anywhere). So a binary search over completion ranks finds the
//! earliest completion by which the history is already non-linearizable.
//!
//! Guarantees: the returned cut is always one whose search said `Violation` (the full history
//! when nothing shorter was proved); it is the shortest such cut when no probe stopped early
//! (`exact`), else an upper bound.

use super::entries::Entries;
use super::model::{Model, Prepared};
use super::search::{search, Limits, Outcome, SearchResult};

/// The shortest failing cut found.
pub struct Shrunk<I, S> {
    /// The cut rank, or `None` for the whole history.
    pub cut: Option<u64>,
    /// The entry list at that cut.
    pub entries: Entries<I>,
    /// The search of that cut (a `Violation`).
    pub result: SearchResult<S>,
    /// Whether every probe answered, so the cut is the shortest failing one.
    pub exact: bool,
    /// Configurations explored by the probes.
    pub states: u64,
}

/// Shrink a violation of the whole history (`entries`, `result`) to its shortest failing cut.
pub fn shrink<M: Model>(
    model: &M,
    prepared: &[Prepared<M::Input>],
    entries: Entries<M::Input>,
    result: SearchResult<M::State>,
    limits: &Limits<'_>,
) -> Shrunk<M::Input, M::State> {
    let mut returns: Vec<u64> = prepared.iter().filter_map(|p| p.ret).collect();
    returns.sort_unstable();
    returns.dedup();
    let mut best = Shrunk {
        cut: None,
        entries,
        result,
        exact: true,
        states: 0,
    };
    // Invariant: cuts at returns[hi..] fail (hi = len: the whole history); cuts at returns[..=lo]
    // were not shown to fail.
    let (mut lo, mut hi) = (-1i64, returns.len() as i64);
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        let cut = returns[mid as usize];
        let mut probe = Entries::build(model, prepared, Some(cut));
        let r = search(model, &mut probe, limits);
        best.states += r.states;
        match r.outcome {
            Outcome::Violation => {
                hi = mid;
                best.cut = Some(cut);
                best.entries = probe;
                best.result = r;
            }
            Outcome::Linearizable => lo = mid,
            Outcome::Stopped(_) => {
                best.exact = false;
                lo = mid;
            }
        }
    }
    best
}
