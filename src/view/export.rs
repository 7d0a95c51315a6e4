//! Our history as a Jepsen/Knossos EDN history (`quorumlab export --format jepsen-edn`).
//!
//! Guarantees: the output is a pure function of the events (same history, same bytes); one
//! operation map per line, in history order, in the layout Knossos, Elle, Porcupine's EDN reader and
//! `quorumlab check --format jepsen-edn` read:
//!
//! ```text
//! {:type :invoke, :f :write, :value [3 7], :process 2, :time 12345, :index 5}
//! {:type :ok, :f :write, :value [3 7], :process 2, :time 13000, :index 6, :ts 1201, :node "n2"}
//! {:type :info, :f :partition, :value "partition n1 n2 | n3 n4 n5", :process :nemesis, :time 14000, :index 7}
//! ```
//!
//! - keyed operations become `jepsen.independent` tuples, `:value [key value]` (a read is invoked
//!   as `[key nil]`); `quorumlab check` splits them back into keys ([`quorumlab_checkers::independent`]);
//! - a `delete` is Knossos's register write of `nil` (`:f :write, :value [k nil]`) marked
//!   `:delete true`: a delete *is* the write of a tombstone, and Knossos's register model knows no
//!   `:delete`; a `cas` keeps `:f :cas` with `[k [old new]]`;
//! - a read of "absent" is `nil`. Knossos (and `check` on EDN) read an ok read of `nil` as "value
//!   unknown", so an anomaly that only a read of absent shows is not visible in the EDN form;
//! - `:ts`, `:node` and `:error` are extra keys (Jepsen's readers ignore keys they do not know);
//!   `:time` is simulated nanoseconds; nemesis events are `:process :nemesis`, `:type :info`.

use quorumlab_checkers::{Event, EventType, Process, Value};
use std::fmt::Write as _;

/// The whole history as EDN, one operation map per line.
pub fn to_edn(events: &[Event]) -> String {
    let mut out = String::new();
    for e in events {
        out.push_str(&event_edn(e));
        out.push('\n');
    }
    out
}

/// One event as an EDN operation map.
pub fn event_edn(e: &Event) -> String {
    let delete = e.is_client() && e.f == "delete";
    let f = if delete { "write" } else { e.f.as_str() };
    let value = match (&e.key, e.is_client()) {
        (Some(k), true) => format!("[{} {}]", value_edn(k), value_edn(&e.value)),
        _ => value_edn(&e.value),
    };
    let mut s = format!(
        "{{:type {}, :f {}, :value {}, :process {}",
        keyword(&kind_name(e.kind)),
        keyword(f),
        value,
        match e.process {
            Process::Client(p) => p.to_string(),
            Process::Nemesis => ":nemesis".to_string(),
        }
    );
    if let Some(t) = e.time {
        let _ = write!(s, ", :time {t}");
    }
    let _ = write!(s, ", :index {}", e.index);
    if delete {
        s.push_str(", :delete true");
    }
    if !e.is_client() {
        if let Some(k) = &e.key {
            let _ = write!(s, ", :key {}", value_edn(k));
        }
    }
    if let Some(ts) = e.ts {
        let _ = write!(s, ", :ts {ts}");
    }
    if let Some(n) = &e.node {
        let _ = write!(s, ", :node {}", string(n));
    }
    if let Some(err) = &e.error {
        let _ = write!(s, ", :error {}", string(err));
    }
    s.push('}');
    s
}

fn kind_name(k: EventType) -> String {
    k.to_string()
}

/// A value as EDN: `nil`, `true`, `7`, `"s"`, `[1 2]`, `{:k v}`.
pub fn value_edn(v: &Value) -> String {
    match v {
        Value::Null => "nil".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Str(s) => string(s),
        Value::List(items) => {
            let inner: Vec<String> = items.iter().map(value_edn).collect();
            format!("[{}]", inner.join(" "))
        }
        Value::Map(m) => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{} {}", keyword(k), value_edn(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}

/// `:name` when `name` is a plain keyword name, else a string (EDN readers take both for `:f`).
fn keyword(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_?!*+.<>=/".contains(c));
    if plain {
        format!(":{name}")
    } else {
        string(name)
    }
}

/// An EDN string literal.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorumlab_checkers::format::{parse, Format};

    fn ev(index: u64, process: Process, kind: EventType, f: &str, key: Option<i64>) -> Event {
        Event {
            index,
            time: Some(index * 1000),
            process,
            kind,
            f: f.into(),
            key: key.map(Value::Int),
            value: Value::Null,
            ts: None,
            node: None,
            error: None,
        }
    }

    #[test]
    fn operations_are_independent_tuples_and_deletes_are_writes_of_nil() {
        let mut w = ev(5, Process::Client(2), EventType::Invoke, "write", Some(3));
        w.value = Value::Int(7);
        assert_eq!(
            event_edn(&w),
            "{:type :invoke, :f :write, :value [3 7], :process 2, :time 5000, :index 5}"
        );
        let mut d = ev(6, Process::Client(1), EventType::Ok, "delete", Some(3));
        d.ts = Some(12);
        d.node = Some("n2".into());
        assert_eq!(
            event_edn(&d),
            "{:type :ok, :f :write, :value [3 nil], :process 1, :time 6000, :index 6, :delete true, :ts 12, :node \"n2\"}"
        );
        let mut n = ev(7, Process::Nemesis, EventType::Info, "partition", None);
        n.value = Value::from("partition n1 | n2 \"x\"");
        assert_eq!(
            event_edn(&n),
            "{:type :info, :f :partition, :value \"partition n1 | n2 \\\"x\\\"\", :process :nemesis, :time 7000, :index 7}"
        );
    }

    #[test]
    fn our_reader_takes_the_export_back_to_the_same_keys_values_and_functions() {
        let mut events = vec![
            ev(0, Process::Client(0), EventType::Invoke, "write", Some(3)),
            ev(1, Process::Client(1), EventType::Invoke, "read", Some(4)),
            ev(2, Process::Client(0), EventType::Ok, "write", Some(3)),
            ev(3, Process::Nemesis, EventType::Info, "crash", None),
            ev(4, Process::Client(1), EventType::Info, "read", Some(4)),
            ev(5, Process::Client(2), EventType::Invoke, "cas", Some(3)),
            ev(6, Process::Client(2), EventType::Fail, "cas", Some(3)),
        ];
        events[0].value = Value::Int(1);
        events[2].value = Value::Int(1);
        events[4].error = Some("timeout\nafter 1 s".into());
        events[5].value = Value::List(vec![Value::Int(1), Value::Int(2)]);
        events[6].value = events[5].value.clone();
        let back = parse(Format::JepsenEdn, "x.edn", &to_edn(&events)).unwrap();
        for (a, b) in events.iter().zip(back.events()) {
            assert_eq!(
                (a.index, a.time, a.process, a.kind),
                (b.index, b.time, b.process, b.kind)
            );
            assert_eq!((&a.f, &a.value), (&b.f, &b.value));
            if a.is_client() {
                assert_eq!(a.key, b.key, "{a:?}");
            }
        }
    }

    #[test]
    fn odd_names_become_strings() {
        assert_eq!(keyword("read"), ":read");
        assert_eq!(keyword("heal all"), "\"heal all\"");
        assert_eq!(keyword(""), "\"\"");
        assert_eq!(value_edn(&Value::Str("\u{1}".into())), "\"\\u0001\"");
    }
}
