//! Operations: invocations paired with their completions, under Jepsen's rules.
//!
//! - a completion belongs to the latest pending invocation of the same process;
//! - `ok` took effect, `fail` certainly did not, `info` (or no completion at all) is indeterminate:
//!   the operation stays open until the end of the history;
//! - nemesis events are not operations;
//! - a process that invokes again while an invocation is still pending abandons the earlier one,
//!   which is then treated as `info` (open forever).
//!
//! Each operation also gets real-time ranks `call` and `ret`: the positions of its invocation and
//! completion in the history sorted by time, where events at equal times are ordered calls before
//! returns (closed intervals). Operation `a` precedes `b` in real time iff `a.ret < b.call`.
//! When any client event lacks a time, the history order alone is used.

use crate::history::{Event, EventType, Process};
use crate::value::Value;
use std::collections::BTreeMap;

/// How an operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Completed with effect.
    Ok,
    /// Completed without effect.
    Fail,
    /// Indeterminate (`info` or never completed).
    Info,
}

/// One client operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Op {
    /// The client process.
    pub process: u64,
    /// The function (`read`, `write`, `cas`…).
    pub f: String,
    /// The key, for keyed operations.
    pub key: Option<Value>,
    /// The invocation's value (the argument).
    pub invoke_value: Value,
    /// The completion's value for `ok` operations, the invocation's value otherwise.
    pub value: Value,
    /// How it ended.
    pub outcome: Outcome,
    /// History index of the invocation.
    pub invoke_index: u64,
    /// History index of the completion (`None` when it never completed).
    pub complete_index: Option<u64>,
    /// Real-time rank of the invocation.
    pub call: u64,
    /// Real-time rank of the completion; `None` for indeterminate operations (open until the end).
    pub ret: Option<u64>,
    /// Simulated time of the invocation, when known.
    pub invoke_time: Option<u64>,
    /// Simulated time of the completion, when known.
    pub complete_time: Option<u64>,
    /// Cell timestamp reported by the store on completion.
    pub ts: Option<u64>,
    /// The coordinator that served it.
    pub node: Option<String>,
    /// The error given with a `fail` or `info`.
    pub error: Option<String>,
}

impl Op {
    /// Whether this operation completes before `other` begins, in real time.
    pub fn precedes(&self, other: &Op) -> bool {
        self.ret.is_some_and(|r| r < other.call)
    }
}

/// A completion without a matching invocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairError {
    /// Position of the offending event in the event slice.
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

/// Pair the client events of a history into operations, in invocation order.
pub fn pair(events: &[Event]) -> Result<Vec<Op>, PairError> {
    let ranks = real_time_ranks(events);
    let mut ops: Vec<Op> = Vec::new();
    let mut pending: BTreeMap<u64, usize> = BTreeMap::new();
    for (pos, e) in events.iter().enumerate() {
        let Process::Client(p) = e.process else {
            continue;
        };
        match e.kind {
            EventType::Invoke => {
                // An abandoned earlier invocation stays open forever (treated as info).
                pending.insert(p, ops.len());
                ops.push(Op {
                    process: p,
                    f: e.f.clone(),
                    key: e.key.clone(),
                    invoke_value: e.value.clone(),
                    value: e.value.clone(),
                    outcome: Outcome::Info,
                    invoke_index: e.index,
                    complete_index: None,
                    call: ranks[pos],
                    ret: None,
                    invoke_time: e.time,
                    complete_time: None,
                    ts: None,
                    node: None,
                    error: None,
                });
            }
            kind => {
                let Some(i) = pending.remove(&p) else {
                    return Err(PairError {
                        position: pos,
                        message: format!(
                            "{kind} event #{} of process {p} has no pending invocation",
                            e.index
                        ),
                    });
                };
                let op = &mut ops[i];
                if op.f != e.f {
                    return Err(PairError {
                        position: pos,
                        message: format!(
                            "{kind} event #{} of process {p} is for {:?} but the pending invocation #{} is {:?}",
                            e.index, e.f, op.invoke_index, op.f
                        ),
                    });
                }
                op.complete_index = Some(e.index);
                op.complete_time = e.time;
                op.ts = e.ts;
                op.node = e.node.clone();
                op.error = e.error.clone();
                match kind {
                    EventType::Ok => {
                        op.outcome = Outcome::Ok;
                        op.value = e.value.clone();
                        op.ret = Some(ranks[pos]);
                    }
                    EventType::Fail => {
                        op.outcome = Outcome::Fail;
                        op.ret = Some(ranks[pos]);
                    }
                    _ => op.outcome = Outcome::Info,
                }
            }
        }
    }
    Ok(ops)
}

/// Rank of every event in real-time order (nemesis events get a rank too but are never used).
fn real_time_ranks(events: &[Event]) -> Vec<u64> {
    let timed = events
        .iter()
        .filter(|e| e.is_client())
        .all(|e| e.time.is_some());
    let mut order: Vec<usize> = (0..events.len()).collect();
    if timed {
        // Stable sort: at equal times invocations first, then history order.
        order.sort_by_key(|&i| {
            let e = &events[i];
            (e.time.unwrap_or(0), u8::from(e.kind != EventType::Invoke))
        });
    }
    let mut ranks = vec![0u64; events.len()];
    for (rank, &i) in order.iter().enumerate() {
        ranks[i] = rank as u64;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(index: u64, time: u64, p: u64, kind: EventType, f: &str, v: Value) -> Event {
        Event {
            index,
            time: Some(time),
            process: Process::Client(p),
            kind,
            f: f.into(),
            key: Some(Value::Int(1)),
            value: v,
            ts: None,
            node: None,
            error: None,
        }
    }

    #[test]
    fn pairs_by_process_and_keeps_info_open() {
        use EventType::*;
        let h = vec![
            ev(0, 10, 0, Invoke, "write", Value::Int(1)),
            ev(1, 11, 1, Invoke, "read", Value::Null),
            ev(2, 20, 0, Info, "write", Value::Int(1)),
            ev(3, 30, 1, Ok, "read", Value::Int(1)),
        ];
        let ops = pair(&h).unwrap();
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[0].outcome, Outcome::Info);
        assert_eq!(ops[0].ret, None);
        assert_eq!(ops[1].outcome, Outcome::Ok);
        assert_eq!(ops[1].value, Value::Int(1));
        assert_eq!(ops[1].invoke_value, Value::Null);
    }

    #[test]
    fn equal_times_are_closed_intervals() {
        use EventType::*;
        // The write completes at t=20 and the read is invoked at t=20: they overlap.
        let h = vec![
            ev(0, 10, 0, Invoke, "write", Value::Int(1)),
            ev(1, 20, 0, Ok, "write", Value::Int(1)),
            ev(2, 20, 1, Invoke, "read", Value::Null),
            ev(3, 30, 1, Ok, "read", Value::Null),
        ];
        let ops = pair(&h).unwrap();
        assert!(!ops[0].precedes(&ops[1]));
        let h2 = vec![
            ev(0, 10, 0, Invoke, "write", Value::Int(1)),
            ev(1, 20, 0, Ok, "write", Value::Int(1)),
            ev(2, 21, 1, Invoke, "read", Value::Null),
            ev(3, 30, 1, Ok, "read", Value::Null),
        ];
        let ops = pair(&h2).unwrap();
        assert!(ops[0].precedes(&ops[1]));
    }

    #[test]
    fn orphan_completion_is_an_error() {
        let h = vec![ev(0, 1, 3, EventType::Ok, "read", Value::Null)];
        let err = pair(&h).unwrap_err();
        assert_eq!(err.position, 0);
        assert!(err.message.contains("no pending invocation"));
    }
}
