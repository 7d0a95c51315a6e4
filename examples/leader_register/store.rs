//! The store as a [`System`]: three nodes, a client per process, and what the harness may observe
//! (every node's map for the final state, and whether replication has caught up).

use crate::client::LeaderClient;
use crate::node::{self, Replica, LEADER};
use quorumlab::checkers::final_state::{FinalState, Placement, ReachedCell, ReplicaCell};
use quorumlab::sim::values;
use quorumlab::sut::{Client, NodeContext, NodeSoftware, System};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use tokio::time::Duration;

/// A planted bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    /// The leader acknowledges a write once it is in its memory, before the entry is synced or
    /// replicated; a flusher syncs every 20 ms and only synced entries are replicated. A leader
    /// crash loses acknowledged writes (and values already read).
    AckBeforeDurable,
    /// The leader acknowledges a write once its own log has it synced, and replicates in the
    /// background. Invisible here: the leader never changes and serves every read, so its own
    /// durable log is what makes an acknowledged write stay (see the crate doc).
    AckBeforeReplicate,
    /// A follower answers reads from its own map instead of forwarding them: stale once it
    /// misses entries (cut off from the leader, or just behind).
    ReadFromFollower,
}

/// The store's configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Node names; the first, `n1`, leads.
    pub nodes: Vec<String>,
    /// A client's deadline for one operation (after it: unknown outcome).
    pub op_timeout: Duration,
    /// The planted bug, if any.
    pub bug: Option<Bug>,
}

impl Config {
    /// Three nodes, a client deadline of `op_timeout_ms`, and `bug`.
    pub fn new(op_timeout_ms: u64, bug: Option<Bug>) -> Config {
        Config {
            nodes: ["n1", "n2", "n3"].map(String::from).to_vec(),
            op_timeout: Duration::from_millis(op_timeout_ms),
            bug,
        }
    }
}

/// Every node's state as of its current boot.
pub type Observed = Rc<RefCell<BTreeMap<String, Rc<RefCell<Replica>>>>>;
/// Per key, the newest entry (seq, value id) any node applied during the run.
pub type Reached = Rc<RefCell<BTreeMap<i64, (u64, Option<i64>)>>>;

/// The store, one run's worth.
pub struct LeaderRegister {
    config: Config,
    observed: Observed,
    reached: Reached,
}

impl LeaderRegister {
    pub fn new(config: Config) -> LeaderRegister {
        assert_eq!(config.nodes.first().map(String::as_str), Some(LEADER));
        LeaderRegister {
            config,
            observed: Rc::default(),
            reached: Rc::default(),
        }
    }
}

impl System for LeaderRegister {
    fn nodes(&self) -> Vec<String> {
        self.config.nodes.clone()
    }

    fn boot(&self, ctx: NodeContext) -> NodeSoftware {
        Box::pin(node::run(
            ctx,
            self.config.nodes.clone(),
            self.config.bug,
            self.observed.clone(),
            self.reached.clone(),
        ))
    }

    fn client(&self, coordinator: &str) -> Box<dyn Client> {
        Box::new(LeaderClient::new(coordinator, self.config.op_timeout))
    }

    /// Every node up, the leader working on no write with all of its log synced, and every
    /// follower holding the leader's whole log.
    fn settled(&self, down: &BTreeSet<String>) -> bool {
        let observed = self.observed.borrow();
        let Some(leader) = observed.get(LEADER).map(|l| l.borrow()) else {
            return false;
        };
        down.is_empty()
            && leader.writing == 0
            && leader.durable == leader.last()
            && self.config.nodes.iter().all(|n| {
                observed
                    .get(n)
                    .is_some_and(|r| r.borrow().last() == leader.last())
            })
    }

    /// Followers converge on the leader's log after heal (the leader re-sends what they lack), so
    /// every replica's map is a fair final state.
    fn final_state(&self, keys: u64, down: &BTreeSet<String>) -> Option<FinalState> {
        let observed = self.observed.borrow();
        let (mut cells, mut unavailable) = (Vec::new(), Vec::new());
        for node in &self.config.nodes {
            match observed.get(node) {
                Some(replica) if !down.contains(node) => {
                    for (&key, (seq, value)) in replica.borrow().map.range(0..keys as i64) {
                        cells.push(ReplicaCell {
                            node: node.clone(),
                            key,
                            value: value_id(key, value.as_deref()),
                            ts: *seq,
                        });
                    }
                }
                _ => unavailable.push(node.clone()),
            }
        }
        let reached = self.reached.borrow();
        let reached = reached
            .range(0..keys as i64)
            .map(|(&key, &(ts, value))| ReachedCell { key, value, ts });
        Some(FinalState {
            nodes: self.config.nodes.clone(),
            unavailable,
            placement: (0..keys as i64)
                .map(|key| Placement {
                    key,
                    replicas: self.config.nodes.clone(),
                })
                .collect(),
            cells,
            reached: Some(reached.collect()),
            quiesce: None,
        })
    }
}

/// The value id of stored bytes (`None`: deleted). Bytes that are no client's value keep the id
/// they claim, or `i64::MIN` when too short: no write wrote that, so the phantom checker sees it.
pub fn value_id(key: i64, bytes: Option<&[u8]>) -> Option<i64> {
    Some(match values::decode(key, bytes?) {
        Ok(id) | Err(values::Corrupt::Payload { id }) => id,
        Err(values::Corrupt::TooShort(_)) => i64::MIN,
    })
}
