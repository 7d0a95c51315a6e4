//! The built-in Dynamo-style store ([`crate::store`]) as a [`System`]: its nodes booted through
//! [`crate::store::node::run`], its client speaking the store's protocol, and what the harness
//! observes of it — every replica's cells (for convergence and the final state), the
//! [`Monitor`] fed by the store's events (mechanism coverage, invariants, reached cells,
//! `events.jsonl`), and the network counters.
//!
//! Settled means: no hint waits for delivery, and every pair of nodes sharing a ring range holds
//! Merkle trees with equal roots over it (a crashed node never agrees).

use super::builtin_client::BuiltinClient;
use super::{Client, NodeContext, NodeSoftware, Observations, System};
use crate::sim::cluster::ClusterError;
use crate::sim::invariants::Rules;
use crate::sim::monitor::Monitor;
use crate::sim::values;
use crate::store::cell::Cell;
use crate::store::config::StoreConfig;
use crate::store::merkle;
use crate::store::metrics::Metrics;
use crate::store::node::{self, NodeEnv};
use crate::store::ring::Ring;
use crate::store::storage::CellMap;
use quorumlab_checkers::final_state::{FinalState, Placement, ReachedCell, ReplicaCell};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::time::Duration;

/// Read-only handles on every node's cells, refreshed at each boot.
pub type Observed = Rc<RefCell<BTreeMap<String, Rc<RefCell<CellMap>>>>>;

/// The built-in store, one run's worth.
pub struct BuiltinStore {
    config: Rc<StoreConfig>,
    ring: Ring,
    op_timeout: Duration,
    observed: Observed,
    metrics: BTreeMap<String, Rc<Metrics>>,
    monitor: Rc<RefCell<Monitor>>,
}

impl BuiltinStore {
    /// The store configured by `config`, its clients giving up after `op_timeout`; `record` keeps
    /// every event for `events.jsonl` (they are always counted and checked).
    pub fn new(
        config: StoreConfig,
        op_timeout: Duration,
        record: bool,
    ) -> Result<BuiltinStore, ClusterError> {
        config.validate()?;
        let ring = Ring::new(&config.nodes, config.rf, config.vnodes)?;
        let monitor = Monitor::new(ring.clone(), Rules::of(&config), record);
        let metrics = config
            .nodes
            .iter()
            .map(|n| (n.clone(), Rc::new(Metrics::default())))
            .collect();
        Ok(BuiltinStore {
            config: Rc::new(config),
            ring,
            op_timeout,
            observed: Rc::default(),
            metrics,
            monitor: Rc::new(RefCell::new(monitor)),
        })
    }

    /// The store's configuration.
    pub fn config(&self) -> &StoreConfig {
        &self.config
    }

    /// Placement (the same ring the nodes use).
    pub fn ring(&self) -> &Ring {
        &self.ring
    }

    /// Read-only handles on every node's cells, as of each node's current boot.
    pub fn observed(&self) -> &Observed {
        &self.observed
    }

    /// The monitor fed by the nodes' events.
    pub fn monitor(&self) -> &Rc<RefCell<Monitor>> {
        &self.monitor
    }

    /// A client of `coordinator` outside the recorded workload (tests drive the store with it).
    pub fn raw_client(&self, coordinator: &str) -> BuiltinClient {
        BuiltinClient::new(
            coordinator,
            self.config.port,
            Duration::from_millis(self.config.connect_timeout_ms),
            self.op_timeout,
        )
    }

    /// The names of the replicas of `key`, in ring order.
    pub fn replica_names(&self, key: i64) -> Vec<String> {
        self.ring
            .replicas(key)
            .into_iter()
            .map(|r| self.ring.name(r).to_string())
            .collect()
    }

    /// The cell `node` holds for `key`, as of its current boot.
    pub fn cell(&self, node: &str, key: i64) -> Option<Cell> {
        self.observed
            .borrow()
            .get(node)
            .and_then(|cells| cells.borrow().get(&key).cloned())
    }

    /// Every cell `node` holds, as of its current boot (empty before its first boot).
    pub fn cells(&self, node: &str) -> CellMap {
        self.observed
            .borrow()
            .get(node)
            .map(|c| c.borrow().clone())
            .unwrap_or_default()
    }

    /// One node's counters.
    pub fn metrics(&self, node: &str) -> Option<&Rc<Metrics>> {
        self.metrics.get(node)
    }

    /// The sum of one network counter over all nodes.
    pub fn total(&self, pick: impl Fn(&Metrics) -> &std::cell::Cell<u64>) -> u64 {
        self.metrics.values().map(|m| pick(m).get()).sum()
    }

    /// How often a mechanism fired on `node` (coverage names: `hint-replayed`, `apply:hint`, …).
    pub fn count(&self, node: &str, what: &str) -> u64 {
        self.monitor.borrow().count_of(node, what)
    }

    /// How often a mechanism fired on every node together.
    pub fn coverage(&self, what: &str) -> u64 {
        self.monitor
            .borrow()
            .coverage()
            .get(what)
            .copied()
            .unwrap_or(0)
    }

    /// Whether every pair of nodes that share a ring range hold Merkle trees with equal roots over
    /// that range (all replicas of every key agree); a crashed node never agrees.
    pub fn roots_agree(&self, down: &BTreeSet<String>) -> bool {
        let observed = self.observed.borrow();
        let depth = self.config.anti_entropy.depth;
        let empty = CellMap::new();
        for a in 0..self.ring.nodes().len() {
            for b in merkle::peers_sharing(&self.ring, a) {
                if b < a {
                    continue;
                }
                let (na, nb) = (self.ring.name(a), self.ring.name(b));
                if down.contains(na) || down.contains(nb) {
                    return false;
                }
                let cells = |n: &str| observed.get(n).map(|c| c.borrow().clone());
                let (ca, cb) = (cells(na), cells(nb));
                let ta =
                    merkle::shared_tree(ca.as_ref().unwrap_or(&empty), &self.ring, a, b, depth);
                let tb =
                    merkle::shared_tree(cb.as_ref().unwrap_or(&empty), &self.ring, a, b, depth);
                if ta.root() != tb.root() {
                    return false;
                }
            }
        }
        true
    }
}

impl System for BuiltinStore {
    fn nodes(&self) -> Vec<String> {
        self.config.nodes.clone()
    }

    fn boot(&self, ctx: NodeContext) -> NodeSoftware {
        let name = ctx.name().to_string();
        let (observed, monitor) = (self.observed.clone(), self.monitor.clone());
        let obs_name = name.clone();
        let events: crate::store::events::EventSink = {
            let monitor = monitor.clone();
            Rc::new(move |node: &str, event| monitor.borrow_mut().on_event(node, event))
        };
        let env = NodeEnv {
            metrics: self.metrics.get(&name).cloned().unwrap_or_default(),
            name,
            config: self.config.clone(),
            clock: ctx.clock(),
            disk: ctx.disk(),
            seed: ctx.seed(),
            observer: Rc::new(move |cells: Rc<RefCell<CellMap>>| {
                let before = observed
                    .borrow_mut()
                    .insert(obs_name.clone(), cells.clone());
                let before = before.map(|b| b.borrow().clone());
                monitor
                    .borrow_mut()
                    .on_boot(&obs_name, before.as_ref(), &cells.borrow());
            }),
            events,
        };
        Box::pin(node::run(env))
    }

    fn client(&self, coordinator: &str) -> Box<dyn Client> {
        Box::new(self.raw_client(coordinator))
    }

    fn settled(&self, down: &BTreeSet<String>) -> bool {
        self.monitor.borrow().hints_pending() <= 0 && self.roots_agree(down)
    }

    fn final_state(&self, keys: u64, down: &BTreeSet<String>) -> Option<FinalState> {
        let observed = self.observed.borrow();
        let mut cells = Vec::new();
        let mut unavailable = Vec::new();
        for name in &self.config.nodes {
            match observed.get(name) {
                Some(map) if !down.contains(name) => {
                    for (&key, cell) in map.borrow().range(0..keys as i64) {
                        cells.push(ReplicaCell {
                            node: name.clone(),
                            key,
                            value: cell_id(key, cell),
                            ts: cell.ts,
                        });
                    }
                }
                _ => unavailable.push(name.clone()),
            }
        }
        let placement = (0..keys as i64)
            .map(|key| Placement {
                key,
                replicas: self.replica_names(key),
            })
            .collect();
        let reached = self
            .monitor
            .borrow()
            .reached()
            .range(0..keys as i64)
            .map(|(&key, cell)| ReachedCell {
                key,
                value: cell_id(key, cell),
                ts: cell.ts,
            })
            .collect();
        Some(FinalState {
            nodes: self.config.nodes.clone(),
            unavailable,
            placement,
            cells,
            reached: Some(reached),
            quiesce: None,
        })
    }

    fn observations(&self) -> Observations {
        let mut m = self.monitor.borrow_mut();
        let key_mechanisms = m
            .key_mechanisms()
            .iter()
            .map(|(&k, v)| (k, v.iter().map(|&(t, m)| (t, m.to_string())).collect()))
            .collect();
        let mut counters = BTreeMap::new();
        for metrics in self.metrics.values() {
            for (name, value) in metrics.values() {
                *counters.entry(name.to_string()).or_insert(0) += value;
            }
        }
        Observations {
            coverage: m.coverage().clone(),
            violations: m.violations().to_vec(),
            events: m.take_events().unwrap_or_default(),
            key_mechanisms,
            counters,
        }
    }
}

/// The value id a cell holds (`None` for a tombstone). Bytes that are not a valid value keep the
/// id they claim (or `i64::MIN` when too short), which no write wrote: the phantom checker sees it.
fn cell_id(key: i64, cell: &Cell) -> Option<i64> {
    let bytes = cell.value.as_ref()?;
    Some(match values::decode(key, bytes) {
        Ok(id) | Err(values::Corrupt::Payload { id }) => id,
        Err(values::Corrupt::TooShort(_)) => i64::MIN,
    })
}
