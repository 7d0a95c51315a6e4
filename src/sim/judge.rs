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

/// Resolve checker names (aliases allowed; `invariants` included): the suite's checkers and
/// whether the invariants are wanted.
pub fn resolve_checkers(names: &[String]) -> Result<(Vec<&'static str>, bool), String> {
    let invariants = names.iter().any(|n| n.trim() == INVARIANTS);
    let others: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty() && *n != INVARIANTS)
        .collect();
    if others.is_empty() {
        return if invariants {
            Ok((Vec::new(), true))
        } else {
            Err("no checker named".to_string())
        };
    }
    let resolved = suite::resolve(&others.join(",")).map_err(|e| e.to_string())?;
    Ok((resolved, invariants))
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
    let (wanted, with_invariants) = match &cfg.checkers {
        None => (None, true),
        Some(names) => {
            let (resolved, inv) = resolve_checkers(names).map_err(|message| MalformedHistory {
                position: 0,
                message,
            })?;
            (Some(resolved), inv)
        }
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
