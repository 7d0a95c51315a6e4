//! The key-value model: per key, a string register starting at `""` (Porcupine's kv example).
//!
//! The history is partitioned by key before the search (Horn & Kroening 2015), so one model
//! instance is one key's string. Operations:
//! - `get` — completes with the string it saw; under [`NilRead::Wildcard`] an ok get of `null`
//!   matches anything and is dropped, under [`NilRead::Literal`] `null` means absent, i.e. `""`;
//! - `put s` — sets the string;
//! - `append s` — concatenates `s` to the string.
//!
//! Values may be strings or integers (an integer is its decimal text). States are shared strings,
//! so a `get` step clones a pointer, not the text.

use crate::lin::model::{argument, Model};
use crate::lin::NilRead;
use crate::ops::Op;
use crate::value::Value;
use std::sync::Arc;

/// A kv operation on one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KvOp {
    /// A get that returned this string.
    Get(Arc<str>),
    /// A put of this string.
    Put(Arc<str>),
    /// An append of this string.
    Append(Arc<str>),
}

/// The kv model for one key.
#[derive(Clone, Debug)]
pub struct Kv {
    init: Arc<str>,
    nil_read: NilRead,
}

fn text(v: &Value) -> Result<Arc<str>, String> {
    match v {
        Value::Null => Ok(Arc::from("")),
        Value::Str(s) => Ok(Arc::from(s.as_str())),
        Value::Int(i) => Ok(Arc::from(i.to_string())),
        other => Err(format!("kv values must be strings, got {other}")),
    }
}

impl Model for Kv {
    type State = Arc<str>;
    type Input = KvOp;
    type Pending = ();

    fn new(init: Option<&Value>, nil_read: NilRead) -> Result<Self, String> {
        Ok(Kv {
            init: text(init.unwrap_or(&Value::Null))?,
            nil_read,
        })
    }

    fn parse(&mut self, op: &Op) -> Result<Option<KvOp>, String> {
        match op.f.as_str() {
            "get" | "read" => {
                if op.value.is_null() && self.nil_read == NilRead::Wildcard {
                    return Ok(None);
                }
                Ok(Some(KvOp::Get(text(&op.value)?)))
            }
            "put" | "write" => Ok(Some(KvOp::Put(text(argument(op))?))),
            "append" => Ok(Some(KvOp::Append(text(argument(op))?))),
            f => Err(format!(
                "the kv model has no operation {f:?} (expected get, put or append)"
            )),
        }
    }

    fn open(&self, input: &KvOp) -> Option<KvOp> {
        match input {
            KvOp::Get(_) => None,
            other => Some(other.clone()),
        }
    }

    fn is_pure(&self, input: &KvOp) -> bool {
        matches!(input, KvOp::Get(_))
    }

    fn init(&self) -> Arc<str> {
        self.init.clone()
    }

    fn step(&self, state: &Arc<str>, input: &KvOp) -> Option<Arc<str>> {
        match input {
            KvOp::Get(s) => (**s == **state).then(|| state.clone()),
            KvOp::Put(s) => Some(s.clone()),
            KvOp::Append(s) => {
                let mut t = String::with_capacity(state.len() + s.len());
                t.push_str(state);
                t.push_str(s);
                Some(Arc::from(t))
            }
        }
    }

    fn describe_state(&self, state: &Arc<str>) -> String {
        format!("the key holds {:?}", &**state)
    }

    fn describe_input(&self, input: &KvOp) -> String {
        match input {
            KvOp::Get(s) => format!("get {:?}", &**s),
            KvOp::Put(s) => format!("put {:?}", &**s),
            KvOp::Append(s) => format!("append {:?}", &**s),
        }
    }

    fn reason(&self, state: &Arc<str>, input: &KvOp) -> String {
        match input {
            KvOp::Get(s) => format!(
                "a get returning {:?} is impossible because {}",
                &**s,
                self.describe_state(state)
            ),
            _ => "puts and appends are always possible".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lin::models::test_op;

    #[test]
    fn append_concatenates_and_get_must_match() {
        let mut m = Kv::new(None, NilRead::Literal).unwrap();
        let a = m
            .parse(&test_op("append", "x".into(), "x".into()))
            .unwrap()
            .unwrap();
        let b = m
            .parse(&test_op("append", "y".into(), "y".into()))
            .unwrap()
            .unwrap();
        let g = m
            .parse(&test_op("get", Value::Null, "xy".into()))
            .unwrap()
            .unwrap();
        let s = m.step(&m.step(&m.init(), &a).unwrap(), &b).unwrap();
        assert_eq!(&*s, "xy");
        assert!(m.step(&s, &g).is_some());
        let s2 = m.step(&s, &a).unwrap();
        assert!(m.step(&s2, &g).is_none(), "xyx is not xy");
        assert!(m.reason(&s2, &g).contains("\"xyx\""));
    }

    #[test]
    fn nil_get_is_empty_or_wildcard_and_bad_values_are_errors() {
        let nil_get = test_op("get", Value::Null, Value::Null);
        let mut lit = Kv::new(None, NilRead::Literal).unwrap();
        let g = lit.parse(&nil_get).unwrap().unwrap();
        assert_eq!(g, KvOp::Get(Arc::from("")));
        let mut wild = Kv::new(None, NilRead::Wildcard).unwrap();
        assert_eq!(wild.parse(&nil_get).unwrap(), None);
        let bad = test_op("put", Value::List(vec![]), Value::Null);
        assert!(lit.parse(&bad).unwrap_err().contains("strings"));
        assert!(lit
            .parse(&test_op("cas", Value::Null, Value::Null))
            .is_err());
        assert_eq!(lit.open(&g), None);
    }
}
