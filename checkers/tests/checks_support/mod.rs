//! A small builder of register histories for the linear checkers' tests: operations are given
//! with their invocation and completion times (in ms, to read like the explanations), and the
//! builder emits the events in time order with indices, as the recorder would (the order of the
//! events, not their times, is what the checkers take for real time).
#![allow(dead_code)]

use quorumlab_checkers::final_state::{FinalState, Placement, Quiesce, ReplicaCell};
use quorumlab_checkers::ops::{pair, Op};
use quorumlab_checkers::{Event, EventType, Process, Value};

/// How an operation ends.
#[derive(Clone, Copy)]
pub enum End {
    /// `ok` at this time (ms).
    Ok(u64),
    /// `fail` at this time.
    Fail(u64),
    /// `info` at this time.
    Info(u64),
    /// Never completes.
    Open,
}

#[derive(Default)]
pub struct Hist {
    events: Vec<(u64, u8, usize, Event)>,
}

fn event(p: u64, kind: EventType, f: &str, key: i64, value: Value, ts: Option<u64>) -> Event {
    Event {
        index: 0,
        time: None,
        process: Process::Client(p),
        kind,
        f: f.to_string(),
        key: Some(Value::Int(key)),
        value,
        ts,
        node: None,
        error: None,
    }
}

impl Hist {
    pub fn new() -> Hist {
        Hist::default()
    }

    fn push(&mut self, at_ms: u64, e: Event) {
        let order = u8::from(e.kind != EventType::Invoke);
        let n = self.events.len();
        self.events.push((at_ms, order, n, e));
    }

    /// Any operation: invoke with `arg` at `start`, complete per `end` with `result`.
    #[allow(clippy::too_many_arguments)]
    pub fn op(
        &mut self,
        p: u64,
        f: &str,
        key: i64,
        arg: Value,
        start: u64,
        end: End,
        result: Value,
        ts: Option<u64>,
    ) -> &mut Self {
        self.push(start, event(p, EventType::Invoke, f, key, arg, None));
        let (kind, at) = match end {
            End::Ok(t) => (EventType::Ok, t),
            End::Fail(t) => (EventType::Fail, t),
            End::Info(t) => (EventType::Info, t),
            End::Open => return self,
        };
        self.push(at, event(p, kind, f, key, result, ts));
        self
    }

    /// An acknowledged write of `v` to `key` over [start, end] ms.
    pub fn write(&mut self, p: u64, key: i64, v: i64, start: u64, end: u64) -> &mut Self {
        self.op(
            p,
            "write",
            key,
            Value::Int(v),
            start,
            End::Ok(end),
            Value::Int(v),
            None,
        )
    }

    /// An acknowledged write with the store's ts.
    pub fn write_ts(
        &mut self,
        p: u64,
        key: i64,
        v: i64,
        start: u64,
        end: u64,
        ts: u64,
    ) -> &mut Self {
        self.op(
            p,
            "write",
            key,
            Value::Int(v),
            start,
            End::Ok(end),
            Value::Int(v),
            Some(ts),
        )
    }

    /// A write with any ending.
    pub fn write_end(&mut self, p: u64, key: i64, v: i64, start: u64, end: End) -> &mut Self {
        self.op(
            p,
            "write",
            key,
            Value::Int(v),
            start,
            end,
            Value::Int(v),
            None,
        )
    }

    /// An ok read of `key` returning `v` (None = null).
    pub fn read(&mut self, p: u64, key: i64, v: Option<i64>, start: u64, end: u64) -> &mut Self {
        self.op(
            p,
            "read",
            key,
            Value::Null,
            start,
            End::Ok(end),
            Value::from(v),
            None,
        )
    }

    /// An acknowledged delete of `key` over [start, end] ms, with its tombstone's ts.
    pub fn delete(&mut self, p: u64, key: i64, start: u64, end: u64, ts: u64) -> &mut Self {
        self.op(
            p,
            "delete",
            key,
            Value::Null,
            start,
            End::Ok(end),
            Value::Null,
            Some(ts),
        )
    }

    /// A delete with any ending (no ts).
    pub fn delete_end(&mut self, p: u64, key: i64, start: u64, end: End) -> &mut Self {
        self.op(p, "delete", key, Value::Null, start, end, Value::Null, None)
    }

    /// An ok read that found a tombstone: `null` with the tombstone's ts.
    pub fn read_tombstone(&mut self, p: u64, key: i64, ts: u64, start: u64, end: u64) -> &mut Self {
        self.op(
            p,
            "read",
            key,
            Value::Null,
            start,
            End::Ok(end),
            Value::Null,
            Some(ts),
        )
    }

    /// An ok read carrying the returned cell's ts.
    pub fn read_ts(
        &mut self,
        p: u64,
        key: i64,
        v: i64,
        ts: u64,
        start: u64,
        end: u64,
    ) -> &mut Self {
        self.op(
            p,
            "read",
            key,
            Value::Null,
            start,
            End::Ok(end),
            Value::Int(v),
            Some(ts),
        )
    }

    /// The events in time order (insertion order at equal times), indexed from 0. The order of
    /// the events is the history's real-time order; times are annotations.
    pub fn events(&self) -> Vec<Event> {
        let mut evs = self.events.clone();
        evs.sort_by_key(|(t, _, n, _)| (*t, *n));
        evs.into_iter()
            .enumerate()
            .map(|(i, (t, _, _, mut e))| {
                e.index = i as u64;
                e.time = Some(t * 1_000_000);
                e
            })
            .collect()
    }

    /// The paired operations.
    pub fn ops(&self) -> Vec<Op> {
        pair(&self.events()).expect("test history pairs")
    }
}

/// A final state with the given replicas per key and cells `(node, key, value, ts)`.
pub fn final_state(placement: &[(i64, &[&str])], cells: &[(&str, i64, i64, u64)]) -> FinalState {
    let mut nodes: Vec<String> = placement
        .iter()
        .flat_map(|(_, r)| r.iter().map(|n| n.to_string()))
        .collect();
    nodes.sort();
    nodes.dedup();
    let mut cells: Vec<ReplicaCell> = cells
        .iter()
        .map(|&(node, key, value, ts)| ReplicaCell {
            node: node.to_string(),
            key,
            value: Some(value),
            ts,
        })
        .collect();
    cells.sort();
    FinalState {
        nodes,
        unavailable: Vec::new(),
        placement: placement
            .iter()
            .map(|(k, r)| Placement {
                key: *k,
                replicas: r.iter().map(|n| n.to_string()).collect(),
            })
            .collect(),
        cells,
        quiesce: Some(Quiesce {
            converged: true,
            duration_ns: 1,
        }),
        reached: None,
    }
}

/// `fs` with `node` holding a tombstone of `key` at `ts` (replacing what it held).
pub fn with_tombstone(mut fs: FinalState, node: &str, key: i64, ts: u64) -> FinalState {
    fs.cells.retain(|c| !(c.node == node && c.key == key));
    fs.cells.push(ReplicaCell {
        node: node.to_string(),
        key,
        value: None,
        ts,
    });
    fs.cells.sort();
    fs
}
