//! Log-based anti-entropy: every `interval_ms` a node pulls, from its next peer sharing a range
//! (the same round-robin as the Merkle exchange), what the peer's update log
//! ([`super::update_log`]) changed after the last sequence number it pulled from that peer — its
//! watermark — applies those cells under last-write-wins, and only then makes the new watermark
//! durable. A peer whose log no longer reaches the watermark answers `LogTooOld`: the asker falls
//! back to a Merkle exchange with it ([`super::anti_entropy::exchange`]) and resumes after the
//! peer's head as of that answer (every change up to it is in the state the Merkle exchange
//! compared).
//!
//! Guarantees: a watermark never stands for updates not yet applied (they are applied durably,
//! then the watermark is appended to its own log, with no await in between), so a crash of the
//! asker at any point loses nothing it will not pull again; a crash of the peer loses nothing
//! either (its update log is its write-ahead log, sequence numbers are stable, and after a restart
//! anything older than what it rebuilt is answered `LogTooOld`). Cells only ever move forward
//! (last-write-wins on apply, and a peer always sends its current cell). Truncation waits for every
//! replica of an entry's key to pull past it, up to the log's bound.
//!
//! Events: each pull is reported as `log-exchange` (watermarks before and after, cells received
//! and applied, whether it fell back to Merkle, bytes and messages).

use super::anti_entropy::{self, call, first_delay, unexpected, ExchangeError, ExchangeReport};
use super::cell::{supersedes, Key};
use super::config::Mutant;
use super::events::{Cause, StoreEvent};
use super::merkle;
use super::proto::{Request, Response};
use super::ring::NodeId;
use super::state::Node;
use super::update_log::{Answer, Pullers};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::time::Duration;
use tokio::time::MissedTickBehavior;

/// Pages one round may pull from a peer before it waits for the next round.
pub const MAX_PAGES: usize = 8;

/// What one pull did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogReport {
    /// The watermark it started after.
    pub after: u64,
    /// The watermark it reached.
    pub through: u64,
    /// Cells received (with the fallback's).
    pub received: u64,
    /// Cells that replaced ours (with the fallback's).
    pub applied: u64,
    /// Whether it fell back to a Merkle exchange.
    pub fallback: bool,
    /// What it put on the wire.
    pub traffic: anti_entropy::Traffic,
}

/// The peers the planted bug `log-truncate-ignores-down` treats as down: those that have not
/// pulled from this node within `silence_us` (or never, since its boot).
pub fn silent_peers(
    peers: &[NodeId],
    pulled: &BTreeMap<NodeId, (u64, u64)>,
    now_us: u64,
    silence_us: u64,
) -> BTreeSet<NodeId> {
    peers
        .iter()
        .copied()
        .filter(|p| {
            pulled
                .get(p)
                .is_none_or(|&(_, at)| now_us.saturating_sub(at) > silence_us)
        })
        .collect()
}

/// The software of log-based anti-entropy on one node: pull from the next peer every
/// `interval_ms` (half a period after the Merkle rounds in mode `both`). Returns at once if the
/// mode has no log pulls or no node shares a range.
pub async fn run(node: Rc<Node>) {
    let cfg = &node.config().anti_entropy;
    let peers = merkle::peers_sharing(node.ring(), node.id());
    if !cfg.enabled || !cfg.mode.log() || peers.is_empty() {
        return;
    }
    let period = Duration::from_millis(cfg.interval_ms.max(1));
    let offset = if cfg.mode.merkle() {
        period / 2
    } else {
        Duration::ZERO
    };
    let first = first_delay(node.id(), node.ring().nodes().len(), period) + offset;
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + first, period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    for round in 0usize.. {
        ticks.tick().await;
        let peer = peers[(node.id() + round) % peers.len()];
        let mut r = LogReport::default();
        let outcome = exchange(&node, peer, &mut r).await;
        node.emit(StoreEvent::LogExchange {
            peer,
            after: r.after,
            through: r.through,
            received: r.received,
            applied: r.applied,
            fallback: r.fallback,
            completed: outcome.is_ok(),
            bytes: r.traffic.bytes,
            messages: r.traffic.messages,
        });
        if let Err(e) = outcome {
            tracing::debug!(node = %node.name(), "log pull abandoned: {e}");
        }
    }
}

fn save(node: &Node, peer: NodeId, seq: u64) -> Result<(), ExchangeError> {
    node.save_watermark(peer, seq)
        .map_err(|e| ExchangeError::Refused {
            peer: node.name().to_string(),
            reason: format!("watermark not saved: {e}"),
        })
}

/// One pull from `peer` (see the module doc); `r` says what it did, even when abandoned.
pub async fn exchange(
    node: &Rc<Node>,
    peer: NodeId,
    r: &mut LogReport,
) -> Result<(), ExchangeError> {
    let peer_name = node.ring().name(peer).to_string();
    let mut after = node.watermark(peer);
    r.after = after;
    r.through = after;
    for _ in 0..MAX_PAGES {
        let req = Request::LogPull {
            from: node.name().to_string(),
            after,
        };
        match call(node, &peer_name, req, &mut r.traffic).await? {
            Response::LogEntries {
                through,
                cells,
                more,
            } => {
                if through < after {
                    return Err(unexpected(&peer_name, "a watermark that goes back"));
                }
                if let Some((key, _)) = cells
                    .iter()
                    .find(|(k, _)| !merkle::is_shared(node.ring(), node.id(), peer, *k))
                {
                    return Err(unexpected(&peer_name, format!("key {key} is not shared")));
                }
                r.received += cells.len() as u64;
                if node.planted(Mutant::LogWatermarkEarly) {
                    save(node, peer, through)?;
                }
                // Applying the batch costs one fsync (group commit) before the cells are durable.
                let fsync = node.fsync_latency();
                if !fsync.is_zero() {
                    tokio::time::sleep(fsync).await;
                }
                for (key, cell) in cells {
                    let newer = supersedes(&cell, node.stored(key).as_ref());
                    if !node.apply(key, cell, Cause::AntiEntropy, None) {
                        return Err(ExchangeError::Refused {
                            peer: node.name().to_string(),
                            reason: "storage write failed".to_string(),
                        });
                    }
                    r.applied += u64::from(newer);
                }
                save(node, peer, through)?;
                r.through = through;
                after = through;
                if !more {
                    return Ok(());
                }
            }
            Response::LogTooOld { head } => {
                r.fallback = true;
                if !node.planted(Mutant::LogNoFallback) {
                    let started = node.now_micros();
                    let mut m = ExchangeReport::default();
                    let outcome = anti_entropy::exchange(node, peer, &mut m).await;
                    r.received += m.cells_received;
                    r.applied += m.cells_applied;
                    r.traffic.bytes += m.traffic.bytes;
                    r.traffic.messages += m.traffic.messages;
                    outcome?;
                    node.record_sync(peer, started);
                }
                save(node, peer, head)?;
                r.through = head;
                return Ok(());
            }
            other => return Err(unexpected(&peer_name, format!("{other:?} to a log pull"))),
        }
    }
    Ok(())
}

/// The peer side: note the asker's watermark (for truncation), truncate what every replica has
/// pulled past, and answer with the current cells of the shared keys changed after it, or
/// `LogTooOld`.
pub fn serve(node: &Node, req: Request) -> Response {
    let (from, after) = match req {
        Request::LogPull { from, after } => (from, after),
        other => return Response::Refused(format!("not a log pull: {other:?}")),
    };
    let Some(peer) = node.ring().id(&from).filter(|&p| p != node.id()) else {
        return Response::Refused(format!("{from} is not another node of the ring"));
    };
    let now = node.now_micros();
    node.note_pull(peer, after, now);
    truncate(node, now);
    let page = node.config().anti_entropy.log_page;
    let shared = |k| merkle::is_shared(node.ring(), node.id(), peer, k);
    node.with_storage(
        |storage| match storage.updates().answer(after, page, shared) {
            Answer::Keys {
                through,
                keys,
                more,
            } => Response::LogEntries {
                through,
                cells: keys
                    .into_iter()
                    .filter_map(|k| Some((k, storage.get(k)?)))
                    .collect(),
                more,
            },
            Answer::TooOld { head } => Response::LogTooOld { head },
        },
    )
}

/// Drop the update-log entries every other replica of their key has pulled past.
fn truncate(node: &Node, now_us: u64) {
    let pulls = node.pulls();
    let pulled: BTreeMap<NodeId, u64> = pulls.iter().map(|(&p, &(w, _))| (p, w)).collect();
    let ignored = if node.planted(Mutant::LogTruncateIgnoresDown) {
        let peers = merkle::peers_sharing(node.ring(), node.id());
        let silence_us = 2 * peers.len() as u64 * node.config().anti_entropy.interval_ms * 1000;
        silent_peers(&peers, &pulls, now_us, silence_us)
    } else {
        BTreeSet::new()
    };
    let me = node.id();
    let peers_of = |k: Key| -> Vec<NodeId> {
        node.ring()
            .replicas(k)
            .into_iter()
            .filter(|&p| p != me)
            .collect()
    };
    node.truncate_updates(&Pullers {
        pulled: &pulled,
        peers_of: &peers_of,
        ignored: &ignored,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silent_peers_are_those_without_a_recent_pull() {
        let pulled = BTreeMap::from([(1, (5, 1_000)), (2, (9, 9_000))]);
        assert_eq!(
            silent_peers(&[1, 2, 3], &pulled, 10_000, 5_000),
            BTreeSet::from([1, 3])
        );
        assert!(silent_peers(&[2], &pulled, 10_000, 5_000).is_empty());
    }
}
