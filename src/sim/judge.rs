//! The verdict on a run: every checker of the suite over the run's history and final snapshot.
//! Our histories read `null` literally (absent), and the register starts absent.

use quorumlab_checkers::final_state::FinalState;
use quorumlab_checkers::format::Format;
use quorumlab_checkers::lin::LinOptions;
use quorumlab_checkers::suite::{self, SuiteOptions, SuiteRun};
use quorumlab_checkers::{ops, Event};

/// The search budget of the linearizability checker on one run, in configurations explored per
/// key; past it the verdict is unknown. Deterministic (no wall clock), whatever the thread count.
pub const LIN_STATE_BUDGET: u64 = 2_000_000;

/// Check a run's history and final state with the default checkers (or `checkers` when given).
pub fn judge(
    history: &[Event],
    final_state: &FinalState,
    checkers: Option<Vec<&'static str>>,
) -> Result<SuiteRun, String> {
    let ops = ops::pair(history).map_err(|e| format!("history event {}: {e}", e.position()))?;
    let opts = SuiteOptions {
        checkers,
        format: Format::Jsonl,
        lin: LinOptions {
            max_states: Some(LIN_STATE_BUDGET),
            ..LinOptions::default()
        },
        external: Vec::new(),
    };
    Ok(suite::run(&ops, Some(final_state), &opts))
}
