//! # Experiments: quorumlab in your own `cargo test`
//!
//! An [`Experiment`] is a store configuration, a workload, a fault schedule and a set of seeds. It
//! runs every seed (one simulation per thread, several threads at once), checks each history with
//! every checker, and returns a [`Report`]. [`Report::assert_valid`] panics with each anomaly
//! explained and the exact `quorumlab run …` command that replays the failing seed; the failing
//! run's directory (history, final state, results) is kept under `<target>/quorumlab/`, where
//! `<target>` is Cargo's target directory (`CARGO_TARGET_DIR` when set, else the directory the
//! test binary was built into), so it lands beside your build wherever that is.
//!
//! ```no_run
//! use quorumlab::lab::Experiment;
//! use quorumlab::store::config::{ConsistencyLevel, ReadRepair};
//!
//! Experiment::new("quorum-under-partitions")
//!     .read_cl(ConsistencyLevel::Quorum)
//!     .write_cl(ConsistencyLevel::Quorum)
//!     .read_repair(ReadRepair::Blocking)
//!     .schedule_builtin("partition-halves")
//!     .seeds(1..=20)
//!     .run()
//!     .assert_valid();
//! ```

mod campaign;
mod shrink;
mod target;

pub use shrink::Shrinking;

use crate::campaign::progress::Display;
use crate::cli::run_args::replay_command;
use crate::sim::config::RunConfig;
use crate::sim::judge::judge;
use crate::sim::outcome::history_hash;
use crate::sim::plan::{FaultPlan, Plan};
use crate::sim::run::{run_system, run_with, RunOutput, RunStats};
use crate::sim::rundir::{RunDir, RunFiles};
use crate::sim::schedule::{FaultKind, Schedule};
use crate::sim::summary::{outcomes, Outcomes};
use crate::sim::workload::KeyDist;
use crate::store::config::{AeMode, ConsistencyLevel, Mutant, ReadRepair};
use crate::sut::System;
use quorumlab_checkers::{Results, Validity};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex};

/// A configuration and a set of seeds to run it on.
#[derive(Clone, Debug)]
pub struct Experiment {
    name: String,
    plan: Plan,
    swarm: bool,
    fixed: BTreeSet<String>,
    seeds: Vec<u64>,
    threads: usize,
    out: PathBuf,
    system: Option<Maker>,
}

/// Makes the system under test for one seed's configuration (one per run: a system keeps per-run
/// state).
#[derive(Clone)]
struct Maker(Arc<MakeSystem>);

/// A function that makes one run's system under test.
type MakeSystem = dyn Fn(&RunConfig) -> Rc<dyn System> + Send + Sync;

impl std::fmt::Debug for Maker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Maker(..)")
    }
}

/// What happened on one seed.
#[derive(Clone, Debug)]
pub struct SeedOutcome {
    /// The seed.
    pub seed: u64,
    /// Every checker's verdict.
    pub results: Results,
    /// Timings, store counters and mechanism coverage.
    pub stats: RunStats,
    /// Outcome counts per operation kind (`read`, `write`, `delete`).
    pub ops: BTreeMap<String, Outcomes>,
    /// The command that replays this seed (from its run directory when it was kept).
    pub replay: String,
    /// Where its run directory was written (only for seeds that were not valid).
    pub dir: Option<PathBuf>,
}

/// The outcome of an experiment, seed by seed.
#[derive(Clone, Debug)]
pub struct Report {
    /// The experiment's name.
    pub name: String,
    /// One entry per seed, in seed order.
    pub seeds: Vec<SeedOutcome>,
}

impl Experiment {
    /// An experiment on the default cluster and workload, no faults, seed 1.
    ///
    /// With the environment variable `QUORUMLAB_MUTANT=NAME`, every experiment plants that bug
    /// (see `quorumlab mutants`): run your test suite that way to see which tests notice it — a
    /// test that still passes with the mechanism behind its promise weakened is not testing it.
    pub fn new(name: &str) -> Experiment {
        let mut base = RunConfig::new(1);
        if let Ok(m) = std::env::var("QUORUMLAB_MUTANT") {
            match m.parse::<Mutant>() {
                Ok(m) => base.store.mutant = Some(m),
                Err(e) => panic!("QUORUMLAB_MUTANT: {e}"),
            }
        }
        Experiment {
            name: name.to_string(),
            plan: Plan::new(base),
            swarm: false,
            fixed: BTreeSet::new(),
            seeds: vec![1],
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            out: target::default_out(),
            system: None,
        }
    }

    /// An experiment over an existing plan (a catalogue row's, a campaign's).
    pub fn from_plan(name: &str, plan: Plan) -> Experiment {
        let mut e = Experiment::new(name);
        e.swarm = plan.swarm.is_some();
        e.fixed = plan.swarm.clone().unwrap_or_default();
        e.plan = plan;
        e
    }

    /// Change the base configuration in code (anything [`RunConfig`] holds).
    pub fn configure(mut self, f: impl FnOnce(&mut RunConfig)) -> Self {
        f(&mut self.plan.base);
        self
    }

    /// Number of store nodes.
    pub fn nodes(self, n: usize) -> Self {
        self.configure(|c| c.store.nodes = crate::store::config::StoreConfig::node_names(n))
    }
    /// Replication factor.
    pub fn rf(self, rf: usize) -> Self {
        self.configure(|c| c.store.rf = rf).fix("rf")
    }
    /// Read consistency level.
    pub fn read_cl(self, cl: ConsistencyLevel) -> Self {
        self.configure(|c| c.store.read_cl = cl)
    }
    /// Write consistency level.
    pub fn write_cl(self, cl: ConsistencyLevel) -> Self {
        self.configure(|c| c.store.write_cl = cl)
    }
    /// Read-repair mode.
    pub fn read_repair(self, mode: ReadRepair) -> Self {
        self.configure(|c| c.store.read_repair = mode)
    }
    /// Delay of the asynchronous read-repair stage (ms).
    pub fn async_repair_delay_ms(self, ms: u64) -> Self {
        self.configure(|c| c.store.async_repair_delay_ms = ms)
            .fix("async-repair-delay-ms")
    }
    /// Digest reads on or off.
    pub fn digest_reads(self, on: bool) -> Self {
        self.configure(|c| c.store.digest_reads = on)
    }
    /// Hinted handoff on or off.
    pub fn hints(self, on: bool) -> Self {
        self.configure(|c| c.store.hints.enabled = on)
    }
    /// Merkle-tree anti-entropy on or off.
    pub fn anti_entropy(self, on: bool) -> Self {
        self.configure(|c| c.store.anti_entropy.enabled = on)
            .fix("anti-entropy")
    }

    /// Background anti-entropy in `mode` (Merkle trees, update logs or both), switched on.
    pub fn anti_entropy_mode(self, mode: AeMode) -> Self {
        self.configure(|c| {
            c.store.anti_entropy.enabled = true;
            c.store.anti_entropy.mode = mode;
        })
        .fix("anti-entropy")
    }
    /// Plant a bug in the store.
    pub fn mutant(self, m: Mutant) -> Self {
        self.configure(|c| c.store.mutant = Some(m))
    }
    /// Concurrent clients.
    pub fn clients(self, n: usize) -> Self {
        self.configure(|c| c.workload.clients = n).fix("clients")
    }
    /// Number of keys.
    pub fn keys(self, n: u64) -> Self {
        self.configure(|c| c.workload.keys = n).fix("keys")
    }
    /// Share of operations on key 0.
    pub fn hot_key(self, share: f64) -> Self {
        self.configure(|c| c.workload.key_dist = KeyDist::Hot { share })
            .fix("hot-key")
    }
    /// Operations per run.
    pub fn ops(self, n: u64) -> Self {
        self.configure(|c| c.workload.ops = Some(n))
    }
    /// Main phase length in simulated ms: clients run until then (the operation count is
    /// cleared; `.ops(n)` after this sets both, and whichever is reached first ends the phase).
    pub fn duration_ms(self, ms: u64) -> Self {
        self.configure(|c| {
            c.workload.duration_ms = Some(ms);
            c.workload.ops = None;
        })
    }
    /// Fraction of reads.
    pub fn read_fraction(self, f: f64) -> Self {
        self.configure(|c| c.workload.read_fraction = f)
            .fix("read-fraction")
    }
    /// Fraction of deletes.
    pub fn delete_fraction(self, f: f64) -> Self {
        self.configure(|c| c.workload.delete_fraction = f)
            .fix("delete-fraction")
    }
    /// Longest think time between a client's operations (ms).
    pub fn think_ms(self, ms: u64) -> Self {
        self.configure(|c| c.workload.think_ms_max = ms)
            .fix("think-ms")
    }
    /// Bytes per written value.
    pub fn value_bytes(self, n: usize) -> Self {
        self.configure(|c| c.workload.value_bytes = n)
            .fix("value-bytes")
    }
    /// Faults from a TOML schedule file (or a JSON schedule as stored in `run.json`).
    pub fn schedule_file(mut self, path: impl AsRef<Path>) -> Self {
        self.plan.faults = FaultPlan::File(path.as_ref().to_path_buf());
        self
    }
    /// One of the shipped schedules, by name (`mixed`, `partition-halves`, …: see
    /// [`crate::sim::schedule::builtin`]); nothing is read from disk.
    pub fn schedule_builtin(self, name: &str) -> Self {
        self.schedule_file(format!("{}{name}", crate::sim::schedule::builtin::PREFIX))
    }
    /// Faults built in code (must name concrete nodes).
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.plan.faults = FaultPlan::Schedule(schedule);
        self
    }
    /// Faults generated from each seed, drawing a subset of `kinds` (swarm testing).
    pub fn nemesis(mut self, kinds: &[FaultKind]) -> Self {
        self.plan.faults = FaultPlan::Kinds(kinds.to_vec());
        self
    }
    /// Draw the workload shape from each seed too (keys, skew, mix, clients, latency, value
    /// size…), except what this experiment fixed.
    pub fn swarm(mut self) -> Self {
        self.swarm = true;
        self
    }
    fn fix(mut self, dimension: &str) -> Self {
        self.fixed.insert(dimension.to_string());
        self
    }
    /// Run one seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seeds = vec![seed];
        self
    }
    /// Run every seed of a range or list.
    pub fn seeds(mut self, seeds: impl IntoIterator<Item = u64>) -> Self {
        self.seeds = seeds.into_iter().collect();
        self
    }
    /// Test another store: `make` builds the system under test for each seed's configuration
    /// (workload, faults, phases and seed come from the experiment; the store options —
    /// [`Experiment::read_cl`], [`Experiment::mutant`]… — are the built-in store's and are not
    /// used). `name` is recorded in `run.json`. Fault schedules name the system's nodes, and
    /// generated faults are drawn over them.
    pub fn system<S, F>(mut self, name: &str, make: F) -> Self
    where
        S: System,
        F: Fn(&RunConfig) -> S + Send + Sync + 'static,
    {
        let nodes = make(&self.plan.base).nodes();
        self.plan.base.system = Some(name.to_string());
        self.plan.base.store.rf = self.plan.base.store.rf.min(nodes.len()).max(1);
        self.plan.base.store.nodes = nodes;
        self.plan.base.store.mutant = None;
        self.system = Some(Maker(Arc::new(move |cfg: &RunConfig| {
            Rc::new(make(cfg)) as Rc<dyn System>
        })));
        self
    }
    /// Only these checkers (names as for `quorumlab check --checkers`, plus `invariants`).
    pub fn checkers(self, names: &[&str]) -> Self {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        self.configure(|c| c.checkers = Some(names))
    }
    /// How many seeds run at once (default: the machine's parallelism).
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n.max(1);
        self
    }
    /// Where run directories of seeds that were not valid go (default `<target>/quorumlab`: see
    /// the module doc).
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out = dir.as_ref().to_path_buf();
        self
    }

    /// The configuration of one seed (what `run.json` of that seed holds before the run).
    pub fn config_for(&self, seed: u64) -> Result<RunConfig, String> {
        let mut plan = self.plan.clone();
        plan.swarm = self.swarm.then(|| self.fixed.clone());
        plan.for_seed(seed).map_err(|e| e.to_string())
    }

    fn run_seed(&self, seed: u64) -> Result<SeedOutcome, String> {
        let cfg = self.config_for(seed)?;
        let out = self.execute(&cfg, false)?;
        let verdict = judge(
            &out.config,
            &out.history,
            out.final_state.as_ref(),
            &out.violations,
        )
        .map_err(|e| e.to_string())?;
        let (dir, replay) = if verdict.results.valid == Validity::Valid {
            let replay = format!(
                "valid: no run directory kept (experiment {}, seed {seed})",
                self.name
            );
            (None, replay)
        } else {
            // Run the failing seed again recording every event (the same seed gives the same
            // history), so its directory has `events.jsonl` for `quorumlab timeline`.
            let recorded = self
                .execute(&cfg, true)
                .ok()
                .filter(|r| history_hash(&r.history) == history_hash(&out.history));
            let dir = RunDir::prepare(&self.out, &self.name, seed)
                .map_err(|e| format!("{}: {e}", self.out.display()))?;
            let files = RunFiles {
                events: recorded.as_ref().and_then(|r| r.events.as_deref()),
                ..RunFiles::of(&out, Some(&verdict.results))
            };
            let target = dir.commit(&files).map_err(|e| e.to_string())?;
            let replay = match &cfg.system {
                None => replay_command(&target),
                Some(_) => format!(
                    "this experiment ({}) with .seeds([{seed}]) — run.json holds the whole \
                     configuration",
                    self.name
                ),
            };
            (Some(target), replay)
        };
        Ok(SeedOutcome {
            seed,
            ops: outcomes(&out),
            stats: out.stats,
            results: verdict.results,
            replay,
            dir,
        })
    }
    /// One run of `cfg` on the experiment's system; `record` keeps `events.jsonl` lines.
    fn execute(&self, cfg: &RunConfig, record: bool) -> Result<RunOutput, String> {
        match &self.system {
            None => run_with(cfg, record),
            Some(Maker(make)) => run_system(cfg, make(cfg), record),
        }
        .map_err(|e| e.to_string())
    }

    /// Run every seed and check it. Panics only if a run cannot be set up at all (bad schedule
    /// file, inconsistent flags): that is a broken test, not a finding.
    pub fn run(&self) -> Report {
        self.run_seeds(|_| false)
    }

    /// Run seeds in order until one shows a violation of any of `checkers`: seeds after the first
    /// violating one are not started and not reported, seeds before it all complete, so the report
    /// (and its first violation) is the same whatever the thread timing. Use with
    /// [`Report::assert_found`].
    pub fn search(&self, checkers: &[&str]) -> Report {
        self.run_seeds(|o| checkers.iter().any(|c| o.violates(c)))
    }

    fn run_seeds(&self, stop: impl Fn(&SeedOutcome) -> bool + Sync) -> Report {
        // The index of the next seed to start, and the lowest index that met `stop`.
        let next = Mutex::new((0usize, usize::MAX));
        let done: Mutex<Vec<(usize, Result<SeedOutcome, String>)>> = Mutex::new(Vec::new());
        // Progress for a person (a bar on a terminal, a plain line every 10 s otherwise); output
        // only. `QUORUMLAB_QUIET=1` silences it.
        let quiet = self.seeds.len() < 2 || std::env::var_os("QUORUMLAB_QUIET").is_some();
        let display = Mutex::new(Display::new(
            &self.name,
            Some(self.seeds.len() as u64),
            quiet,
        ));
        std::thread::scope(|scope| {
            for _ in 0..self.threads.min(self.seeds.len()).max(1) {
                scope.spawn(|| loop {
                    let i = {
                        let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                        if n.0 >= n.1 {
                            break;
                        }
                        n.0 += 1;
                        n.0 - 1
                    };
                    let Some(&seed) = self.seeds.get(i) else {
                        break;
                    };
                    let outcome = self.run_seed(seed).map_err(|e| format!("seed {seed}: {e}"));
                    if outcome.as_ref().is_ok_and(&stop) {
                        let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                        n.1 = n.1.min(i);
                    }
                    let mut done = done.lock().unwrap_or_else(|e| e.into_inner());
                    done.push((i, outcome));
                    let valid = |o: &Result<SeedOutcome, String>| {
                        o.as_ref().is_ok_and(|o| o.results.valid == Validity::Valid)
                    };
                    let failing = done.iter().filter(|(_, o)| !valid(o)).count() as u64;
                    display
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .update(done.len() as u64, failing);
                });
            }
        });
        display
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .finish();
        let (_, first_stop) = next.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
        done.sort_by_key(|(i, _)| *i);
        let mut seeds = Vec::new();
        for (i, outcome) in done {
            if i > first_stop {
                continue;
            }
            match outcome {
                Ok(o) => seeds.push(o),
                Err(e) => panic!("experiment {}: {e}", self.name),
            }
        }
        Report {
            name: self.name.clone(),
            seeds,
        }
    }
}

impl SeedOutcome {
    /// Whether `checker` found a violation on this seed.
    pub fn violates(&self, checker: &str) -> bool {
        self.results
            .checkers
            .iter()
            .any(|v| v.checker == checker && v.valid == Validity::Invalid)
    }

    /// The anomalies explained, the replay command and the run directory, for a person.
    pub fn explain(&self) -> String {
        let mut s = format!("seed {}: {}\n", self.seed, self.results.valid);
        for v in &self.results.checkers {
            if v.valid == Validity::Valid {
                continue;
            }
            let _ = writeln!(s, "  {}: {}", v.checker, v.valid);
            for a in v.anomalies.iter().take(5) {
                let _ = writeln!(s, "    - {}", a.explanation);
            }
            if v.anomalies.len() > 5 {
                let _ = writeln!(s, "    … and {} more", v.anomalies.len() - 5);
            }
            for n in v.notes.iter().take(3) {
                let _ = writeln!(s, "    note: {n}");
            }
        }
        let _ = writeln!(s, "  replay: {}", self.replay);
        if let Some(dir) = &self.dir {
            let _ = writeln!(s, "  run directory: {}", dir.display());
        }
        s
    }
}

impl Report {
    /// Seeds whose verdict is not valid.
    pub fn failures(&self) -> Vec<&SeedOutcome> {
        self.seeds
            .iter()
            .filter(|o| o.results.valid != Validity::Valid)
            .collect()
    }

    /// Panic unless every seed is valid, explaining every failing seed and how to replay it.
    pub fn assert_valid(&self) {
        let failures = self.failures();
        if failures.is_empty() {
            return;
        }
        let mut msg = format!(
            "experiment {}: {} of {} seeds are not valid\n",
            self.name,
            failures.len(),
            self.seeds.len()
        );
        for f in failures {
            msg.push_str(&f.explain());
        }
        panic!("{msg}");
    }

    /// Seeds on which `checker` found a violation.
    pub fn violations(&self, checker: &str) -> Vec<&SeedOutcome> {
        self.seeds.iter().filter(|o| o.violates(checker)).collect()
    }

    /// The first seed on which any of `checkers` found a violation; panics (naming the seeds
    /// tried) when none did. Prints the seed and its explanation.
    pub fn assert_found(&self, checkers: &[&str]) -> &SeedOutcome {
        let found = self
            .seeds
            .iter()
            .find(|o| checkers.iter().any(|c| o.violates(c)));
        match found {
            Some(o) => {
                println!(
                    "experiment {}: {} violation found on seed {} (after {} seeds)\n{}",
                    self.name,
                    checkers.join(" or "),
                    o.seed,
                    self.seeds.len(),
                    o.explain()
                );
                o
            }
            None => panic!(
                "experiment {}: no {} violation on any of the {} seeds {:?}",
                self.name,
                checkers.join(" or "),
                self.seeds.len(),
                self.seeds.iter().map(|o| o.seed).collect::<Vec<_>>()
            ),
        }
    }

    /// A counter summed over every seed: mechanism coverage (`digest-mismatch`, `apply:hint`,
    /// `repair-timeout`, …) or network counters (`bytes_sent`, `frames_sent`).
    pub fn counter(&self, name: &str) -> u64 {
        self.seeds
            .iter()
            .map(|o| {
                let s = &o.stats;
                s.coverage
                    .get(name)
                    .or_else(|| s.counters.get(name))
                    .copied()
                    .unwrap_or(0)
            })
            .sum()
    }

    /// Outcome counts of one operation kind summed over every seed.
    pub fn ops(&self, f: &str) -> Outcomes {
        let mut total = Outcomes::default();
        for o in &self.seeds {
            if let Some(c) = o.ops.get(f) {
                total.ok += c.ok;
                total.fail += c.fail;
                total.info += c.info;
            }
        }
        total
    }
}
