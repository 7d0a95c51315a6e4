//! `quorumlab check PATH`: judge a recorded history. (Being built: see issue 4.)

use clap::Args;
use std::path::PathBuf;

/// Arguments of `quorumlab check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// A history file or a run directory.
    pub path: PathBuf,
}

/// Run `quorumlab check`; returns the exit code.
pub fn run(args: CheckArgs) -> i32 {
    eprintln!("{}: quorumlab check is not built yet", args.path.display());
    2
}
