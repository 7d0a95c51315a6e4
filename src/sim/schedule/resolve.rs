//! From typed TOML entries to the concrete steps the nemesis applies: lifts added, steps sorted by
//! time (stable), `random` nodes, `halves` and `bridge` drawn from the seed in time order, explicit
//! groups completed with the unlisted nodes — and every step checked by the one validator
//! (`check`) as it is produced, its problems reported on the line of the key at fault (or of
//! `duration` when a lift is the culprit).

use super::check::Checker;
use super::fault::human;
use super::input::{Doc, Entry};
use super::{Fault, NodeSel, PartitionSpec, ScheduleError, Step};
use crate::sim::seed;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

/// The concrete, sorted, validated steps of `doc`, drawing from
/// `seed::derive(seed, "schedule", 1)`.
pub(super) fn resolve(doc: &Doc, nodes: &[String], seed: u64) -> Result<Vec<Step>, ScheduleError> {
    // (time, entry, is the lift)
    let mut items: Vec<(Duration, usize, bool)> = Vec::with_capacity(doc.entries.len() * 2);
    for (i, e) in doc.entries.iter().enumerate() {
        items.push((e.at, i, false));
        if let Some((at, _)) = e.lift {
            items.push((at, i, true));
        }
    }
    items.sort_by_key(|&(at, ..)| at);
    let mut rng = ChaCha8Rng::seed_from_u64(seed::derive(seed, "schedule", 1));
    let mut checker = Checker::new(nodes);
    let mut resolved: Vec<Option<Fault>> = vec![None; doc.entries.len()];
    let mut steps = Vec::with_capacity(items.len());
    for (at, i, is_lift) in items {
        let e = &doc.entries[i];
        let step = if is_lift {
            lift(doc, e, resolved[i].as_ref(), at)?
        } else {
            let fault = concrete(&e.fault, &checker, nodes, &mut rng, at)
                .map_err(|(field, m)| doc.err(e.line_of(field), format!("field `{field}`: {m}")))?;
            resolved[i] = Some(fault.clone());
            Step {
                at,
                fault,
                line: e.line,
            }
        };
        checker.step(&step).map_err(|p| {
            if is_lift {
                let why = format!("the lift at {} ({})", human(at), step.fault.describe());
                doc.err(step.line, format!("field `duration`: {why}: {}", p.message))
            } else {
                doc.err(e.line_of(p.field), p.to_string())
            }
        })?;
        steps.push(step);
    }
    Ok(steps)
}

/// The lift of entry `e`'s resolved fault, on the line of its `duration`.
fn lift(doc: &Doc, e: &Entry, fault: Option<&Fault>, at: Duration) -> Result<Step, ScheduleError> {
    let line = e.lift.map_or(e.line, |(_, l)| l);
    // A lift comes strictly after its fault (durations are positive), so the fault is resolved;
    // `None` would be a bug here, reported rather than panicking.
    let fault = fault
        .and_then(Fault::lift)
        .ok_or_else(|| doc.err(line, "field `duration`: this fault has nothing to lift"))?;
    Ok(Step { at, fault, line })
}

/// `fault` with every `random`, `halves` and `bridge` drawn from `rng` and explicit groups
/// completed; a problem names the field it blames.
fn concrete(
    fault: &Fault,
    state: &Checker,
    nodes: &[String],
    rng: &mut ChaCha8Rng,
    at: Duration,
) -> Result<Fault, (&'static str, String)> {
    let at = human(at);
    let any = |_: &String| true;
    let too_few = |how: &str, min: usize| {
        let n = nodes.len();
        (
            "how",
            format!("`{how}` needs at least {min} nodes (the cluster has {n})"),
        )
    };
    let draw = |rng: &mut ChaCha8Rng, eligible: &dyn Fn(&String) -> bool, none: String| {
        pick(nodes, rng, eligible).ok_or(("node", none))
    };
    Ok(match fault {
        Fault::Partition(PartitionSpec::Halves) if nodes.len() < 2 => {
            return Err(too_few("halves", 2))
        }
        Fault::Partition(PartitionSpec::Halves) => Fault::Partition(halves(nodes, rng)),
        Fault::Partition(PartitionSpec::Bridge) if nodes.len() < 3 => {
            return Err(too_few("bridge", 3))
        }
        Fault::Partition(PartitionSpec::Bridge) => Fault::Partition(bridge(nodes, rng)),
        Fault::Partition(PartitionSpec::Groups(groups)) => {
            let rest: Vec<String> = nodes
                .iter()
                .filter(|n| !groups.iter().flatten().any(|x| x == *n))
                .cloned()
                .collect();
            let mut all = groups.clone();
            if !rest.is_empty() {
                all.push(rest);
            }
            Fault::Partition(PartitionSpec::Groups(all))
        }
        Fault::Partition(PartitionSpec::Isolate(NodeSel::Random)) => {
            let n = draw(rng, &any, "isolate needs at least one node".into())?;
            Fault::Partition(PartitionSpec::Isolate(n))
        }
        Fault::Crash(NodeSel::Random) => Fault::Crash(draw(
            rng,
            &|n| !state.is_crashed(n),
            format!("no node is left to crash at {at}"),
        )?),
        Fault::Restart(NodeSel::Random) => Fault::Restart(draw(
            rng,
            &|n| state.is_crashed(n),
            format!("no node is crashed at {at} (a restart needs an earlier crash)"),
        )?),
        Fault::Pause(NodeSel::Random) => Fault::Pause(draw(
            rng,
            &|n| !state.is_paused(n) && !state.is_crashed(n),
            format!("no running node is left to pause at {at}"),
        )?),
        Fault::Resume(NodeSel::Random) => Fault::Resume(draw(
            rng,
            &|n| state.is_paused(n),
            format!("no node is paused at {at} (a resume needs an earlier pause)"),
        )?),
        Fault::ClockSkew {
            node: NodeSel::Random,
            offset_us,
        } => Fault::ClockSkew {
            node: draw(rng, &any, "clock-skew needs at least one node".into())?,
            offset_us: *offset_us,
        },
        Fault::Slow {
            node: NodeSel::Random,
            max,
        } => Fault::Slow {
            node: draw(rng, &any, "slow needs at least one node".into())?,
            max: *max,
        },
        Fault::SlowDisk {
            node: NodeSel::Random,
            delay,
        } => Fault::SlowDisk {
            node: draw(rng, &any, "slow-disk needs at least one node".into())?,
            delay: *delay,
        },
        Fault::SlowDiskReset(NodeSel::Random) => {
            Fault::SlowDiskReset(draw(rng, &any, "slow-disk needs at least one node".into())?)
        }
        Fault::SlowReset(NodeSel::Random) => {
            Fault::SlowReset(draw(rng, &any, "slow needs at least one node".into())?)
        }
        other => other.clone(),
    })
}

/// A uniformly drawn node among those `eligible` (in cluster order), if any.
fn pick(
    nodes: &[String],
    rng: &mut ChaCha8Rng,
    eligible: &dyn Fn(&String) -> bool,
) -> Option<NodeSel> {
    let candidates: Vec<&String> = nodes.iter().filter(|n| eligible(n)).collect();
    if candidates.is_empty() {
        return None;
    }
    let i = rng.random_range(0..candidates.len());
    Some(NodeSel::Named(candidates[i].clone()))
}

/// `part` in the order of `nodes`.
pub(super) fn in_cluster_order(nodes: &[String], part: &[String]) -> Vec<String> {
    nodes.iter().filter(|n| part.contains(n)).cloned().collect()
}

/// A random split into ⌊n/2⌋ and ⌈n/2⌉ nodes.
pub(super) fn halves(nodes: &[String], rng: &mut ChaCha8Rng) -> PartitionSpec {
    let mut order = nodes.to_vec();
    order.shuffle(rng);
    let (a, b) = order.split_at(order.len() / 2);
    PartitionSpec::Groups(vec![in_cluster_order(nodes, a), in_cluster_order(nodes, b)])
}

/// One bridge node in both groups; the other nodes split into halves (needs 3 nodes).
pub(super) fn bridge(nodes: &[String], rng: &mut ChaCha8Rng) -> PartitionSpec {
    let mut order = nodes.to_vec();
    order.shuffle(rng);
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
