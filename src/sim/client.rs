//! Client processes: each is bound to one coordinator, takes operations from the shared generator,
//! performs them over the simulated network and records invocation and completion.
//!
//! Outcomes are honest: `ok` when the store answered with a result; `fail` only when the request
//! certainly had no effect (the coordinator could not be reached, or answered `Unavailable`);
//! `info` otherwise (timeout, lost connection, unexpected answer). A process whose operation ended
//! `info` is retired: the slot continues as process `p + clients`, Jepsen-style. Every request
//! carries the history index of its invocation, so the store's events name the operation.

use super::clock::sim_now_ns;
use super::recorder::{Completion, Recorder};
use super::values;
use super::workload::{Generator, OpSpec};
use crate::store::cell::Cell;
use crate::store::metrics::Metrics;
use crate::store::pool::{Pool, RpcError};
use crate::store::proto::{Request, Response};
use quorumlab_checkers::{EventType, Value};
use std::cell::{Cell as StdCell, RefCell};
use std::rc::Rc;
use std::time::Duration;

/// How long a client waits after a definite failure before its next operation.
pub const FAIL_BACKOFF: Duration = Duration::from_millis(100);

/// What every client of a run shares.
pub struct ClientShared {
    /// The history.
    pub recorder: Rc<RefCell<Recorder>>,
    /// The operations to perform.
    pub generator: Rc<RefCell<Generator>>,
    /// Client slots that have finished.
    pub finished: Rc<StdCell<usize>>,
    /// Number of client slots (the process-id stride).
    pub clients: usize,
    /// Port of the store.
    pub port: u16,
    /// Dial deadline.
    pub connect_timeout: Duration,
    /// Operation deadline.
    pub op_timeout: Duration,
    /// Bytes per written value.
    pub value_bytes: usize,
}

/// A connection to one coordinator, used by one client slot.
pub struct Session {
    pool: Pool,
    coordinator: String,
    op_timeout: Duration,
    value_bytes: usize,
}

impl Session {
    /// A session with `coordinator`.
    pub fn new(
        coordinator: &str,
        port: u16,
        connect_timeout: Duration,
        op_timeout: Duration,
    ) -> Self {
        Session {
            pool: Pool::new(port, connect_timeout, Rc::new(Metrics::default())),
            coordinator: coordinator.to_string(),
            op_timeout,
            value_bytes: values::ID_BYTES,
        }
    }

    /// Written values get `n` bytes (at least the 8 bytes of their id).
    pub fn with_value_bytes(mut self, n: usize) -> Self {
        self.value_bytes = n;
        self
    }

    /// Send one client request to the coordinator and wait for its answer (unrecorded).
    pub async fn call(&self, req: Request) -> Result<Response, RpcError> {
        self.pool
            .call(&self.coordinator, req, self.op_timeout)
            .await
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
        let trace = Some(index);
        let req = match op {
            OpSpec::Read { key } => Request::ClientRead { key, trace },
            OpSpec::Write { key, value } => Request::ClientWrite {
                key,
                value: values::encode(key, value, self.value_bytes),
                trace,
            },
            OpSpec::Delete { key } => Request::ClientDelete { key, trace },
        };
        let answer = self.call(req).await;
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
            Ok(Response::ReadOk { cell }) => {
                let (value, ts) = read_value(key, cell.as_ref());
                done(EventType::Ok, value, ts, None)
            }
            Ok(Response::WriteOk { ts }) => done(EventType::Ok, arg, Some(ts), None),
            Ok(Response::Error(e)) if e.is_definite() => {
                done(EventType::Fail, arg, None, Some(e.to_string()))
            }
            Ok(Response::Error(e)) => done(EventType::Info, arg, None, Some(e.to_string())),
            Ok(other) => done(
                EventType::Info,
                arg,
                None,
                Some(format!("unexpected answer {other:?}")),
            ),
            Err(e @ RpcError::Unreachable(_)) => {
                done(EventType::Fail, arg, None, Some(e.to_string()))
            }
            Err(e) => done(EventType::Info, arg, None, Some(e.to_string())),
        };
        let kind = completion.kind;
        recorder
            .borrow_mut()
            .complete(sim_now_ns(), process, f, key, completion);
        kind
    }
}

/// What a read of `key` returned, as the history records it: the value's id (`null` for a
/// tombstone or an absent key) and the cell's timestamp (absent only for an absent key). Bytes
/// that are not any client's value are recorded as the string `corrupt: …`, which no write wrote.
pub fn read_value(key: i64, cell: Option<&Cell>) -> (Value, Option<u64>) {
    match cell {
        None => (Value::Null, None),
        Some(c) => match &c.value {
            None => (Value::Null, Some(c.ts)),
            Some(bytes) => match values::decode(key, bytes) {
                Ok(id) => (Value::Int(id), Some(c.ts)),
                Err(e) => (Value::Str(format!("corrupt: {e}")), Some(c.ts)),
            },
        },
    }
}

/// The software of one client slot: perform operations until the main phase is over.
pub async fn run_slot(
    slot: usize,
    coordinator: String,
    shared: Rc<ClientShared>,
) -> turmoil::Result {
    let session = Session::new(
        &coordinator,
        shared.port,
        shared.connect_timeout,
        shared.op_timeout,
    )
    .with_value_bytes(shared.value_bytes);
    let mut process = slot as u64;
    loop {
        let now = turmoil::sim_elapsed().unwrap_or_default();
        let op = shared.generator.borrow_mut().next_op(now);
        let Some(op) = op else { break };
        let outcome = session.perform(&shared.recorder, process, op).await;
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
