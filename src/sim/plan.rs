//! A [`Plan`]: a run description that does not depend on the seed — a base configuration, where
//! the faults come from, and whether the workload is drawn per seed (swarm) — from which every
//! seed's [`RunConfig`] is derived. The command line, the library and campaigns all build plans,
//! so "the same flags with another seed" means the same thing everywhere.

use super::config::{FaultSource, Faults, InvalidConfig, RunConfig};
use super::schedule::{self, FaultKind, Schedule, ScheduleError, Shape};
use super::swarm;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

/// Where a plan's faults come from.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultPlan {
    /// No faults.
    None,
    /// A schedule file (TOML, or concrete JSON), loaded per seed (`random` choices use the seed).
    File(PathBuf),
    /// Generated per seed from these kinds (swarm testing over faults).
    Kinds(Vec<FaultKind>),
    /// A concrete schedule built in code.
    Schedule(Schedule),
}

/// A seed-independent run description.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Plan {
    /// The configuration every seed starts from (its `seed` and `faults` are replaced).
    pub base: RunConfig,
    /// The faults.
    pub faults: FaultPlan,
    /// `Some(fixed)`: draw the workload shape per seed, except the dimensions in `fixed`.
    pub swarm: Option<BTreeSet<String>>,
}

/// Why a seed's configuration cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The schedule file is unreadable or invalid.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// The configuration breaks a rule or bound.
    #[error(transparent)]
    Config(#[from] InvalidConfig),
}

impl Plan {
    /// A plan around `base` with no faults and a fixed workload.
    pub fn new(base: RunConfig) -> Plan {
        Plan {
            base,
            faults: FaultPlan::None,
            swarm: None,
        }
    }

    /// The configuration of one seed.
    pub fn for_seed(&self, seed: u64) -> Result<RunConfig, PlanError> {
        let mut cfg = self.base.clone();
        cfg.seed = seed;
        if let Some(fixed) = &self.swarm {
            swarm::draw(&mut cfg, fixed);
        }
        // Validate everything but the faults first: the faults are built from the configuration
        // (a generated schedule walks the replica sets of every key; a file is read and resolved
        // for the cluster), so an absurd value (`--keys 18446744073709551615`) must be refused
        // before it drives that work, not after.
        cfg.faults = Faults::none();
        cfg.validate()?;
        let nodes = cfg.store.nodes.clone();
        cfg.faults = match &self.faults {
            FaultPlan::None => Faults::none(),
            FaultPlan::File(path) => Faults {
                source: FaultSource::File {
                    path: path.display().to_string(),
                },
                schedule: schedule::load(path, &nodes, seed)?,
            },
            FaultPlan::Kinds(kinds) => {
                let shape =
                    Shape::of_cluster(&cfg.store, cfg.workload.keys).map_err(InvalidConfig)?;
                Faults {
                    source: FaultSource::Generated {
                        kinds: kinds.clone(),
                    },
                    schedule: schedule::generate(seed, kinds, &shape, horizon(&cfg)),
                }
            }
            FaultPlan::Schedule(s) => Faults {
                source: FaultSource::Code,
                schedule: s.clone(),
            },
        };
        cfg.validate()?;
        Ok(cfg)
    }
}

/// How far ahead generated faults are laid out: the main phase's time limit when it has one;
/// otherwise well past any plausible length of an operation-bounded phase (the run keeps only the
/// steps applied before its main phase ended, so a long horizon costs nothing but a few steps).
pub fn horizon(cfg: &RunConfig) -> Duration {
    if let Some(ms) = cfg.workload.duration_ms {
        return Duration::from_millis(ms);
    }
    let w = &cfg.workload;
    let per_client = w.ops.unwrap_or(0).div_ceil(w.clients.max(1) as u64);
    let per_op_ms = 4 * cfg.net.max_latency_ms + w.think_ms_max / 2 + 10;
    let estimate = Duration::from_millis(per_client.saturating_mul(per_op_ms));
    (estimate * 4).clamp(Duration::from_secs(60), Duration::from_secs(3600))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::schedule::FaultKind;

    /// Regression (issue 8): `--keys 18446744073709551615 --nemesis all` hung: the generator
    /// walked the replica sets of every key before the key count was validated.
    #[test]
    fn an_absurd_configuration_is_refused_before_faults_are_generated() {
        let mut base = RunConfig::new(1);
        base.workload.keys = u64::MAX;
        let plan = Plan {
            base,
            faults: FaultPlan::Kinds(FaultKind::ALL.to_vec()),
            swarm: None,
        };
        let e = plan.for_seed(1).unwrap_err().to_string();
        assert!(e.contains("keys 18446744073709551615"), "{e}");
    }

    /// A schedule file is not read for a configuration that cannot run anyway.
    #[test]
    fn a_bad_configuration_is_reported_before_the_schedule_file() {
        let mut base = RunConfig::new(1);
        base.workload.clients = 0;
        let plan = Plan {
            base,
            faults: FaultPlan::File(PathBuf::from("/nonexistent/schedule.toml")),
            swarm: None,
        };
        let e = plan.for_seed(1).unwrap_err().to_string();
        assert!(e.contains("at least one client"), "{e}");
    }
}
