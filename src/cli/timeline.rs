//! `quorumlab timeline PATH --out OUT.html`: render any history (a run directory, a
//! `history.jsonl`, a Jepsen EDN history or log) as a self-contained `timeline.html`
//! ([`crate::view::timeline`]). A run directory already holds one; this renders others.
//!
//! Exit codes: 0 written, 2 bad input (one line naming the file and line) or an unwritable `--out`.
//! The page is written to a temporary name beside `--out` and renamed over it.

use crate::sim::rundir::write_atomic;
use crate::view::timeline::{self, load, Input};
use clap::Args;
use quorumlab_checkers::format::Format;
use std::path::PathBuf;

/// Arguments of `quorumlab timeline`.
#[derive(Args, Debug)]
pub struct TimelineArgs {
    /// A run directory, or a history file (jsonl, jepsen-edn, jepsen-log).
    pub path: PathBuf,
    /// Where to write the page.
    #[arg(long)]
    pub out: PathBuf,
    /// History format: jsonl, jepsen-edn or jepsen-log; default from the extension.
    #[arg(long)]
    pub format: Option<String>,
}

/// Run `quorumlab timeline`; returns the exit code.
pub fn run(args: TimelineArgs) -> i32 {
    let format = match args.format.as_deref().map(str::parse::<Format>).transpose() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("quorumlab timeline: --format: {e}");
            return 2;
        }
    };
    let files = match load::read(&args.path, format) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let html = timeline::render(&Input {
        title: &files.title,
        history: &files.history,
        results: files.results.as_ref(),
        store: &files.store,
    });
    match write_atomic(&args.out, html.as_bytes()) {
        Ok(()) => {
            println!(
                "{}: {} events, {} bytes",
                args.out.display(),
                files.history.len(),
                html.len()
            );
            0
        }
        Err(e) => {
            eprintln!("{}: {e}", args.out.display());
            2
        }
    }
}
