//! The run's plots, as SVG, drawn in-process with `plotters` (its SVG backend only: no gnuplot, no
//! system fonts — text is emitted as SVG `<text>` and laid out by the viewer):
//!
//! - `latency-raw.svg`: every completed operation's latency (log scale, ms) at its invocation
//!   time, coloured by function, shaped by outcome (ok ●, fail ✕, info ▲) — beyond
//!   [`MAX_POINTS`] operations, every k-th one (the caption says so);
//! - `latency-quantiles.svg`: per function, the 0.5, 0.95, 0.99 and 1 quantiles of latency in
//!   time windows ([`window_ns`]), at the window's start;
//! - `rate.svg`: completions per second per function and outcome, in the same windows (a window
//!   without completions is 0, so outages show).
//!
//! Every plot shades the fault bands ([`super::show_faults::bands`]) and names their kind.
//! Guarantees: pure functions of the history (same history, same bytes); operations without
//! times (third-party histories) are left out; a latency below 0.1 ms is drawn at 0.1 ms (the log
//! scale has no zero).

use super::show_faults::{bands, Band};
use plotters::coord::Shift;
use plotters::prelude::*;
use quorumlab_checkers::ops::{self, Op, Outcome};
use quorumlab_checkers::Event;
use std::collections::BTreeMap;
use std::io;
use std::path::Path;

/// The plot files, in the order [`write_all`] writes them.
pub const FILES: [&str; 3] = ["latency-raw.svg", "latency-quantiles.svg", "rate.svg"];

/// The quantiles drawn by `latency-quantiles.svg`.
pub const QUANTILES: [f64; 4] = [0.5, 0.95, 0.99, 1.0];

const SIZE: (u32, u32) = (960, 480);
const FLOOR_MS: f64 = 0.1;

/// `latency-raw.svg` draws at most this many points: beyond, every k-th operation (in invocation
/// order), so that a long run's plot stays a few MB.
pub const MAX_POINTS: usize = 20_000;

/// Drawing failed (plotters reports into a string buffer; this should not happen).
#[derive(Debug, thiserror::Error)]
#[error("drawing {file}: {message}")]
pub struct PlotError {
    /// The plot.
    pub file: &'static str,
    /// What plotters said.
    pub message: String,
}

/// One completed operation with its times.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The function.
    pub f: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Invocation, simulated ns.
    pub start: u64,
    /// Completion, simulated ns.
    pub end: u64,
}

impl Sample {
    fn latency_ms(&self) -> f64 {
        ((self.end.saturating_sub(self.start)) as f64 / 1e6).max(FLOOR_MS)
    }
}

/// The operations that have both an invocation and a completion time.
pub fn samples(ops: &[Op]) -> Vec<Sample> {
    ops.iter()
        .filter_map(|o| {
            Some(Sample {
                f: o.f.to_string(),
                outcome: o.outcome,
                start: o.invoke_time?,
                end: o.complete_time?,
            })
        })
        .collect()
}

/// The window of the quantile and rate plots: about 1/50 of the span, a whole number of
/// milliseconds, at least 1 ms.
pub fn window_ns(span_ns: u64) -> u64 {
    (span_ns / 50).div_ceil(1_000_000).max(1) * 1_000_000
}

/// The `q` quantile of sorted values (nearest rank; `q = 1` is the maximum).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Per function and quantile (index into [`QUANTILES`]): `(window start s, latency ms)` for every
/// window with completions, windows by invocation time.
pub fn latency_quantiles(s: &[Sample], window: u64) -> BTreeMap<(String, usize), Vec<(f64, f64)>> {
    let mut by: BTreeMap<(String, u64), Vec<f64>> = BTreeMap::new();
    for x in s {
        by.entry((x.f.clone(), x.start / window))
            .or_default()
            .push(x.latency_ms());
    }
    let mut out: BTreeMap<(String, usize), Vec<(f64, f64)>> = BTreeMap::new();
    for ((f, w), mut lat) in by {
        lat.sort_by(f64::total_cmp);
        for (qi, q) in QUANTILES.iter().enumerate() {
            out.entry((f.clone(), qi))
                .or_default()
                .push((secs(w * window), quantile(&lat, *q)));
        }
    }
    out
}

/// Per function and outcome: completions per second in every window from 0 to the last
/// completion (zeros included), at the window's start.
pub fn rates(s: &[Sample], window: u64) -> BTreeMap<(String, &'static str), Vec<(f64, f64)>> {
    let last = s.iter().map(|x| x.end / window).max().unwrap_or(0);
    let mut counts: BTreeMap<(String, &'static str), Vec<u64>> = BTreeMap::new();
    for x in s {
        let v = counts
            .entry((x.f.clone(), outcome_name(x.outcome)))
            .or_insert_with(|| vec![0; last as usize + 1]);
        v[(x.end / window) as usize] += 1;
    }
    let per_sec = 1e9 / window as f64;
    counts
        .into_iter()
        .map(|(k, v)| {
            let pts = v
                .iter()
                .enumerate()
                .map(|(i, n)| (secs(i as u64 * window), *n as f64 * per_sec))
                .collect();
            (k, pts)
        })
        .collect()
}

fn secs(ns: u64) -> f64 {
    ns as f64 / 1e9
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Ok => "ok",
        Outcome::Fail => "fail",
        Outcome::Info => "info",
    }
}

fn f_color(f: &str) -> RGBColor {
    match f {
        "read" => RGBColor(0, 114, 178),
        "write" => RGBColor(230, 120, 0),
        "delete" => RGBColor(180, 60, 150),
        "cas" => RGBColor(0, 150, 100),
        _ => RGBColor(90, 90, 90),
    }
}

fn lane_color(lane: &str) -> RGBColor {
    match lane {
        "partition" => RGBColor(220, 50, 50),
        "crash" | "crash-majority" => RGBColor(120, 0, 0),
        "loss" | "reply-loss" => RGBColor(240, 160, 0),
        "latency" | "slow" => RGBColor(150, 100, 220),
        "clock-skew" => RGBColor(0, 160, 160),
        "pause" => RGBColor(100, 100, 100),
        _ => RGBColor(160, 160, 60),
    }
}

/// The x range (seconds) of a history: 0 to its last time (at least 1 ms).
fn x_max(events: &[Event]) -> f64 {
    secs(events.iter().filter_map(|e| e.time).max().unwrap_or(0)).max(0.001)
}

type Res<T> = Result<T, String>;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Shade the bands over the whole height and write their kind at the top.
fn draw_bands<'a, DB: DrawingBackend + 'a, Y: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    bands: &[Band],
    (lo, hi): (f64, f64),
) -> Res<()> {
    for (i, b) in bands.iter().enumerate() {
        let c = lane_color(&b.lane);
        let (x0, x1) = (secs(b.start), secs(b.end.max(b.start)));
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x0, lo), (x1, hi)],
                c.mix(0.15).filled(),
            )))
            .map_err(err)?;
        // Labels stagger down in four rows so neighbours do not overprint.
        let style = TextStyle::from(("sans-serif", 11).into_font()).color(&c);
        let offset = (2, 2 + 12 * (i as i32 % 4));
        let label = EmptyElement::at((x0, hi)) + Text::new(b.lane.clone(), offset, style);
        chart.draw_series(std::iter::once(label)).map_err(err)?;
    }
    Ok(())
}

fn finish<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>) -> Res<()> {
    root.present().map_err(err)
}

fn render(
    file: &'static str,
    draw: impl FnOnce(&mut String) -> Res<()>,
) -> Result<String, PlotError> {
    let mut buf = String::new();
    draw(&mut buf).map_err(|message| PlotError { file, message })?;
    Ok(buf)
}

/// `latency-raw.svg` of a history.
pub fn latency_raw_svg(events: &[Event], ops: &[Op]) -> Result<String, PlotError> {
    let all = samples(ops);
    let step = all.len().div_ceil(MAX_POINTS).max(1);
    let s: Vec<Sample> = all.iter().step_by(step).cloned().collect();
    let caption = match step {
        1 => "latency of every operation".to_string(),
        k => format!("latency of one operation in {k} (of {})", all.len()),
    };
    let ymax = s.iter().map(Sample::latency_ms).fold(1.0, f64::max) * 1.5;
    let (lo, hi) = (FLOOR_MS, ymax);
    render(FILES[0], |buf| {
        let root = SVGBackend::with_string(buf, SIZE).into_drawing_area();
        let mut chart = latency_chart(&root, caption, events, (lo, hi))?;
        let mut groups: BTreeMap<(String, &'static str), Vec<(f64, f64)>> = BTreeMap::new();
        for x in &s {
            groups
                .entry((x.f.clone(), outcome_name(x.outcome)))
                .or_default()
                .push((secs(x.start), x.latency_ms()));
        }
        for ((f, outcome), pts) in groups {
            let c = f_color(&f);
            let label = format!("{f} {outcome}");
            let series = match outcome {
                "ok" => chart.draw_series(
                    pts.iter()
                        .map(|p| Circle::new(*p, 2, c.filled()).into_dyn()),
                ),
                "fail" => chart.draw_series(pts.iter().map(|p| Cross::new(*p, 3, c).into_dyn())),
                _ => chart.draw_series(
                    pts.iter()
                        .map(|p| TriangleMarker::new(*p, 4, c.filled()).into_dyn()),
                ),
            }
            .map_err(err)?;
            series
                .label(label)
                .legend(move |(x, y)| Circle::new((x, y), 3, c.filled()));
        }
        legend(&mut chart)?;
        finish(&root)
    })
}

/// The chart both latency plots draw on: a white page, simulated time against latency on a log
/// scale from `lo` to `hi`, with the fault bands behind.
#[allow(clippy::type_complexity)]
fn latency_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    caption: String,
    events: &[Event],
    (lo, hi): (f64, f64),
) -> Res<
    ChartContext<
        'a,
        SVGBackend<'b>,
        Cartesian2d<
            plotters::coord::types::RangedCoordf64,
            plotters::coord::combinators::LogCoord<f64>,
        >,
    >,
> {
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(root)
        .caption(caption, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(0f64..x_max(events), (lo..hi).log_scale())
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("simulated time (s)")
        .y_desc("latency (ms)")
        .draw()
        .map_err(err)?;
    draw_bands(&mut chart, &bands(events), (lo, hi))?;
    Ok(chart)
}

fn legend<'a, DB: DrawingBackend + 'a, Y: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
) -> Res<()> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 11))
        .draw()
        .map_err(err)
}

/// `latency-quantiles.svg` of a history.
pub fn latency_quantiles_svg(events: &[Event], ops: &[Op]) -> Result<String, PlotError> {
    let s = samples(ops);
    let window = window_ns((x_max(events) * 1e9) as u64);
    let lines = latency_quantiles(&s, window);
    let ymax = s.iter().map(Sample::latency_ms).fold(1.0, f64::max) * 1.5;
    let (lo, hi) = (FLOOR_MS, ymax);
    render(FILES[1], |buf| {
        let root = SVGBackend::with_string(buf, SIZE).into_drawing_area();
        let caption = format!("latency quantiles per {} ms window", window / 1_000_000);
        let mut chart = latency_chart(&root, caption, events, (lo, hi))?;
        for ((f, qi), pts) in lines {
            let c = f_color(&f).mix(1.0 - 0.2 * qi as f64);
            let width = if qi == 0 { 2 } else { 1 };
            chart
                .draw_series(LineSeries::new(pts, c.stroke_width(width)))
                .map_err(err)?
                .label(format!("{f} q{}", QUANTILES[qi]))
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 16, y)], c.stroke_width(width))
                });
        }
        legend(&mut chart)?;
        finish(&root)
    })
}

/// `rate.svg` of a history.
pub fn rate_svg(events: &[Event], ops: &[Op]) -> Result<String, PlotError> {
    let s = samples(ops);
    let window = window_ns((x_max(events) * 1e9) as u64);
    let lines = rates(&s, window);
    let ymax = lines.values().flatten().map(|p| p.1).fold(1.0, f64::max) * 1.15;
    render(FILES[2], |buf| {
        let root = SVGBackend::with_string(buf, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let caption = format!("throughput per {} ms window", window / 1_000_000);
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..x_max(events), 0f64..ymax)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("simulated time (s)")
            .y_desc("completions per second")
            .draw()
            .map_err(err)?;
        draw_bands(&mut chart, &bands(events), (0.0, ymax))?;
        for ((f, outcome), pts) in lines {
            let base = f_color(&f);
            let c = match outcome {
                "ok" => base.mix(1.0),
                "fail" => base.mix(0.55),
                _ => base.mix(0.3),
            };
            chart
                .draw_series(LineSeries::new(pts, c.stroke_width(1)))
                .map_err(err)?
                .label(format!("{f} {outcome}"))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], c));
        }
        legend(&mut chart)?;
        finish(&root)
    })
}

/// Every plot of a history, `(file name, SVG)`, in [`FILES`] order. A history whose operations do
/// not pair is plotted without operations (only its fault bands).
pub fn render_all(events: &[Event]) -> Result<Vec<(&'static str, String)>, PlotError> {
    let ops = ops::pair(events).unwrap_or_default();
    Ok(vec![
        (FILES[0], latency_raw_svg(events, &ops)?),
        (FILES[1], latency_quantiles_svg(events, &ops)?),
        (FILES[2], rate_svg(events, &ops)?),
    ])
}

/// Write every plot of a history into `dir` (the run directory's staging directory).
pub fn write_all(dir: &Path, events: &[Event]) -> io::Result<()> {
    for (name, svg) in render_all(events).map_err(io::Error::other)? {
        std::fs::write(dir.join(name), svg)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(quantile(&v, 0.5), 5.0);
        assert_eq!(quantile(&v, 0.95), 10.0);
        assert_eq!(quantile(&v, 1.0), 10.0);
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
    }

    #[test]
    fn windows_are_whole_milliseconds() {
        assert_eq!(window_ns(0), 1_000_000);
        assert_eq!(window_ns(1_000_000_000), 20_000_000);
        assert_eq!(window_ns(1_010_000_000), 21_000_000);
    }

    fn sample(f: &str, outcome: Outcome, start_ms: u64, end_ms: u64) -> Sample {
        Sample {
            f: f.into(),
            outcome,
            start: start_ms * 1_000_000,
            end: end_ms * 1_000_000,
        }
    }

    #[test]
    fn rates_count_completions_per_window_with_zeros() {
        let s = [
            sample("read", Outcome::Ok, 0, 5),
            sample("read", Outcome::Ok, 1, 8),
            sample("read", Outcome::Ok, 20, 35),
            sample("write", Outcome::Fail, 0, 2),
        ];
        let r = rates(&s, 10_000_000);
        assert_eq!(
            r[&("read".to_string(), "ok")],
            vec![(0.0, 200.0), (0.01, 0.0), (0.02, 0.0), (0.03, 100.0)]
        );
        assert_eq!(r[&("write".to_string(), "fail")][0], (0.0, 100.0));
        let q = latency_quantiles(&s, 10_000_000);
        assert_eq!(q[&("read".to_string(), 0)], vec![(0.0, 5.0), (0.02, 15.0)]);
        assert_eq!(q[&("read".to_string(), 3)], vec![(0.0, 7.0), (0.02, 15.0)]);
    }
}
