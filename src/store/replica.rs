//! The replica side of a node: answer reads and digests, apply writes under last-write-wins,
//! durably, and report every change.
//!
//! Guarantees (correct store): a write is acknowledged only once its cell (or a newer one) is
//! synced in the write-ahead log; a cell never moves backwards in last-write-wins order; a hint
//! older than the hint window (by this replica's clock) is acknowledged and dropped, so a hint
//! never outlives the tombstones it could resurrect.

use super::cell::{Cell, Key};
use super::config::Mutant;
use super::digest::{digest, Coverage};
use super::events::{Cause, StoreEvent, Trace};
use super::node::Node;
use super::proto::{Request, Response, WriteKind};
use super::storage::{Applied, Durability, Lww};
use std::rc::Rc;
use std::time::Duration;

/// How often a node with deferred syncs (planted bug `ack-before-fsync`) flushes its log.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(20);

/// Serve a replica-side request (also used when the coordinator is itself one of the replicas,
/// without going through the network). A write takes the disk's fsync latency before it is
/// applied and acknowledged; reads answer from memory at once.
pub async fn serve(node: &Node, req: Request) -> Response {
    match req {
        Request::Read { key } => Response::Data(node.storage.borrow().get(key)),
        Request::Digest { key } => {
            Response::Digest(digest_of(node, node.storage.borrow().get(key).as_ref()))
        }
        Request::Write {
            key,
            cell,
            kind,
            trace,
        } => {
            if let WriteKind::Hint { created_us } = kind {
                let age = node.clock.now_micros().saturating_sub(created_us);
                if age > node.config.hints.window_ms.saturating_mul(1000) {
                    return Response::Ack;
                }
            }
            let fsync = node.disk.fsync_latency();
            if !fsync.is_zero() {
                tokio::time::sleep(fsync).await;
            }
            if apply_local(node, key, cell, cause_of(kind), trace) {
                Response::Ack
            } else {
                Response::Refused("storage write failed".into())
            }
        }
        Request::ClientRead { .. } | Request::ClientWrite { .. } | Request::ClientDelete { .. } => {
            Response::Refused("client requests are served by the coordinator".into())
        }
        req @ (Request::MerkleLevel { .. } | Request::MerkleCells { .. }) => {
            super::anti_entropy::serve(node, req)
        }
        req @ Request::LogPull { .. } => super::log_exchange::serve(node, req),
    }
}

/// The digest this replica computes for a cell.
pub fn digest_of(node: &Node, cell: Option<&Cell>) -> super::digest::Digest {
    let coverage = if node.planted(Mutant::DigestOmitsValue) {
        Coverage::TimestampOnly
    } else {
        Coverage::Whole
    };
    digest(cell, coverage)
}

fn cause_of(kind: WriteKind) -> Cause {
    match kind {
        WriteKind::Primary => Cause::Write,
        WriteKind::ReadRepair => Cause::ReadRepair,
        WriteKind::Hint { .. } => Cause::Hint,
        WriteKind::AntiEntropy => Cause::AntiEntropy,
    }
}

/// Apply a cell to the local replica and report the change. Returns whether the write is durable
/// (false only when storage failed).
pub fn apply_local(node: &Node, key: Key, cell: Cell, cause: Cause, trace: Trace) -> bool {
    let lww = if node.planted(Mutant::TieTakesIncoming) {
        Lww::TieTakesIncoming
    } else if (cause == Cause::Hint && node.planted(Mutant::HintNoLww))
        || (cause == Cause::AntiEntropy && node.planted(Mutant::AeNoLww))
    {
        Lww::Overwrite
    } else {
        Lww::Strict
    };
    let durability = if node.planted(Mutant::AckBeforeFsync) {
        Durability::Deferred
    } else {
        Durability::Sync
    };
    let tombstone = cell.is_tombstone();
    let applied = node
        .storage
        .borrow_mut()
        .apply(key, cell.clone(), lww, durability);
    match applied {
        Ok(Applied::Kept) => true,
        Ok(Applied::Replaced { old, durable }) => {
            let mut tombstones = node.tombstones.borrow_mut();
            if tombstone {
                tombstones.insert(key, node.clock.now_micros());
            } else {
                tombstones.remove(&key);
            }
            drop(tombstones);
            node.emit(StoreEvent::Apply {
                key,
                old,
                new: cell,
                cause,
                durable,
                trace,
            });
            true
        }
        Err(e) => {
            tracing::warn!(node = %node.name, "storage write failed: {e}");
            false
        }
    }
}

/// Planted bug `ack-before-fsync`: writes were acknowledged before their sync; sync them a little
/// later, as a group commit would, reporting what became durable.
pub async fn flusher(node: Rc<Node>) {
    loop {
        tokio::time::sleep(FLUSH_INTERVAL).await;
        let flushed = node.storage.borrow_mut().flush();
        match flushed {
            Ok(cells) if !cells.is_empty() => node.emit(StoreEvent::Synced { cells }),
            Ok(_) => {}
            Err(e) => tracing::warn!(node = %node.name, "log flush failed: {e}"),
        }
    }
}
