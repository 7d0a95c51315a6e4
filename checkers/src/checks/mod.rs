//! The linear-time checkers: session and durability guarantees that need no search.
//!
//! Linearizability (Wing & Gong 1993; Lowe 2017) needs a search; the guarantees here are weaker and
//! each is decided by one sweep over the history sorted by real-time rank, so they run in
//! O(n log n) on millions of operations and name the exact pair of operations at fault:
//!
//! - [`monotonic_reads`] — a read never returns an older cell than a read that finished before it
//!   began (real time) or came before it in the same process (Terry et al. 1994, "Session
//!   guarantees for weakly consistent replicated data");
//! - [`stale_read`] — a read that began after a write was acknowledged returns it or a newer one
//!   (read-your-writes when both are of one process);
//! - [`lost_writes`] — every acknowledged write is in the final state or superseded;
//! - [`phantom`] — every value read or held was written by someone;
//! - [`resurrection`] — a value deleted by an acknowledged delete is never read (or held) again;
//! - [`convergence`] — after quiesce, all replicas of a key hold the same cell (Dynamo's eventual
//!   consistency, DeCandia et al. 2007).
//!
//! They apply to register histories (`read`/`write`, `cas` as a write of its new value, `delete`
//! as a write of `null` — the store's tombstone); other functions are ignored. "Newer" between two
//! values of a key means, unless a checker says otherwise, real-time order of their writes: `a` is
//! older than `b` iff `a`'s write completed before `b`'s write was invoked (Jepsen's and Knossos's
//! real-time order: the order of the history's events, see [`crate::ops`]). A read of `null` is
//! explained by the initial state or by any delete invoked before it completed.
//! Checkers return a [`Verdict`]; they never print or panic.

pub mod convergence;
pub(crate) mod index;
pub mod lost_writes;
pub mod monotonic_reads;
pub mod phantom;
pub mod resurrection;
pub mod stale_read;

use crate::error::excerpt;
use crate::ops::Op;
use crate::value::Value;
use crate::verdict::{Anomaly, Validity, Verdict};
use std::collections::BTreeMap;

/// At most this many anomalies are kept per checker; the total is in `stats["anomalies"]`.
pub const MAX_ANOMALIES: usize = 1000;

/// Accumulates one checker's findings and turns them into a [`Verdict`].
pub(crate) struct Report {
    checker: &'static str,
    anomalies: Vec<Anomaly>,
    total: u64,
    unknown: Vec<String>,
    notes: Vec<String>,
    stats: BTreeMap<String, u64>,
}

impl Report {
    pub fn new(checker: &'static str) -> Report {
        Report {
            checker,
            anomalies: Vec::new(),
            total: 0,
            unknown: Vec::new(),
            notes: Vec::new(),
            stats: BTreeMap::new(),
        }
    }

    /// Record an anomaly (`ops` are sorted and deduplicated here).
    pub fn anomaly(&mut self, kind: &str, key: Option<&Value>, mut ops: Vec<u64>, why: String) {
        self.total += 1;
        if self.anomalies.len() < MAX_ANOMALIES {
            ops.sort_unstable();
            ops.dedup();
            self.anomalies.push(Anomaly {
                kind: kind.to_string(),
                key: key.cloned(),
                ops,
                explanation: why,
            });
        }
    }

    /// Something could not be decided; the verdict is unknown unless an anomaly was found.
    pub fn undecided(&mut self, why: String) {
        self.unknown.push(why);
    }

    /// A remark that does not change the verdict.
    pub fn note(&mut self, why: String) {
        self.notes.push(why);
    }

    /// Set a counter.
    pub fn stat(&mut self, name: &str, n: u64) {
        self.stats.insert(name.to_string(), n);
    }

    pub fn finish(mut self) -> Verdict {
        let valid = match (self.total, self.unknown.is_empty()) {
            (0, true) => Validity::Valid,
            (0, false) => Validity::Unknown,
            _ => Validity::Invalid,
        };
        if self.total as usize > self.anomalies.len() {
            self.notes.push(format!(
                "{} anomalies found; the first {} are listed",
                self.total,
                self.anomalies.len()
            ));
        }
        const SHOWN: usize = 20;
        let undecided = self.unknown.len();
        let mut notes: Vec<String> = self.unknown.into_iter().take(SHOWN).collect();
        if undecided > SHOWN {
            notes.push(format!("… and {} more undecided cases", undecided - SHOWN));
        }
        notes.append(&mut self.notes);
        self.stats.insert("anomalies".into(), self.total);
        self.stats.insert("undecided".into(), undecided as u64);
        Verdict {
            checker: self.checker.to_string(),
            valid,
            anomalies: self.anomalies,
            notes,
            stats: self.stats,
        }
    }
}

/// Note values written more than once, whose reads the write-order rules cannot place.
pub(crate) fn note_ambiguous(report: &mut Report, keys: &[index::KeyOps<'_>]) {
    let n: usize = keys.iter().map(index::KeyOps::ambiguous).sum();
    if n > 0 {
        report.note(format!(
            "{n} values were written more than once to the same key; reads of them were not compared by write order"
        ));
    }
}

/// `key 3`, or `the register` for an unkeyed history (a long key is cut).
pub(crate) fn key_name(key: Option<&Value>) -> String {
    key.map_or_else(
        || "the register".to_string(),
        |k| format!("key {}", excerpt(&k.to_string())),
    )
}

/// When an operation began: `1.310 s`, or `event #12` when the history has no times.
pub(crate) fn began(op: &Op) -> String {
    op.invoke_time
        .map_or_else(|| format!("event #{}", op.invoke_index), crate::fmt_time)
}

/// When an operation completed: `1.204 s` or `event #14`.
pub(crate) fn ended(op: &Op) -> String {
    match (op.complete_time, op.complete_index) {
        (Some(t), _) => crate::fmt_time(t),
        (None, Some(i)) => format!("event #{i}"),
        (None, None) => "never".to_string(),
    }
}

/// The history indices of an operation's events.
pub(crate) fn events_of(op: &Op) -> impl Iterator<Item = u64> {
    std::iter::once(op.invoke_index).chain(op.complete_index)
}

/// A value as a person reads it: `null` is `null (absent)`; a long value is cut.
pub(crate) fn shown(v: &Value) -> String {
    if v.is_null() {
        "null (absent)".to_string()
    } else {
        excerpt(&v.to_string()).into_owned()
    }
}

/// A read's result with its cell timestamp: `7 (ts 1201)`, `null (tombstone, ts 1300)`,
/// `null (absent)`.
pub(crate) fn with_ts(op: &Op) -> String {
    match (op.ts, op.value.is_null()) {
        (Some(ts), true) => format!("null (tombstone, ts {ts})"),
        (Some(ts), false) => format!("{} (ts {ts})", shown(&op.value)),
        (None, _) => shown(&op.value),
    }
}
