//! The register and the compare-and-set register.
//!
//! State: the register's value, interned (`0` = `null` = absent). Operations (Knossos's
//! `register` and `cas-register`, Porcupine's register examples):
//! - `read` — completes with the value it saw; matches only that state. Under
//!   [`NilRead::Wildcard`] an ok read of `null` matches any state (Knossos's rule for jepsen-edn
//!   histories) and is dropped; under [`NilRead::Literal`] it means "absent".
//! - `write v` — sets the value, always possible.
//! - `cas [old new]` (cas-register only) — possible only when the value is `old`, then sets `new`.
//!   A `fail`ed cas never happened and never reaches the model.
//!
//! Pruning: an open (`info`) write or cas whose new value no read and no cas ever expects can be
//! dropped — if a linearization uses it, removing it leaves a linearization, because nothing in
//! the history can observe the value it wrote.

use crate::lin::model::{argument, Interner, Model, Prepared};
use crate::lin::NilRead;
use crate::ops::Op;
use crate::value::Value;
use std::collections::HashSet;

/// A register operation over interned values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegOp {
    /// A read that returned this value.
    Read(u32),
    /// A write of this value.
    Write(u32),
    /// Compare-and-set: expected, new.
    Cas(u32, u32),
}

/// The register model; `CAS = true` is the cas-register.
#[derive(Clone, Debug)]
pub struct RegisterModel<const CAS: bool> {
    values: Interner,
    init: u32,
    nil_read: NilRead,
}

/// Knossos's `register`: read and write.
pub type Register = RegisterModel<false>;
/// Knossos's `cas-register`: read, write and compare-and-set.
pub type CasRegister = RegisterModel<true>;

impl<const CAS: bool> RegisterModel<CAS> {
    fn show(&self, id: u32) -> String {
        self.values.value(id).to_string()
    }
}

impl<const CAS: bool> Model for RegisterModel<CAS> {
    type State = u32;
    type Input = RegOp;

    fn new(init: Option<&Value>, nil_read: NilRead) -> Result<Self, String> {
        let mut values = Interner::default();
        let init = init.map_or(0, |v| values.id(v));
        Ok(RegisterModel {
            values,
            init,
            nil_read,
        })
    }

    fn parse(&mut self, op: &Op) -> Result<Option<RegOp>, String> {
        match op.f.as_str() {
            "read" => {
                if op.value.is_null() && self.nil_read == NilRead::Wildcard {
                    return Ok(None);
                }
                Ok(Some(RegOp::Read(self.values.id(&op.value))))
            }
            "write" => Ok(Some(RegOp::Write(self.values.id(argument(op))))),
            "cas" if CAS => match argument(op).as_list() {
                Some([old, new]) => Ok(Some(RegOp::Cas(self.values.id(old), self.values.id(new)))),
                _ => Err(format!("cas needs a value [old new], got {}", argument(op))),
            },
            f => Err(format!(
                "the {} model has no operation {f:?} (expected read, write{})",
                if CAS { "cas-register" } else { "register" },
                if CAS { " or cas" } else { "" }
            )),
        }
    }

    fn open(&self, input: &RegOp) -> Option<RegOp> {
        match input {
            RegOp::Read(_) => None,
            other => Some(*other),
        }
    }

    fn prune(&self, ops: &mut Vec<Prepared<RegOp>>) {
        let observed: HashSet<u32> = ops
            .iter()
            .filter_map(|p| match p.input {
                RegOp::Read(v) | RegOp::Cas(v, _) => Some(v),
                RegOp::Write(_) => None,
            })
            .collect();
        ops.retain(|p| match p.input {
            RegOp::Write(v) | RegOp::Cas(_, v) => p.ret.is_some() || observed.contains(&v),
            RegOp::Read(_) => true,
        });
    }

    fn init(&self) -> u32 {
        self.init
    }

    #[inline]
    fn step(&self, state: &u32, input: &RegOp) -> Option<u32> {
        match *input {
            RegOp::Read(v) => (v == *state).then_some(v),
            RegOp::Write(v) => Some(v),
            RegOp::Cas(old, new) => (old == *state).then_some(new),
        }
    }

    fn describe_state(&self, state: &u32) -> String {
        if *state == 0 {
            "the register is empty (null)".to_string()
        } else {
            format!("the register holds {}", self.show(*state))
        }
    }

    fn describe_input(&self, input: &RegOp) -> String {
        match *input {
            RegOp::Read(v) => format!("read {}", self.show(v)),
            RegOp::Write(v) => format!("write {}", self.show(v)),
            RegOp::Cas(old, new) => format!("cas {} -> {}", self.show(old), self.show(new)),
        }
    }

    fn reason(&self, state: &u32, input: &RegOp) -> String {
        match *input {
            RegOp::Read(v) => format!(
                "a read returning {} is impossible because {}",
                self.show(v),
                self.describe_state(state)
            ),
            RegOp::Cas(old, _) => format!(
                "the cas expected {} but {}",
                self.show(old),
                self.describe_state(state)
            ),
            RegOp::Write(_) => "a write is always possible".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lin::models::test_op;

    #[test]
    fn read_matches_only_the_current_value() {
        let mut m = Register::new(None, NilRead::Literal).unwrap();
        let w = m
            .parse(&test_op("write", Value::Int(5), Value::Int(5)))
            .unwrap()
            .unwrap();
        let r5 = m
            .parse(&test_op("read", Value::Null, Value::Int(5)))
            .unwrap()
            .unwrap();
        let r_nil = m
            .parse(&test_op("read", Value::Null, Value::Null))
            .unwrap()
            .unwrap();
        let s0 = m.init();
        assert_eq!(m.step(&s0, &r_nil), Some(s0));
        assert_eq!(m.step(&s0, &r5), None);
        let s1 = m.step(&s0, &w).unwrap();
        assert_eq!(m.step(&s1, &r5), Some(s1));
        assert_eq!(m.step(&s1, &r_nil), None);
        assert!(m.reason(&s1, &r_nil).contains("holds 5"));
    }

    #[test]
    fn wildcard_nil_read_is_dropped_and_literal_is_not() {
        let nil_read = test_op("read", Value::Null, Value::Null);
        let mut wild = Register::new(None, NilRead::Wildcard).unwrap();
        assert_eq!(wild.parse(&nil_read).unwrap(), None);
        let mut lit = Register::new(Some(&Value::Int(1)), NilRead::Literal).unwrap();
        let r = lit.parse(&nil_read).unwrap().unwrap();
        assert_eq!(lit.step(&lit.init(), &r), None, "init 1 is not null");
    }

    #[test]
    fn cas_needs_the_expected_value_and_register_rejects_cas() {
        let cas = test_op("cas", Value::List(vec![1.into(), 2.into()]), Value::Null);
        let mut m = CasRegister::new(Some(&Value::Int(1)), NilRead::Literal).unwrap();
        let c = m.parse(&cas).unwrap().unwrap();
        let s = m.step(&m.init(), &c).unwrap();
        assert_eq!(m.values.value(s), &Value::Int(2));
        assert_eq!(m.step(&s, &c), None);
        let bad = test_op("cas", Value::Int(3), Value::Null);
        assert!(m.parse(&bad).unwrap_err().contains("[old new]"));
        let mut plain = Register::new(None, NilRead::Literal).unwrap();
        assert!(plain
            .parse(&cas)
            .unwrap_err()
            .contains("no operation \"cas\""));
    }

    #[test]
    fn open_reads_vanish_and_unobserved_open_writes_are_pruned() {
        let m = CasRegister::new(None, NilRead::Literal).unwrap();
        assert_eq!(m.open(&RegOp::Read(3)), None);
        assert_eq!(m.open(&RegOp::Write(3)), Some(RegOp::Write(3)));
        let p = |input, ret| Prepared {
            input,
            call: 0,
            ret,
            op: 0,
        };
        let mut ops = vec![
            p(RegOp::Write(1), None),    // open, observed by the read: kept
            p(RegOp::Write(2), None),    // open, never observed: pruned
            p(RegOp::Write(3), Some(5)), // completed: kept
            p(RegOp::Cas(1, 4), None),   // open cas writing unobserved 4: pruned
            p(RegOp::Read(1), Some(9)),
        ];
        m.prune(&mut ops);
        let kept: Vec<RegOp> = ops.iter().map(|p| p.input).collect();
        assert_eq!(kept, vec![RegOp::Write(1), RegOp::Write(3), RegOp::Read(1)]);
    }
}
