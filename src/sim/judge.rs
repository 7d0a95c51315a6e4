//! The verdict on a run: every checker of the suite over the run's history and final snapshot,
//! plus the invariants checked while it ran. Our histories read `null` literally (absent), and
//! the register starts absent.

use super::config::RunConfig;
use super::invariants::Violation;
use quorumlab_checkers::final_state::FinalState;
use quorumlab_checkers::format::Format;
use quorumlab_checkers::lin::LinOptions;
use quorumlab_checkers::suite::{self, SuiteOptions, SuiteRun};
use quorumlab_checkers::{ops, Anomaly, Event, Value, Verdict};
use std::time::Duration;

/// The checker name under which invariant violations are reported.
pub const INVARIANTS: &str = "invariants";

/// The search budget of the linearizability checker on one run; past it the verdict is unknown.
pub const LIN_TIME_LIMIT: Duration = Duration::from_secs(60);

/// Why a recorded history cannot be judged (never the case for one the harness recorded).
#[derive(Debug, thiserror::Error)]
#[error("history event {position}: {message}")]
pub struct MalformedHistory {
    /// Position of the offending event.
    pub position: usize,
    /// What is wrong.
    pub message: String,
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
/// none are named), and the invariants verdict.
pub fn judge(
    cfg: &RunConfig,
    history: &[Event],
    final_state: &FinalState,
    violations: &[Violation],
) -> Result<SuiteRun, MalformedHistory> {
    let ops = ops::pair(history).map_err(|e| MalformedHistory {
        position: e.position,
        message: e.message,
    })?;
    let with_invariants = cfg
        .checkers
        .as_ref()
        .is_none_or(|names| names.iter().any(|n| n == INVARIANTS));
    let others: Option<Vec<&str>> = cfg.checkers.as_ref().map(|names| {
        names
            .iter()
            .map(String::as_str)
            .filter(|n| *n != INVARIANTS)
            .collect()
    });
    let wanted = match others {
        None => None,
        Some(names) if names.is_empty() => Some(Vec::new()),
        Some(names) => Some(
            suite::resolve(&names.join(",")).map_err(|e| MalformedHistory {
                position: 0,
                message: e.to_string(),
            })?,
        ),
    };
    let opts = SuiteOptions {
        checkers: wanted,
        format: Format::Jsonl,
        lin: LinOptions {
            time_limit: Some(LIN_TIME_LIMIT),
            ..LinOptions::default()
        },
    };
    let mut run = suite::run(&ops, Some(final_state), &opts);
    if with_invariants {
        let mut checkers = std::mem::take(&mut run.results.checkers);
        checkers.push(invariants_verdict(violations));
        run.results = quorumlab_checkers::Results::compose(checkers);
    }
    Ok(run)
}
