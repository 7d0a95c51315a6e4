//! `resurrection`: a value removed by an acknowledged delete never comes back — no later read
//! returns it and no replica holds it at the end.
//!
//! The guarantee (what a tombstone is for: a delete must win over the older write it removes,
//! even on a replica that missed the delete and later hears of the old write — the zombie value of
//! Dynamo-style stores). Values are unique per key, so a read of value `v` names its write `w`:
//! - **read**: an ok read `r` of key `k` returns `v ≠ null`, `w` completed before an acknowledged
//!   delete `d` of `k` was invoked, and `d` completed before `r` began (all real time). No write
//!   of `v` can follow `d` (`w` is its only writer), so `r` saw a deleted value: anomaly
//!   `resurrection`. Reads of values written more than once are skipped (noted);
//! - **final state** (with `final.json`): a replica holds `v` for `k`, `w` completed before the
//!   last acknowledged delete `d` of `k` was invoked, and no write of `k` was invoked after `d`
//!   (so the key's final state must be absent): anomaly `resurrection`.
//!
//! A history without an acknowledged delete is valid (nothing could be resurrected;
//! `stats.acknowledged-deletes` is 0). Algorithm: per key, reads sorted by invocation rank while
//! acknowledged deletes are absorbed in completion order, keeping the latest-invoked one (the
//! condition `d` invoked after `w` completed is easiest to meet for it): O(n log n).

use super::index::{by_key, is_delete, sorted_by, KeyOps};
use super::{began, ended, events_of, key_name, note_ambiguous, shown, Report};
use crate::final_state::FinalState;
use crate::ops::{Op, Outcome};
use crate::value::Value;
use crate::verdict::Verdict;

/// The checker's name.
pub const NAME: &str = "resurrection";

/// Check that no deleted value is read again or held at the end.
pub fn check(ops: &[Op], final_state: Option<&FinalState>) -> Verdict {
    check_keys(ops, &by_key(ops), final_state)
}

/// [`check`] on the per-key index of `ops` ([`by_key`]), shared by the suite's checkers.
pub(crate) fn check_keys(
    ops: &[Op],
    keys: &[KeyOps<'_>],
    final_state: Option<&FinalState>,
) -> Verdict {
    let mut report = Report::new(NAME);
    let (mut reads, mut deletes, mut cells) = (0u64, 0u64, 0u64);
    for k in keys {
        reads += k.reads.len() as u64;
        let acked: Vec<u32> = k
            .deletes
            .iter()
            .copied()
            .filter(|&d| ops[d as usize].outcome == Outcome::Ok)
            .collect();
        deletes += acked.len() as u64;
        if acked.is_empty() {
            continue;
        }
        read_sweep(ops, k, &acked, &mut report);
        if let Some(fs) = final_state {
            cells += final_cells(ops, k, &acked, fs, &mut report);
        }
    }
    report.stat("reads", reads);
    report.stat("acknowledged-deletes", deletes);
    report.stat("final-cells", cells);
    note_ambiguous(&mut report, keys);
    report.finish()
}

/// The unique write of `v` and its completion rank, when it completed.
fn completed_writer(ops: &[Op], k: &KeyOps<'_>, v: &Value) -> Option<(u32, u64)> {
    let w = k.writer(v)?;
    Some((w, ops[w as usize].ret?))
}

fn read_sweep(ops: &[Op], k: &KeyOps<'_>, acked: &[u32], report: &mut Report) {
    let by_call = sorted_by(&k.reads, |r| ops[r as usize].call);
    let by_ret = sorted_by(acked, |d| ops[d as usize].ret);
    let mut latest: Option<u32> = None;
    let mut next = 0;
    for &r in &by_call {
        let read = &ops[r as usize];
        while let Some(&d) = by_ret.get(next) {
            if ops[d as usize].ret.is_none_or(|ret| ret >= read.call) {
                break;
            }
            if latest.is_none_or(|l| ops[d as usize].call > ops[l as usize].call) {
                latest = Some(d);
            }
            next += 1;
        }
        if read.value.is_null() {
            continue;
        }
        let Some((w, w_ret)) = completed_writer(ops, k, &read.value) else {
            continue;
        };
        let Some(d) = latest.filter(|&d| ops[d as usize].call > w_ret) else {
            continue;
        };
        let (write, delete) = (&ops[w as usize], &ops[d as usize]);
        report.anomaly(
            NAME,
            k.key,
            events_of(read)
                .chain(events_of(write))
                .chain(events_of(delete))
                .collect(),
            format!(
                "read {} of {} at {} returned {} (written at {} by write #{}), but {} was deleted \
                 at {} (delete #{}, acknowledged at {}, before this read began)",
                read.label(),
                key_name(k.key),
                began(read),
                shown(&read.value),
                ended(write),
                write.invoke_index,
                key_name(k.key),
                began(delete),
                delete.invoke_index,
                ended(delete)
            ),
        );
    }
}

/// Judge the replicas' cells of `k`; returns how many cells were looked at.
fn final_cells(
    ops: &[Op],
    k: &KeyOps<'_>,
    acked: &[u32],
    fs: &FinalState,
    report: &mut Report,
) -> u64 {
    let Some(key) = k.key.and_then(Value::as_int) else {
        return 0;
    };
    let Some(d) = acked.iter().copied().max_by_key(|&d| ops[d as usize].call) else {
        return 0;
    };
    let delete = &ops[d as usize];
    let written_after = k
        .writes
        .iter()
        .any(|&x| !is_delete(&ops[x as usize]) && ops[x as usize].call > delete.call);
    let mut seen = 0;
    for c in fs.cells.iter().filter(|c| c.key == key) {
        seen += 1;
        let Some(v) = c.value else {
            continue;
        };
        let value = Value::Int(v);
        let Some((w, w_ret)) = completed_writer(ops, k, &value) else {
            continue;
        };
        if written_after || delete.call <= w_ret {
            continue;
        }
        let write = &ops[w as usize];
        report.anomaly(
            NAME,
            k.key,
            events_of(write).chain(events_of(delete)).collect(),
            format!(
                "replica {} holds {} (ts {}) for {} in final.json, but {} was deleted at {} \
                 (delete #{}, acknowledged at {}) after write #{} of {} was acknowledged at {}, and \
                 nothing was written to {} after that delete",
                c.node,
                v,
                c.ts,
                key_name(k.key),
                key_name(k.key),
                began(delete),
                delete.invoke_index,
                ended(delete),
                write.invoke_index,
                v,
                ended(write),
                key_name(k.key)
            ),
        );
    }
    seen
}
