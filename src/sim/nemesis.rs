//! The nemesis: applies a fault schedule to the running cluster, records every fault applied or
//! lifted in the history as a `nemesis` `info` event, and keeps the steps it applied.
//!
//! Contract:
//! - the schedule is validated when the nemesis is made ([`Schedule::validate`]), so nothing it
//!   applies can trip the simulator (an unknown node, a rate above 1, a restart of a running node);
//! - steps are applied in schedule order at the first simulation step whose time is at or past
//!   their `at`; [`Nemesis::applied`] is exactly the prefix applied so far, as a schedule that
//!   replays the same faults;
//! - partitions, pauses and reply loss go through the [`NetModel`], so overlapping faults never
//!   undo each other (an explicit partition or a pause wins over reply loss; lifting one restores
//!   what the others ask);
//! - a node-to-node link's max latency is the larger of the cluster-wide setting (the `latency`
//!   fault or the network's default) and the `slow` max of either end, never below the network's
//!   minimum latency; a link with a slow end is consistently slow (its minimum latency is raised to
//!   half the slow max); loss, latency and slowness touch only node-to-node links (clients always
//!   reach their coordinator unless it is paused or crashed);
//! - reply loss draws, at every tick and for each of its directed pairs, whether that direction
//!   is cut during the tick, from the nemesis's own stream `seed::derive(seed, "nemesis", 0)`: the
//!   same seed and schedule give the same cuts;
//! - `heal_all` returns the cluster to a healthy state — every partition, pause, loss, reply loss,
//!   extra latency, slowness and clock offset lifted, every crashed node restarted.

use super::cluster::{Cluster, NetConfig};
use super::netmodel::{LinkAction, NetModel};
use super::recorder::Recorder;
use super::schedule::{Fault, FaultKind, PartitionSpec, Schedule, ScheduleError, Step};
use super::seed;
use crate::sut::System;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;
use std::time::Duration;

/// Applies one schedule.
pub struct Nemesis {
    schedule: Schedule,
    next: usize,
    applied: Vec<Step>,
    nodes: Vec<String>,
    net: NetModel,
    crashed: BTreeSet<String>,
    lossy: bool,
    latency: Latency,
    /// The directed node pairs reply loss may cut each tick, and the chance of a cut.
    reply_loss: Option<(Vec<(usize, usize)>, f64)>,
    rng: ChaCha8Rng,
}

/// The max latency of node-to-node links, composed from the cluster-wide setting and slow nodes.
struct Latency {
    min: Duration,
    default: Duration,
    cluster: Duration,
    slow: Vec<Option<Duration>>,
}

impl Latency {
    /// The latency range `(min, max)` of the link between nodes `a` and `b`: a slow end makes the
    /// link consistently slow (between half its slow max and that max), not only slow at times.
    fn link(&self, a: usize, b: usize) -> (Duration, Duration) {
        match self.slow[a].max(self.slow[b]) {
            Some(slow) => {
                let max = self.cluster.max(slow).max(self.min);
                ((slow / 2).max(self.min), max)
            }
            None => (self.min, self.cluster.max(self.min)),
        }
    }
}

impl Nemesis {
    /// A nemesis for `schedule` over the cluster's nodes and the client hosts, on network `net`,
    /// drawing reply-loss cuts from `seed`. Fails if the schedule does not validate.
    pub fn new(
        schedule: Schedule,
        nodes: &[String],
        clients: &[String],
        net: &NetConfig,
        seed: u64,
    ) -> Result<Self, ScheduleError> {
        schedule.validate(nodes)?;
        let default = Duration::from_millis(net.max_latency_ms);
        Ok(Nemesis {
            schedule,
            next: 0,
            applied: Vec::new(),
            nodes: nodes.to_vec(),
            net: NetModel::new(nodes, clients),
            crashed: BTreeSet::new(),
            lossy: false,
            latency: Latency {
                min: Duration::from_millis(net.min_latency_ms),
                default,
                cluster: default,
                slow: vec![None; nodes.len()],
            },
            reply_loss: None,
            rng: ChaCha8Rng::seed_from_u64(seed::derive(seed, "nemesis", 0)),
        })
    }

    /// Apply every step that is due at the cluster's current time, then draw this tick's
    /// reply-loss cuts.
    pub fn tick<S: System + ?Sized>(&mut self, cluster: &mut Cluster<S>, recorder: &mut Recorder) {
        let now = cluster.elapsed();
        while let Some(step) = self.schedule.steps.get(self.next) {
            if step.at > now {
                break;
            }
            let step = step.clone();
            self.next += 1;
            if self.apply(&step.fault, cluster, recorder) {
                self.applied.push(step);
            }
        }
        if let Some((pairs, rate)) = &self.reply_loss {
            let cuts: Vec<(usize, usize)> = pairs
                .iter()
                .copied()
                .filter(|_| self.rng.random_bool(*rate))
                .collect();
            if self.net.set_cuts(&cuts) {
                self.sync_links(cluster);
            }
        }
        if self.lossy && self.net.has_one_way() {
            // Random loss heals a link in both directions; keep one-way blocks in force.
            apply_links(cluster, &self.net.reassert_one_way());
        }
    }

    /// Steps not applied yet.
    pub fn remaining(&self) -> usize {
        self.schedule.steps.len() - self.next
    }

    /// The steps applied so far, in order, as a concrete schedule. It keeps the schedule's name,
    /// except that a generated name (`generated-…`) is recomputed to list exactly the kinds that
    /// fired. The heal phase's `heal_all` is not part of it.
    pub fn applied(&self) -> Schedule {
        let name = if self.schedule.name.starts_with("generated-") {
            FaultKind::generated_name(&self.applied)
        } else {
            self.schedule.name.clone()
        };
        Schedule {
            name,
            steps: self.applied.clone(),
        }
    }

    /// Lift every fault (the heal phase), recording it as a `heal-all` event.
    pub fn heal_all<S: System + ?Sized>(
        &mut self,
        cluster: &mut Cluster<S>,
        recorder: &mut Recorder,
    ) {
        self.apply(&Fault::HealAll, cluster, recorder);
    }

    /// Apply one fault now and record it; false when it was skipped (recorded with a note).
    fn apply<S: System + ?Sized>(
        &mut self,
        fault: &Fault,
        cluster: &mut Cluster<S>,
        recorder: &mut Recorder,
    ) -> bool {
        let time = cluster.elapsed().as_nanos() as u64;
        let mut text = fault.describe();
        let applied = self.perform(fault, cluster);
        if let Err(why) = &applied {
            text.push_str(&format!(" (skipped: {why})"));
        }
        recorder.nemesis(time, fault.kind_name(), &text);
        applied.is_ok()
    }

    fn perform<S: System + ?Sized>(
        &mut self,
        fault: &Fault,
        cluster: &mut Cluster<S>,
    ) -> Result<(), String> {
        let index = |n: &str| self.net.node(n).ok_or_else(|| format!("unknown node {n}"));
        match fault {
            Fault::Partition(spec) => {
                match spec {
                    PartitionSpec::Groups(groups) => self.net.partition_groups(groups),
                    PartitionSpec::OneWay { from, to } => {
                        self.net.heal();
                        self.net.block(from, to);
                    }
                    PartitionSpec::Isolate(n) => match n.name() {
                        Some(n) => self.net.partition_groups(&[vec![n.to_string()]]),
                        None => return Err("unresolved node".into()),
                    },
                    PartitionSpec::Halves | PartitionSpec::Bridge => {
                        return Err("unresolved partition".into())
                    }
                }
                self.sync_links(cluster);
            }
            Fault::Heal => {
                self.net.heal();
                self.sync_links(cluster);
            }
            Fault::Crash(_) | Fault::CrashSet(_) => self.crash(cluster, &fault.nodes())?,
            Fault::Restart(_) | Fault::RestartSet(_) => self.restart(cluster, &fault.nodes())?,
            Fault::Loss { rate } => {
                self.lossy = *rate > 0.0;
                for (a, b) in self.pairs() {
                    let (a, b) = (self.nodes[a].as_str(), self.nodes[b].as_str());
                    cluster.sim.set_link_fail_rate(a, b, *rate);
                }
            }
            Fault::Latency { max } => self.set_cluster_latency(cluster, *max),
            Fault::LatencyReset => self.set_cluster_latency(cluster, self.latency.default),
            Fault::Slow { node, max } => {
                let i = index(node.name().unwrap_or_default())?;
                self.latency.slow[i] = Some(*max);
                self.apply_latency(cluster, Some(i));
            }
            Fault::SlowReset(node) => {
                let i = index(node.name().unwrap_or_default())?;
                self.latency.slow[i] = None;
                self.apply_latency(cluster, Some(i));
            }
            Fault::SlowDisk { node, delay } => {
                cluster
                    .disks
                    .set(node.name().ok_or("unresolved node")?, *delay);
            }
            Fault::SlowDiskReset(node) => {
                let n = node.name().ok_or("unresolved node")?;
                cluster.disks.set(n, Duration::ZERO);
            }
            Fault::ReplyLoss { from, to, rate } => {
                let mut pairs = Vec::new();
                for a in from {
                    for b in to {
                        pairs.push((index(a)?, index(b)?));
                    }
                }
                self.reply_loss = Some((pairs, *rate));
            }
            Fault::ReplyLossOff => {
                self.reply_loss = None;
                if self.net.set_cuts(&[]) {
                    self.sync_links(cluster);
                }
            }
            Fault::ClockSkew { node, offset_us } => {
                let n = node.name().ok_or("unresolved node")?;
                cluster.clocks.set(n, *offset_us);
            }
            Fault::Pause(n) | Fault::Resume(n) => {
                let name = n.name().ok_or("unresolved node")?;
                self.net.set_paused(name, matches!(fault, Fault::Pause(_)));
                self.sync_links(cluster);
            }
            Fault::HealAll => self.heal_all_now(cluster),
        }
        Ok(())
    }

    fn heal_all_now<S: System + ?Sized>(&mut self, cluster: &mut Cluster<S>) {
        self.net.heal();
        self.net.resume_all();
        self.net.set_cuts(&[]);
        self.reply_loss = None;
        self.sync_links(cluster);
        if self.lossy {
            for (a, b) in self.pairs() {
                let (a, b) = (self.nodes[a].as_str(), self.nodes[b].as_str());
                cluster.sim.set_link_fail_rate(a, b, 0.0);
            }
            self.lossy = false;
        }
        self.latency.slow.fill(None);
        self.set_cluster_latency(cluster, self.latency.default);
        cluster.clocks.reset();
        cluster.disks.reset();
        let crashed: Vec<String> = self.crashed.iter().cloned().collect();
        for n in &crashed {
            // Cannot fail: every node in `crashed` is crashed.
            let _ = self.restart(cluster, &[n.as_str()]);
        }
    }

    /// Crash every node of `nodes`, or none if one of them is not running.
    fn crash<S: System + ?Sized>(
        &mut self,
        cluster: &mut Cluster<S>,
        nodes: &[&str],
    ) -> Result<(), String> {
        if nodes.is_empty() {
            return Err("no node named".into());
        }
        if let Some(n) = nodes
            .iter()
            .find(|n| self.crashed.contains(**n) || self.net.node(n).is_none())
        {
            return Err(format!("{n} is not a running node"));
        }
        for &n in nodes {
            cluster.sim.crash(n);
            cluster.down.insert(n.to_string());
            self.crashed.insert(n.to_string());
        }
        Ok(())
    }

    /// Restart every node of `nodes`, or none if one of them is not crashed.
    fn restart<S: System + ?Sized>(
        &mut self,
        cluster: &mut Cluster<S>,
        nodes: &[&str],
    ) -> Result<(), String> {
        if nodes.is_empty() {
            return Err("no node named".into());
        }
        if let Some(n) = nodes.iter().find(|n| !self.crashed.contains(**n)) {
            return Err(format!("{n} is not a crashed node"));
        }
        for &n in nodes {
            cluster.sim.bounce(n);
            cluster.down.remove(n);
            self.crashed.remove(n);
        }
        Ok(())
    }

    fn set_cluster_latency<S: System + ?Sized>(&mut self, cluster: &mut Cluster<S>, max: Duration) {
        self.latency.cluster = max;
        self.apply_latency(cluster, None);
    }

    /// Set the max latency of every node-to-node link (of `node` only, when given).
    fn apply_latency<S: System + ?Sized>(&self, cluster: &mut Cluster<S>, node: Option<usize>) {
        for (a, b) in self.pairs() {
            if node.is_none_or(|x| x == a || x == b) {
                let (min, max) = self.latency.link(a, b);
                let (a, b) = (self.nodes[a].as_str(), self.nodes[b].as_str());
                cluster.sim.set_link_latency(a, b, min);
                cluster.sim.set_link_max_message_latency(a, b, max);
            }
        }
    }

    /// Every pair of node indices `(a, b)` with `a < b`.
    fn pairs(&self) -> Vec<(usize, usize)> {
        let n = self.nodes.len();
        (0..n)
            .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
            .collect()
    }

    fn sync_links<S: System + ?Sized>(&mut self, cluster: &mut Cluster<S>) {
        let actions = self.net.sync();
        apply_links(cluster, &actions);
    }
}

fn apply_links<S: System + ?Sized>(cluster: &mut Cluster<S>, actions: &[LinkAction]) {
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

#[cfg(test)]
mod tests;
