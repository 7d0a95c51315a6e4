//! The register and the compare-and-set register.
//!
//! State: the register's value, interned (`0` = `null` = absent). Operations (Knossos's
//! `register` and `cas-register`, Porcupine's register examples):
//! - `read` — completes with the value it saw; matches only that state. Under
//!   [`NilRead::Wildcard`] an ok read of `null` matches any state (Knossos's rule for jepsen-edn
//!   histories) and is dropped; under [`NilRead::Literal`] it means "absent".
//! - `write v` — sets the value, always possible.
//! - `delete` — a write of "absent" (`null`, the tombstone of our store): always possible, then the
//!   register holds `null`, so a later read of `null` is explained by the initial state or by any
//!   delete that could have taken effect before it.
//! - `cas [old new]` (cas-register only) — possible only when the value is `old`, then sets `new`.
//!   A `fail`ed cas never happened and never reaches the model.
//!
//! Unread values. A value that no read returns and no cas expects can never be observed, so:
//! - an open (`info`) write or cas of such a value is dropped: if a linearization uses it,
//!   removing it leaves a linearization (nothing observes what it wrote);
//! - all such values share one state, [`UNREAD`] (the operation keeps its own value for reports);
//! - a write of an unread value while the register already holds one is *absorbed*: the search
//!   may take it at once without branching. In any linearization that puts it later, moving it
//!   to the front changes no state up to its old place (it wrote `UNREAD` over `UNREAD`), and from
//!   there the old order continued from `UNREAD`, which nothing can observe — its next
//!   state-dependent operation was a write, valid from any state.
//!
//! Look-ahead ([`Model::doomed`]): leaving a value that a completed read or cas not linearized
//! yet still needs, when no operation left could write that value again, strands that read — no
//! linearization continues that way, so the search does not take the step.

use crate::lin::entries::Item;
use crate::lin::model::{argument, Interner, Model, ModelError, Prepared};
use crate::lin::NilRead;
use crate::ops::Op;
use crate::value::Value;

/// The state shared by every value that no operation ever observes.
pub const UNREAD: u32 = u32::MAX;

/// A register operation over interned values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegOp {
    /// A read that returned this value.
    Read(u32),
    /// A write: the state it leaves (the value, or [`UNREAD`]) and the value written.
    Write(u32, u32),
    /// Compare-and-set: expected, the state it leaves (new value or [`UNREAD`]), new value.
    Cas(u32, u32, u32),
}

/// Counts of the operations not linearized yet, per value id: completed reads and cas that need
/// the value, and writes and cas (completed or open) that can make it.
#[derive(Clone, Debug, Default)]
pub struct Needs {
    need: Vec<u32>,
    make: Vec<u32>,
}

fn count(counts: &mut Vec<u32>, id: u32, add: bool) {
    if id == UNREAD {
        return;
    }
    let i = id as usize;
    if i >= counts.len() {
        counts.resize(i + 1, 0);
    }
    if add {
        counts[i] += 1;
    } else {
        counts[i] -= 1;
    }
}

fn track(p: &mut Needs, input: &RegOp, required: bool, add: bool) {
    match *input {
        RegOp::Read(v) if required => count(&mut p.need, v, add),
        RegOp::Read(_) => {}
        RegOp::Write(to, _) => count(&mut p.make, to, add),
        RegOp::Cas(old, to, _) => {
            if required {
                count(&mut p.need, old, add);
            }
            count(&mut p.make, to, add);
        }
    }
}

/// The register model; `CAS = true` is the cas-register.
#[derive(Clone, Debug)]
pub struct RegisterModel<const CAS: bool> {
    values: Interner,
    init: u32,
    /// The initial value, even when merged into [`UNREAD`].
    init_value: u32,
    nil_read: NilRead,
}

/// Knossos's `register`: read and write.
pub type Register = RegisterModel<false>;
/// Knossos's `cas-register`: read, write and compare-and-set.
pub type CasRegister = RegisterModel<true>;

impl<const CAS: bool> RegisterModel<CAS> {
    fn show(&self, id: u32) -> String {
        if id == UNREAD {
            "a value no read returns".to_string()
        } else {
            crate::error::excerpt(&self.values.value(id).to_string()).into_owned()
        }
    }
}

impl<const CAS: bool> Model for RegisterModel<CAS> {
    type State = u32;
    type Input = RegOp;
    type Pending = Needs;

    fn new(init: Option<&Value>, nil_read: NilRead) -> Result<Self, ModelError> {
        let mut values = Interner::default();
        let init = init.map_or(0, |v| values.id(v));
        Ok(RegisterModel {
            values,
            init,
            init_value: init,
            nil_read,
        })
    }

    fn parse(&mut self, op: &Op) -> Result<Option<RegOp>, ModelError> {
        match op.f.as_str() {
            "read" => {
                if op.value.is_null() && self.nil_read == NilRead::Wildcard {
                    return Ok(None);
                }
                Ok(Some(RegOp::Read(self.values.id(&op.value))))
            }
            "write" => {
                let v = self.values.id(argument(op));
                Ok(Some(RegOp::Write(v, v)))
            }
            "delete" => {
                let absent = self.values.id(&Value::Null);
                Ok(Some(RegOp::Write(absent, absent)))
            }
            "cas" if CAS => match argument(op).as_list() {
                Some([old, new]) => {
                    let new = self.values.id(new);
                    Ok(Some(RegOp::Cas(self.values.id(old), new, new)))
                }
                _ => Err(ModelError::bad_value(
                    "a cas value",
                    "[old new]",
                    argument(op),
                )),
            },
            f if CAS => Err(ModelError::unknown_function(
                "cas-register",
                f,
                "read, write, delete or cas",
            )),
            f => Err(ModelError::unknown_function(
                "register",
                f,
                "read, write or delete",
            )),
        }
    }

    fn open(&self, input: &RegOp) -> Option<RegOp> {
        match input {
            RegOp::Read(_) => None,
            other => Some(*other),
        }
    }

    fn is_pure(&self, input: &RegOp) -> bool {
        matches!(input, RegOp::Read(_))
    }

    fn prune(&mut self, ops: &mut Vec<Prepared<RegOp>>) {
        let mut observed = vec![false; self.values.len()];
        for p in ops.iter() {
            if let RegOp::Read(v) | RegOp::Cas(v, _, _) = p.input {
                observed[v as usize] = true;
            }
        }
        let is_seen = |v: u32| observed.get(v as usize).copied().unwrap_or(false);
        let seen = |v: u32| if is_seen(v) { v } else { UNREAD };
        ops.retain(|p| match p.input {
            RegOp::Write(_, v) | RegOp::Cas(_, _, v) => p.ret.is_some() || is_seen(v),
            RegOp::Read(_) => true,
        });
        for p in ops.iter_mut() {
            p.input = match p.input {
                RegOp::Write(_, v) => RegOp::Write(seen(v), v),
                RegOp::Cas(old, _, v) => RegOp::Cas(old, seen(v), v),
                read => read,
            };
        }
        self.init = seen(self.init);
    }

    fn unmerge(&mut self, ops: &mut [Prepared<RegOp>]) {
        for p in ops.iter_mut() {
            p.input = match p.input {
                RegOp::Write(_, v) => RegOp::Write(v, v),
                RegOp::Cas(old, _, v) => RegOp::Cas(old, v, v),
                read => read,
            };
        }
        self.init = self.init_value;
    }

    fn init(&self) -> u32 {
        self.init
    }

    #[inline]
    fn step(&self, state: &u32, input: &RegOp) -> Option<u32> {
        match *input {
            RegOp::Read(v) => (v == *state).then_some(v),
            RegOp::Write(to, _) => Some(to),
            RegOp::Cas(old, to, _) => (old == *state).then_some(to),
        }
    }

    #[inline]
    fn absorbed(&self, state: &u32, input: &RegOp) -> bool {
        *state == UNREAD && matches!(input, RegOp::Write(UNREAD, _))
    }

    fn add_pending(&self, p: &mut Needs, item: &Item<RegOp>) {
        track(p, &item.input, item.required, true);
    }

    fn remove_pending(&self, p: &mut Needs, item: &Item<RegOp>) {
        track(p, &item.input, item.required, false);
    }

    #[inline]
    fn doomed(&self, p: &Needs, from: &u32, to: &u32) -> bool {
        let at = |c: &Vec<u32>| c.get(*from as usize).copied().unwrap_or(0);
        from != to && *from != UNREAD && at(&p.need) > 0 && at(&p.make) == 0
    }

    fn describe_state(&self, state: &u32) -> String {
        if *state == UNREAD {
            "the register holds a value that no read returns".to_string()
        } else if *state == 0 {
            "the register is empty (null)".to_string()
        } else {
            format!("the register holds {}", self.show(*state))
        }
    }

    fn describe_input(&self, input: &RegOp) -> String {
        match *input {
            RegOp::Read(v) => format!("read {}", self.show(v)),
            RegOp::Write(_, 0) => "delete (write null)".to_string(),
            RegOp::Write(_, v) => format!("write {}", self.show(v)),
            RegOp::Cas(old, _, new) => format!("cas {} -> {}", self.show(old), self.show(new)),
        }
    }

    fn reason(&self, state: &u32, input: &RegOp) -> String {
        match *input {
            RegOp::Read(v) => format!(
                "a read returning {} is impossible because {}",
                self.show(v),
                self.describe_state(state)
            ),
            RegOp::Cas(old, _, _) => format!(
                "the cas expected {} but {}",
                self.show(old),
                self.describe_state(state)
            ),
            RegOp::Write(..) => "a write is always possible".to_string(),
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
    fn delete_writes_null() {
        let mut m = Register::new(Some(&Value::Int(4)), NilRead::Literal).unwrap();
        let d = m
            .parse(&test_op("delete", Value::Null, Value::Null))
            .unwrap()
            .unwrap();
        let r_nil = m
            .parse(&test_op("read", Value::Null, Value::Null))
            .unwrap()
            .unwrap();
        let s0 = m.init();
        assert_eq!(m.step(&s0, &r_nil), None, "init 4 is not absent");
        let s1 = m.step(&s0, &d).unwrap();
        assert_eq!(m.step(&s1, &r_nil), Some(s1));
        assert_eq!(m.describe_input(&d), "delete (write null)");
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
        assert!(m.parse(&bad).unwrap_err().to_string().contains("[old new]"));
        let mut plain = Register::new(None, NilRead::Literal).unwrap();
        assert!(plain
            .parse(&cas)
            .unwrap_err()
            .to_string()
            .contains("no operation \"cas\""));
    }

    #[test]
    fn open_reads_vanish_and_unread_values_collapse() {
        let mut m = CasRegister::new(None, NilRead::Literal).unwrap();
        for v in 1..=4 {
            assert_eq!(m.values.id(&Value::Int(v)), v as u32);
        }
        assert_eq!(m.open(&RegOp::Read(3)), None);
        assert_eq!(m.open(&RegOp::Write(3, 3)), Some(RegOp::Write(3, 3)));
        let p = |input, ret| Prepared {
            input,
            call: 0,
            ret,
            op: 0,
        };
        let mut ops = vec![
            p(RegOp::Write(1, 1), None),    // open, observed by the read: kept
            p(RegOp::Write(2, 2), None),    // open, never observed: pruned
            p(RegOp::Write(3, 3), Some(5)), // completed, never observed: kept, leaves UNREAD
            p(RegOp::Cas(1, 4, 4), None),   // open cas writing unobserved 4: pruned
            p(RegOp::Read(1), Some(9)),
        ];
        m.prune(&mut ops);
        let kept: Vec<RegOp> = ops.iter().map(|p| p.input).collect();
        assert_eq!(
            kept,
            vec![RegOp::Write(1, 1), RegOp::Write(UNREAD, 3), RegOp::Read(1)]
        );
        // Nobody reads the initial null either, so the register starts UNREAD, and a write of an
        // unread value there is absorbed; a write of a read value is not.
        assert_eq!(m.init(), UNREAD);
        assert!(m.absorbed(&UNREAD, &kept[1]));
        assert!(!m.absorbed(&UNREAD, &kept[0]));
        assert!(!m.absorbed(&1, &kept[1]));
        assert_eq!(m.describe_input(&kept[1]), "write 3");
    }
}
