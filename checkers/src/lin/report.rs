//! From an invalid partition to its anomaly: shrink to the shortest failing prefix
//! ([`super::window`]), search that prefix once more with the model's merged states undone
//! ([`Model::unmerge`]) and without look-ahead, so that the report names real values and the
//! longest partial linearization is the natural one (the look-ahead refuses doomed steps early,
//! which is faster but stops the prefix sooner), and explain it ([`super::explain`]).
//!
//! Guarantees: the anomaly always describes a cut that a search proved non-linearizable; the
//! extra searches are bounded by a state budget (four times the partition's own search, at least
//! 200 000, at most `max_states`), the cache bound and the deadline, and fall back to what is
//! already known.

use super::entries::Entries;
use super::explain;
use super::model::{Model, Prepared};
use super::search::{search, Limits, Outcome, SearchResult};
use super::window;
use super::LinOptions;
use crate::ops::Op;
use crate::value::Value;
use crate::verdict::Anomaly;
use std::time::Instant;

/// An invalid partition, kept whole for the report.
pub struct Invalid<M: Model> {
    /// The partition's model (its value tables describe states and operations).
    pub model: M,
    /// The partition's prepared operations.
    pub prepared: Vec<Prepared<M::Input>>,
    /// The entry list the search ran on.
    pub entries: Entries<M::Input>,
    /// The search that found the violation.
    pub result: SearchResult<M::State>,
}

/// The anomaly of an invalid partition, and the states the extra searches explored.
pub fn report<M: Model>(
    inv: Invalid<M>,
    key: Option<&Value>,
    ops: &[Op],
    opts: &LinOptions,
    deadline: Option<Instant>,
) -> (Anomaly, u64) {
    let never = || false;
    let budget = opts
        .max_states
        .unwrap_or(u64::MAX)
        .min(inv.result.states.saturating_mul(4).max(200_000));
    let limits = Limits {
        max_states: Some(budget),
        max_cache: opts.max_cache,
        deadline,
        cancelled: &never,
        look_ahead: true,
    };
    let mut w = window::shrink(&inv.model, &inv.prepared, inv.entries, inv.result, &limits);
    // Search the failing prefix again with real values and no look-ahead, for the report.
    let mut model = inv.model.clone();
    let mut prepared = inv.prepared.clone();
    model.unmerge(&mut prepared);
    let mut entries = Entries::build(&model, &prepared, w.cut);
    let plain = Limits {
        look_ahead: false,
        ..limits
    };
    let again = search(&model, &mut entries, &plain);
    let states = w.states + again.states;
    let anomaly = if again.outcome == Outcome::Violation {
        explain::anomaly(
            &model,
            key,
            ops,
            &prepared,
            &mut entries,
            &again,
            w.cut,
            w.exact,
        )
    } else {
        explain::anomaly(
            &inv.model,
            key,
            ops,
            &inv.prepared,
            &mut w.entries,
            &w.result,
            w.cut,
            w.exact,
        )
    };
    (anomaly, states)
}
