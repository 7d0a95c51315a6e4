//! Helpers shared by the anti-entropy scenarios: a cluster where only anti-entropy repairs,
//! scripted writes, partitions and stepping.

use quorumlab::sim::cluster::{Cluster, NetConfig};
use quorumlab::sim::values;
use quorumlab::store::cell::Cell;
use quorumlab::store::config::{ReadRepair, StoreConfig};
use quorumlab::store::proto::Response;
use quorumlab::sut::builtin_client::BuiltinClient;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// The node the scenarios cut off.
pub const VICTIM: &str = "n1";

/// A cluster of the default shape where only anti-entropy (if enabled) repairs.
pub fn cluster(seed: u64, anti_entropy: bool) -> Cluster {
    Cluster::new(seed, config(anti_entropy), &NetConfig::default()).unwrap()
}

/// Only anti-entropy may repair anything in these scenarios.
pub fn config(anti_entropy: bool) -> StoreConfig {
    let mut cfg = StoreConfig::default_cluster();
    cfg.read_repair = ReadRepair::None;
    cfg.hints.enabled = false;
    cfg.anti_entropy.enabled = anti_entropy;
    cfg
}

/// The names of the replicas of `key`, in ring order.
pub fn replicas(cluster: &Cluster, key: i64) -> Vec<String> {
    cluster.replica_names(key)
}

/// The cell `node` holds for `key`, as of its current boot.
pub fn cell(cluster: &Cluster, node: &str, key: i64) -> Option<Cell> {
    cluster.cell(node, key)
}

/// Cut `node` off from every other store node (clients still reach it).
pub fn isolate(cluster: &mut Cluster, node: &str, cut: bool) {
    for other in cluster.config().nodes.clone() {
        if other != node {
            if cut {
                cluster.sim.partition(node, other.as_str());
            } else {
                cluster.sim.repair(node, other.as_str());
            }
        }
    }
}

/// `(key, value, answer)` of each write.
pub type Answers = Vec<(i64, i64, Response)>;

/// Write `(key, value)` pairs one after the other through `via`; returns every answer.
pub fn write_all(cluster: &mut Cluster, via: &str, writes: Vec<(i64, i64)>) -> Answers {
    let out: Rc<RefCell<Option<Answers>>> = Rc::default();
    let (sink, cfg, via) = (out.clone(), cluster.config().clone(), via.to_string());
    thread_local!(static WRITERS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });
    let n = WRITERS.with(|w| w.replace(w.get() + 1));
    let name = format!("writer-{n}");
    cluster.sim.client(name.as_str(), async move {
        let s = BuiltinClient::new(
            &via,
            cfg.port,
            Duration::from_millis(200),
            Duration::from_secs(2),
        );
        let mut answers = Vec::new();
        for (key, value) in writes {
            let answer = s.request(values::write_request(key, value)).await?;
            answers.push((key, value, answer));
        }
        sink.replace(Some(answers));
        Ok(())
    });
    while out.borrow().is_none() {
        cluster.step().expect("simulation failed");
        assert!(cluster.elapsed() < Duration::from_secs(60), "writer stuck");
    }
    let answers = out.borrow_mut().take().unwrap();
    answers
}

/// The acknowledged cell of each write (panics on any other answer).
pub fn acked(answers: Answers) -> Vec<(i64, Cell)> {
    answers
        .into_iter()
        .map(|(key, value, answer)| match answer {
            Response::WriteOk { ts } => (key, values::cell(key, value, ts)),
            other => panic!("write of {value} to key {key} not acknowledged: {other:?}"),
        })
        .collect()
}

/// Step the simulation for `d` of simulated time.
pub fn step_for(cluster: &mut Cluster, d: Duration) {
    let until = cluster.elapsed() + d;
    while cluster.elapsed() < until {
        cluster.step().expect("simulation failed");
    }
}

/// Step until `done` holds or `limit` passes; returns the time it took, if it held.
pub fn step_until(
    cluster: &mut Cluster,
    limit: Duration,
    mut done: impl FnMut(&Cluster) -> bool,
) -> Option<Duration> {
    let start = cluster.elapsed();
    while !done(cluster) {
        if cluster.elapsed() - start >= limit {
            return None;
        }
        cluster.step().expect("simulation failed");
    }
    Some(cluster.elapsed() - start)
}

/// Anti-entropy counters summed over the cluster.
pub struct Totals {
    pub rounds: u64,
    pub streamed: u64,
    pub repaired: u64,
}

/// The cluster's anti-entropy counters now.
pub fn totals(cluster: &Cluster) -> Totals {
    Totals {
        rounds: cluster.coverage("ae-exchange"),
        streamed: cluster.coverage("ae-cells-streamed"),
        repaired: cluster.coverage("apply:anti-entropy"),
    }
}
