//! The coordinator's read path: digest reads, reconciliation and read repair.
//!
//! 1. Order the key's replicas: the coordinator itself first when it is one, then the others in an
//!    order drawn from the node's seeded RNG (a stand-in for a dynamic snitch). Contact exactly as
//!    many reachable replicas as the read consistency level needs; too few: `Unavailable`.
//! 2. With digest reads, the first contacted replica returns the cell and the others only its xxh3
//!    digest; without, every contacted replica returns the cell.
//! 3. All answers agree: reply. Otherwise fetch full cells from the replicas whose digests differed,
//!    reconcile (last write wins, [`reconcile_contacts`]), and send the winner to every contacted
//!    replica that is behind: `blocking` replies only after those repairs are acknowledged (else
//!    `RepairTimeout`), `async` replies at once and hands the repairs to a background stage that
//!    sends them after `async_repair_delay_ms`, `none` does not repair.
//!
//! Any missing answer before the deadline is a `Timeout` (a read has no effect to be unsure about).

use super::cell::{reconcile_all, Cell, Key};
use super::config::{Mutant, ReadRepair};
use super::events::{OpKind, StoreEvent, Trace};
use super::node::Node;
use super::proto::{ClientError, Request, Response, WriteKind};
use super::replica::digest_of;
use super::replicas::{reach, spawn_send, Target};
use super::ring::NodeId;
use rand::seq::SliceRandom;
use std::rc::Rc;
use std::time::Duration;
use tokio::time::{timeout_at, Instant};

/// What the coordinator knows of one contacted replica's cell.
struct Contact {
    id: NodeId,
    target: Target,
    /// `Some(cell)` once known (from data, or from a digest equal to the data's).
    cell: Option<Option<Cell>>,
}

/// Coordinate a client read of `key`.
pub async fn read(node: &Rc<Node>, key: Key, trace: Trace) -> Response {
    let deadline = Instant::now() + node.request_timeout();
    let needed = node.required(node.config.read_cl);
    let mut contacts = Vec::with_capacity(needed);
    for replica in replica_order(node, key) {
        if contacts.len() == needed {
            break;
        }
        if let Ok(Ok(target)) = timeout_at(deadline, reach(node, replica)).await {
            contacts.push(Contact {
                id: replica,
                target,
                cell: None,
            });
        }
    }
    if contacts.len() < needed {
        let alive = contacts.len();
        node.emit(StoreEvent::Unavailable {
            key,
            op: OpKind::Read,
            alive,
            needed,
            trace,
        });
        return Response::Error(ClientError::Unavailable { alive, needed });
    }
    let timeout = ClientError::Timeout {
        answered: 0,
        needed,
    };
    let Some(first) = gather(node, key, &mut contacts, deadline).await else {
        return Response::Error(timeout);
    };
    if contacts.iter().all(|c| c.cell.as_ref() == Some(&first)) {
        return reply(node, key, first, &contacts, trace);
    }
    node.emit(StoreEvent::DigestMismatch { key, trace });
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
    let known: Vec<Option<Cell>> = contacts.iter().filter_map(|c| c.cell.clone()).collect();
    let (winner, stale) = reconcile_contacts(&known, node.planted(Mutant::MismatchSkipsData));
    let Some(mut repair_cell) = winner.clone() else {
        return reply(node, key, None, &contacts, trace);
    };
    let stale: Vec<(NodeId, Target)> = stale
        .into_iter()
        .map(|i| (contacts[i].id, contacts[i].target.clone()))
        .collect();
    if node.planted(Mutant::RepairRestamp) {
        repair_cell.ts = node.clock.now_micros();
    }
    let repair = Repair {
        key,
        cell: repair_cell,
        stale,
        trace,
    };
    match node.config.read_repair {
        ReadRepair::None => {}
        ReadRepair::Async => {
            let delay = Duration::from_millis(node.config.async_repair_delay_ms);
            spawn_repair(node, repair, delay);
        }
        ReadRepair::Blocking if node.planted(Mutant::RepairNoWait) => {
            spawn_repair(node, repair, Duration::ZERO);
        }
        ReadRepair::Blocking => {
            let all_acked = repair.send(node, Some(deadline)).await;
            if !all_acked && !node.planted(Mutant::RepairAckIgnored) {
                return Response::Error(ClientError::RepairTimeout);
            }
        }
    }
    reply(node, key, winner, &contacts, trace)
}

/// Report the answer and build the response.
fn reply(
    node: &Node,
    key: Key,
    cell: Option<Cell>,
    contacts: &[Contact],
    trace: Trace,
) -> Response {
    node.emit(StoreEvent::ReadReplied {
        key,
        cell: cell.clone(),
        contacted: contacts.iter().map(|c| c.id).collect(),
        blocking: node.config.read_repair == ReadRepair::Blocking,
        trace,
    });
    Response::ReadOk { cell }
}

/// The last-write-wins winner among the contacted replicas' cells (`cells[0]` is the data reply)
/// and the indices of the replicas that do not hold it. `skip_data` leaves the data reply out of
/// the reconciliation (a planted bug).
pub fn reconcile_contacts(cells: &[Option<Cell>], skip_data: bool) -> (Option<Cell>, Vec<usize>) {
    let from = usize::from(skip_data && cells.len() > 1);
    let winner = reconcile_all(cells[from..].iter().cloned());
    let stale = (0..cells.len()).filter(|&i| cells[i] != winner).collect();
    (winner, stale)
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
        Some(Response::Data(cell)) => cell.clone(),
        _ => return None,
    };
    let first_digest = digest_of(node, first.as_ref());
    for (c, answer) in contacts.iter_mut().zip(answers) {
        c.cell = match answer {
            Response::Data(cell) => Some(cell),
            Response::Digest(d) if d == first_digest => Some(first.clone()),
            Response::Digest(_) => None,
            _ => return None,
        };
    }
    Some(first)
}

/// Read repair: the winner for every stale contacted replica.
struct Repair {
    key: Key,
    cell: Cell,
    stale: Vec<(NodeId, Target)>,
    trace: Trace,
}

impl Repair {
    /// Send the winner to every stale replica. With a deadline, wait for all acknowledgements and
    /// report whether they all came; without, wait for each answer (or its RPC deadline).
    async fn send(&self, node: &Rc<Node>, deadline: Option<Instant>) -> bool {
        let handles: Vec<_> = self
            .stale
            .iter()
            .map(|(id, target)| {
                node.emit(StoreEvent::RepairSent {
                    key: self.key,
                    to: *id,
                    trace: self.trace,
                });
                let req = Request::Write {
                    key: self.key,
                    cell: self.cell.clone(),
                    kind: WriteKind::ReadRepair,
                    trace: self.trace,
                };
                spawn_send(node, target, req)
            })
            .collect();
        let mut all = true;
        for ((id, _), h) in self.stale.iter().zip(handles) {
            let answer = match deadline {
                Some(d) => timeout_at(d, h).await.ok(),
                None => Some(h.await),
            };
            let (key, to, trace) = (self.key, *id, self.trace);
            if matches!(answer, Some(Ok(Ok(Response::Ack)))) {
                node.emit(StoreEvent::RepairAcked { key, to, trace });
            } else {
                node.emit(StoreEvent::RepairTimeout { key, to, trace });
                all = false;
            }
        }
        all
    }
}

/// Hand a repair to the background stage: it is sent after `delay`.
fn spawn_repair(node: &Rc<Node>, repair: Repair, delay: Duration) {
    let node = node.clone();
    tokio::task::spawn_local(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        repair.send(&node, None).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(ts: u64) -> Option<Cell> {
        Some(Cell::live(ts, vec![ts as u8]))
    }

    #[test]
    fn the_winner_is_the_newest_and_the_others_are_stale() {
        let (winner, stale) = reconcile_contacts(&[c(5), c(9), None], false);
        assert_eq!(winner, c(9));
        assert_eq!(stale, vec![0, 2]);
        let (winner, stale) = reconcile_contacts(&[c(5), c(5)], false);
        assert_eq!(winner, c(5));
        assert!(stale.is_empty());
    }

    #[test]
    fn skipping_the_data_reply_can_pick_an_older_winner() {
        let (winner, stale) = reconcile_contacts(&[c(9), c(5)], true);
        assert_eq!(winner, c(5), "the planted bug ignores the newer data reply");
        assert_eq!(stale, vec![0]);
    }
}
