//! `quorumlab run`: one fault-injected run of a cluster, its run directory, its summary and verdict.

pub use super::run_args::{RunArgs, Switch};
use crate::sim::run::run as run_sim;
use crate::sim::{judge, rundir, summary, trace};
use quorumlab_checkers::suite;
use quorumlab_checkers::Validity;

/// Run `quorumlab run`; returns the exit code.
pub fn run(args: RunArgs) -> i32 {
    let cfg = match args.config() {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("quorumlab run: {e}");
            return 2;
        }
    };
    let dir = rundir::run_dir(&args.out, &args.dir_name(), cfg.seed);
    let started = std::time::Instant::now();
    let result = if args.trace {
        std::fs::create_dir_all(&dir)
            .and_then(|_| trace::with_trace(&dir.join("trace.log"), || run_sim(&cfg)))
            .unwrap_or_else(|e| Err(format!("{}: {e}", dir.display())))
    } else {
        run_sim(&cfg)
    };
    let out = match result {
        Ok(out) => out,
        Err(e) => {
            eprintln!("quorumlab run: the simulation failed: {e}");
            return 2;
        }
    };
    let wall = started.elapsed().as_secs_f64();
    print!("{}", summary::render(&out, wall));
    let verdict = match judge::judge(
        &out.history,
        &out.final_state,
        args.checkers.clone().map(|c| c.0),
    ) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("quorumlab run: the recorded history is malformed: {e}");
            return 2;
        }
    };
    let replay = args.replay_command();
    if let Err(e) = rundir::write_run(
        &dir,
        &args.out,
        &out,
        replay.clone(),
        Some(&verdict.results),
    ) {
        eprintln!("quorumlab run: {}: {e}", dir.display());
        return 2;
    }
    println!("run directory: {}", dir.display());
    print!("{}", suite::render(&verdict));
    if verdict.results.valid != Validity::Valid {
        println!("replay: {replay}");
    }
    verdict.results.valid.exit_code()
}
