//! Command-line front end. Every command exits 0 valid, 1 invalid, 2 bad input or error,
//! 3 unknown (docs/formats.md, "Exit codes"). Flag names are a contract: add freely, rename none.

pub mod check;
pub mod check_many;
pub mod export;
pub mod fuzz;
pub mod mutants;
pub mod run;
pub mod run_args;
pub mod show;
pub mod shrink;
pub mod timeline;

use clap::error::ContextValue;
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;

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

/// What [`main_with`] does with a command line that parses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Run the command.
    Execute,
    /// Validate only: `run` and `fuzz` build and check their configuration (reading `--config`,
    /// `--schedule`, `--regressions`…) and stop before simulating or writing anything; exit 0
    /// when the input is accepted. Other commands are only parsed.
    Validate,
}

/// Parse the process arguments and run the command; returns the exit code.
pub fn main() -> i32 {
    main_with(std::env::args_os(), &mut std::io::stderr(), Mode::Execute)
}

/// Parse `args` (the program name first) and run the command (or only validate it, see
/// [`Mode`]); error messages go to `stderr`, one line each. Returns the exit code.
pub fn main_with<I, T>(args: I, stderr: &mut dyn Write, mode: Mode) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version are not errors.
            if mode == Mode::Execute {
                let _ = e.print();
            }
            return 0;
        }
        Err(e) => {
            let _ = writeln!(stderr, "{}", one_line(e));
            return 2;
        }
    };
    match (cli.command, mode) {
        (Command::Run(args), _) => run::run_to(*args, stderr, mode),
        (Command::Fuzz(args), _) => fuzz::run_to(*args, stderr, mode),
        (Command::Check(args), Mode::Execute) => check::run(args),
        (Command::Mutants, Mode::Execute) => mutants::run(),
        (Command::Shrink(args), Mode::Execute) => shrink::run(args),
        (Command::Timeline(args), Mode::Execute) => timeline::run(args),
        (Command::Show(args), Mode::Execute) => show::run(args),
        (Command::Export(args), Mode::Execute) => export::run(args),
        (
            Command::Check(_)
            | Command::Mutants
            | Command::Shrink(_)
            | Command::Timeline(_)
            | Command::Show(_)
            | Command::Export(_),
            Mode::Validate,
        ) => 0,
    }
}

/// Longest message a command-line error prints (a safety net: every echo is cut well before).
const MAX_MESSAGE_CHARS: usize = 500;

/// Collapse clap's multi-line error into one line (drop the usage and the help hint). Every value
/// clap echoes (a flag's value, an unknown argument) is cut to ~80 characters with its control
/// characters escaped *before* rendering: a quoted value with spaces or newlines is one value
/// however many words or lines it spans.
pub fn one_line(mut e: clap::Error) -> String {
    let values: Vec<_> = e
        .context()
        .filter_map(|(kind, value)| {
            let cut = match value {
                ContextValue::String(s) => ContextValue::String(cut_value(s)),
                ContextValue::Strings(v) => {
                    ContextValue::Strings(v.iter().take(20).map(|s| cut_value(s)).collect())
                }
                _ => return None,
            };
            Some((kind, cut))
        })
        .collect();
    for (kind, value) in values {
        e.insert(kind, value);
    }
    let line = e
        .render()
        .to_string()
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ");
    cap(&line)
}

/// A value as an error message echoes it: at most ~80 characters (`…` when cut), control
/// characters escaped.
pub fn cut_value(s: &str) -> String {
    let head = quorumlab_checkers::error::excerpt(s);
    let mut out = String::with_capacity(head.len());
    for c in head.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// A message as a command prints it: control characters escaped and cut to
/// `MAX_MESSAGE_CHARS` characters. A safety net at the edge for messages worded elsewhere
/// (which cut their echoes themselves): whatever they hold, the line stays one short line.
pub fn edge(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MAX_MESSAGE_CHARS + 8));
    for c in message.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    cap(&out)
}

/// `line` cut to `MAX_MESSAGE_CHARS` characters (`…` when cut).
fn cap(line: &str) -> String {
    match line.char_indices().nth(MAX_MESSAGE_CHARS) {
        None => line.to_string(),
        Some((at, _)) => format!("{}…", &line[..at]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(args: &[&str]) -> String {
        let mut err = Vec::new();
        let code = main_with(
            std::iter::once("quorumlab").chain(args.iter().copied()),
            &mut err,
            Mode::Validate,
        );
        assert_eq!(code, 2);
        String::from_utf8(err).unwrap()
    }

    /// Regression (issue 8): a long quoted value with spaces was several words, each cut on its
    /// own, so the message grew with the value.
    #[test]
    fn a_long_value_with_spaces_is_cut_whole() {
        let value = "word ".repeat(20_000);
        for args in [
            vec!["run", "--nodes", value.as_str()],
            vec!["run", "--read-cl", value.as_str()],
            vec!["run", value.as_str()],
            vec!["fuzz", "--seeds", value.as_str()],
        ] {
            let msg = error_of(&args);
            assert!(msg.len() < 400, "{} bytes: {msg}", msg.len());
            assert_eq!(msg.lines().count(), 1, "{msg}");
        }
    }

    /// Regression (issue 8): a value with a newline or an escape sequence split the message or
    /// reached the terminal raw.
    #[test]
    fn control_characters_in_values_are_escaped() {
        let msg = error_of(&["run", "--keys", "1\n2\u{1b}[31m"]);
        assert_eq!(msg.lines().count(), 1, "{msg:?}");
        assert!(!msg.trim_end().chars().any(char::is_control), "{msg:?}");
        assert!(msg.contains("\\n") && msg.contains("--keys"), "{msg}");
    }
}
