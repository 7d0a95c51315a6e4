//! The one validator of concrete schedules, whatever their source (TOML after resolution, JSON,
//! code, the generator). It walks the steps in order, so it also knows which nodes are crashed
//! and paused at each step — the TOML resolver asks it that to draw `random` nodes.
//!
//! Rules: every node named and in the cluster; steps sorted by time; rates, latencies and clock
//! offsets in range; partition groups non-empty and disjoint, except a bridge (exactly two groups
//! sharing exactly one node, each with another node, covering the cluster), and splitting the
//! cluster into at least two sides; `from`/`to` non-empty, without repeats, disjoint; no crash of
//! a crashed node, restart of a running one, pause of a paused one or resume of a running one.

use super::fault::human;
use super::lines::{cut, echo};
use super::{Fault, NodeSel, PartitionSpec, Schedule, Step};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// The largest latency a fault may set (the simulator adds latencies to its clock).
pub(super) const MAX_LATENCY: Duration = Duration::from_secs(3600);
/// The largest clock offset, either way (µs): one day.
pub(super) const MAX_SKEW_US: i64 = 86_400_000_000;

/// A broken rule: the field at fault (as the TOML format names it) and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Problem {
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field `{}`: {}", self.field, self.message)
    }
}

fn problem(field: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        field,
        message: message.into(),
    }
}

/// Validates `schedule`: on failure, the 1-based index of the step at fault (0 for the name).
pub(super) fn validate(schedule: &Schedule, nodes: &[String]) -> Result<(), (usize, Problem)> {
    check_name(&schedule.name).map_err(|p| (0, p))?;
    let mut checker = Checker::new(nodes);
    for (i, step) in schedule.steps.iter().enumerate() {
        checker.step(step).map_err(|p| (i + 1, p))?;
    }
    Ok(())
}

/// A name is non-empty and printable.
pub(super) fn check_name(name: &str) -> Result<(), Problem> {
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err(problem(
            "name",
            format!("must be a non-empty line of text (got {})", echo(name)),
        ));
    }
    Ok(())
}

/// The state of the cluster after the steps seen so far.
pub(super) struct Checker<'a> {
    nodes: &'a [String],
    index: BTreeMap<&'a str, usize>,
    crashed: Vec<bool>,
    paused: Vec<bool>,
    last_at: Duration,
}

impl<'a> Checker<'a> {
    /// Before the first step: every node running.
    pub fn new(nodes: &'a [String]) -> Self {
        Checker {
            nodes,
            index: nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (n.as_str(), i))
                .collect(),
            crashed: vec![false; nodes.len()],
            paused: vec![false; nodes.len()],
            last_at: Duration::ZERO,
        }
    }

    /// Whether the node named `n` is crashed now.
    pub fn is_crashed(&self, n: &str) -> bool {
        self.index.get(n).is_some_and(|&i| self.crashed[i])
    }

    /// Whether the node named `n` is paused now.
    pub fn is_paused(&self, n: &str) -> bool {
        self.index.get(n).is_some_and(|&i| self.paused[i])
    }

    /// Checks `step` after the steps already seen, then records its effect.
    pub fn step(&mut self, step: &Step) -> Result<(), Problem> {
        if step.at < self.last_at {
            return Err(problem(
                "at",
                format!(
                    "steps must be sorted by time ({} comes after {})",
                    human(step.at),
                    human(self.last_at)
                ),
            ));
        }
        self.last_at = step.at;
        let at = human(step.at);
        match &step.fault {
            Fault::Partition(spec) => self.partition(spec)?,
            Fault::Crash(n) => {
                let i = self.sel("node", n)?;
                self.crash("node", i, &at)?;
            }
            Fault::CrashSet(names) => {
                for i in self.list("nodes", names)? {
                    self.crash("nodes", i, &at)?;
                }
            }
            Fault::Restart(n) => {
                let i = self.sel("node", n)?;
                self.restart("node", i, &at)?;
            }
            Fault::RestartSet(names) => {
                for i in self.list("nodes", names)? {
                    self.restart("nodes", i, &at)?;
                }
            }
            Fault::Loss { rate } if !(0.0..=1.0).contains(rate) => {
                return Err(problem(
                    "rate",
                    format!("must be between 0 and 1 (got {rate})"),
                ))
            }
            Fault::Latency { max } => latency(*max)?,
            Fault::Slow { node, max } => {
                self.sel("node", node)?;
                latency(*max)?;
            }
            Fault::SlowReset(node) | Fault::SlowDiskReset(node) => {
                self.sel("node", node)?;
            }
            Fault::SlowDisk { node, delay } => {
                self.sel("node", node)?;
                if delay.is_zero() || *delay > Duration::from_secs(3600) {
                    return Err(problem(
                        "delay",
                        format!("must be positive and at most 1h (got {delay:?})"),
                    ));
                }
            }
            Fault::ReplyLoss { from, to, rate } => {
                self.directions(from, to)?;
                if !(*rate > 0.0 && *rate <= 1.0) {
                    return Err(problem(
                        "rate",
                        format!("must be above 0 and at most 1 (got {rate}; turn reply loss off with its lift)"),
                    ));
                }
            }
            Fault::ClockSkew { node, offset_us } => {
                self.sel("node", node)?;
                if offset_us.unsigned_abs() > MAX_SKEW_US as u64 {
                    return Err(problem(
                        "offset",
                        format!("must be at most 1 day either way (got {offset_us} µs)"),
                    ));
                }
            }
            Fault::Pause(n) => {
                let i = self.sel("node", n)?;
                if std::mem::replace(&mut self.paused[i], true) {
                    return Err(problem(
                        "node",
                        format!("{} is already paused at {at}", self.nodes[i]),
                    ));
                }
            }
            Fault::Resume(n) => {
                let i = self.sel("node", n)?;
                if !std::mem::replace(&mut self.paused[i], false) {
                    return Err(problem(
                        "node",
                        format!(
                            "{} is not paused at {at} (a resume needs an earlier pause)",
                            self.nodes[i]
                        ),
                    ));
                }
            }
            Fault::HealAll => {
                self.crashed.fill(false);
                self.paused.fill(false);
            }
            Fault::Loss { .. } | Fault::Heal | Fault::LatencyReset | Fault::ReplyLossOff => {}
        }
        Ok(())
    }

    fn crash(&mut self, field: &'static str, i: usize, at: &str) -> Result<(), Problem> {
        if std::mem::replace(&mut self.crashed[i], true) {
            return Err(problem(
                field,
                format!("{} is already crashed at {at}", self.nodes[i]),
            ));
        }
        Ok(())
    }

    fn restart(&mut self, field: &'static str, i: usize, at: &str) -> Result<(), Problem> {
        if !std::mem::replace(&mut self.crashed[i], false) {
            return Err(problem(
                field,
                format!(
                    "{} is not crashed at {at} (a restart needs an earlier crash)",
                    self.nodes[i]
                ),
            ));
        }
        Ok(())
    }

    /// The index of a named node of the cluster.
    fn known(&self, field: &'static str, name: &str) -> Result<usize, Problem> {
        self.index.get(name).copied().ok_or_else(|| {
            problem(
                field,
                format!(
                    "unknown node {} (nodes: {})",
                    echo(name),
                    cut(&self.nodes.join(" "), 80)
                ),
            )
        })
    }

    fn sel(&self, field: &'static str, n: &NodeSel) -> Result<usize, Problem> {
        match n {
            NodeSel::Named(name) => self.known(field, name),
            NodeSel::Random => Err(problem(
                field,
                "\"random\" is not resolved (a concrete schedule names every node)",
            )),
        }
    }

    /// A non-empty list of distinct known nodes.
    fn list(&self, field: &'static str, names: &[String]) -> Result<Vec<usize>, Problem> {
        if names.is_empty() {
            return Err(problem(field, "must name at least one node"));
        }
        let mut seen = vec![false; self.nodes.len()];
        names
            .iter()
            .map(|n| {
                let i = self.known(field, n)?;
                if std::mem::replace(&mut seen[i], true) {
                    return Err(problem(field, format!("{n} is listed more than once")));
                }
                Ok(i)
            })
            .collect()
    }

    /// `from` and `to` of a one-way partition or reply loss.
    fn directions(&self, from: &[String], to: &[String]) -> Result<(), Problem> {
        let senders = self.list("from", from)?;
        let receivers = self.list("to", to)?;
        if let Some(&both) = receivers.iter().find(|i| senders.contains(i)) {
            return Err(problem(
                "to",
                format!("{} is in both `from` and `to`", self.nodes[both]),
            ));
        }
        Ok(())
    }

    fn partition(&self, spec: &PartitionSpec) -> Result<(), Problem> {
        match spec {
            PartitionSpec::Groups(groups) => self.groups(groups),
            PartitionSpec::Isolate(n) => {
                self.sel("node", n)?;
                if self.nodes.len() < 2 {
                    return Err(problem("how", "isolate needs at least 2 nodes"));
                }
                Ok(())
            }
            PartitionSpec::OneWay { from, to } => self.directions(from, to),
            PartitionSpec::Halves | PartitionSpec::Bridge => Err(problem(
                "how",
                format!(
                    "{} is not resolved (a concrete schedule lists explicit groups)",
                    spec.describe()
                ),
            )),
        }
    }

    /// Non-empty, known, disjoint groups (or a bridge) making at least two sides.
    fn groups(&self, groups: &[Vec<String>]) -> Result<(), Problem> {
        // For each node, the groups that list it.
        let mut member: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for (g, group) in groups.iter().enumerate() {
            if group.is_empty() {
                return Err(problem("groups", format!("group {} is empty", g + 1)));
            }
            for name in group {
                let i = self.known("groups", name)?;
                if member[i].last() == Some(&g) {
                    return Err(problem(
                        "groups",
                        format!("{name} is listed more than once"),
                    ));
                }
                member[i].push(g);
            }
        }
        let unlisted = member.iter().any(Vec::is_empty);
        if let Some(shared) = member.iter().position(|m| m.len() > 1) {
            let sharing = member.iter().filter(|m| m.len() > 1).count();
            let bridge = groups.len() == 2
                && sharing == 1
                && !unlisted
                && groups.iter().all(|g| g.len() >= 2);
            if !bridge {
                return Err(problem(
                    "groups",
                    format!(
                        "{} is in more than one group (only a bridge — two groups sharing one \
                         node, each with another node, covering the cluster — may share a node)",
                        self.nodes[shared]
                    ),
                ));
            }
        }
        if groups.len() + usize::from(unlisted) < 2 {
            return Err(problem(
                "groups",
                "must split the cluster into at least two sides",
            ));
        }
        Ok(())
    }
}

/// A latency a fault may set: positive, at most [`MAX_LATENCY`].
fn latency(max: Duration) -> Result<(), Problem> {
    if max.is_zero() || max > MAX_LATENCY {
        return Err(problem(
            "max",
            format!("must be positive and at most 1h (got {})", human(max)),
        ));
    }
    Ok(())
}
