//! The flags of `quorumlab run` and how they map onto a [`Plan`] (and so onto the seed's
//! [`RunConfig`], which `run.json` stores). `--config run.json` replays a recorded run exactly;
//! every other flag describes a new one. A flag the user gives fixes its dimension; with
//! `--swarm`, every dimension not fixed is drawn from the seed.

use crate::sim::config::{limits, RunConfig};
use crate::sim::plan::{FaultPlan, Plan};
use crate::sim::schedule::FaultKind;
use crate::sim::workload::KeyDist;
use crate::store::config::{AeMode, ConsistencyLevel, Mutant, ReadRepair, StoreConfig};
use clap::{Args, ValueEnum};
use std::collections::BTreeSet;
use std::path::PathBuf;

mod name;
pub use name::derived_name;
use name::fit_name;

/// `on` / `off` switches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    /// Enabled.
    #[default]
    On,
    /// Disabled.
    Off,
}

impl Switch {
    /// `true` for on.
    pub fn on(self) -> bool {
        self == Switch::On
    }
}

/// Background anti-entropy, as a flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AeFlag {
    /// Merkle-tree exchanges (`on` is an alias, as before).
    #[value(alias = "on")]
    Merkle,
    /// Update-log pulls after a per-peer watermark; Merkle only when a peer's log no longer
    /// reaches back.
    Log,
    /// Both, each on its own schedule.
    Both,
    /// No background anti-entropy.
    Off,
}

impl AeFlag {
    /// The mode, or `None` for off.
    pub fn mode(self) -> Option<AeMode> {
        match self {
            AeFlag::Merkle => Some(AeMode::Merkle),
            AeFlag::Log => Some(AeMode::Log),
            AeFlag::Both => Some(AeMode::Both),
            AeFlag::Off => None,
        }
    }
}

/// Consistency levels, as flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Cl {
    /// One replica.
    One,
    /// A majority of the replicas.
    Quorum,
    /// Every replica.
    All,
}

impl From<Cl> for ConsistencyLevel {
    fn from(cl: Cl) -> Self {
        match cl {
            Cl::One => ConsistencyLevel::One,
            Cl::Quorum => ConsistencyLevel::Quorum,
            Cl::All => ConsistencyLevel::All,
        }
    }
}

/// Read-repair modes, as flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Repair {
    /// Reply only after stale replicas acknowledged the repair.
    Blocking,
    /// Reply at once; repair on a background stage.
    Async,
    /// Never repair on reads.
    None,
}

impl From<Repair> for ReadRepair {
    fn from(r: Repair) -> Self {
        match r {
            Repair::Blocking => ReadRepair::Blocking,
            Repair::Async => ReadRepair::Async,
            Repair::None => ReadRepair::None,
        }
    }
}

/// Arguments of `quorumlab run` (and of `fuzz`, which runs the same description on many seeds).
#[derive(Args, Debug, Clone, Default, PartialEq)]
pub struct RunArgs {
    /// The run's seed: every random choice derives from it [default: 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replay a recorded run: its `run.json` (or its run directory). Other flags that shape the
    /// run are refused with it.
    #[arg(long, value_name = "RUN_JSON")]
    pub config: Option<PathBuf>,
    /// Base directory for run directories (`<out>/<name>/<seed>/`).
    #[arg(long, default_value = "store")]
    pub out: PathBuf,
    /// Name of the run directory (default: derived from the configuration).
    #[arg(long)]
    pub name: Option<String>,
    /// Number of store nodes [default: 5; at most 16].
    #[arg(long)]
    pub nodes: Option<usize>,
    /// Replication factor [default: 3].
    #[arg(long)]
    pub rf: Option<usize>,
    /// Read consistency level [default: quorum].
    #[arg(long, value_enum)]
    pub read_cl: Option<Cl>,
    /// Write consistency level [default: quorum].
    #[arg(long, value_enum)]
    pub write_cl: Option<Cl>,
    /// Read-repair mode [default: blocking].
    #[arg(long, value_enum)]
    pub read_repair: Option<Repair>,
    /// Delay of the asynchronous read-repair stage, ms [default: 100].
    #[arg(long)]
    pub async_repair_delay_ms: Option<u64>,
    /// Digest reads (one data request plus digests) or full data reads [default: on].
    #[arg(long, value_enum)]
    pub digest_reads: Option<Switch>,
    /// Hinted handoff [default: on].
    #[arg(long, value_enum)]
    pub hints: Option<Switch>,
    /// Background anti-entropy: merkle (`on` = merkle), log, both or off [default: merkle].
    #[arg(long, value_enum)]
    pub anti_entropy: Option<AeFlag>,
    /// Tombstone grace period, ms (must exceed the hint window, 10 000 ms) [default: 30000].
    #[arg(long)]
    pub tombstone_grace_ms: Option<u64>,
    /// Plant a bug in the store (see `quorumlab mutants`).
    #[arg(long, value_parser = parse_mutant)]
    pub mutant: Option<Mutant>,
    /// Concurrent client processes [default: 10; at most 256].
    #[arg(long)]
    pub clients: Option<usize>,
    /// Clients are bound to the first N nodes as coordinators [default: every node].
    #[arg(long)]
    pub coordinators: Option<usize>,
    /// Number of keys [default: 8; at most 10 000].
    #[arg(long)]
    pub keys: Option<u64>,
    /// Share of operations on key 0 (a hot key), in [0, 1] [default: uniform keys].
    #[arg(long, value_parser = parse_fraction)]
    pub hot_key: Option<f64>,
    /// Operations in the main phase [default: 2000 unless --duration is given; at most 1 000 000].
    #[arg(long)]
    pub ops: Option<u64>,
    /// Length of the main phase in simulated time (Jepsen's time limit), e.g. 10s, 1500ms.
    #[arg(long, value_parser = parse_ms)]
    pub duration: Option<u64>,
    /// Fraction of reads among operations [default: 0.5].
    #[arg(long, value_parser = parse_fraction)]
    pub read_fraction: Option<f64>,
    /// Fraction of deletes among operations [default: 0.05].
    #[arg(long, value_parser = parse_fraction)]
    pub delete_fraction: Option<f64>,
    /// Each client waits up to this long (ms, uniform) between operations [default: 10].
    #[arg(long)]
    pub think_ms: Option<u64>,
    /// Bytes per written value: an 8-byte id plus payload [default: 8; at most 16384].
    #[arg(long)]
    pub value_bytes: Option<usize>,
    /// One-way message latency range, ms: MIN..MAX [default: 1..10].
    #[arg(long, value_parser = parse_range)]
    pub latency_ms: Option<(u64, u64)>,
    /// Fault schedule: a TOML file, a concrete JSON schedule as stored in run.json, or
    /// `builtin:NAME` (clock-skew, crash-majority, flaky-network, isolate-node, mixed,
    /// partition-halves, reply-loss, rolling-crash, slow-links, slow-replica).
    #[arg(long, conflicts_with = "nemesis")]
    pub schedule: Option<PathBuf>,
    /// Generate the fault schedule from the seed, drawing a subset of these kinds (swarm testing):
    /// partition, crash, crash-majority, loss, latency, slow, reply-loss, clock-skew, pause; `all`
    /// (every kind) or `safe` (every kind but clock-skew, which breaks last-write-wins by design).
    #[arg(long, value_parser = parse_kinds)]
    pub nemesis: Option<Kinds>,
    /// Draw the workload shape from the seed too (keys, skew, mix, clients, latency, value size,
    /// RF…), except what other flags fix.
    #[arg(long)]
    pub swarm: bool,
    /// Longest quiesce (ms) waiting for replicas to agree after heal [default: 5000].
    #[arg(long)]
    pub quiesce_ms: Option<u64>,
    /// Write `trace.log` (the store's tracing, stamped with simulated time) into the run directory.
    #[arg(long)]
    pub trace: bool,
    /// Write `events.jsonl` (every replica change and coordinator decision) [default: on].
    #[arg(long, value_enum, default_value = "on")]
    pub events: Switch,
    /// Run only these checkers (default: all), e.g. `monotonic-reads,stale-read,invariants`.
    #[arg(long, value_parser = parse_checkers)]
    pub checkers: Option<Checkers>,
}

/// clap already quotes the value in its message (`invalid value 'x' for '--mutant'`), so the
/// reason does not quote it again.
fn parse_mutant(s: &str) -> Result<Mutant, String> {
    s.parse().map_err(|_: crate::store::mutant::UnknownMutant| {
        let names: Vec<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
        format!(
            "not a planted bug (`quorumlab mutants` describes them: {})",
            names.join(", ")
        )
    })
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("{:?} is not a fraction between 0 and 1", cut(s))),
    }
}

fn parse_ms(s: &str) -> Result<u64, String> {
    let d = super::check::parse_duration(s)?;
    let ms = d.as_millis();
    if ms == 0 || ms > u128::from(limits::DURATION_MS) {
        return Err(format!(
            "{:?} must be between 1 ms and one simulated hour",
            cut(s)
        ));
    }
    Ok(ms as u64)
}

fn parse_range(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("{:?} is not a range MIN..MAX of milliseconds", cut(s));
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let a: u64 = a.trim().parse().map_err(|_| bad())?;
    let b: u64 = b.trim().parse().map_err(|_| bad())?;
    if a < 1 || b < a || b > limits::LATENCY_MS {
        return Err(format!(
            "latency range {a}..{b} must satisfy 1 ≤ MIN ≤ MAX ≤ {}",
            limits::LATENCY_MS
        ));
    }
    Ok((a, b))
}

/// An input as a message may echo it (at most ~80 characters).
fn cut(s: &str) -> String {
    quorumlab_checkers::error::excerpt(s).into_owned()
}

/// A list of fault kinds (`--nemesis partition,crash`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kinds(pub Vec<FaultKind>);

/// A list of checker names (`--checkers monotonic-reads,stale-read`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkers(pub Vec<String>);

fn parse_checkers(s: &str) -> Result<Checkers, String> {
    let names: Vec<String> = s.split(',').map(|n| n.trim().to_string()).collect();
    let resolved = crate::sim::judge::resolve_checkers(&names).map_err(|e| e.to_string())?;
    Ok(Checkers(resolved.into_iter().map(str::to_string).collect()))
}

fn parse_kinds(s: &str) -> Result<Kinds, String> {
    match s.trim() {
        "all" => return Ok(Kinds(FaultKind::ALL.to_vec())),
        "safe" => return Ok(Kinds(FaultKind::SAFE.to_vec())),
        _ => {}
    }
    FaultKind::parse_list(s)
        .map(Kinds)
        .map_err(|e| e.to_string())
}

/// Why the flags do not describe a run.
#[derive(Debug, thiserror::Error)]
pub enum ArgsError {
    /// Flags that cannot go together, or a value out of bounds.
    #[error("{0}")]
    Invalid(String),
    /// `--config` could not be read.
    #[error("{path}: {message}")]
    Config {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The seed's configuration cannot be built.
    #[error(transparent)]
    Plan(#[from] crate::sim::plan::PlanError),
    /// A recorded `run.json` is unusable.
    #[error(transparent)]
    ConfigFile(#[from] crate::sim::config::ConfigFileError),
}

impl RunArgs {
    /// The names of the workload dimensions these flags fix (for `--swarm`).
    fn fixed(&self) -> BTreeSet<String> {
        let given = [
            ("keys", self.keys.is_some()),
            ("hot-key", self.hot_key.is_some()),
            ("read-fraction", self.read_fraction.is_some()),
            ("delete-fraction", self.delete_fraction.is_some()),
            ("clients", self.clients.is_some()),
            ("think-ms", self.think_ms.is_some()),
            ("latency-ms", self.latency_ms.is_some()),
            ("value-bytes", self.value_bytes.is_some()),
            ("rf", self.rf.is_some()),
            (
                "async-repair-delay-ms",
                self.async_repair_delay_ms.is_some(),
            ),
            ("tombstone-grace-ms", self.tombstone_grace_ms.is_some()),
            ("coordinators", self.coordinators.is_some()),
            ("anti-entropy", self.anti_entropy.is_some()),
        ];
        given
            .into_iter()
            .filter(|(_, g)| *g)
            .map(|(n, _)| n.to_string())
            .collect()
    }

    /// Whether any flag that shapes a run was given (refused together with `--config`).
    pub fn shapes_run(&self) -> bool {
        let bare = RunArgs {
            config: self.config.clone(),
            out: self.out.clone(),
            name: self.name.clone(),
            trace: self.trace,
            events: self.events,
            ..RunArgs::default()
        };
        let mut mine = self.clone();
        mine.events = bare.events;
        mine != bare
    }

    /// The plan these flags describe (`--config` excluded).
    pub fn plan(&self) -> Result<Plan, ArgsError> {
        let mut cfg = RunConfig::new(0);
        let s = &mut cfg.store;
        if let Some(n) = self.nodes {
            if n == 0 || n > limits::NODES {
                return Err(ArgsError::Invalid(format!(
                    "--nodes {n} must be between 1 and {} (each node is a simulated host)",
                    limits::NODES
                )));
            }
            s.nodes = StoreConfig::node_names(n);
        }
        if let Some(rf) = self.rf {
            s.rf = rf;
        }
        if s.rf > s.nodes.len() {
            return Err(ArgsError::Invalid(format!(
                "--rf {} needs at least as many nodes, but there are {}",
                s.rf,
                s.nodes.len()
            )));
        }
        if let Some(cl) = self.read_cl {
            s.read_cl = cl.into();
        }
        if let Some(cl) = self.write_cl {
            s.write_cl = cl.into();
        }
        if let Some(r) = self.read_repair {
            s.read_repair = r.into();
        }
        if let Some(ms) = self.async_repair_delay_ms {
            s.async_repair_delay_ms = ms;
        }
        if let Some(x) = self.digest_reads {
            s.digest_reads = x.on();
        }
        if let Some(x) = self.hints {
            s.hints.enabled = x.on();
        }
        if let Some(x) = self.anti_entropy {
            s.anti_entropy.enabled = x.mode().is_some();
            s.anti_entropy.mode = x.mode().unwrap_or(s.anti_entropy.mode);
        }
        if let Some(ms) = self.tombstone_grace_ms {
            s.tombstones.grace_ms = ms;
        }
        s.mutant = self.mutant;
        let w = &mut cfg.workload;
        if let Some(n) = self.clients {
            w.clients = n;
        }
        if let Some(n) = self.coordinators {
            w.coordinators = n;
        }
        if let Some(n) = self.keys {
            w.keys = n;
        }
        if let Some(share) = self.hot_key {
            w.key_dist = KeyDist::Hot { share };
        }
        match (self.ops, self.duration) {
            (None, Some(ms)) => {
                w.ops = None;
                w.duration_ms = Some(ms);
            }
            (ops, ms) => {
                if let Some(ops) = ops {
                    w.ops = Some(ops);
                }
                w.duration_ms = ms;
            }
        }
        if let Some(x) = self.read_fraction {
            w.read_fraction = x;
        }
        if let Some(x) = self.delete_fraction {
            w.delete_fraction = x;
        }
        if let Some(ms) = self.think_ms {
            w.think_ms_max = ms;
        }
        if let Some(n) = self.value_bytes {
            w.value_bytes = n;
        }
        if let Some((min, max)) = self.latency_ms {
            cfg.net.min_latency_ms = min;
            cfg.net.max_latency_ms = max;
        }
        if let Some(ms) = self.quiesce_ms {
            cfg.phases.quiesce_max_ms = ms;
            cfg.phases.quiesce_min_ms = cfg.phases.quiesce_min_ms.min(ms);
        }
        cfg.checkers = self.checkers.clone().map(|c| c.0);
        let faults = match (&self.schedule, &self.nemesis) {
            (Some(path), _) => FaultPlan::File(path.clone()),
            (None, Some(Kinds(kinds))) => FaultPlan::Kinds(kinds.clone()),
            (None, None) => FaultPlan::None,
        };
        Ok(Plan {
            base: cfg,
            faults,
            swarm: self.swarm.then(|| self.fixed()),
        })
    }

    /// The run configuration these flags describe: the recorded one with `--config`, else the
    /// plan's configuration for `--seed`.
    pub fn config(&self) -> Result<RunConfig, ArgsError> {
        let Some(path) = &self.config else {
            return Ok(self.plan()?.for_seed(self.seed.unwrap_or(1))?);
        };
        if self.shapes_run() {
            return Err(ArgsError::Invalid(
                "--config replays a recorded run exactly; drop the flags that shape a run (only \
                 --out, --name, --trace and --events go with it)"
                    .to_string(),
            ));
        }
        read_config(path)
    }

    /// The run directory's name.
    pub fn dir_name(&self, cfg: &RunConfig) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        if let Some(path) = &self.config {
            // A replay goes beside the original: `<name>/<seed>` → `<name>-replay` (through
            // `latest` and other links to the real directory).
            let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            let dir = if path.is_dir() {
                path.clone()
            } else {
                path.parent().map(PathBuf::from).unwrap_or_default()
            };
            if let Some(n) = dir
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
            {
                return fit_name(&format!(
                    "{}-replay",
                    n.strip_suffix("-replay").unwrap_or(n)
                ));
            }
        }
        derived_name(cfg)
    }
}

/// Read a recorded `run.json` (or the one in a run directory).
pub fn read_config(path: &std::path::Path) -> Result<RunConfig, ArgsError> {
    let file = if path.is_dir() {
        path.join("run.json")
    } else {
        path.to_path_buf()
    };
    let shown = crate::sim::show::path(&file);
    let bytes = std::fs::read(&file).map_err(|e| ArgsError::Config {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let cfg = RunConfig::from_json_bytes(&shown, &bytes)?;
    if let Some(system) = &cfg.system {
        let at = bytes
            .windows(8)
            .position(|w| w == b"\"system\"")
            .unwrap_or(0);
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(ArgsError::Config {
            path: format!("{shown}:{line}"),
            message: format!(
                "made with the system under test {:?}, which this binary does not contain; \
                 replay it from the code that defines it (its Experiment, with .seeds([{}]))",
                crate::sim::show::text(system),
                cfg.seed
            ),
        });
    }
    Ok(cfg)
}

/// The command that replays a run from its directory.
pub fn replay_command(dir: &std::path::Path) -> String {
    format!("quorumlab run --config {}", dir.join("run.json").display())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rundir::check_name;

    /// Regression (issue 8): replaying `<long dir>/<seed>/run.json` derived `<long dir>-replay`,
    /// over the 100-byte limit, and the replay was refused.
    #[test]
    fn replay_names_are_valid_run_names() {
        let tmp = tempfile::tempdir().unwrap();
        let seed_dir = tmp.path().join(format!("{}\n", "d".repeat(150))).join("3");
        std::fs::create_dir_all(&seed_dir).unwrap();
        let args = RunArgs {
            config: Some(seed_dir.join("run.json")),
            ..RunArgs::default()
        };
        let name = args.dir_name(&RunConfig::new(3));
        check_name(&name).unwrap();
        assert!(name.starts_with("ddd"), "{name}");
    }

    /// Regression (issue 8): `--mutant x` quoted the name twice (clap's `invalid value 'x'` and
    /// the parser's own `unknown mutant `x``).
    #[test]
    fn an_unknown_mutant_is_quoted_once() {
        let e = parse_mutant("no-such-bug").unwrap_err();
        assert!(
            !e.contains("no-such-bug") && e.contains("repair-no-wait"),
            "{e}"
        );
    }
}
