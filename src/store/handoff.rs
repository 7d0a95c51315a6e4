//! Hinted handoff (foreground anti-entropy): the coordinator keeps what a replica missed and
//! delivers it when the replica is reachable again.
//!
//! Contract: a hint is stored for every replica that did not acknowledge a write that was sent
//! (not for writes refused as `Unavailable`, which sent nothing); hints are replayed every
//! `replay_interval_ms`, oldest first, with their original cell, and marked done once
//! acknowledged; a failed delivery leaves the hint (and the ones after it) queued for the next
//! pass; hints older than the hint window are dropped instead (counted as expired). Replay goes
//! through the replica's normal last-write-wins apply, so a hint never overwrites a newer cell.

use super::cell::{Cell, Key};
use super::config::Mutant;
use super::events::{StoreEvent, Trace};
use super::node::Node;
use super::proto::{Request, Response, WriteKind};
use super::replicas::{reach, send};
use super::ring::NodeId;
use std::rc::Rc;
use std::time::Duration;

/// Store a hint for `target` (when hinted handoff is enabled).
pub fn store_hint(node: &Node, target: NodeId, key: Key, cell: Cell, trace: Trace) {
    if !node.config.hints.enabled || target == node.id {
        return;
    }
    let now = node.clock.now_micros();
    let added = node.hints.borrow_mut().add(target, key, cell, now);
    match added {
        Ok(()) => node.emit(StoreEvent::HintStored {
            key,
            to: target,
            trace,
        }),
        Err(e) => tracing::warn!(node = %node.name, "could not store a hint: {e}"),
    }
}

/// The replay loop: runs for the life of the node.
pub async fn run(node: Rc<Node>) {
    let every = Duration::from_millis(node.config.hints.replay_interval_ms.max(1));
    loop {
        tokio::time::sleep(every).await;
        replay_once(&node).await;
    }
}

/// One pass over every target that is owed hints.
pub async fn replay_once(node: &Rc<Node>) {
    let window_us = node.config.hints.window_ms.saturating_mul(1000);
    let targets = node.hints.borrow().targets();
    for target in targets {
        let now = node.clock.now_micros();
        let hints = node.hints.borrow().for_target(target);
        let mut live = Vec::with_capacity(hints.len());
        for h in hints {
            if now.saturating_sub(h.created_us) > window_us {
                let _ = node.hints.borrow_mut().done(h.id);
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
            let mut cell = h.cell.clone();
            if node.planted(Mutant::HintRestamp) {
                cell.ts = node.clock.now_micros();
            }
            let req = Request::Write {
                key: h.key,
                cell,
                kind: WriteKind::Hint {
                    created_us: h.created_us,
                },
                trace: None,
            };
            if !matches!(send(node, &conn, req).await, Ok(Response::Ack)) {
                if node.planted(Mutant::HintDropQueue) {
                    for dropped in &live[i..] {
                        let _ = node.hints.borrow_mut().done(dropped.id);
                    }
                }
                break;
            }
            if node.hints.borrow_mut().done(h.id).is_ok() {
                node.emit(StoreEvent::HintReplayed {
                    key: h.key,
                    to: target,
                });
            }
        }
    }
}
