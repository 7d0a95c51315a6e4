//! The verdict on a run: every checker of the suite over the run's history and final snapshot,
//! plus the invariants checked while it ran. Our histories read `null` literally (absent), and
//! the register starts absent. The linearizability search is bounded by a budget of explored
//! states ([`crate::sim::config::Budgets`]), never by wall time, so a seed's verdict is the same on
//! every machine.

use super::config::RunConfig;
use super::invariants::Violation;
use quorumlab_checkers::final_state::FinalState;
use quorumlab_checkers::format::Format;
use quorumlab_checkers::lin::LinOptions;
use quorumlab_checkers::suite::{self, SuiteOptions, SuiteRun};
use quorumlab_checkers::{ops, Anomaly, Event, Value, Verdict};

/// The checker name under which invariant violations are reported.
pub const INVARIANTS: &str = "invariants";

/// Why a recorded history cannot be judged (never the case for one the harness recorded).
#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
    /// The history does not pair into operations.
    #[error("history event {position}: {message}")]
    Malformed {
        /// Position of the offending event.
        position: usize,
        /// What is wrong.
        message: String,
    },
    /// A checker name is unknown.
    #[error(transparent)]
    Checkers(#[from] suite::ResolveError),
}

/// Resolve checker names (aliases allowed, `invariants` included) into the suite's names.
pub fn resolve_checkers(names: &[String]) -> Result<Vec<&'static str>, suite::ResolveError> {
    suite::resolve(&names.join(","))
}

/// The invariants verdict of a run.
pub fn invariants_verdict(violations: &[Violation]) -> Verdict {
    let anomalies = violations
        .iter()
        .map(|v| Anomaly {
            kind: v.kind.to_string(),
            key: Some(Value::Int(v.key)),
            ops: v.ops.clone(),
            explanation: v.explanation.clone(),
        })
        .collect();
    let mut verdict = Verdict::from_anomalies(INVARIANTS, anomalies);
    verdict
        .stats
        .insert("violations".to_string(), violations.len() as u64);
    verdict
}

/// Check a run's history and final state with the configured checkers (the default suite when
/// none are named), composing the invariants verdict in.
pub fn judge(
    cfg: &RunConfig,
    history: &[Event],
    final_state: Option<&FinalState>,
    violations: &[Violation],
) -> Result<SuiteRun, JudgeError> {
    let ops = ops::pair(history).map_err(|e| JudgeError::Malformed {
        position: e.position(),
        message: e.to_string(),
    })?;
    let checkers = match &cfg.checkers {
        None => None,
        Some(names) => Some(resolve_checkers(names)?),
    };
    let opts = SuiteOptions {
        checkers,
        format: Format::Jsonl,
        lin: LinOptions {
            max_states: Some(cfg.budgets.lin_max_states),
            ..LinOptions::default()
        },
        external: vec![invariants_verdict(violations)],
    };
    Ok(suite::run(&ops, final_state, &opts))
}
