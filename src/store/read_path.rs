//! The coordinator's read path: the I/O of digest reads, reconciliation and read repair. Every
//! decision is a pure function of [`super::decide`]; this module gathers the answers they need and
//! carries out what they return.
//!
//! 1. Try the key's replicas in [`decide::order::read_order`] (the coordinator first when it is
//!    one, then the others in an order drawn from the node's seeded RNG), contacting exactly as
//!    many reachable replicas as the read consistency level needs; too few: `Unavailable`.
//! 2. Ask them as [`decide::read::read_plan`] says (one data read, digests or data for the others)
//!    and interpret the answers ([`decide::read::first_round`]).
//! 3. All answers agree: reply. Otherwise fetch full cells from the replicas whose digests
//!    differed, reconcile ([`decide::read::reconcile_contacts`]: the winner and who is stale), and
//!    send the winner to every stale contacted replica as [`decide::read::repair_mode`] says:
//!    `blocking` replies only after those repairs are acknowledged (else `RepairTimeout`,
//!    [`decide::read::repair_acks`]), `async` replies at once and hands the repairs to a
//!    background stage that sends them after `async_repair_delay_ms`, `none` does not repair.
//!
//! Any missing answer before the deadline is a `Timeout` (a read has no effect to be unsure about).

use super::cell::{Cell, Key};
use super::config::ReadRepair;
use super::decide::read::{Ask, Reconciled, RepairMode};
use super::decide::{self, Failure, Verdict};
use super::events::{OpKind, StoreEvent, Trace};
use super::proto::{ClientError, Request, Response, WriteKind};
use super::replicas::{reach, spawn_send, Target};
use super::ring::NodeId;
use super::state::Node;
use std::rc::Rc;
use std::time::Duration;
use tokio::time::{timeout_at, Instant};

/// A contacted replica.
struct Contact {
    id: NodeId,
    target: Target,
}

/// Coordinate a client read of `key`.
pub async fn read(node: &Rc<Node>, key: Key, trace: Trace) -> Response {
    let deadline = Instant::now() + node.request_timeout();
    let needed = node.required(node.config().read_cl);
    let mut contacts = Vec::with_capacity(needed);
    for replica in node.read_order(key) {
        if contacts.len() == needed {
            break;
        }
        if let Ok(Ok(target)) = timeout_at(deadline, reach(node, replica)).await {
            contacts.push(Contact {
                id: replica,
                target,
            });
        }
    }
    if let Err(Failure::Unavailable { alive, needed }) =
        decide::quorum::admit(contacts.len(), needed, false)
    {
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
    let Some(answers) = gather(node, key, &contacts, deadline).await else {
        return Response::Error(timeout);
    };
    let coverage = decide::replica::digest_coverage(node.mutant());
    let Some(round) = decide::read::first_round(answers, coverage) else {
        return Response::Error(timeout);
    };
    if round.agree() {
        return reply(node, key, round.first, &contacts, trace);
    }
    node.emit(StoreEvent::DigestMismatch { key, trace });
    // Full reads from the replicas whose digests differed.
    let unknown = round.unknown();
    let mut known = round.known;
    let handles: Vec<_> = unknown
        .iter()
        .map(|&i| spawn_send(node, &contacts[i].target, Request::Read { key }))
        .collect();
    for (&i, h) in unknown.iter().zip(handles) {
        match timeout_at(deadline, h).await {
            Ok(Ok(Ok(Response::Data(cell)))) => known[i] = Some(cell),
            _ => return Response::Error(timeout),
        }
    }
    let cells: Vec<Option<Cell>> = known.into_iter().flatten().collect();
    let Reconciled { winner, stale } = decide::read::reconcile_contacts(&cells, node.mutant());
    let Some(winner_cell) = winner.clone() else {
        return reply(node, key, None, &contacts, trace);
    };
    let repair = Repair {
        key,
        cell: decide::read::repair_cell(winner_cell, node.mutant(), node.now_micros()),
        stale: stale
            .into_iter()
            .map(|i| (contacts[i].id, contacts[i].target.clone()))
            .collect(),
        trace,
    };
    let config = node.config();
    match decide::read::repair_mode(
        config.read_repair,
        config.async_repair_delay_ms,
        node.mutant(),
    ) {
        RepairMode::Skip => {}
        RepairMode::Background { delay_ms } => {
            spawn_repair(node, repair, Duration::from_millis(delay_ms));
        }
        RepairMode::Blocking => {
            let mut acks = decide::read::repair_acks(repair.stale.len(), node.mutant());
            for acked in repair.send(node, Some(deadline)).await {
                acks.record(acked);
            }
            if let Verdict::Answer(Err(_)) = acks.verdict() {
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
        blocking: node.config().read_repair == ReadRepair::Blocking,
        trace,
    });
    Response::ReadOk { cell }
}

/// Send the requests of the read plan and collect every answer, in contact order; `None` if any
/// answer is missing at the deadline.
async fn gather(
    node: &Rc<Node>,
    key: Key,
    contacts: &[Contact],
    deadline: Instant,
) -> Option<Vec<Response>> {
    let plan = decide::read::read_plan(contacts.len(), node.config().digest_reads);
    let handles: Vec<_> = contacts
        .iter()
        .zip(plan)
        .map(|(c, ask)| {
            let req = match ask {
                Ask::Data => Request::Read { key },
                Ask::Digest => Request::Digest { key },
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
    Some(answers)
}

/// Read repair: the winner for every stale contacted replica.
struct Repair {
    key: Key,
    cell: Cell,
    stale: Vec<(NodeId, Target)>,
    trace: Trace,
}

impl Repair {
    /// Send the winner to every stale replica. With a deadline, wait for every acknowledgement
    /// until then; without, wait for each answer (or its RPC deadline). Returns, per stale
    /// replica, whether it acknowledged.
    async fn send(&self, node: &Rc<Node>, deadline: Option<Instant>) -> Vec<bool> {
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
        let mut acked_by = Vec::with_capacity(handles.len());
        for ((id, _), h) in self.stale.iter().zip(handles) {
            let answer = match deadline {
                Some(d) => timeout_at(d, h).await.ok(),
                None => Some(h.await),
            };
            let (key, to, trace) = (self.key, *id, self.trace);
            let acked = matches!(answer, Some(Ok(Ok(Response::Ack))));
            if acked {
                node.emit(StoreEvent::RepairAcked { key, to, trace });
            } else {
                node.emit(StoreEvent::RepairTimeout { key, to, trace });
            }
            acked_by.push(acked);
        }
        acked_by
    }
}

/// Hand a repair to the background stage: it is sent after `delay` (nobody waits for its answers).
fn spawn_repair(node: &Rc<Node>, repair: Repair, delay: Duration) {
    let node = node.clone();
    tokio::task::spawn_local(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        repair.send(&node, None).await;
    });
}
