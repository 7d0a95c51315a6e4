//! From an invalid partition to its anomaly: shrink to the shortest failing prefix
//! ([`super::window`]), search that prefix once more with the model's merged states undone
//! ([`Model::unmerge`]) and without look-ahead, so that the report names real values and the
//! longest partial linearization is the natural one (the look-ahead refuses doomed steps early,
//! which is faster but stops the prefix sooner), and explain it ([`super::explain`]).
//!
//! Guarantees: the verdict is already known; the anomaly always describes a cut that a search
//! proved non-linearizable. The extra work is bounded by a deterministic budget ([`budget`]):
//! `explain_percent` of the verdict's own work on the partition (entries built plus
//! configurations explored), at least [`EXPLAIN_FLOOR`], at most `max_states`; also by the cache
//! bound and the deadline. What does not fit falls back to what is already known, and the
//! anomaly and the verdict's notes say the explanation was cut short.

use super::entries::Entries;
use super::explain::{self, Window};
use super::model::{Model, Prepared};
use super::search::{search, Limits, Outcome, SearchResult};
use super::window;
use super::LinOptions;
use crate::ops::Op;
use crate::value::Value;
use crate::verdict::Anomaly;
use std::time::Instant;

/// The smallest explanation budget, in work units: small histories always get a full
/// explanation (a few milliseconds at most).
pub const EXPLAIN_FLOOR: u64 = 5_000;

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

/// The anomaly of an invalid partition and what explaining it cost.
pub struct Report {
    /// The `nonlinearizable` anomaly.
    pub anomaly: Anomaly,
    /// Configurations the extra searches explored.
    pub states: u64,
    /// Work units the explanation spent.
    pub work: u64,
    /// Its budget.
    pub budget: u64,
    /// Whether the budget ran out (the window may be longer than the shortest, or the partial
    /// linearization the look-ahead search's).
    pub cut_short: bool,
}

/// The explanation budget for a verdict that cost `verdict_work` units: `percent` of it, at least
/// [`EXPLAIN_FLOOR`], at most `max_states`; `percent == 0` turns the explanation search off.
pub fn budget(verdict_work: u64, percent: u32, max_states: Option<u64>) -> u64 {
    if percent == 0 {
        return 0;
    }
    let share = verdict_work.saturating_mul(u64::from(percent)) / 100;
    share.max(EXPLAIN_FLOOR).min(max_states.unwrap_or(u64::MAX))
}

/// An entry list and the search that ran on it.
type Searched<M> = (
    Entries<<M as Model>::Input>,
    SearchResult<<M as Model>::State>,
);

/// A natural search (real values, no look-ahead) of the history cut at `cut`, if its list fits
/// in what is left of the budget; it explores at most what is left.
struct Natural<'a, M: Model> {
    model: &'a M,
    prepared: &'a [Prepared<M::Input>],
    limits: Limits<'a>,
    budget: u64,
    work: u64,
    states: u64,
    cut_short: bool,
}

impl<M: Model> Natural<'_, M> {
    fn search(&mut self, cut: Option<u64>, share: u64) -> Option<Searched<M>> {
        let size = self
            .prepared
            .iter()
            .filter(|p| cut.is_none_or(|c| p.call <= c))
            .count() as u64;
        let left = share.min(self.budget).saturating_sub(self.work);
        if size >= left {
            self.cut_short = true;
            return None;
        }
        self.work += size;
        let mut entries = Entries::build(self.model, self.prepared, cut);
        let room = left - size;
        let limits = Limits {
            max_states: Some(room),
            ..self.limits
        };
        let r = search(self.model, &mut entries, &limits);
        self.work += r.states;
        self.states += r.states;
        if r.outcome != Outcome::Violation && r.states >= room {
            self.cut_short = true;
        }
        Some((entries, r))
    }
}

/// The anomaly of an invalid partition, explained within the budget (see the module doc):
/// [`window::shrink`] finds the failing window, then a natural search of it gets what is left.
pub fn report<M: Model>(
    inv: Invalid<M>,
    key: Option<&Value>,
    ops: &[Op],
    opts: &LinOptions,
    deadline: Option<Instant>,
) -> Report {
    let never = || false;
    let verdict_work = inv.result.states + inv.entries.items.len() as u64;
    let budget = budget(verdict_work, opts.explain_percent, opts.max_states);
    let limits = Limits {
        max_states: opts.max_states,
        max_cache: opts.max_cache,
        deadline,
        cancelled: &never,
        look_ahead: true,
    };
    let mut model = inv.model.clone();
    let mut prepared = inv.prepared.clone();
    model.unmerge(&mut prepared);
    let mut nat = Natural {
        model: &model,
        prepared: &prepared,
        limits: Limits {
            look_ahead: false,
            ..limits
        },
        budget,
        work: 0,
        states: 0,
        cut_short: false,
    };
    // The look-ahead probes find the window; the natural search of it gets what is left.
    let w = window::shrink(
        &inv.model,
        &inv.prepared,
        inv.entries,
        inv.result,
        &limits,
        budget,
        None,
    );
    nat.work += w.work;
    nat.states += w.states;
    let again = match w.cut_short {
        true => None,
        false => nat.search(w.cut, budget),
    };
    let natural = !w.cut_short && (again.is_none() || nat.cut_short);
    let window = Window {
        cut: w.cut,
        exact: w.exact,
        cut_short: w.cut_short.then_some(budget),
        natural_cut_short: natural.then_some(budget),
    };
    let explained = match again {
        Some((e, r)) if r.outcome == Outcome::Violation => Ok((e, r)),
        _ => Err(w),
    };
    let anomaly = match explained {
        Ok((mut entries, r)) => {
            explain::anomaly(&model, key, ops, &prepared, &mut entries, &r, &window)
        }
        Err(mut w) => explain::anomaly(
            &inv.model,
            key,
            ops,
            &inv.prepared,
            &mut w.entries,
            &w.result,
            &window,
        ),
    };
    Report {
        anomaly,
        states: nat.states,
        work: nat.work,
        budget,
        cut_short: window.cut_short.is_some() || window.natural_cut_short.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_a_share_of_the_verdict_with_a_floor_and_a_cap() {
        assert_eq!(budget(1_000_000, 100, None), 1_000_000);
        assert_eq!(budget(1_000_000, 50, None), 500_000);
        assert_eq!(budget(10, 100, None), EXPLAIN_FLOOR);
        assert_eq!(budget(1_000_000, 100, Some(300)), 300);
        assert_eq!(budget(u64::MAX, 400, None), u64::MAX / 100);
        assert_eq!(budget(1_000_000, 0, None), 0);
    }
}
