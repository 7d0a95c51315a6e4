//! `stale-read` (alias `read-your-writes`): a read that began after a write was acknowledged
//! returns that write or a newer one.
//!
//! The guarantee (Terry et al. 1994 for the per-process case): for an ok write `w` and an
//! ok read `r` of one key with `w.ret < r.call`, `r` must not return an older value than `w`'s,
//! where older is REAL-TIME order only: the returned value's write completed before `w` was invoked,
//! or `r` returned `null` (absent). The store's `ts` is deliberately not used: under clock skew a
//! last-write-wins store can give a later write a smaller `ts`, and this is exactly the anomaly this
//! checker exists to catch (an acknowledged write silently overwritten by an older one).
//!
//! Deletes. A delete is a write of `null` (absent) and counts as an acknowledged write `w` like
//! any other. A read of `null` is explained by the initial state or by any delete invoked before
//! the read completed (deletes all carry `null`, so the read does not say which); it is stale iff
//! some acknowledged write or delete `w` completed before the read began such that EVERY possible
//! explanation precedes `w` in real time (the initial state precedes everything; a delete precedes
//! `w` iff it completed before `w` was invoked). Without deletes this is the rule above: a read of
//! `null` after an acknowledged write is stale.
//!
//! When `w` and `r` are of the same process the anomaly is reported with kind `read-your-writes`
//! (process order also counts: the process issued `w` before `r`), otherwise `stale-read`.
//!
//! Algorithm: per key, first per process in process order, then over all reads sorted by
//! invocation rank while acknowledged writes are absorbed in completion-rank order, keeping the
//! latest-invoked absorbed write (being older than some `w` is being older than the latest-invoked
//! one). Each read is compared in O(log n) (the deletes that explain a null, see
//! `index::Explainers`): O(n log n) overall.

use super::index::{by_key, is_delete, sorted_by, written_value, Explainers, KeyOps};
use super::{began, ended, events_of, key_name, shown, Report};
use crate::ops::Op;
use crate::value::Value;
use crate::verdict::Verdict;

/// The checker's name.
pub const NAME: &str = "stale-read";

/// Another name users may ask for.
pub const ALIAS: &str = "read-your-writes";

/// Check stale reads and read-your-writes over every key.
pub fn check(ops: &[Op]) -> Verdict {
    check_keys(ops, &by_key(ops))
}

/// [`check`] on the per-key index of `ops` ([`by_key`]), shared by the suite's checkers.
pub(crate) fn check_keys(ops: &[Op], keys: &[KeyOps<'_>]) -> Verdict {
    let mut report = Report::new(NAME);
    let mut reads = 0;
    for k in keys {
        reads += k.reads.len();
        let acked = k.acked_writes(ops);
        let ex = k.explainers(ops);
        let flagged = per_process(ops, k, &ex, &acked, &mut report);
        real_time(ops, k, &ex, &acked, &flagged, &mut report);
    }
    report.stat("reads", reads as u64);
    report.stat("keys", keys.len() as u64);
    super::note_ambiguous(&mut report, keys);
    report.finish()
}

/// Whether read `r` returns something older than acknowledged write or delete `w` (real time).
fn older_than(ops: &[Op], k: &KeyOps<'_>, ex: &Explainers, r: u32, w: u32) -> bool {
    let read = &ops[r as usize];
    let value = &read.value;
    if value.is_null() {
        let ret = read.ret.unwrap_or(u64::MAX);
        return ex.all_before(ret, ops[w as usize].call);
    }
    let Some(writer) = k.writer(value) else {
        return false;
    };
    ops[writer as usize]
        .ret
        .is_some_and(|ret| ret < ops[w as usize].call)
}

/// Keep the acknowledged write invoked last.
fn raise(latest: &mut Option<u32>, ops: &[Op], w: u32) {
    if latest.is_none_or(|l| ops[w as usize].call > ops[l as usize].call) {
        *latest = Some(w);
    }
}

fn per_process(
    ops: &[Op],
    k: &KeyOps<'_>,
    ex: &Explainers,
    acked: &[u32],
    report: &mut Report,
) -> Vec<u32> {
    let all: Vec<u32> = k.reads.iter().chain(acked).copied().collect();
    let order = sorted_by(&all, |i| (ops[i as usize].process, ops[i as usize].call));
    let mut flagged = Vec::new();
    let mut latest: Option<u32> = None;
    let mut process = None;
    for &i in &order {
        let op = &ops[i as usize];
        if process != Some(op.process) {
            latest = None;
            process = Some(op.process);
        }
        if op.f == "read" {
            if let Some(w) = latest.filter(|&w| older_than(ops, k, ex, i, w)) {
                flagged.push(i);
                explain(ops, k, ex, i, w, "read-your-writes", report);
            }
        } else {
            raise(&mut latest, ops, i);
        }
    }
    flagged.sort_unstable();
    flagged
}

fn real_time(
    ops: &[Op],
    k: &KeyOps<'_>,
    ex: &Explainers,
    acked: &[u32],
    flagged: &[u32],
    report: &mut Report,
) {
    let by_call = sorted_by(&k.reads, |r| ops[r as usize].call);
    let by_ret = sorted_by(acked, |w| ops[w as usize].ret);
    let mut latest: Option<u32> = None;
    let mut next = 0;
    for &r in &by_call {
        let call = ops[r as usize].call;
        while let Some(&w) = by_ret.get(next) {
            if ops[w as usize].ret.is_none_or(|ret| ret >= call) {
                break;
            }
            raise(&mut latest, ops, w);
            next += 1;
        }
        if flagged.binary_search(&r).is_ok() {
            continue;
        }
        if let Some(w) = latest.filter(|&w| older_than(ops, k, ex, r, w)) {
            let kind = if ops[w as usize].process == ops[r as usize].process {
                "read-your-writes"
            } else {
                "stale-read"
            };
            explain(ops, k, ex, r, w, kind, report);
        }
    }
}

fn explain(
    ops: &[Op],
    k: &KeyOps<'_>,
    ex: &Explainers,
    r: u32,
    w: u32,
    kind: &str,
    report: &mut Report,
) {
    let (read, write) = (&ops[r as usize], &ops[w as usize]);
    let mut evidence: Vec<u64> = events_of(read).chain(events_of(write)).collect();
    let by = if kind == "read-your-writes" {
        format!(" by the same process {}", write.process)
    } else {
        String::new()
    };
    let what = if is_delete(write) {
        format!("delete #{}", write.invoke_index)
    } else {
        format!(
            "write #{} of {}",
            write.invoke_index,
            shown(written_value(write).unwrap_or(&Value::Null))
        )
    };
    let mut sentence = format!(
        "read {} of {} returned {}, but {what}{} was acknowledged at {}, before this read began at {}",
        read.label(),
        key_name(k.key),
        shown(&read.value),
        by,
        ended(write),
        began(read)
    );
    if read.value.is_null() && !ex.none(read.ret.unwrap_or(u64::MAX)) {
        sentence.push_str(&format!(
            "; every delete that could explain the null completed before write #{} began at {}",
            write.invoke_index,
            began(write)
        ));
    }
    if let Some(old) = k.writer(&read.value) {
        let old = &ops[old as usize];
        evidence.extend(events_of(old));
        sentence.push_str(&format!(
            "; {} is older: its write #{} was acknowledged at {}, before write #{} began at {}",
            shown(&read.value),
            old.invoke_index,
            ended(old),
            write.invoke_index,
            began(write)
        ));
    }
    report.anomaly(kind, k.key, evidence, sentence);
}
