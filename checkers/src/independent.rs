//! Jepsen `independent` histories: recognising `[key value]` tuples and moving the key to `key`.
//!
//! Jepsen's `jepsen.independent` runs one single-key test per key and records every client value as
//! a tuple `[k v]` (a read is invoked as `[k nil]`). Knossos/Porcupine then check each key on its
//! own — Horn & Kroening's P-compositionality (2015): a history is linearizable iff each per-key
//! sub-history is. quorumlab partitions by the event's `key`, so a tuple history is rewritten to
//! `key = k, value = v`.
//!
//! The difficulty is that a non-independent value can also be a two-element vector (a cas
//! `[old new]`, a two-micro-op txn). The rule is decided by the shape each model gives to each
//! function, so it does not depend on the order of operations:
//!
//! - a value is a tuple for `f` iff it is a 2-element list `[k x]` whose `k` is a scalar (not a
//!   list or map) and whose `x` has `f`'s shape: for `cas` a 2-element list (`[k [old new]]`), for
//!   `txn` a list of micro-ops (`[k [[:read :x nil]]]`; a bare txn's first element is a micro-op,
//!   a list, so it is never mistaken), for every other function (`read`, `write`, `get`, `put`,
//!   `append`, `acquire`, `release`) not a list or map;
//! - the history is independent iff no client event already carries `:key`, it has at least one
//!   client invocation, and EVERY client invocation's value is a tuple for its `f`. A plain
//!   register history always has `nil` read invocations, so it is never taken for a tuple history.
//!
//! In an independent history, a completion whose value is a tuple takes its key from it (it must
//! equal its invocation's key); any other completion value (an `info` with `nil`) keeps the value
//! and takes the key of its process's pending invocation.

use crate::error::{excerpt, InputError};
use crate::history::{EventType, Process};
use crate::parsed::ParsedHistory;
use crate::value::Value;
use std::collections::BTreeMap;

/// Whether `v` is an independent `[key value]` tuple for function `f` (see the module doc).
pub fn is_tuple(f: &str, v: &Value) -> bool {
    let Some([k, x]) = v.as_list() else {
        return false;
    };
    let scalar = |v: &Value| !matches!(v, Value::List(_) | Value::Map(_));
    scalar(k)
        && match f {
            "cas" => x.as_list().is_some_and(|l| l.len() == 2),
            "txn" => x.as_list().is_some(),
            _ => scalar(x),
        }
}

/// Rewrite an independent tuple history in place (key into `key`); returns whether it was one.
pub fn split_tuples(file: &str, h: &mut ParsedHistory) -> Result<bool, InputError> {
    let mut invocations = h
        .events()
        .iter()
        .filter(|e| e.is_client() && e.kind == EventType::Invoke)
        .peekable();
    if invocations.peek().is_none()
        || h.events().iter().any(|e| e.is_client() && e.key.is_some())
        || !invocations.all(|e| is_tuple(&e.f, &e.value))
    {
        return Ok(false);
    }
    let lines = h.lines().to_vec();
    let mut pending: BTreeMap<u64, Value> = BTreeMap::new();
    for (e, &line) in h.events_mut().iter_mut().zip(&lines) {
        let Process::Client(p) = e.process else {
            continue;
        };
        let tuple = match e.value.as_list() {
            Some([k, x]) if e.kind == EventType::Invoke || is_tuple(&e.f, &e.value) => {
                Some((k.clone(), x.clone()))
            }
            _ => None,
        };
        match (e.kind, tuple) {
            (EventType::Invoke, Some((k, x))) => {
                pending.insert(p, k.clone());
                e.key = Some(k);
                e.value = x;
            }
            (_, Some((k, x))) => {
                if let Some(expected) = pending.get(&p) {
                    if *expected != k {
                        return Err(InputError::new(
                            file,
                            line,
                            format!(
                                "completion of process {p} is for key {}, but its invocation was for key {}",
                                excerpt(&k.to_string()),
                                excerpt(&expected.to_string())
                            ),
                        ));
                    }
                }
                pending.remove(&p);
                e.key = Some(k);
                e.value = x;
            }
            (_, None) => e.key = pending.remove(&p),
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{parse, Format};

    fn parse_jepsen_edn(file: &str, text: &str) -> Result<ParsedHistory, InputError> {
        parse(Format::JepsenEdn, file, text)
    }

    fn l(v: Vec<Value>) -> Value {
        Value::List(v)
    }

    #[test]
    fn tuple_shape_depends_on_the_function() {
        let i = Value::Int;
        assert!(is_tuple("read", &l(vec![i(1), Value::Null])));
        assert!(
            !is_tuple("cas", &l(vec![i(1), i(2)])),
            "a bare cas [old new]"
        );
        assert!(is_tuple("cas", &l(vec![i(1), l(vec![i(1), i(2)])])));
        let txn2 = l(vec![
            l(vec!["read".into(), "x".into(), Value::Null]),
            l(vec!["write".into(), "y".into(), i(1)]),
        ]);
        assert!(!is_tuple("txn", &txn2), "a bare two-micro-op txn");
        assert!(is_tuple("txn", &l(vec![i(3), txn2])));
    }

    #[test]
    fn independent_register_history_is_split() {
        let text = "{:process 0 :type :invoke :f :write :value [5 1]}\n\
                    {:process 1 :type :invoke :f :read :value [5 nil]}\n\
                    {:process 0 :type :ok :f :write :value [5 1]}\n\
                    {:process 1 :type :info :f :read :value nil}\n";
        let h = parse_jepsen_edn("h", text).unwrap();
        assert!(h.events().iter().all(|e| e.key == Some(Value::Int(5))));
        assert_eq!(h.events()[0].value, Value::Int(1));
        assert_eq!(h.events()[3].value, Value::Null);
    }

    #[test]
    fn plain_cas_register_history_is_left_alone() {
        let text = "{:process 0 :type :invoke :f :cas :value [1 2]}\n\
                    {:process 0 :type :fail :f :cas :value [1 2]}\n";
        let h = parse_jepsen_edn("h", text).unwrap();
        assert_eq!(h.events()[0].key, None);
        assert_eq!(h.events()[0].value, l(vec![Value::Int(1), Value::Int(2)]));
    }

    #[test]
    fn mismatched_completion_key_is_an_error() {
        let text = "{:process 0 :type :invoke :f :write :value [5 1]}\n\
                    {:process 0 :type :ok :f :write :value [6 1]}\n";
        let e = parse_jepsen_edn("h", text).unwrap_err();
        assert_eq!(e.line, 2);
    }
}
