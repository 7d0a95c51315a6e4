//! Schedules derived from a seed, for fuzzing. Swarm testing (Groce, Zhang, Eide, Chen & Regehr
//! 2012, "Swarm testing"; TigerBeetle's VOPR): each seed switches on a random non-empty subset of
//! the fault kinds offered and draws how hard each one hits (rates, latencies, skew, how often
//! faults are long, how long the quiet gaps are), so different seeds explore different corners
//! instead of the same average mix.
//!
//! Guarantees of [`generate`]:
//! - the same arguments give the same schedule; it passes [`Schedule::validate`] and every step
//!   lies within the horizon;
//! - each chosen kind runs on its own lane: one fault at a time, each followed by its lift, then a
//!   quiet gap (200 ms – 2 s), until the horizon — the density of faults is the same at the end of
//!   a long horizon as at its start, and a fault is laid out in constant time, so a horizon much
//!   longer than the run costs little (the run applies only the prefix it reaches);
//! - the first fault of every chosen kind is short and starts within the first second or so
//!   (≤ 1.5 s even when it must wait for a conflicting kind), so a run longer than ~2 s sees every
//!   kind; later faults mix short (100–500 ms) and long (1–3 s) windows;
//! - `crash` and `pause` take one node each and never leave more than a minority (⌊(n−1)/2⌋)
//!   crashed or paused; `crash-majority` runs alone among them (no other node crashed or paused
//!   while its majority is down); a kind that must wait is deferred, never dropped, and while it
//!   waits no conflicting fault may start that would outlast its turn;
//! - the name lists exactly the kinds that have at least one fault step:
//!   `generated-<kinds>` joined by `+` in canonical order, or `generated-none`.

use super::aim::Target;
use super::{Fault, FaultKind, NodeSel, Schedule, Shape, Step};
use crate::sim::seed;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

const fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The shortest fault laid out (a window cut by the horizon or by a waiting kind).
const MIN_FAULT: Duration = ms(100);

/// How hard each kind hits on this seed.
struct Intensity {
    loss: f64,
    latency: Duration,
    slow: Duration,
    slow_disk: Duration,
    reply_loss: f64,
    skew_ms: u64,
    /// Probability that a fault (after the first) is long.
    long: f64,
    /// The longest quiet gap between two faults of a kind.
    gap_max_ms: u64,
}

/// One kind's timeline.
struct Lane {
    kind: FaultKind,
    /// When its next fault may start.
    next: Duration,
    /// Its first fault is still to come.
    first: bool,
    /// Since when it has been deferred by a conflicting kind, if it is.
    waiting: Option<Duration>,
    done: bool,
}

/// A crashed or paused node (or a crashed majority) and when it comes back.
struct Impaired {
    nodes: Vec<String>,
    until: Duration,
    majority: bool,
}

/// A schedule for `shape` over `[0, horizon]` derived from `seed`, drawing its kinds from `pool`
/// (see the module doc). Kinds the cluster cannot have are dropped first: partitions, loss,
/// latency, slow and reply-loss need two nodes, crash and pause a minority of at least one (three
/// nodes), crash-majority and clock-skew one node.
pub fn generate(seed: u64, pool: &[FaultKind], shape: &Shape, horizon: Duration) -> Schedule {
    let mut rng = ChaCha8Rng::seed_from_u64(seed::derive(seed, "schedule", 0));
    let nodes = &shape.nodes;
    let n = nodes.len();
    let minority = n.saturating_sub(1) / 2;
    let mut pool: Vec<FaultKind> = pool
        .iter()
        .copied()
        .filter(|k| match k {
            FaultKind::Crash | FaultKind::Pause => minority >= 1,
            FaultKind::CrashMajority | FaultKind::ClockSkew => n >= 1,
            _ => n >= 2,
        })
        .collect();
    pool.sort();
    pool.dedup();
    if pool.is_empty() {
        return Schedule {
            name: FaultKind::generated_name(&[]),
            steps: Vec::new(),
        };
    }
    let mask = rng.random_range(1..(1u64 << pool.len()));
    let kinds = (0..pool.len())
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| pool[i]);
    let intensity = Intensity {
        loss: rng.random_range(50..=300) as f64 / 1000.0,
        latency: ms(rng.random_range(100..=500)),
        slow: ms(rng.random_range(200..=1200)),
        slow_disk: ms(rng.random_range(50..=600)),
        reply_loss: rng.random_range(10..=100) as f64 / 1000.0,
        skew_ms: rng.random_range(100..=2000),
        long: rng.random_range(2..=8) as f64 / 10.0,
        gap_max_ms: rng.random_range(500..=2000),
    };
    let mut lanes: Vec<Lane> = kinds
        .map(|kind| Lane {
            kind,
            next: ms(rng.random_range(20..=500)),
            first: true,
            waiting: None,
            done: false,
        })
        .collect();
    let sets = shape.usable_sets();
    let target = Target { nodes, sets: &sets };
    let mut steps = Vec::new();
    let mut impaired: Vec<Impaired> = Vec::new();
    // Earliest lane first; at equal times, waiting lanes (longest waiting first), then lanes whose
    // first fault is still to come, then canonical order.
    while let Some(li) = (0..lanes.len())
        .filter(|&i| !lanes[i].done)
        .min_by_key(|&i| {
            let l = &lanes[i];
            (l.next, l.waiting.is_none(), l.waiting, !l.first, i)
        })
    {
        let start = lanes[li].next;
        if start + MIN_FAULT > horizon {
            lanes[li].done = true;
            continue;
        }
        impaired.retain(|x| x.until > start);
        let length = if lanes[li].first {
            ms(rng.random_range(100..=400))
        } else if rng.random_bool(intensity.long) {
            ms(rng.random_range(1000..=3000))
        } else {
            ms(rng.random_range(100..=500))
        };
        let mut end = (start + length).min(horizon);
        let kind = lanes[li].kind;
        if impairs(kind) && !lanes[li].first {
            // Impairing kinds share the minority budget: none repeats before every one of them
            // had its first fault, so each fires early (and the schedule's name stays honest).
            let pending_first = (0..lanes.len())
                .filter(|&j| j != li && !lanes[j].done && lanes[j].first && impairs(lanes[j].kind))
                .map(|j| lanes[j].next)
                .max();
            if let Some(after) = pending_first {
                lanes[li].next = lanes[li].next.max(after + MIN_FAULT);
                continue;
            }
        }
        if impairs(kind) {
            // Leave room for a kind that waits for its turn: do not outlast it.
            let turn = (0..lanes.len())
                .filter(|&j| j != li && !lanes[j].done && impairs(lanes[j].kind))
                .filter(|&j| lanes[j].waiting.is_some() && lanes[j].next > start)
                .map(|j| lanes[j].next)
                .min();
            if let Some(turn) = turn {
                if turn - start < MIN_FAULT {
                    lanes[li].next = turn;
                    continue;
                }
                end = end.min(turn);
            }
            if let Some(until) = blocked(kind, &impaired, minority) {
                let lane = &mut lanes[li];
                lane.next = until;
                lane.waiting.get_or_insert(start);
                continue;
            }
        }
        let fault = realise(kind, &intensity, &target, &impaired, &mut rng);
        if let Fault::Crash(NodeSel::Named(x)) | Fault::Pause(NodeSel::Named(x)) = &fault {
            impaired.push(Impaired {
                nodes: vec![x.clone()],
                until: end,
                majority: false,
            });
        }
        if let Fault::CrashSet(set) = &fault {
            impaired.push(Impaired {
                nodes: set.clone(),
                until: end,
                majority: true,
            });
        }
        if let Some(lift) = fault.lift() {
            steps.push(Step {
                at: start,
                fault,
                line: 0,
            });
            steps.push(Step {
                at: end,
                fault: lift,
                line: 0,
            });
        }
        let gap = ms(rng.random_range(200..=intensity.gap_max_ms));
        let lane = &mut lanes[li];
        lane.first = false;
        lane.waiting = None;
        lane.next = end + gap;
    }
    // Lifts first among steps at the same time, so a node freed at t can be hit again at t.
    steps.sort_by_key(|s| (s.at, !s.fault.is_lift()));
    Schedule {
        name: FaultKind::generated_name(&steps),
        steps,
    }
}

/// The kinds that take nodes down and so share the minority budget.
fn impairs(kind: FaultKind) -> bool {
    matches!(
        kind,
        FaultKind::Crash | FaultKind::Pause | FaultKind::CrashMajority
    )
}

/// Until when `kind` cannot start, if it cannot start now: a crash or pause waits while a
/// majority is down or the minority budget is spent; a crashed majority waits for every node.
fn blocked(kind: FaultKind, impaired: &[Impaired], minority: usize) -> Option<Duration> {
    let ends = impaired.iter().map(|x| x.until);
    if kind == FaultKind::CrashMajority {
        return ends.max();
    }
    if let Some(m) = impaired
        .iter()
        .filter(|x| x.majority)
        .map(|x| x.until)
        .max()
    {
        return Some(m);
    }
    (impaired.len() >= minority).then(|| ends.min()).flatten()
}

/// The concrete fault of `kind` that starts now.
fn realise(
    kind: FaultKind,
    intensity: &Intensity,
    target: &Target,
    impaired: &[Impaired],
    rng: &mut ChaCha8Rng,
) -> Fault {
    let nodes = target.nodes;
    let any =
        |rng: &mut ChaCha8Rng| NodeSel::Named(nodes[rng.random_range(0..nodes.len())].clone());
    match kind {
        FaultKind::Partition => Fault::Partition(target.partition(rng)),
        FaultKind::Crash | FaultKind::Pause => {
            let free: Vec<&String> = nodes
                .iter()
                .filter(|n| !impaired.iter().any(|x| x.nodes.contains(n)))
                .collect();
            // `blocked` keeps at least n − minority nodes free.
            let node = NodeSel::Named(free[rng.random_range(0..free.len())].clone());
            if kind == FaultKind::Crash {
                Fault::Crash(node)
            } else {
                Fault::Pause(node)
            }
        }
        FaultKind::CrashMajority => Fault::CrashSet(target.majority(rng)),
        FaultKind::Loss => Fault::Loss {
            rate: intensity.loss,
        },
        FaultKind::Latency => Fault::Latency {
            max: intensity.latency,
        },
        FaultKind::Slow => Fault::Slow {
            node: any(rng),
            max: intensity.slow,
        },
        FaultKind::SlowDisk => Fault::SlowDisk {
            node: any(rng),
            delay: intensity.slow_disk,
        },
        FaultKind::ReplyLoss => {
            let (from, to) = target.reply_loss(rng);
            Fault::ReplyLoss {
                from,
                to,
                rate: intensity.reply_loss,
            }
        }
        FaultKind::ClockSkew => {
            let magnitude = (intensity.skew_ms * 1000) as i64;
            Fault::ClockSkew {
                node: any(rng),
                offset_us: if rng.random_bool(0.5) {
                    magnitude
                } else {
                    -magnitude
                },
            }
        }
    }
}
