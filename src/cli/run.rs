//! `quorumlab run`: one fault-injected run of a cluster, its run directory, its summary and verdict.
//!
//! Order of work: the configuration is built and validated, the run directory prepared (so a bad
//! `--name` or an unwritable `--out` is reported before any simulation), the run simulated and
//! judged, and the directory committed whole. The command that replays the run is always printed.

use super::run_args::replay_command;
pub use super::run_args::{RunArgs, Switch};
use super::Mode;
use crate::sim::judge::judge;
use crate::sim::run::run_with;
use crate::sim::rundir::{RunDir, RunFiles};
use crate::sim::show;
use crate::sim::{summary, trace};
use quorumlab_checkers::suite;
use std::io::Write;

/// Run `quorumlab run`; returns the exit code.
pub fn run(args: RunArgs) -> i32 {
    run_to(args, &mut std::io::stderr(), Mode::Execute)
}

/// Run `quorumlab run` (or only validate its input, see [`Mode`]), error messages to `err`;
/// returns the exit code.
pub fn run_to(args: RunArgs, err: &mut dyn Write, mode: Mode) -> i32 {
    let cfg = match args.config() {
        Ok(cfg) => cfg,
        Err(e) => {
            let _ = writeln!(err, "quorumlab run: {}", super::edge(&e.to_string()));
            return 2;
        }
    };
    let name = args.dir_name(&cfg);
    if let Err(e) = crate::sim::rundir::check_name(&name) {
        let flag = if args.name.is_some() {
            "--name"
        } else {
            "the derived run name (give --name)"
        };
        let _ = writeln!(
            err,
            "quorumlab run: {flag}: {}",
            super::edge(&e.to_string())
        );
        return 2;
    }
    if mode == Mode::Validate {
        return 0;
    }
    let dir = match RunDir::prepare(&args.out, &name, cfg.seed) {
        Ok(dir) => dir,
        Err(e) => {
            let _ = writeln!(
                err,
                "quorumlab run: cannot write the run directory under --out {}: {}",
                show::path(&args.out),
                super::edge(&e.to_string())
            );
            return 2;
        }
    };
    let record = args.events.on();
    let started = std::time::Instant::now();
    let result = if args.trace {
        trace::with_trace(&dir.staging("trace.log"), || run_with(&cfg, record)).unwrap_or_else(
            |e| {
                Err(crate::sim::run::RunError::Config(
                    crate::sim::config::InvalidConfig(format!("trace.log: {e}")),
                ))
            },
        )
    } else {
        run_with(&cfg, record)
    };
    let out = match result {
        Ok(out) => out,
        Err(e) => {
            let _ = writeln!(err, "quorumlab run: {}", super::edge(&e.to_string()));
            return 2;
        }
    };
    let wall = started.elapsed().as_secs_f64();
    print!("{}", summary::render(&out, wall));
    let verdict = match judge(
        &out.config,
        &out.history,
        out.final_state.as_ref(),
        &out.violations,
    ) {
        Ok(v) => v,
        Err(e) => {
            let _ = writeln!(
                err,
                "quorumlab run: the recorded history is malformed: {}",
                super::edge(&e.to_string())
            );
            return 2;
        }
    };
    let files = RunFiles::of(&out, Some(&verdict.results));
    let target = dir.target().to_path_buf();
    if let Err(e) = dir.commit(&files) {
        let _ = writeln!(
            err,
            "quorumlab run: {}: {}",
            show::path(&target),
            super::edge(&e.to_string())
        );
        return 2;
    }
    println!("run directory: {}", target.display());
    print!("{}", suite::render(&verdict));
    println!("replay: {}", replay_command(&target));
    verdict.results.valid.exit_code()
}
