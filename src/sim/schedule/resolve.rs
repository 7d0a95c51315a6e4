//! From validated entries to the concrete steps the nemesis applies: lifts added, steps sorted by
//! time (stable), `random` nodes, `halves` and `bridge` drawn from the seed in time order, and the
//! crash/pause state followed so that no step restarts a node that is not crashed, crashes one
//! that is, resumes one that is not paused or pauses one that is.

use super::fault::human;
use super::fields::{Ctx, Entry};
use super::{Fault, NodeSel, PartitionSpec, ScheduleError, Step};
use crate::sim::seed;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;
use std::time::Duration;

/// A step before resolution: an entry's fault, or its lift.
struct Item {
    at: Duration,
    entry: usize,
    is_lift: bool,
}

/// Which nodes are crashed and paused at the current point of the schedule.
#[derive(Default)]
pub(super) struct NodeState {
    pub crashed: BTreeSet<String>,
    pub paused: BTreeSet<String>,
}

impl NodeState {
    /// Records `fault`, or says why it cannot happen now.
    pub fn apply(&mut self, fault: &Fault, at: Duration) -> Result<(), String> {
        let at = human(at);
        match fault {
            Fault::Crash(NodeSel::Named(n)) if !self.crashed.insert(n.clone()) => {
                Err(format!("{n} is already crashed at {at}"))
            }
            Fault::Restart(NodeSel::Named(n)) if !self.crashed.remove(n) => Err(format!(
                "{n} is not crashed at {at} (a restart needs an earlier crash)"
            )),
            Fault::Pause(NodeSel::Named(n)) if !self.paused.insert(n.clone()) => {
                Err(format!("{n} is already paused at {at}"))
            }
            Fault::Resume(NodeSel::Named(n)) if !self.paused.remove(n) => Err(format!(
                "{n} is not paused at {at} (a resume needs an earlier pause)"
            )),
            Fault::HealAll => {
                self.crashed.clear();
                self.paused.clear();
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// The concrete, sorted steps of `entries`, drawing from `seed::derive(seed, "schedule", 1)`.
pub(super) fn resolve(
    ctx: &Ctx,
    entries: Vec<Entry>,
    seed: u64,
) -> Result<Vec<Step>, ScheduleError> {
    let mut items = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        items.push(Item {
            at: e.at,
            entry: i,
            is_lift: false,
        });
        if let Some((at, _)) = e.lift {
            items.push(Item {
                at,
                entry: i,
                is_lift: true,
            });
        }
    }
    items.sort_by_key(|it| it.at);
    let mut rng = ChaCha8Rng::seed_from_u64(seed::derive(seed, "schedule", 1));
    let mut state = NodeState::default();
    let mut resolved: Vec<Option<Fault>> = vec![None; entries.len()];
    let mut steps = Vec::with_capacity(items.len());
    for it in items {
        let e = &entries[it.entry];
        let (fault, line, blame) = if it.is_lift {
            let dline = e.lift.map_or(e.line, |(_, l)| l);
            // A lift comes strictly after its fault (durations are positive), so the fault is
            // resolved; `None` would be a bug here, reported rather than panicking.
            let lift = resolved[it.entry]
                .as_ref()
                .and_then(Fault::lift)
                .ok_or_else(|| {
                    ctx.err_line(dline, "field `duration`: this fault has nothing to lift")
                })?;
            let why = format!("the lift at {} ({})", human(it.at), lift.describe());
            (lift, dline, (dline, "duration", why))
        } else {
            let (tline, tfield) = e.target;
            let fault = concrete(&e.fault, &state, ctx.nodes, &mut rng, it.at)
                .map_err(|m| ctx.err_line(tline, format!("field `{tfield}`: {m}")))?;
            resolved[it.entry] = Some(fault.clone());
            (fault, e.line, (tline, tfield, String::new()))
        };
        if let Err(problem) = state.apply(&fault, it.at) {
            let (bline, bfield, why) = blame;
            let lead = if why.is_empty() {
                String::new()
            } else {
                format!("{why}: ")
            };
            return Err(ctx.err_line(bline, format!("field `{bfield}`: {lead}{problem}")));
        }
        steps.push(Step {
            at: it.at,
            fault,
            line,
        });
    }
    Ok(steps)
}

/// `fault` with every `random`, `halves` and `bridge` drawn from `rng`.
pub(super) fn concrete(
    fault: &Fault,
    state: &NodeState,
    nodes: &[String],
    rng: &mut ChaCha8Rng,
    at: Duration,
) -> Result<Fault, String> {
    let at = human(at);
    let any = |_: &String| true;
    Ok(match fault {
        Fault::Partition(PartitionSpec::Halves) => Fault::Partition(halves(nodes, rng)),
        Fault::Partition(PartitionSpec::Bridge) => Fault::Partition(bridge(nodes, rng)),
        Fault::Partition(PartitionSpec::Isolate(NodeSel::Random)) => {
            let n = pick(nodes, rng, any).ok_or("isolate needs at least one node")?;
            Fault::Partition(PartitionSpec::Isolate(n))
        }
        Fault::Crash(NodeSel::Random) => Fault::Crash(
            pick(nodes, rng, |n| !state.crashed.contains(n))
                .ok_or_else(|| format!("no node is left to crash at {at}"))?,
        ),
        Fault::Restart(NodeSel::Random) => Fault::Restart(
            pick(nodes, rng, |n| state.crashed.contains(n)).ok_or_else(|| {
                format!("no node is crashed at {at} (a restart needs an earlier crash)")
            })?,
        ),
        Fault::Pause(NodeSel::Random) => Fault::Pause(
            pick(nodes, rng, |n| {
                !state.paused.contains(n) && !state.crashed.contains(n)
            })
            .ok_or_else(|| format!("no running node is left to pause at {at}"))?,
        ),
        Fault::Resume(NodeSel::Random) => Fault::Resume(
            pick(nodes, rng, |n| state.paused.contains(n)).ok_or_else(|| {
                format!("no node is paused at {at} (a resume needs an earlier pause)")
            })?,
        ),
        Fault::ClockSkew {
            node: NodeSel::Random,
            offset_us,
        } => Fault::ClockSkew {
            node: pick(nodes, rng, any).ok_or("clock-skew needs at least one node")?,
            offset_us: *offset_us,
        },
        other => other.clone(),
    })
}

/// A uniformly drawn node among those `eligible` (in cluster order), if any.
fn pick(
    nodes: &[String],
    rng: &mut ChaCha8Rng,
    eligible: impl Fn(&String) -> bool,
) -> Option<NodeSel> {
    let candidates: Vec<&String> = nodes.iter().filter(|n| eligible(n)).collect();
    if candidates.is_empty() {
        return None;
    }
    let i = rng.random_range(0..candidates.len());
    Some(NodeSel::Named(candidates[i].clone()))
}

/// The nodes shuffled, then restored to cluster order within each part.
fn shuffled(nodes: &[String], rng: &mut ChaCha8Rng) -> Vec<String> {
    let mut order: Vec<String> = nodes.to_vec();
    order.shuffle(rng);
    order
}

fn in_cluster_order(nodes: &[String], part: &[String]) -> Vec<String> {
    nodes.iter().filter(|n| part.contains(n)).cloned().collect()
}

/// A random split into ⌊n/2⌋ and ⌈n/2⌉ nodes.
pub(super) fn halves(nodes: &[String], rng: &mut ChaCha8Rng) -> PartitionSpec {
    let order = shuffled(nodes, rng);
    let (a, b) = order.split_at(order.len() / 2);
    PartitionSpec::Groups(vec![in_cluster_order(nodes, a), in_cluster_order(nodes, b)])
}

/// One bridge node in both groups; the other nodes split into halves.
pub(super) fn bridge(nodes: &[String], rng: &mut ChaCha8Rng) -> PartitionSpec {
    let order = shuffled(nodes, rng);
    let Some((bridge, rest)) = order.split_first() else {
        return PartitionSpec::Groups(Vec::new());
    };
    let (a, b) = rest.split_at(rest.len() / 2);
    let with_bridge = |part: &[String]| {
        let mut g = part.to_vec();
        g.push(bridge.clone());
        in_cluster_order(nodes, &g)
    };
    PartitionSpec::Groups(vec![with_bridge(a), with_bridge(b)])
}
