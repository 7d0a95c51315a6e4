//! Issue 8 on the run side: bad input to `quorumlab run` and `quorumlab fuzz` never panics,
//! never hangs, and always gets one well-formed message with exit code 2.
//!
//! Thousands of adversarial inputs go through the library entry point [`cli::main_with`] in
//! process: argument vectors (bad numbers, overflow, negative, reversed ranges, empty, unicode,
//! control characters, 1 MB values, unknown enums, repeated and conflicting flags, `--flag=value`
//! forms) for `run` and `fuzz`, and files — the shipped TOML schedules, their JSON form and a real
//! `run.json`, mutated (truncated, bytes flipped, invalid UTF-8, huge numbers, deep nesting,
//! duplicated and swapped lines, unknown keys, nodes and faults) — under plain, long and
//! control-character paths. Properties:
//! - no panic (`catch_unwind`), no hang (a watchdog whose deadline only detects a hang);
//! - exit code 0, 1 or 2 — [`Mode::Validate`] (build and check everything, simulate nothing):
//!   0 or 2;
//! - a refusal is one line of fewer than 600 bytes without control characters; when a file was
//!   at fault, it names the file (as [`show::path`] shows it) and a line inside the file;
//! - the work of an accepted input is bounded, by count: a sample of accepted `run` inputs is
//!   executed with `--ops 8` added, and the history it writes holds at most
//!   `2 × (ops + keys + clients)` lines.
//!
//! The default run is CI-sized (about 4 000 inputs); `cargo test --release --test
//! run_bad_input -- --ignored --nocapture` runs about 400 000 and prints the count.

mod run_bad_input_support;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use quorumlab::cli::{main_with, Mode};
use quorumlab::sim::config::RunConfig;
use quorumlab::sim::plan::{FaultPlan, Plan};
use quorumlab::sim::show;
use run_bad_input_support::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Inputs tried by this process.
static TRIED: AtomicU64 = AtomicU64::new(0);
/// Inputs accepted (exit 0 in Validate mode).
static ACCEPTED: AtomicU64 = AtomicU64::new(0);
/// Accepted inputs that were executed (simulated) and their histories counted.
static EXECUTED: AtomicU64 = AtomicU64::new(0);

/// An input not answered within this long is a hang (a detector, not a speed test).
const DEADLINE: Duration = Duration::from_secs(120);
const MAX_MESSAGE_BYTES: usize = 600;

const SCHEDULES: [&str; 10] = [
    "partition-halves",
    "isolate-node",
    "rolling-crash",
    "crash-majority",
    "flaky-network",
    "slow-links",
    "slow-replica",
    "reply-loss",
    "clock-skew",
    "mixed",
];

/// What one invocation did.
#[derive(Debug)]
struct Outcome {
    code: i32,
    stderr: String,
}

/// Run the CLI on `args` (program name added) on a watchdog thread: a panic or a hang is an
/// error naming it.
fn invoke(args: Vec<String>, mode: Mode) -> Result<Outcome, String> {
    TRIED.fetch_add(1, Ordering::Relaxed);
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(move || {
            let mut err = Vec::new();
            let code = main_with(
                std::iter::once("quorumlab".to_string()).chain(args),
                &mut err,
                mode,
            );
            let _ = tx.send(Outcome {
                code,
                stderr: String::from_utf8_lossy(&err).into_owned(),
            });
        })
        .map_err(|e| format!("cannot spawn: {e}"))?;
    match rx.recv_timeout(DEADLINE) {
        Ok(o) => {
            let _ = handle.join();
            Ok(o)
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

/// The file an input was read from, when the input's content is what is being tested.
struct AtFault<'a> {
    path: &'a Path,
    bytes: &'a [u8],
}

/// Check the properties of one outcome; `Err` describes the violation.
fn well_formed(o: &Outcome, mode: Mode, file: Option<AtFault<'_>>) -> Result<(), String> {
    let allowed: &[i32] = match mode {
        Mode::Validate => &[0, 2],
        Mode::Execute => &[0, 1, 2],
    };
    if !allowed.contains(&o.code) {
        return Err(format!("exit code {}: {}", o.code, o.stderr));
    }
    if o.code != 2 {
        if mode == Mode::Validate {
            ACCEPTED.fetch_add(1, Ordering::Relaxed);
        }
        return Ok(());
    }
    let msg = o
        .stderr
        .strip_suffix('\n')
        .ok_or_else(|| format!("no message or no final newline: {:?}", o.stderr))?;
    if msg.contains('\n') || msg.is_empty() {
        return Err(format!("not one line: {msg:?}"));
    }
    if msg.len() >= MAX_MESSAGE_BYTES {
        return Err(format!("message of {} bytes: {}", msg.len(), cut(msg)));
    }
    if msg.chars().any(char::is_control) {
        return Err(format!("control character in {msg:?}"));
    }
    if let Some(f) = file {
        let shown = show::path(f.path);
        let at = msg
            .find(&format!("{shown}:"))
            .ok_or_else(|| format!("does not name {shown}: {msg}"))?;
        let rest = &msg[at + shown.len() + 1..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let line: usize = digits
            .parse()
            .map_err(|_| format!("no line after the file: {msg}"))?;
        let max = f.bytes.iter().filter(|&&b| b == b'\n').count() + 1;
        if !(1..=max).contains(&line) {
            return Err(format!("line {line} outside 1..={max}: {msg}"));
        }
    }
    Ok(())
}

fn cut(s: &str) -> String {
    s.chars().take(300).collect()
}

/// Run `n` cases of `strategy` through `test` with a fixed RNG seed (deterministic).
fn run_property<S: Strategy>(
    n: u32,
    seed: u8,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let config = Config {
        cases: n,
        failure_persistence: None,
        max_shrink_iters: 64,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{e}");
    }
}

fn fail(e: String) -> TestCaseError {
    TestCaseError::fail(e)
}

/// Histories written under `dir` and their line counts.
fn history_lines(dir: &Path) -> Vec<(PathBuf, usize)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_symlink() {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "history.jsonl") {
                let n = std::fs::read(&p).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
                out.push((p, n));
            }
        }
    }
    out
}

/// Execute an accepted `run` vector with `--ops 8` added and check the work it did by count.
fn execute_bounded(mut args: Vec<String>) -> Result<(), TestCaseError> {
    let tmp = tempfile::tempdir().map_err(|e| fail(e.to_string()))?;
    args.extend(["--ops".into(), "8".into(), "--out".into()]);
    args.push(tmp.path().display().to_string());
    // The configuration the run will use, to bound its history.
    let cfg = {
        let mut err = Vec::new();
        if main_with(
            std::iter::once("quorumlab".to_string()).chain(args.iter().cloned()),
            &mut err,
            Mode::Validate,
        ) != 0
        {
            return Ok(()); // `--ops` conflicts with something given: refused, nothing to run
        }
        parse_config(&args)
    };
    let o = invoke(args.clone(), Mode::Execute).map_err(fail)?;
    well_formed(&o, Mode::Execute, None).map_err(|e| fail(format!("{args:?}: {e}")))?;
    if o.code == 2 {
        return Ok(());
    }
    EXECUTED.fetch_add(1, Ordering::Relaxed);
    let Some(cfg) = cfg else { return Ok(()) };
    let w = &cfg.workload;
    let bound = 2 * (w.ops.unwrap_or(0) as usize + w.keys as usize + w.clients);
    let written = history_lines(tmp.path());
    prop_assert_eq!(written.len(), 1, "{:?}: one history expected", args);
    prop_assert!(
        written[0].1 <= bound,
        "{:?}: {} history lines > bound {}",
        args,
        written[0].1,
        bound
    );
    Ok(())
}

/// The configuration `run` builds from `args` (the library's own parser path).
fn parse_config(args: &[String]) -> Option<RunConfig> {
    use clap::Parser;
    #[derive(Parser)]
    struct Wrap {
        #[command(subcommand)]
        c: Sub,
    }
    #[derive(clap::Subcommand)]
    enum Sub {
        Run(Box<quorumlab::cli::run::RunArgs>),
    }
    let w =
        Wrap::try_parse_from(std::iter::once("q").chain(args.iter().map(String::as_str))).ok()?;
    let Sub::Run(a) = w.c;
    a.config().ok()
}

// ---------------------------------------------------------------------------------------------
// Argument vectors.

fn arg_vector(fuzz: bool) -> impl Strategy<Value = Vec<String>> {
    let run_flags = proptest::collection::vec((flag_case(RUN_FLAGS.len()), any::<bool>()), 0..6);
    let fuzz_flags = proptest::collection::vec(flag_case(FUZZ_FLAGS.len()), 0..3);
    let garbage = proptest::option::weighted(0.05, any::<Index>());
    (run_flags, fuzz_flags, garbage).prop_map(move |(flags, extra, garbage)| {
        let values = bad_values();
        let mut args = vec![if fuzz { "fuzz" } else { "run" }.to_string()];
        for (c, good) in &flags {
            if *good {
                let (flag, takes) = RUN_FLAGS[c.flag];
                args.push(flag.to_string());
                if takes {
                    args.push(c.value.get(&good_value(flag)).to_string());
                }
            } else {
                push_flag(&mut args, &RUN_FLAGS, c, &values);
            }
        }
        if fuzz {
            for c in &extra {
                push_flag(&mut args, &FUZZ_FLAGS, c, &values);
            }
        }
        if let Some(g) = garbage {
            args.push(g.get(&values).clone());
        }
        args
    })
}

/// Every case gets a fresh `--out`/`--campaign` in a temporary directory (Validate writes
/// nothing, but a refused input must not either).
fn with_out(mut args: Vec<String>, tmp: &Path, fuzz: bool) -> Vec<String> {
    args.push("--out".into());
    args.push(tmp.join("out").display().to_string());
    if fuzz {
        args.push("--campaign".into());
        args.push(tmp.join("campaign").display().to_string());
    }
    args
}

fn arg_vectors(n: u32, fuzz: bool, execute_every: u64) {
    run_property(n, 1 + u8::from(fuzz), arg_vector(fuzz), |args| {
        let tmp = tempfile::tempdir().map_err(|e| fail(e.to_string()))?;
        let full = with_out(args.clone(), tmp.path(), fuzz);
        let o = invoke(full.clone(), Mode::Validate).map_err(fail)?;
        well_formed(&o, Mode::Validate, None)
            .map_err(|e| fail(format!("{:?}: {e}", cut(&format!("{args:?}")))))?;
        let written = std::fs::read_dir(tmp.path()).map_or(0, |d| d.count());
        prop_assert_eq!(written, 0, "Validate wrote into the temporary directory");
        let accepted = o.code == 0;
        let no_cap = !args
            .iter()
            .any(|a| a.starts_with("--ops") || a.starts_with("--duration"));
        if accepted && !fuzz && no_cap && TRIED.load(Ordering::Relaxed) % execute_every == 0 {
            execute_bounded(args)?;
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Files.

fn manifest(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn nodes5() -> Vec<String> {
    (1..=5).map(|i| format!("n{i}")).collect()
}

/// The seed files: the shipped TOML schedules, their JSON form, and a real `run.json`.
struct Seeds {
    toml: Vec<Vec<u8>>,
    json: Vec<Vec<u8>>,
    run_json: Vec<Vec<u8>>,
}

fn seeds() -> Seeds {
    let mut toml = Vec::new();
    let mut json = Vec::new();
    let mut run_json = Vec::new();
    for name in SCHEDULES {
        let path = manifest(&format!("tests/schedules/{name}.toml"));
        toml.push(std::fs::read(&path).unwrap());
        let s = quorumlab::sim::schedule::load(&path, &nodes5(), 1).unwrap();
        json.push(serde_json::to_vec_pretty(&s).unwrap());
        let mut base = RunConfig::new(1);
        base.workload.ops = Some(20);
        let plan = Plan {
            base,
            faults: FaultPlan::File(path),
            swarm: None,
        };
        run_json.push(serde_json::to_vec_pretty(&plan.for_seed(3).unwrap()).unwrap());
    }
    Seeds {
        toml,
        json,
        run_json,
    }
}

/// Where a case's file goes: a plain name, a long path, or a name with control characters.
fn file_path(dir: &Path, kind: u8, ext: &str) -> PathBuf {
    match kind % 4 {
        0 | 1 => dir.join(format!("case.{ext}")),
        2 => {
            let deep = dir.join("d".repeat(100)).join("e".repeat(100));
            let _ = std::fs::create_dir_all(&deep);
            deep.join(format!("{}.{ext}", "f".repeat(150)))
        }
        _ => dir.join(format!("a\nb\u{1b}[31m\tc.{ext}")),
    }
}

/// Which file flag a case tests.
#[derive(Clone, Copy, Debug)]
enum FileKind {
    Toml,
    Json,
    RunJson,
}

fn file_case() -> impl Strategy<Value = (FileKind, usize, Vec<Mutation>, u8)> {
    (
        prop_oneof![
            Just(FileKind::Toml),
            Just(FileKind::Json),
            Just(FileKind::RunJson)
        ],
        0..SCHEDULES.len(),
        proptest::collection::vec(mutation(), 1..4),
        any::<u8>(),
    )
}

fn files(n: u32, execute_every: u64) {
    let seeds = seeds();
    run_property(n, 3, file_case(), |(kind, i, mutations, path_kind)| {
        let (mut bytes, ext) = match kind {
            FileKind::Toml => (seeds.toml[i].clone(), "toml"),
            FileKind::Json => (seeds.json[i].clone(), "json"),
            FileKind::RunJson => (seeds.run_json[i].clone(), "json"),
        };
        for m in &mutations {
            bytes = apply(bytes, m);
        }
        let tmp = tempfile::tempdir().map_err(|e| fail(e.to_string()))?;
        let path = file_path(tmp.path(), path_kind, ext);
        std::fs::write(&path, &bytes).map_err(|e| fail(e.to_string()))?;
        let flag = if matches!(kind, FileKind::RunJson) {
            "--config"
        } else {
            "--schedule"
        };
        let mut args = vec![
            "run".to_string(),
            flag.to_string(),
            path.display().to_string(),
        ];
        args.extend(["--out".into(), tmp.path().join("out").display().to_string()]);
        let o = invoke(args.clone(), Mode::Validate).map_err(fail)?;
        let at_fault = AtFault {
            path: &path,
            bytes: &bytes,
        };
        well_formed(&o, Mode::Validate, Some(at_fault))
            .map_err(|e| fail(format!("{kind:?} {mutations:?}: {e}")))?;
        if o.code == 0
            && !matches!(kind, FileKind::RunJson)
            && TRIED.load(Ordering::Relaxed) % execute_every == 0
        {
            execute_bounded(args[..3].to_vec())?;
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Tests.

/// What this process tried so far (the tests share the counters).
fn report(what: &str) {
    println!(
        "{what}: {} inputs tried so far in this process, {} accepted, {} executed",
        TRIED.load(Ordering::Relaxed),
        ACCEPTED.load(Ordering::Relaxed),
        EXECUTED.load(Ordering::Relaxed)
    );
}

#[test]
fn adversarial_run_flags_get_one_line_and_exit_2() {
    arg_vectors(1_500, false, 60);
    report("run flags");
}

#[test]
fn adversarial_fuzz_flags_get_one_line_and_exit_2() {
    arg_vectors(1_000, true, u64::MAX);
    report("fuzz flags");
}

#[test]
fn malformed_schedules_and_run_json_name_their_file_and_line() {
    files(1_500, 100);
    report("files");
}

/// The seed files themselves are accepted (otherwise every mutation would be refused for the
/// wrong reason and the properties would test nothing).
#[test]
fn the_unmutated_seed_files_are_accepted() {
    let seeds = seeds();
    let tmp = tempfile::tempdir().unwrap();
    for (kind, all) in [
        ("toml", &seeds.toml),
        ("json", &seeds.json),
        ("run", &seeds.run_json),
    ] {
        for bytes in all {
            let ext = if kind == "toml" { "toml" } else { "json" };
            let path = tmp.path().join(format!("seed.{ext}"));
            std::fs::write(&path, bytes).unwrap();
            let flag = if kind == "run" {
                "--config"
            } else {
                "--schedule"
            };
            let args = vec!["run".into(), flag.into(), path.display().to_string()];
            let o = invoke(args, Mode::Validate).unwrap();
            assert_eq!(o.code, 0, "{kind}: {}", o.stderr);
        }
    }
}

/// The large run: `cargo test --release --test run_bad_input -- --ignored --nocapture` (about
/// 400 000 inputs; `QUORUMLAB_BAD_INPUT_SCALE=P` runs P percent of it).
#[test]
#[ignore]
fn many_adversarial_inputs() {
    let scale: u32 = std::env::var("QUORUMLAB_BAD_INPUT_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    arg_vectors(1_500 * scale, false, 2_000);
    report("large run, run flags");
    arg_vectors(1_000 * scale, true, u64::MAX);
    report("large run, fuzz flags");
    files(1_500 * scale, 5_000);
    report("large run, files");
}
