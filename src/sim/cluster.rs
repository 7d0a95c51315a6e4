//! The cluster inside turmoil: one host per node of the system under test (`n1`…`nN` for the
//! built-in store), built from the run seed, plus what the nemesis controls on every node (its
//! clock offset, its disk latency, whether it is crashed).
//!
//! The simulation is configured for determinism: turmoil's RNG seeded from the run seed, a fixed
//! epoch, a minimum message latency of one tick (so a request and its answer never share a tick),
//! and no random disk syncs. Every node boots through [`System::boot`] with a [`NodeContext`]
//! whose seed is derived from the run seed, the node's index and its boot number.

use super::clock::{ClockOffsets, DiskDelays};
use super::seed::derive;
use crate::store::config::StoreConfig;
use crate::sut::builtin::BuiltinStore;
use crate::sut::{EventLog, NodeContext, System};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::collections::BTreeSet;
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
    /// The system's node names are unusable.
    #[error("system under test: {0}")]
    Nodes(String),
    /// turmoil reported an error (a host's software failed).
    #[error("simulation: {0}")]
    Simulation(String),
}

/// The length of one simulation step.
pub const TICK: Duration = Duration::from_millis(1);

/// Host names the harness uses itself.
pub const HARNESS_HOSTS: [&str; 2] = ["clients", "final"];

/// A running cluster of system `S` (the built-in store unless said otherwise).
pub struct Cluster<S: System + ?Sized = BuiltinStore> {
    /// The simulation.
    pub sim: Sim<'static>,
    /// The system under test.
    pub system: Rc<S>,
    /// Its nodes, in order.
    pub nodes: Vec<String>,
    /// Each node's clock offset.
    pub clocks: ClockOffsets,
    /// Each node's disk latency.
    pub disks: DiskDelays,
    /// Nodes currently crashed.
    pub down: BTreeSet<String>,
    /// Events the nodes report through their [`NodeContext`].
    pub events: EventLog,
}

impl Cluster<BuiltinStore> {
    /// The built-in store configured by `config` on network `net` (events are counted and checked,
    /// not kept).
    pub fn new(
        seed: u64,
        config: StoreConfig,
        net: &NetConfig,
    ) -> Result<Cluster<BuiltinStore>, ClusterError> {
        let timeout = Duration::from_millis(
            crate::sim::workload::WorkloadConfig::default().client_timeout_ms,
        );
        let store = BuiltinStore::new(config, timeout, false)?;
        Cluster::with_system(seed, Rc::new(store), net, false)
    }

    /// The built-in store's configuration.
    pub fn config(&self) -> &StoreConfig {
        self.system.config()
    }

    /// Read-only handles on every node's cells.
    pub fn observed(&self) -> &crate::sut::builtin::Observed {
        self.system.observed()
    }

    /// The built-in store's placement.
    pub fn ring(&self) -> &crate::store::ring::Ring {
        self.system.ring()
    }

    /// Whether every replica set agrees now ([`BuiltinStore::roots_agree`] with the nodes now
    /// crashed).
    pub fn roots_agree(&self) -> bool {
        self.system.roots_agree(&self.down)
    }

    /// The names of the replicas of `key`, in ring order.
    pub fn replica_names(&self, key: i64) -> Vec<String> {
        self.system.replica_names(key)
    }

    /// The cell `node` holds for `key`, as of its current boot.
    pub fn cell(&self, node: &str, key: i64) -> Option<crate::store::cell::Cell> {
        self.system.cell(node, key)
    }

    /// How often a mechanism fired on `node` (coverage names: `hint-replayed`, `apply:hint`, …).
    pub fn count(&self, node: &str, what: &str) -> u64 {
        self.system.count(node, what)
    }

    /// How often a mechanism fired on every node together.
    pub fn coverage(&self, what: &str) -> u64 {
        self.system.coverage(what)
    }

    /// The sum of one network counter over all nodes.
    pub fn total(&self, pick: impl Fn(&crate::store::metrics::Metrics) -> &Cell<u64>) -> u64 {
        self.system.total(pick)
    }
}

impl<S: System + ?Sized> Cluster<S> {
    /// Build the simulation and register every node of `system` as a host; `record` keeps the
    /// lines of events reported through [`NodeContext::emit`].
    pub fn with_system(
        seed: u64,
        system: Rc<S>,
        net: &NetConfig,
        record: bool,
    ) -> Result<Cluster<S>, ClusterError> {
        if net.min_latency_ms < 1 || net.max_latency_ms < net.min_latency_ms {
            return Err(ClusterError::Latency {
                min: net.min_latency_ms,
                max: net.max_latency_ms,
            });
        }
        let nodes = system.nodes();
        check_nodes(&nodes).map_err(ClusterError::Nodes)?;
        let sim = turmoil::Builder::new()
            .rng_seed(derive(seed, "turmoil", 0))
            .epoch(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
            .tick_duration(TICK)
            .min_message_latency(Duration::from_millis(net.min_latency_ms))
            .max_message_latency(Duration::from_millis(net.max_latency_ms))
            .simulation_duration(Duration::from_secs(365 * 24 * 3600))
            .tcp_capacity(4096)
            .build();
        let mut cluster = Cluster {
            sim,
            clocks: ClockOffsets::new(&nodes),
            disks: DiskDelays::new(&nodes),
            system,
            nodes: nodes.clone(),
            down: BTreeSet::new(),
            events: EventLog::new(record),
        };
        for (i, name) in nodes.iter().enumerate() {
            let boots = Rc::new(Cell::new(0u64));
            let base = NodeContext {
                name: name.clone(),
                index: i,
                boot: 0,
                seed: 0,
                clock: Rc::new(cluster.clocks.clock(name)),
                disk: Rc::new(cluster.disks.disk(name)),
                events: cluster.events.clone(),
            };
            let system = cluster.system.clone();
            cluster.sim.host(name.as_str(), move || {
                let boot = boots.get();
                boots.set(boot + 1);
                system.boot(NodeContext {
                    boot,
                    seed: derive(seed, "node", (i as u64) << 32 | boot),
                    ..base.clone()
                })
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

    /// Whether the system has settled ([`System::settled`]) given the nodes now crashed.
    pub fn quiet(&self) -> bool {
        self.system.settled(&self.down)
    }
}

/// Node names a cluster can use: at least one, unique, non-empty, not a harness host.
fn check_nodes(nodes: &[String]) -> Result<(), String> {
    if nodes.is_empty() {
        return Err("no nodes".into());
    }
    let mut seen = BTreeSet::new();
    for n in nodes {
        if n.is_empty() || n.chars().any(char::is_whitespace) {
            return Err(format!("node name {n:?} is empty or has whitespace"));
        }
        if HARNESS_HOSTS.contains(&n.as_str()) {
            return Err(format!(
                "node name {n:?} is reserved for the harness's own hosts"
            ));
        }
        if !seen.insert(n) {
            return Err(format!("node {n:?} named twice"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_nodes;

    #[test]
    fn node_names_are_checked() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_nodes(&names(&["n1", "n2"])).is_ok());
        assert!(check_nodes(&[]).is_err());
        assert!(check_nodes(&names(&["n1", "n1"])).is_err());
        assert!(check_nodes(&names(&["clients"])).is_err());
        assert!(check_nodes(&names(&["a b"])).is_err());
    }
}
