//! The baseline: a faithful Rust port of Porcupine's `checkSingle` (anishathalye/porcupine,
//! checker.go) for the register model, used only to put our figures in proportion.
//!
//! As in Porcupine: states are dynamic values (`Value`, Porcupine's `interface{}`); the cache is a
//! map from the bitset's hash (popcount XOR words, recomputed over the whole set) to a list of
//! (cloned bitset, state) entries; every cache probe clones the whole bitset; partitions are
//! checked one after another (Porcupine runs them on goroutines — compare with our threads=1
//! figure for the algorithm, and with our default for the whole checker). Histories must have
//! no `info` operations (Porcupine gives them a return at the end, which we do not).

use quorumlab_checkers::ops::{Op, Outcome};
use quorumlab_checkers::Value;
use std::collections::{BTreeMap, HashMap};

#[derive(Clone)]
enum Input {
    Read(Value),
    Write(Value),
}

struct Node {
    input: Option<Input>,
    matched: Option<usize>, // for a call: its return node
    id: usize,
    next: Option<usize>,
    prev: Option<usize>,
}

fn step(state: &Value, input: &Input) -> Option<Value> {
    match input {
        Input::Read(v) => (v == state).then(|| state.clone()),
        Input::Write(v) => Some(v.clone()),
    }
}

fn bitset_hash(b: &[u64]) -> u64 {
    let mut h: u64 = b.iter().map(|w| u64::from(w.count_ones())).sum();
    for w in b {
        h ^= w;
    }
    h
}

fn check_single(ops: &[&Op]) -> bool {
    // makeEntries + makeLinkedEntries: calls and returns sorted by real-time rank (ops::pair's
    // positions in the history; Porcupine sorts by its own timestamps).
    let mut events: Vec<(u64, bool, usize)> = Vec::new();
    for (id, op) in ops.iter().enumerate() {
        events.push((op.call, false, id));
        events.push((op.ret.unwrap_or(u64::MAX), true, id));
    }
    events.sort();
    let n = ops.len();
    let mut nodes: Vec<Node> = vec![Node {
        input: None,
        matched: None,
        id: usize::MAX,
        next: None,
        prev: None,
    }];
    let mut call_node = vec![0usize; n];
    for (k, &(_, is_ret, id)) in events.iter().enumerate() {
        let idx = k + 1;
        let input = (!is_ret).then(|| match ops[id].f.as_str() {
            "read" => Input::Read(ops[id].value.clone()),
            _ => Input::Write(ops[id].value.clone()),
        });
        nodes.push(Node {
            input,
            matched: None,
            id,
            next: (k + 1 < events.len()).then_some(idx + 1),
            prev: Some(idx - 1),
        });
        if is_ret {
            nodes[call_node[id]].matched = Some(idx);
        } else {
            call_node[id] = idx;
        }
    }
    nodes[0].next = (!events.is_empty()).then_some(1);
    let lift = |nodes: &mut Vec<Node>, e: usize| {
        for x in [e, nodes[e].matched.unwrap_or(e)] {
            let (p, nx) = (nodes[x].prev, nodes[x].next);
            nodes[p.unwrap_or(0)].next = nx;
            if let Some(nx) = nx {
                nodes[nx].prev = p;
            }
        }
    };
    let unlift = |nodes: &mut Vec<Node>, e: usize| {
        for x in [nodes[e].matched.unwrap_or(e), e] {
            let (p, nx) = (nodes[x].prev, nodes[x].next);
            nodes[p.unwrap_or(0)].next = Some(x);
            if let Some(nx) = nx {
                nodes[nx].prev = Some(x);
            }
        }
    };
    let words = n.div_ceil(64).max(1);
    let mut linearized = vec![0u64; words];
    let mut cache: HashMap<u64, Vec<(Vec<u64>, Value)>> = HashMap::new();
    let mut calls: Vec<(usize, Value)> = Vec::new();
    let mut state = Value::Null;
    let mut entry = nodes[0].next;
    while nodes[0].next.is_some() {
        let Some(e) = entry else { return false };
        if let Some(input) = &nodes[e].input {
            if let Some(new_state) = step(&state, input) {
                let id = nodes[e].id;
                let mut new_lin = linearized.clone();
                new_lin[id / 64] |= 1 << (id % 64);
                let hash = bitset_hash(&new_lin);
                let bucket = cache.entry(hash).or_default();
                if !bucket.iter().any(|(b, s)| *s == new_state && *b == new_lin) {
                    bucket.push((new_lin, new_state.clone()));
                    calls.push((e, state));
                    state = new_state;
                    linearized[id / 64] |= 1 << (id % 64);
                    lift(&mut nodes, e);
                    entry = nodes[0].next;
                    continue;
                }
            }
            entry = nodes[e].next;
        } else {
            let Some((top, prev)) = calls.pop() else {
                return false;
            };
            state = prev;
            let id = nodes[top].id;
            linearized[id / 64] &= !(1 << (id % 64));
            unlift(&mut nodes, top);
            entry = nodes[top].next;
        }
    }
    true
}

/// Porcupine's `CheckOperations` for a keyed register history: partition by key, check each.
pub fn check(ops: &[Op]) -> bool {
    let mut parts: BTreeMap<Option<&Value>, Vec<&Op>> = BTreeMap::new();
    for op in ops.iter().filter(|o| o.outcome == Outcome::Ok) {
        parts.entry(op.key.as_ref()).or_default().push(op);
    }
    parts.values().all(|p| check_single(p))
}
