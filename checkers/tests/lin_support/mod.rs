//! Helpers for the hand-made linearizability histories (`lin_histories.rs`, `lin_models.rs`).
#![allow(dead_code)]

use quorumlab_checkers::lin::{check, LinOptions, ModelKind, NilRead};
use quorumlab_checkers::{ops, Event, EventType, Process, Value, Verdict};

/// A history line: (time, process, type, f, value).
pub type Line<'a> = (u64, u64, &'a str, &'a str, Value);

pub fn events(lines: &[Line<'_>], key: Option<i64>) -> Vec<Event> {
    lines
        .iter()
        .enumerate()
        .map(|(i, (time, p, kind, f, value))| Event {
            index: i as u64,
            time: Some(*time),
            process: Process::Client(*p),
            kind: match *kind {
                "invoke" => EventType::Invoke,
                "ok" => EventType::Ok,
                "fail" => EventType::Fail,
                _ => EventType::Info,
            },
            f: f.to_string(),
            key: key.map(Value::Int),
            value: value.clone(),
            ts: None,
            node: None,
            error: None,
        })
        .collect()
}

pub fn run(
    lines: &[Line<'_>],
    model: ModelKind,
    nil_read: NilRead,
    init: Option<Value>,
) -> Verdict {
    let ops = ops::pair(&events(lines, Some(1))).expect("pairs");
    let opts = LinOptions {
        model,
        nil_read,
        init,
        ..LinOptions::default()
    };
    check(&ops, &opts)
}

pub fn reg(lines: &[Line<'_>]) -> Verdict {
    run(lines, ModelKind::Register, NilRead::Literal, None)
}

pub fn n() -> Value {
    Value::Null
}
pub fn i(v: i64) -> Value {
    Value::Int(v)
}
pub fn s(v: &str) -> Value {
    Value::Str(v.into())
}
pub fn pair2(a: Value, b: Value) -> Value {
    Value::List(vec![a, b])
}
