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
    /// The system under test when it is not the built-in store (its name, as given to
    /// `Experiment::system`): `store` is then unused, and only the code that defines the system
    /// can replay the run. Absent for the built-in store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
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
            system: None,
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
    /// Client processes (each a session task on the one client host, bound to a coordinator, one
    /// operation in flight).
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
                line: validate::line_of_field(text, field),
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

mod validate;

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
}
