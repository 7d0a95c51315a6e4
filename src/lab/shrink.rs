//! Shrinking a failing seed from a test, on any system under test: the same search as
//! `quorumlab shrink` ([`crate::shrink`]: faults, then operations, clients, keys, nodes — the
//! built-in store only — and fault windows, while it fails the same way), with the experiment's
//! own system made afresh for every candidate. The reduced run's directory is kept under
//! `<target>/quorumlab/<experiment>-shrunk/<seed>`.

use super::{Experiment, Maker};
use crate::shrink::oracle::{found, SimOracle, SystemOracle};
use crate::shrink::{shrink, Options, Shrunk, Size};
use crate::sim::outcome::judge_output;
use crate::sim::rundir::{RunDir, RunFiles};
use crate::sim::show;
use std::fmt::Write;
use std::path::PathBuf;

/// A shrunk failing seed.
#[derive(Clone, Debug)]
pub struct Shrinking {
    /// The search's result: the original run, the smallest one found, and each pass that helped.
    pub shrunk: Shrunk,
    /// The smallest run's directory (history, `run.json`, results, events).
    pub dir: PathBuf,
}

impl Shrinking {
    /// Before → after, for a person.
    pub fn explain(&self) -> String {
        let (a, b) = (Size::of(&self.shrunk.original), Size::of(&self.shrunk.best));
        let mut s =
            format!(
            "shrunk {} in {} runs{}: faults {} → {}, ops {} → {}, clients {} → {}, keys {} → {}, \
             nodes {} → {}, simulated {:.1} → {:.1} s\n",
            self.shrunk.best.signature.describe(),
            self.shrunk.runs,
            if self.shrunk.exhausted { " (budget spent)" } else { "" },
            a.faults,
            b.faults,
            a.ops,
            b.ops,
            a.clients,
            b.clients,
            a.keys,
            b.keys,
            a.nodes,
            b.nodes,
            a.sim_ns as f64 / 1e9,
            b.sim_ns as f64 / 1e9,
        );
        let _ = writeln!(s, "  run directory: {}", show::path(&self.dir));
        s
    }
}

impl Experiment {
    /// Shrink `seed` of this experiment within `max_runs` simulations: `Ok(None)` when the seed
    /// does not fail. The seed is never changed, so the reduced run replays with this
    /// experiment's system and the reduced `run.json`.
    pub fn shrink(&self, seed: u64, max_runs: u64) -> Result<Option<Shrinking>, String> {
        let cfg = self.config_for(seed)?;
        let outcome = judge_output(self.execute(&cfg, false)?).map_err(|e| e.to_string())?;
        let Some(original) = found(outcome) else {
            return Ok(None);
        };
        let target = original.signature.clone();
        let options = Options { max_runs };
        let shrunk = match &self.system {
            None => shrink(original, &mut SimOracle { target }, options, &mut |_| {}),
            Some(Maker(make)) => {
                let mut oracle = SystemOracle {
                    target,
                    make: |c: &crate::sim::config::RunConfig| make(c),
                };
                shrink(original, &mut oracle, options, &mut |_| {})
            }
        };
        let best = &shrunk.best.config;
        let output = self.execute(best, true)?;
        let verdict = judge_output(output).map_err(|e| e.to_string())?;
        let out = &verdict.output;
        let name = format!("{}-shrunk", self.name);
        let dir = RunDir::prepare(&self.out, &name, seed)
            .map_err(|e| format!("{}: {e}", show::path(&self.out)))?;
        let files = RunFiles::of(out, Some(&verdict.results));
        let dir = dir.commit(&files).map_err(|e| e.to_string())?;
        Ok(Some(Shrinking { shrunk, dir }))
    }
}
