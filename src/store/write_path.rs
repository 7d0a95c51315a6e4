//! The coordinator's write path (writes and deletes; a delete writes a tombstone): the I/O around
//! the pure decisions of [`decide::write`] and [`decide::acks`].
//!
//! 1. Find which of the key's replicas are reachable; [`decide::write::write_plan`] refuses the
//!    write when fewer than the write consistency level needs are (`Unavailable` — nothing was
//!    sent, a definite failure), and otherwise says which replicas get the cell and which a hint.
//! 2. Take a timestamp (strictly increasing per coordinator), send the cell to every reachable
//!    replica (primary delivery; the coordinator applies its own copy directly).
//! 3. Feed every answer to the plan's acknowledgement counter ([`decide::Acks`]): reply `WriteOk`
//!    as soon as enough replicas acknowledged durably; if every answer came and too few
//!    acknowledged, or the deadline passes first, reply `Timeout` — indeterminate, since some
//!    replicas may have applied it.
//!
//! Deliveries continue in the background after the reply; every replica that was unreachable or did
//! not acknowledge gets a hint (hinted handoff), replayed when it is reachable again. A hint is not
//! an acknowledgement: it never counts toward the consistency level.

use super::cell::{Bytes, Cell, Key};
use super::config::Mutant;
use super::decide::write::Delivery;
use super::decide::{self, Failure, Verdict};
use super::events::{OpKind, StoreEvent, Trace};
use super::proto::{ClientError, Request, Response, WriteKind};
use super::replicas::{reach_all, send};
use super::state::Node;
use std::rc::Rc;
use tokio::sync::mpsc;
use tokio::time::{timeout_at, Instant};

/// Coordinate a client write of `value` to `key` (`None`: delete the key).
pub async fn write(node: &Rc<Node>, key: Key, value: Option<Bytes>, trace: Trace) -> Response {
    let deadline = Instant::now() + node.request_timeout();
    let replicas = node.ring().replicas(key);
    let needed = node.required(node.config().write_cl);
    let sloppy = node.planted(Mutant::SloppyQuorum) && node.config().hints.enabled;
    let reached = reach_all(node, &replicas).await;
    let reachable: Vec<bool> = reached.iter().map(Result::is_ok).collect();
    let plan = match decide::write::write_plan(&reachable, needed, sloppy) {
        Ok(plan) => plan,
        Err(failure) => return refuse(node, key, value.is_some(), failure, trace),
    };
    let ts = match node.next_timestamp() {
        Ok(ts) => ts,
        Err(e) => return Response::Refused(format!("timestamp reservation failed: {e}")),
    };
    let cell = Cell { ts, value };
    let (tx, mut answers) = mpsc::unbounded_channel::<bool>();
    let targets = replicas.iter().zip(reached).zip(&plan.deliveries);
    for ((&replica, reached), delivery) in targets {
        let (Delivery::Send, Ok(target)) = (delivery, reached) else {
            node.store_hint(replica, key, cell.clone(), trace);
            if plan.hint_answers {
                let _ = tx.send(false);
            }
            continue;
        };
        let node = node.clone();
        let tx = tx.clone();
        let cell = cell.clone();
        tokio::task::spawn_local(async move {
            let req = Request::Write {
                key,
                cell: cell.clone(),
                kind: WriteKind::Primary,
                trace,
            };
            let acked = matches!(send(&node, &target, req).await, Ok(Response::Ack));
            if !acked {
                node.store_hint(replica, key, cell, trace);
            }
            let _ = tx.send(acked);
        });
    }
    drop(tx);
    let mut acks = plan.acks;
    let verdict = loop {
        match timeout_at(deadline, answers.recv()).await {
            Ok(Some(acked)) => match acks.record(acked) {
                Verdict::Wait => {}
                answer => break answer,
            },
            // The deadline passed (or every delivery task is gone).
            Err(_) | Ok(None) => break Verdict::Answer(Err(acks.timed_out())),
        }
    };
    if let Verdict::Answer(Ok(acks)) = verdict {
        node.emit(StoreEvent::WriteAcked {
            key,
            cell,
            acks,
            trace,
        });
        return Response::WriteOk { ts };
    }
    node.emit(StoreEvent::WriteTimeout {
        key,
        acks: acks.acks(),
        needed,
        trace,
    });
    Response::Error(ClientError::Timeout {
        answered: acks.acks(),
        needed,
    })
}

/// Refuse a write that may not start (nothing was sent).
fn refuse(node: &Node, key: Key, live: bool, failure: Failure, trace: Trace) -> Response {
    if let Failure::Unavailable { alive, needed } = failure {
        let op = if live { OpKind::Write } else { OpKind::Delete };
        node.emit(StoreEvent::Unavailable {
            key,
            op,
            alive,
            needed,
            trace,
        });
    }
    Response::Error(failure.into())
}
