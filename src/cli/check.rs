//! `quorumlab check PATH`: judge a recorded history — ours (`history.jsonl`, or a run directory
//! holding it and `final.json`) or a Jepsen/Knossos one (`jepsen-edn`, `jepsen-log`). `PATH` may be
//! `-` (standard input) or any readable stream (`/dev/stdin`, a pipe, `<(…)`): it is read to the end.
//! Several paths, or a directory that is not a run directory, are checked together in one process
//! ([`super::check_many`]).
//!
//! Exit codes (docs/formats.md): 0 valid, 1 invalid, 2 bad input (one line `file:line: problem` on
//! stderr — including operation-pairing problems and functions the model does not know, located at
//! their event's line — or one line naming a bad flag), 3 unknown (a checker lacked data, or the
//! linearizability search hit a limit: `--time-limit`, 60 s by default, or its memory bound).
//!
//! Flags are validated here rather than by clap's value parsers, so that an echoed value is cut
//! like every other echoed input ([`quorumlab_checkers::error::excerpt`]).

use clap::Args;
use quorumlab_checkers::error::quoted;
use quorumlab_checkers::format::Format;
use quorumlab_checkers::lin::{LinOptions, ModelKind, NilRead};
use quorumlab_checkers::suite::{self, SuiteOptions, SuiteRun};
use quorumlab_checkers::{edn, load, text, InputError, Value};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The linearizability time limit when `--time-limit` is not given.
pub const DEFAULT_TIME_LIMIT: &str = "60s";

/// The name of standard input in messages.
const STDIN: &str = "<stdin>";

/// Arguments of `quorumlab check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// A history file, a run directory (its `history.jsonl` and, when present, `final.json`), or
    /// `-` for standard input (streams such as /dev/stdin or <(…) work too). Several paths, or a
    /// directory of histories, are checked on all cores and summed up in a table; the exit code
    /// is the worst one (bad input, then invalid, then unknown).
    #[arg(required = true, num_args = 1..)]
    pub path: Vec<PathBuf>,
    /// History format: jsonl, jepsen-edn or jepsen-log; default from the extension (.jsonl →
    /// jsonl, .edn → jepsen-edn, .log/.txt → jepsen-log), else (and for `-`) jsonl.
    #[arg(long)]
    pub format: Option<String>,
    /// The model for linearizability: register, cas-register, kv, multi-register, mutex.
    #[arg(long, default_value = "register")]
    pub model: String,
    /// The initial value (EDN or JSON scalar: 0, "a", nil); default: absent.
    #[arg(long)]
    pub init: Option<String>,
    /// Checkers to run, comma-separated (linearizable, monotonic-reads, stale-read or
    /// read-your-writes, lost-writes, phantom, resurrection, convergence, invariants); default
    /// depends on the format.
    #[arg(long)]
    pub checkers: Option<String>,
    /// Give up linearizability after this long (verdict unknown, exit 3): 10s, 500ms, 2m, 1h;
    /// `0` or `none` for no limit.
    #[arg(long, default_value = DEFAULT_TIME_LIMIT)]
    pub time_limit: String,
    /// Print the results as JSON (the content of results.json) instead of text.
    #[arg(long)]
    pub json: bool,
    /// The final replica snapshot to use (default: `final.json` beside `history.jsonl`).
    #[arg(long = "final")]
    pub final_state: Option<PathBuf>,
}

/// The flags, validated.
#[derive(Clone)]
pub(crate) struct Flags {
    format: Option<Format>,
    model: ModelKind,
    init: Option<Value>,
    checkers: Option<Vec<&'static str>>,
    time_limit: Option<Duration>,
}

pub(crate) fn flags(args: &CheckArgs) -> Result<Flags, String> {
    let flag = |name: &str, e: &dyn std::fmt::Display| format!("--{name}: {e}");
    Ok(Flags {
        format: args
            .format
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e| flag("format", &e))?,
        model: args.model.parse().map_err(|e| flag("model", &e))?,
        init: args
            .init
            .as_deref()
            .map(parse_init)
            .transpose()
            .map_err(|e| flag("init", &e))?,
        checkers: args
            .checkers
            .as_deref()
            .map(suite::resolve)
            .transpose()
            .map_err(|e| flag("checkers", &e))?,
        time_limit: parse_time_limit(&args.time_limit).map_err(|e| flag("time-limit", &e))?,
    })
}

/// `0` and `none` mean no limit; anything else is a duration ([`parse_duration`]).
fn parse_time_limit(s: &str) -> Result<Option<Duration>, String> {
    if s.trim() == "none" {
        return Ok(None);
    }
    parse_duration(s).map(|d| (!d.is_zero()).then_some(d))
}

/// An EDN/JSON value: `0`, `-3`, `"a"`, `nil`, `null`, `:k`, `[1 2]`.
fn parse_init(s: &str) -> Result<Value, String> {
    if s.trim() == "null" {
        return Ok(Value::Null);
    }
    edn::parse_one("--init", s)
        .and_then(|f| edn::to_value("--init", &f))
        .map_err(|e| e.message)
}

/// A duration such as `10s`, `500ms`, `2m`, `1h`, `1.5s` or `90` (seconds).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{} is not a duration (use e.g. 10s, 500ms, 2m)", quoted(s)))?;
    let scale = match unit.trim() {
        "" | "s" | "sec" | "secs" => 1.0,
        "ms" => 1e-3,
        "us" | "µs" => 1e-6,
        "ns" => 1e-9,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        other => {
            return Err(format!(
                "unknown unit {} in {} (use ns, us, ms, s, m or h)",
                quoted(other),
                quoted(s)
            ))
        }
    };
    Duration::try_from_secs_f64(n * scale).map_err(|_| format!("{} is out of range", quoted(s)))
}

/// Where the history comes from.
enum Source {
    /// Standard input (`-`).
    Stdin,
    /// A file or a stream, by path.
    Path(PathBuf),
}

/// Where the history and the final state are.
struct Inputs {
    history: Source,
    /// The history's name in messages.
    name: String,
    format: Format,
    final_state: Option<PathBuf>,
}

fn locate(
    path: &Path,
    final_arg: Option<&Path>,
    format: Option<Format>,
) -> Result<Inputs, InputError> {
    let name = path.display().to_string();
    let (history, name, beside) = if path == Path::new("-") {
        (Source::Stdin, STDIN.to_string(), None)
    } else {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(InputError::unreadable(&name, "no such file or directory"))
            }
            Err(e) => return Err(InputError::unreadable(&name, e.to_string())),
            Ok(m) if m.is_dir() => {
                let h = path.join("history.jsonl");
                if !h.is_file() {
                    return Err(InputError::new(
                        &name,
                        0,
                        "is a directory without history.jsonl (expected a run directory or a history file)",
                    ));
                }
                let name = h.display().to_string();
                (Source::Path(h), name, Some(path.join("final.json")))
            }
            // A regular file, or a stream (FIFO, /dev/stdin, /dev/fd/N): read to the end.
            Ok(m) => {
                let beside = (m.is_file() && path.file_name() == Some("history.jsonl".as_ref()))
                    .then(|| path.with_file_name("final.json"));
                (Source::Path(path.to_path_buf()), name, beside)
            }
        }
    };
    let final_state = match final_arg {
        Some(p) => Some(p.to_path_buf()),
        None => beside.filter(|p| p.is_file()),
    };
    let format = format.unwrap_or_else(|| match &history {
        Source::Stdin => Format::Jsonl,
        Source::Path(p) => Format::from_path(p),
    });
    Ok(Inputs {
        history,
        name,
        format,
        final_state,
    })
}

/// One judged history.
pub(crate) struct Judged {
    /// The history's name in messages.
    pub name: String,
    /// Its format.
    pub format: Format,
    /// Events and operations.
    pub events: usize,
    pub ops: usize,
    /// The checkers' verdicts.
    pub run: SuiteRun,
}

/// Load and judge the history at `path`; `threads` workers for the linearizability search.
pub(crate) fn judge(
    path: &Path,
    final_arg: Option<&Path>,
    flags: &Flags,
    threads: usize,
) -> Result<Judged, InputError> {
    let inputs = locate(path, final_arg, flags.format)?;
    let file = inputs.name.as_str();
    // Read while parsing: neither the text nor the events are kept, only the operations.
    let loaded = match &inputs.history {
        Source::Stdin => load::paired(inputs.format, file, std::io::stdin().lock(), flags.model)?,
        Source::Path(p) => load::paired(inputs.format, file, text::open(file, p)?, flags.model)?,
    };
    let final_state = match &inputs.final_state {
        Some(p) => {
            let name = p.display().to_string();
            Some(load::final_state(&name, text::read(&name, p)?)?)
        }
        None => None,
    };
    let opts = SuiteOptions {
        checkers: flags.checkers.clone(),
        lin: LinOptions {
            model: flags.model,
            init: flags.init.clone(),
            nil_read: match inputs.format {
                Format::JepsenEdn => NilRead::Wildcard,
                _ => NilRead::Literal,
            },
            time_limit: flags.time_limit,
            threads,
            ..LinOptions::default()
        },
        ..SuiteOptions::new(inputs.format)
    };
    let run = suite::run(&loaded.ops, final_state.as_ref(), &opts);
    Ok(Judged {
        name: inputs.name,
        format: inputs.format,
        events: loaded.events,
        ops: loaded.ops.len(),
        run,
    })
}

fn check(args: &CheckArgs, path: &Path, flags: Flags) -> Result<i32, InputError> {
    let judged = judge(path, args.final_state.as_deref(), &flags, 0)?;
    let file = judged.name.as_str();
    let text = if args.json {
        let json = serde_json::to_string_pretty(&judged.run.results)
            .map_err(|e| InputError::new(file, 0, e.to_string()))?;
        format!("{json}\n")
    } else {
        format!(
            "{}: {} events, {} operations ({})\n{}",
            file,
            judged.events,
            judged.ops,
            judged.format,
            suite::render(&judged.run)
        )
    };
    // A closed pipe (`| head`) is not an error of the history: the exit code still tells.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(judged.run.results.valid.exit_code())
}

/// Run `quorumlab check`; returns the exit code.
pub fn run(args: CheckArgs) -> i32 {
    let flags = match flags(&args) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("quorumlab check: {e}");
            return 2;
        }
    };
    if let Some(paths) = super::check_many::batch(&args.path) {
        return super::check_many::run(&args, paths, &flags);
    }
    match check(&args, &args.path[0], flags) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_the_usual_units() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert!(parse_duration("10 parsecs").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("1e400s").is_err());
    }

    #[test]
    fn time_limits_default_to_60s_and_zero_or_none_mean_no_limit() {
        assert_eq!(DEFAULT_TIME_LIMIT, "60s");
        assert_eq!(
            parse_time_limit(DEFAULT_TIME_LIMIT),
            Ok(Some(Duration::from_secs(60)))
        );
        assert_eq!(parse_time_limit("0"), Ok(None));
        assert_eq!(parse_time_limit("none"), Ok(None));
        assert!(parse_time_limit(&"9".repeat(100_000)).is_err());
        let long = format!("1{}", "x".repeat(100_000));
        assert!(parse_time_limit(&long).unwrap_err().len() < 300);
    }

    #[test]
    fn init_values_are_edn_or_json_scalars() {
        assert_eq!(parse_init("0"), Ok(Value::Int(0)));
        assert_eq!(parse_init("nil"), Ok(Value::Null));
        assert_eq!(parse_init("null"), Ok(Value::Null));
        assert_eq!(parse_init("\"a\""), Ok(Value::from("a")));
        assert_eq!(parse_init(":a"), Ok(Value::from("a")));
        assert!(parse_init("1.5").is_err());
        assert!(parse_init("").is_err());
    }
}
