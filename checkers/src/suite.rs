//! The checker suite: which checkers run on a history, running them, composing their verdicts
//! Jepsen-style (invalid beats unknown beats valid), and the human rendering of the results.
//!
//! Names: `linearizable`, `monotonic-reads`, `stale-read` (alias `read-your-writes`),
//! `lost-writes`, `phantom`, `convergence`. Defaults: for our own `jsonl` histories every checker,
//! except that `convergence` is skipped (with a note) when there is no `final.json` — `lost-writes`
//! then falls back to the reads that followed every write; for Jepsen formats only `linearizable`
//! (their histories carry no store timestamps and no replica snapshot, and Knossos's question is
//! linearizability). A checker asked for explicitly always runs and says `unknown` when it lacks
//! data. The linear checkers apply to `register`/`cas-register` histories; under another model they
//! report `unknown`. Where a read of `nil` is a wildcard (jepsen-edn), reads of `nil` are left out
//! of the linear checkers, which would otherwise take them for "absent".

use crate::checks::{convergence, lost_writes, monotonic_reads, phantom, stale_read};
use crate::final_state::FinalState;
use crate::format::Format;
use crate::lin::{self, LinOptions, ModelKind, NilRead};
use crate::ops::{Op, Outcome};
use crate::verdict::{Results, Verdict};
use std::fmt::Write as _;

/// Every checker name, in the order they run.
pub const CHECKERS: [&str; 6] = [
    "linearizable",
    monotonic_reads::NAME,
    stale_read::NAME,
    lost_writes::NAME,
    phantom::NAME,
    convergence::NAME,
];

/// At most this many anomalies are printed per checker by [`render`].
pub const SHOWN_PER_CHECKER: usize = 10;

/// What to run.
#[derive(Clone, Debug)]
pub struct SuiteOptions {
    /// Checker names (see [`resolve`]); `None` = the defaults for the format.
    pub checkers: Option<Vec<&'static str>>,
    /// The history's format (decides the defaults).
    pub format: Format,
    /// Options of the linearizability checker (model, initial value, nil reads, limits).
    pub lin: LinOptions,
}

/// The outcome of a suite run.
#[derive(Clone, Debug)]
pub struct SuiteRun {
    /// The composed verdicts of the checkers that ran.
    pub results: Results,
    /// Checkers skipped by default, with the reason.
    pub skipped: Vec<(&'static str, String)>,
}

/// Parse a comma-separated list of checker names (aliases allowed) into canonical names, in the
/// suite's order, without repeats.
pub fn resolve(list: &str) -> Result<Vec<&'static str>, String> {
    let mut wanted = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let canonical = match name {
            stale_read::ALIAS => stale_read::NAME,
            "linearizability" => "linearizable",
            other => CHECKERS
                .iter()
                .copied()
                .find(|c| *c == other)
                .ok_or_else(|| {
                    format!(
                        "unknown checker {other:?} (known: {}, read-your-writes)",
                        CHECKERS.join(", ")
                    )
                })?,
        };
        wanted.push(canonical);
    }
    if wanted.is_empty() {
        return Err("no checker named".into());
    }
    Ok(CHECKERS
        .iter()
        .copied()
        .filter(|c| wanted.contains(c))
        .collect())
}

/// The default checkers for a format, and those skipped with the reason.
pub fn defaults(
    format: Format,
    has_final: bool,
) -> (Vec<&'static str>, Vec<(&'static str, String)>) {
    match format {
        Format::Jsonl if has_final => (CHECKERS.to_vec(), Vec::new()),
        Format::Jsonl => (
            CHECKERS[..5].to_vec(),
            vec![(
                convergence::NAME,
                "no final.json (lost-writes uses the final reads instead)".to_string(),
            )],
        ),
        _ => (vec!["linearizable"], Vec::new()),
    }
}

/// Run the selected checkers on paired operations and an optional final snapshot.
pub fn run(ops: &[Op], final_state: Option<&FinalState>, opts: &SuiteOptions) -> SuiteRun {
    let (names, skipped) = match &opts.checkers {
        Some(names) => (names.clone(), Vec::new()),
        None => defaults(opts.format, final_state.is_some()),
    };
    let register = matches!(opts.lin.model, ModelKind::Register | ModelKind::CasRegister);
    let linear_ops: Vec<Op>;
    let linear: &[Op] = if opts.lin.nil_read == NilRead::Wildcard {
        linear_ops = ops
            .iter()
            .filter(|o| !(o.f == "read" && o.outcome == Outcome::Ok && o.value.is_null()))
            .cloned()
            .collect();
        &linear_ops
    } else {
        ops
    };
    let verdicts = names
        .iter()
        .map(|&name| {
            if name == "linearizable" {
                return lin::check(ops, &opts.lin);
            }
            if !register && name != convergence::NAME {
                return Verdict::unknown(
                    name,
                    format!(
                        "{name} applies to read/write register histories, not to model {:?}",
                        opts.lin.model
                    ),
                );
            }
            let init = opts.lin.init.as_ref();
            match name {
                monotonic_reads::NAME => monotonic_reads::check(linear),
                stale_read::NAME => stale_read::check(linear),
                lost_writes::NAME => lost_writes::check(linear, final_state),
                phantom::NAME => phantom::check(linear, final_state, init),
                _ => convergence::check(final_state),
            }
        })
        .collect();
    SuiteRun {
        results: Results::compose(verdicts),
        skipped,
    }
}

/// The human rendering: one line per checker, each anomaly explained (at most
/// [`SHOWN_PER_CHECKER`] per checker), notes, skipped checkers, and the overall verdict.
pub fn render(run: &SuiteRun) -> String {
    let mut out = String::new();
    for v in &run.results.checkers {
        let counts: Vec<String> = v
            .stats
            .iter()
            .filter(|(k, _)| k.as_str() != "anomalies" && k.as_str() != "undecided")
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let total = v
            .stats
            .get("anomalies")
            .copied()
            .unwrap_or(v.anomalies.len() as u64);
        let mut line = format!("{}: {}", v.checker, v.valid);
        if total > 0 {
            let word = if total == 1 { "anomaly" } else { "anomalies" };
            let _ = write!(line, ", {total} {word}");
        }
        if !counts.is_empty() {
            let _ = write!(line, " ({})", counts.join(", "));
        }
        let _ = writeln!(out, "{line}");
        for a in v.anomalies.iter().take(SHOWN_PER_CHECKER) {
            let key = a
                .key
                .as_ref()
                .map(|k| format!(" key {k}"))
                .unwrap_or_default();
            let _ = writeln!(out, "  - {}{key}: {}", a.kind, a.explanation);
        }
        let more = total.saturating_sub(SHOWN_PER_CHECKER.min(v.anomalies.len()) as u64);
        if more > 0 {
            let _ = writeln!(out, "  … and {more} more (see --json)");
        }
        for n in &v.notes {
            let _ = writeln!(out, "  note: {n}");
        }
    }
    for (name, why) in &run.skipped {
        let _ = writeln!(out, "{name}: skipped, {why}");
    }
    let _ = writeln!(out, "verdict: {}", run.results.valid);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Validity;

    #[test]
    fn names_resolve_with_aliases_in_suite_order() {
        assert_eq!(
            resolve("read-your-writes,linearizable,stale-read").unwrap(),
            vec!["linearizable", "stale-read"]
        );
        assert!(resolve("bogus").unwrap_err().contains("bogus"));
        assert!(resolve(" , ").is_err());
    }

    #[test]
    fn defaults_depend_on_format_and_final_state() {
        assert_eq!(defaults(Format::Jsonl, true).0.len(), 6);
        let (names, skipped) = defaults(Format::Jsonl, false);
        assert!(!names.contains(&"convergence"));
        assert_eq!(skipped[0].0, "convergence");
        assert_eq!(defaults(Format::JepsenEdn, true).0, vec!["linearizable"]);
    }

    #[test]
    fn render_caps_anomalies_and_states_the_verdict() {
        let anomalies = (0..15)
            .map(|i| crate::verdict::Anomaly {
                kind: "stale-read".into(),
                key: None,
                ops: vec![i],
                explanation: format!("problem {i}"),
            })
            .collect();
        let run = SuiteRun {
            results: Results::compose(vec![Verdict::from_anomalies("stale-read", anomalies)]),
            skipped: vec![("convergence", "no final.json".into())],
        };
        let text = render(&run);
        assert!(
            text.starts_with("stale-read: INVALID, 15 anomalies"),
            "{text}"
        );
        assert!(
            text.contains("problem 9") && !text.contains("problem 10"),
            "{text}"
        );
        assert!(text.contains("and 5 more"), "{text}");
        assert!(text.contains("convergence: skipped"), "{text}");
        assert!(text.trim_end().ends_with("verdict: INVALID"));
        assert_eq!(run.results.valid, Validity::Invalid);
    }
}
