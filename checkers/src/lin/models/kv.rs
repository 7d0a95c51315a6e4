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
//!
//! Look-ahead ([`Model::doomed`]): a state only grows (by appends) until a put replaces it, so a
//! completed get not linearized yet that returned `S` can still be satisfied from state `T` only
//! if `T` is a prefix of `S` or some pending put's value is. A step from `from` to `to` is refused
//! when it breaks that for a pending get whose `S` extends `from` (those are contiguous in string
//! order); only puts invoked before that get completed count, since no other can precede it.
//! Checking only some gets is still sound, so the scan stops after [`GETS_SCANNED`] gets, and
//! counts any put beyond the first [`PUTS_SCANNED`] as a way back: it may only ever refuse steps
//! it has proved hopeless.

use crate::lin::entries::Item;
use crate::lin::model::{argument, Model, ModelError};
use crate::lin::NilRead;
use crate::ops::Op;
use crate::value::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Beyond this many pending puts invoked before a get's completion, the look-ahead assumes one of
/// them could lead back to it.
pub const PUTS_SCANNED: usize = 64;
/// The look-ahead examines at most this many pending gets per step.
pub const GETS_SCANNED: usize = 8;

/// The operations not linearized yet that the look-ahead needs: completed gets by (string, return
/// rank), and puts (completed or open) by (invocation rank, op id).
#[derive(Clone, Debug, Default)]
pub struct Needs {
    gets: BTreeSet<(Arc<str>, u64)>,
    puts: BTreeMap<(u64, usize), Arc<str>>,
}

/// A kv operation on one key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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

fn text(v: &Value) -> Result<Arc<str>, ModelError> {
    match v {
        Value::Null => Ok(Arc::from("")),
        Value::Str(s) => Ok(Arc::from(s.as_str())),
        Value::Int(i) => Ok(Arc::from(i.to_string())),
        other => Err(ModelError::bad_value(
            "kv values",
            "strings (or integers)",
            other,
        )),
    }
}

impl Model for Kv {
    type State = Arc<str>;
    type Input = KvOp;
    type Pending = Needs;

    fn new(init: Option<&Value>, nil_read: NilRead) -> Result<Self, ModelError> {
        Ok(Kv {
            init: text(init.unwrap_or(&Value::Null))?,
            nil_read,
        })
    }

    fn parse(&mut self, op: &Op) -> Result<Option<KvOp>, ModelError> {
        match op.f.as_str() {
            "get" | "read" => {
                if op.value.is_null() && self.nil_read == NilRead::Wildcard {
                    return Ok(None);
                }
                Ok(Some(KvOp::Get(text(&op.value)?)))
            }
            "put" | "write" => Ok(Some(KvOp::Put(text(argument(op))?))),
            "append" => Ok(Some(KvOp::Append(text(argument(op))?))),
            f => Err(ModelError::unknown_function("kv", f, "get, put or append")),
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

    fn add_pending(&self, p: &mut Needs, item: &Item<KvOp>) {
        match (&item.input, item.ret) {
            (KvOp::Get(s), Some(ret)) => {
                p.gets.insert((s.clone(), ret));
            }
            (KvOp::Put(s), _) => {
                p.puts.insert((item.call, item.prepared), s.clone());
            }
            _ => {}
        }
    }

    fn remove_pending(&self, p: &mut Needs, item: &Item<KvOp>) {
        match (&item.input, item.ret) {
            (KvOp::Get(s), Some(ret)) => {
                p.gets.remove(&(s.clone(), ret));
            }
            (KvOp::Put(_), _) => {
                p.puts.remove(&(item.call, item.prepared));
            }
            _ => {}
        }
    }

    fn doomed(&self, p: &Needs, from: &Arc<str>, to: &Arc<str>) -> bool {
        if from == to {
            return false;
        }
        let start: (Arc<str>, u64) = (from.clone(), 0);
        p.gets
            .range(start..)
            .take_while(|(s, _)| s.starts_with(&**from))
            .take(GETS_SCANNED)
            .any(|(s, ret)| {
                // Only puts invoked before the get completed can lead back to it.
                let mut puts = p.puts.range(..(*ret, 0)).map(|(_, v)| v);
                let mut scanned = 0;
                !s.starts_with(&**to)
                    && !puts.any(|put| {
                        scanned += 1;
                        scanned > PUTS_SCANNED || s.starts_with(&**put)
                    })
            })
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
        assert!(lit.parse(&bad).unwrap_err().to_string().contains("strings"));
        assert!(lit
            .parse(&test_op("cas", Value::Null, Value::Null))
            .is_err());
        assert_eq!(lit.open(&g), None);
    }
}
