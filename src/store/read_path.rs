//! The coordinator's read path: digest reads, reconciliation and read repair.
//!
//! 1. Order the key's replicas: the coordinator itself first when it is one, then the others in an
//!    order drawn from the node's seeded RNG (a stand-in for a dynamic snitch). Contact exactly as
//!    many reachable replicas as the read consistency level needs; too few: `Unavailable`.
//! 2. With digest reads, the first contacted replica returns the cell and the others only its xxh3
//!    digest; without, every contacted replica returns the cell.
//! 3. All answers agree: reply. Otherwise fetch full cells from the replicas whose digests differed,
//!    reconcile (last write wins), and send the winner to every contacted replica that is behind:
//!    `blocking` replies only after those repairs are acknowledged (else `RepairTimeout`), `async`
//!    replies at once and repairs in the background, `none` does not repair.
//!
//! Any missing answer before the deadline is a `Timeout` (a read has no effect to be unsure about).

use super::cell::{reconcile_all, Cell, Key};
use super::config::ReadRepair;
use super::digest::digest;
use super::metrics::Metrics;
use super::node::Node;
use super::proto::{ClientError, Request, Response, WriteKind};
use super::replicas::{reach, spawn_send, Target};
use super::ring::NodeId;
use rand::seq::SliceRandom;
use std::rc::Rc;
use tokio::time::{timeout_at, Instant};

/// What the coordinator knows of one contacted replica's cell.
struct Contact {
    target: Target,
    /// `Some(cell)` once known (from data, or from a digest equal to the data's).
    cell: Option<Option<Cell>>,
}

/// Coordinate a client read of `key`.
pub async fn read(node: &Rc<Node>, key: Key) -> Response {
    Metrics::inc(&node.metrics.reads);
    let deadline = Instant::now() + node.request_timeout();
    let needed = node.config.read_cl.required(node.ring.rf());
    let mut contacts = Vec::with_capacity(needed);
    for replica in replica_order(node, key) {
        if contacts.len() == needed {
            break;
        }
        if let Ok(Ok(target)) = timeout_at(deadline, reach(node, replica)).await {
            contacts.push(Contact { target, cell: None });
        }
    }
    if contacts.len() < needed {
        return Response::Error(ClientError::Unavailable {
            alive: contacts.len(),
            needed,
        });
    }
    let timeout = ClientError::Timeout {
        answered: 0,
        needed,
    };
    let Some(first) = gather(node, key, &mut contacts, deadline).await else {
        return Response::Error(timeout);
    };
    if contacts.iter().all(|c| c.cell == Some(first)) {
        return Response::ReadOk { cell: first };
    }
    Metrics::inc(&node.metrics.digest_mismatches);
    tracing::debug!(node = %node.name, key, "digest mismatch");
    // Full reads from the replicas whose digests differed.
    let unknown: Vec<usize> = (0..contacts.len())
        .filter(|&i| contacts[i].cell.is_none())
        .collect();
    let handles: Vec<_> = unknown
        .iter()
        .map(|&i| spawn_send(node, &contacts[i].target, Request::Read { key }))
        .collect();
    for (&i, h) in unknown.iter().zip(handles) {
        match timeout_at(deadline, h).await {
            Ok(Ok(Ok(Response::Data(cell)))) => contacts[i].cell = Some(cell),
            _ => return Response::Error(timeout),
        }
    }
    let winner = reconcile_all(contacts.iter().filter_map(|c| c.cell));
    let Some(winner_cell) = winner else {
        return Response::ReadOk { cell: None };
    };
    let stale: Vec<Target> = contacts
        .iter()
        .filter(|c| c.cell != Some(winner))
        .map(|c| c.target.clone())
        .collect();
    match node.config.read_repair {
        ReadRepair::None => Response::ReadOk { cell: winner },
        ReadRepair::Async => {
            let node = node.clone();
            tokio::task::spawn_local(async move {
                repair(&node, key, winner_cell, &stale, None).await;
            });
            Response::ReadOk { cell: winner }
        }
        ReadRepair::Blocking => {
            if repair(node, key, winner_cell, &stale, Some(deadline)).await {
                Response::ReadOk { cell: winner }
            } else {
                Response::Error(ClientError::RepairTimeout)
            }
        }
    }
}

/// The order in which replicas are tried: self first when a replica, then the others shuffled.
fn replica_order(node: &Rc<Node>, key: Key) -> Vec<NodeId> {
    let mut replicas = node.ring.replicas(key);
    let own = replicas.iter().position(|&r| r == node.id);
    if let Some(pos) = own {
        replicas.remove(pos);
    }
    replicas.shuffle(&mut *node.rng.borrow_mut());
    if own.is_some() {
        replicas.insert(0, node.id);
    }
    replicas
}

/// Send the data request and the digest requests; fill in what the answers reveal. Returns the
/// first replica's cell, or `None` if any answer is missing or malformed at the deadline.
async fn gather(
    node: &Rc<Node>,
    key: Key,
    contacts: &mut [Contact],
    deadline: Instant,
) -> Option<Option<Cell>> {
    let handles: Vec<_> = contacts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let req = if i == 0 || !node.config.digest_reads {
                Request::Read { key }
            } else {
                Request::Digest { key }
            };
            spawn_send(node, &c.target, req)
        })
        .collect();
    let mut answers = Vec::with_capacity(handles.len());
    for h in handles {
        match timeout_at(deadline, h).await {
            Ok(Ok(Ok(resp))) => answers.push(resp),
            _ => return None,
        }
    }
    let first = match answers.first() {
        Some(Response::Data(cell)) => *cell,
        _ => return None,
    };
    let first_digest = digest(first);
    for (c, answer) in contacts.iter_mut().zip(answers) {
        c.cell = match answer {
            Response::Data(cell) => Some(cell),
            Response::Digest(d) if d == first_digest => Some(first),
            Response::Digest(_) => None,
            _ => return None,
        };
    }
    Some(first)
}

/// Send `winner` to every stale replica. With a deadline, wait for all acknowledgements and report
/// whether they all came; without, fire and forget (still counting acknowledgements).
async fn repair(
    node: &Rc<Node>,
    key: Key,
    winner: Cell,
    stale: &[Target],
    deadline: Option<Instant>,
) -> bool {
    let req = Request::Write {
        key,
        cell: winner,
        kind: WriteKind::ReadRepair,
    };
    let handles: Vec<_> = stale
        .iter()
        .map(|t| {
            Metrics::inc(&node.metrics.repairs_sent);
            spawn_send(node, t, req.clone())
        })
        .collect();
    let mut all = true;
    for h in handles {
        let answer = match deadline {
            Some(d) => timeout_at(d, h).await.ok(),
            None => Some(h.await),
        };
        if matches!(answer, Some(Ok(Ok(Response::Ack)))) {
            Metrics::inc(&node.metrics.repairs_acked);
        } else {
            all = false;
        }
    }
    all
}
