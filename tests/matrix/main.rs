//! The test matrix: what the anti-entropy design promises, and where it breaks, shown on real runs
//! of the store under fault schedules (issue 5). Every cell asserts something that can fail; the
//! reports (bytes saved by digest reads, availability cost of blocking repair) are printed — run
//! with `--nocapture` to see them. Larger seed counts are behind `#[ignore]` (nightly).

mod ae_modes;
mod convergence;
mod costs;
mod promises;
mod weaknesses;

use quorumlab::lab::Experiment;
use quorumlab::store::config::{ConsistencyLevel, ReadRepair};

/// Seeds per cell in the default suite.
pub const SEEDS: u64 = 20;

/// Operations per run: enough for the main phase to outlast every shipped schedule (~4.5 s).
pub const OPS: u64 = 1000;

/// QUORUM writes and reads with blocking read repair, hints and anti-entropy: the configuration
/// the design says is linearizable without clock skew.
pub fn correct(name: &str) -> Experiment {
    Experiment::new(name)
        .read_cl(ConsistencyLevel::Quorum)
        .write_cl(ConsistencyLevel::Quorum)
        .read_repair(ReadRepair::Blocking)
        .ops(OPS)
}

/// A shipped schedule file.
pub fn schedule(name: &str) -> String {
    format!("{}/tests/schedules/{name}.toml", env!("CARGO_MANIFEST_DIR"))
}
