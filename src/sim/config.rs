//! [`RunConfig`]: the one description of a run. Every entry point builds one — the command line
//! maps its flags onto it, [`crate::lab::Experiment`] builds it directly, `fuzz` and `shrink`
//! derive them — and `run.json` is exactly one, serialized: `quorumlab run --config run.json`
//! replays the run, byte for byte. The faults are stored as the concrete schedule the nemesis
//! applies (for a generated schedule, after a run: the steps applied before the main phase ended).
//!
//! [`RunConfig::validate`] is the single check of a configuration, whatever built it: every bound
//! it enforces is named in its message, so a run never starts what it cannot finish in reasonable
//! time.

use super::cluster::NetConfig;
use super::schedule::{FaultKind, Schedule};
use super::workload::WorkloadConfig;
use crate::store::config::StoreConfig;
use serde::{Deserialize, Serialize};

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

/// Where the fault schedule came from (informational: the nemesis applies `schedule`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "from")]
pub enum FaultSource {
    /// No faults.
    None,
    /// A schedule file (TOML, or JSON as in `run.json`).
    File {
        /// The path as given.
        path: String,
    },
    /// Generated from the seed, drawing a subset of these kinds (swarm testing).
    Generated {
        /// The kinds offered.
        kinds: Vec<FaultKind>,
    },
    /// Built in code (the library).
    Code,
}

/// The faults of the main phase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Faults {
    /// Where they came from.
    pub source: FaultSource,
    /// The concrete steps the nemesis applies.
    pub schedule: Schedule,
}

impl Faults {
    /// No faults.
    pub fn none() -> Faults {
        Faults {
            source: FaultSource::None,
            schedule: Schedule {
                name: "none".to_string(),
                steps: Vec::new(),
            },
        }
    }
}

/// Budgets that bound the work of checking a run. They count work, never wall time, so a seed's
/// verdict is the same on every machine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Budgets {
    /// Linearizability: states explored per independent key before the verdict is `unknown`.
    pub lin_max_states: u64,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            lin_max_states: 2_000_000,
        }
    }
}

/// Everything needed to replay a run (the content of `run.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// The quorumlab version that wrote it (informational).
    pub version: String,
    /// The seed: every random choice of the run derives from it.
    pub seed: u64,
    /// The store (including a planted bug, if any).
    pub store: StoreConfig,
    /// The clients.
    pub workload: WorkloadConfig,
    /// The simulated network.
    pub net: NetConfig,
    /// Heal, quiesce and final reads.
    pub phases: PhaseConfig,
    /// The faults of the main phase.
    pub faults: Faults,
    /// The checkers to run (`None`: the default suite).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkers: Option<Vec<String>>,
    /// Work bounds of the checkers.
    #[serde(default)]
    pub budgets: Budgets,
    /// The dimensions this seed drew (swarm testing), for the record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub swarm: Vec<String>,
}

impl RunConfig {
    /// The default cluster and workload with `seed`, no faults.
    pub fn new(seed: u64) -> RunConfig {
        RunConfig {
            version: env!("CARGO_PKG_VERSION").to_string(),
            seed,
            store: StoreConfig::default_cluster(),
            workload: WorkloadConfig::default(),
            net: NetConfig::default(),
            phases: PhaseConfig::default(),
            faults: Faults::none(),
            checkers: None,
            budgets: Budgets::default(),
            swarm: Vec::new(),
        }
    }

    /// The schedule the nemesis applies.
    pub fn schedule(&self) -> &Schedule {
        &self.faults.schedule
    }
}

/// Largest values accepted (each bounds the cost of one run).
pub mod limits {
    /// Store nodes (each is a simulated host stepped every tick).
    pub const NODES: usize = 16;
    /// Replication factor.
    pub const RF: usize = 9;
    /// Client processes (each is a simulated host).
    pub const CLIENTS: usize = 256;
    /// Keys (every key is read once after quiesce and snapshotted on every replica).
    pub const KEYS: u64 = 10_000;
    /// Operations of the main phase.
    pub const OPS: u64 = 1_000_000;
    /// Main phase duration and quiesce deadline (ms): one simulated hour.
    pub const DURATION_MS: u64 = 3_600_000;
    /// Think time between operations (ms): one simulated minute.
    pub const THINK_MS: u64 = 60_000;
    /// Bytes per value (anti-entropy streams whole buckets in one frame).
    pub const VALUE_BYTES: usize = 16 * 1024;
    /// Message latency (ms).
    pub const LATENCY_MS: u64 = 10_000;
    /// Client timeout (ms).
    pub const CLIENT_TIMEOUT_MS: u64 = 600_000;
    /// Tokens per node on the ring.
    pub const VNODES: usize = 1024;
    /// Depth of a Merkle tree (2^depth buckets).
    pub const MERKLE_DEPTH: u32 = 16;
    /// The store's timeouts, intervals and windows (ms): one simulated day.
    pub const STORE_MS: u64 = 86_400_000;
}

/// Why a `run.json` cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigFileError {
    /// Not UTF-8 from this line on.
    #[error("{file}:{line}: invalid UTF-8")]
    Utf8 {
        /// The file.
        file: String,
        /// The first line with an invalid byte.
        line: usize,
    },
    /// Not a run configuration (JSON syntax or shape), at this line.
    #[error("{file}:{line}: {message}")]
    Shape {
        /// The file.
        file: String,
        /// The line.
        line: usize,
        /// serde's message, input echoes cut.
        message: String,
    },
    /// A configuration that breaks a rule or bound.
    #[error("{file}:{line}: {field}: not a runnable configuration: {source}")]
    Invalid {
        /// The file.
        file: String,
        /// The line of the field at fault.
        line: usize,
        /// The field at fault (`workload.keys`).
        field: &'static str,
        /// Why.
        source: InvalidConfig,
    },
}

impl RunConfig {
    /// Read a `run.json` from its bytes (`file` names it in errors) and validate it.
    pub fn from_json_bytes(file: &str, bytes: &[u8]) -> Result<RunConfig, ConfigFileError> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let upto = &bytes[..e.valid_up_to()];
            ConfigFileError::Utf8 {
                file: file.to_string(),
                line: upto.iter().filter(|&&b| b == b'\n').count() + 1,
            }
        })?;
        let cfg: RunConfig = serde_json::from_str(text).map_err(|e| ConfigFileError::Shape {
            file: file.to_string(),
            line: e.line().max(1),
            message: one_line(&quorumlab_checkers::error::tidy(without_position(
                &e.to_string(),
            ))),
        })?;
        cfg.check()
            .map_err(|(field, source)| ConfigFileError::Invalid {
                file: file.to_string(),
                line: line_of_field(text, field),
                field,
                source,
            })?;
        Ok(cfg)
    }
}

/// serde_json's message without its ` at line L column C` (the line leads the message already).
fn without_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) if message[i..].contains(" column ") => &message[..i],
        _ => message,
    }
}

/// `message` with its control characters escaped (serde echoes a key or value as decoded: an
/// escaped newline in the input would split the message).
fn one_line(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for c in message.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// A configuration that cannot run, with the bound or rule it breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidConfig(pub String);

impl RunConfig {
    /// Check every bound and rule (see [`limits`]); the message names the field and the limit.
    pub fn validate(&self) -> Result<(), InvalidConfig> {
        self.check().map_err(|(_, e)| e)
    }

    /// [`RunConfig::validate`], with the `run.json` field at fault (`workload.keys`).
    fn check(&self) -> Result<(), (&'static str, InvalidConfig)> {
        let w = &self.workload;
        let at = |field: &'static str| move |e: InvalidConfig| (field, e);
        let over = |what: &str, got: u128, max: u128, why: &str| {
            if got > max {
                Err(InvalidConfig(format!(
                    "{what} {got} is above the limit of {max} ({why})"
                )))
            } else {
                Ok(())
            }
        };
        let nodes = self.store.nodes.len();
        if nodes == 0 {
            return Err((
                "store.nodes",
                InvalidConfig("the cluster needs at least one node".into()),
            ));
        }
        over(
            "nodes",
            nodes as u128,
            limits::NODES as u128,
            "each node is a simulated host",
        )
        .map_err(at("store.nodes"))?;
        check_node_names(&self.store.nodes).map_err(at("store.nodes"))?;
        over(
            "replication factor",
            self.store.rf as u128,
            limits::RF as u128,
            "replicas per key",
        )
        .map_err(at("store.rf"))?;
        if self.store.rf == 0 || self.store.rf > nodes {
            return Err((
                "store.rf",
                InvalidConfig(format!(
                    "replication factor {} needs between 1 and {nodes} nodes (the cluster has \
                     {nodes})",
                    self.store.rf
                )),
            ));
        }
        if self.store.vnodes == 0 {
            return Err((
                "store.vnodes",
                InvalidConfig("a node needs at least one token on the ring".into()),
            ));
        }
        over(
            "vnodes",
            self.store.vnodes as u128,
            limits::VNODES as u128,
            "tokens per node on the ring",
        )
        .map_err(at("store.vnodes"))?;
        if self.store.port == 0 {
            return Err((
                "store.port",
                InvalidConfig("port 0 is not a port a node can listen on".into()),
            ));
        }
        over(
            "Merkle tree depth",
            self.store.anti_entropy.depth as u128,
            limits::MERKLE_DEPTH as u128,
            "2^depth buckets per tree",
        )
        .map_err(at("store.anti_entropy.depth"))?;
        let store_times = [
            ("store.connect_timeout_ms", self.store.connect_timeout_ms),
            ("store.rpc_timeout_ms", self.store.rpc_timeout_ms),
            ("store.request_timeout_ms", self.store.request_timeout_ms),
            (
                "store.async_repair_delay_ms",
                self.store.async_repair_delay_ms,
            ),
            ("store.hints.window_ms", self.store.hints.window_ms),
            (
                "store.hints.replay_interval_ms",
                self.store.hints.replay_interval_ms,
            ),
            (
                "store.anti_entropy.interval_ms",
                self.store.anti_entropy.interval_ms,
            ),
            ("store.tombstones.grace_ms", self.store.tombstones.grace_ms),
            (
                "store.tombstones.check_interval_ms",
                self.store.tombstones.check_interval_ms,
            ),
        ];
        for (field, ms) in store_times {
            let name = field.rsplit('.').next().unwrap_or(field);
            over(
                name,
                ms as u128,
                limits::STORE_MS as u128,
                "one simulated day",
            )
            .map_err(at(field))?;
        }
        if w.clients == 0 {
            return Err((
                "workload.clients",
                InvalidConfig("the workload needs at least one client".into()),
            ));
        }
        over(
            "clients",
            w.clients as u128,
            limits::CLIENTS as u128,
            "each client is a simulated host",
        )
        .map_err(at("workload.clients"))?;
        if w.keys == 0 {
            return Err((
                "workload.keys",
                InvalidConfig("the workload needs at least one key".into()),
            ));
        }
        over(
            "keys",
            w.keys as u128,
            limits::KEYS as u128,
            "every key is read and snapshotted at the end",
        )
        .map_err(at("workload.keys"))?;
        if w.ops.is_none() && w.duration_ms.is_none() {
            return Err((
                "workload.ops",
                InvalidConfig("the main phase needs an operation count or a duration".into()),
            ));
        }
        if let Some(ops) = w.ops {
            over(
                "ops",
                ops as u128,
                limits::OPS as u128,
                "operations of the main phase",
            )
            .map_err(at("workload.ops"))?;
        }
        if let Some(d) = w.duration_ms {
            over(
                "duration (ms)",
                d as u128,
                limits::DURATION_MS as u128,
                "one simulated hour",
            )
            .map_err(at("workload.duration_ms"))?;
        }
        over(
            "think time (ms)",
            w.think_ms_max as u128,
            limits::THINK_MS as u128,
            "one simulated minute",
        )
        .map_err(at("workload.think_ms_max"))?;
        over(
            "value bytes",
            w.value_bytes as u128,
            limits::VALUE_BYTES as u128,
            "anti-entropy sends a bucket in one frame",
        )
        .map_err(at("workload.value_bytes"))?;
        over(
            "client timeout (ms)",
            w.client_timeout_ms as u128,
            limits::CLIENT_TIMEOUT_MS as u128,
            "ten simulated minutes",
        )
        .map_err(at("workload.client_timeout_ms"))?;
        over(
            "quiesce (ms)",
            self.phases.quiesce_max_ms as u128,
            limits::DURATION_MS as u128,
            "one simulated hour",
        )
        .map_err(at("phases.quiesce_max_ms"))?;
        over(
            "max latency (ms)",
            self.net.max_latency_ms as u128,
            limits::LATENCY_MS as u128,
            "ten simulated seconds",
        )
        .map_err(at("net.max_latency_ms"))?;
        let fraction = |what: &str, x: f64| {
            if (0.0..=1.0).contains(&x) {
                Ok(())
            } else {
                Err(InvalidConfig(format!("{what} {x} is not between 0 and 1")))
            }
        };
        fraction("read fraction", w.read_fraction).map_err(at("workload.read_fraction"))?;
        fraction("delete fraction", w.delete_fraction).map_err(at("workload.delete_fraction"))?;
        if w.read_fraction + w.delete_fraction > 1.0 + 1e-9 {
            return Err((
                "workload.delete_fraction",
                InvalidConfig(format!(
                    "read fraction {} plus delete fraction {} exceed 1",
                    w.read_fraction, w.delete_fraction
                )),
            ));
        }
        if let super::workload::KeyDist::Hot { share } = w.key_dist {
            fraction("hot-key share", share).map_err(at("workload.key_dist"))?;
        }
        if w.coordinators > nodes {
            return Err((
                "workload.coordinators",
                InvalidConfig(format!(
                    "{} coordinators asked but the cluster has {nodes} nodes",
                    w.coordinators
                )),
            ));
        }
        if self.net.min_latency_ms < 1 || self.net.max_latency_ms < self.net.min_latency_ms {
            return Err((
                "net.min_latency_ms",
                InvalidConfig(format!(
                    "network latency must satisfy 1 ≤ min ({}) ≤ max ({}) ms",
                    self.net.min_latency_ms, self.net.max_latency_ms
                )),
            ));
        }
        if self.phases.quiesce_min_ms > self.phases.quiesce_max_ms {
            return Err((
                "phases.quiesce_min_ms",
                InvalidConfig(format!(
                    "quiesce minimum {} ms exceeds its maximum {} ms",
                    self.phases.quiesce_min_ms, self.phases.quiesce_max_ms
                )),
            ));
        }
        self.store
            .validate()
            .map_err(|e| ("store", InvalidConfig(e.to_string())))?;
        if let Some(names) = &self.checkers {
            super::judge::resolve_checkers(names)
                .map_err(|e| ("checkers", InvalidConfig(e.to_string())))?;
        }
        self.faults
            .schedule
            .validate(&self.store.nodes)
            .map_err(|e| {
                (
                    "faults.schedule",
                    InvalidConfig(format!("fault schedule: {e}")),
                )
            })
    }
}

/// Node names are host names in the simulation and appear in messages and schedules: distinct,
/// 1 to 32 ASCII letters, digits, `-`, `_` or `.`.
fn check_node_names(nodes: &[String]) -> Result<(), InvalidConfig> {
    let mut seen = std::collections::BTreeSet::new();
    for n in nodes {
        let ok = !n.is_empty()
            && n.len() <= 32
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !ok {
            return Err(InvalidConfig(format!(
                "node name {} must be 1 to 32 ASCII letters, digits, `-`, `_` or `.`",
                quorumlab_checkers::error::quoted(n)
            )));
        }
        if !seen.insert(n.as_str()) {
            return Err(InvalidConfig(format!("node {n} is listed twice")));
        }
    }
    Ok(())
}

/// The 1-based line of the field `path` (`workload.keys`) in a JSON document that parsed: each
/// key of the path is looked up after the previous one; the line of the deepest key found (1 when
/// none is).
fn line_of_field(text: &str, path: &str) -> usize {
    let mut from = 0;
    let mut found = 0;
    for key in path.split('.') {
        let quoted = format!("\"{key}\"");
        let mut search = from;
        let hit = loop {
            let Some(i) = text[search..].find(&quoted) else {
                break None;
            };
            let end = search + i + quoted.len();
            if text[end..].trim_start().starts_with(':') {
                break Some(search + i);
            }
            search = end;
        };
        match hit {
            Some(i) => {
                found = i;
                from = i + quoted.len();
            }
            None => break,
        }
    }
    text[..found].bytes().filter(|&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_is_valid_and_round_trips() {
        let cfg = RunConfig::new(7);
        cfg.validate().unwrap();
        let json = serde_json::to_string_pretty(&cfg).unwrap();
        let back: RunConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cfg);
    }

    fn from_json(text: &str) -> String {
        RunConfig::from_json_bytes("run.json", text.as_bytes())
            .unwrap_err()
            .to_string()
    }

    /// Regression (issue 8): a key or value with an escaped newline made serde's message span
    /// lines, and a configuration that broke a bound did not name its line.
    #[test]
    fn run_json_errors_are_one_line_naming_the_line() {
        let good = serde_json::to_string_pretty(&RunConfig::new(1)).unwrap();
        let e = from_json(&good.replacen("\"read_cl\": \"quorum\"", "\"read_cl\": \"a\\nb\"", 1));
        assert!(!e.contains('\n') && e.contains("a\\nb"), "{e:?}");
        assert!(!e.contains("column"), "{e}");
        let keys_line = good.lines().position(|l| l.contains("\"keys\"")).unwrap() + 1;
        let e = from_json(&good.replacen("\"keys\": 8", "\"keys\": 0", 1));
        assert!(
            e.starts_with(&format!("run.json:{keys_line}: workload.keys:")),
            "{e}"
        );
    }

    /// Regression (issue 8): `run.json` values no flag can set (tokens per node, Merkle depth,
    /// port, node names, store timeouts) were unbounded: a huge `vnodes` hung building the ring.
    #[test]
    fn store_values_of_run_json_are_bounded() {
        let mut cfg = RunConfig::new(1);
        cfg.store.vnodes = usize::MAX;
        assert!(cfg.validate().unwrap_err().to_string().contains("vnodes"));
        let mut cfg = RunConfig::new(1);
        cfg.store.anti_entropy.depth = 64;
        assert!(cfg.validate().unwrap_err().to_string().contains("Merkle"));
        let mut cfg = RunConfig::new(1);
        cfg.store.port = 0;
        assert!(cfg.validate().is_err());
        let mut cfg = RunConfig::new(1);
        cfg.store.rpc_timeout_ms = u64::MAX;
        assert!(cfg
            .validate()
            .unwrap_err()
            .to_string()
            .contains("rpc_timeout_ms"));
        for bad in ["", "a\nb", "n1"] {
            let mut cfg = RunConfig::new(1);
            cfg.store.nodes[1] = bad.to_string();
            assert!(cfg.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn absurd_values_are_refused_naming_the_limit() {
        let mut cfg = RunConfig::new(1);
        cfg.workload.keys = 1_000_000;
        let e = cfg.validate().unwrap_err().to_string();
        assert!(e.contains("keys 1000000") && e.contains("10000"), "{e}");

        let mut cfg = RunConfig::new(1);
        cfg.workload.think_ms_max = u64::MAX;
        assert!(cfg
            .validate()
            .unwrap_err()
            .to_string()
            .contains("think time"));

        let mut cfg = RunConfig::new(1);
        cfg.store.nodes = StoreConfig::node_names(64);
        cfg.store.rf = 64;
        assert!(cfg.validate().unwrap_err().to_string().contains("nodes 64"));

        let mut cfg = RunConfig::new(1);
        cfg.workload.clients = 10_000;
        assert!(cfg
            .validate()
            .unwrap_err()
            .to_string()
            .contains("clients 10000"));

        let mut cfg = RunConfig::new(1);
        cfg.workload.ops = None;
        assert!(cfg.validate().is_err());
    }
}
