//! Taking one node out of a run: out of the cluster, out of the clients' coordinators, and out
//! of every fault step that names it.
//!
//! Guarantees of [`without_node`]: the cluster loses exactly that node (the others keep their
//! names and order); steps that act on that node alone (crash, restart, pause, resume, slow,
//! slow-disk, clock-skew, isolate) are dropped; partition groups, one-way and reply-loss sides
//! and crash sets lose the node, and a step left with an empty side, one group, or an empty set
//! is dropped. Nothing else changes — replication factor and consistency levels included — so
//! the caller validates the result ([`RunConfig::validate`]) and skips it when, for example, the
//! replication factor no longer fits.

use crate::sim::config::RunConfig;
use crate::sim::schedule::{Fault, NodeSel, PartitionSpec, Schedule, Step};

/// `cfg` without node `name` (see the module doc); `None` when the cluster has no such node or
/// it is the last one.
pub fn without_node(cfg: &RunConfig, name: &str) -> Option<RunConfig> {
    let nodes = &cfg.store.nodes;
    if nodes.len() < 2 || !nodes.iter().any(|n| n == name) {
        return None;
    }
    let mut out = cfg.clone();
    out.store.nodes.retain(|n| n != name);
    let left = out.store.nodes.len();
    if out.workload.coordinators > left {
        out.workload.coordinators = left;
    }
    out.faults.schedule = schedule_without(&cfg.faults.schedule, name);
    Some(out)
}

/// `schedule` with `name` taken out of every step (steps left meaningless dropped).
pub fn schedule_without(schedule: &Schedule, name: &str) -> Schedule {
    Schedule {
        name: schedule.name.clone(),
        steps: schedule
            .steps
            .iter()
            .filter_map(|s| {
                fault_without(&s.fault, name).map(|fault| Step {
                    at: s.at,
                    fault,
                    line: s.line,
                })
            })
            .collect(),
    }
}

fn is(sel: &NodeSel, name: &str) -> bool {
    sel.name() == Some(name)
}

fn minus(list: &[String], name: &str) -> Vec<String> {
    list.iter().filter(|n| *n != name).cloned().collect()
}

/// The fault without `name`, or `None` when nothing meaningful is left.
fn fault_without(fault: &Fault, name: &str) -> Option<Fault> {
    let kept = match fault {
        Fault::Crash(n)
        | Fault::Restart(n)
        | Fault::Pause(n)
        | Fault::Resume(n)
        | Fault::SlowReset(n)
        | Fault::SlowDiskReset(n)
        | Fault::Slow { node: n, .. }
        | Fault::SlowDisk { node: n, .. }
        | Fault::ClockSkew { node: n, .. }
        | Fault::Partition(PartitionSpec::Isolate(n))
            if is(n, name) =>
        {
            return None
        }
        Fault::CrashSet(set) | Fault::RestartSet(set) => {
            let set = minus(set, name);
            if set.is_empty() {
                return None;
            }
            if matches!(fault, Fault::CrashSet(_)) {
                Fault::CrashSet(set)
            } else {
                Fault::RestartSet(set)
            }
        }
        Fault::Partition(PartitionSpec::Groups(groups)) => {
            let groups: Vec<Vec<String>> = groups
                .iter()
                .map(|g| minus(g, name))
                .filter(|g| !g.is_empty())
                .collect();
            if groups.len() < 2 {
                return None;
            }
            Fault::Partition(PartitionSpec::Groups(groups))
        }
        Fault::Partition(PartitionSpec::OneWay { from, to }) => {
            let (from, to) = (minus(from, name), minus(to, name));
            if from.is_empty() || to.is_empty() {
                return None;
            }
            Fault::Partition(PartitionSpec::OneWay { from, to })
        }
        Fault::ReplyLoss { from, to, rate } => {
            let (from, to) = (minus(from, name), minus(to, name));
            if from.is_empty() || to.is_empty() {
                return None;
            }
            Fault::ReplyLoss {
                from,
                to,
                rate: *rate,
            }
        }
        other => other.clone(),
    };
    Some(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn step(ms: u64, fault: Fault) -> Step {
        Step {
            at: Duration::from_millis(ms),
            fault,
            line: 0,
        }
    }

    #[test]
    fn a_node_leaves_the_cluster_and_every_step_that_names_it() {
        let mut cfg = RunConfig::new(1);
        cfg.workload.coordinators = 5;
        let n5 = NodeSel::Named("n5".into());
        cfg.faults.schedule = Schedule {
            name: "x".into(),
            steps: vec![
                step(
                    10,
                    Fault::Partition(PartitionSpec::Groups(vec![
                        s(&["n1", "n2"]),
                        s(&["n3", "n4", "n5"]),
                    ])),
                ),
                step(20, Fault::Crash(n5.clone())),
                step(30, Fault::Heal),
                step(40, Fault::Restart(n5)),
                step(50, Fault::CrashSet(s(&["n1", "n5"]))),
                step(60, Fault::RestartSet(s(&["n1", "n5"]))),
                step(
                    70,
                    Fault::ReplyLoss {
                        from: s(&["n5"]),
                        to: s(&["n1"]),
                        rate: 0.1,
                    },
                ),
                step(
                    80,
                    Fault::Partition(PartitionSpec::Groups(vec![
                        s(&["n5"]),
                        s(&["n1", "n2", "n3", "n4"]),
                    ])),
                ),
            ],
        };
        cfg.validate().unwrap();
        let out = without_node(&cfg, "n5").unwrap();
        out.validate().unwrap();
        assert_eq!(out.store.nodes, s(&["n1", "n2", "n3", "n4"]));
        assert_eq!(out.workload.coordinators, 4);
        let text: Vec<String> = out
            .faults
            .schedule
            .steps
            .iter()
            .map(|s| s.describe())
            .collect();
        assert_eq!(
            text,
            vec![
                "10ms partition n1 n2 | n3 n4",
                "30ms heal",
                "50ms crash n1",
                "60ms restart n1"
            ]
        );
    }

    #[test]
    fn no_such_node_or_the_last_node_gives_nothing() {
        let cfg = RunConfig::new(1);
        assert!(without_node(&cfg, "n9").is_none());
        let mut one = RunConfig::new(1);
        one.store.nodes = s(&["n1"]);
        one.store.rf = 1;
        assert!(without_node(&one, "n1").is_none());
    }

    #[test]
    fn removing_below_the_replication_factor_is_caught_by_validation() {
        let mut cfg = RunConfig::new(1);
        cfg.store.nodes = s(&["n1", "n2", "n3"]);
        cfg.store.rf = 3;
        cfg.validate().unwrap();
        assert!(without_node(&cfg, "n3").unwrap().validate().is_err());
    }
}
