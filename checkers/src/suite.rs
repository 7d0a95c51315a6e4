//! The checker suite: which checkers run on a history, running them, composing their verdicts
//! Jepsen-style (invalid beats unknown beats valid), and the human rendering of the results.
//!
//! Names, in suite order: `linearizable`, `monotonic-reads`, `stale-read` (alias
//! `read-your-writes`), `lost-writes`, `phantom`, `resurrection`, `convergence`, `invariants`.
//! Defaults: for our own `jsonl` histories every checker but `invariants`, except that
//! `convergence` is skipped (with a note) when there is no `final.json` — `lost-writes` then falls
//! back to the reads that followed every write; for Jepsen formats only `linearizable` (their
//! histories carry no store timestamps and no replica snapshot, and Knossos's question is
//! linearizability). A checker asked for explicitly always runs and says `unknown` when it lacks
//! data. The linear checkers apply to `register`/`cas-register` histories; under another model they
//! report `unknown`. Where a read of `nil` is a wildcard (jepsen-edn), reads of `nil` are left out
//! of the linear checkers, which would otherwise take them for "absent".
//!
//! `invariants` is not computed here: the harness checks its invariants during the simulation and
//! hands the verdict in ([`SuiteOptions::external`]); external verdicts take their place in suite
//! order. Asked for (`--checkers invariants`) but not supplied, it is `unknown` ("invariants are
//! checked during a run"); by default an unsupplied `invariants` is simply not run.
//!
//! Like Jepsen's `check-safe`, a checker that panics does not crash the suite: its verdict is
//! `unknown` with the panic's message ([`guarded`]).

use crate::checks::index::by_key;
use crate::checks::{convergence, lost_writes, monotonic_reads, phantom, resurrection, stale_read};
use crate::final_state::FinalState;
use crate::format::Format;
use crate::lin::{self, LinOptions, ModelKind, NilRead};
use crate::ops::{Op, Outcome};
use crate::verdict::{Results, Verdict};
use std::cell::OnceCell;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The verdict the harness computes itself, during the run.
pub const INVARIANTS: &str = "invariants";

/// Every checker name, in the order they run.
pub const CHECKERS: [&str; 8] = [
    "linearizable",
    monotonic_reads::NAME,
    stale_read::NAME,
    lost_writes::NAME,
    phantom::NAME,
    resurrection::NAME,
    convergence::NAME,
    INVARIANTS,
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
    /// Verdicts computed elsewhere (e.g. `invariants`, by the harness during the run), composed
    /// into the results in suite order when their checker is selected (by default: always). A
    /// supplied verdict stands for its checker (the suite does not compute that one); verdicts
    /// whose checker is not one of [`CHECKERS`] are ignored.
    pub external: Vec<Verdict>,
}

impl SuiteOptions {
    /// The defaults for `format`: default checkers, default linearizability options, no external
    /// verdicts.
    pub fn new(format: Format) -> SuiteOptions {
        SuiteOptions {
            checkers: None,
            format,
            lin: LinOptions::default(),
            external: Vec::new(),
        }
    }
}

/// The outcome of a suite run.
#[derive(Clone, Debug)]
pub struct SuiteRun {
    /// The composed verdicts of the checkers that ran.
    pub results: Results,
    /// Checkers skipped by default, with the reason.
    pub skipped: Vec<(&'static str, String)>,
}

/// A `--checkers` list that names no checker we know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// A name that is not a checker (quoted and cut).
    #[error("unknown checker {name} (known: {known}, read-your-writes)")]
    Unknown {
        /// The name given.
        name: String,
        /// The known names.
        known: String,
    },
    /// The list is empty.
    #[error("no checker named")]
    Empty,
}

/// Parse a comma-separated list of checker names (aliases allowed) into canonical names, in the
/// suite's order, without repeats.
pub fn resolve(list: &str) -> Result<Vec<&'static str>, ResolveError> {
    let mut wanted = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let canonical = match name {
            stale_read::ALIAS => stale_read::NAME,
            "linearizability" => "linearizable",
            other => CHECKERS
                .iter()
                .copied()
                .find(|c| *c == other)
                .ok_or_else(|| ResolveError::Unknown {
                    name: crate::error::quoted(other),
                    known: CHECKERS.join(", "),
                })?,
        };
        wanted.push(canonical);
    }
    if wanted.is_empty() {
        return Err(ResolveError::Empty);
    }
    Ok(CHECKERS
        .iter()
        .copied()
        .filter(|c| wanted.contains(c))
        .collect())
}

/// The default checkers for a format, and those skipped with the reason. `invariants` is never
/// among them: it runs by default only when its verdict is supplied.
pub fn defaults(
    format: Format,
    has_final: bool,
) -> (Vec<&'static str>, Vec<(&'static str, String)>) {
    let computed = || CHECKERS.iter().copied().filter(|&c| c != INVARIANTS);
    match format {
        Format::Jsonl if has_final => (computed().collect(), Vec::new()),
        Format::Jsonl => (
            computed().filter(|&c| c != convergence::NAME).collect(),
            vec![(
                convergence::NAME,
                "no final.json (lost-writes uses the final reads instead)".to_string(),
            )],
        ),
        _ => (vec!["linearizable"], Vec::new()),
    }
}

/// Run `check` as checker `name`; a panic becomes an `unknown` verdict with the panic's message
/// (Jepsen's `check-safe`).
pub fn guarded(name: &str, check: impl FnOnce() -> Verdict) -> Verdict {
    catch_unwind(AssertUnwindSafe(check)).unwrap_or_else(|payload| {
        Verdict::unknown(
            name,
            format!(
                "the checker panicked: {}",
                lin::runner::panic_message(payload.as_ref())
            ),
        )
    })
}

/// Run the selected checkers on paired operations and an optional final snapshot.
pub fn run(ops: &[Op], final_state: Option<&FinalState>, opts: &SuiteOptions) -> SuiteRun {
    let (names, skipped) = match &opts.checkers {
        Some(names) => (names.clone(), Vec::new()),
        None => {
            let (mut names, skipped) = defaults(opts.format, final_state.is_some());
            // Supplied verdicts run by default.
            for v in &opts.external {
                if let Some(&name) = CHECKERS.iter().find(|&&c| c == v.checker) {
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
            let order = |n: &&str| CHECKERS.iter().position(|c| c == n);
            names.sort_by_key(order);
            (names, skipped)
        }
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
    let index = OnceCell::new();
    let verdicts = names
        .iter()
        .map(|&name| {
            if let Some(v) = opts.external.iter().find(|v| v.checker == name) {
                return v.clone();
            }
            if name == INVARIANTS {
                return Verdict::unknown(
                    name,
                    "invariants are checked during a run (see the run's results.json)",
                );
            }
            if name == "linearizable" {
                return guarded(name, || lin::check(ops, &opts.lin));
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
            guarded(name, || {
                if name == convergence::NAME {
                    return convergence::check(final_state);
                }
                // One per-key index for every linear checker (built by the first that runs).
                let keys = index.get_or_init(|| by_key(linear));
                match name {
                    monotonic_reads::NAME => monotonic_reads::check_keys(linear, keys),
                    stale_read::NAME => stale_read::check_keys(linear, keys),
                    lost_writes::NAME => lost_writes::check_keys(linear, keys, final_state),
                    phantom::NAME => phantom::check_keys(linear, keys, final_state, init),
                    _ => resurrection::check_keys(linear, keys, final_state),
                }
            })
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
        assert!(resolve("bogus").unwrap_err().to_string().contains("bogus"));
        assert!(resolve(" , ").is_err());
        assert_eq!(
            resolve("invariants,resurrection").unwrap(),
            vec!["resurrection", "invariants"]
        );
        let long = "x".repeat(100_000);
        assert!(resolve(&long).unwrap_err().to_string().len() < 300);
    }

    #[test]
    fn defaults_depend_on_format_and_final_state() {
        let (all, _) = defaults(Format::Jsonl, true);
        assert_eq!(all.len(), 7);
        assert!(all.contains(&"resurrection") && !all.contains(&"invariants"));
        let (names, skipped) = defaults(Format::Jsonl, false);
        assert!(!names.contains(&"convergence"));
        assert_eq!(skipped[0].0, "convergence");
        assert_eq!(defaults(Format::JepsenEdn, true).0, vec!["linearizable"]);
    }

    #[test]
    fn a_panicking_checker_is_unknown_with_its_message() {
        let v = guarded("phantom", || panic!("index out of bounds: the len is 1"));
        assert_eq!(v.valid, Validity::Unknown);
        assert_eq!(v.checker, "phantom");
        assert!(v.notes[0].contains("index out of bounds"), "{:?}", v.notes);
        let v = guarded("phantom", || Verdict::from_anomalies("phantom", vec![]));
        assert_eq!(v.valid, Validity::Valid);
    }

    #[test]
    fn external_verdicts_take_their_place_in_suite_order() {
        let mut opts = SuiteOptions::new(Format::Jsonl);
        let names = |run: &SuiteRun| -> Vec<String> {
            run.results
                .checkers
                .iter()
                .map(|v| v.checker.clone())
                .collect()
        };
        // Not supplied: not run by default, unknown when asked for.
        let run1 = run(&[], None, &opts);
        assert!(!names(&run1).contains(&"invariants".to_string()));
        opts.checkers = Some(vec!["invariants"]);
        let run2 = run(&[], None, &opts);
        assert_eq!(run2.results.valid, Validity::Unknown);
        assert!(run2.results.checkers[0].notes[0].contains("checked during a run"));
        // Supplied: composed in suite order, by default and when asked for.
        let bad = Verdict::from_anomalies(
            "invariants",
            vec![crate::verdict::Anomaly {
                kind: "invariant".into(),
                key: None,
                ops: vec![],
                explanation: "two coordinators".into(),
            }],
        );
        opts.external = vec![bad];
        let run3 = run(&[], None, &opts);
        assert_eq!(run3.results.valid, Validity::Invalid);
        opts.checkers = None;
        let run4 = run(&[], None, &opts);
        assert_eq!(names(&run4).last().map(String::as_str), Some("invariants"));
        assert_eq!(run4.results.valid, Validity::Invalid);
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
