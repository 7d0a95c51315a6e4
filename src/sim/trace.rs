//! `trace.log`: the store's and turmoil's tracing events for one run, each line stamped with
//! simulated time (seconds since the start of the run) rather than wall time, and with the node
//! (turmoil host) it happened on, so two runs of one seed give the same trace:
//!
//! ```text
//!     0.012000s n3      DEBUG quorumlab::store::replica: applied key=4 …
//!     0.000000s -        INFO turmoil: New nodename="n1" addr=192.168.0.1
//! ```
//!
//! Guarantees: the node is the innermost turmoil `node` span's name (turmoil enters one per host
//! while it runs that host's software); lines written outside any host — turmoil registering hosts,
//! the harness between steps — carry `-`. The time is `turmoil::sim_elapsed` when turmoil can
//! give it; while turmoil holds its world (its own lines about binding, delivering) it is the last
//! simulated time seen on this thread, which [`mark`] refreshes before every step, so it is late
//! by less than one tick. Installed for the current thread only, for the duration of a closure;
//! without `--trace` nothing is installed and tracing's macros find no subscriber (they cost a
//! check of a static interest per call site and write nothing).

use std::cell::Cell;
use std::fmt;
use std::fs::File;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

thread_local! {
    static LAST: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// Record the simulation's time (the harness calls it before every step), for lines written
/// while turmoil cannot tell the time.
pub fn mark(now: Duration) {
    LAST.with(|l| l.set(now));
}

/// The simulated time of a line now.
fn now() -> Duration {
    match turmoil::sim_elapsed() {
        Some(t) => {
            LAST.with(|l| l.set(t));
            t
        }
        None => LAST.with(Cell::get),
    }
}

/// The node of a `node{name="n1"}` span's formatted fields (`name="n1"` → `n1`).
pub fn node_of(fields: &str) -> Option<&str> {
    let rest = fields.strip_prefix("name=")?;
    Some(rest.trim_matches('"'))
}

/// `<sim time>s <node> <LEVEL> <target>: <message and fields>`.
struct SimLine;

impl<S, N> FormatEvent<S, N> for SimLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut node = String::from("-");
        if let Some(scope) = ctx.event_scope() {
            for span in scope {
                if span.name() == "node" {
                    if let Some(f) = span.extensions().get::<FormattedFields<N>>() {
                        node = node_of(f.fields.as_str()).unwrap_or("-").to_string();
                    }
                    break;
                }
            }
        }
        let meta = event.metadata();
        write!(
            w,
            "{:>12.6}s {:<7} {:>5} {}: ",
            now().as_secs_f64(),
            node,
            meta.level(),
            meta.target()
        )?;
        ctx.field_format().format_fields(w.by_ref(), event)?;
        writeln!(w)
    }
}

/// Run `f` with tracing written to `path` (quorumlab at debug level, turmoil at info).
pub fn with_trace<T>(path: &Path, f: impl FnOnce() -> T) -> std::io::Result<T> {
    let file = File::create(path)?;
    mark(Duration::ZERO);
    let layer = tracing_subscriber::fmt::layer()
        .event_format(SimLine)
        .with_ansi(false)
        .with_writer(Mutex::new(file));
    let filter = Targets::new()
        .with_target("quorumlab", LevelFilter::DEBUG)
        .with_target("turmoil", LevelFilter::INFO);
    let subscriber = tracing_subscriber::registry().with(layer.with_filter(filter));
    Ok(tracing::subscriber::with_default(subscriber, f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_node_is_the_span_name() {
        assert_eq!(node_of("name=\"n3\""), Some("n3"));
        assert_eq!(node_of("name=clients"), Some("clients"));
        assert_eq!(node_of("other=1"), None);
    }
}
