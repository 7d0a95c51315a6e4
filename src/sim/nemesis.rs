//! The nemesis: applies a fault schedule to the running cluster and records every fault applied
//! or lifted in the history as a `nemesis` `info` event.
//!
//! Contract: steps are applied in schedule order at the first simulation step whose time is at or
//! past their `at`; partitions and pauses go through the [`NetModel`], so overlapping faults never
//! undo each other; message loss and latency touch only node-to-node links (clients always reach
//! their coordinator unless it is paused or crashed); `heal_all` returns the cluster to a healthy
//! state — every partition, pause, loss, extra latency and clock offset lifted, every crashed
//! node restarted. A step that does not apply (restarting a node that is up) is recorded with a
//! note and otherwise skipped.

use super::cluster::Cluster;
use super::netmodel::{LinkAction, NetModel};
use super::recorder::Recorder;
use super::schedule::{Fault, PartitionSpec, Schedule};
use std::collections::BTreeSet;
use std::time::Duration;

/// Applies one schedule.
pub struct Nemesis {
    schedule: Schedule,
    next: usize,
    net: NetModel,
    crashed: BTreeSet<String>,
    lossy: bool,
    default_max_latency: Duration,
}

impl Nemesis {
    /// A nemesis for `schedule` over the cluster's nodes and the client hosts.
    pub fn new(
        schedule: Schedule,
        nodes: &[String],
        clients: &[String],
        default_max_latency: Duration,
    ) -> Self {
        Nemesis {
            schedule,
            next: 0,
            net: NetModel::new(nodes, clients),
            crashed: BTreeSet::new(),
            lossy: false,
            default_max_latency,
        }
    }

    /// Apply every step that is due at the cluster's current time.
    pub fn tick(&mut self, cluster: &mut Cluster, recorder: &mut Recorder) {
        let now = cluster.elapsed();
        while let Some(step) = self.schedule.steps.get(self.next) {
            if step.at > now {
                break;
            }
            let fault = step.fault.clone();
            self.next += 1;
            self.apply(&fault, cluster, recorder);
        }
        if self.lossy && self.net.has_one_way() {
            // Random loss heals a link in both directions; keep one-way partitions in force.
            let actions = self.net.reassert_one_way();
            apply_links(cluster, &actions);
        }
    }

    /// Steps not applied yet.
    pub fn remaining(&self) -> usize {
        self.schedule.steps.len() - self.next
    }

    /// Apply one fault now and record it.
    pub fn apply(&mut self, fault: &Fault, cluster: &mut Cluster, recorder: &mut Recorder) {
        let time = cluster.elapsed().as_nanos() as u64;
        let mut text = fault.describe();
        match fault {
            Fault::Partition(spec) => {
                match spec {
                    PartitionSpec::Groups(groups) => self.net.partition_groups(groups),
                    PartitionSpec::Isolate(n) => match n.name() {
                        Some(n) => self.net.partition_groups(&[vec![n.to_string()]]),
                        None => text.push_str(" (skipped: unresolved node)"),
                    },
                    PartitionSpec::OneWay { from, to } => {
                        self.net.heal();
                        self.net.block(from, to);
                    }
                    PartitionSpec::Halves | PartitionSpec::Bridge => text
                        .push_str(" (skipped: unresolved partition; load schedules with a seed)"),
                }
                self.sync_links(cluster);
            }
            Fault::Heal => {
                self.net.heal();
                self.sync_links(cluster);
            }
            Fault::Crash(n) => match n.name() {
                Some(n) if !self.crashed.contains(n) => {
                    cluster.sim.crash(n);
                    cluster.down.insert(n.to_string());
                    self.crashed.insert(n.to_string());
                }
                _ => text.push_str(" (skipped: not a running node)"),
            },
            Fault::Restart(n) => match n.name() {
                Some(n) if self.crashed.contains(n) => self.restart(cluster, n),
                _ => text.push_str(" (skipped: not a crashed node)"),
            },
            Fault::Loss { rate } => {
                self.lossy = *rate > 0.0;
                for (a, b) in node_pairs(cluster) {
                    cluster
                        .sim
                        .set_link_fail_rate(a.as_str(), b.as_str(), *rate);
                }
            }
            Fault::Latency { max } => self.set_latency(cluster, *max),
            Fault::LatencyReset => self.set_latency(cluster, self.default_max_latency),
            Fault::ClockSkew { node, offset_us } => match node.name() {
                Some(n) => cluster.clocks.set(n, *offset_us),
                None => text.push_str(" (skipped: unresolved node)"),
            },
            Fault::Pause(n) | Fault::Resume(n) => match n.name() {
                Some(name) => {
                    self.net.set_paused(name, matches!(fault, Fault::Pause(_)));
                    self.sync_links(cluster);
                }
                None => text.push_str(" (skipped: unresolved node)"),
            },
            Fault::HealAll => self.heal_all_now(cluster),
        }
        recorder.nemesis(time, fault.kind_name(), &text);
    }

    /// Lift every fault (the heal phase), recording it as a `heal-all` event.
    pub fn heal_all(&mut self, cluster: &mut Cluster, recorder: &mut Recorder) {
        self.apply(&Fault::HealAll, cluster, recorder);
    }

    fn heal_all_now(&mut self, cluster: &mut Cluster) {
        self.net.heal();
        self.net.resume_all();
        self.sync_links(cluster);
        if self.lossy {
            for (a, b) in node_pairs(cluster) {
                cluster.sim.set_link_fail_rate(a.as_str(), b.as_str(), 0.0);
            }
            self.lossy = false;
        }
        self.set_latency(cluster, self.default_max_latency);
        cluster.clocks.reset();
        let crashed: Vec<String> = self.crashed.iter().cloned().collect();
        for n in crashed {
            self.restart(cluster, &n);
        }
    }

    fn restart(&mut self, cluster: &mut Cluster, node: &str) {
        cluster.sim.bounce(node);
        cluster.down.remove(node);
        self.crashed.remove(node);
    }

    fn set_latency(&mut self, cluster: &mut Cluster, max: Duration) {
        for (a, b) in node_pairs(cluster) {
            cluster
                .sim
                .set_link_max_message_latency(a.as_str(), b.as_str(), max);
        }
    }

    fn sync_links(&mut self, cluster: &mut Cluster) {
        let actions = self.net.sync();
        apply_links(cluster, &actions);
    }
}

fn node_pairs(cluster: &Cluster) -> Vec<(String, String)> {
    let nodes = &cluster.config.nodes;
    let mut out = Vec::new();
    for (i, a) in nodes.iter().enumerate() {
        for b in nodes.iter().skip(i + 1) {
            out.push((a.clone(), b.clone()));
        }
    }
    out
}

fn apply_links(cluster: &mut Cluster, actions: &[LinkAction]) {
    let sim = &cluster.sim;
    for action in actions {
        match action {
            LinkAction::Repair(a, b) => sim.repair(a.as_str(), b.as_str()),
            LinkAction::Release(a, b) => sim.release(a.as_str(), b.as_str()),
            LinkAction::Partition(a, b) => sim.partition(a.as_str(), b.as_str()),
            LinkAction::PartitionOneWay(a, b) => sim.partition_oneway(a.as_str(), b.as_str()),
            LinkAction::Hold(a, b) => sim.hold(a.as_str(), b.as_str()),
        }
    }
}
