//! The fault kinds a generated schedule draws from (the swarm-testing dimensions), their CLI
//! names, and which kind each concrete fault belongs to (so a schedule's name can list exactly the
//! kinds that have a step).

use super::lines::echo;
use super::{Fault, ScheduleError, Step};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// One dimension of the swarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Partitions of every shape (halves, isolate, one-way, bridge, and aimed at replica sets).
    Partition,
    /// Crash and restart of one node at a time (crashed + paused never above a minority).
    Crash,
    /// A majority of a replica set or of the cluster (sometimes every node) crashed at once.
    CrashMajority,
    /// Message loss.
    Loss,
    /// Extra latency on every node-to-node link.
    Latency,
    /// One slow node at a time.
    Slow,
    /// One node with a slow disk (slow fsync) at a time.
    SlowDisk,
    /// One-way loss (replies from replicas to a coordinator, or from one node to all others).
    ReplyLoss,
    /// Clock offset of one node at a time.
    ClockSkew,
    /// Pause and resume of one node at a time.
    Pause,
}

impl FaultKind {
    /// Every kind, in the canonical order used for names and random draws.
    pub const ALL: [FaultKind; 10] = [
        FaultKind::Partition,
        FaultKind::Crash,
        FaultKind::CrashMajority,
        FaultKind::Loss,
        FaultKind::Latency,
        FaultKind::Slow,
        FaultKind::SlowDisk,
        FaultKind::ReplyLoss,
        FaultKind::ClockSkew,
        FaultKind::Pause,
    ];

    /// Every kind under which the correct store keeps all its promises: all but `clock-skew`
    /// (skew breaks last-write-wins by design).
    pub const SAFE: [FaultKind; 9] = [
        FaultKind::Partition,
        FaultKind::Crash,
        FaultKind::CrashMajority,
        FaultKind::Loss,
        FaultKind::Latency,
        FaultKind::Slow,
        FaultKind::SlowDisk,
        FaultKind::ReplyLoss,
        FaultKind::Pause,
    ];

    /// The CLI name (`partition`, `crash`, `crash-majority`, `loss`, `latency`, `slow`,
    /// `reply-loss`, `clock-skew`, `pause`).
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Partition => "partition",
            FaultKind::Crash => "crash",
            FaultKind::CrashMajority => "crash-majority",
            FaultKind::Loss => "loss",
            FaultKind::Latency => "latency",
            FaultKind::Slow => "slow",
            FaultKind::SlowDisk => "slow-disk",
            FaultKind::ReplyLoss => "reply-loss",
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

    /// The swarm kind a fault or lift belongs to (`None` for `heal-all`). Several nodes crashed
    /// at once belong to `crash-majority`.
    pub fn of(fault: &Fault) -> Option<FaultKind> {
        Some(match fault {
            Fault::Partition(_) | Fault::Heal => FaultKind::Partition,
            Fault::Crash(_) | Fault::Restart(_) => FaultKind::Crash,
            Fault::CrashSet(_) | Fault::RestartSet(_) => FaultKind::CrashMajority,
            Fault::Loss { .. } => FaultKind::Loss,
            Fault::Latency { .. } | Fault::LatencyReset => FaultKind::Latency,
            Fault::Slow { .. } | Fault::SlowReset(_) => FaultKind::Slow,
            Fault::SlowDisk { .. } | Fault::SlowDiskReset(_) => FaultKind::SlowDisk,
            Fault::ReplyLoss { .. } | Fault::ReplyLossOff => FaultKind::ReplyLoss,
            Fault::ClockSkew { .. } => FaultKind::ClockSkew,
            Fault::Pause(_) | Fault::Resume(_) => FaultKind::Pause,
            Fault::HealAll => return None,
        })
    }

    /// `generated-<kinds>`: the kinds with at least one fault (not only lifts) among `steps`,
    /// joined by `+` in canonical order, or `generated-none`.
    pub fn generated_name(steps: &[Step]) -> String {
        let mut seen = [false; FaultKind::ALL.len()];
        for step in steps.iter().filter(|s| !s.fault.is_lift()) {
            if let Some(k) = FaultKind::of(&step.fault) {
                seen[k as usize] = true;
            }
        }
        let names: Vec<&str> = FaultKind::ALL
            .iter()
            .filter(|k| seen[**k as usize])
            .map(|k| k.name())
            .collect();
        if names.is_empty() {
            "generated-none".to_string()
        } else {
            format!("generated-{}", names.join("+"))
        }
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
            .ok_or_else(|| ScheduleError::UnknownFaultKind {
                got: echo(s),
                valid: FaultKind::ALL.map(FaultKind::name).join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_their_cli_names_in_canonical_order() {
        for (i, k) in FaultKind::ALL.into_iter().enumerate() {
            assert_eq!(k.name().parse::<FaultKind>(), Ok(k));
            assert_eq!(k as usize, i, "ALL is in declaration order");
        }
        assert_eq!(
            FaultKind::parse_list("reply-loss, partition,reply-loss").unwrap(),
            [FaultKind::Partition, FaultKind::ReplyLoss]
        );
        assert_eq!(
            "crashh".parse::<FaultKind>().unwrap_err().to_string(),
            "unknown fault kind \"crashh\" (valid: partition, crash, crash-majority, loss, \
             latency, slow, slow-disk, reply-loss, clock-skew, pause)"
        );
        assert!(!FaultKind::SAFE.contains(&FaultKind::ClockSkew));
        assert_eq!(FaultKind::SAFE.len() + 1, FaultKind::ALL.len());
    }
}
