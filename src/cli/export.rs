//! `quorumlab export DIR|FILE --format jepsen-edn [--out FILE]`: our history as a Jepsen EDN
//! history ([`crate::view::export`]), for Knossos, Elle or Porcupine; `quorumlab check` reads it back.
//!
//! Output goes to standard output, or with `--out` to a file written whole (a temporary file
//! beside it, renamed over it). Exit codes: 0 written, 2 bad input or an unwritable `--out` (one
//! line naming the file, the line and the problem).

use super::show::locate;
use crate::sim::rundir::write_atomic;
use crate::view::export::to_edn;
use clap::Args;
use quorumlab_checkers::format::Format;
use quorumlab_checkers::lin::ModelKind;
use quorumlab_checkers::{load, text, InputError};
use std::io::Write as _;
use std::path::PathBuf;

/// Arguments of `quorumlab export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// A run directory or a `history.jsonl`.
    pub path: PathBuf,
    /// The output format; only `jepsen-edn` for now.
    #[arg(long)]
    pub format: String,
    /// Write here (whole, via a temporary file) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn export(args: &ExportArgs) -> Result<(), InputError> {
    match args.format.parse::<Format>() {
        Ok(Format::JepsenEdn) => {}
        _ => {
            return Err(InputError::new(
                "--format",
                0,
                format!(
                    "cannot export to {} (supported: jepsen-edn)",
                    quorumlab_checkers::error::quoted(&args.format)
                ),
            ))
        }
    }
    let at = locate(&args.path)?;
    let name = at.history.display().to_string();
    let format = Format::from_path(&at.history);
    let loaded = load::history(
        format,
        &name,
        text::read(&name, &at.history)?,
        ModelKind::Register,
    )?;
    let edn = to_edn(loaded.history.events());
    match &args.out {
        Some(out) => write_atomic(out, edn.as_bytes())
            .map_err(|e| InputError::new(out.display().to_string(), 0, e.to_string())),
        None => {
            // A closed pipe (`| head`) is not an error of the history.
            let _ = std::io::stdout().lock().write_all(edn.as_bytes());
            Ok(())
        }
    }
}

/// Run `quorumlab export`; returns the exit code.
pub fn run(args: ExportArgs) -> i32 {
    match export(&args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}
