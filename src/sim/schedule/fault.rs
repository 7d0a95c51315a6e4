//! What a fault means to a person and what undoes it: the one-line text the nemesis records in
//! the history ("partition n1 n2 | n3 n4 n5", "crash n3", "crash n1 n2 n4", "loss 20%",
//! "latency ≤ 300ms", "slow n4 ≤ 800ms", "reply-loss 20% n2 n3 -> n1", "clock-skew n2 -500ms"),
//! and the lift a `duration` schedules.

use super::{Fault, NodeSel, PartitionSpec, Schedule, Step};
use std::fmt;
use std::time::Duration;

impl NodeSel {
    /// The node's name, or `random`.
    pub fn describe(&self) -> &str {
        match self {
            NodeSel::Named(n) => n,
            NodeSel::Random => "random",
        }
    }

    /// The node's name when it is concrete.
    pub fn name(&self) -> Option<&str> {
        match self {
            NodeSel::Named(n) => Some(n),
            NodeSel::Random => None,
        }
    }
}

impl PartitionSpec {
    /// "n1 n2 | n3 n4 n5", "isolate n3", "one-way n1 -> n2 n3", "halves", "bridge".
    pub fn describe(&self) -> String {
        match self {
            PartitionSpec::Groups(groups) => groups
                .iter()
                .map(|g| g.join(" "))
                .collect::<Vec<_>>()
                .join(" | "),
            PartitionSpec::Halves => "halves".to_string(),
            PartitionSpec::Isolate(n) => format!("isolate {}", n.describe()),
            PartitionSpec::OneWay { from, to } => {
                format!("one-way {} -> {}", from.join(" "), to.join(" "))
            }
            PartitionSpec::Bridge => "bridge".to_string(),
        }
    }
}

impl Fault {
    /// The human text the nemesis records in the history.
    pub fn describe(&self) -> String {
        match self {
            Fault::Partition(spec) => format!("partition {}", spec.describe()),
            Fault::Heal => "heal".to_string(),
            Fault::Crash(n) => format!("crash {}", n.describe()),
            Fault::CrashSet(nodes) => format!("crash {}", nodes.join(" ")),
            Fault::Restart(n) => format!("restart {}", n.describe()),
            Fault::RestartSet(nodes) => format!("restart {}", nodes.join(" ")),
            Fault::Loss { rate } => format!("loss {}%", trim_decimal(rate * 100.0)),
            Fault::Latency { max } => format!("latency ≤ {}", human(*max)),
            Fault::LatencyReset => "latency default".to_string(),
            Fault::Slow { node, max } => format!("slow {} ≤ {}", node.describe(), human(*max)),
            Fault::SlowReset(n) => format!("slow {} default", n.describe()),
            Fault::SlowDisk { node, delay } => {
                format!("slow-disk {} fsync {}", node.describe(), human(*delay))
            }
            Fault::SlowDiskReset(n) => format!("slow-disk {} default", n.describe()),
            Fault::ReplyLoss { from, to, rate } => format!(
                "reply-loss {}% {} -> {}",
                trim_decimal(rate * 100.0),
                from.join(" "),
                to.join(" ")
            ),
            Fault::ReplyLossOff => "reply-loss off".to_string(),
            Fault::ClockSkew { node, offset_us } => {
                format!("clock-skew {} {}", node.describe(), signed_us(*offset_us))
            }
            Fault::Pause(n) => format!("pause {}", n.describe()),
            Fault::Resume(n) => format!("resume {}", n.describe()),
            Fault::HealAll => "heal-all".to_string(),
        }
    }

    /// The step that undoes this fault (what `duration` schedules): partition → heal, crash →
    /// restart the same node(s), loss → rate 0, latency → default, slow → the node back to
    /// default, reply-loss → off, clock-skew → offset 0, pause → resume the same node. `None` for
    /// the steps that only lift (restart, resume, heal, heal-all and the resets).
    pub fn lift(&self) -> Option<Fault> {
        Some(match self {
            Fault::Partition(_) => Fault::Heal,
            Fault::Crash(n) => Fault::Restart(n.clone()),
            Fault::CrashSet(nodes) => Fault::RestartSet(nodes.clone()),
            Fault::Loss { .. } => Fault::Loss { rate: 0.0 },
            Fault::Latency { .. } => Fault::LatencyReset,
            Fault::Slow { node, .. } => Fault::SlowReset(node.clone()),
            Fault::SlowDisk { node, .. } => Fault::SlowDiskReset(node.clone()),
            Fault::ReplyLoss { .. } => Fault::ReplyLossOff,
            Fault::ClockSkew { node, .. } => Fault::ClockSkew {
                node: node.clone(),
                offset_us: 0,
            },
            Fault::Pause(n) => Fault::Resume(n.clone()),
            Fault::Heal
            | Fault::Restart(_)
            | Fault::RestartSet(_)
            | Fault::LatencyReset
            | Fault::SlowReset(_)
            | Fault::SlowDiskReset(_)
            | Fault::ReplyLossOff
            | Fault::Resume(_)
            | Fault::HealAll => return None,
        })
    }

    /// Whether this step only takes faults away: the steps without a lift, a loss rate of 0 and
    /// a clock offset of 0.
    pub fn is_lift(&self) -> bool {
        match self {
            Fault::Loss { rate } => *rate == 0.0,
            Fault::ClockSkew { offset_us, .. } => *offset_us == 0,
            other => other.lift().is_none(),
        }
    }

    /// The history event's `f`: the fault's kind as written in a schedule file.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Fault::Partition(_) => "partition",
            Fault::Heal => "heal",
            Fault::Crash(_) | Fault::CrashSet(_) => "crash",
            Fault::Restart(_) | Fault::RestartSet(_) => "restart",
            Fault::Loss { .. } => "loss",
            Fault::Latency { .. } | Fault::LatencyReset => "latency",
            Fault::Slow { .. } | Fault::SlowReset(_) => "slow",
            Fault::SlowDisk { .. } | Fault::SlowDiskReset(_) => "slow-disk",
            Fault::ReplyLoss { .. } | Fault::ReplyLossOff => "reply-loss",
            Fault::ClockSkew { .. } => "clock-skew",
            Fault::Pause(_) => "pause",
            Fault::Resume(_) => "resume",
            Fault::HealAll => "heal-all",
        }
    }

    /// Every node the fault names, in the order it names them (`random` left out).
    pub fn nodes(&self) -> Vec<&str> {
        match self {
            Fault::Partition(PartitionSpec::Groups(groups)) => {
                groups.iter().flatten().map(String::as_str).collect()
            }
            Fault::Partition(PartitionSpec::OneWay { from, to })
            | Fault::ReplyLoss { from, to, .. } => {
                from.iter().chain(to).map(String::as_str).collect()
            }
            Fault::CrashSet(nodes) | Fault::RestartSet(nodes) => {
                nodes.iter().map(String::as_str).collect()
            }
            Fault::Partition(PartitionSpec::Isolate(n))
            | Fault::Crash(n)
            | Fault::Restart(n)
            | Fault::Pause(n)
            | Fault::Resume(n)
            | Fault::Slow { node: n, .. }
            | Fault::SlowReset(n)
            | Fault::SlowDisk { node: n, .. }
            | Fault::SlowDiskReset(n)
            | Fault::ClockSkew { node: n, .. } => n.name().into_iter().collect(),
            _ => Vec::new(),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Step {
    /// "1.5s crash n3".
    pub fn describe(&self) -> String {
        format!("{} {}", human(self.at), self.fault.describe())
    }
}

impl Schedule {
    /// The text the nemesis records for `step` (its fault's description).
    pub fn describe(step: &Step) -> String {
        step.fault.describe()
    }
}

impl Schedule {
    /// Every node a step names (to check a schedule against a cluster).
    pub fn named_nodes(&self) -> std::collections::BTreeSet<String> {
        self.steps
            .iter()
            .flat_map(|s| s.fault.nodes())
            .map(str::to_string)
            .collect()
    }
}

impl fmt::Display for Schedule {
    /// The name, then one line per step.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "schedule {}", self.name)?;
        for step in &self.steps {
            write!(f, "\n  {}", step.describe())?;
        }
        Ok(())
    }
}

/// A duration as a person writes it: "2s", "1.5s", "300ms", "250us"; sub-microsecond remainders
/// fall back to humantime's "1s 5ns".
pub fn human(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns == 0 {
        "0s".to_string()
    } else if ns % 1_000_000 != 0 {
        if ns % 1_000 == 0 && ns < 1_000_000_000 {
            format!("{}us", ns / 1_000)
        } else {
            humantime::format_duration(d).to_string()
        }
    } else if ns < 1_000_000_000 {
        format!("{}ms", ns / 1_000_000)
    } else {
        format!("{}s", trim_decimal(d.as_secs_f64()))
    }
}

/// "-500ms", "+2s", "0s".
fn signed_us(offset_us: i64) -> String {
    let magnitude = human(Duration::from_micros(offset_us.unsigned_abs()));
    match offset_us.signum() {
        -1 => format!("-{magnitude}"),
        1 => format!("+{magnitude}"),
        _ => magnitude,
    }
}

/// A number with at most three decimals and no trailing zeros: 20, 12.5, 0.333.
fn trim_decimal(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> NodeSel {
        NodeSel::Named(s.to_string())
    }

    #[test]
    fn descriptions_read_like_the_history_examples() {
        let groups = vec![
            vec!["n1".into(), "n2".into()],
            vec!["n3".into(), "n4".into()],
        ];
        let cases = [
            (
                Fault::Partition(PartitionSpec::Groups(groups)),
                "partition n1 n2 | n3 n4",
            ),
            (
                Fault::Partition(PartitionSpec::Isolate(n("n3"))),
                "partition isolate n3",
            ),
            (Fault::Crash(n("n3")), "crash n3"),
            (Fault::Loss { rate: 0.2 }, "loss 20%"),
            (Fault::Loss { rate: 0.125 }, "loss 12.5%"),
            (
                Fault::Latency {
                    max: Duration::from_millis(300),
                },
                "latency ≤ 300ms",
            ),
            (
                Fault::ClockSkew {
                    node: n("n2"),
                    offset_us: -500_000,
                },
                "clock-skew n2 -500ms",
            ),
            (
                Fault::ClockSkew {
                    node: n("n2"),
                    offset_us: 1_500_000,
                },
                "clock-skew n2 +1.5s",
            ),
            (
                Fault::ClockSkew {
                    node: n("n2"),
                    offset_us: 0,
                },
                "clock-skew n2 0s",
            ),
            (Fault::Pause(NodeSel::Random), "pause random"),
            (
                Fault::CrashSet(vec!["n1".into(), "n2".into(), "n4".into()]),
                "crash n1 n2 n4",
            ),
            (
                Fault::Slow {
                    node: n("n4"),
                    max: Duration::from_millis(800),
                },
                "slow n4 ≤ 800ms",
            ),
            (Fault::SlowReset(n("n4")), "slow n4 default"),
            (
                Fault::ReplyLoss {
                    from: vec!["n2".into(), "n3".into()],
                    to: vec!["n1".into()],
                    rate: 0.2,
                },
                "reply-loss 20% n2 n3 -> n1",
            ),
            (Fault::ReplyLossOff, "reply-loss off"),
            (Fault::HealAll, "heal-all"),
        ];
        for (fault, text) in cases {
            assert_eq!(fault.describe(), text);
            assert_eq!(fault.to_string(), text);
        }
    }

    #[test]
    fn every_fault_with_a_duration_has_a_lift_that_targets_the_same_node() {
        assert_eq!(Fault::Crash(n("n2")).lift(), Some(Fault::Restart(n("n2"))));
        assert_eq!(Fault::Pause(n("n4")).lift(), Some(Fault::Resume(n("n4"))));
        let skew = Fault::ClockSkew {
            node: n("n1"),
            offset_us: 7,
        };
        assert_eq!(
            skew.lift(),
            Some(Fault::ClockSkew {
                node: n("n1"),
                offset_us: 0
            })
        );
        assert_eq!(
            Fault::Loss { rate: 0.3 }.lift(),
            Some(Fault::Loss { rate: 0.0 })
        );
        assert_eq!(
            Fault::Partition(PartitionSpec::Halves).lift(),
            Some(Fault::Heal)
        );
        assert_eq!(Fault::Heal.lift(), None);
        assert_eq!(Fault::HealAll.lift(), None);
        let set = vec!["n1".to_string(), "n3".to_string()];
        assert_eq!(
            Fault::CrashSet(set.clone()).lift(),
            Some(Fault::RestartSet(set))
        );
        let slow = Fault::Slow {
            node: n("n2"),
            max: Duration::from_secs(1),
        };
        assert_eq!(slow.lift(), Some(Fault::SlowReset(n("n2"))));
        // Every lift is a lift, and no fault that has one is.
        for fault in [Fault::Crash(n("n1")), slow, Fault::Loss { rate: 0.5 }] {
            assert!(
                !fault.is_lift() && fault.lift().unwrap().is_lift(),
                "{fault:?}"
            );
        }
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(Duration::from_millis(1500)), "1.5s");
        assert_eq!(human(Duration::from_secs(2)), "2s");
        assert_eq!(human(Duration::from_millis(250)), "250ms");
        assert_eq!(human(Duration::from_micros(250)), "250us");
        assert_eq!(human(Duration::ZERO), "0s");
        assert_eq!(human(Duration::new(1, 5)), "1s 5ns");
    }
}
