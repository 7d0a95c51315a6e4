//! # Campaigns: many seeds of one plan, on many threads and machines
//!
//! A campaign runs a [`Plan`] over a seed range (or until a wall-clock budget is spent, the one
//! place a campaign looks at a clock: which seeds run depends on it, what each seed does never
//! does), one simulation per OS thread, and keeps only what a person must look at: a full run
//! directory per failing seed, failures grouped by signature, a report. Its directory:
//!
//! - `campaign.json` — the plan, the seed range or budget, the shard, and a progress checkpoint
//!   (finished seeds as ranges) rewritten atomically every few seconds;
//! - `failures/<seed>/` — a whole run directory (with `events.jsonl` and `failure.json`) per
//!   failing seed, written as soon as the failure is found;
//! - `groups.json` and `report.txt` — failures grouped by signature ([`groups`]).
//!
//! Guarantees: a campaign killed at any point (`kill -9`) resumes with `--resume DIR` without
//! losing a failure already written (seeds finished after the last checkpoint run again, and give
//! the same result); seeds listed as regressions run before new ones; shards never overlap
//! ([`shard`]); merging shard directories gives the same groups as one unsharded campaign.

pub mod groups;
pub mod progress;
pub mod runner;
pub mod seeds;
pub mod shard;
pub mod store;

use crate::sim::plan::Plan;
use seeds::{Done, SeedRange};
use serde::{Deserialize, Serialize};
use shard::Shard;

/// Work to do before new seeds: seeds of the plan, or recorded runs replayed exactly.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Regressions {
    /// Seeds of the campaign's plan.
    pub seeds: Vec<u64>,
    /// Recorded run configurations (`run.json`), replayed exactly.
    pub configs: Vec<crate::sim::config::RunConfig>,
}

impl Regressions {
    /// Whether there is nothing to rerun.
    pub fn is_empty(&self) -> bool {
        self.seeds.is_empty() && self.configs.is_empty()
    }
}

/// What a campaign has done so far (the checkpoint).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// New seeds finished.
    pub done: Done,
    /// Whether the regressions have all run.
    pub regressions_done: bool,
    /// Seeds (and regressions) run, over all sessions.
    pub runs: u64,
    /// Failing runs found, over all sessions.
    pub failures: u64,
    /// Wall-clock seconds spent, over all sessions (informational).
    pub elapsed_s: f64,
}

/// The content of `campaign.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    /// quorumlab version that started it.
    pub version: String,
    /// What every seed runs.
    pub plan: Plan,
    /// Which seeds.
    pub seeds: SeedRange,
    /// Stop handing out seeds after this many wall-clock seconds (over all sessions).
    pub time_budget_s: Option<u64>,
    /// This machine's share of the seeds.
    pub shard: Shard,
    /// Fraction of seeds run twice to compare their histories (determinism self-check).
    pub check_determinism: f64,
    /// Rerun first.
    pub regressions: Regressions,
    /// The checkpoint.
    pub progress: Progress,
}

/// Why a campaign could not run.
#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    /// Reading or writing the campaign directory failed.
    #[error("{path}: {message}")]
    Io {
        /// The file or directory.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A campaign file, failure record or regression is malformed.
    #[error("{path}: {message}")]
    Malformed {
        /// The file (with `:line` when known).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A seed's configuration cannot be built (the plan is unusable).
    #[error(transparent)]
    Plan(#[from] crate::sim::plan::PlanError),
}
