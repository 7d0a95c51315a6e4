//! `monotonic-reads`: once a read has returned a cell, no later read returns an older one.
//!
//! The guarantee (Terry et al. 1994, "Session guarantees for weakly consistent replicated data"):
//! for ok reads `r1`, `r2` of one key, if `r1` completed before `r2` began in real time
//! (`r1.ret < r2.call`: `r1`'s completion is listed before `r2`'s invocation, see [`crate::ops`]),
//! or `r1` precedes `r2` in the same process, then `r2` returns a cell at least as new as `r1`'s.
//! "As new" is decided as follows:
//! - when both reads carry the store's cell timestamp `ts`, by the store's version order, the
//!   last-write-wins order on `(ts, is_tombstone, value)`: a read of `null` WITH a `ts` returned a
//!   tombstone (the key was deleted at `ts`), which wins a tie with a value of the same `ts`, as
//!   in the store (equal `ts` and value = the same cell);
//! - otherwise by the real-time order of the writes that produced the values (values are unique
//!   per key): `r2`'s value is older iff its write completed before `r1`'s write was invoked;
//! - a read of `null` without a `ts` (a key never written, or a purged tombstone) is explained by
//!   the initial state or by any delete invoked before it completed. With no such delete it is the
//!   initial state, older than everything: reading it after a value is a violation. Otherwise it
//!   is older than `r1`'s value iff every such delete completed before `r1`'s write was invoked
//!   (a purged tombstone of a newer delete is not a step back). A tombstone and a `null` without
//!   `ts` are the same to a reader: one after the other is never a violation.
//!
//! Algorithm: per key, reads sorted by invocation rank are swept while completed reads are absorbed
//! in completion-rank order into a frontier (the newest version seen, the latest invocation rank
//! of a seen value's write, whether any value was seen); each read is compared with the frontier
//! in O(log n) (the deletes that explain a null, `index::Explainers`). Then the same is
//! done per process in process order. O(n log n) overall. Reads whose value has no unique write
//! (ambiguous or phantom) are not compared by write order.

use super::index::{by_key, sorted_by, version, Explainers, KeyOps};
use super::{began, ended, events_of, key_name, shown, with_ts, Report};
use crate::ops::Op;
use crate::value::Value;
use crate::verdict::Verdict;

/// The checker's name.
pub const NAME: &str = "monotonic-reads";

/// Check monotonic reads (real-time and per process) over every key.
pub fn check(ops: &[Op]) -> Verdict {
    check_keys(ops, &by_key(ops))
}

/// [`check`] on the per-key index of `ops` ([`by_key`]), shared by the suite's checkers.
pub(crate) fn check_keys(ops: &[Op], keys: &[KeyOps<'_>]) -> Verdict {
    let mut report = Report::new(NAME);
    let mut reads = 0;
    for k in keys {
        reads += k.reads.len();
        let ex = k.explainers(ops);
        let flagged = real_time(ops, k, &ex, &mut report);
        per_process(ops, k, &ex, &flagged, &mut report);
    }
    report.stat("reads", reads as u64);
    report.stat("keys", keys.len() as u64);
    super::note_ambiguous(&mut report, keys);
    report.finish()
}

/// Why `r2` is older than the frontier.
enum Reason {
    /// `r2` read null, which only the initial state explains, after a value.
    Null,
    /// `r2`'s `(ts, is_tombstone, value)` is below `r1`'s.
    Ts,
    /// `r2`'s write completed before `r1`'s write began.
    WriteOrder { w1: u32, w2: u32 },
    /// `r2` read null, and every delete that explains it completed before `r1`'s write began.
    Deleted { w1: u32 },
}

/// A version in last-write-wins order: `(ts, is_tombstone, value)`.
type Version<'a> = (u64, bool, &'a Value);

/// What the reads absorbed so far have shown.
#[derive(Default)]
struct Frontier<'a> {
    /// Newest version among reads that carry a ts, and the read.
    cell: Option<(Version<'a>, u32)>,
    /// Latest invocation rank of a read value's write (all reads), and the read.
    write_call: Option<(u64, u32)>,
    /// The same among reads without a ts.
    write_call_nots: Option<(u64, u32)>,
    /// Some read that returned a value.
    some_value: Option<u32>,
}

fn raise(slot: &mut Option<(u64, u32)>, call: u64, r: u32) {
    if slot.is_none_or(|(c, _)| call > c) {
        *slot = Some((call, r));
    }
}

impl<'a> Frontier<'a> {
    fn absorb(&mut self, ops: &'a [Op], k: &KeyOps<'a>, r: u32) {
        let op = &ops[r as usize];
        if let Some(v) = version(op) {
            if self.cell.is_none_or(|(c, _)| v > c) {
                self.cell = Some((v, r));
            }
        }
        if op.value.is_null() {
            return;
        }
        self.some_value.get_or_insert(r);
        if let Some(w) = k.writer(&op.value) {
            let call = ops[w as usize].call;
            raise(&mut self.write_call, call, r);
            if op.ts.is_none() {
                raise(&mut self.write_call_nots, call, r);
            }
        }
    }

    /// A read absorbed earlier that `r2` contradicts, and why.
    fn violation(
        &self,
        ops: &[Op],
        k: &KeyOps<'_>,
        ex: &Explainers,
        r2: u32,
    ) -> Option<(u32, Reason)> {
        let op = &ops[r2 as usize];
        if let (Some(v2), Some((v1, r1))) = (version(op), self.cell) {
            if v1 > v2 {
                return Some((r1, Reason::Ts));
            }
        }
        let frontier = if op.ts.is_some() {
            self.write_call_nots
        } else {
            self.write_call
        };
        if op.value.is_null() {
            let ret = op.ret.unwrap_or(u64::MAX);
            if ex.none(ret) {
                // Only the initial state explains it (a tombstone no delete explains is phantom's).
                return match op.ts {
                    None => self.some_value.map(|r1| (r1, Reason::Null)),
                    Some(_) => None,
                };
            }
            let (call1, r1) = frontier?;
            let w1 = k.writer(&ops[r1 as usize].value)?;
            return ex
                .all_before(ret, call1)
                .then_some((r1, Reason::Deleted { w1 }));
        }
        let (call1, r1) = frontier?;
        let w2 = k.writer(&op.value)?;
        let ret2 = ops[w2 as usize].ret?;
        if ret2 < call1 {
            let w1 = k.writer(&ops[r1 as usize].value)?;
            return Some((r1, Reason::WriteOrder { w1, w2 }));
        }
        None
    }
}

/// Real-time sweep over one key; returns the reads it flagged (sorted).
fn real_time(ops: &[Op], k: &KeyOps<'_>, ex: &Explainers, report: &mut Report) -> Vec<u32> {
    let by_call = sorted_by(&k.reads, |r| ops[r as usize].call);
    let by_ret = sorted_by(&k.reads, |r| ops[r as usize].ret);
    let mut frontier = Frontier::default();
    let mut next = 0;
    let mut flagged = Vec::new();
    for &r2 in &by_call {
        let call = ops[r2 as usize].call;
        while let Some(&r1) = by_ret.get(next) {
            if ops[r1 as usize].ret.is_none_or(|ret| ret >= call) {
                break;
            }
            frontier.absorb(ops, k, r1);
            next += 1;
        }
        if let Some((r1, reason)) = frontier.violation(ops, k, ex, r2) {
            flagged.push(r2);
            explain(ops, k, r1, r2, reason, false, report);
        }
    }
    flagged.sort_unstable();
    flagged
}

/// Per-process sweep over one key, reporting only reads the real-time sweep did not flag.
fn per_process(ops: &[Op], k: &KeyOps<'_>, ex: &Explainers, flagged: &[u32], report: &mut Report) {
    let order = sorted_by(&k.reads, |r| {
        (ops[r as usize].process, ops[r as usize].call)
    });
    let mut frontier = Frontier::default();
    let mut process = None;
    for &r2 in &order {
        let p = ops[r2 as usize].process;
        if process != Some(p) {
            frontier = Frontier::default();
            process = Some(p);
        }
        if flagged.binary_search(&r2).is_err() {
            if let Some((r1, reason)) = frontier.violation(ops, k, ex, r2) {
                explain(ops, k, r1, r2, reason, true, report);
            }
        }
        frontier.absorb(ops, k, r2);
    }
}

fn explain(
    ops: &[Op],
    k: &KeyOps<'_>,
    r1: u32,
    r2: u32,
    reason: Reason,
    same_process: bool,
    report: &mut Report,
) {
    let (o1, o2) = (&ops[r1 as usize], &ops[r2 as usize]);
    let earlier = if same_process {
        format!(
            "read {}, earlier in the same process {}, had returned",
            o1.label(),
            o2.process
        )
    } else {
        format!("read {} had already returned", o1.label())
    };
    let when = if same_process {
        format!("completing at {}", ended(o1))
    } else {
        format!(
            "completing at {}, before this read began at {}",
            ended(o1),
            began(o2)
        )
    };
    let mut evidence: Vec<u64> = events_of(o1).chain(events_of(o2)).collect();
    let why = match reason {
        Reason::Null | Reason::Ts => String::new(),
        Reason::WriteOrder { w1, w2 } => {
            let (ow1, ow2) = (&ops[w1 as usize], &ops[w2 as usize]);
            evidence.extend(events_of(ow1).chain(events_of(ow2)));
            format!(
                "; {} is newer: its write #{} began at {}, after write #{} of {} was acknowledged at {}",
                shown(&o1.value),
                ow1.invoke_index,
                began(ow1),
                ow2.invoke_index,
                shown(&o2.value),
                ended(ow2)
            )
        }
        Reason::Deleted { w1 } => {
            let ow1 = &ops[w1 as usize];
            evidence.extend(events_of(ow1));
            format!(
                "; {} is newer: its write #{} began at {}, after every delete of {} that could explain the null had completed",
                shown(&o1.value),
                ow1.invoke_index,
                began(ow1),
                key_name(k.key)
            )
        }
    };
    let newer = if matches!(reason, Reason::Ts) {
        "the newer cell "
    } else {
        ""
    };
    let sentence = format!(
        "read {} of {} returned {}, but {} {}{}, {}{}",
        o2.label(),
        key_name(k.key),
        with_ts(o2),
        earlier,
        newer,
        with_ts(o1),
        when,
        why
    );
    report.anomaly("non-monotonic-read", k.key, evidence, sentence);
}
