//! `phantom`: every value read, and every value a replica holds at the end, was written by someone.
//!
//! The guarantee ("no value appears that no one wrote"; Adya 1999 calls a
//! read of a value no transaction wrote an aborted/intermediate read in the transactional setting):
//! a non-null value returned by an ok read of key `k`, or held for `k` by any replica in
//! `final.json`, must be the value of some write (or cas) invocation of `k` that did not `fail` —
//! `ok`, `info` and never-completed writes all count, since they may have taken effect — or the
//! initial value. A read of `null` is never a phantom (absent is the initial state, and deletes
//! write `null`); tombstones are not values, so a replica holding a tombstone holds no phantom. A
//! value written only by a failed write is a phantom: `fail` means the write certainly did not
//! happen.
//! One hash lookup per read and per cell: O(n).

use super::index::{by_key, KeyOps};
use super::{events_of, key_name, shown, Report};
use crate::final_state::FinalState;
use crate::ops::Op;
use crate::value::Value;
use crate::verdict::Verdict;

/// The checker's name.
pub const NAME: &str = "phantom";

/// Check for values nobody wrote; `init` is the initial value, if any.
pub fn check(ops: &[Op], final_state: Option<&FinalState>, init: Option<&Value>) -> Verdict {
    check_keys(ops, &by_key(ops), final_state, init)
}

/// [`check`] on the per-key index of `ops` ([`by_key`]), shared by the suite's checkers.
pub(crate) fn check_keys(
    ops: &[Op],
    keys: &[KeyOps<'_>],
    final_state: Option<&FinalState>,
    init: Option<&Value>,
) -> Verdict {
    let mut report = Report::new(NAME);
    let is_init = |v: &Value| init.is_some_and(|i| i == v);
    let mut reads = 0u64;
    for k in keys {
        for &r in &k.reads {
            reads += 1;
            let op = &ops[r as usize];
            if op.value.is_null() || is_init(&op.value) || k.was_written(&op.value) {
                continue;
            }
            report.anomaly(
                "phantom-read",
                k.key,
                events_of(op).collect(),
                format!(
                    "read {} of {} returned {}, a value no write of {} ever tried to write",
                    op.label(),
                    key_name(k.key),
                    shown(&op.value),
                    key_name(k.key)
                ),
            );
        }
    }
    let mut cells = 0u64;
    if let Some(fs) = final_state {
        for c in &fs.cells {
            cells += 1;
            let Some(v) = c.value else {
                continue; // a tombstone
            };
            let (key, value) = (Value::Int(c.key), Value::Int(v));
            let written = keys
                .binary_search_by(|k| k.key.cmp(&Some(&key)))
                .is_ok_and(|i| keys[i].was_written(&value));
            if written || is_init(&value) {
                continue;
            }
            report.anomaly(
                "phantom-value",
                Some(&key),
                Vec::new(),
                format!(
                    "replica {} holds {} (ts {}) for {} in final.json, but no write of {} ever tried to write it",
                    c.node,
                    value,
                    c.ts,
                    key_name(Some(&key)),
                    key_name(Some(&key))
                ),
            );
        }
    }
    report.stat("reads", reads);
    report.stat("final-cells", cells);
    report.finish()
}
