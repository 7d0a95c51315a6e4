//! Synthetic linearizable histories, for property tests and benchmarks.
//!
//! A history is made from a random *sequential* execution of a model: operation `k` takes effect
//! at its linearization point `t_k` (strictly increasing), and is given to a client that is idle at
//! that time, with an interval `[invoke, complete]` that contains `t_k` and does not overlap the
//! client's previous operation. So every generated history is linearizable by construction, with
//! as much real concurrency as the clients and the interval spread allow.
//!
//! Traps included on purpose: some operations end `info` (half of them took effect, half did
//! not; half have an `info` completion, half none) and the process is retired for a new one, as
//! Jepsen does; some writes `fail` (and had no effect); a cas whose expected value does not match
//! `fail`s. Write values are unique per key, so a corrupted read can be made to name a value
//! never written. Deterministic: the same config gives the same events.

use super::ModelKind;
use crate::history::{Event, EventType, Process};
use crate::value::Value;
use std::collections::BTreeMap;

/// What to generate.
#[derive(Clone, Debug)]
pub struct SynthConfig {
    /// The model whose operations to generate.
    pub model: ModelKind,
    /// Concurrent client processes.
    pub clients: usize,
    /// Number of operations.
    pub ops: usize,
    /// Number of keys; 0 = an unkeyed history.
    pub keys: usize,
    /// Chance, per thousand, that an operation ends `info`.
    pub info_per_mille: u32,
    /// Longest stretch of an interval before and after its linearization point, in points.
    pub spread: u64,
    /// The seed.
    pub seed: u64,
}

/// A small deterministic PRNG (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        super::bitset::mix64(self.0.wrapping_sub(0x9e37_79b9_7f4a_7c15))
    }
    /// Uniform in `0..n` (`0` when `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < u64::from(per_mille)
    }
}

/// The state of one object during the sequential execution.
#[derive(Clone, Debug, Default)]
struct Object {
    value: Value,
    regs: BTreeMap<String, Value>,
    held: bool,
}

const TICK: u64 = 100;
const REGS: [&str; 3] = ["x", "y", "z"];

/// One generated operation: function, invocation value, completion value (the result it has if it
/// takes effect now).
fn gen_op(
    model: ModelKind,
    obj: &Object,
    rng: &mut Rng,
    fresh: &mut i64,
) -> (&'static str, Value, Value) {
    let mut next = || {
        *fresh += 1;
        *fresh
    };
    match model {
        ModelKind::Register | ModelKind::CasRegister => {
            let roll = rng.below(10);
            if roll < 4 {
                ("read", Value::Null, obj.value.clone())
            } else if model == ModelKind::CasRegister && roll >= 7 {
                let old = if rng.chance(600) {
                    obj.value.clone()
                } else {
                    Value::Int(rng.below(4) as i64)
                };
                let v = Value::List(vec![old, Value::Int(next())]);
                ("cas", v.clone(), v)
            } else {
                let v = Value::Int(next());
                ("write", v.clone(), v)
            }
        }
        ModelKind::Kv => {
            let cur = obj.value.as_str().unwrap_or("").to_string();
            match rng.below(5) {
                0 | 1 => ("get", Value::Null, Value::Str(cur)),
                2 => {
                    let v = Value::Str(format!("p{},", next()));
                    ("put", v.clone(), v)
                }
                _ => {
                    let v = Value::Str(format!("a{},", next()));
                    ("append", v.clone(), v)
                }
            }
        }
        ModelKind::MultiRegister => {
            let n = 1 + rng.below(3);
            let (mut inv, mut done) = (Vec::new(), Vec::new());
            let mut regs = obj.regs.clone();
            for _ in 0..n {
                let k = REGS[rng.below(REGS.len() as u64) as usize];
                if rng.chance(500) {
                    let seen = regs.get(k).cloned().unwrap_or(Value::Null);
                    inv.push(Value::List(vec!["read".into(), k.into(), Value::Null]));
                    done.push(Value::List(vec!["read".into(), k.into(), seen]));
                } else {
                    let v = Value::Int(next());
                    regs.insert(k.to_string(), v.clone());
                    let m = Value::List(vec!["write".into(), k.into(), v]);
                    inv.push(m.clone());
                    done.push(m);
                }
            }
            ("txn", Value::List(inv), Value::List(done))
        }
        ModelKind::Mutex => {
            let f = if obj.held { "release" } else { "acquire" };
            (f, Value::Null, Value::Null)
        }
    }
}

/// Apply a generated operation to the object; `false` when its precondition does not hold.
fn apply(model: ModelKind, obj: &mut Object, f: &str, done: &Value) -> bool {
    match (model, f) {
        (_, "read" | "get") => true,
        (ModelKind::Kv, "append") => {
            let s = format!(
                "{}{}",
                obj.value.as_str().unwrap_or(""),
                done.as_str().unwrap_or("")
            );
            obj.value = Value::Str(s);
            true
        }
        (_, "write" | "put") => {
            obj.value = done.clone();
            true
        }
        (_, "cas") => match done.as_list() {
            Some([old, new]) if *old == obj.value => {
                obj.value = new.clone();
                true
            }
            _ => false,
        },
        (_, "txn") => {
            for m in done.as_list().unwrap_or(&[]) {
                if let Some([f, k, v]) = m.as_list() {
                    if f.as_str() == Some("write") {
                        obj.regs
                            .insert(k.as_str().unwrap_or("").to_string(), v.clone());
                    }
                }
            }
            true
        }
        (_, "acquire") => !std::mem::replace(&mut obj.held, true),
        (_, "release") => std::mem::replace(&mut obj.held, false),
        _ => false,
    }
}

/// Generate a linearizable history (see the module doc).
pub fn history(cfg: &SynthConfig) -> Vec<Event> {
    let mut rng = Rng::new(cfg.seed);
    let clients = cfg.clients.max(1);
    let mut procs: Vec<(u64, u64)> = (0..clients as u64).map(|p| (p, 0)).collect(); // (process, busy until)
    let mut next_process = clients as u64;
    let mut objects: BTreeMap<usize, Object> = BTreeMap::new();
    if cfg.model == ModelKind::Kv {
        for k in 0..cfg.keys.max(1) {
            objects.entry(k).or_default().value = Value::Str(String::new());
        }
    }
    let mut fresh = 0i64;
    let mut raw: Vec<(u64, u8, Event)> = Vec::new();
    let mut t = 0u64;
    let spread = cfg.spread * TICK;
    for _ in 0..cfg.ops {
        t += TICK;
        let earliest = procs.iter().map(|p| p.1).min().unwrap_or(0);
        if earliest >= t {
            t = earliest + 1;
        }
        let free: Vec<usize> = (0..procs.len()).filter(|&i| procs[i].1 < t).collect();
        let slot = free[rng.below(free.len() as u64) as usize];
        let (process, busy) = procs[slot];
        let invoke = t - rng.below((t - busy - 1).min(spread) + 1);
        let complete = t + rng.below(spread + 1);
        let key = rng.below(cfg.keys as u64) as usize;
        let obj = objects.entry(key).or_default();
        let (f, inv_value, done) = gen_op(cfg.model, obj, &mut rng, &mut fresh);
        let info = rng.chance(cfg.info_per_mille);
        let failed_write = !info && matches!(f, "write" | "put") && rng.chance(50);
        let takes_effect = !failed_write && (!info || rng.chance(500));
        let applied = takes_effect && apply(cfg.model, obj, f, &done);
        let kind = if info {
            EventType::Info
        } else if applied || matches!(f, "read" | "get") {
            EventType::Ok
        } else {
            EventType::Fail
        };
        let key_value = (cfg.keys > 0).then_some(Value::Int(key as i64));
        let event = |kind, time, value: Value| Event {
            index: 0,
            time: Some(time),
            process: Process::Client(process),
            kind,
            f: f.to_string(),
            key: key_value.clone(),
            value,
            ts: None,
            node: None,
            error: None,
        };
        raw.push((
            invoke,
            0,
            event(EventType::Invoke, invoke, inv_value.clone()),
        ));
        let completion = match kind {
            EventType::Ok => Some(done),
            EventType::Info if rng.chance(500) => None,
            _ => Some(inv_value),
        };
        if let Some(v) = completion {
            raw.push((complete, 1, event(kind, complete, v)));
        }
        procs[slot].1 = complete;
        if info {
            procs[slot].0 = next_process;
            next_process += 1;
        }
    }
    raw.sort_by_key(|(time, order, _)| (*time, *order));
    raw.into_iter()
        .enumerate()
        .map(|(i, (_, _, mut e))| {
            e.index = i as u64;
            e
        })
        .collect()
}

/// A history that is hard to refute: `writers` concurrent writes, each read by its own concurrent
/// reader, then a read of a value none of them wrote. Every write must be followed by its read and
/// every subset of the writes is a distinct configuration, so a search tries thousands of
/// configurations before it can say "invalid". Used by the tests and the benchmark.
pub fn hard_history(writers: u64) -> Vec<Event> {
    let ev = |time: u64, p: u64, kind, f: &str, value: Value| Event {
        index: 0,
        time: Some(time),
        process: Process::Client(p),
        kind,
        f: f.into(),
        key: None,
        value,
        ts: None,
        node: None,
        error: None,
    };
    let reader = |p: u64| writers + p;
    let mut events = Vec::new();
    for p in 0..writers {
        let v = Value::Int(p as i64);
        events.push(ev(p, p, EventType::Invoke, "write", v.clone()));
        events.push(ev(
            1000 + p,
            reader(p),
            EventType::Invoke,
            "read",
            Value::Null,
        ));
        events.push(ev(2000 + p, p, EventType::Ok, "write", v.clone()));
        events.push(ev(3000 + p, reader(p), EventType::Ok, "read", v));
    }
    let last = 2 * writers;
    events.push(ev(4000, last, EventType::Invoke, "read", Value::Null));
    events.push(ev(4001, last, EventType::Ok, "read", Value::Int(-1)));
    events.sort_by_key(|e| e.time);
    for (i, e) in events.iter_mut().enumerate() {
        e.index = i as u64;
    }
    events
}

/// A history made non-linearizable in one place: [`history`] with the completed read (`read` or
/// `get`) nearest to `at_per_mille` of the way through changed to return a value never written
/// (`-1`, or `"never,"` under the kv model). The shortest failing prefix ends at that read's
/// completion. `None` when the history has no completed read.
pub fn corrupted(cfg: &SynthConfig, at_per_mille: u64) -> Option<(Vec<Event>, u64)> {
    let mut events = history(cfg);
    let target = events.len() as u64 * at_per_mille / 1000;
    let reads = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EventType::Ok && matches!(e.f.as_str(), "read" | "get"))
        .map(|(i, _)| i);
    let i = reads.min_by_key(|&i| (i as u64).abs_diff(target))?;
    events[i].value = match cfg.model {
        ModelKind::Kv => Value::Str("never,".into()),
        _ => Value::Int(-1),
    };
    Some((events, i as u64))
}
