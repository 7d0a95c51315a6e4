//! The mutex model (Knossos's `mutex`): a lock that is free or held.
//!
//! - `acquire` — possible only when free; then held;
//! - `release` — possible only when held; then free.
//!
//! Values are ignored, and so is who holds the lock (as in Knossos). An open acquire or release
//! may take effect or not. The initial state is free unless `--init` is `true` (held).

use crate::lin::model::{Model, ModelError};
use crate::lin::NilRead;
use crate::ops::Op;
use crate::value::Value;

/// A lock operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LockOp {
    /// Take the lock.
    Acquire,
    /// Give it back.
    Release,
}

/// The mutex model.
#[derive(Clone, Copy, Debug)]
pub struct Mutex {
    init: bool,
}

impl Model for Mutex {
    type State = bool;
    type Input = LockOp;
    type Pending = ();

    fn new(init: Option<&Value>, _nil_read: NilRead) -> Result<Self, ModelError> {
        match init {
            None | Some(Value::Null) | Some(Value::Bool(false)) => Ok(Mutex { init: false }),
            Some(Value::Bool(true)) => Ok(Mutex { init: true }),
            Some(other) => Err(ModelError::bad_value(
                "the mutex's initial value",
                "true (held) or false (free)",
                other,
            )),
        }
    }

    fn parse(&mut self, op: &Op) -> Result<Option<LockOp>, ModelError> {
        match op.f.as_str() {
            "acquire" | "lock" => Ok(Some(LockOp::Acquire)),
            "release" | "unlock" => Ok(Some(LockOp::Release)),
            f => Err(ModelError::unknown_function(
                "mutex",
                f,
                "acquire or release",
            )),
        }
    }

    fn open(&self, input: &LockOp) -> Option<LockOp> {
        Some(*input)
    }

    fn init(&self) -> bool {
        self.init
    }

    fn step(&self, held: &bool, input: &LockOp) -> Option<bool> {
        match input {
            LockOp::Acquire => (!*held).then_some(true),
            LockOp::Release => (*held).then_some(false),
        }
    }

    fn describe_state(&self, held: &bool) -> String {
        if *held {
            "the lock is held".to_string()
        } else {
            "the lock is free".to_string()
        }
    }

    fn describe_input(&self, input: &LockOp) -> String {
        match input {
            LockOp::Acquire => "acquire".to_string(),
            LockOp::Release => "release".to_string(),
        }
    }

    fn reason(&self, held: &bool, input: &LockOp) -> String {
        format!(
            "{} is impossible because {}",
            self.describe_input(input),
            self.describe_state(held)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lin::models::test_op;

    #[test]
    fn acquire_needs_free_and_release_needs_held() {
        let mut m = Mutex::new(None, NilRead::Literal).unwrap();
        let a = m
            .parse(&test_op("acquire", Value::Null, Value::Null))
            .unwrap()
            .unwrap();
        let r = m
            .parse(&test_op("release", Value::Null, Value::Null))
            .unwrap()
            .unwrap();
        let s = m.init();
        assert_eq!(m.step(&s, &r), None);
        let held = m.step(&s, &a).unwrap();
        assert_eq!(m.step(&held, &a), None, "double acquire");
        assert_eq!(m.step(&held, &r), Some(false));
        assert!(m.parse(&test_op("read", Value::Null, Value::Null)).is_err());
        assert!(Mutex::new(Some(&Value::Int(2)), NilRead::Literal).is_err());
        assert!(Mutex::new(Some(&Value::Bool(true)), NilRead::Literal)
            .unwrap()
            .init());
    }
}
