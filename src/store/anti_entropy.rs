//! Background anti-entropy: periodic Merkle-tree exchanges between replicas that share a range
//! (modes `merkle` and `both`; in mode `log` the exchange runs only as the fallback of a log pull,
//! see [`super::log_exchange`]).
//!
//! Every `interval_ms` a node picks its next peer, in a fixed round-robin over the nodes that share
//! at least one token range with it ([`merkle::peers_sharing`]), and runs one exchange:
//! 1. it builds the Merkle tree of the range it shares with the peer ([`merkle::shared_tree`]);
//! 2. it asks the peer for its hashes level by level (`MerkleLevel`), starting at the root and
//!    descending only into subtrees whose hashes differ ([`MerkleTree::step`]);
//! 3. at the leaves it asks for the peer's cells in the differing buckets (`MerkleCells`);
//! 4. per key of those buckets, a newer peer cell is applied locally and a newer (or missing on the
//!    peer) local cell is sent to the peer as a `Write` of kind `AntiEntropy`.
//!
//! Guarantees: both sides end the exchange holding the last-write-wins winner of every key in the
//! differing buckets (cells that arrived meanwhile may be newer still); a cell is never replaced by
//! an older one, since both the comparison and the replica's storage apply last-write-wins. Every RPC
//! has the node's RPC deadline; any error abandons the round and the next round retries, so one
//! lost message costs one interval, not correctness. When the shared range already agrees, an
//! exchange is a single `MerkleLevel` request for the root.
//!
//! Events: a completed exchange is reported as `ae-exchange` (buckets that differed, cells
//! received, sent and applied) and recorded as the time this node last synced with the peer (tombstone
//! GC waits for it, see [`super::gc`]); every cell replaced is reported by the replica that applied
//! it. This is Dynamo's's replica synchronisation (DeCandia et al., SOSP 2007).

use super::cell::{supersedes, Cell, Key};
use super::config::Mutant;
use super::events::{Cause, StoreEvent};
use super::merkle::{self, LeafHash, MerkleTree, Step};
use super::pool::RpcError;
use super::proto::{Request, Response, WriteKind};
use super::ring::NodeId;
use super::state::Node;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::time::Duration;
use tokio::time::MissedTickBehavior;

/// What one completed exchange did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExchangeReport {
    /// Merkle nodes compared with the peer (1 when the roots agreed).
    pub nodes_compared: u64,
    /// Leaf buckets that differed.
    pub buckets: Vec<u32>,
    /// Cells the peer sent (everything it holds in the differing buckets).
    pub cells_received: u64,
    /// Cells sent to the peer because ours were newer or the peer lacked them.
    pub cells_sent: u64,
    /// Peer cells that replaced ours.
    pub cells_applied: u64,
    /// What the exchange put on the wire.
    pub traffic: Traffic,
}

/// Messages an exchange put on the wire and their bytes (each framed as the pool frames it, with
/// a one-byte request id): requests sent, and responses received.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Framed bytes.
    pub bytes: u64,
    /// Messages.
    pub messages: u64,
}

impl Traffic {
    /// Count one message.
    pub fn add<T: serde::Serialize>(&mut self, msg: &T) {
        self.bytes += super::wire::encode(&super::proto::Frame { id: 0, body: msg }).len() as u64;
        self.messages += 1;
    }
}

/// Why an exchange was abandoned (the next round retries).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    /// A request to the peer failed.
    #[error("request to {peer} failed: {source}")]
    Rpc {
        /// The peer.
        peer: String,
        /// What went wrong.
        source: RpcError,
    },
    /// The peer refused a request.
    #[error("{peer} refused: {reason}")]
    Refused {
        /// The peer.
        peer: String,
        /// Its reason.
        reason: String,
    },
    /// The peer answered something that does not fit the request.
    #[error("{peer} answered unexpectedly: {detail}")]
    Unexpected {
        /// The peer.
        peer: String,
        /// What was wrong.
        detail: String,
    },
}

/// The software of anti-entropy on one node: exchange with the next peer every `interval_ms`,
/// forever (until the node crashes). Returns at once if disabled or if no node shares a range.
pub async fn run(node: Rc<Node>) {
    let cfg = &node.config().anti_entropy;
    let peers = merkle::peers_sharing(node.ring(), node.id());
    if !cfg.enabled || !cfg.mode.merkle() || peers.is_empty() {
        return;
    }
    let period = Duration::from_millis(cfg.interval_ms.max(1));
    let start =
        tokio::time::Instant::now() + first_delay(node.id(), node.ring().nodes().len(), period);
    let mut ticks = tokio::time::interval_at(start, period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    for round in 0usize.. {
        ticks.tick().await;
        let peer = peers[(node.id() + round) % peers.len()];
        let started = node.now_micros();
        let mut r = ExchangeReport::default();
        let outcome = exchange(&node, peer, &mut r).await;
        if outcome.is_ok() {
            node.record_sync(peer, started);
        }
        node.emit(StoreEvent::AeExchange {
            peer,
            buckets: r.buckets.len() as u64,
            received: r.cells_received,
            sent: r.cells_sent,
            applied: r.cells_applied,
            completed: outcome.is_ok(),
            bytes: r.traffic.bytes,
            messages: r.traffic.messages,
        });
        if let Err(e) = outcome {
            tracing::debug!(node = %node.name(), "anti-entropy round abandoned: {e}");
        }
    }
}

/// When a node's first round starts: spread over one period by node id, so nodes do not all
/// start at once.
pub(crate) fn first_delay(id: NodeId, nodes: usize, period: Duration) -> Duration {
    period * (id as u32 + 1) / (nodes as u32 + 1)
}

/// One exchange with `peer` (see the module doc); `report` says what it did, even when it was
/// abandoned halfway.
pub async fn exchange(
    node: &Rc<Node>,
    peer: NodeId,
    report: &mut ExchangeReport,
) -> Result<(), ExchangeError> {
    let depth = node.config().anti_entropy.depth;
    let peer_name = node.ring().name(peer).to_string();
    let mine: MerkleTree = node.with_cells(|cells| {
        merkle::shared_tree_with(
            cells,
            node.ring(),
            (node.id(), peer),
            depth,
            leaf_hash(node),
        )
    });
    let mut step = Step::start();
    let buckets = loop {
        match step {
            Step::Buckets(buckets) => break buckets,
            Step::Ask { level, positions } => {
                report.nodes_compared += positions.len() as u64;
                let req = Request::MerkleLevel {
                    from: node.name().to_string(),
                    level,
                    positions: positions.clone(),
                };
                let answer = call(node, &peer_name, req, &mut report.traffic).await?;
                let Response::MerkleLevel(theirs) = answer else {
                    return Err(unexpected(&peer_name, "not a MerkleLevel answer"));
                };
                step = mine
                    .step(level, &positions, &theirs)
                    .map_err(|e| unexpected(&peer_name, e))?;
            }
        }
    };
    report.buckets = buckets;
    if node.planted(Mutant::AeRangeOffByOne) {
        let last = (1u32 << depth.min(merkle::MAX_DEPTH)) - 1;
        report.buckets.retain(|&b| b != last);
    }
    if report.buckets.is_empty() {
        return Ok(());
    }
    let req = Request::MerkleCells {
        from: node.name().to_string(),
        buckets: report.buckets.clone(),
    };
    let answer = call(node, &peer_name, req, &mut report.traffic).await?;
    let Response::MerkleCells(theirs) = answer else {
        return Err(unexpected(&peer_name, "not a MerkleCells answer"));
    };
    report.cells_received = theirs.len() as u64;
    let wanted: BTreeSet<u32> = report.buckets.iter().copied().collect();
    let in_range = |key: Key| {
        wanted.contains(&merkle::bucket_of(key, depth))
            && merkle::is_shared(node.ring(), node.id(), peer, key)
    };
    if let Some(&(key, _)) = theirs.iter().find(|&&(key, _)| !in_range(key)) {
        return Err(unexpected(
            &peer_name,
            format!("key {key} was not asked for"),
        ));
    }
    let theirs: BTreeMap<Key, Cell> = theirs.into_iter().collect();
    // Our cells as of now (not as of the tree): nothing awaits between this read and the applies.
    let ours: BTreeMap<Key, Cell> = node.with_cells(|cells| {
        merkle::shared_cells_in(
            cells,
            node.ring(),
            (node.id(), peer),
            depth,
            &report.buckets,
        )
        .into_iter()
        .collect()
    });
    let no_lww = node.planted(Mutant::AeNoLww);
    let wins = |cell: &Cell, other: Option<&Cell>| {
        if no_lww {
            Some(cell) != other
        } else {
            supersedes(cell, other)
        }
    };
    for (&key, cell) in &theirs {
        if wins(cell, ours.get(&key)) && node.apply(key, cell.clone(), Cause::AntiEntropy, None) {
            report.cells_applied += 1;
        }
    }
    let to_send: Vec<(Key, Cell)> = ours
        .into_iter()
        .filter(|(key, cell)| wins(cell, theirs.get(key)) && !(no_lww && theirs.contains_key(key)))
        .collect();
    report.cells_sent = to_send.len() as u64;
    let writes: Vec<_> = to_send
        .into_iter()
        .map(|(key, cell)| {
            let (node, peer_name) = (node.clone(), peer_name.clone());
            let req = Request::Write {
                key,
                cell,
                kind: WriteKind::AntiEntropy,
                trace: None,
            };
            report.traffic.add(&req);
            tokio::task::spawn_local(async move {
                let mut ignored = Traffic::default();
                call(&node, &peer_name, req, &mut ignored).await
            })
        })
        .collect();
    let mut outcome = Ok(());
    for w in writes {
        let answer = w.await.unwrap_or(Err(ExchangeError::Rpc {
            peer: peer_name.clone(),
            source: RpcError::Lost,
        }));
        if let Ok(a) = &answer {
            report.traffic.add(a);
        }
        match answer {
            Ok(Response::Ack) => {}
            Ok(other) => outcome = Err(unexpected(&peer_name, format!("{other:?} to a write"))),
            Err(e) => outcome = Err(e),
        }
    }
    outcome
}

/// The leaf hash this node builds its trees with.
fn leaf_hash(node: &Node) -> LeafHash {
    if node.planted(Mutant::MerkleLeafOmitsKey) {
        LeafHash::WithoutKeys
    } else {
        LeafHash::WithKeys
    }
}

/// One request to `peer` with the node's RPC deadline, counted in `traffic` (with its answer); a
/// refusal is an error.
pub(crate) async fn call(
    node: &Node,
    peer: &str,
    req: Request,
    traffic: &mut Traffic,
) -> Result<Response, ExchangeError> {
    traffic.add(&req);
    let answer = node.call(peer, req).await;
    if let Ok(a) = &answer {
        traffic.add(a);
    }
    match answer {
        Ok(Response::Refused(reason)) => Err(ExchangeError::Refused {
            peer: peer.to_string(),
            reason,
        }),
        Ok(answer) => Ok(answer),
        Err(source) => Err(ExchangeError::Rpc {
            peer: peer.to_string(),
            source,
        }),
    }
}

pub(crate) fn unexpected(peer: &str, detail: impl std::fmt::Display) -> ExchangeError {
    ExchangeError::Unexpected {
        peer: peer.to_string(),
        detail: detail.to_string(),
    }
}

/// The peer side of an exchange: answer `MerkleLevel` with this node's hashes and `MerkleCells`
/// with its cells, both over the range shared with the asker (the tree is built per request).
/// Anything else, an unknown asker or positions outside the tree are refused.
pub fn serve(node: &Node, req: Request) -> Response {
    let depth = node.config().anti_entropy.depth;
    let asker = |from: &str| {
        node.ring()
            .id(from)
            .ok_or_else(|| Response::Refused(format!("{from} is not a node of the ring")))
    };
    node.with_cells(|cells| match req {
        Request::MerkleLevel {
            from,
            level,
            positions,
        } => {
            let peer = match asker(&from) {
                Ok(p) => p,
                Err(refusal) => return refusal,
            };
            let tree = merkle::shared_tree_with(
                cells,
                node.ring(),
                (node.id(), peer),
                depth,
                leaf_hash(node),
            );
            match tree.hashes_at(level, &positions) {
                Ok(hashes) => Response::MerkleLevel(hashes),
                Err(e) => Response::Refused(e.to_string()),
            }
        }
        Request::MerkleCells { from, buckets } => {
            let peer = match asker(&from) {
                Ok(p) => p,
                Err(refusal) => return refusal,
            };
            let leaves = 1u64 << depth.min(merkle::MAX_DEPTH);
            if let Some(b) = buckets.iter().find(|&&b| u64::from(b) >= leaves) {
                return Response::Refused(format!("bucket {b} outside a tree of {leaves} leaves"));
            }
            let pair = (node.id(), peer);
            Response::MerkleCells(merkle::shared_cells_in(
                cells,
                node.ring(),
                pair,
                depth,
                &buckets,
            ))
        }
        other => Response::Refused(format!("not an anti-entropy request: {other:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_rounds_are_spread_over_one_period() {
        let period = Duration::from_millis(600);
        let delays: Vec<Duration> = (0..5).map(|id| first_delay(id, 5, period)).collect();
        assert_eq!(delays[0], Duration::from_millis(100));
        assert_eq!(delays[4], Duration::from_millis(500));
        assert!(delays.windows(2).all(|w| w[0] < w[1]));
    }
}
