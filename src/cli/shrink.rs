//! `quorumlab shrink DIR`: reduce a failing run while it fails the same way (see
//! [`crate::shrink`]), write the reduced run directory and print the reduction and the replay
//! command.
//!
//! DIR is a run directory (`quorumlab run`), a campaign failure directory
//! (`<campaign>/failures/<seed>/`) or a `run.json` file. Order of work: the input is read and
//! validated and the output directory prepared (so bad input or an unwritable `--out` is
//! reported before any simulation), the original re-run (a run that does not fail is bad input),
//! the run shrunk, and the result recorded (with events) and committed whole. Exit 1: the reduced
//! run fails (as the original did); 2: bad input or error.

use super::run_args::replay_command;
use crate::shrink::oracle::{found, SimOracle};
use crate::shrink::{shrink, Change, Options, Shrunk, Size};
use crate::sim::config::RunConfig;
use crate::sim::outcome::run_and_judge;
use crate::sim::rundir::{RunDir, RunFiles};
use clap::Args;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Arguments of `quorumlab shrink`.
#[derive(Args, Debug, Clone)]
pub struct ShrinkArgs {
    /// A failing run: its directory, a campaign failure directory, or its run.json.
    #[arg(value_name = "DIR")]
    input: PathBuf,
    /// Write the reduced run directory here [default: DIR-shrunk, beside DIR].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Simulations at most, the original's re-run included (a work budget, not a time limit).
    #[arg(long, value_name = "N", default_value_t = 200,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    max_runs: u64,
    /// No progress lines (only the result).
    #[arg(long)]
    quiet: bool,
}

/// Run `quorumlab shrink`; returns the exit code.
pub fn run(args: ShrinkArgs) -> i32 {
    match shrink_command(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("quorumlab shrink: {e}");
            2
        }
    }
}

fn shrink_command(args: &ShrinkArgs) -> Result<i32, String> {
    let (file, cfg) = read_input(&args.input)?;
    let out = match &args.out {
        Some(o) => o.clone(),
        None => default_out(&args.input, &file),
    };
    let (parent, leaf) = split_out(&out)?;
    let dir = RunDir::prepare_named(&parent, &leaf)
        .map_err(|e| format!("cannot write the reduced run under {}: {e}", out.display()))?;
    let shown = file.display().to_string();
    let outcome = run_and_judge(&cfg, false).map_err(|e| format!("{shown}: {e}"))?;
    let Some(original) = found(outcome) else {
        return Err(format!(
            "{shown}: the run does not fail (no checker found a violation): nothing to shrink"
        ));
    };
    if !args.quiet {
        println!(
            "shrinking {shown}: {} (at most {} runs)",
            original.signature.describe(),
            args.max_runs
        );
    }
    let mut oracle = SimOracle {
        target: original.signature.clone(),
    };
    let options = Options {
        max_runs: args.max_runs,
    };
    let quiet = args.quiet;
    let shrunk = shrink(original, &mut oracle, options, &mut |c: &Change| {
        if !quiet {
            println!("  {}", progress_line(c));
        }
    });
    // Record the result with its events, exactly as `quorumlab run --config` would replay it.
    let outcome = run_and_judge(&shrunk.best.config, true)
        .map_err(|e| format!("recording the reduced run: {e}"))?;
    let same = outcome
        .signature
        .as_ref()
        .is_some_and(|s| s.same_failure(&shrunk.original.signature));
    if !same {
        return Err(format!(
            "recording the reduced run gave another verdict ({}): the run is not deterministic",
            outcome
                .signature
                .as_ref()
                .map_or("valid".to_string(), |s| s.describe())
        ));
    }
    let o = &outcome.output;
    let files = RunFiles::of(o, Some(&outcome.results));
    let target = dir
        .commit(&files)
        .map_err(|e| format!("{}: {e}", out.display()))?;
    print!("{}", report(&shrunk, args.max_runs));
    println!("run directory: {}", target.display());
    println!("replay: {}", replay_command(&target));
    Ok(outcome.results.valid.exit_code())
}

/// The run.json of `input` and its configuration.
fn read_input(input: &Path) -> Result<(PathBuf, RunConfig), String> {
    let file = if input.is_dir() {
        let f = input.join("run.json");
        if !f.is_file() {
            return Err(format!(
                "{}: no run.json in this directory (give a run directory, a campaign failure \
                 directory or a run.json file)",
                input.display()
            ));
        }
        f
    } else if input.is_file() {
        input.to_path_buf()
    } else {
        return Err(format!("{}: no such file or directory", input.display()));
    };
    let shown = file.display().to_string();
    let bytes = std::fs::read(&file).map_err(|e| format!("{shown}: {e}"))?;
    let cfg = RunConfig::from_json_bytes(&shown, &bytes).map_err(|e| e.to_string())?;
    Ok((file, cfg))
}

/// `<DIR>-shrunk` beside the run directory (for a `run.json` file: beside its directory; for
/// another file `x.json`: `x-shrunk` beside it).
fn default_out(input: &Path, file: &Path) -> PathBuf {
    let dir_of_run = if input.is_dir() {
        input.to_path_buf()
    } else if file.file_name().is_some_and(|n| n == "run.json") {
        file.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("run");
        return file.with_file_name(format!("{stem}-shrunk"));
    };
    let absolute = std::path::absolute(&dir_of_run).unwrap_or(dir_of_run);
    let absolute: PathBuf = absolute.components().collect();
    match (
        absolute.parent(),
        absolute.file_name().and_then(|n| n.to_str()),
    ) {
        (Some(parent), Some(name)) => parent.join(format!("{name}-shrunk")),
        _ => PathBuf::from("run-shrunk"),
    }
}

/// `--out` as a parent and a directory name.
fn split_out(out: &Path) -> Result<(PathBuf, String), String> {
    let leaf = out
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("--out {}: needs a directory name", out.display()))?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, leaf.to_string()))
}

fn secs(ns: u64) -> String {
    format!("{:.1} s", ns as f64 / 1e9)
}

/// "faults 14 → 2, ops 1000 → 120 (runs 23)".
fn progress_line(c: &Change) -> String {
    let (b, a) = (&c.before, &c.after);
    let mut parts = Vec::new();
    let mut dim = |name: &str, x: String, y: String| {
        if x != y {
            parts.push(format!("{name} {x} → {y}"));
        }
    };
    dim("faults", b.faults.to_string(), a.faults.to_string());
    dim("steps", b.steps.to_string(), a.steps.to_string());
    dim("ops", b.ops.to_string(), a.ops.to_string());
    dim("clients", b.clients.to_string(), a.clients.to_string());
    dim("keys", b.keys.to_string(), a.keys.to_string());
    dim("nodes", b.nodes.to_string(), a.nodes.to_string());
    dim("simulated time", secs(b.sim_ns), secs(a.sim_ns));
    format!(
        "{:<8} {} (runs {})",
        format!("{}:", c.pass),
        parts.join(", "),
        c.runs
    )
}

/// The reduction table.
fn report(s: &Shrunk, max_runs: u64) -> String {
    let (b, a) = (Size::of(&s.original), Size::of(&s.best));
    let mut t = String::new();
    let _ = writeln!(
        t,
        "shrunk: {} (the original: {})",
        s.best.signature.describe(),
        s.original.signature.describe()
    );
    let rows = [
        ("faults", b.faults.to_string(), a.faults.to_string()),
        ("schedule steps", b.steps.to_string(), a.steps.to_string()),
        ("ops", b.ops.to_string(), a.ops.to_string()),
        ("clients", b.clients.to_string(), a.clients.to_string()),
        ("keys", b.keys.to_string(), a.keys.to_string()),
        ("nodes", b.nodes.to_string(), a.nodes.to_string()),
        ("simulated time", secs(b.sim_ns), secs(a.sim_ns)),
    ];
    for (name, x, y) in rows {
        let _ = writeln!(t, "  {name:<15} {x:>9} → {y}");
    }
    let _ = writeln!(
        t,
        "  runs used {}/{max_runs}{} (+1 to record the result)",
        s.runs,
        if s.exhausted {
            ", budget spent before a fixpoint"
        } else {
            ""
        }
    );
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_output_is_a_sibling_of_the_run_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let run = tmp.path().join("failures").join("18");
        std::fs::create_dir_all(&run).unwrap();
        let file = run.join("run.json");
        assert_eq!(
            default_out(&run, &file),
            tmp.path().join("failures").join("18-shrunk")
        );
        assert_eq!(
            default_out(&file, &file),
            tmp.path().join("failures").join("18-shrunk")
        );
        let other = tmp.path().join("saved.json");
        assert_eq!(default_out(&other, &other), tmp.path().join("saved-shrunk"));
    }

    #[test]
    fn out_splits_into_parent_and_name() {
        assert_eq!(
            split_out(Path::new("a/b")).unwrap(),
            (PathBuf::from("a"), "b".to_string())
        );
        assert_eq!(
            split_out(Path::new("b")).unwrap(),
            (PathBuf::from("."), "b".to_string())
        );
        assert!(split_out(Path::new("/")).is_err());
    }
}
