//! Operations: invocations paired with their completions, under Jepsen's rules.
//!
//! - a completion belongs to the latest pending invocation of the same process;
//! - `ok` took effect, `fail` certainly did not, `info` (or no completion at all) is indeterminate:
//!   the operation stays open until the end of the history;
//! - nemesis events are not operations;
//! - a process that invokes again while an invocation is still pending abandons the earlier one,
//!   which is then treated as `info` (open forever).
//!
//! Real time is the order of the history (Jepsen's and Knossos's semantics): each operation gets
//! real-time ranks `call` and `ret`, the positions of its invocation and completion among the
//! events as given (file order). Operation `a` precedes `b` in real time iff `a.ret < b.call`,
//! i.e. `a`'s completion is listed before `b`'s invocation. `time` is an annotation, read on
//! different threads, that may go backwards: it is kept for display and latency only and never
//! decides an order.

use crate::checks::index::FastMap;
use crate::error::quoted;
use crate::history::{Event, EventType, Process};
use crate::name::{Name, Names};
use crate::value::Value;
use std::borrow::Cow;

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
    /// The function (`read`, `write`, `cas`…), shared with the history's other operations.
    pub f: Name,
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
    /// Real-time rank of the invocation: its event's position in the history.
    pub call: u64,
    /// Real-time rank of the completion (its event's position); `None` for indeterminate
    /// operations (open until the end).
    pub ret: Option<u64>,
    /// Simulated time of the invocation, when known.
    pub invoke_time: Option<u64>,
    /// Simulated time of the completion, when known.
    pub complete_time: Option<u64>,
    /// Cell timestamp reported by the store on completion.
    pub ts: Option<u64>,
    /// The coordinator that served it, shared with the history's other operations.
    pub node: Option<Name>,
    /// The error given with a `fail` or `info`.
    pub error: Option<String>,
}

impl Op {
    /// How an explanation names the operation: `#105`, or `#105 via n3` when the history says which
    /// node served it (so the anomaly leads straight to the node's events).
    pub fn label(&self) -> String {
        match &self.node {
            Some(n) => format!("#{} via {}", self.invoke_index, n),
            None => format!("#{}", self.invoke_index),
        }
    }

    /// Whether this operation completes before `other` begins, in real time.
    pub fn precedes(&self, other: &Op) -> bool {
        self.ret.is_some_and(|r| r < other.call)
    }
}

/// A completion that does not complete a pending invocation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PairError {
    /// No invocation of the process is pending.
    #[error("{kind} event #{index} of process {process} has no pending invocation")]
    Orphan {
        /// Position of the offending event in the event slice.
        position: usize,
        /// Its type.
        kind: EventType,
        /// Its history index.
        index: u64,
        /// Its process.
        process: u64,
    },
    /// The pending invocation is of another function.
    #[error("{kind} event #{index} of process {process} is for {f} but the pending invocation #{invoked} is {pending}")]
    OtherFunction {
        /// Position of the offending event in the event slice.
        position: usize,
        /// Its type.
        kind: EventType,
        /// Its history index.
        index: u64,
        /// Its process.
        process: u64,
        /// Its function, quoted and cut.
        f: String,
        /// The pending invocation's history index.
        invoked: u64,
        /// The pending invocation's function, quoted and cut.
        pending: String,
    },
}

impl PairError {
    /// Position of the offending event in the event slice.
    pub fn position(&self) -> usize {
        match self {
            PairError::Orphan { position, .. } | PairError::OtherFunction { position, .. } => {
                *position
            }
        }
    }
}

/// Pair the client events of a history into operations, in invocation order. Real-time ranks are
/// the events' positions in `events` (see the module doc).
pub fn pair(events: &[Event]) -> Result<Vec<Op>, PairError> {
    let mut pairs = Pairing::with_capacity(events.len() / 2 + 1);
    for (pos, e) in events.iter().enumerate() {
        pairs.event(pos, &mut EventRef::of(e))?;
    }
    Ok(pairs.finish())
}

/// An event as pairing reads it: its strings borrowed (from an [`Event`], or from the line a
/// reader is parsing), its values borrowed or owned — so nothing is copied that the operation
/// does not keep.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct EventRef<'a> {
    pub index: u64,
    pub time: Option<u64>,
    pub process: Process,
    pub kind: EventType,
    pub f: &'a str,
    pub key: Option<Cow<'a, Value>>,
    pub value: Cow<'a, Value>,
    pub ts: Option<u64>,
    pub node: Option<&'a str>,
    pub error: Option<&'a str>,
}

impl<'a> EventRef<'a> {
    /// An empty event for a reader to fill: the nemesis's `info` of `""`, every field absent.
    pub(crate) fn new() -> EventRef<'a> {
        EventRef {
            index: 0,
            time: None,
            process: Process::Nemesis,
            kind: EventType::Info,
            f: "",
            key: None,
            value: Cow::Owned(Value::Null),
            ts: None,
            node: None,
            error: None,
        }
    }

    /// A view of `e`.
    pub(crate) fn of(e: &'a Event) -> EventRef<'a> {
        EventRef {
            index: e.index,
            time: e.time,
            process: e.process,
            kind: e.kind,
            f: &e.f,
            key: e.key.as_ref().map(Cow::Borrowed),
            value: Cow::Borrowed(&e.value),
            ts: e.ts,
            node: e.node.as_deref(),
            error: e.error.as_deref(),
        }
    }

    /// The event, owning copies of its strings.
    pub(crate) fn to_event(&self) -> Event {
        Event {
            index: self.index,
            time: self.time,
            process: self.process,
            kind: self.kind,
            f: self.f.to_owned(),
            key: self.key.as_deref().cloned(),
            value: self.value.as_ref().clone(),
            ts: self.ts,
            node: self.node.map(str::to_owned),
            error: self.error.map(str::to_owned),
        }
    }
}

/// The value out of `v`, leaving `null`.
fn take(v: &mut Cow<'_, Value>) -> Value {
    std::mem::replace(v, Cow::Owned(Value::Null)).into_owned()
}

/// [`pair`] one event at a time, for readers that pair while they parse.
pub(crate) struct Pairing {
    ops: Vec<Op>,
    /// Process → its pending invocation (a position in `ops`); lookups only, no order.
    pending: FastMap<u64, usize>,
    /// The functions and nodes seen, shared by the operations.
    names: Names,
}

impl Pairing {
    pub(crate) fn with_capacity(n: usize) -> Pairing {
        Pairing {
            ops: Vec::with_capacity(n),
            pending: FastMap::default(),
            names: Names::default(),
        }
    }

    /// Take the event at position `pos` of the history (its values move into the operation).
    pub(crate) fn event(&mut self, pos: usize, e: &mut EventRef<'_>) -> Result<(), PairError> {
        let Process::Client(p) = e.process else {
            return Ok(());
        };
        let kind = e.kind;
        if kind == EventType::Invoke {
            // An abandoned earlier invocation stays open forever (treated as info).
            self.pending.insert(p, self.ops.len());
            let value = take(&mut e.value);
            self.ops.push(Op {
                process: p,
                f: self.names.get(e.f),
                key: e.key.take().map(Cow::into_owned),
                invoke_value: value.clone(),
                value,
                outcome: Outcome::Info,
                invoke_index: e.index,
                complete_index: None,
                call: pos as u64,
                ret: None,
                invoke_time: e.time,
                complete_time: None,
                ts: None,
                node: None,
                error: None,
            });
            return Ok(());
        }
        let Some(op) = self.pending.remove(&p).and_then(|i| self.ops.get_mut(i)) else {
            return Err(PairError::Orphan {
                position: pos,
                kind,
                index: e.index,
                process: p,
            });
        };
        if op.f != e.f {
            return Err(PairError::OtherFunction {
                position: pos,
                kind,
                index: e.index,
                process: p,
                f: quoted(e.f),
                invoked: op.invoke_index,
                pending: quoted(&op.f),
            });
        }
        op.complete_index = Some(e.index);
        op.complete_time = e.time;
        op.ts = e.ts;
        op.node = e.node.map(|n| self.names.get(n));
        op.error = e.error.map(str::to_owned);
        match kind {
            EventType::Ok => {
                op.outcome = Outcome::Ok;
                op.value = take(&mut e.value);
                op.ret = Some(pos as u64);
            }
            EventType::Fail => {
                op.outcome = Outcome::Fail;
                op.ret = Some(pos as u64);
            }
            _ => op.outcome = Outcome::Info,
        }
        Ok(())
    }

    /// The operations, in invocation order.
    pub(crate) fn finish(self) -> Vec<Op> {
        self.ops
    }
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
    fn a_label_names_the_node_that_served_the_operation() {
        use EventType::*;
        let mut done = ev(1, 20, 0, Ok, "read", Value::Int(1));
        done.node = Some("n3".into());
        let ops = pair(&[ev(0, 10, 0, Invoke, "read", Value::Null), done]).unwrap();
        assert_eq!(ops[0].label(), "#0 via n3");
        let ops = pair(&[
            ev(0, 10, 0, Invoke, "read", Value::Null),
            ev(1, 20, 0, Ok, "read", Value::Int(1)),
        ])
        .unwrap();
        assert_eq!(ops[0].label(), "#0");
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
    fn real_time_is_file_order_not_time() {
        use EventType::*;
        // Listed: write invoked, read invoked, write ok, read ok — they overlap, although the
        // write's `time` says it completed (t=11) before the read was invoked (t=50).
        let h = vec![
            ev(0, 10, 0, Invoke, "write", Value::Int(1)),
            ev(1, 50, 1, Invoke, "read", Value::Null),
            ev(2, 11, 0, Ok, "write", Value::Int(1)),
            ev(3, 60, 1, Ok, "read", Value::Null),
        ];
        let ops = pair(&h).unwrap();
        assert!(!ops[0].precedes(&ops[1]));
        assert_eq!((ops[0].call, ops[0].ret), (0, Some(2)));
        // A completion whose time is before its invocation's still completes after it.
        let h2 = vec![
            ev(0, 100, 0, Invoke, "write", Value::Int(1)),
            ev(1, 5, 0, Ok, "write", Value::Int(1)),
            ev(2, 1, 1, Invoke, "read", Value::Null),
            ev(3, 2, 1, Ok, "read", Value::Int(1)),
        ];
        let ops = pair(&h2).unwrap();
        assert!(ops[0].precedes(&ops[1]));
        assert!(ops.iter().all(|o| o.ret.is_some_and(|r| r > o.call)));
    }

    #[test]
    fn orphan_completion_is_an_error() {
        let h = vec![ev(0, 1, 3, EventType::Ok, "read", Value::Null)];
        let err = pair(&h).unwrap_err();
        assert_eq!(err.position(), 0);
        assert!(err.to_string().contains("no pending invocation"));
    }
}
