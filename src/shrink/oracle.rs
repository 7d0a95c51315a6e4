//! The shrinker's oracle for real runs: simulate a candidate, judge it with the full checker
//! suite, and keep it when the first violated checker and the kind of its first anomaly are the
//! original's ([`Signature::same_failure`]).

use super::{Found, Oracle};
use crate::sim::config::RunConfig;
use crate::sim::outcome::{judge_output, run_and_judge, Outcome, Signature};
use crate::sim::run::run_system;
use crate::sut::System;
use std::rc::Rc;

/// Runs candidates on the built-in store and compares them with a target failure.
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

/// Runs candidates on any system under test, made afresh for each candidate by `make`.
pub struct SystemOracle<F: FnMut(&RunConfig) -> Rc<dyn System>> {
    /// The original run's failure.
    pub target: Signature,
    /// Makes the system for one candidate.
    pub make: F,
}

impl<F: FnMut(&RunConfig) -> Rc<dyn System>> Oracle for SystemOracle<F> {
    fn run(&mut self, cfg: &RunConfig) -> Option<Found> {
        let output = run_system(cfg, (self.make)(cfg), false).ok()?;
        let found = found(judge_output(output).ok()?)?;
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
