//! One run: build the cluster, drive the workload under the nemesis, then heal, quiesce, read every
//! key a final time and snapshot every replica.
//!
//! Phases: main (clients + nemesis, until the operation count or the time limit) → heal (all
//! faults off, crashed nodes restarted, clocks reset) → quiesce (until every pair of replicas
//! sharing a range has equal Merkle roots, or a deadline) → final reads → snapshot. Faults keep
//! coming until the main phase ends, so the last writes land under faults and the repair
//! mechanisms — not later overwrites — must converge them. The same [`RunConfig`] always gives the
//! same history, byte for byte; the configuration returned holds the steps actually applied.

use super::client::{run_slot, ClientShared, Session};
use super::cluster::{Cluster, ClusterError};
pub use super::config::{PhaseConfig, RunConfig};
use super::invariants::Violation;
use super::nemesis::Nemesis;
use super::recorder::Recorder;
use super::seed::derive;
use super::workload::{Generator, OpSpec};
use crate::sut::builtin::BuiltinStore;
use crate::sut::System;
use quorumlab_checkers::final_state::{FinalState, Quiesce};
use quorumlab_checkers::Event;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

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
    /// Schedule steps not applied because the main phase ended first (file schedules).
    pub faults_unreached: u64,
    /// Client operations of the main phase, and of the final reads.
    pub ops_main: u64,
    /// Final reads (one per key).
    pub ops_final: u64,
    /// Network counters summed over all nodes.
    pub counters: BTreeMap<String, u64>,
    /// How often each mechanism fired (event kinds and derived counts).
    pub coverage: BTreeMap<String, u64>,
}

/// The result of a run.
pub struct RunOutput {
    /// The configuration that produced it, with the fault steps actually applied.
    pub config: RunConfig,
    /// The history.
    pub history: Vec<Event>,
    /// Every replica's cells after quiesce and final reads (`None` when the system cannot show
    /// them).
    pub final_state: Option<FinalState>,
    /// Timings and counters.
    pub stats: RunStats,
    /// Invariants broken during the run.
    pub violations: Vec<Violation>,
    /// `events.jsonl` lines, when asked for.
    pub events: Option<Vec<String>>,
    /// Per key, when a mechanism other than primary delivery changed one of its replicas.
    pub key_mechanisms: BTreeMap<i64, Vec<(u64, String)>>,
}

/// Why a run could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The configuration breaks a rule or a bound.
    #[error(transparent)]
    Config(#[from] super::config::InvalidConfig),
    /// The cluster could not be built or stepped.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// The fault schedule does not fit the cluster.
    #[error(transparent)]
    Schedule(#[from] super::schedule::ScheduleError),
}

/// Run the configured experiment (events are counted and checked, not kept).
pub fn run(cfg: &RunConfig) -> Result<RunOutput, RunError> {
    run_with(cfg, false)
}

/// Run the configured experiment on the built-in store; `record_events` keeps `events.jsonl`
/// lines.
pub fn run_with(cfg: &RunConfig, record_events: bool) -> Result<RunOutput, RunError> {
    cfg.validate()?;
    let timeout = Duration::from_millis(cfg.workload.client_timeout_ms);
    let store = BuiltinStore::new(cfg.store.clone(), timeout, record_events)?;
    run_system(cfg, Rc::new(store), record_events)
}

/// Run the configured workload, faults and phases on `system` (its own configuration is the
/// system's business: `cfg.store` is not used); `record_events` keeps `events.jsonl` lines.
pub fn run_system<S: System + ?Sized>(
    cfg: &RunConfig,
    system: Rc<S>,
    record_events: bool,
) -> Result<RunOutput, RunError> {
    cfg.validate()?;
    let mut cluster = Cluster::with_system(cfg.seed, system, &cfg.net, record_events)?;
    let recorder = Rc::new(RefCell::new(Recorder::default()));
    let generator = Rc::new(RefCell::new(Generator::new(
        cfg.workload.clone(),
        derive(cfg.seed, "generator", 0),
    )));
    let shared = Rc::new(ClientShared {
        system: cluster.system.clone(),
        recorder: recorder.clone(),
        generator,
        finished: Rc::new(Cell::new(0)),
        clients: cfg.workload.clients,
        op_timeout: Duration::from_millis(cfg.workload.client_timeout_ms),
        value_bytes: cfg.workload.value_bytes,
    });
    let coordinators = match cfg.workload.coordinators {
        0 => cluster.nodes.len(),
        n => n.min(cluster.nodes.len()),
    };
    // Every client process runs as a task on one client host: a client only ever talks to its
    // coordinator, so the links (and what a paused node holds) are those of one host per process,
    // with far fewer hosts for turmoil to step every tick.
    let clients = vec!["clients".to_string()];
    {
        let shared = shared.clone();
        let nodes = cluster.nodes.clone();
        let n = cfg.workload.clients;
        cluster.sim.client("clients", async move {
            let tasks: Vec<_> = (0..n)
                .map(|slot| {
                    let coordinator = nodes[slot % coordinators].clone();
                    tokio::task::spawn_local(run_slot(slot, coordinator, shared.clone()))
                })
                .collect();
            for t in tasks {
                let _ = t.await;
            }
            Ok(())
        });
    }
    let mut nemesis = Nemesis::new(
        cfg.faults.schedule.clone(),
        &cluster.nodes.clone(),
        &clients,
        &cfg.net,
        cfg.seed,
    )?;

    // Main phase: clients and nemesis, faults until the very end.
    while shared.finished.get() < cfg.workload.clients {
        nemesis.tick(&mut cluster, &mut recorder.borrow_mut());
        cluster.step()?;
    }
    let main_ns = cluster.elapsed().as_nanos() as u64;
    let unreached = nemesis.remaining();
    let mut config = cfg.clone();
    let generated = matches!(
        config.faults.source,
        super::config::FaultSource::Generated { .. }
    );
    if generated {
        // Steps past the main phase were never meant to run: the record keeps what was applied
        // (named after the kinds that fired), and a replay applies exactly that.
        config.faults.schedule = nemesis.applied();
    }
    let ops_main = recorder
        .borrow()
        .events()
        .iter()
        .filter(|e| e.is_client() && e.kind == quorumlab_checkers::EventType::Invoke)
        .count() as u64;

    // Heal: every fault off, crashed nodes restarted, clocks reset.
    if !cfg.faults.schedule.steps.is_empty() {
        nemesis.heal_all(&mut cluster, &mut recorder.borrow_mut());
    }

    // Quiesce: until no hint waits for delivery and every pair of replicas has equal Merkle roots,
    // at a check past the minimum (a late delivery — a write held by a pause, waiting on a slow
    // disk, or a hint replayed late — can disagree again after a first agreement), or the
    // deadline.
    let quiesce_start = cluster.elapsed();
    let min = quiesce_start + Duration::from_millis(cfg.phases.quiesce_min_ms);
    let max = quiesce_start + Duration::from_millis(cfg.phases.quiesce_max_ms);
    let mut convergence_ns = None;
    loop {
        let now = cluster.elapsed();
        let check = (now - quiesce_start).as_millis() % 10 == 0;
        if check {
            if cluster.quiet() {
                convergence_ns.get_or_insert((now - quiesce_start).as_nanos() as u64);
                if now >= min {
                    break;
                }
            } else {
                convergence_ns = None;
            }
        }
        if now >= max {
            break;
        }
        cluster.step()?;
    }
    let quiesce_ns = (cluster.elapsed() - quiesce_start).as_nanos() as u64;

    // Final reads.
    let ops_final = if cfg.phases.final_reads {
        final_reads(&mut cluster, cfg, &recorder)?
    } else {
        0
    };
    let converged = cluster.quiet();
    let mut final_state = cluster.system.final_state(cfg.workload.keys, &cluster.down);
    if let Some(f) = &mut final_state {
        f.quiesce = Some(Quiesce {
            converged: convergence_ns.is_some(),
            duration_ns: convergence_ns.unwrap_or(quiesce_ns),
        });
    }
    let seen = cluster.system.observations();
    let mut coverage = seen.coverage;
    for (kind, n) in cluster.events.coverage() {
        *coverage.entry(kind).or_insert(0) += n;
    }
    let events = record_events.then(|| merge_events(cluster.events.take_lines(), seen.events));
    let stats = RunStats {
        sim_time_ns: cluster.elapsed().as_nanos() as u64,
        main_ns,
        quiesce_ns,
        converged,
        convergence_ns,
        faults_unreached: if generated { 0 } else { unreached as u64 },
        ops_main,
        ops_final,
        counters: seen.counters,
        coverage,
    };
    drop(cluster);
    let history = Rc::try_unwrap(recorder)
        .map(|r| r.into_inner().into_events())
        .unwrap_or_else(|r| r.borrow().events().to_vec());
    Ok(RunOutput {
        config,
        history,
        final_state,
        stats,
        violations: seen.violations,
        events,
        key_mechanisms: seen.key_mechanisms,
    })
}

/// How many final reads run at once.
const FINAL_READERS: usize = 16;

/// Read every key once, as fresh processes, [`FINAL_READERS`] at a time, each through the
/// coordinators in turn. Returns the number of reads.
fn final_reads<S: System + ?Sized>(
    cluster: &mut Cluster<S>,
    cfg: &RunConfig,
    recorder: &Rc<RefCell<Recorder>>,
) -> Result<u64, ClusterError> {
    let first_process = recorder
        .borrow()
        .events()
        .iter()
        .filter_map(|e| e.process.client())
        .max()
        .map_or(0, |p| p + 1);
    let keys = cfg.workload.keys;
    let readers = FINAL_READERS.min(keys as usize).max(1);
    let done = Rc::new(Cell::new(0usize));
    let nodes = cluster.nodes.clone();
    let system = cluster.system.clone();
    let op_timeout = Duration::from_millis(cfg.workload.client_timeout_ms);
    let rec = recorder.clone();
    let flag = done.clone();
    cluster.sim.client("final", async move {
        let mut tasks = Vec::new();
        for r in 0..readers {
            let (rec, nodes, flag) = (rec.clone(), nodes.clone(), flag.clone());
            let system = system.clone();
            tasks.push(tokio::task::spawn_local(async move {
                let mut process = first_process + r as u64;
                for key in (r as i64..keys as i64).step_by(readers) {
                    let coordinator = &nodes[key as usize % nodes.len()];
                    let session = Session::new(&*system, coordinator, op_timeout);
                    let outcome = session.perform(&rec, process, OpSpec::Read { key }).await;
                    if outcome == quorumlab_checkers::EventType::Info {
                        process += readers as u64;
                    }
                }
                flag.set(flag.get() + 1);
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
        Ok(())
    });
    while done.get() < readers {
        cluster.step()?;
    }
    Ok(keys)
}

/// The events the harness logged and those the system kept, in time order (each source is in time
/// order already; a stable merge keeps the harness's line first at equal times).
fn merge_events(ours: Vec<String>, theirs: Vec<String>) -> Vec<String> {
    if ours.is_empty() || theirs.is_empty() {
        return if ours.is_empty() { theirs } else { ours };
    }
    let time = |line: &String| {
        serde_json::from_str::<serde_json::Value>(line)
            .ok()
            .and_then(|v| v.get("time").and_then(|t| t.as_u64()))
            .unwrap_or(0)
    };
    let mut all: Vec<(u64, String)> = ours.into_iter().map(|l| (time(&l), l)).collect();
    all.extend(theirs.into_iter().map(|l| (time(&l), l)));
    all.sort_by_key(|(t, _)| *t);
    all.into_iter().map(|(_, l)| l).collect()
}
