//! One seed run and judged, reduced to what campaigns and the shrinker compare: its verdict, its
//! failure **signature** and a hash of its history.
//!
//! A signature names *how* a run failed: the first checker (in suite order) that found a
//! violation, the kind of its first anomaly, and the mechanisms that changed the replicas of that
//! anomaly's key besides primary delivery (`read-repair`, `hint`, `anti-entropy`, `purge`,
//! `log-replay`) while the anomaly unfolded — between the first and the last operation it cites
//! (the second before it when it cites one operation; the whole run when it cites none). Runs with equal signatures are grouped as one problem; the shrinker keeps a
//! reduction only while the checker and kind stay the same. Pure apart from running the seed.

use super::config::RunConfig;
use super::judge::judge;
use super::run::{run, RunError, RunOutput};
use quorumlab_checkers::{Results, Validity, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use xxhash_rust::xxh3::Xxh3;

/// How a run failed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Signature {
    /// The first checker that found a violation.
    pub checker: String,
    /// The kind of its first anomaly.
    pub kind: String,
    /// Mechanisms that changed the anomaly's key, sorted.
    pub mechanisms: Vec<String>,
}

impl Signature {
    /// `checker/kind` and `via a+b`.
    pub fn describe(&self) -> String {
        if self.mechanisms.is_empty() {
            format!("{}/{}", self.checker, self.kind)
        } else {
            format!(
                "{}/{} via {}",
                self.checker,
                self.kind,
                self.mechanisms.join("+")
            )
        }
    }

    /// Whether `other` is the same failure for the shrinker: same checker and anomaly kind (the
    /// mechanisms may change as the run gets smaller).
    pub fn same_failure(&self, other: &Signature) -> bool {
        self.checker == other.checker && self.kind == other.kind
    }
}

/// The signature of a run's results (`None` when no checker found a violation).
pub fn signature(
    results: &Results,
    history: &[quorumlab_checkers::Event],
    key_mechanisms: &BTreeMap<i64, Vec<(u64, String)>>,
) -> Option<Signature> {
    let verdict = results
        .checkers
        .iter()
        .find(|v| v.valid == Validity::Invalid)?;
    let first = verdict.anomalies.first();
    let mechanisms = match first.and_then(|a| a.key.as_ref().map(|k| (a, k))) {
        Some((anomaly, Value::Int(k))) => {
            let times: Vec<u64> = anomaly
                .ops
                .iter()
                .filter_map(|&i| history.get(i as usize).and_then(|e| e.time))
                .collect();
            let window = match (times.iter().min(), times.iter().max()) {
                (Some(&lo), Some(&hi)) if lo < hi => lo..=hi,
                (Some(&lo), Some(&hi)) => lo.saturating_sub(1_000_000_000)..=hi,
                _ => 0..=u64::MAX,
            };
            let mut names: Vec<String> = key_mechanisms
                .get(k)
                .map(|v| {
                    v.iter()
                        .filter(|(t, _)| window.contains(t))
                        .map(|(_, m)| m.clone())
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            names.dedup();
            names
        }
        _ => Vec::new(),
    };
    Some(Signature {
        checker: verdict.checker.clone(),
        kind: first.map_or_else(|| "invalid".to_string(), |a| a.kind.clone()),
        mechanisms,
    })
}

/// A seed run and judged.
pub struct Outcome {
    /// The run.
    pub output: RunOutput,
    /// Its verdicts.
    pub results: Results,
    /// How it failed, if it did.
    pub signature: Option<Signature>,
    /// xxh3 of its history (as `history.jsonl` bytes), to compare reruns.
    pub history_hash: u64,
}

impl Outcome {
    /// The overall verdict.
    pub fn valid(&self) -> Validity {
        self.results.valid
    }
}

/// Why a seed could not be run or judged.
#[derive(Debug, thiserror::Error)]
pub enum OutcomeError {
    /// The run could not be carried out.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The history could not be judged.
    #[error(transparent)]
    Judge(#[from] super::judge::JudgeError),
}

/// Run `cfg` on the built-in store (recording events when asked) and judge it.
pub fn run_and_judge(cfg: &RunConfig, record_events: bool) -> Result<Outcome, OutcomeError> {
    let output = if record_events {
        super::run::run_with(cfg, true)?
    } else {
        run(cfg)?
    };
    judge_output(output)
}

/// Judge a run's output with its configured checkers.
pub fn judge_output(output: RunOutput) -> Result<Outcome, OutcomeError> {
    let verdict = judge(
        &output.config,
        &output.history,
        output.final_state.as_ref(),
        &output.violations,
    )?;
    let signature = signature(&verdict.results, &output.history, &output.key_mechanisms);
    let history_hash = history_hash(&output.history);
    Ok(Outcome {
        output,
        results: verdict.results,
        signature,
        history_hash,
    })
}

/// xxh3 of a history's `history.jsonl` bytes.
pub fn history_hash(history: &[quorumlab_checkers::Event]) -> u64 {
    let mut bytes = Vec::new();
    let _ = quorumlab_checkers::jsonl::write_jsonl(&mut bytes, history);
    let mut h = Xxh3::new();
    h.update(&bytes);
    h.digest()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorumlab_checkers::{Anomaly, Verdict};

    #[test]
    fn the_signature_is_the_first_invalid_checker_and_its_key_mechanisms() {
        let bad = Verdict::from_anomalies(
            "stale-read",
            vec![Anomaly {
                kind: "stale-read".into(),
                key: Some(Value::Int(3)),
                ops: vec![0, 1],
                explanation: "x".into(),
            }],
        );
        let results = Results::compose(vec![Verdict::from_anomalies("linearizable", vec![]), bad]);
        let mech: BTreeMap<i64, Vec<(u64, String)>> = [(
            3,
            vec![(5, "hint".to_string()), (50, "anti-entropy".to_string())],
        )]
        .into();
        let event = |index: u64, time: u64| quorumlab_checkers::Event {
            index,
            time: Some(time),
            process: quorumlab_checkers::Process::Client(0),
            kind: quorumlab_checkers::EventType::Invoke,
            f: "read".into(),
            key: Some(Value::Int(3)),
            value: Value::Null,
            ts: None,
            node: None,
            error: None,
        };
        let history = vec![event(0, 1), event(1, 10)];
        let sig = signature(&results, &history, &mech).unwrap();
        assert_eq!(
            sig.describe(),
            "stale-read/stale-read via hint",
            "only what touched the key while the anomaly unfolded"
        );
        let valid = Results::compose(vec![Verdict::from_anomalies("linearizable", vec![])]);
        assert_eq!(signature(&valid, &history, &mech), None);
        let other = Signature {
            mechanisms: vec![],
            ..sig.clone()
        };
        assert!(sig.same_failure(&other));
    }
}
