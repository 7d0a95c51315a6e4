//! `quorumlab run` (being built: issue 3).

use clap::Args;

/// Arguments of `quorumlab run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The run's seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// Run `quorumlab run`; returns the exit code.
pub fn run(_args: RunArgs) -> i32 {
    eprintln!("quorumlab run is not built yet");
    2
}
