//! One run: build the cluster, drive the workload, then heal, quiesce, read every key a final time
//! and snapshot every replica.
//!
//! Phases (DESIGN.md): main (clients + nemesis) → heal (all faults off, crashed nodes restarted,
//! clocks reset) → quiesce (until every pair of replicas sharing a range has equal Merkle roots, or
//! a deadline) → final reads → snapshot. The same [`RunConfig`] always gives
//! the same history, byte for byte.

use super::client::{run_slot, ClientShared, Session};
use super::cluster::{Cluster, NetConfig};
use super::nemesis::Nemesis;
use super::recorder::Recorder;
use super::schedule::Schedule;
use super::seed::derive;
use super::workload::{Generator, OpSpec, WorkloadConfig};
use crate::store::config::StoreConfig;
use quorumlab_checkers::final_state::{FinalState, Quiesce};
use quorumlab_checkers::Event;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

/// How the phases after the main one behave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhaseConfig {
    /// Quiesce at least this long (ms), so background repairs finish.
    pub quiesce_min_ms: u64,
    /// Give up waiting for convergence after this long (ms).
    pub quiesce_max_ms: u64,
    /// Read every key once after quiesce (recorded in the history).
    pub final_reads: bool,
}

impl Default for PhaseConfig {
    fn default() -> Self {
        PhaseConfig {
            quiesce_min_ms: 500,
            quiesce_max_ms: 5000,
            final_reads: true,
        }
    }
}

/// Everything needed to replay a run (the content of `run.json`, with the version).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// The seed: every random choice of the run derives from it.
    pub seed: u64,
    /// The store.
    pub store: StoreConfig,
    /// The clients.
    pub workload: WorkloadConfig,
    /// The simulated network.
    pub net: NetConfig,
    /// Heal, quiesce and final reads.
    pub phases: PhaseConfig,
    /// The faults of the main phase (concrete: every node named).
    pub schedule: Schedule,
}

impl RunConfig {
    /// The default cluster and workload with `seed`.
    pub fn new(seed: u64) -> RunConfig {
        RunConfig {
            seed,
            store: StoreConfig::default_cluster(),
            workload: WorkloadConfig::default(),
            net: NetConfig::default(),
            phases: PhaseConfig::default(),
            schedule: Schedule {
                name: "none".to_string(),
                steps: Vec::new(),
            },
        }
    }
}

/// What happened in a run besides the history.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunStats {
    /// Total simulated time (ns).
    pub sim_time_ns: u64,
    /// Simulated time of the main phase (ns).
    pub main_ns: u64,
    /// Simulated time of the quiesce phase (ns).
    pub quiesce_ns: u64,
    /// Whether every replica set agreed at the end of quiesce.
    pub converged: bool,
    /// Simulated time from the start of quiesce until replicas agreed (ns), when they did.
    pub convergence_ns: Option<u64>,
    /// Schedule steps not applied because the main phase ended first.
    pub faults_unreached: u64,
    /// Store counters summed over all nodes.
    pub counters: BTreeMap<String, u64>,
}

/// The result of a run.
pub struct RunOutput {
    /// The configuration that produced it.
    pub config: RunConfig,
    /// The history.
    pub history: Vec<Event>,
    /// Every replica's cells after quiesce and final reads.
    pub final_state: FinalState,
    /// Timings and counters.
    pub stats: RunStats,
}

/// Run the configured experiment.
pub fn run(cfg: &RunConfig) -> Result<RunOutput, String> {
    let mut cluster = Cluster::new(cfg.seed, cfg.store.clone(), &cfg.net)?;
    let recorder = Rc::new(RefCell::new(Recorder::default()));
    let generator = Rc::new(RefCell::new(Generator::new(
        cfg.workload.clone(),
        derive(cfg.seed, "generator", 0),
    )));
    let shared = Rc::new(ClientShared {
        recorder: recorder.clone(),
        generator,
        finished: Rc::new(Cell::new(0)),
        clients: cfg.workload.clients,
        port: cfg.store.port,
        connect_timeout: Duration::from_millis(cfg.store.connect_timeout_ms),
        op_timeout: Duration::from_millis(cfg.workload.client_timeout_ms),
    });
    for slot in 0..cfg.workload.clients {
        let coordinator = cfg.store.nodes[slot % cfg.store.nodes.len()].clone();
        cluster.sim.client(
            format!("c{slot}").as_str(),
            run_slot(slot, coordinator, shared.clone()),
        );
    }

    let clients: Vec<String> = (0..cfg.workload.clients).map(|c| format!("c{c}")).collect();
    let mut nemesis = Nemesis::new(
        cfg.schedule.clone(),
        &cfg.store.nodes,
        &clients,
        &cfg.net,
        cfg.seed,
    )
    .map_err(|e| e.to_string())?;

    // Main phase: clients and nemesis.
    while shared.finished.get() < cfg.workload.clients {
        nemesis.tick(&mut cluster, &mut recorder.borrow_mut());
        cluster.step()?;
    }
    let main_ns = cluster.elapsed().as_nanos() as u64;
    let faults_unreached = nemesis.remaining() as u64;

    // Heal: every fault off, crashed nodes restarted, clocks reset.
    if !cfg.schedule.steps.is_empty() {
        nemesis.heal_all(&mut cluster, &mut recorder.borrow_mut());
    }

    // Quiesce: until every pair of replicas has equal Merkle roots, or the deadline.
    let quiesce_start = cluster.elapsed();
    let min = quiesce_start + Duration::from_millis(cfg.phases.quiesce_min_ms);
    let max = quiesce_start + Duration::from_millis(cfg.phases.quiesce_max_ms);
    let mut convergence_ns = None;
    loop {
        let now = cluster.elapsed();
        let check = (now - quiesce_start).as_millis() % 10 == 0;
        if convergence_ns.is_none() && check && cluster.roots_agree() {
            convergence_ns = Some((now - quiesce_start).as_nanos() as u64);
        }
        if (now >= min && convergence_ns.is_some()) || now >= max {
            break;
        }
        cluster.step()?;
    }
    let quiesce_ns = (cluster.elapsed() - quiesce_start).as_nanos() as u64;

    // Final reads.
    if cfg.phases.final_reads {
        final_reads(&mut cluster, cfg, &recorder)?;
    }
    let converged = cluster.roots_agree();
    let mut final_state = cluster.snapshot(cfg.workload.keys);
    final_state.quiesce = Some(Quiesce {
        converged: convergence_ns.is_some(),
        duration_ns: convergence_ns.unwrap_or(quiesce_ns),
    });
    let stats = RunStats {
        sim_time_ns: cluster.elapsed().as_nanos() as u64,
        main_ns,
        quiesce_ns,
        converged,
        convergence_ns,
        faults_unreached,
        counters: counters(&cluster),
    };
    drop(cluster);
    let history = Rc::try_unwrap(recorder)
        .map(|r| r.into_inner().into_events())
        .unwrap_or_else(|r| r.borrow().events().to_vec());
    Ok(RunOutput {
        config: cfg.clone(),
        history,
        final_state,
        stats,
    })
}

/// Read every key once, each through a different coordinator in turn, as a fresh process.
fn final_reads(
    cluster: &mut Cluster,
    cfg: &RunConfig,
    recorder: &Rc<RefCell<Recorder>>,
) -> Result<(), String> {
    let first_process = recorder
        .borrow()
        .events()
        .iter()
        .filter_map(|e| e.process.client())
        .max()
        .map_or(0, |p| p + 1);
    let done = Rc::new(Cell::new(false));
    let nodes = cfg.store.nodes.clone();
    let keys = cfg.workload.keys;
    let port = cfg.store.port;
    let connect = Duration::from_millis(cfg.store.connect_timeout_ms);
    let op_timeout = Duration::from_millis(cfg.workload.client_timeout_ms);
    let rec = recorder.clone();
    let flag = done.clone();
    cluster.sim.client("final", async move {
        let mut process = first_process;
        for key in 0..keys as i64 {
            let coordinator = &nodes[key as usize % nodes.len()];
            let session = Session::new(coordinator, port, connect, op_timeout);
            let outcome = session.perform(&rec, process, OpSpec::Read { key }).await;
            if outcome == quorumlab_checkers::EventType::Info {
                process += 1;
            }
        }
        flag.set(true);
        Ok(())
    });
    while !done.get() {
        cluster.step()?;
    }
    Ok(())
}

fn counters(cluster: &Cluster) -> BTreeMap<String, u64> {
    let mut totals = BTreeMap::new();
    for m in cluster.metrics.values() {
        for (name, value) in m.values() {
            *totals.entry(name.to_string()).or_insert(0) += value;
        }
    }
    totals
}
