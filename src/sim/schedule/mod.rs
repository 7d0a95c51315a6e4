//! # Fault schedules as data
//!
//! A fault schedule is a list of [`Step`]s — a simulated time and a [`Fault`] — that the nemesis
//! applies during a run's main phase (Jepsen's idea that a nemesis schedule is a value, not code).
//! A schedule comes from a TOML file ([`load`], [`Schedule::from_toml_str`]), from the JSON a run
//! stores in `run.json` ([`load`] of a `.json` file, [`Schedule::from_json_str`]), from code, or
//! from a seed ([`generate`], for fuzzing with swarm testing: Groce et al. 2012, "Swarm testing";
//! TigerBeetle's VOPR).
//!
//! What this module guarantees:
//! - one validator, [`Schedule::validate`], judges every concrete schedule — loaded from TOML,
//!   loaded from JSON, built in code or generated — so whatever passes it runs without tripping
//!   the simulator: every node named and in the cluster, steps sorted by time, value ranges kept,
//!   groups non-empty and disjoint (except a bridge), and node states consistent (no restart of a
//!   node that is not crashed, no second crash of a crashed node, no resume of a node that is not
//!   paused, no second pause);
//! - a loaded or generated schedule is **concrete**: every node is named, `halves` and `bridge`
//!   partitions are resolved to explicit groups listing every node, and steps are sorted by time
//!   (stable: steps at the same time keep file order). The nemesis applies steps without drawing
//!   anything but reply-loss's per-tick coin flips, which come from its own seeded stream;
//! - `random` choices are drawn from the seed passed to the loader, so the same file and seed give
//!   the same schedule;
//! - loading is linear in the size of the file;
//! - bad input gives one line, `FILE:LINE: field `NAME`: PROBLEM` (or `FILE:LINE: PROBLEM` when
//!   no field is at fault), echoes of the input cut to about 80 characters, and never a panic.
//!
//! ## The TOML format
//!
//! ```toml
//! # Optional; defaults to the file stem.
//! name = "example"
//!
//! [[fault]]
//! at = "1s"                  # when, as a human duration: "1.5s", "200ms", "2m" (humantime)
//! kind = "partition"         # partition | heal | crash | restart | loss | latency | slow
//!                            #   | reply-loss | clock-skew | pause | resume | heal-all
//! how = "groups"             # partition only: groups | halves | isolate | one-way | bridge
//! groups = [["n1", "n2"]]    # how = "groups": non-empty, disjoint; unlisted nodes form one more group
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
//! at = "4.5s"
//! kind = "crash"
//! nodes = ["n1", "n2", "n4"] # crash | restart: several nodes at the same instant
//! duration = "500ms"         # lift: restart them all together
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
//! max = "300ms"              # max one-way latency, at most 1h; "default" resets to the network's
//! duration = "2s"
//!
//! [[fault]]
//! at = "1.5s"
//! kind = "slow"              # one slow node: its node-to-node links get a higher max latency
//! node = "n4"                # a node name or "random"
//! max = "800ms"              # at most 1h; "default" takes the node back to the cluster's latency
//! duration = "1s"
//!
//! [[fault]]
//! at = "1.5s"
//! kind = "slow-disk"         # one node's fsync takes `delay`: its write and repair acks come late
//! node = "n3"                # a node name or "random"
//! delay = "300ms"            # at most 1h; "default" makes the disk fast again
//! duration = "2s"
//!
//! [[fault]]
//! at = "2.5s"
//! kind = "reply-loss"        # one-way loss: messages from `from` to `to` dropped, reverse intact
//! from = ["n2", "n3"]
//! to = ["n1"]
//! rate = 0.2                 # in (0, 1]: per 1 ms tick, the chance that a direction is cut;
//!                            #   rate = 0 (without from/to) turns reply loss off
//! duration = "1s"
//!
//! [[fault]]
//! at = "1s"
//! kind = "clock-skew"
//! node = "n2"
//! offset = "-500ms"          # signed, at most 1 day either way; "0s" resets the node's clock
//! duration = "2s"
//!
//! [[fault]]
//! at = "2.5s"
//! kind = "pause"             # hold every message to and from the node
//! node = "n5"
//! duration = "300ms"         # lift: resume the same node
//!
//! [[fault]]
//! at = "5s"
//! kind = "heal-all"          # everything off; crashed nodes restarted
//! ```
//!
//! Lifts made by `duration`: partition → heal (which lifts *every* partition), crash → restart the
//! same node(s), loss → rate 0, latency → default, slow → the node back to default, reply-loss →
//! off, clock-skew → offset 0, pause → resume the same node. `heal`, `restart`, `resume`,
//! `heal-all` and the explicit lifts (`max = "default"`, `rate = 0`) take no `duration`.
//!
//! Faults of one kind replace each other: a new partition replaces the previous partition, a new
//! loss rate, latency or reply-loss replaces the previous one; slow and clock-skew are per node.
//!
//! ### How the network faults compose
//! - A node-to-node link's max latency is the larger of the cluster-wide setting (`latency`, or the
//!   network's default) and the `slow` max of either end, and never below the network's minimum
//!   latency. Client links are never slowed, lossy or partitioned (only held when their node pauses).
//! - Link states, strongest first: partitioned both ways (an explicit partition, or a one-way
//!   partition and reply-loss covering the two directions) → held (either end paused) → one way
//!   cut (an explicit one-way partition, or reply-loss drawing a cut for this tick) → healthy.
//!   Lifting a fault brings every link to the state the remaining faults give it.
//! - `reply-loss` is emulated, because the simulator's loss is two-way: at every 1 ms tick, for
//!   each directed pair `from → to`, the nemesis draws from its own seeded stream whether the
//!   direction is cut for that tick. A cut drops the messages sent during it and those already in
//!   flight in that direction when it starts, so a reply that is in flight for `k` ticks is lost
//!   with probability about `1 − (1 − rate)^(k+1)`; keep rates low (a few percent) for light loss.
//!
//! Resolution at load time, from a stream derived from the loader's seed
//! (`seed::derive(seed, "schedule", 1)`), in time order: `node = "random"` picks any node for
//! isolate, slow and clock-skew, a node that is not crashed for crash, a crashed one for restart, a
//! running node that is not paused for pause, a paused one for resume; `halves` shuffles the nodes
//! and splits them into ⌊n/2⌋ and ⌈n/2⌉; `bridge` picks one bridge node and splits the others into
//! halves, giving the groups `[A…, bridge]` and `[bridge, B…]` — the one case where groups share a
//! node. A lift always targets the node(s) its fault resolved to.
//!
//! ## Validation
//! Unknown keys are errors (so a typo such as `rat = 0.2` is caught), as are keys the kind does not
//! use, unknown kinds and `how`s (the message lists the valid ones), wrong types, unknown node
//! names, empty or overlapping groups, a partition that leaves a single side, `from`/`to` empty or
//! sharing a node, a rate out of range, a latency of zero or above 1 h, a skew above 1 day, a
//! `duration` that is zero or negative, a negative `at`, times that do not parse, missing required
//! fields (reported on the line of the `[[fault]]` header, or of the `kind`/`how` that requires
//! them), invalid UTF-8 (on its line) and the state errors listed above (reported on the `node`
//! line, or on the `duration` line when a lift is the culprit).
//!
//! ## The JSON form
//! A concrete schedule as stored in `run.json`: `{"name": …, "steps": [{"at": "1s 500ms",
//! "fault": …, "line": 0}, …]}` (`line` may be omitted), a fault being `"heal"`, `"heal-all"`,
//! `"latency-reset"`, `"reply-loss-off"`, `{"crash": {"named": "n3"}}` (likewise `restart`,
//! `pause`, `resume`, `slow-reset`), `{"crash-set": ["n1", "n2"]}` (and `restart-set`),
//! `{"partition": {"groups": [["n1"], ["n2", "n3"]]}}` (or `{"isolate": {"named": "n1"}}`,
//! `{"one-way": {"from": […], "to": […]}}`), `{"loss": {"rate": 0.2}}`, `{"latency": {"max":
//! "300ms"}}`, `{"slow": {"node": {"named": "n4"}, "max": "800ms"}}`, `{"reply-loss": {"from": […],
//! "to": […], "rate": 0.05}}`, `{"clock-skew": {"node": {"named": "n2"}, "offset_us": -500000}}`.
//! It gets the same validator as TOML: unknown fields, wrong types and syntax errors are reported
//! on their line, broken rules on the line where the step starts.

mod aim;
pub mod builtin;
mod by_kind;
mod check;
mod duration_serde;
mod error;
mod fault;
mod generate;
mod input;
mod json;
mod kind;
mod lines;
mod resolve;
mod shape;
mod values;

pub use error::ScheduleError;
pub use generate::generate;
pub use kind::FaultKind;
pub use shape::Shape;

use serde::{Deserialize, Serialize};
use std::path::Path;
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
    /// Two nodes can exchange messages iff some group holds both. Groups are non-empty and
    /// disjoint, and unlisted nodes form one more group; a loaded schedule lists every node. A
    /// bridge is the one case of groups sharing a node: exactly two groups, sharing exactly one
    /// node, each with another node, covering the cluster.
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
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Fault {
    /// Drop messages between nodes as the spec says (replaces any earlier partition).
    Partition(PartitionSpec),
    /// Lift every partition (and only partitions).
    Heal,
    /// turmoil crash: the process is gone and its un-synced disk writes are lost.
    Crash(NodeSel),
    /// Several nodes crashed at the same instant (the way un-synced writes of a majority are lost).
    CrashSet(Vec<String>),
    /// turmoil bounce of a crashed node.
    Restart(NodeSel),
    /// Several crashed nodes restarted at the same instant.
    RestartSet(Vec<String>),
    /// Message loss rate on node-to-node links, in [0, 1]; 0 turns loss off.
    Loss {
        /// Probability that one message is dropped.
        rate: f64,
    },
    /// Maximum one-way latency on node-to-node links (positive, at most 1 h).
    Latency {
        /// The new maximum.
        #[serde(with = "duration_serde")]
        max: Duration,
    },
    /// Back to the network's default latency.
    LatencyReset,
    /// One slow node: the max latency of its node-to-node links (positive, at most 1 h).
    Slow {
        /// The slow node.
        node: NodeSel,
        /// The max one-way latency of its links (composed with `Latency` by taking the larger).
        #[serde(with = "duration_serde")]
        max: Duration,
    },
    /// The node's links back to the cluster-wide latency.
    SlowReset(NodeSel),
    /// One node's disk is slow: every synced write (fsync) it makes takes `delay` (positive, at
    /// most 1 h), so its acknowledgements of writes and repairs come late; reads are unaffected.
    SlowDisk {
        /// The node.
        node: NodeSel,
        /// How long one fsync takes.
        #[serde(with = "duration_serde")]
        delay: Duration,
    },
    /// The node's disk fast again.
    SlowDiskReset(NodeSel),
    /// One-way loss: each tick, each direction `from → to` is cut with probability `rate`.
    ReplyLoss {
        /// Senders whose messages are lost.
        from: Vec<String>,
        /// Receivers that miss them.
        to: Vec<String>,
        /// Probability per tick and direction, in (0, 1].
        rate: f64,
    },
    /// Reply loss off.
    ReplyLossOff,
    /// Set a node's clock offset (0 resets it).
    ClockSkew {
        /// The node whose clock moves.
        node: NodeSel,
        /// Offset added to the node's clock, in microseconds (negative = behind), at most a day.
        offset_us: i64,
    },
    /// Hold all messages to and from the node (SIGSTOP-like).
    Pause(NodeSel),
    /// Release the node's held messages.
    Resume(NodeSel),
    /// Everything off: partitions, loss, latency, slowness, reply loss, skew, pauses; crashed
    /// nodes restarted.
    HealAll,
}

/// A fault at a simulated time (measured from the start of the run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// When the nemesis applies the fault.
    #[serde(with = "duration_serde")]
    pub at: Duration,
    /// What it applies.
    pub fault: Fault,
    /// The line of the TOML file this step comes from (its `[[fault]]` header, or the
    /// `duration` line for a lift); 0 when generated or built in code (and when JSON omits it).
    #[serde(default)]
    pub line: usize,
}

/// A named list of steps, sorted by `at` (stable).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// The schedule's name (the file's `name`, its stem, or `generated-<kinds>`).
    pub name: String,
    /// The steps in the order the nemesis applies them.
    pub steps: Vec<Step>,
}

/// Reads and validates the schedule at `path` for a cluster of `nodes`: `builtin:NAME` is a
/// built-in schedule ([`builtin`]), a `.json` file a concrete schedule as stored in `run.json`,
/// anything else TOML whose `random` choices are drawn
/// from `seed`. Errors name the path as given.
pub fn load(path: &Path, nodes: &[String], seed: u64) -> Result<Schedule, ScheduleError> {
    let file = crate::sim::show::path(path);
    if let Some(name) = builtin::named(&file) {
        let Some(text) = builtin::source(name) else {
            return Err(ScheduleError::Read {
                path: file.clone(),
                message: format!(
                    "no built-in schedule of that name (built in: {})",
                    builtin::names().collect::<Vec<_>>().join(", ")
                ),
            });
        };
        return Schedule::from_toml_str(&file, text, nodes, seed);
    }
    let bytes = std::fs::read(path).map_err(|e| ScheduleError::Read {
        path: file.clone(),
        message: e.to_string(),
    })?;
    let text = lines::utf8(&bytes).map_err(|(line, message)| ScheduleError::Invalid {
        file: file.clone(),
        line,
        message,
    })?;
    if path.extension().is_some_and(|e| e == "json") {
        Schedule::from_json_str(&file, text, nodes)
    } else {
        let name = default_name(&path.to_string_lossy());
        Schedule::from_toml_named(&file, &name, text, nodes, seed)
    }
}

impl Schedule {
    /// Parses, resolves and validates TOML schedule `text`. `file` names the text in error
    /// messages, and its stem is the schedule's name when the text has no `name`.
    pub fn from_toml_str(
        file: &str,
        text: &str,
        nodes: &[String],
        seed: u64,
    ) -> Result<Schedule, ScheduleError> {
        Schedule::from_toml_named(file, &default_name(file), text, nodes, seed)
    }

    /// [`Schedule::from_toml_str`] with the name used when the text has none.
    fn from_toml_named(
        file: &str,
        default: &str,
        text: &str,
        nodes: &[String],
        seed: u64,
    ) -> Result<Schedule, ScheduleError> {
        let doc = input::parse(file, text)?;
        let name = doc.name.clone().unwrap_or_else(|| default.to_string());
        let steps = resolve::resolve(&doc, nodes, seed)?;
        Ok(Schedule { name, steps })
    }

    /// Parses and validates a concrete JSON schedule (the form stored in `run.json`).
    pub fn from_json_str(
        file: &str,
        text: &str,
        nodes: &[String],
    ) -> Result<Schedule, ScheduleError> {
        json::parse(file, text, nodes)
    }

    /// Checks a concrete schedule against a cluster of `nodes` (the rules in the module doc). The
    /// first broken rule is reported with the step's index and description.
    pub fn validate(&self, nodes: &[String]) -> Result<(), ScheduleError> {
        check::validate(self, nodes).map_err(|(step, problem)| {
            let description = match step.checked_sub(1).and_then(|i| self.steps.get(i)) {
                Some(s) => lines::cut(&s.describe(), 80),
                None => "name".to_string(),
            };
            ScheduleError::InvalidStep {
                schedule: lines::label(&self.name),
                step,
                description,
                message: problem.to_string(),
            }
        })
    }

    /// The time of the last step (zero when there is none).
    pub fn end(&self) -> Duration {
        self.steps.last().map_or(Duration::ZERO, |s| s.at)
    }
}

/// The stem of `file` (`schedules/mixed.toml` → `mixed`), or `schedule` when it has none.
/// The name of a schedule whose text has none: its file's stem, made a valid name whatever the
/// file is called (control characters become `_`, at most 100 characters), else `schedule`.
fn default_name(file: &str) -> String {
    let stem = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    let name: String = stem
        .chars()
        .take(100)
        .map(|c| if c.is_control() { '_' } else { c })
        .collect();
    if name.trim().is_empty() {
        "schedule".to_string()
    } else {
        name
    }
}

#[cfg(test)]
mod tests;
