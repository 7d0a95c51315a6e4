//! The flags of `quorumlab run` and what they mean: the one description of a run's configuration
//! that both the command line and the library's [`crate::lab::Experiment`] use, so that every run
//! can print the exact command that replays it.

use crate::sim::run::RunConfig;
use crate::sim::schedule::{self, FaultKind, Schedule, Shape};
use crate::store::config::{ConsistencyLevel, ReadRepair, StoreConfig};
use clap::{Args, ValueEnum};
use std::fmt::Write;
use std::path::PathBuf;
use std::time::Duration;

/// `on` / `off` switches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

impl Switch {
    /// `true` for on.
    pub fn on(self) -> bool {
        self == Switch::On
    }

    /// From a boolean.
    pub fn from_bool(b: bool) -> Switch {
        if b {
            Switch::On
        } else {
            Switch::Off
        }
    }

    fn name(self) -> &'static str {
        if self.on() {
            "on"
        } else {
            "off"
        }
    }
}

/// Arguments of `quorumlab run`.
#[derive(Args, Debug, Clone, PartialEq)]
pub struct RunArgs {
    /// The run's seed: every random choice derives from it.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Base directory for run directories (`<out>/<name>/<seed>/`).
    #[arg(long, default_value = "store")]
    pub out: PathBuf,
    /// Name of the run directory (default: derived from the configuration).
    #[arg(long)]
    pub name: Option<String>,
    /// Number of store nodes.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub nodes: u16,
    /// Replication factor.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub rf: u16,
    /// Read consistency level.
    #[arg(long, default_value = "quorum", value_parser = parse_cl)]
    pub read_cl: ConsistencyLevel,
    /// Write consistency level.
    #[arg(long, default_value = "quorum", value_parser = parse_cl)]
    pub write_cl: ConsistencyLevel,
    /// Read-repair mode.
    #[arg(long, default_value = "blocking", value_parser = parse_repair)]
    pub read_repair: ReadRepair,
    /// Digest reads (one data request plus digests) or full data reads.
    #[arg(long, value_enum, default_value = "on")]
    pub digest_reads: Switch,
    /// Hinted handoff.
    #[arg(long, value_enum, default_value = "on")]
    pub hints: Switch,
    /// Merkle-tree anti-entropy.
    #[arg(long, value_enum, default_value = "on")]
    pub anti_entropy: Switch,
    /// Concurrent client processes.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub clients: u64,
    /// Number of keys.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub keys: u64,
    /// Operations in the main phase.
    #[arg(long, default_value_t = 2000)]
    pub ops: u64,
    /// Fraction of reads among operations.
    #[arg(long, default_value_t = 0.5, value_parser = parse_fraction)]
    pub read_fraction: f64,
    /// Each client waits up to this long (ms, uniform) between operations.
    #[arg(long, default_value_t = 10)]
    pub think_ms: u64,
    /// Fault schedule: a TOML schedule, or a concrete JSON schedule as stored in run.json.
    #[arg(long, conflicts_with = "nemesis")]
    pub schedule: Option<PathBuf>,
    /// Generate the fault schedule from the seed, drawing a subset of these kinds (swarm
    /// testing): partition, crash, crash-majority, loss, latency, slow, reply-loss, clock-skew,
    /// pause; or `all`.
    #[arg(long, value_parser = parse_kinds)]
    pub nemesis: Option<Kinds>,
    /// Longest quiesce (ms) waiting for replicas to agree after heal.
    #[arg(long, default_value_t = 5000)]
    pub quiesce_ms: u64,
    /// Write `trace.log` (the store's tracing, stamped with simulated time) into the run directory.
    #[arg(long)]
    pub trace: bool,
    /// Run only these checkers (default: all), e.g. `monotonic-reads,stale-read`.
    #[arg(long, value_parser = parse_checkers)]
    pub checkers: Option<Checkers>,
}

impl Default for RunArgs {
    fn default() -> Self {
        RunArgs {
            seed: 1,
            out: PathBuf::from("store"),
            name: None,
            nodes: 5,
            rf: 3,
            read_cl: ConsistencyLevel::Quorum,
            write_cl: ConsistencyLevel::Quorum,
            read_repair: ReadRepair::Blocking,
            digest_reads: Switch::On,
            hints: Switch::On,
            anti_entropy: Switch::On,
            clients: 10,
            keys: 8,
            ops: 2000,
            read_fraction: 0.5,
            think_ms: 10,
            schedule: None,
            nemesis: None,
            quiesce_ms: 5000,
            trace: false,
            checkers: None,
        }
    }
}

fn parse_cl(s: &str) -> Result<ConsistencyLevel, String> {
    s.parse()
}

fn parse_repair(s: &str) -> Result<ReadRepair, String> {
    s.parse()
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("{s:?} is not a fraction between 0 and 1")),
    }
}

/// A list of fault kinds (`--nemesis partition,crash`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kinds(pub Vec<FaultKind>);

/// A list of checker names (`--checkers monotonic-reads,stale-read`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkers(pub Vec<&'static str>);

fn parse_checkers(s: &str) -> Result<Checkers, String> {
    quorumlab_checkers::suite::resolve(s).map(Checkers)
}

fn parse_kinds(s: &str) -> Result<Kinds, String> {
    if s.trim() == "all" {
        return Ok(Kinds(FaultKind::ALL.to_vec()));
    }
    FaultKind::parse_list(s)
        .map(Kinds)
        .map_err(|e| e.to_string())
}

impl RunArgs {
    /// The run configuration these flags describe (loading the schedule file, or generating the
    /// schedule from the seed), or a one-line reason why they cannot be used.
    pub fn config(&self) -> Result<RunConfig, String> {
        if self.rf > self.nodes {
            return Err(format!(
                "--rf {} needs at least as many nodes, but --nodes is {}",
                self.rf, self.nodes
            ));
        }
        let mut cfg = RunConfig::new(self.seed);
        cfg.store.nodes = StoreConfig::node_names(self.nodes as usize);
        cfg.store.rf = self.rf as usize;
        cfg.store.read_cl = self.read_cl;
        cfg.store.write_cl = self.write_cl;
        cfg.store.read_repair = self.read_repair;
        cfg.store.digest_reads = self.digest_reads.on();
        cfg.store.hints.enabled = self.hints.on();
        cfg.store.anti_entropy.enabled = self.anti_entropy.on();
        cfg.workload.clients = self.clients as usize;
        cfg.workload.keys = self.keys;
        cfg.workload.ops = self.ops;
        cfg.workload.read_fraction = self.read_fraction;
        cfg.workload.think_ms_max = self.think_ms;
        cfg.phases.quiesce_max_ms = self.quiesce_ms;
        cfg.schedule = self.schedule(&cfg.store, cfg.workload.keys)?;
        Ok(cfg)
    }

    fn schedule(&self, store: &StoreConfig, keys: u64) -> Result<Schedule, String> {
        if let Some(path) = &self.schedule {
            return schedule::load(path, &store.nodes, self.seed).map_err(|e| e.to_string());
        }
        if let Some(Kinds(kinds)) = &self.nemesis {
            let shape = Shape::of_cluster(store, keys)?;
            return Ok(schedule::generate(self.seed, kinds, &shape, self.horizon()));
        }
        Ok(RunConfig::new(self.seed).schedule)
    }

    /// How long the main phase is expected to last: generated faults are laid out over it.
    pub fn horizon(&self) -> Duration {
        let per_client = self.ops.div_ceil(self.clients.max(1));
        Duration::from_millis((per_client * (30 + self.think_ms / 2)).max(1000))
    }

    /// The run directory's name.
    pub fn dir_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            let mut name = format!("r{}-w{}-{}", self.read_cl, self.write_cl, self.read_repair);
            if !self.digest_reads.on() {
                name.push_str("-nodigest");
            }
            if let Some(path) = &self.schedule {
                let stem = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("schedule");
                let _ = write!(name, "-{stem}");
            } else if let Some(Kinds(kinds)) = &self.nemesis {
                let kinds: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
                let _ = write!(name, "-{}", kinds.join("+"));
            }
            name
        })
    }

    /// The command line that replays this run exactly (every flag that shapes it, none that only
    /// says where output goes).
    pub fn replay_command(&self) -> String {
        let mut cmd = format!(
            "quorumlab run --seed {} --nodes {} --rf {} --read-cl {} --write-cl {} --read-repair {} \
             --digest-reads {} --hints {} --anti-entropy {} --clients {} --keys {} --ops {} \
             --read-fraction {} --think-ms {} --quiesce-ms {}",
            self.seed,
            self.nodes,
            self.rf,
            self.read_cl,
            self.write_cl,
            self.read_repair,
            self.digest_reads.name(),
            self.hints.name(),
            self.anti_entropy.name(),
            self.clients,
            self.keys,
            self.ops,
            self.read_fraction,
            self.think_ms,
            self.quiesce_ms,
        );
        if let Some(path) = &self.schedule {
            let _ = write!(cmd, " --schedule {}", path.display());
        }
        if let Some(Kinds(kinds)) = &self.nemesis {
            let kinds: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
            let _ = write!(cmd, " --nemesis {}", kinds.join(","));
        }
        if let Some(Checkers(checkers)) = &self.checkers {
            let _ = write!(cmd, " --checkers {}", checkers.join(","));
        }
        cmd
    }
}
