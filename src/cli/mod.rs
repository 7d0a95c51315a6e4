//! Command-line front end. Every command exits 0 valid, 1 invalid, 2 bad input or error,
//! 3 unknown (docs/formats.md, "Exit codes"). Flag names are a contract: add freely, rename none.

pub mod check;
pub mod check_many;
pub mod export;
pub mod fuzz;
pub mod mutants;
pub mod run;
pub mod run_args;
pub mod shrink;
pub mod timeline;
pub mod show;

use clap::{Parser, Subcommand};

/// quorumlab: test a Dynamo-style store under faults and judge its history.
#[derive(Parser, Debug)]
#[command(name = "quorumlab", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the store under a workload in turmoil, record the history, check it.
    Run(Box<run::RunArgs>),
    /// Check a recorded history (ours, or a Jepsen/Knossos one).
    Check(check::CheckArgs),
    /// Run many seeds (swarm by default) on many threads; keep and group only the failures.
    Fuzz(Box<fuzz::FuzzArgs>),
    /// Reduce a failing run (fewer faults, ops, clients, keys, nodes; shorter fault windows)
    /// while the same checker still finds the same kind of anomaly.
    Shrink(shrink::ShrinkArgs),
    /// List the planted bugs (`--mutant NAME`): what each plants and what catches it.
    Mutants,
    /// Render a history (run directory or history file) as a self-contained timeline.html.
    Timeline(timeline::TimelineArgs),
    /// Summarise a run or a history: configuration, faults, verdicts, each anomaly in context.
    Show(show::ShowArgs),
    /// Write a run's history in another format (`--format jepsen-edn`) for other checkers.
    Export(export::ExportArgs),
}

/// Parse the process arguments and run the command; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version are not errors.
            let _ = e.print();
            return 0;
        }
        Err(e) => {
            eprintln!("{}", one_line(&e.render().to_string()));
            return 2;
        }
    };
    match cli.command {
        Command::Run(args) => run::run(*args),
        Command::Check(args) => check::run(args),
        Command::Fuzz(args) => fuzz::run(*args),
        Command::Shrink(args) => shrink::run(args),
        Command::Mutants => mutants::run(),
        Command::Timeline(args) => timeline::run(args),
        Command::Show(args) => show::run(args),
        Command::Export(args) => export::run(args),
    }
}

/// Collapse clap's multi-line error into one line (drop the usage and the help hint), cutting
/// any echoed input longer than ~80 characters.
fn one_line(rendered: &str) -> String {
    rendered
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .flat_map(str::split_whitespace)
        .map(|w| quorumlab_checkers::error::excerpt(w).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
