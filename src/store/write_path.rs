//! The coordinator's write path (writes and deletes; a delete writes a tombstone).
//!
//! 1. Find which of the key's replicas are reachable. Fewer than the write consistency level needs:
//!    reply `Unavailable` — nothing was sent, a definite failure.
//! 2. Take a timestamp (strictly increasing per coordinator), send the cell to every reachable
//!    replica (primary delivery; the coordinator applies its own copy directly).
//! 3. Reply `WriteOk` as soon as enough replicas acknowledged durably; if the deadline passes first,
//!    reply `Timeout` — indeterminate, since some replicas may have applied it.
//!
//! Deliveries continue in the background after the reply; every replica that was unreachable or did
//! not acknowledge gets a hint (hinted handoff), replayed when it is reachable again. A hint is not
//! an acknowledgement: it never counts toward the consistency level.

use super::cell::{Bytes, Cell, Key};
use super::config::Mutant;
use super::events::{OpKind, StoreEvent, Trace};
use super::handoff::store_hint;
use super::node::Node;
use super::proto::{ClientError, Request, Response, WriteKind};
use super::replicas::{reach_all, send};
use std::rc::Rc;
use tokio::sync::mpsc;
use tokio::time::{timeout_at, Instant};

/// Coordinate a client write of `value` to `key` (`None`: delete the key).
pub async fn write(node: &Rc<Node>, key: Key, value: Option<Bytes>, trace: Trace) -> Response {
    let deadline = Instant::now() + node.request_timeout();
    let replicas = node.ring.replicas(key);
    let needed = node.required(node.config.write_cl);
    let sloppy = node.planted(Mutant::SloppyQuorum) && node.config.hints.enabled;
    let reached = reach_all(node, &replicas).await;
    let alive = reached.iter().filter(|r| r.is_ok()).count();
    if alive < needed && !(sloppy && alive > 0) {
        let op = if value.is_some() {
            OpKind::Write
        } else {
            OpKind::Delete
        };
        node.emit(StoreEvent::Unavailable {
            key,
            op,
            alive,
            needed,
            trace,
        });
        return Response::Error(ClientError::Unavailable { alive, needed });
    }
    let ts = match node.next_timestamp() {
        Ok(ts) => ts,
        Err(e) => return Response::Refused(format!("timestamp reservation failed: {e}")),
    };
    let cell = Cell { ts, value };
    let (tx, mut acks_rx) = mpsc::unbounded_channel::<bool>();
    for (&replica, reached) in replicas.iter().zip(reached) {
        let Ok(target) = reached else {
            store_hint(node, replica, key, cell.clone(), trace);
            if sloppy {
                let _ = tx.send(true);
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
                store_hint(&node, replica, key, cell, trace);
            }
            let _ = tx.send(acked || sloppy);
        });
    }
    drop(tx);
    let mut acks = 0;
    while let Ok(Some(acked)) = timeout_at(deadline, acks_rx.recv()).await {
        if acked {
            acks += 1;
            if acks >= needed {
                node.emit(StoreEvent::WriteAcked {
                    key,
                    cell,
                    acks,
                    trace,
                });
                return Response::WriteOk { ts };
            }
        }
    }
    node.emit(StoreEvent::WriteTimeout {
        key,
        acks,
        needed,
        trace,
    });
    Response::Error(ClientError::Timeout {
        answered: acks,
        needed,
    })
}
