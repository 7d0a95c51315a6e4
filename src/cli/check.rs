//! `quorumlab check PATH`: judge a recorded history — ours (`history.jsonl`, or a run directory
//! holding it and `final.json`) or a Jepsen/Knossos one (`jepsen-edn`, `jepsen-log`).
//!
//! Exit codes (DESIGN.md): 0 valid, 1 invalid, 2 bad input (one line `file:line: problem` on
//! stderr, including operation-pairing problems located at their event's line), 3 unknown.

use clap::Args;
use quorumlab_checkers::final_state::FinalState;
use quorumlab_checkers::format::{self, Format};
use quorumlab_checkers::lin::{LinOptions, ModelKind, NilRead};
use quorumlab_checkers::suite::{self, SuiteOptions};
use quorumlab_checkers::{edn, InputError, Value};
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `quorumlab check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// A history file or a run directory (its `history.jsonl` and, when present, `final.json`).
    pub path: PathBuf,
    /// History format; default from the extension (.jsonl → jsonl, .edn → jepsen-edn,
    /// .log/.txt → jepsen-log), else jsonl.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    /// The model for linearizability: register, cas-register, kv, multi-register, mutex.
    #[arg(long, default_value = "register", value_parser = parse_model)]
    pub model: ModelKind,
    /// The initial value (EDN or JSON scalar: 0, "a", nil); default: absent.
    #[arg(long, value_parser = parse_init)]
    pub init: Option<Value>,
    /// Checkers to run, comma-separated (linearizable, monotonic-reads, stale-read or
    /// read-your-writes, lost-writes, phantom, convergence); default depends on the format.
    #[arg(long, value_parser = parse_checkers)]
    pub checkers: Option<CheckerList>,
    /// Give up linearizability after this long (verdict unknown): 10s, 500ms, 2m, 1h.
    #[arg(long, value_parser = parse_duration)]
    pub time_limit: Option<Duration>,
    /// Print the results as JSON (the content of results.json) instead of text.
    #[arg(long)]
    pub json: bool,
    /// The final replica snapshot to use (default: `final.json` beside `history.jsonl`).
    #[arg(long = "final")]
    pub final_state: Option<PathBuf>,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

fn parse_model(s: &str) -> Result<ModelKind, String> {
    s.parse()
}

/// A resolved `--checkers` list (a newtype: clap reads a bare `Vec` as a repeated flag).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckerList(pub Vec<&'static str>);

fn parse_checkers(s: &str) -> Result<CheckerList, String> {
    suite::resolve(s).map(CheckerList)
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
        .map_err(|_| format!("{s:?} is not a duration (use e.g. 10s, 500ms, 2m)"))?;
    let scale = match unit.trim() {
        "" | "s" | "sec" | "secs" => 1.0,
        "ms" => 1e-3,
        "us" | "µs" => 1e-6,
        "ns" => 1e-9,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {s:?} (use ns, us, ms, s, m or h)"
            ))
        }
    };
    Duration::try_from_secs_f64(n * scale).map_err(|_| format!("{s:?} is out of range"))
}

/// Where the history and the final state are.
struct Inputs {
    history: PathBuf,
    format: Format,
    final_state: Option<PathBuf>,
}

fn locate(args: &CheckArgs) -> Result<Inputs, InputError> {
    let name = args.path.display().to_string();
    let (history, beside) = if args.path.is_dir() {
        let h = args.path.join("history.jsonl");
        if !h.is_file() {
            return Err(InputError::new(
                &name,
                0,
                "is a directory without history.jsonl (expected a run directory or a history file)",
            ));
        }
        (h, Some(args.path.join("final.json")))
    } else if args.path.is_file() {
        let beside = (args.path.file_name() == Some("history.jsonl".as_ref()))
            .then(|| args.path.with_file_name("final.json"));
        (args.path.clone(), beside)
    } else {
        return Err(InputError::new(&name, 0, "no such file or directory"));
    };
    let final_state = match &args.final_state {
        Some(p) => Some(p.clone()),
        None => beside.filter(|p| p.is_file()),
    };
    let format = args.format.unwrap_or_else(|| Format::from_path(&history));
    Ok(Inputs {
        history,
        format,
        final_state,
    })
}

fn check(args: &CheckArgs) -> Result<i32, InputError> {
    let inputs = locate(args)?;
    let file = inputs.history.display().to_string();
    let parsed = format::read(inputs.format, &inputs.history)?;
    let ops = parsed.pair(&file)?;
    let final_state = inputs
        .final_state
        .as_deref()
        .map(FinalState::read)
        .transpose()?;
    let opts = SuiteOptions {
        checkers: args.checkers.as_ref().map(|c| c.0.clone()),
        format: inputs.format,
        lin: LinOptions {
            model: args.model,
            init: args.init.clone(),
            nil_read: match inputs.format {
                Format::JepsenEdn => NilRead::Wildcard,
                _ => NilRead::Literal,
            },
            time_limit: args.time_limit,
            ..LinOptions::default()
        },
    };
    let run = suite::run(&ops, final_state.as_ref(), &opts);
    if args.json {
        let text = serde_json::to_string_pretty(&run.results)
            .map_err(|e| InputError::new(&file, 0, e.to_string()))?;
        println!("{text}");
    } else {
        println!(
            "{}: {} events, {} operations ({})",
            file,
            parsed.events.len(),
            ops.len(),
            inputs.format
        );
        print!("{}", suite::render(&run));
    }
    Ok(run.results.valid.exit_code())
}

/// Run `quorumlab check`; returns the exit code.
pub fn run(args: CheckArgs) -> i32 {
    match check(&args) {
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
