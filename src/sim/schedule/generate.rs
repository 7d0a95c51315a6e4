//! Schedules derived from a seed, for fuzzing. Swarm testing (Groce, Zhang, Eide, Chen & Regehr
//! 2012, "Swarm testing"; TigerBeetle's VOPR): each seed switches on a random non-empty subset of
//! the fault kinds offered and draws how hard each one hits, so different seeds explore different
//! corners instead of the same average mix.
//!
//! Guarantees of [`generate`]: the same arguments give the same schedule; every step is concrete
//! and lies within the horizon; every fault is followed by its lift; at most one fault of each
//! kind is active at a time; crashed and paused nodes together never exceed a minority
//! (⌊(n−1)/2⌋); the schedule is consistent in the sense of the loader (no restart of a running
//! node, no resume of one that is not paused).

use super::resolve::{bridge, halves};
use super::{Fault, FaultKind, NodeSel, PartitionSpec, Schedule, Step};
use crate::sim::seed;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;
use std::time::Duration;

/// When the first fault of each kind may start (plus a jitter of up to 500 ms).
const FIRST_FAULT_MS: u64 = 500;
/// Range of one fault's length, ms.
const FAULT_MS: (u64, u64) = (300, 3000);
/// Range of the quiet gap after a fault's lift before the next fault of the kind, ms.
const GAP_MS: (u64, u64) = (200, 2000);

/// How hard each kind hits on this seed.
struct Intensity {
    loss_permille: u64,
    latency_ms: u64,
    skew_ms: u64,
}

/// A fault of one kind over `[start, end)`, before its node is chosen.
struct Proposal {
    start: Duration,
    end: Duration,
    kind: FaultKind,
}

/// A schedule for `nodes` over `[0, horizon]` derived from `seed` and drawing its kinds from
/// `pool` (see the module doc). Kinds the cluster cannot have are dropped first: partitions need
/// two nodes, crashes and pauses a minority of at least one (three nodes). Named
/// `generated-<kinds>` with the chosen kinds joined by `+` (`generated-none` when none is left).
pub fn generate(seed: u64, pool: &[FaultKind], nodes: &[String], horizon: Duration) -> Schedule {
    let mut rng = ChaCha8Rng::seed_from_u64(seed::derive(seed, "schedule", 0));
    let minority = nodes.len().saturating_sub(1) / 2;
    let mut pool: Vec<FaultKind> = pool
        .iter()
        .copied()
        .filter(|k| match k {
            FaultKind::Partition => nodes.len() >= 2,
            FaultKind::Crash | FaultKind::Pause => minority >= 1,
            FaultKind::ClockSkew => !nodes.is_empty(),
            FaultKind::Loss | FaultKind::Latency => true,
        })
        .collect();
    pool.sort();
    pool.dedup();
    if pool.is_empty() {
        return Schedule {
            name: "generated-none".to_string(),
            steps: Vec::new(),
        };
    }
    let mask = rng.random_range(1..(1u64 << pool.len()));
    let kinds: Vec<FaultKind> = (0..pool.len())
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| pool[i])
        .collect();
    let intensity = Intensity {
        loss_permille: rng.random_range(50..=300),
        latency_ms: rng.random_range(100..=500),
        skew_ms: rng.random_range(100..=2000),
    };
    let mut proposals = Vec::new();
    for &kind in &kinds {
        lay_out(kind, horizon, &mut rng, &mut proposals);
    }
    proposals.sort_by_key(|p| p.start);
    let steps = realise(&proposals, &intensity, nodes, minority, &mut rng);
    let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    Schedule {
        name: format!("generated-{}", names.join("+")),
        steps,
    }
}

fn ms(rng: &mut ChaCha8Rng, (lo, hi): (u64, u64)) -> Duration {
    Duration::from_millis(rng.random_range(lo..=hi))
}

/// Faults of one kind back to back: fault, lift, quiet gap, … while the lift fits the horizon.
fn lay_out(kind: FaultKind, horizon: Duration, rng: &mut ChaCha8Rng, out: &mut Vec<Proposal>) {
    let mut t = Duration::from_millis(FIRST_FAULT_MS) + ms(rng, (0, 500));
    loop {
        let end = t + ms(rng, FAULT_MS);
        if end > horizon {
            return;
        }
        out.push(Proposal {
            start: t,
            end,
            kind,
        });
        t = end + ms(rng, GAP_MS);
    }
}

/// Chooses nodes and shapes in start order, skipping a crash or pause that would take the
/// impaired nodes past a minority, and returns the faults with their lifts, sorted by time.
fn realise(
    proposals: &[Proposal],
    intensity: &Intensity,
    nodes: &[String],
    minority: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Step> {
    // Crashed or paused nodes with the time they come back.
    let mut impaired: Vec<(Duration, String)> = Vec::new();
    let mut steps = Vec::new();
    for p in proposals {
        impaired.retain(|(end, _)| *end > p.start);
        let fault = match p.kind {
            FaultKind::Partition => Fault::Partition(partition_shape(nodes, rng)),
            FaultKind::Loss => Fault::Loss {
                rate: intensity.loss_permille as f64 / 1000.0,
            },
            FaultKind::Latency => Fault::Latency {
                max: Duration::from_millis(intensity.latency_ms),
            },
            FaultKind::ClockSkew => {
                let magnitude = (intensity.skew_ms * 1000) as i64;
                Fault::ClockSkew {
                    node: NodeSel::Named(nodes[rng.random_range(0..nodes.len())].clone()),
                    offset_us: if rng.random_bool(0.5) {
                        magnitude
                    } else {
                        -magnitude
                    },
                }
            }
            FaultKind::Crash | FaultKind::Pause => {
                let busy: BTreeSet<&String> = impaired.iter().map(|(_, n)| n).collect();
                let free: Vec<&String> = nodes.iter().filter(|n| !busy.contains(n)).collect();
                if impaired.len() >= minority || free.is_empty() {
                    continue;
                }
                let node = free[rng.random_range(0..free.len())].clone();
                impaired.push((p.end, node.clone()));
                match p.kind {
                    FaultKind::Crash => Fault::Crash(NodeSel::Named(node)),
                    _ => Fault::Pause(NodeSel::Named(node)),
                }
            }
        };
        if let Some(lift) = fault.lift() {
            steps.push(Step {
                at: p.start,
                fault,
                line: 0,
            });
            steps.push(Step {
                at: p.end,
                fault: lift,
                line: 0,
            });
        }
    }
    // Lifts first among steps at the same time, so a node freed at t can be hit again at t.
    steps.sort_by_key(|s| (s.at, s.fault.lift().is_some()));
    steps
}

/// One of the partition shapes the cluster allows: halves, isolate, one-way, bridge.
fn partition_shape(nodes: &[String], rng: &mut ChaCha8Rng) -> PartitionSpec {
    let shapes = if nodes.len() >= 3 { 4 } else { 3 };
    match rng.random_range(0..shapes) {
        0 => halves(nodes, rng),
        1 => {
            let node = nodes[rng.random_range(0..nodes.len())].clone();
            PartitionSpec::Isolate(NodeSel::Named(node))
        }
        2 => {
            let mut order = nodes.to_vec();
            order.shuffle(rng);
            let (from, to) = order.split_at(order.len() / 2);
            let keep = |part: &[String]| -> Vec<String> {
                nodes.iter().filter(|n| part.contains(n)).cloned().collect()
            };
            PartitionSpec::OneWay {
                from: keep(from),
                to: keep(to),
            }
        }
        _ => bridge(nodes, rng),
    }
}
