//! Campaigns from a test, on any system under test: the same resumable, sharded, checkpointed
//! campaign as `quorumlab fuzz` ([`crate::campaign`]: `campaign.json`, a run directory per
//! failing seed, failures grouped by checker and anomaly kind, `report.txt`), run with the
//! experiment's plan and its own system. A nightly job calls it from an `#[ignore]` test with the
//! seed range and shard of its machine; `quorumlab fuzz merge DIR…` merges the shards' reports.

use super::{Experiment, Maker};
use crate::campaign::runner::{self, Options, Runner, Summary};
use crate::campaign::seeds::SeedRange;
use crate::campaign::shard::Shard;
use crate::campaign::{store, Campaign, CampaignError, Progress};
use crate::sim::config::RunConfig;
use crate::sim::outcome::{judge_output, Outcome, OutcomeError};
use crate::sim::run::run_system;
use std::path::Path;

impl Experiment {
    /// Run the seeds `seeds` of this machine's `shard` (use [`Shard::ALL`] for all) as a campaign
    /// in `dir`, or continue the campaign already there (the seeds it finished are not run
    /// again; its plan must be this experiment's). Runs on [`Experiment::threads`] threads.
    /// Failing seeds are in the returned summary and under `dir/failures/`.
    pub fn campaign(
        &self,
        dir: &Path,
        seeds: SeedRange,
        shard: Shard,
    ) -> Result<Summary, CampaignError> {
        let mut plan = self.plan.clone();
        plan.swarm = self.swarm.then(|| self.fixed.clone());
        let mut campaign = if store::campaign_file(dir).exists() {
            let c = store::load(dir)?;
            if c.plan != plan || c.seeds != seeds || c.shard != shard {
                return Err(CampaignError::Io {
                    path: dir.display().to_string(),
                    message: "holds a campaign of another plan, seed range or shard".into(),
                });
            }
            c
        } else {
            let c = Campaign {
                version: env!("CARGO_PKG_VERSION").to_string(),
                plan,
                seeds,
                time_budget_s: None,
                shard,
                check_determinism: 0.0,
                regressions: Default::default(),
                progress: Progress::default(),
            };
            store::create(dir, &c)?;
            c
        };
        let quiet = std::env::var_os("QUORUMLAB_QUIET").is_some();
        let jobs = self.threads;
        let mut session = |runner: Option<&Runner<'_>>| {
            let opts = Options {
                jobs,
                quiet,
                runner,
            };
            runner::run(dir, &mut campaign, opts)
        };
        match &self.system {
            None => session(None),
            Some(Maker(make)) => {
                let system = |cfg: &RunConfig, events: bool| -> Result<Outcome, OutcomeError> {
                    judge_output(run_system(cfg, make(cfg), events)?)
                };
                session(Some(&system))
            }
        }
    }
}
