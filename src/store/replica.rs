//! The replica side of a node: answer reads and digests, apply writes under last-write-wins,
//! durably, and report every change.
//!
//! Guarantees (correct store): a write is acknowledged only once its cell (or a newer one) is
//! synced in the write-ahead log; a cell never moves backwards in last-write-wins order; a hint
//! older than the hint window (by this replica's clock) is acknowledged and dropped, so a hint
//! never outlives the tombstones it could resurrect. How a cell is compared and synced, and what a
//! digest covers, are the pure decisions of [`super::decide::replica`]; the apply itself is
//! `Node::apply` ([`super::state`]).

use super::decide;
use super::events::StoreEvent;
use super::proto::{Request, Response, WriteKind};
use super::state::Node;
use std::rc::Rc;
use std::time::Duration;

/// How often a node with deferred syncs (planted bug `ack-before-fsync`) flushes its log.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(20);

/// Serve a replica request (also used when the coordinator is itself one of the replicas, without
/// going through the network). A write takes the disk's fsync latency before it is applied and
/// acknowledged; reads answer from memory at once. Anything else is refused: client requests go to
/// the coordinator paths and anti-entropy requests to their peer sides (the node dispatches them).
pub async fn serve(node: &Node, req: Request) -> Response {
    match req {
        Request::Read { key } => Response::Data(node.stored(key)),
        Request::Digest { key } => Response::Digest(node.digest_of(node.stored(key).as_ref())),
        Request::Write {
            key,
            cell,
            kind,
            trace,
        } => {
            if let WriteKind::Hint { created_us } = kind {
                let window_us = node.config().hints.window_ms.saturating_mul(1000);
                if decide::hints::expired(created_us, node.now_micros(), window_us) {
                    return Response::Ack;
                }
            }
            let fsync = node.fsync_latency();
            if !fsync.is_zero() {
                tokio::time::sleep(fsync).await;
            }
            if node.apply(key, cell, decide::replica::cause_of(kind), trace) {
                Response::Ack
            } else {
                Response::Refused("storage write failed".into())
            }
        }
        Request::ClientRead { .. } | Request::ClientWrite { .. } | Request::ClientDelete { .. } => {
            Response::Refused("client requests are served by the coordinator".into())
        }
        other @ (Request::MerkleLevel { .. }
        | Request::MerkleCells { .. }
        | Request::LogPull { .. }) => {
            Response::Refused(format!("not a replica request: {other:?}"))
        }
    }
}

/// Planted bug `ack-before-fsync`: writes were acknowledged before their sync; sync them a little
/// later, as a group commit would, reporting what became durable.
pub async fn flusher(node: Rc<Node>) {
    loop {
        tokio::time::sleep(FLUSH_INTERVAL).await;
        match node.flush() {
            Ok(cells) if !cells.is_empty() => node.emit(StoreEvent::Synced { cells }),
            Ok(_) => {}
            Err(e) => tracing::warn!(node = %node.name(), "log flush failed: {e}"),
        }
    }
}
