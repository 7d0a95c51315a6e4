//! What a running campaign (or a library experiment over many seeds) tells a person: on a terminal a progress bar (seeds done, seeds per
//! second, failures, ETA); elsewhere (CI logs) one plain line every ten seconds. Output only: it
//! never decides anything.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How often a plain progress line is printed when stderr is not a terminal.
pub const PLAIN_EVERY: Duration = Duration::from_secs(10);

/// A campaign's progress display.
pub struct Display {
    bar: Option<ProgressBar>,
    started: Instant,
    last_line: Instant,
    total: Option<u64>,
    label: String,
    quiet: bool,
}

impl Display {
    /// A display for `total` runs (unknown for a time budget), on a terminal or in plain lines
    /// starting `label:`; `quiet` shows nothing at all.
    pub fn new(label: &str, total: Option<u64>, quiet: bool) -> Display {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = match total {
                Some(n) => ProgressBar::new(n),
                None => ProgressBar::new_spinner(),
            };
            let template = if total.is_some() {
                "{prefix} {bar:30} {pos}/{len} seeds, {per_sec}, {msg}, ETA {eta}"
            } else {
                "{prefix} {spinner} {pos} seeds, {per_sec}, {msg}, {elapsed} elapsed"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.set_prefix(label.to_string());
            bar.set_message("0 failures");
            bar
        });
        Display {
            bar,
            started: Instant::now(),
            last_line: Instant::now(),
            total,
            label: label.to_string(),
            quiet,
        }
    }

    /// `done` runs finished, `failures` of them failing.
    pub fn update(&mut self, done: u64, failures: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
            bar.set_message(format!("{failures} failure(s)"));
            return;
        }
        if !self.quiet && self.last_line.elapsed() >= PLAIN_EVERY {
            self.last_line = Instant::now();
            eprintln!("{}", self.line(done, failures));
        }
    }

    /// One plain progress line.
    fn line(&self, done: u64, failures: u64) -> String {
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        let rate = done as f64 / secs;
        let eta = match self.total {
            Some(n) if rate > 0.0 && n > done => {
                format!(", ETA {:.0} s", (n - done) as f64 / rate)
            }
            _ => String::new(),
        };
        let of = self.total.map(|n| format!("/{n}")).unwrap_or_default();
        let label = &self.label;
        format!("{label}: {done}{of} seeds, {rate:.1} seeds/s, {failures} failure(s){eta}")
    }

    /// Print a line about one finding (above the bar on a terminal).
    pub fn note(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    /// Remove the bar; without one, a last plain line when any was printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
