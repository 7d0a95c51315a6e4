//! The coordinator's write path.
//!
//! 1. Find which of the key's replicas are reachable. Fewer than the write consistency level needs:
//!    reply `Unavailable` — nothing was sent, a definite failure.
//! 2. Take a timestamp (strictly increasing per coordinator), send the mutation to every reachable
//!    replica (primary delivery; the coordinator applies its own copy directly).
//! 3. Reply `WriteOk` as soon as enough replicas acknowledged durably; if the deadline passes first,
//!    reply `Timeout` — indeterminate, since some replicas may have applied it.
//!
//! Deliveries continue in the background after the reply; every replica that was unreachable or did
//! not acknowledge gets a hint (hinted handoff), replayed when it is reachable again.

use super::cell::{Cell, Key};
use super::handoff::store_hint;
use super::metrics::Metrics;
use super::node::Node;
use super::proto::{ClientError, Request, Response, WriteKind};
use super::replicas::{reach_all, send};
use std::rc::Rc;
use tokio::sync::mpsc;
use tokio::time::{timeout_at, Instant};

/// Coordinate a client write of `value` to `key`.
pub async fn write(node: &Rc<Node>, key: Key, value: i64) -> Response {
    Metrics::inc(&node.metrics.writes);
    let deadline = Instant::now() + node.request_timeout();
    let replicas = node.ring.replicas(key);
    let needed = node.config.write_cl.required(replicas.len());
    let reached = reach_all(node, &replicas).await;
    let alive = reached.iter().filter(|r| r.is_ok()).count();
    if alive < needed {
        return Response::Error(ClientError::Unavailable { alive, needed });
    }
    let ts = node.timestamps.next(node.clock.now_micros());
    let cell = Cell { value, ts };
    let (tx, mut acks_rx) = mpsc::unbounded_channel::<bool>();
    for (&replica, reached) in replicas.iter().zip(reached) {
        let Ok(target) = reached else {
            store_hint(node, replica, key, cell);
            continue;
        };
        let node = node.clone();
        let tx = tx.clone();
        tokio::task::spawn_local(async move {
            let req = Request::Write {
                key,
                cell,
                kind: WriteKind::Primary,
            };
            let acked = matches!(send(&node, &target, req).await, Ok(Response::Ack));
            if !acked {
                store_hint(&node, replica, key, cell);
            }
            let _ = tx.send(acked);
        });
    }
    drop(tx);
    let mut acks = 0;
    while let Ok(Some(acked)) = timeout_at(deadline, acks_rx.recv()).await {
        if acked {
            acks += 1;
            if acks >= needed {
                return Response::WriteOk { ts };
            }
        }
    }
    Response::Error(ClientError::Timeout {
        answered: acks,
        needed,
    })
}
