//! Hinted handoff (foreground anti-entropy): the coordinator keeps what a replica missed and
//! delivers it when the replica is reachable again. Who is owed a hint is decided by
//! [`decide::hints::hint_owed`] when a write stores one (`Node::store_hint`); this module is the
//! replay loop, the I/O around the other decisions of [`decide::hints`].
//!
//! Contract: a hint is stored for every replica that did not acknowledge a write that was sent
//! (not for writes refused as `Unavailable`, which sent nothing); hints are replayed every
//! `replay_interval_ms`, oldest first, with their original cell, and marked done once
//! acknowledged; a failed delivery leaves the hint (and the ones after it) queued for the next
//! pass; hints older than the hint window are dropped instead (counted as expired). Replay goes
//! through the replica's normal last-write-wins apply, so a hint never overwrites a newer cell.

use super::decide;
use super::events::StoreEvent;
use super::proto::{Request, Response, WriteKind};
use super::replicas::{reach, send};
use super::state::Node;
use std::rc::Rc;
use std::time::Duration;

/// The replay loop: runs for the life of the node.
pub async fn run(node: Rc<Node>) {
    let every = Duration::from_millis(node.config().hints.replay_interval_ms.max(1));
    loop {
        tokio::time::sleep(every).await;
        replay_once(&node).await;
    }
}

/// One pass over every target that is owed hints.
pub async fn replay_once(node: &Rc<Node>) {
    let window_us = node.config().hints.window_ms.saturating_mul(1000);
    let targets = node.hint_targets();
    for target in targets {
        let now = node.now_micros();
        let hints = node.hints_for(target);
        let mut live = Vec::with_capacity(hints.len());
        for h in hints {
            if decide::hints::expired(h.created_us, now, window_us) {
                let _ = node.retire_hint(h.id);
                node.emit(StoreEvent::HintExpired {
                    key: h.key,
                    to: target,
                });
            } else {
                live.push(h);
            }
        }
        if live.is_empty() {
            continue;
        }
        let Ok(conn) = reach(node, target).await else {
            continue;
        };
        for (i, h) in live.iter().enumerate() {
            let cell = decide::hints::replay_cell(h.cell.clone(), node.mutant(), node.now_micros());
            let req = Request::Write {
                key: h.key,
                cell,
                kind: WriteKind::Hint {
                    created_us: h.created_us,
                },
                trace: None,
            };
            if !matches!(send(node, &conn, req).await, Ok(Response::Ack)) {
                let dropped = decide::hints::dropped_after_failure(i, live.len(), node.mutant());
                for dropped in &live[dropped] {
                    let _ = node.retire_hint(dropped.id);
                }
                break;
            }
            if node.retire_hint(h.id).is_ok() {
                node.emit(StoreEvent::HintReplayed {
                    key: h.key,
                    to: target,
                });
            }
        }
    }
}
