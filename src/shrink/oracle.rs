//! The shrinker's oracle for real runs: simulate a candidate, judge it with the full checker
//! suite, and keep it when the first violated checker and the kind of its first anomaly are the
//! original's ([`Signature::same_failure`]).

use super::{Found, Oracle};
use crate::sim::config::RunConfig;
use crate::sim::outcome::{run_and_judge, Outcome, Signature};

/// Runs candidates in the simulator and compares them with a target failure.
pub struct SimOracle {
    /// The original run's failure.
    pub target: Signature,
}

impl Oracle for SimOracle {
    fn run(&mut self, cfg: &RunConfig) -> Option<Found> {
        let outcome = run_and_judge(cfg, false).ok()?;
        let found = found(outcome)?;
        found.signature.same_failure(&self.target).then_some(found)
    }
}

/// A judged run as the shrinker sees it, when it failed.
pub fn found(outcome: Outcome) -> Option<Found> {
    let signature = outcome.signature?;
    let out = outcome.output;
    Some(Found {
        sim_ns: out.stats.sim_time_ns,
        ops: out.stats.ops_main,
        config: out.config,
        signature,
    })
}
