//! Bad input never panics, never hangs, and always gets one well-formed message.
//!
//! Thousands of malformed inputs per format — mutations of the hand-made histories under
//! `histories/` (truncation, byte flips, deleted, duplicated and swapped lines, huge numbers, deep
//! nesting and chained `#_` discards, invalid UTF-8, huge strings, grammar fragments) and
//! grammar-based garbage (JSON Lines events, EDN operation maps, Jepsen log lines, final.json
//! documents with fields of every type) — go through the entry points `quorumlab check` uses:
//! [`load::history`] (decode, parse, split keys, check functions, pair), [`load::final_state`],
//! and, on whatever parses, [`suite::run`] with every checker. Properties:
//! - no panic (a checker panic caught by [`suite::guarded`] counts as one) and no hang (each
//!   input runs on a watchdog thread with a deadline);
//! - an error names the file, is one line, and its line is within the input's line count;
//! - every echoed piece of input is cut (messages stay short).
//!
//! The default run is CI-sized (a few seconds); `cargo test -p quorumlab-checkers --test
//! bad_input -- --ignored --nocapture` runs the large one and prints how many inputs it tried.

mod bad_input_support;

use bad_input_support::{
    all_seeds, apply, edn_garbage, final_garbage, jsonl_garbage, log_garbage, mutated_seed,
    mutation, seeds, small_seeds, Mutation, MODELS,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use quorumlab_checkers::final_state::FinalState;
use quorumlab_checkers::format::Format;
use quorumlab_checkers::lin::{LinOptions, ModelKind, NilRead};
use quorumlab_checkers::ops::Op;
use quorumlab_checkers::suite::{self, SuiteOptions, CHECKERS};
use quorumlab_checkers::{load, InputError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Inputs tried by this process (each input under each format counts once).
static TRIED: AtomicU64 = AtomicU64::new(0);

/// An input that takes longer than this is a hang.
const DEADLINE: Duration = Duration::from_secs(20);

/// No message is longer than this (error.rs caps messages at 400 characters plus the prefix).
const MAX_MESSAGE_BYTES: usize = 1_600;

const FORMATS: [Format; 3] = [Format::Jsonl, Format::JepsenEdn, Format::JepsenLog];

/// Run `f` on a watchdog thread: a panic or a hang is an error with the reason.
fn watched<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        // Smaller than a main thread's 8 MiB: unbounded recursion shows up sooner.
        .stack_size(1 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| format!("cannot spawn: {e}"))?;
    match rx.recv_timeout(DEADLINE) {
        Ok(v) => {
            let _ = handle.join();
            Ok(v)
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("hang: no answer in {DEADLINE:?}")),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(match handle.join() {
            Err(p) => format!(
                "panic: {}",
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            ),
            Ok(()) => "the worker ended without an answer".into(),
        }),
    }
}

/// The error is `name:line: problem`, one line, short, with the line inside the input.
fn well_formed(e: &InputError, name: &str, bytes: &[u8]) -> Result<(), String> {
    let max_line = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    let shown = e.to_string();
    if e.file != name {
        return Err(format!("names {:?}, not {name:?}: {shown}", e.file));
    }
    if !(1..=max_line).contains(&e.line) {
        return Err(format!("line {} outside 1..={max_line}: {shown}", e.line));
    }
    if !shown.starts_with(&format!("{name}:{}: ", e.line)) || shown.contains('\n') {
        return Err(format!("not one `file:line: problem` line: {shown:?}"));
    }
    if e.message.is_empty() || shown.len() > MAX_MESSAGE_BYTES {
        return Err(format!("empty or long message ({} bytes)", shown.len()));
    }
    Ok(())
}

/// No checker panicked behind [`suite::guarded`] or in a worker thread.
fn no_caught_panic(run: &suite::SuiteRun) -> Result<(), String> {
    for v in &run.results.checkers {
        if let Some(n) = v.notes.iter().find(|n| n.contains("panicked")) {
            return Err(format!("{}: {n}", v.checker));
        }
    }
    Ok(())
}

/// Every checker, with small deterministic limits so that no input takes long.
fn suite_options(format: Format, model: ModelKind) -> SuiteOptions {
    SuiteOptions {
        checkers: Some(CHECKERS.to_vec()),
        lin: LinOptions {
            model,
            nil_read: if format == Format::JepsenEdn {
                NilRead::Wildcard
            } else {
                NilRead::Literal
            },
            max_states: Some(20_000),
            max_cache: Some(20_000),
            threads: 1,
            ..LinOptions::default()
        },
        ..SuiteOptions::new(format)
    }
}

/// Load `bytes` as a history in `format` under `model` and check whatever parses.
fn history_case(
    format: Format,
    model: ModelKind,
    bytes: Vec<u8>,
    final_state: Option<FinalState>,
) -> Result<(), String> {
    TRIED.fetch_add(1, Ordering::Relaxed);
    let copy = bytes.clone();
    watched(move || -> Result<(), String> {
        match load::history(format, "h", bytes, model) {
            Ok(loaded) => {
                let run = suite::run(
                    &loaded.ops,
                    final_state.as_ref(),
                    &suite_options(format, model),
                );
                no_caught_panic(&run)
            }
            Err(e) => well_formed(&e, "h", &copy),
        }
    })
    .and_then(|r| r)
}

/// Load `bytes` as final.json and, when it parses, check `ops` against it.
fn final_case(bytes: Vec<u8>, ops: Vec<Op>) -> Result<(), String> {
    TRIED.fetch_add(1, Ordering::Relaxed);
    let copy = bytes.clone();
    watched(move || -> Result<(), String> {
        match load::final_state("final.json", bytes) {
            Ok(fs) => {
                let run = suite::run(
                    &ops,
                    Some(&fs),
                    &suite_options(Format::Jsonl, ModelKind::Register),
                );
                no_caught_panic(&run)
            }
            Err(e) => well_formed(&e, "final.json", &copy),
        }
    })
    .and_then(|r| r)
}

fn run_property<S: Strategy>(
    cases: u32,
    random: bool,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), String>,
) where
    S::Value: std::fmt::Debug,
{
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    };
    let mut runner = if random {
        TestRunner::new(config)
    } else {
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
    };
    let result = runner.run(&strategy, |v| {
        test(v).map_err(|why| TestCaseError::fail(why.chars().take(2_000).collect::<String>()))
    });
    if let Err(e) = result {
        let shown: String = e.to_string().chars().take(4_000).collect();
        panic!("{shown}");
    }
}

// ---------------------------------------------------------------------------------------------
// The properties.

fn mutated_histories(cases: u32, random: bool, pool: Vec<usize>) {
    run_property(cases, random, mutated_seed(pool), |(i, muts, m)| {
        let seed = &seeds()[i];
        let bytes = apply(seed.bytes.clone(), &muts);
        let final_state = seed
            .final_json
            .clone()
            .and_then(|f| load::final_state("final.json", f).ok());
        // The seed's own format and model, then every format under a varied model.
        history_case(seed.format, seed.model, bytes.clone(), final_state.clone())?;
        for format in FORMATS {
            history_case(format, MODELS[m], bytes.clone(), final_state.clone())?;
        }
        Ok(())
    });
}

fn grammar_histories(cases: u32, random: bool) {
    let garbage = prop_oneof![jsonl_garbage(), edn_garbage(), log_garbage()];
    run_property(
        cases,
        random,
        (
            garbage,
            0..MODELS.len(),
            prop::collection::vec(mutation(), 0..2),
        ),
        |(bytes, m, muts)| {
            let bytes = apply(bytes, &muts);
            for format in FORMATS {
                history_case(format, MODELS[m], bytes.clone(), None)?;
            }
            Ok(())
        },
    );
}

fn final_states(cases: u32, random: bool) {
    let finals: Vec<usize> = (0..seeds().len())
        .filter(|&i| seeds()[i].final_json.is_some())
        .collect();
    let mutated = (
        prop::sample::select(finals),
        prop::collection::vec(mutation(), 1..4),
    )
        .prop_map(|(i, muts)| {
            let seed = &seeds()[i];
            let bytes = apply(seed.final_json.clone().unwrap_or_default(), &muts);
            (i, bytes)
        });
    let grammar = (0..seeds().len(), final_garbage());
    run_property(
        cases,
        random,
        prop_oneof![mutated, grammar],
        |(i, bytes)| {
            let seed = &seeds()[i];
            let ops = load::history(seed.format, "h", seed.bytes.clone(), seed.model)
                .map(|l| l.ops)
                .unwrap_or_default();
            final_case(bytes, ops)
        },
    );
}

#[test]
fn mutated_histories_never_panic_and_errors_are_well_formed() {
    mutated_histories(600, false, small_seeds());
}

#[test]
fn grammar_garbage_histories_never_panic_and_errors_are_well_formed() {
    grammar_histories(600, false);
}

#[test]
fn final_json_garbage_never_panics_and_errors_are_well_formed() {
    final_states(600, false);
}

#[test]
fn the_seeds_themselves_load() {
    for s in seeds() {
        let loaded = load::history(s.format, "h", s.bytes.clone(), s.model);
        assert!(loaded.is_ok(), "{:?}", loaded.err());
        if let Some(f) = &s.final_json {
            assert!(load::final_state("final.json", f.clone()).is_ok());
        }
    }
    // The mutations do change their input.
    let base = b"{\"a\":1}\n{\"b\":2}\n".to_vec();
    assert_ne!(apply(base.clone(), &[Mutation::DeleteLine(0)]), base);
    assert_ne!(apply(base.clone(), &[Mutation::SwapLines(0, 1)]), base);
    assert_ne!(apply(base.clone(), &[Mutation::HugeNumber(0)]), base);
    assert_eq!(apply(base.clone(), &[Mutation::Truncate(3)]), b"{\"a");
}

/// The large run: `cargo test --release -p quorumlab-checkers --test bad_input -- --ignored
/// --nocapture`. Prints the number of inputs tried.
#[test]
#[ignore]
fn many_bad_inputs() {
    let n: u32 = std::env::var("BAD_INPUT_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let start = std::time::Instant::now();
    mutated_histories(n, true, all_seeds());
    grammar_histories(n, true);
    final_states(n, true);
    println!(
        "bad_input: {} inputs tried in {:.0?}, 0 panics, 0 hangs",
        TRIED.load(Ordering::Relaxed),
        start.elapsed()
    );
}
