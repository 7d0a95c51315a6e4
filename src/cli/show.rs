//! `quorumlab show DIR|FILE`: a run summarised in the terminal ([`crate::view::show`]).
//!
//! `DIR` is a run directory; `FILE` a history (`history.jsonl`, Jepsen EDN or log). Beside a
//! `history.jsonl` (or in `DIR`) it uses `run.json`, `results.json` (else it runs the checkers, as
//! `check` would), `events.jsonl` and `final.json` when they exist. Exit codes: the verdict's (0
//! valid, 1 invalid, 3 unknown), 2 for bad input with one line `file:line: problem`.

use crate::view::show::{render, Inputs};
use crate::view::show_replicas::ReplicaLog;
use clap::Args;
use quorumlab_checkers::format::Format;
use quorumlab_checkers::lin::{LinOptions, ModelKind, NilRead};
use quorumlab_checkers::suite::{self, SuiteOptions};
use quorumlab_checkers::{load, text, InputError, Results};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Arguments of `quorumlab show`.
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// A run directory or a history file.
    pub path: PathBuf,
    /// History format: jsonl, jepsen-edn or jepsen-log; default from the extension.
    #[arg(long)]
    pub format: Option<String>,
    /// The model the history's functions belong to (as for `check`).
    #[arg(long, default_value = "register")]
    pub model: String,
    /// Instead of the summary, write the history drawn as a self-contained timeline page here
    /// (what `quorumlab timeline PATH --out OUT` does).
    #[arg(long, value_name = "OUT")]
    pub html: Option<PathBuf>,
}

/// The files of a run, as found.
pub struct Located {
    /// The history file.
    pub history: PathBuf,
    /// The directory of the run's other files, when the history is a run's `history.jsonl`.
    pub beside: Option<PathBuf>,
}

/// Find the history and the directory of its companions.
pub fn locate(path: &Path) -> Result<Located, InputError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| InputError::unreadable(&name, e.to_string()))?;
    if meta.is_dir() {
        let history = path.join("history.jsonl");
        if !history.is_file() {
            return Err(InputError::new(
                &name,
                0,
                "is a directory without history.jsonl (expected a run directory or a history file)",
            ));
        }
        return Ok(Located {
            history,
            beside: Some(path.to_path_buf()),
        });
    }
    let beside = (path.file_name() == Some("history.jsonl".as_ref()))
        .then(|| path.parent().map(Path::to_path_buf).unwrap_or_default());
    Ok(Located {
        history: path.to_path_buf(),
        beside,
    })
}

fn read_text(p: &Path) -> Result<(String, String), InputError> {
    let name = p.display().to_string();
    let text = text::decode(&name, text::read(&name, p)?)?;
    Ok((name, text))
}

/// A companion file, when it exists.
fn companion(beside: Option<&Path>, file: &str) -> Option<PathBuf> {
    beside.map(|d| d.join(file)).filter(|p| p.is_file())
}

fn show(args: &ShowArgs) -> Result<(String, i32), InputError> {
    let format = args
        .format
        .as_deref()
        .map(str::parse::<Format>)
        .transpose()
        .map_err(|e| InputError::new("--format", 0, e.to_string()))?;
    let model: ModelKind =
        args.model
            .parse()
            .map_err(|e: <ModelKind as std::str::FromStr>::Err| {
                InputError::new("--model", 0, e.to_string())
            })?;
    let at = locate(&args.path)?;
    let format = format.unwrap_or_else(|| Format::from_path(&at.history));
    let name = at.history.display().to_string();
    let loaded = load::history(format, &name, text::read(&name, &at.history)?, model)?;
    let beside = at.beside.as_deref();
    let config = match companion(beside, "run.json") {
        Some(p) => {
            let (n, t) = read_text(&p)?;
            Some(
                serde_json::from_str::<serde_json::Value>(&t)
                    .map_err(|e| InputError::new(&n, e.line(), format!("not JSON: {e}")))?,
            )
        }
        None => None,
    };
    let final_state = match companion(beside, "final.json") {
        Some(p) => {
            let n = p.display().to_string();
            Some(load::final_state(&n, text::read(&n, &p)?)?)
        }
        None => None,
    };
    let replicas = match companion(beside, "events.jsonl") {
        Some(p) => {
            let (n, t) = read_text(&p)?;
            Some(ReplicaLog::parse(&n, &t)?)
        }
        None => None,
    };
    let (results, from) = match companion(beside, "results.json") {
        Some(p) => {
            let (n, t) = read_text(&p)?;
            let r: Results = serde_json::from_str(&t)
                .map_err(|e| InputError::new(&n, e.line(), format!("not a results file: {e}")))?;
            (r, "results.json".to_string())
        }
        None => {
            let opts = SuiteOptions {
                lin: LinOptions {
                    model,
                    nil_read: match format {
                        Format::JepsenEdn => NilRead::Wildcard,
                        _ => NilRead::Literal,
                    },
                    time_limit: Some(std::time::Duration::from_secs(60)),
                    ..LinOptions::default()
                },
                ..SuiteOptions::new(format)
            };
            let run = suite::run(&loaded.ops, final_state.as_ref(), &opts);
            (run.results, "checked now".to_string())
        }
    };
    let text = render(&Inputs {
        name: &name,
        format,
        events: loaded.history.events(),
        ops: &loaded.ops,
        config: config.as_ref(),
        results: &results,
        results_from: &from,
        replicas: replicas.as_ref(),
        placement: final_state.as_ref().map(|f| f.placement.as_slice()),
    });
    Ok((text, results.valid.exit_code()))
}

/// Run `quorumlab show`; returns the exit code.
pub fn run(args: ShowArgs) -> i32 {
    if let Some(out) = args.html {
        return super::timeline::run(super::timeline::TimelineArgs {
            path: args.path,
            out,
            format: args.format,
        });
    }
    match show(&args) {
        Ok((text, code)) => {
            // A closed pipe (`| head`) is not an error: the exit code still tells.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            code
        }
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}
