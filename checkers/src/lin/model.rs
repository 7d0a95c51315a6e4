//! The sequential specification an object is checked against.
//!
//! A [`Model`] is Wing & Gong's (1993) sequential specification: an initial state and a partial
//! step function. The search asks only `step(state, input)`; everything else — parsing operations,
//! deciding which operations constrain nothing, describing states — happens once, before or after
//! the search, so the inner loop stays allocation-free for the register models.
//!
//! Guarantees every model keeps:
//! - `parse` is total over input data: a malformed operation is an `Err` naming the problem, never a
//!   panic;
//! - `Ok(None)` from `parse` means "constrains nothing and changes nothing" (e.g. a read of `null`
//!   under [`NilRead::Wildcard`]); dropping such an operation cannot change the verdict;
//! - `open` gives the operation as it is when its outcome is unknown (Jepsen's `info`): it may take
//!   effect at any point after its invocation, or never. Reads become `None` (their result is
//!   unknown, they change nothing); writes stay;
//! - states are cheap to clone and hash (values are interned into a per-partition table).

use super::bitset::FxHasher;
use super::entries::Item;
use super::NilRead;
use crate::ops::Op;
use crate::value::Value;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash};

/// Why a model cannot take an operation or an initial value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The model has no such function.
    #[error("the {model} model has no operation {f} (expected {expected}){}", suggest(.suggestion))]
    UnknownFunction {
        /// The model's name.
        model: &'static str,
        /// The function, quoted and cut.
        f: String,
        /// The functions it has, in words.
        expected: &'static str,
        /// Another model that has the function, if one does.
        suggestion: Option<&'static str>,
    },
    /// A value has the wrong shape.
    #[error("{what} must be {expected}, got {got}")]
    BadValue {
        /// What the value is.
        what: &'static str,
        /// The shape it must have.
        expected: &'static str,
        /// What it is, cut.
        got: String,
    },
}

impl ModelError {
    /// An unknown function `f` for `model`.
    pub fn unknown_function(model: &'static str, f: &str, expected: &'static str) -> ModelError {
        ModelError::UnknownFunction {
            model,
            f: crate::error::quoted(f),
            expected,
            suggestion: model_with(f).filter(|m| *m != model),
        }
    }

    /// `got` is not `expected` for `what`.
    pub fn bad_value(what: &'static str, expected: &'static str, got: &Value) -> ModelError {
        ModelError::BadValue {
            what,
            expected,
            got: crate::error::excerpt(&got.to_string()).into_owned(),
        }
    }
}

/// The model that has function `f`, for a hint when a history uses one the chosen model lacks.
pub fn model_with(f: &str) -> Option<&'static str> {
    match f {
        "cas" => Some("cas-register"),
        "get" | "put" | "append" => Some("kv"),
        "txn" => Some("multi-register"),
        "acquire" | "release" => Some("mutex"),
        "read" | "write" | "delete" => Some("register"),
        _ => None,
    }
}

/// `; the M model has it (--model M)`, or nothing.
fn suggest(model: &Option<&'static str>) -> String {
    match model {
        Some(m) => format!("; the {m} model has it: check with --model {m}"),
        None => String::new(),
    }
}

/// One operation ready for the search.
#[derive(Clone, Debug)]
pub struct Prepared<I> {
    /// The model's view of the operation.
    pub input: I,
    /// Real-time rank of the invocation.
    pub call: u64,
    /// Real-time rank of the completion; `None` when open until the end of the history.
    pub ret: Option<u64>,
    /// Index of the operation in the checked `&[Op]` slice.
    pub op: usize,
}

/// A sequential specification (Wing & Gong 1993; Porcupine's `Model`; Knossos's `Model`).
pub trait Model: Clone + Send + Sized {
    /// A state of the object. Cloned on every step the search takes, so keep it small.
    type State: Clone + Eq + Hash + Send;
    /// One operation as the model sees it. Equal inputs have equal effects (the search treats
    /// open operations with equal inputs as interchangeable).
    type Input: Clone + Eq + Hash + Send;
    /// Bookkeeping about the operations not linearized yet, for [`Model::doomed`]; `()` when the
    /// model does not look ahead.
    type Pending: Default + Send;

    /// A fresh model for one partition, with its initial value (`None` = absent).
    fn new(init: Option<&Value>, nil_read: NilRead) -> Result<Self, ModelError>;

    /// Interpret a completed operation; `Ok(None)` when it constrains nothing and changes nothing.
    fn parse(&mut self, op: &Op) -> Result<Option<Self::Input>, ModelError>;

    /// The operation with its result unknown (see the module doc); `None` when it then has no
    /// possible effect.
    fn open(&self, input: &Self::Input) -> Option<Self::Input>;

    /// Whether the operation never changes the state (a read): wherever `step` allows it, it
    /// returns the state unchanged. The search linearizes such operations as soon as they are
    /// possible and never branches on them.
    fn is_pure(&self, _input: &Self::Input) -> bool {
        false
    }

    /// Whether taking `input` next, in `state`, can never close off a linearization: if one
    /// extends the current configuration, one extends it with `input` next. The search then takes
    /// it without branching. Models must justify every `true` (see the register's unread values).
    fn absorbed(&self, _state: &Self::State, _input: &Self::Input) -> bool {
        false
    }

    /// Record that the operation `item` is not linearized (yet, or any more).
    fn add_pending(&self, _pending: &mut Self::Pending, _item: &Item<Self::Input>) {}

    /// Record that the operation `item` has been linearized.
    fn remove_pending(&self, _pending: &mut Self::Pending, _item: &Item<Self::Input>) {}

    /// Look-ahead: whether moving from state `from` to `to` strands an operation that must still
    /// be linearized (e.g. overwrites the only value a pending read can return, with nothing left
    /// that could write it again). Every `true` must be a proof that no linearization continues
    /// this way; the search then does not take the step.
    fn doomed(&self, _pending: &Self::Pending, _from: &Self::State, _to: &Self::State) -> bool {
        false
    }

    /// Optionally simplify the prepared operations of a partition before the search: drop open
    /// operations that provably cannot matter, or merge states no operation can tell apart.
    /// Never needed for soundness.
    fn prune(&mut self, _ops: &mut Vec<Prepared<Self::Input>>) {}

    /// Undo the state merging of [`Model::prune`] (dropped operations stay dropped), so that a
    /// violation report names the real values. The answer does not change.
    fn unmerge(&mut self, _ops: &mut [Prepared<Self::Input>]) {}

    /// The initial state.
    fn init(&self) -> Self::State;

    /// The state after `input`, or `None` when `input` is impossible in `state`.
    fn step(&self, state: &Self::State, input: &Self::Input) -> Option<Self::State>;

    /// The state in words, e.g. `the register holds 9`.
    fn describe_state(&self, state: &Self::State) -> String;

    /// The operation in words, e.g. `write 5`.
    fn describe_input(&self, input: &Self::Input) -> String;

    /// Why `input` is impossible in `state`, in words.
    fn reason(&self, state: &Self::State, input: &Self::Input) -> String {
        format!(
            "{} is impossible when {}",
            self.describe_input(input),
            self.describe_state(state)
        )
    }
}

/// Interns values as dense `u32` ids so register states are plain integers. Id 0 is `null`.
#[derive(Clone, Debug)]
pub struct Interner {
    ids: HashMap<Value, u32, BuildHasherDefault<FxHasher>>,
    values: Vec<Value>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut ids = HashMap::default();
        ids.insert(Value::Null, 0);
        Interner {
            ids,
            values: vec![Value::Null],
        }
    }
}

impl Interner {
    /// The id of `v`, allocating one when new.
    pub fn id(&mut self, v: &Value) -> u32 {
        if let Some(&id) = self.ids.get(v) {
            return id;
        }
        let id = self.values.len() as u32;
        self.values.push(v.clone());
        self.ids.insert(v.clone(), id);
        id
    }

    /// Number of ids handed out, counting `null`'s id 0.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether only `null` is interned.
    pub fn is_empty(&self) -> bool {
        self.values.len() == 1
    }

    /// The value of an id handed out by [`Interner::id`].
    pub fn value(&self, id: u32) -> &Value {
        self.values.get(id as usize).unwrap_or(&Value::Null)
    }
}

/// The argument of a write-like operation: the invocation's value, or the completion's when the
/// invocation carried none.
pub fn argument(op: &Op) -> &Value {
    if op.invoke_value.is_null() {
        &op.value
    } else {
        &op.invoke_value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_function_names_the_model_that_has_it() {
        let e = ModelError::unknown_function("register", "cas", "read, write or delete");
        assert!(
            e.to_string().ends_with("check with --model cas-register"),
            "{e}"
        );
        let e = ModelError::unknown_function("cas-register", "frob", "read, write, delete or cas");
        assert!(!e.to_string().contains("--model"), "{e}");
        let e = ModelError::unknown_function("kv", "read", "get, put or append");
        assert!(e.to_string().contains("--model register"), "{e}");
    }
}
