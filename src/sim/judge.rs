//! The verdict on a run: every checker of the suite over the run's history and final snapshot.
//! Our histories read `null` literally (absent), and the register starts absent.

use quorumlab_checkers::final_state::FinalState;
use quorumlab_checkers::format::Format;
use quorumlab_checkers::lin::LinOptions;
use quorumlab_checkers::suite::{self, SuiteOptions, SuiteRun};
use quorumlab_checkers::{ops, Event};
use std::time::Duration;

/// The search budget of the linearizability checker on one run; past it the verdict is unknown.
pub const LIN_TIME_LIMIT: Duration = Duration::from_secs(60);

/// Check a run's history and final state with the default checkers (or `checkers` when given).
pub fn judge(
    history: &[Event],
    final_state: &FinalState,
    checkers: Option<Vec<&'static str>>,
) -> Result<SuiteRun, String> {
    let ops =
        ops::pair(history).map_err(|e| format!("history event {}: {}", e.position, e.message))?;
    let opts = SuiteOptions {
        checkers,
        format: Format::Jsonl,
        lin: LinOptions {
            time_limit: Some(LIN_TIME_LIMIT),
            ..LinOptions::default()
        },
    };
    Ok(suite::run(&ops, Some(final_state), &opts))
}
