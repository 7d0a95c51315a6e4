//! Checking partitions in parallel, with cancellation and a deterministic report.
//!
//! `threads` workers (std::thread::scope) pull partitions, in key order, from a shared counter.
//! When partition `i` is found invalid, `first_invalid` drops to `i` and every search of a
//! partition after `i` stops at its next poll; partitions before `i` run on, since one of them may
//! be invalid too. So the reported violation is always the one of the smallest invalid key —
//! independent of thread timing — while a run with several invalid partitions reports only that
//! one (later partitions are cancelled, so there may be more anomalies than reported; the verdict
//! is right either way). Whatever the partitions after the first invalid one did before they were
//! cancelled is left out of the verdict (notes and stats too), so the verdict is the same with any
//! number of threads. Limits (state budget, cache bound, time limit) make a partition `Unknown`,
//! with a note naming the limit and saying how far the search got; the state budget and the cache
//! bound are counted per partition, so they are deterministic. A worker that panics makes the
//! verdict unknown with the panic's message.

use super::entries::Entries;
use super::model::{Model, ModelError, Prepared};
use super::partition::Partition;
use super::report::{report, Invalid};
use super::search::{search, Limits, Outcome, Stop};
use super::LinOptions;
use crate::ops::{Op, Outcome as OpOutcome};
use crate::value::Value;
use crate::verdict::{Anomaly, Validity, Verdict};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

enum PartOutcome<M: Model> {
    Valid,
    Invalid(Box<Invalid<M>>),
    Unknown(String),
    Cancelled,
}

struct PartResult<M: Model> {
    outcome: PartOutcome<M>,
    states: u64,
    hits: u64,
    doomed: u64,
}

/// At most this many partitions' "unknown" notes are listed one by one.
const NOTES_SHOWN: usize = 10;

fn key_text(key: Option<&Value>) -> String {
    key.map_or_else(|| "the history".to_string(), |k| format!("key {k}"))
}

/// An operation the model cannot take.
#[derive(Debug, thiserror::Error)]
#[error("operation #{index} ({f}): {source}")]
struct PrepareError {
    index: u64,
    f: String,
    source: ModelError,
}

/// A limit as people write it: `60 s`, `1.500 s`, `250 ms`, `1ns`.
fn fmt_duration(d: std::time::Duration) -> String {
    if d.as_millis() == 0 {
        format!("{d:?}")
    } else if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.3} s", d.as_secs_f64())
    }
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string());
    crate::error::excerpt(&text).into_owned()
}

/// Parse a partition's operations into the model's inputs: `fail`ed operations never happened,
/// `info` operations are open.
fn prepare<M: Model>(
    model: &mut M,
    ops: &[Op],
    part: &Partition,
) -> Result<Vec<Prepared<M::Input>>, PrepareError> {
    let mut out = Vec::with_capacity(part.ops.len());
    for &i in &part.ops {
        let op = &ops[i];
        if op.outcome == OpOutcome::Fail {
            continue;
        }
        let parsed = model.parse(op).map_err(|source| PrepareError {
            index: op.invoke_index,
            f: crate::error::excerpt(&op.f).into_owned(),
            source,
        })?;
        let input = match (parsed, op.outcome) {
            (Some(input), OpOutcome::Ok) => input,
            (Some(input), _) => match model.open(&input) {
                Some(open) => open,
                None => continue,
            },
            (None, _) => continue,
        };
        let ret = if op.outcome == OpOutcome::Ok {
            op.ret
        } else {
            None
        };
        out.push(Prepared {
            input,
            call: op.call,
            ret,
            op: i,
        });
    }
    model.prune(&mut out);
    Ok(out)
}

fn check_partition<M: Model>(
    ops: &[Op],
    part: &Partition,
    opts: &LinOptions,
    limits: &Limits<'_>,
) -> PartResult<M> {
    let unknown = |note: String| PartResult {
        outcome: PartOutcome::Unknown(note),
        states: 0,
        hits: 0,
        doomed: 0,
    };
    let mut model = match M::new(opts.init.as_ref(), opts.nil_read) {
        Ok(m) => m,
        Err(e) => return unknown(e.to_string()),
    };
    let prepared = match prepare(&mut model, ops, part) {
        Ok(p) => p,
        Err(e) => return unknown(format!("{}: {e}", key_text(part.key.as_ref()))),
    };
    let mut entries = Entries::build(&model, &prepared, None);
    let result = search(&model, &mut entries, limits);
    let (states, hits, doomed) = (result.states, result.cache_hits, result.doomed);
    let outcome = match result.outcome {
        Outcome::Linearizable => PartOutcome::Valid,
        Outcome::Violation => PartOutcome::Invalid(Box::new(Invalid {
            model,
            prepared,
            entries,
            result,
        })),
        Outcome::Stopped(Stop::Cancelled) => PartOutcome::Cancelled,
        Outcome::Stopped(stop) => {
            let limit = match stop {
                Stop::MaxStates => format!(
                    "linearizability search stopped: its budget of {} states (max_states) was spent",
                    opts.max_states.unwrap_or(0)
                ),
                Stop::MaxCache => format!(
                    "linearizability search stopped: its cache reached {} entries (~{} MiB, the \
                     memory bound max_cache)",
                    result.cache_len,
                    result.cache_bytes.div_ceil(1 << 20)
                ),
                _ => format!(
                    "linearizability search stopped after {} (--time-limit)",
                    fmt_duration(opts.time_limit.unwrap_or_default())
                ),
            };
            PartOutcome::Unknown(format!(
                "{}: {limit}, having explored {states} states; the longest partial \
                 linearization covered {} of {} operations",
                key_text(part.key.as_ref()),
                result.best.len(),
                entries.items.len()
            ))
        }
    };
    PartResult {
        outcome,
        states,
        hits,
        doomed,
    }
}

/// Check every partition with model `M` and compose the verdict.
pub fn run<M: Model>(ops: &[Op], parts: &[Partition], opts: &LinOptions) -> Verdict {
    if let Err(e) = M::new(opts.init.as_ref(), opts.nil_read) {
        return Verdict::unknown("linearizable", format!("bad initial value: {e}"));
    }
    let deadline = opts.time_limit.map(|t| Instant::now() + t);
    let threads = match opts.threads {
        _ if parts.len() <= 1 => 1,
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, parts.len().max(1));
    let next = AtomicUsize::new(0);
    let first_invalid = AtomicUsize::new(usize::MAX);
    let worker = || {
        let mut out: Vec<(usize, PartResult<M>)> = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= parts.len() {
                break out;
            }
            let cancelled = || first_invalid.load(Ordering::Relaxed) < i;
            let limits = Limits {
                max_states: opts.max_states,
                max_cache: opts.max_cache,
                deadline,
                cancelled: &cancelled,
                look_ahead: true,
            };
            let r = if cancelled() {
                PartResult {
                    outcome: PartOutcome::Cancelled,
                    states: 0,
                    hits: 0,
                    doomed: 0,
                }
            } else {
                check_partition::<M>(ops, &parts[i], opts, &limits)
            };
            if matches!(r.outcome, PartOutcome::Invalid(_)) {
                first_invalid.fetch_min(i, Ordering::Relaxed);
            }
            out.push((i, r));
        }
    };
    let mut results: Vec<(usize, PartResult<M>)> = Vec::with_capacity(parts.len());
    let mut crashed: Option<String> = None;
    if threads == 1 {
        results = worker();
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads).map(|_| s.spawn(worker)).collect();
            for h in handles {
                match h.join() {
                    Ok(r) => results.extend(r),
                    Err(payload) => {
                        crashed.get_or_insert_with(|| panic_message(payload.as_ref()));
                    }
                }
            }
        });
    }
    results.sort_by_key(|(i, _)| *i);
    // Partitions after the first invalid one may or may not have finished before they were
    // cancelled, depending on thread timing: leave them all out.
    let first_invalid = results
        .iter()
        .find(|(_, r)| matches!(r.outcome, PartOutcome::Invalid(_)))
        .map(|(i, _)| *i);
    if let Some(first) = first_invalid {
        for (_, r) in results.iter_mut().filter(|(i, _)| *i > first) {
            *r = PartResult {
                outcome: PartOutcome::Cancelled,
                states: 0,
                hits: 0,
                doomed: 0,
            };
        }
    }
    compose(ops, parts, opts, deadline, results, crashed)
}

fn compose<M: Model>(
    ops: &[Op],
    parts: &[Partition],
    opts: &LinOptions,
    deadline: Option<Instant>,
    results: Vec<(usize, PartResult<M>)>,
    crashed: Option<String>,
) -> Verdict {
    let mut verdict = Verdict::from_anomalies("linearizable", Vec::new());
    let (mut states, mut hits, mut doomed, mut unreported) = (0u64, 0u64, 0u64, 0usize);
    let mut unknown_notes: Vec<String> = Vec::new();
    let mut anomalies: Vec<Anomaly> = Vec::new();
    let mut unknown = crashed.is_some();
    let mut explain: Option<(u64, u64)> = None;
    if let Some(why) = crashed {
        verdict.notes.push(format!(
            "a worker thread panicked ({why}); some partitions were not checked"
        ));
    }
    for (i, r) in results {
        states += r.states;
        hits += r.hits;
        doomed += r.doomed;
        match r.outcome {
            PartOutcome::Valid => {}
            PartOutcome::Cancelled => unreported += 1,
            PartOutcome::Unknown(note) => {
                unknown = true;
                unknown_notes.push(note);
            }
            PartOutcome::Invalid(inv) if anomalies.is_empty() => {
                let r = report(*inv, parts[i].key.as_ref(), ops, opts, deadline);
                states += r.states;
                explain = Some((r.work, r.budget));
                if r.cut_short {
                    verdict.notes.push(format!(
                        "the explanation was cut short: it spent its budget of {} work units \
                         ({}% of the verdict's work on that partition, at least {})",
                        r.budget,
                        opts.explain_percent,
                        super::report::EXPLAIN_FLOOR
                    ));
                }
                anomalies.push(r.anomaly);
            }
            PartOutcome::Invalid(_) => unreported += 1,
        }
    }
    let hidden = unknown_notes.len().saturating_sub(NOTES_SHOWN);
    verdict
        .notes
        .extend(unknown_notes.into_iter().take(NOTES_SHOWN));
    if hidden > 0 {
        verdict.notes.push(format!(
            "… and {hidden} more partitions could not be decided"
        ));
    }
    if !anomalies.is_empty() {
        verdict.valid = Validity::Invalid;
        if unreported > 0 {
            verdict.notes.push(format!(
                "{unreported} partition(s) after the invalid one were not checked to the end; \
                 there may be more anomalies than reported"
            ));
        }
    } else if unknown || unreported > 0 {
        verdict.valid = Validity::Unknown;
    }
    verdict.anomalies = anomalies;
    verdict.stats.insert("ops".into(), ops.len() as u64);
    verdict
        .stats
        .insert("independent-keys".into(), parts.len() as u64);
    verdict.stats.insert("states_explored".into(), states);
    verdict.stats.insert("cache_hits".into(), hits);
    verdict.stats.insert("lookahead_prunes".into(), doomed);
    if let Some((work, budget)) = explain {
        verdict.stats.insert("explain_work".into(), work);
        verdict.stats.insert("explain_budget".into(), budget);
    }
    verdict
}
