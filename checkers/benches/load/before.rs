//! The JSON Lines loader as it was before issue 13's work, kept as the baseline measured in the
//! same run: the whole text decoded, each line read by serde_json into an `Event`, the events kept,
//! functions checked in a second pass and operations paired in a third (cloning every string,
//! pending invocations in a `BTreeMap`). Copied from `jsonl::parse_jsonl`, `ParsedHistory::
//! check_functions` and `ops::pair` at commit 55da284; errors are not reproduced (the benchmark
//! input has none). `Op::f` and `Op::node` are now shared [`Name`]s; the baseline makes a fresh
//! one per operation, one allocation and copy each, as the `String` clones it replaces did.

use quorumlab_checkers::ops::{Op, Outcome};
use quorumlab_checkers::{Event, EventType, Name, Process, Value};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct RawEvent {
    index: Option<u64>,
    #[serde(default)]
    time: Option<u64>,
    process: Process,
    #[serde(rename = "type")]
    kind: EventType,
    f: String,
    #[serde(default)]
    key: Option<Value>,
    #[serde(default)]
    value: Value,
    #[serde(default)]
    ts: Option<u64>,
    #[serde(default)]
    node: Option<String>,
    #[serde(default)]
    error: Option<serde_json::Value>,
}

/// Decode, parse, check functions and pair, as `load::history` did: the events (with their
/// lines) and the operations.
pub fn load(bytes: Vec<u8>, known: &[&str]) -> (Vec<Event>, Vec<usize>, Vec<Op>) {
    let text = String::from_utf8(bytes).expect("UTF-8");
    let lines = text.as_bytes().iter().filter(|&&b| b == b'\n').count() + 1;
    let mut events: Vec<Event> = Vec::with_capacity(lines);
    let mut line_of = Vec::with_capacity(lines);
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let r: RawEvent = serde_json::from_str(trimmed).expect("a valid line");
        let index = r.index.unwrap_or(events.len() as u64);
        assert!(events.last().is_none_or(|e| e.index < index));
        events.push(Event {
            index,
            time: r.time,
            process: r.process,
            kind: r.kind,
            f: r.f,
            key: r.key,
            value: r.value,
            ts: r.ts,
            node: r.node,
            error: r.error.map(|e| match e {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            }),
        });
        line_of.push(i + 1);
    }
    assert!(events
        .iter()
        .all(|e| !e.is_client() || known.contains(&e.f.as_str())));
    let ops = pair(&events);
    (events, line_of, ops)
}

fn pair(events: &[Event]) -> Vec<Op> {
    let mut ops: Vec<Op> = Vec::with_capacity(events.len() / 2 + 1);
    let mut pending: BTreeMap<u64, usize> = BTreeMap::new();
    for (pos, e) in events.iter().enumerate() {
        let Process::Client(p) = e.process else {
            continue;
        };
        match e.kind {
            EventType::Invoke => {
                pending.insert(p, ops.len());
                ops.push(Op {
                    process: p,
                    f: Name::from(e.f.as_str()),
                    key: e.key.clone(),
                    invoke_value: e.value.clone(),
                    value: e.value.clone(),
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
            }
            kind => {
                let op = pending
                    .remove(&p)
                    .and_then(|i| ops.get_mut(i))
                    .expect("a pending invocation");
                assert_eq!(op.f, e.f);
                op.complete_index = Some(e.index);
                op.complete_time = e.time;
                op.ts = e.ts;
                op.node = e.node.as_deref().map(Name::from);
                op.error = e.error.clone();
                match kind {
                    EventType::Ok => {
                        op.outcome = Outcome::Ok;
                        op.value = e.value.clone();
                        op.ret = Some(pos as u64);
                    }
                    EventType::Fail => {
                        op.outcome = Outcome::Fail;
                        op.ret = Some(pos as u64);
                    }
                    _ => op.outcome = Outcome::Info,
                }
            }
        }
    }
    ops
}
