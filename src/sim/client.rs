//! Client processes: each is bound to one coordinator, takes operations from the shared generator,
//! performs them through the system's [`Client`] and records invocation and completion.
//!
//! Outcomes are honest: `ok` when the store answered with a result; `fail` only when the system
//! reported that the request certainly had no effect ([`Failure::Definite`]); `info` otherwise
//! (the system said it is unsure, or the call outlived the harness's backstop of twice the
//! operation timeout). A process whose operation ended `info` is retired: the slot continues as
//! process `p + clients`, Jepsen-style (on the same client: one client per slot, made once). Every operation carries the history
//! index of its invocation, so the store's events can name it.

use super::clock::sim_now_ns;
use super::recorder::{Completion, Recorder};
use super::values;
use super::workload::{Generator, OpSpec};
use crate::store::cell::Cell;
use crate::sut::{Client, Done, Failure, Op, OpKind, System};
use quorumlab_checkers::{EventType, Value};
use std::cell::{Cell as StdCell, RefCell};
use std::rc::Rc;
use std::time::Duration;

/// How long a client waits after a definite failure before its next operation.
pub const FAIL_BACKOFF: Duration = Duration::from_millis(100);

/// What every client of a run shares.
pub struct ClientShared<S: System + ?Sized> {
    /// The system under test (it makes the clients).
    pub system: Rc<S>,
    /// The history.
    pub recorder: Rc<RefCell<Recorder>>,
    /// The operations to perform.
    pub generator: Rc<RefCell<Generator>>,
    /// Client slots that have finished.
    pub finished: Rc<StdCell<usize>>,
    /// Number of client slots (the process-id stride).
    pub clients: usize,
    /// Operation deadline (the harness's backstop is twice this).
    pub op_timeout: Duration,
    /// Bytes per written value.
    pub value_bytes: usize,
}

/// One client process's handle: the system's client, bound to one coordinator.
pub struct Session {
    client: Box<dyn Client>,
    coordinator: String,
    backstop: Duration,
    value_bytes: usize,
}

impl Session {
    /// A session with `coordinator` of `system`; the harness gives up on a call after twice
    /// `op_timeout`.
    pub fn new<S: System + ?Sized>(system: &S, coordinator: &str, op_timeout: Duration) -> Self {
        Session {
            client: system.client(coordinator),
            coordinator: coordinator.to_string(),
            backstop: op_timeout * 2,
            value_bytes: values::ID_BYTES,
        }
    }

    /// Written values get `n` bytes (at least the 8 bytes of their id).
    pub fn with_value_bytes(mut self, n: usize) -> Self {
        self.value_bytes = n;
        self
    }

    /// Perform `op` as `process`, recording it. Returns how it ended (`Info` retires the process).
    pub async fn perform(
        &self,
        recorder: &RefCell<Recorder>,
        process: u64,
        op: OpSpec,
    ) -> EventType {
        let (f, key, arg) = match op {
            OpSpec::Read { key } => ("read", key, Value::Null),
            OpSpec::Write { key, value } => ("write", key, Value::Int(value)),
            OpSpec::Delete { key } => ("delete", key, Value::Null),
        };
        let index = recorder
            .borrow_mut()
            .invoke(sim_now_ns(), process, f, key, arg.clone());
        let kind = match op {
            OpSpec::Read { .. } => OpKind::Read,
            OpSpec::Write { key, value } => {
                OpKind::Write(values::encode(key, value, self.value_bytes))
            }
            OpSpec::Delete { .. } => OpKind::Delete,
        };
        let call = self.client.call(Op {
            op: index,
            key,
            kind,
        });
        let answer = match tokio::time::timeout(self.backstop, call).await {
            Ok(answer) => answer,
            Err(_) => Err(Failure::Indefinite(format!(
                "no answer within {} ms (harness backstop)",
                self.backstop.as_millis()
            ))),
        };
        let node = Some(self.coordinator.clone());
        let done =
            |kind: EventType, value: Value, ts: Option<u64>, error: Option<String>| Completion {
                kind,
                value,
                ts,
                node: node.clone(),
                error,
            };
        let completion = match answer {
            Ok(Done::Read { value, ts }) => {
                done(EventType::Ok, decode_read(key, value.as_deref()), ts, None)
            }
            Ok(Done::Written { ts }) => done(EventType::Ok, arg, ts, None),
            Err(Failure::Definite(e)) => done(EventType::Fail, arg, None, Some(e)),
            Err(Failure::Indefinite(e)) => done(EventType::Info, arg, None, Some(e)),
        };
        let kind = completion.kind;
        recorder
            .borrow_mut()
            .complete(sim_now_ns(), process, f, key, completion);
        kind
    }
}

/// What a read of `key` returned, as the history records it: the value's id (`null` for no
/// value). Bytes that are not any client's value are recorded as the string `corrupt: …`, which
/// no write wrote.
pub fn decode_read(key: i64, bytes: Option<&[u8]>) -> Value {
    match bytes {
        None => Value::Null,
        Some(bytes) => match values::decode(key, bytes) {
            Ok(id) => Value::Int(id),
            Err(e) => Value::Str(format!("corrupt: {e}")),
        },
    }
}

/// [`decode_read`] of a built-in store cell, with the cell's timestamp (absent only for an absent
/// key).
pub fn read_value(key: i64, cell: Option<&Cell>) -> (Value, Option<u64>) {
    match cell {
        None => (Value::Null, None),
        Some(c) => (decode_read(key, c.value.as_deref()), Some(c.ts)),
    }
}

/// The software of one client slot: perform operations until the main phase is over.
pub async fn run_slot<S: System + ?Sized>(
    slot: usize,
    coordinator: String,
    shared: Rc<ClientShared<S>>,
) -> turmoil::Result {
    let client = Session::new(&*shared.system, &coordinator, shared.op_timeout)
        .with_value_bytes(shared.value_bytes);
    let mut process = slot as u64;
    loop {
        let now = turmoil::sim_elapsed().unwrap_or_default();
        let op = shared.generator.borrow_mut().next_op(now);
        let Some(op) = op else { break };
        let outcome = client.perform(&shared.recorder, process, op).await;
        if outcome == EventType::Info {
            process += shared.clients as u64;
        }
        let mut pause = shared.generator.borrow_mut().think_time();
        if outcome == EventType::Fail {
            // Back off: a crashed or cut-off coordinator refuses at once, and retrying at full
            // speed would spend the whole workload on refusals.
            pause += FAIL_BACKOFF;
        }
        tokio::time::sleep(pause).await;
    }
    shared.finished.set(shared.finished.get() + 1);
    Ok(())
}
