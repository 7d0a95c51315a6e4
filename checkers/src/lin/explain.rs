//! The violation report: which operation cannot be linearized, after which partial
//! linearization, and why (the shape of Knossos's and Porcupine's reports).
//!
//! Guarantees: the anomaly names (a) the operation whose completion the search could not get past
//! on its longest partial linearization, (b) the last few operations of that partial
//! linearization and the operations concurrent with the failing one, by history index (the
//! invocation's), in history order; its sentence states the model's state after the partial
//! linearization and the model's reason, with times from [`crate::fmt_time`].

use super::entries::{Entries, NONE};
use super::model::{Model, Prepared};
use super::search::SearchResult;
use crate::ops::Op;
use crate::value::Value;
use crate::verdict::Anomaly;

/// How many operations of the partial linearization and of the concurrent set to name.
const SHOWN: usize = 10;

/// The failing operation found by replaying the longest partial linearization.
pub struct Failure {
    /// Its operation id in the entry list.
    pub op: u32,
    /// Ids of the operations that could still have been linearized before its completion.
    pub concurrent: Vec<u32>,
}

/// Replay `best` on the list and find the first return entry after it.
pub fn failure<I>(entries: &mut Entries<I>, best: &[u32]) -> Option<Failure> {
    for &op in best {
        let call = entries.items[op as usize].call_node;
        entries.lift(call);
    }
    let mut concurrent = Vec::new();
    let mut found = None;
    let mut n = entries.first();
    while n != NONE {
        let node = entries.nodes[n as usize];
        if !node.is_call {
            found = Some(node.op);
            break;
        }
        concurrent.push(node.op);
        n = node.next;
    }
    for &op in best.iter().rev() {
        let call = entries.items[op as usize].call_node;
        entries.unlift(call);
    }
    let op = found?;
    concurrent.retain(|&c| c != op);
    Some(Failure { op, concurrent })
}

/// What is known of the failing window ([`super::window`]).
pub struct Window {
    /// The failing cut, or `None` for the whole history.
    pub cut: Option<u64>,
    /// Whether it is proved the shortest.
    pub exact: bool,
    /// `Some(budget)` when the explanation's work budget ran out before the window was proved
    /// the shortest.
    pub cut_short: Option<u64>,
    /// `Some(budget)` when the natural search (no look-ahead) of the window did not fit in the
    /// budget, so the partial linearization shown is the look-ahead search's.
    pub natural_cut_short: Option<u64>,
}

/// Build the `nonlinearizable` anomaly for one partition.
pub fn anomaly<M: Model>(
    model: &M,
    key: Option<&Value>,
    ops: &[Op],
    prepared: &[Prepared<M::Input>],
    entries: &mut Entries<M::Input>,
    result: &SearchResult<M::State>,
    window: &Window,
) -> Anomaly {
    let cut = window.cut;
    let Some(fail) = failure(entries, &result.best) else {
        return Anomaly {
            kind: "nonlinearizable".into(),
            key: key.cloned(),
            ops: Vec::new(),
            explanation: format!(
                "the history{} cannot be linearized",
                key.map(|k| format!(" of key {k}")).unwrap_or_default()
            ),
        };
    };
    let entries = &*entries;
    let op_of = |id: u32| -> &Op { &ops[prepared[entries.items[id as usize].prepared].op] };
    let short = |id: u32| -> String {
        let o = op_of(id);
        format!(
            "{} (#{})",
            model.describe_input(&entries.items[id as usize].input),
            o.invoke_index
        )
    };
    let key_text = key.map(|k| format!(" of key {k}")).unwrap_or_default();
    let x = op_of(fail.op);
    let input = &entries.items[fail.op as usize].input;
    let when = match (x.invoke_time, x.complete_time) {
        (Some(a), Some(b)) => format!(
            ", invoked at {}, completed at {}",
            crate::fmt_time(a),
            crate::fmt_time(b)
        ),
        _ => String::new(),
    };
    let tail_start = result.best.len().saturating_sub(SHOWN);
    let mut tail: Vec<String> = result.best[tail_start..]
        .iter()
        .map(|&id| short(id))
        .collect();
    if tail_start > 0 {
        tail.insert(0, "…".into());
    }
    let prefix = if result.best.is_empty() {
        "from the initial state".to_string()
    } else {
        format!(
            "after the longest valid partial linearization ({} operation{}: [{}])",
            result.best.len(),
            if result.best.len() == 1 { "" } else { "s" },
            tail.join(", ")
        )
    };
    let why = if model.step(&result.best_state, input).is_none() {
        model.reason(&result.best_state, input)
    } else {
        format!(
            "where {}, it could be applied, but every order of what follows leads to a dead end",
            model.describe_state(&result.best_state)
        )
    };
    let conc = if fail.concurrent.is_empty() {
        String::new()
    } else {
        let shown: Vec<String> = fail
            .concurrent
            .iter()
            .take(SHOWN)
            .map(|&id| short(id))
            .collect();
        let more = fail.concurrent.len().saturating_sub(SHOWN);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        format!(
            "; no order of it and the {} operation{} concurrent with it ([{}]{more}) works",
            fail.concurrent.len(),
            if fail.concurrent.len() == 1 { "" } else { "s" },
            shown.join(", ")
        )
    };
    let mut indices: Vec<u64> = std::iter::once(fail.op)
        .chain(result.best[tail_start..].iter().copied())
        .chain(fail.concurrent.iter().take(SHOWN).copied())
        .map(|id| op_of(id).invoke_index)
        .collect();
    indices.sort_unstable();
    indices.dedup();
    let first = indices.first().copied().unwrap_or(x.invoke_index);
    let last = cut
        .and_then(|c| prepared.iter().find(|p| p.ret == Some(c)))
        .and_then(|p| ops[p.op].complete_index)
        .or(x.complete_index)
        .unwrap_or(x.invoke_index);
    let window_note = match (window.exact, window.cut_short) {
        (true, _) => format!(
            "Failing window: events #{first}..#{last}; the history up to #{last} is already not \
             linearizable, and no shorter prefix is"
        ),
        (false, Some(_)) => format!(
            "Failing window: events #{first}..#{last}; the history up to #{last} is already not \
             linearizable (a shorter prefix may be too: the explanation's work budget ran out)"
        ),
        (false, None) => format!(
            "Failing window: events #{first}..#{last}; the history up to #{last} is already not \
             linearizable (a shorter prefix may be too: a search limit was reached)"
        ),
    };
    let window_note = match (window.cut_short, window.natural_cut_short) {
        (Some(budget), _) => format!(
            "{window_note}. Explanation cut short after {budget} work units (its budget, in \
             proportion to the verdict's work)"
        ),
        (None, Some(budget)) => format!(
            "{window_note}. Explanation cut short after {budget} work units (its budget, in \
             proportion to the verdict's work): the partial linearization is the look-ahead \
             search's"
        ),
        (None, None) => window_note,
    };
    Anomaly {
        kind: "nonlinearizable".into(),
        key: key.cloned(),
        explanation: format!(
            "{}{key_text} by process {} ({}{when}) cannot be linearized: {prefix}, {why}{conc}. {window_note}.",
            model.describe_input(input),
            x.process,
            x.label(),
        ),
        ops: indices,
    }
}
