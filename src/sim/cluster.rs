//! The cluster inside turmoil: one host per store node (`n1`…`nN`), built from the run seed, plus
//! what the harness may observe about each node (its cells, its counters, its clock offset).
//!
//! The simulation is configured for determinism: turmoil's RNG seeded from the run seed, a fixed
//! epoch, a minimum message latency of one tick (so a request and its answer never share a tick),
//! and no random disk syncs.

use super::clock::ClockOffsets;
use super::seed::derive;
use crate::store::config::StoreConfig;
use crate::store::merkle;
use crate::store::metrics::Metrics;
use crate::store::node::{self, NodeEnv};
use crate::store::ring::Ring;
use crate::store::storage::CellMap;
use quorumlab_checkers::final_state::{FinalState, Placement, ReplicaCell};
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
            max_latency_ms: 50,
        }
    }
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
    /// Nodes currently crashed.
    pub down: std::collections::BTreeSet<String>,
}

impl Cluster {
    /// Build the simulation and register every node.
    pub fn new(seed: u64, config: StoreConfig, net: &NetConfig) -> Result<Cluster, String> {
        let ring = Ring::new(&config.nodes, config.rf, config.vnodes).map_err(|e| e.to_string())?;
        if net.min_latency_ms < 1 || net.max_latency_ms < net.min_latency_ms {
            return Err(format!(
                "network latency must satisfy 1 ≤ min ({}) ≤ max ({}) ms",
                net.min_latency_ms, net.max_latency_ms
            ));
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
        let config = Rc::new(config);
        let mut cluster = Cluster {
            sim,
            clocks: ClockOffsets::new(&config.nodes),
            config: config.clone(),
            ring,
            observed: Rc::default(),
            metrics: BTreeMap::new(),
            down: Default::default(),
        };
        for (i, name) in config.nodes.iter().enumerate() {
            let metrics = Rc::new(Metrics::default());
            cluster.metrics.insert(name.clone(), metrics.clone());
            let boots = Rc::new(Cell::new(0u64));
            let observed = cluster.observed.clone();
            let obs_name = name.clone();
            let base = NodeEnv {
                name: name.clone(),
                config: config.clone(),
                clock: Rc::new(cluster.clocks.clock(name)),
                seed: 0,
                metrics,
                observer: Rc::new(move |cells| {
                    observed.borrow_mut().insert(obs_name.clone(), cells);
                }),
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
    pub fn step(&mut self) -> Result<(), String> {
        self.sim.step().map(|_| ()).map_err(|e| e.to_string())
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
                        cells.push(ReplicaCell {
                            node: name.clone(),
                            key,
                            value: Some(cell.value),
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
                replicas: self
                    .ring
                    .replicas(key)
                    .into_iter()
                    .map(|r| self.ring.name(r).to_string())
                    .collect(),
            })
            .collect();
        FinalState {
            nodes: self.config.nodes.clone(),
            unavailable,
            placement,
            cells,
            quiesce: None,
            reached: None,
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
            .and_then(|cells| cells.borrow().get(&key).copied())
    }

    /// The sum of one counter over all nodes.
    pub fn total(&self, pick: impl Fn(&Metrics) -> &Cell<u64>) -> u64 {
        self.metrics.values().map(|m| pick(m).get()).sum()
    }
}
