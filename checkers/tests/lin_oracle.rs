//! Differential test: the linearizability checker against a brute-force oracle, on small random
//! histories that may or may not be linearizable.
//!
//! The oracle follows the definition and nothing else: try every order of the operations that
//! respects real time (`a` before `b` whenever `a` completed before `b` was invoked), in which
//! every `ok` operation appears and any subset of the `info` ones, and check each order against a
//! sequential model written here again, independently, over plain `Value`s. Both directions are
//! exercised: the generated histories have few distinct values, so reads often return values that
//! were never written, or overwritten, and cas often expects the wrong value.

use proptest::prelude::*;
use quorumlab_checkers::lin::{check, LinOptions, ModelKind, NilRead};
use quorumlab_checkers::ops::{self, Op, Outcome};
use quorumlab_checkers::{Event, EventType, Process, Validity, Value};

/// The sequential models, over `Value` states (a mutex is `Bool`, kv a `Str`).
fn step(model: ModelKind, nil: NilRead, state: &Value, op: &Op) -> Option<Value> {
    let arg = if op.invoke_value.is_null() {
        &op.value
    } else {
        &op.invoke_value
    };
    match (model, op.f.as_str()) {
        (ModelKind::Register | ModelKind::CasRegister, "read") => {
            let wild = nil == NilRead::Wildcard && op.value.is_null();
            (wild || op.value == *state).then(|| state.clone())
        }
        (ModelKind::Register | ModelKind::CasRegister, "write") => Some(arg.clone()),
        (ModelKind::CasRegister, "cas") => match arg.as_list() {
            Some([old, new]) if old == state => Some(new.clone()),
            _ => None,
        },
        (ModelKind::Mutex, "acquire") => (*state != Value::Bool(true)).then_some(Value::Bool(true)),
        (ModelKind::Mutex, "release") => {
            (*state == Value::Bool(true)).then_some(Value::Bool(false))
        }
        (ModelKind::Kv, "get") => {
            let seen = op.value.as_str().unwrap_or("");
            (state.as_str().unwrap_or("") == seen).then(|| state.clone())
        }
        (ModelKind::Kv, "put") => Some(arg.clone()),
        (ModelKind::Kv, "append") => {
            let s = format!(
                "{}{}",
                state.as_str().unwrap_or(""),
                arg.as_str().unwrap_or("")
            );
            Some(Value::Str(s))
        }
        _ => None,
    }
}

/// Whether some real-time-respecting order of `ops` (all `ok` ones, any `info` ones) is legal.
fn brute_force(model: ModelKind, nil: NilRead, ops: &[Op]) -> bool {
    // Open reads have an unknown result and no effect: leave them out.
    let ops: Vec<&Op> = ops
        .iter()
        .filter(|o| o.outcome != Outcome::Fail)
        .filter(|o| o.outcome == Outcome::Ok || !matches!(o.f.as_str(), "read" | "get"))
        .collect();
    let init = match model {
        ModelKind::Mutex => Value::Bool(false),
        ModelKind::Kv => Value::Str(String::new()),
        _ => Value::Null,
    };
    fn go(
        model: ModelKind,
        nil: NilRead,
        ops: &[&Op],
        placed: &mut Vec<bool>,
        state: &Value,
    ) -> bool {
        let all_ok_placed = ops
            .iter()
            .zip(placed.iter())
            .all(|(o, p)| *p || o.outcome != Outcome::Ok);
        if all_ok_placed {
            return true;
        }
        for i in 0..ops.len() {
            if placed[i] {
                continue;
            }
            // Every unplaced operation that completed before this one began must come first.
            let blocked = (0..ops.len()).any(|j| !placed[j] && j != i && ops[j].precedes(ops[i]));
            if blocked {
                continue;
            }
            if let Some(next) = step(model, nil, state, ops[i]) {
                placed[i] = true;
                let ok = go(model, nil, ops, placed, &next);
                placed[i] = false;
                if ok {
                    return true;
                }
            }
        }
        false
    }
    go(model, nil, &ops, &mut vec![false; ops.len()], &init)
}

/// One generated operation: process, function, argument, result, outcome, start, duration.
type Spec = (u64, u8, u8, u8, u8, u64, u64);

fn history(model: ModelKind, specs: &[Spec]) -> Vec<Event> {
    let small = |v: u8| {
        if v == 0 {
            Value::Null
        } else {
            Value::Int(i64::from(v))
        }
    };
    let text = |v: u8| Value::Str(["", "a", "b", "ab", "ba"][usize::from(v % 5)].to_string());
    let mut free_at = [0u64; 3];
    let mut raw: Vec<(u64, u8, Event)> = Vec::new();
    let mut retired = [0u64; 3];
    for &(p, f, arg, result, outcome, start, len) in specs {
        let slot = (p % 3) as usize;
        let process = slot as u64 + 3 * retired[slot];
        let t0 = free_at[slot] + 1 + start;
        let t1 = t0 + len;
        let (name, inv, ok) = match model {
            ModelKind::Register | ModelKind::CasRegister => match f % 3 {
                0 => ("read", Value::Null, small(result % 4)),
                1 => ("write", small(arg % 4), small(arg % 4)),
                _ if model == ModelKind::CasRegister => {
                    let v = Value::List(vec![small(arg % 4), small(result % 4)]);
                    ("cas", v.clone(), v)
                }
                _ => ("write", small(result % 4), small(result % 4)),
            },
            ModelKind::Mutex => (
                if f % 2 == 0 { "acquire" } else { "release" },
                Value::Null,
                Value::Null,
            ),
            _ => match f % 3 {
                0 => ("get", Value::Null, text(result)),
                1 => ("put", text(arg), text(arg)),
                _ => ("append", text(arg % 3), text(arg % 3)),
            },
        };
        let kind = match outcome % 6 {
            0 => EventType::Info,
            1 => EventType::Fail,
            _ => EventType::Ok,
        };
        let ev = |kind, time, value| Event {
            index: 0,
            time: Some(time),
            process: Process::Client(process),
            kind,
            f: name.to_string(),
            key: None,
            value,
            ts: None,
            node: None,
            error: None,
        };
        raw.push((t0, 0, ev(EventType::Invoke, t0, inv.clone())));
        let done = if kind == EventType::Ok { ok } else { inv };
        raw.push((t1, 1, ev(kind, t1, done)));
        free_at[slot] = t1;
        if kind == EventType::Info {
            retired[slot] += 1;
        }
    }
    raw.sort_by_key(|(t, o, _)| (*t, *o));
    raw.into_iter()
        .enumerate()
        .map(|(i, (_, _, mut e))| {
            e.index = i as u64;
            e
        })
        .collect()
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0u64..3,
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        0u64..4,
        0u64..6,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn agrees_with_brute_force(
        m in 0usize..4, wild in any::<bool>(), specs in prop::collection::vec(spec(), 0..8),
    ) {
        let model = [ModelKind::Register, ModelKind::CasRegister, ModelKind::Mutex, ModelKind::Kv][m];
        let nil = if wild && model != ModelKind::Kv { NilRead::Wildcard } else { NilRead::Literal };
        let events = history(model, &specs);
        let ops = ops::pair(&events).expect("generated histories pair");
        let expected = if brute_force(model, nil, &ops) { Validity::Valid } else { Validity::Invalid };
        for threads in [1, 2] {
            let v = check(&ops, &LinOptions { model, nil_read: nil, threads, ..LinOptions::default() });
            prop_assert_eq!(v.valid, expected, "{} {:?} threads {}: {:#?}\n{:?}", model, nil, threads, events, v);
        }
    }
}

#[test]
fn the_oracle_itself_tells_the_two_apart() {
    // A guard against a vacuous oracle: it rejects a stale read and accepts a concurrent one.
    let stale = [(0, 1, 1, 0, 2, 0, 1), (1, 0, 0, 0, 2, 5, 1)];
    let concurrent = [(0, 1, 1, 0, 2, 0, 9), (1, 0, 0, 0, 2, 0, 1)];
    let run = |specs: &[Spec]| {
        let ops = ops::pair(&history(ModelKind::Register, specs)).unwrap();
        brute_force(ModelKind::Register, NilRead::Literal, &ops)
    };
    assert!(!run(&stale));
    assert!(run(&concurrent));
}
