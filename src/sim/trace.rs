//! `trace.log`: the store's and turmoil's tracing events for one run, stamped with simulated time
//! (seconds since the start of the run) rather than wall time, so two runs of one seed give the same
//! trace. Installed for the current thread only, for the duration of a closure.

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::prelude::*;

/// Formats timestamps as simulated seconds (`  12.345678s`); `-` outside any host.
struct SimTime;

impl FormatTime for SimTime {
    fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
        match turmoil::sim_elapsed() {
            Some(t) => write!(w, "{:>12.6}s", t.as_secs_f64()),
            None => write!(w, "{:>13}", "-"),
        }
    }
}

/// Run `f` with tracing written to `path` (quorumlab at debug level, turmoil at info).
pub fn with_trace<T>(path: &Path, f: impl FnOnce() -> T) -> std::io::Result<T> {
    let file = File::create(path)?;
    let layer = tracing_subscriber::fmt::layer()
        .with_timer(SimTime)
        .with_ansi(false)
        .with_writer(Mutex::new(file));
    let filter = Targets::new()
        .with_target("quorumlab", LevelFilter::DEBUG)
        .with_target("turmoil", LevelFilter::INFO);
    let subscriber = tracing_subscriber::registry().with(layer.with_filter(filter));
    Ok(tracing::subscriber::with_default(subscriber, f))
}
