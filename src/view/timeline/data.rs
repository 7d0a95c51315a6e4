//! The data a timeline page embeds: compact columnar JSON (one array per field, numbers only
//! where possible, strings interned, times divided by their greatest common divisor and
//! delta-encoded), so that the page's size grows linearly with the history and stays a few tens
//! of bytes per operation.
//!
//! Guarantees: a pure function of its input; deterministic (every table is in first-seen or
//! sorted order, no hash order reaches the output); the text contains no `<`, so it can sit inside
//! a `<script>` element as is. The field names are documented in `timeline.js`, which reads them.

use super::bands::{bands, NemesisEvent};
use super::json::{json_str, json_value, Obj, Strings};
use super::store_events::StoreEvent;
use super::Input;
use quorumlab_checkers::ops::{self, Op, Outcome};
use quorumlab_checkers::{Process, Value};
use std::collections::{BTreeMap, BTreeSet};

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The embedded JSON for `input`.
pub fn encode(input: &Input<'_>) -> String {
    let history = input.history;
    let (mut ops, note) = match ops::pair(history) {
        Ok(ops) => (ops, String::new()),
        Err(e) => (Vec::new(), format!("operations not shown: {e}")),
    };
    ops.sort_by_key(|o| o.call);
    let timed = !history.is_empty() && history.iter().all(|e| e.time.is_some());
    let times = history
        .iter()
        .filter_map(|e| e.time)
        .chain(input.store.iter().map(|e| e.time));
    let unit = if timed { times.fold(0, gcd).max(1) } else { 1 };
    let t = |ns: Option<u64>| ns.map_or(-1, |ns| (ns / unit) as i64);
    let mut strs = Strings::default();
    let keys: BTreeSet<&Value> = ops
        .iter()
        .filter_map(|o| o.key.as_ref())
        .chain(input.store.iter().filter_map(|e| e.key.as_ref()))
        .collect();
    let key_id: BTreeMap<&Value, i64> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (*k, i as i64))
        .collect();
    let kid = |k: Option<&Value>| k.and_then(|k| key_id.get(k).copied()).unwrap_or(-1);
    let procs: BTreeSet<u64> = ops.iter().map(|o| o.process).collect();
    let lane: BTreeMap<u64, i64> = procs
        .iter()
        .enumerate()
        .map(|(i, p)| (*p, i as i64))
        .collect();
    let mut op_of_index: BTreeMap<u64, i64> = BTreeMap::new();
    for (i, o) in ops.iter().enumerate() {
        op_of_index.insert(o.invoke_index, i as i64);
        if let Some(c) = o.complete_index {
            op_of_index.insert(c, i as i64);
        }
    }
    let op_id = |index: Option<u64>| {
        index
            .and_then(|i| op_of_index.get(&i).copied())
            .unwrap_or(-1)
    };

    let mut d = Obj::new();
    d.raw("v", "1");
    d.raw("title", &json_str(input.title));
    d.raw("note", &json_str(&note));
    d.raw("timed", if timed { "true" } else { "false" });
    d.raw("unit", &unit.to_string());
    d.raw("nev", &history.len().to_string());
    d.nums("procs", procs.iter().map(|&p| p as i64));
    d.jsons("keys", keys.iter().map(|k| json_str(&k.to_string())));
    let identity = history.iter().enumerate().all(|(i, e)| e.index == i as u64);
    if !identity {
        d.nums("idx", history.iter().map(|e| e.index as i64));
    }
    let pos_of_index: BTreeMap<u64, usize> = history
        .iter()
        .enumerate()
        .map(|(p, e)| (e.index, p))
        .collect();
    encode_ops(
        &mut d,
        &ops,
        &pos_of_index,
        &mut strs,
        &lane,
        &kid,
        &t,
        timed,
    );
    // Nemesis events (marks) and the bands they make.
    let nemesis: Vec<NemesisEvent> = history
        .iter()
        .enumerate()
        .filter(|(_, e)| e.process == Process::Nemesis)
        .map(|(pos, e)| NemesisEvent {
            pos: pos as u64,
            time: e.time,
            f: e.f.clone(),
            text: match &e.value {
                Value::Str(s) => s.clone(),
                Value::Null => e.f.clone(),
                other => format!("{} {}", e.f, other),
            },
        })
        .collect();
    d.nums("nc", nemesis.iter().map(|n| n.pos as i64));
    d.nums("nt", nemesis.iter().map(|n| t(n.time)));
    let texts: Vec<i64> = nemesis.iter().map(|n| strs.id(&n.text)).collect();
    d.nums("nx", texts);
    let bands = bands(&nemesis);
    let rows: Vec<String> = bands
        .iter()
        .map(|b| {
            format!(
                "[{},{},{},{},{},{}]",
                b.start,
                b.end.map_or(-1, |e| e as i64),
                t(b.start_time),
                t(b.end_time),
                strs.id(&b.label),
                strs.id(&b.family)
            )
        })
        .collect();
    d.jsons("bands", rows);
    // Anomalies, with their operations.
    let mut an = Vec::new();
    for v in input.results.map(|r| r.checkers.as_slice()).unwrap_or(&[]) {
        for a in &v.anomalies {
            let ids: BTreeSet<i64> = a
                .ops
                .iter()
                .map(|&i| op_id(Some(i)))
                .filter(|&i| i >= 0)
                .collect();
            let mut o = Obj::new();
            o.raw("c", &json_str(&v.checker));
            o.raw("k", &json_str(&a.kind));
            o.raw("key", &kid(a.key.as_ref()).to_string());
            o.raw("x", &json_str(&a.explanation));
            o.nums("o", ids);
            o.nums("e", a.ops.iter().map(|&i| i as i64));
            an.push(o.end());
        }
    }
    d.jsons("an", an);
    let verdict = input
        .results
        .map_or("null".to_string(), |r| json_str(&r.valid.to_string()));
    d.raw("verdict", &verdict);
    encode_store(&mut d, input.store, &mut strs, &kid, &op_id, &t);
    d.jsons("strs", strs.list.iter().map(|s| json_str(s)));
    d.end()
}

#[allow(clippy::too_many_arguments)]
fn encode_ops(
    d: &mut Obj,
    ops: &[Op],
    pos_of_index: &BTreeMap<u64, usize>,
    strs: &mut Strings,
    lane: &BTreeMap<u64, i64>,
    kid: &dyn Fn(Option<&Value>) -> i64,
    t: &dyn Fn(Option<u64>) -> i64,
    timed: bool,
) {
    d.nums(
        "p",
        ops.iter()
            .map(|o| lane.get(&o.process).copied().unwrap_or(0)),
    );
    let fs: Vec<i64> = ops.iter().map(|o| strs.id(&o.f)).collect();
    d.nums("f", fs);
    d.nums("k", ops.iter().map(|o| kid(o.key.as_ref())));
    d.nums(
        "o",
        ops.iter().map(|o| match o.outcome {
            Outcome::Ok => 0,
            Outcome::Fail => 1,
            Outcome::Info => 2,
        }),
    );
    d.deltas("c", ops.iter().map(|o| o.call as i64));
    // The completion's position (an `info` completion too: the bar ends there, and a faint tail
    // runs to the end of the history), -1 when the operation never completed.
    d.nums(
        "r",
        ops.iter().map(|o| {
            o.complete_index
                .and_then(|i| pos_of_index.get(&i))
                .map_or(-1, |&p| p as i64 - o.call as i64)
        }),
    );
    if timed {
        d.deltas("t0", ops.iter().map(|o| t(o.invoke_time)));
        d.nums(
            "t1",
            ops.iter().map(|o| match (o.invoke_time, o.complete_time) {
                (Some(a), Some(b)) => t(Some(b)) - t(Some(a)),
                _ => -1,
            }),
        );
    }
    d.jsons("val", ops.iter().map(|o| json_value(&o.value)));
    // Invocation arguments that differ from the result (reads invoke with null: left out).
    let args: Vec<(usize, &Op)> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| !o.invoke_value.is_null() && o.invoke_value != o.value)
        .collect();
    d.nums("ai", args.iter().map(|(i, _)| *i as i64));
    d.jsons("av", args.iter().map(|(_, o)| json_value(&o.invoke_value)));
    // Cell timestamps as differences from the previous operation's (`null`: none).
    let mut prev = 0i64;
    d.jsons(
        "ts",
        ops.iter().map(|o| match o.ts {
            Some(ts) => {
                let diff = ts as i64 - prev;
                prev = ts as i64;
                diff.to_string()
            }
            None => "null".to_string(),
        }),
    );
    let nodes: Vec<i64> = ops.iter().map(|o| strs.opt(o.node.as_deref())).collect();
    d.nums("n", nodes);
    // Errors, sparse: the operations that have one, and its string.
    let errors: Vec<(i64, i64)> = ops
        .iter()
        .enumerate()
        .filter_map(|(i, o)| o.error.as_deref().map(|e| (i as i64, strs.id(e))))
        .collect();
    d.nums("ei", errors.iter().map(|e| e.0));
    d.nums("es", errors.iter().map(|e| e.1));
}

/// Replica lanes (`rl`: key and node of each), node rows (`nl`), cell changes (`a*`) and marks
/// (`m*`; a mark's lane `l` ≥ 0 is a replica lane, `-1 - i` is node row `i`).
fn encode_store(
    d: &mut Obj,
    store: &[StoreEvent],
    strs: &mut Strings,
    kid: &dyn Fn(Option<&Value>) -> i64,
    op_id: &dyn Fn(Option<u64>) -> i64,
    t: &dyn Fn(Option<u64>) -> i64,
) {
    let mut events: Vec<&StoreEvent> = store.iter().collect();
    events.sort_by_key(|e| e.time);
    // Which replica a keyed event is about: the node that applied, or the target of a repair/hint.
    let target = |e: &StoreEvent| -> String {
        if e.kind == "apply" || e.kind == "purge" {
            e.node.clone()
        } else {
            e.peer.clone().unwrap_or_else(|| e.node.clone())
        }
    };
    let mut lanes: BTreeSet<(i64, String)> = BTreeSet::new();
    let mut node_rows: BTreeSet<String> = BTreeSet::new();
    for e in &events {
        match kid(e.key.as_ref()) {
            -1 => node_rows.insert(e.node.clone()),
            k => lanes.insert((k, target(e))),
        };
    }
    let lane_id: BTreeMap<&(i64, String), i64> = lanes
        .iter()
        .enumerate()
        .map(|(i, l)| (l, i as i64))
        .collect();
    let row_id: BTreeMap<&String, i64> = node_rows
        .iter()
        .enumerate()
        .map(|(i, n)| (n, i as i64))
        .collect();
    let rl: Vec<String> = lanes
        .iter()
        .map(|(k, n)| format!("[{},{}]", k, strs.id(n)))
        .collect();
    d.jsons("rl", rl);
    let nl: Vec<i64> = node_rows.iter().map(|n| strs.id(n)).collect();
    d.nums("nl", nl);
    let place = |e: &StoreEvent| -> i64 {
        match kid(e.key.as_ref()) {
            -1 => -1 - row_id.get(&e.node).copied().unwrap_or(0),
            k => lane_id.get(&(k, target(e))).copied().unwrap_or(0),
        }
    };
    let (applies, marks): (Vec<&StoreEvent>, Vec<&StoreEvent>) = events
        .into_iter()
        .partition(|e| (e.kind == "apply" || e.kind == "purge") && e.key.is_some());
    d.deltas("at", applies.iter().map(|e| t(Some(e.time))));
    d.nums("al", applies.iter().map(|e| place(e)));
    // Values of cells: JSON values; a purged cell (gone) is `false`, a tombstone `null`.
    d.jsons(
        "av2",
        applies.iter().map(|e| {
            e.cell
                .as_ref()
                .map_or("false".to_string(), |c| json_value(&c.value))
        }),
    );
    d.nums(
        "ats",
        applies
            .iter()
            .map(|e| e.cell.as_ref().map_or(-1, |c| c.ts as i64)),
    );
    let causes: Vec<i64> = applies
        .iter()
        .map(|e| strs.id(e.cause.as_deref().unwrap_or(&e.kind)))
        .collect();
    d.nums("ac", causes);
    d.nums("ao", applies.iter().map(|e| op_id(e.index)));
    d.deltas("mt", marks.iter().map(|e| t(Some(e.time))));
    d.nums("ml", marks.iter().map(|e| place(e)));
    let kinds: Vec<i64> = marks.iter().map(|e| strs.id(&e.kind)).collect();
    d.nums("mk", kinds);
    let from: Vec<i64> = marks.iter().map(|e| strs.id(&e.node)).collect();
    d.nums("mn", from);
    let peers: Vec<i64> = marks.iter().map(|e| strs.opt(e.peer.as_deref())).collect();
    d.nums("mp", peers);
    let details: Vec<i64> = marks
        .iter()
        .map(|e| {
            if e.detail.is_empty() {
                -1
            } else {
                strs.id(&e.detail)
            }
        })
        .collect();
    d.nums("md", details);
    d.nums("mo", marks.iter().map(|e| op_id(e.index)));
}
