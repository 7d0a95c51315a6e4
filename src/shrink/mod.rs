//! # Shrinking a failing run
//!
//! `quorumlab shrink` reduces a failing run to a smaller one that still fails **the same way**:
//! the same checker reports the same kind of anomaly ([`Signature::same_failure`]; the mechanisms
//! involved may change). It never changes the seed: every candidate is the same seed with less
//! in it.
//!
//! Passes, in this order, repeated until a whole round changes nothing or the budget is spent:
//! 1. **faults** — delta debugging ([`ddmin`]) over the units of the concrete schedule, a fault
//!    kept or dropped together with its lift ([`units`]);
//! 2. **ops** — the main phase's operation count (and its time limit, if it has one): the floor,
//!    then halves, then bisection ([`reduce`]);
//! 3. **clients**, 4. **keys** — the same, down to one;
//! 5. **nodes** — one node at a time, last first, out of the cluster and the schedule
//!    ([`nodes`]), while the replication factor still fits;
//! 6. **windows** — each fault's lift moved earlier (halving the fault's duration).
//!
//! Guarantees of [`shrink`]:
//! - a candidate is accepted only when the oracle ran it, it failed the same way, and its
//!   simulated time is not longer than the original's; every pass only removes or lowers, so the
//!   result is the original or a run that was seen failing, and it is no larger than the
//!   original in faults, schedule steps, operations, clients, keys, nodes and simulated time
//!   (simulated time may go up and down on the way: fewer clients make a longer main phase);
//! - candidates that break [`RunConfig::validate`] are skipped without running;
//! - the budget counts simulations (`max_runs`, the original's run included), never time; a
//!   candidate already rejected is not run again;
//! - deterministic: candidates are proposed in a fixed order and the oracle is deterministic, so
//!   the same input gives the same sequence of candidates and the same result.

pub mod ddmin;
pub mod nodes;
pub mod oracle;
pub mod reduce;
mod search;
pub mod units;

pub use search::shrink;

use crate::sim::config::RunConfig;
use crate::sim::outcome::Signature;

/// A run that fails the same way as the original, as the oracle found it.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// Its configuration as the run recorded it (`run.json`: for a generated schedule, the steps
    /// applied before the main phase ended).
    pub config: RunConfig,
    /// How it failed.
    pub signature: Signature,
    /// Total simulated time (ns).
    pub sim_ns: u64,
    /// Operations of the main phase.
    pub ops: u64,
}

/// Runs candidates.
pub trait Oracle {
    /// Run `cfg`: `Some` when it fails the same way as the original, `None` when it passes, fails
    /// differently or cannot run.
    fn run(&mut self, cfg: &RunConfig) -> Option<Found>;
}

/// The shrinker's budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Simulations at most, the original's included.
    pub max_runs: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { max_runs: 200 }
    }
}

/// The dimensions of a run that shrinking reduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// Fault steps (not counting lifts).
    pub faults: usize,
    /// Schedule steps (faults and lifts).
    pub steps: usize,
    /// Operations of the main phase, as run.
    pub ops: u64,
    /// Client processes.
    pub clients: usize,
    /// Keys.
    pub keys: u64,
    /// Nodes.
    pub nodes: usize,
    /// Total simulated time (ns).
    pub sim_ns: u64,
}

impl Size {
    /// The size of a found run.
    pub fn of(found: &Found) -> Size {
        let cfg = &found.config;
        Size {
            faults: units::fault_count(&cfg.faults.schedule),
            steps: cfg.faults.schedule.steps.len(),
            ops: found.ops,
            clients: cfg.workload.clients,
            keys: cfg.workload.keys,
            nodes: cfg.store.nodes.len(),
            sim_ns: found.sim_ns,
        }
    }

    /// Whether no dimension of `self` is above `other`'s.
    pub fn within(&self, other: &Size) -> bool {
        self.faults <= other.faults
            && self.steps <= other.steps
            && self.ops <= other.ops
            && self.clients <= other.clients
            && self.keys <= other.keys
            && self.nodes <= other.nodes
            && self.sim_ns <= other.sim_ns
    }
}

/// One pass that reduced the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The pass (`faults`, `ops`, `clients`, `keys`, `nodes`, `windows`).
    pub pass: &'static str,
    /// The size before it.
    pub before: Size,
    /// The size after it.
    pub after: Size,
    /// Simulations used so far.
    pub runs: u64,
}

/// The result of shrinking.
#[derive(Clone, Debug, PartialEq)]
pub struct Shrunk {
    /// The original run.
    pub original: Found,
    /// The smallest run found that fails the same way (the original when nothing smaller does).
    pub best: Found,
    /// Simulations used, the original's included.
    pub runs: u64,
    /// Whether the budget ran out before a fixpoint.
    pub exhausted: bool,
    /// The passes that reduced the run, in order.
    pub changes: Vec<Change>,
}
