//! The cluster inside turmoil: one host per store node (`n1`…`nN`), built from the run seed, plus
//! what the harness may observe about each node (its cells, its counters, its clock offset).
//!
//! The simulation is configured for determinism: turmoil's RNG seeded from the run seed, a fixed
//! epoch, a minimum message latency of one tick (so a request and its answer never share a tick),
//! and no random disk syncs.

use super::clock::{ClockOffsets, DiskDelays};
use super::invariants::Rules;
use super::monitor::Monitor;
use super::seed::derive;
use super::values;
use crate::store::config::StoreConfig;
use crate::store::merkle;
use crate::store::metrics::Metrics;
use crate::store::node::{self, NodeEnv};
use crate::store::ring::Ring;
use crate::store::storage::CellMap;
use quorumlab_checkers::final_state::{FinalState, Placement, ReachedCell, ReplicaCell};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::{Duration, UNIX_EPOCH};
use turmoil::Sim;

/// The simulated network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetConfig {
    /// Minimum one-way message latency (ms); at least one tick.
    pub min_latency_ms: u64,
    /// Maximum one-way message latency (ms).
    pub max_latency_ms: u64,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            min_latency_ms: 1,
            max_latency_ms: 10,
        }
    }
}

/// Why a cluster cannot be built or stepped.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The store configuration is unusable.
    #[error(transparent)]
    Config(#[from] crate::store::config::ConfigError),
    /// The ring cannot be built.
    #[error(transparent)]
    Ring(#[from] crate::store::ring::RingError),
    /// Latencies out of order.
    #[error("network latency must satisfy 1 ≤ min ({min}) ≤ max ({max}) ms")]
    Latency {
        /// Minimum.
        min: u64,
        /// Maximum.
        max: u64,
    },
    /// turmoil reported an error (a host's software failed).
    #[error("simulation: {0}")]
    Simulation(String),
}

/// The length of one simulation step.
pub const TICK: Duration = Duration::from_millis(1);

/// Read-only handles on every node's cells, refreshed at each boot.
pub type Observed = Rc<RefCell<BTreeMap<String, Rc<RefCell<CellMap>>>>>;

/// A running cluster.
pub struct Cluster {
    /// The simulation.
    pub sim: Sim<'static>,
    /// Store configuration.
    pub config: Rc<StoreConfig>,
    /// Placement (the same ring the nodes use).
    pub ring: Ring,
    /// Each node's cells, as of its current boot.
    pub observed: Observed,
    /// Each node's counters.
    pub metrics: BTreeMap<String, Rc<Metrics>>,
    /// Each node's clock offset.
    pub clocks: ClockOffsets,
    /// Each node's disk latency.
    pub disks: DiskDelays,
    /// Nodes currently crashed.
    pub down: std::collections::BTreeSet<String>,
    /// What the nodes report: coverage, invariants, reached cells, events.
    pub monitor: Rc<RefCell<Monitor>>,
}

impl Cluster {
    /// Build the simulation and register every node (events are counted and checked, not kept).
    pub fn new(seed: u64, config: StoreConfig, net: &NetConfig) -> Result<Cluster, ClusterError> {
        Self::with_events(seed, config, net, false)
    }

    /// [`Cluster::new`], keeping every event rendered for `events.jsonl` when `record` is set.
    pub fn with_events(
        seed: u64,
        config: StoreConfig,
        net: &NetConfig,
        record: bool,
    ) -> Result<Cluster, ClusterError> {
        config.validate()?;
        let ring = Ring::new(&config.nodes, config.rf, config.vnodes)?;
        if net.min_latency_ms < 1 || net.max_latency_ms < net.min_latency_ms {
            return Err(ClusterError::Latency {
                min: net.min_latency_ms,
                max: net.max_latency_ms,
            });
        }
        let sim = turmoil::Builder::new()
            .rng_seed(derive(seed, "turmoil", 0))
            .epoch(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
            .tick_duration(TICK)
            .min_message_latency(Duration::from_millis(net.min_latency_ms))
            .max_message_latency(Duration::from_millis(net.max_latency_ms))
            .simulation_duration(Duration::from_secs(365 * 24 * 3600))
            .tcp_capacity(4096)
            .build();
        let monitor = Rc::new(RefCell::new(Monitor::new(
            ring.clone(),
            Rules::of(&config),
            record,
        )));
        let config = Rc::new(config);
        let mut cluster = Cluster {
            sim,
            clocks: ClockOffsets::new(&config.nodes),
            disks: DiskDelays::new(&config.nodes),
            config: config.clone(),
            ring,
            observed: Rc::default(),
            metrics: BTreeMap::new(),
            down: Default::default(),
            monitor: monitor.clone(),
        };
        let events: crate::store::events::EventSink = {
            let monitor = monitor.clone();
            Rc::new(move |node: &str, event| monitor.borrow_mut().on_event(node, event))
        };
        for (i, name) in config.nodes.iter().enumerate() {
            let metrics = Rc::new(Metrics::default());
            cluster.metrics.insert(name.clone(), metrics.clone());
            let boots = Rc::new(Cell::new(0u64));
            let observed = cluster.observed.clone();
            let obs_name = name.clone();
            let monitor = monitor.clone();
            let base = NodeEnv {
                name: name.clone(),
                config: config.clone(),
                clock: Rc::new(cluster.clocks.clock(name)),
                disk: Rc::new(cluster.disks.disk(name)),
                seed: 0,
                metrics,
                observer: Rc::new(move |cells: Rc<RefCell<CellMap>>| {
                    let before = observed
                        .borrow_mut()
                        .insert(obs_name.clone(), cells.clone());
                    let before = before.map(|b| b.borrow().clone());
                    monitor
                        .borrow_mut()
                        .on_boot(&obs_name, before.as_ref(), &cells.borrow());
                }),
                events: events.clone(),
            };
            cluster.sim.host(name.as_str(), move || {
                let boot = boots.get();
                boots.set(boot + 1);
                let env = NodeEnv {
                    seed: derive(seed, "node", (i as u64) << 32 | boot),
                    ..base.clone()
                };
                node::run(env)
            });
        }
        Ok(cluster)
    }

    /// Simulated time since the start.
    pub fn elapsed(&self) -> Duration {
        self.sim.elapsed()
    }

    /// Advance one tick.
    pub fn step(&mut self) -> Result<(), ClusterError> {
        super::trace::mark(self.sim.elapsed());
        self.sim
            .step()
            .map(|_| ())
            .map_err(|e| ClusterError::Simulation(e.to_string()))
    }

    /// Whether the cluster is quiet: no hint waits for delivery and the replicas agree
    /// ([`Cluster::roots_agree`]).
    pub fn quiet(&self) -> bool {
        self.monitor.borrow().hints_pending() <= 0 && self.roots_agree()
    }

    /// Whether every pair of nodes that share a ring range hold Merkle trees with equal roots over
    /// that range (all replicas of every key agree); a crashed node never agrees.
    pub fn roots_agree(&self) -> bool {
        let observed = self.observed.borrow();
        let depth = self.config.anti_entropy.depth;
        let empty = CellMap::new();
        for a in 0..self.ring.nodes().len() {
            for b in merkle::peers_sharing(&self.ring, a) {
                if b < a {
                    continue;
                }
                let (na, nb) = (self.ring.name(a), self.ring.name(b));
                if self.down.contains(na) || self.down.contains(nb) {
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

    /// Every replica's cells for keys `0..keys`, with placement.
    pub fn snapshot(&self, keys: u64) -> FinalState {
        let observed = self.observed.borrow();
        let mut cells = Vec::new();
        let mut unavailable = Vec::new();
        for name in &self.config.nodes {
            match observed.get(name) {
                Some(map) if !self.down.contains(name) => {
                    for (&key, cell) in map.borrow().range(0..keys as i64) {
                        cells.push(replica_cell(name, key, cell));
                    }
                }
                _ => unavailable.push(name.clone()),
            }
        }
        let placement = (0..keys as i64)
            .map(|key| Placement {
                key,
                replicas: self
                    .ring
                    .replicas(key)
                    .into_iter()
                    .map(|r| self.ring.name(r).to_string())
                    .collect(),
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
        FinalState {
            nodes: self.config.nodes.clone(),
            unavailable,
            placement,
            cells,
            reached: Some(reached),
            quiesce: None,
        }
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
    pub fn cell(&self, node: &str, key: i64) -> Option<crate::store::cell::Cell> {
        self.observed
            .borrow()
            .get(node)
            .and_then(|cells| cells.borrow().get(&key).cloned())
    }

    /// The sum of one network counter over all nodes.
    pub fn total(&self, pick: impl Fn(&Metrics) -> &Cell<u64>) -> u64 {
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
}

/// One replica's cell as `final.json` records it.
fn replica_cell(node: &str, key: i64, cell: &crate::store::cell::Cell) -> ReplicaCell {
    ReplicaCell {
        node: node.to_string(),
        key,
        value: cell_id(key, cell),
        ts: cell.ts,
    }
}

/// The value id a cell holds (`None` for a tombstone). Bytes that are not a valid value keep the
/// id they claim (or `i64::MIN` when too short), which no write wrote: the phantom checker sees it.
fn cell_id(key: i64, cell: &crate::store::cell::Cell) -> Option<i64> {
    let bytes = cell.value.as_ref()?;
    Some(match values::decode(key, bytes) {
        Ok(id) | Err(values::Corrupt::Payload { id }) => id,
        Err(values::Corrupt::TooShort(_)) => i64::MIN,
    })
}
