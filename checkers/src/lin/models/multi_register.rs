//! Knossos's multi-register: named registers read and written by transactions.
//!
//! An operation is `txn` whose value is a list of micro-operations `["read", k, v]` or
//! `["write", k, v]` (also `"r"`/`"w"`), applied in order and atomically. A micro-read of `null`
//! matches anything under [`NilRead::Wildcard`] (Knossos's rule) and means "absent" under
//! [`NilRead::Literal`]. Every register starts at the initial value (default `null`).
//! An open (`info`) transaction keeps only its writes: its reads' results are unknown.
//!
//! The checker partitions multi-register histories into connected components of the registers
//! each transaction touches ([`registers`]); within one component, register names and values are
//! interned, so a state is a small vector of integers.

use crate::lin::model::{argument, Interner, Model, ModelError};
use crate::lin::NilRead;
use crate::ops::Op;
use crate::value::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One micro-operation over interned names and values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Micro {
    /// A write (else a read).
    pub write: bool,
    /// Register index.
    pub reg: u32,
    /// Value id.
    pub val: u32,
}

/// The multi-register model for one component of registers.
#[derive(Clone, Debug)]
pub struct MultiRegister {
    regs: Interner,
    values: Interner,
    init: u32,
    nil_read: NilRead,
}

/// The micro-operations of a `txn` value, as (is write, register, value).
fn micro_ops(value: &Value) -> Result<Vec<(bool, &Value, &Value)>, ModelError> {
    let items = value.as_list().ok_or_else(|| {
        ModelError::bad_value("a txn's value", "a list of micro-operations", value)
    })?;
    items
        .iter()
        .map(|m| match m.as_list() {
            Some([f, k, v]) => match f.as_str() {
                Some("read" | "r") => Ok((false, k, v)),
                Some("write" | "w") => Ok((true, k, v)),
                _ => Err(ModelError::bad_value(
                    "a micro-operation's function",
                    "read or write",
                    m,
                )),
            },
            _ => Err(ModelError::bad_value("a micro-operation", "[f k v]", m)),
        })
        .collect()
}

/// The registers a transaction touches, for partitioning (empty when the value is malformed; the
/// model reports the problem when it parses the operation).
pub fn registers(op: &Op) -> Vec<Value> {
    let mut regs = Vec::new();
    for v in [&op.invoke_value, &op.value] {
        if let Ok(ms) = micro_ops(v) {
            regs.extend(ms.into_iter().map(|(_, k, _)| k.clone()));
        }
    }
    regs
}

impl MultiRegister {
    fn show_micro(&self, m: &Micro) -> String {
        format!(
            "{} {} {}",
            if m.write { "write" } else { "read" },
            self.regs.value(m.reg),
            self.values.value(m.val)
        )
    }
    fn value_of(&self, state: &[u32], reg: u32) -> u32 {
        state.get(reg as usize).copied().unwrap_or(self.init)
    }
}

impl Model for MultiRegister {
    type State = Vec<u32>;
    type Input = Arc<[Micro]>;
    type Pending = ();

    fn new(init: Option<&Value>, nil_read: NilRead) -> Result<Self, ModelError> {
        let mut values = Interner::default();
        let init = init.map_or(0, |v| values.id(v));
        Ok(MultiRegister {
            regs: Interner::default(),
            values,
            init,
            nil_read,
        })
    }

    fn parse(&mut self, op: &Op) -> Result<Option<Arc<[Micro]>>, ModelError> {
        if op.f != "txn" {
            return Err(ModelError::unknown_function("multi-register", &op.f, "txn"));
        }
        let value = if op.value.is_null() {
            argument(op)
        } else {
            &op.value
        };
        let mut out = Vec::new();
        for (write, k, v) in micro_ops(value)? {
            if !write && v.is_null() && self.nil_read == NilRead::Wildcard {
                continue;
            }
            let (reg, val) = (self.regs.id(k), self.values.id(v));
            out.push(Micro { write, reg, val });
        }
        Ok((!out.is_empty()).then(|| out.into()))
    }

    fn open(&self, input: &Arc<[Micro]>) -> Option<Arc<[Micro]>> {
        let writes: Vec<Micro> = input.iter().copied().filter(|m| m.write).collect();
        (!writes.is_empty()).then(|| writes.into())
    }

    fn is_pure(&self, input: &Arc<[Micro]>) -> bool {
        input.iter().all(|m| !m.write)
    }

    fn init(&self) -> Vec<u32> {
        vec![self.init; self.regs_len()]
    }

    fn step(&self, state: &Vec<u32>, input: &Arc<[Micro]>) -> Option<Vec<u32>> {
        let mut next: Option<Vec<u32>> = None;
        for m in input.iter() {
            let cur = next.as_deref().unwrap_or(state);
            if m.write {
                set(
                    next.get_or_insert_with(|| state.clone()),
                    m.reg,
                    m.val,
                    self.init,
                );
            } else if self.value_of(cur, m.reg) != m.val {
                return None;
            }
        }
        Some(next.unwrap_or_else(|| state.clone()))
    }

    fn describe_state(&self, state: &Vec<u32>) -> String {
        let held: BTreeMap<&Value, &Value> = (1..self.regs_len() as u32)
            .map(|r| {
                (
                    self.regs.value(r),
                    self.values.value(self.value_of(state, r)),
                )
            })
            .collect();
        let parts: Vec<String> = held.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        format!("the registers hold {{{}}}", parts.join(", "))
    }

    fn describe_input(&self, input: &Arc<[Micro]>) -> String {
        let parts: Vec<String> = input.iter().map(|m| self.show_micro(m)).collect();
        format!("txn [{}]", parts.join(", "))
    }

    fn reason(&self, state: &Vec<u32>, input: &Arc<[Micro]>) -> String {
        let mut cur = state.clone();
        for m in input.iter() {
            if m.write {
                set(&mut cur, m.reg, m.val, self.init);
            } else if self.value_of(&cur, m.reg) != m.val {
                return format!(
                    "{} is impossible because register {} holds {}",
                    self.show_micro(m),
                    self.regs.value(m.reg),
                    self.values.value(self.value_of(&cur, m.reg))
                );
            }
        }
        "the transaction is possible".to_string()
    }
}

impl MultiRegister {
    /// Number of register slots (slot 0 is the interner's `null`, unused unless a register is
    /// literally named `null`).
    fn regs_len(&self) -> usize {
        self.regs.len()
    }
}

fn set(state: &mut Vec<u32>, reg: u32, val: u32, init: u32) {
    let i = reg as usize;
    if i >= state.len() {
        state.resize(i + 1, init);
    }
    state[i] = val;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lin::models::test_op;

    fn txn(ms: &[(&str, &str, Value)]) -> Value {
        Value::List(
            ms.iter()
                .map(|(f, k, v)| Value::List(vec![(*f).into(), (*k).into(), v.clone()]))
                .collect(),
        )
    }

    #[test]
    fn transactions_read_their_own_writes_and_check_reads() {
        let mut m = MultiRegister::new(None, NilRead::Literal).unwrap();
        let w = txn(&[("write", "x", 1.into()), ("read", "x", 1.into())]);
        let w = m.parse(&test_op("txn", w.clone(), w)).unwrap().unwrap();
        let r = txn(&[("read", "x", 1.into()), ("read", "y", Value::Null)]);
        let r = m.parse(&test_op("txn", Value::Null, r)).unwrap().unwrap();
        let s0 = m.init();
        assert_eq!(m.step(&s0, &r), None);
        let s1 = m.step(&s0, &w).unwrap();
        assert!(m.step(&s1, &r).is_some());
        assert!(m.describe_state(&s1).contains("\"x\" = 1"));
        assert!(m.reason(&s0, &r).contains("register \"x\" holds null"));
    }

    #[test]
    fn wildcard_reads_vanish_and_open_txns_keep_writes() {
        let mut m = MultiRegister::new(None, NilRead::Wildcard).unwrap();
        let only_nil = txn(&[("read", "x", Value::Null)]);
        assert_eq!(
            m.parse(&test_op("txn", Value::Null, only_nil)).unwrap(),
            None
        );
        let mixed = txn(&[("read", "x", 3.into()), ("write", "y", 4.into())]);
        let t = m
            .parse(&test_op("txn", Value::Null, mixed))
            .unwrap()
            .unwrap();
        let open = m.open(&t).unwrap();
        assert_eq!(open.len(), 1);
        assert!(open[0].write);
        assert!(m
            .parse(&test_op("txn", Value::Int(1), Value::Int(1)))
            .is_err());
        assert!(m.parse(&test_op("read", Value::Null, Value::Null)).is_err());
    }
}
