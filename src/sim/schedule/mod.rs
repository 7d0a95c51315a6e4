//! # Fault schedules as data
//!
//! A fault schedule is a list of [`Step`]s — a simulated time and a [`Fault`] — that the nemesis
//! applies during a run's main phase (Jepsen's idea that a nemesis schedule is a value, not code).
//! A schedule comes from a TOML file ([`load`], [`Schedule::from_toml_str`]) or from a seed
//! ([`generate`], for fuzzing with swarm testing: Groce et al. 2012, "Swarm testing"; TigerBeetle's
//! VOPR).
//!
//! What this module guarantees:
//! - a loaded or generated schedule is **concrete**: every node is named, `halves` and `bridge`
//!   partitions are resolved to explicit groups, and every step is sorted by time (stable: steps at
//!   the same time keep file order, a lift right after the fault it lifts). The nemesis therefore
//!   applies steps without drawing anything, and the schedule stored in `run.json` replays exactly;
//! - `random` choices are drawn from the seed passed to the loader, so the same file and seed give
//!   the same schedule;
//! - a loaded schedule is consistent: it never restarts a node that is not crashed, crashes a node
//!   that already is, resumes a node that is not paused or pauses one that is;
//! - bad input gives one line, `FILE:LINE: field `NAME`: PROBLEM`, and never a panic.
//!
//! ## The TOML format
//!
//! ```toml
//! # Optional; defaults to the file stem.
//! name = "example"
//!
//! [[fault]]
//! at = "1s"                  # when, as a human duration: "1.5s", "200ms", "2m" (humantime)
//! kind = "partition"         # partition | heal | crash | restart | loss | latency | clock-skew
//!                            #   | pause | resume | heal-all
//! how = "groups"             # partition only: groups | halves | isolate | one-way | bridge
//! groups = [["n1", "n2"]]    # how = "groups": disjoint, non-empty; unlisted nodes form one more group
//! duration = "1.5s"          # optional: also schedule the matching lift at `at + duration`
//!
//! [[fault]]
//! at = "500ms"
//! kind = "partition"
//! how = "one-way"            # messages from `from` to `to` are dropped; the reverse direction works
//! from = ["n1"]
//! to = ["n2", "n3"]
//! duration = "1s"
//!
//! [[fault]]
//! at = "3s"
//! kind = "partition"
//! how = "isolate"            # one node cut off from all others
//! node = "random"            # a node name, or "random" (drawn from the run seed at load time)
//! duration = "500ms"
//!
//! [[fault]]
//! at = "1s"
//! kind = "crash"             # crash | restart | pause | resume take `node`
//! node = "n3"
//! duration = "1s"            # lift: restart the same node
//!
//! [[fault]]
//! at = "1.2s"
//! kind = "loss"
//! rate = 0.2                 # message loss rate on node-to-node links, in [0, 1]
//!
//! [[fault]]
//! at = "2s"
//! kind = "loss"
//! rate = 0                   # loss off
//!
//! [[fault]]
//! at = "1s"
//! kind = "latency"
//! max = "300ms"              # max one-way latency; "default" resets to the network's default
//! duration = "2s"
//!
//! [[fault]]
//! at = "1s"
//! kind = "clock-skew"
//! node = "n2"
//! offset = "-500ms"          # signed; "0s" resets the node's clock
//! duration = "2s"
//!
//! [[fault]]
//! at = "2.5s"
//! kind = "pause"             # hold every message to and from the node
//! node = "n5"
//! duration = "300ms"         # lift: resume the same node
//!
//! [[fault]]
//! at = "4s"
//! kind = "heal-all"          # partitions, loss, latency, skew, pauses off; crashed nodes restarted
//! ```
//!
//! Lifts made by `duration`: partition → heal (which lifts *every* partition), crash → restart the
//! same node, loss → rate 0, latency → default, clock-skew → offset 0, pause → resume the same node.
//! `heal`, `restart`, `resume` and `heal-all` take no `duration`.
//!
//! Resolution at load time, from a stream derived from the loader's seed
//! (`seed::derive(seed, "schedule", 1)`), in time order: `node = "random"` picks any node for
//! isolate and clock-skew, a node that is not crashed for crash, a crashed one for restart, a node
//! that is not paused for pause, a paused one for resume; `halves` shuffles the nodes and splits them
//! into ⌊n/2⌋ and ⌈n/2⌉; `bridge` picks one bridge node and splits the others into halves, giving the
//! groups `[A…, bridge]` and `[bridge, B…]` — the one case where groups share a node. A lift always
//! targets the node its fault resolved to.
//!
//! ## Validation
//! Unknown keys are errors (so a typo such as `rat = 0.2` is caught), as are keys the kind does not
//! use, unknown kinds and `how`s (the message lists the valid ones), unknown node names, empty or
//! overlapping groups, a partition that leaves a single side, `from`/`to` sharing a node, a rate
//! outside [0, 1], a `duration` that is zero or negative, a negative `at`, times that do not parse,
//! missing required fields (reported on the line of the `[[fault]]` header, or of the `kind`/`how`
//! that requires them), and the state errors listed above (reported on the `node` line, or on the
//! `duration` line when a lift is the culprit).

mod duration_serde;
mod fault;
mod fields;
mod generate;
mod raw;
mod resolve;
mod value;
mod values;

pub use generate::generate;

use serde::{Deserialize, Serialize};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// A node chosen by name, or drawn from the run's seed when the schedule is loaded.
///
/// `Random` is an input form only: loaded and generated schedules name every node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeSel {
    /// The node with this name (`n1`…).
    Named(String),
    /// A node drawn from the seed (see the module doc for which nodes are eligible).
    Random,
}

/// Which messages a partition drops.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartitionSpec {
    /// Two nodes can exchange messages iff some group holds both. In a file, groups are disjoint
    /// and unlisted nodes form one more group; a loaded schedule lists every node. A resolved
    /// `bridge` is the one case of two groups sharing a node.
    Groups(Vec<Vec<String>>),
    /// Random split into ⌊n/2⌋ and ⌈n/2⌉ nodes (input form; resolved to `Groups` at load time).
    Halves,
    /// One node cut off from all other nodes.
    Isolate(NodeSel),
    /// Messages from a node in `from` to a node in `to` are dropped; the reverse direction works.
    OneWay {
        /// Senders whose messages are dropped.
        from: Vec<String>,
        /// Receivers that do not get them.
        to: Vec<String>,
    },
    /// Two halves joined only through one node in both (input form; resolved to `Groups`).
    Bridge,
}

/// One fault (or the lifting of one), as the nemesis applies it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    /// Drop messages between nodes as the spec says (replaces any earlier partition).
    Partition(PartitionSpec),
    /// Lift every partition (and only partitions).
    Heal,
    /// turmoil crash: the process is gone and its un-synced disk writes are lost.
    Crash(NodeSel),
    /// turmoil bounce of a crashed node.
    Restart(NodeSel),
    /// Message loss rate on node-to-node links, in [0, 1]; 0 turns loss off.
    Loss {
        /// Probability that one message is dropped.
        rate: f64,
    },
    /// Maximum one-way latency on node-to-node links.
    Latency {
        /// The new maximum.
        #[serde(with = "duration_serde")]
        max: Duration,
    },
    /// Back to the network's default latency.
    LatencyReset,
    /// Set a node's clock offset (0 resets it).
    ClockSkew {
        /// The node whose clock moves.
        node: NodeSel,
        /// Offset added to the node's clock, in microseconds (negative = behind).
        offset_us: i64,
    },
    /// Hold all messages to and from the node (SIGSTOP-like).
    Pause(NodeSel),
    /// Release the node's held messages.
    Resume(NodeSel),
    /// Everything off: partitions, loss, latency, skew, pauses; crashed nodes restarted.
    HealAll,
}

/// A fault at a simulated time (measured from the start of the run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// When the nemesis applies the fault.
    #[serde(with = "duration_serde")]
    pub at: Duration,
    /// What it applies.
    pub fault: Fault,
    /// The line of the schedule file this step comes from (its `[[fault]]` header, or the
    /// `duration` line for a lift); 0 when generated.
    pub line: usize,
}

/// A named list of steps, sorted by `at` (stable).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// The schedule's name (the file's `name`, its stem, or `generated-<kinds>`).
    pub name: String,
    /// The steps in the order the nemesis applies them.
    pub steps: Vec<Step>,
}

/// The fault kinds a generated schedule draws from (the swarm-testing dimensions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Partitions of every shape (halves, isolate, one-way, bridge).
    Partition,
    /// Crash and restart of one node at a time.
    Crash,
    /// Message loss.
    Loss,
    /// Extra link latency.
    Latency,
    /// Clock offset of one node at a time.
    ClockSkew,
    /// Pause and resume of one node at a time.
    Pause,
}

impl FaultKind {
    /// Every kind, in the canonical order used for names and random draws.
    pub const ALL: [FaultKind; 6] = [
        FaultKind::Partition,
        FaultKind::Crash,
        FaultKind::Loss,
        FaultKind::Latency,
        FaultKind::ClockSkew,
        FaultKind::Pause,
    ];

    /// The CLI name (`partition`, `crash`, `loss`, `latency`, `clock-skew`, `pause`).
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Partition => "partition",
            FaultKind::Crash => "crash",
            FaultKind::Loss => "loss",
            FaultKind::Latency => "latency",
            FaultKind::ClockSkew => "clock-skew",
            FaultKind::Pause => "pause",
        }
    }

    /// Parses a comma-separated list such as `partition,crash` (spaces allowed, duplicates
    /// dropped, result in canonical order).
    pub fn parse_list(s: &str) -> Result<Vec<FaultKind>, ScheduleError> {
        let mut kinds = s
            .split(',')
            .map(|k| k.trim().parse())
            .collect::<Result<Vec<FaultKind>, _>>()?;
        kinds.sort();
        kinds.dedup();
        Ok(kinds)
    }
}

impl std::fmt::Display for FaultKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FaultKind {
    type Err = ScheduleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FaultKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| ScheduleError::UnknownFaultKind { got: s.to_string() })
    }
}

/// Why a schedule could not be loaded. `Display` is one line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The file could not be read: `PATH: MESSAGE`.
    #[error("{path}: {message}")]
    Read {
        /// The path as given.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// The text is not a valid schedule: `FILE:LINE: MESSAGE`.
    #[error("{file}:{line}: {message}")]
    Invalid {
        /// The file name the text was loaded under.
        file: String,
        /// 1-based line of the offending field.
        line: usize,
        /// What is wrong (`field `rate`: must be between 0 and 1 (got 1.5)`).
        message: String,
    },
    /// A fault kind name that is not one of the swarm kinds (`--nemesis`).
    #[error(
        "unknown fault kind `{got}` (valid: partition, crash, loss, latency, clock-skew, pause)"
    )]
    UnknownFaultKind {
        /// The name given.
        got: String,
    },
}

/// Reads and validates the schedule at `path` for a cluster of `nodes`, drawing `random` choices
/// from `seed`. Errors name the path as given.
pub fn load(path: &Path, nodes: &[String], seed: u64) -> Result<Schedule, ScheduleError> {
    let text = std::fs::read_to_string(path).map_err(|e| ScheduleError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    Schedule::from_toml_str(&path.display().to_string(), &text, nodes, seed)
}

impl Schedule {
    /// Parses and validates schedule `text`. `file` names the text in error messages, and its
    /// stem is the schedule's name when the text has no `name`.
    pub fn from_toml_str(
        file: &str,
        text: &str,
        nodes: &[String],
        seed: u64,
    ) -> Result<Schedule, ScheduleError> {
        let ctx = fields::Ctx { file, text, nodes };
        let doc = raw::parse(text).map_err(|e| ctx.err(e.offset, e.message))?;
        let name = match &doc.name {
            Some(v) => fields::schedule_name(&ctx, v)?,
            None => default_name(file),
        };
        let entries = doc
            .faults
            .iter()
            .map(|f| fields::entry(&ctx, f))
            .collect::<Result<Vec<_>, _>>()?;
        let steps = resolve::resolve(&ctx, entries, seed)?;
        Ok(Schedule { name, steps })
    }

    /// The time of the last step (zero when there is none).
    pub fn end(&self) -> Duration {
        self.steps.last().map_or(Duration::ZERO, |s| s.at)
    }
}

/// The stem of `file` (`schedules/mixed.toml` → `mixed`), or the whole name when it has none.
fn default_name(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .unwrap_or(file)
        .to_string()
}

#[cfg(test)]
mod tests;
