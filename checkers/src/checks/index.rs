//! A per-key view of a register history, shared by the linear checkers.
//!
//! Built in one pass over the operations (hash lookups only; the output order is fixed by sorting
//! keys), it holds for every key its ok reads, its writes, its deletes, and which write produced
//! each value. Writes are `write` operations, `cas` operations (whose value `[old new]` writes
//! `new`) and `delete` operations (a write of `null`, "absent": the store's tombstone) that did not
//! `fail`. Values are expected to be unique per key — the harness guarantees it — so a read of a
//! value names the write it saw; a value written more than once is marked ambiguous and the
//! checkers skip comparisons that would need its write (never a false alarm). A read of `null`
//! names no write: it is explained by the initial state or by any delete that could be visible
//! ([`Explainers`]).

use crate::ops::{Op, Outcome};
use crate::value::Value;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hash (rustc's): a multiply-rotate per word, several times faster than SipHash on the
/// small integer keys and values of a history. Used for lookups only; no output order depends on it.
#[derive(Clone, Copy, Default)]
pub(crate) struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn write_i64(&mut self, n: i64) {
        self.add(n as u64);
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    fn write_isize(&mut self, n: isize) {
        self.add(n as u64);
    }
    fn finish(&self) -> u64 {
        // The multiply mixes upwards only: the low bits, which pick a hash table's bucket, depend
        // on the key's low bits alone (keys 16·b + j for j < 8 would share 8 buckets in 16).
        // Rotating brings the well-mixed high bits down (as rustc-hash 2 does).
        self.0.rotate_left(26)
    }
}

/// A hash map with [`FxHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Which write produced a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Writer {
    /// Exactly one write (op position).
    One(u32),
    /// Several writes wrote the same value: the read does not name one.
    Ambiguous,
}

/// One key's operations (op positions into the history's op slice).
#[derive(Debug, Default)]
pub(crate) struct KeyOps<'a> {
    /// The key (`None` for an unkeyed register).
    pub key: Option<&'a Value>,
    /// Ok reads, in invocation order.
    pub reads: Vec<u32>,
    /// Writes and deletes that did not fail (ok, info or pending), in invocation order.
    pub writes: Vec<u32>,
    /// The deletes among them (writes of `null`), in invocation order.
    pub deletes: Vec<u32>,
    /// Non-null value → the write that wrote it.
    pub written: Written<'a>,
}

/// Non-null value → the write that wrote it. Integers (the common case) are keyed by the
/// integer itself, so a lookup does not reach back into the operations for the written value.
#[derive(Debug, Default)]
pub(crate) struct Written<'a> {
    ints: FastMap<i64, Writer>,
    others: FastMap<&'a Value, Writer>,
}

impl<'a> Written<'a> {
    /// The write of `v`, or [`Writer::Ambiguous`] when several wrote it.
    pub fn get(&self, v: &Value) -> Option<&Writer> {
        match v {
            Value::Int(i) => self.ints.get(i),
            other => self.others.get(other),
        }
    }

    /// Record that op `w` wrote `v`.
    fn add(&mut self, v: &'a Value, w: u32) {
        let slot = match v {
            Value::Int(i) => self.ints.entry(*i),
            other => return Self::mark(self.others.entry(other), w),
        };
        Self::mark(slot, w)
    }

    fn mark<K>(slot: std::collections::hash_map::Entry<'_, K, Writer>, w: u32) {
        slot.and_modify(|x| *x = Writer::Ambiguous)
            .or_insert(Writer::One(w));
    }

    /// Whether some write wrote `v`.
    pub fn contains_key(&self, v: &Value) -> bool {
        self.get(v).is_some()
    }

    /// Every writer.
    pub fn values(&self) -> impl Iterator<Item = &Writer> {
        self.ints.values().chain(self.others.values())
    }

    /// Whether no value was written.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.ints.is_empty() && self.others.is_empty()
    }
}

impl<'a> KeyOps<'a> {
    /// The deletes that could explain a read of `null` that completed at rank `ret`.
    pub fn explainers(&self, ops: &[Op]) -> Explainers {
        Explainers::new(ops, &self.deletes)
    }

    /// The acknowledged (ok) writes and deletes, in invocation order.
    pub fn acked_writes(&self, ops: &[Op]) -> Vec<u32> {
        self.writes
            .iter()
            .copied()
            .filter(|&w| ops[w as usize].outcome == Outcome::Ok)
            .collect()
    }

    /// The unique write of `v`, if there is exactly one.
    pub fn writer(&self, v: &Value) -> Option<u32> {
        match self.written.get(v) {
            Some(Writer::One(w)) => Some(*w),
            _ => None,
        }
    }

    /// How many values were written more than once (their reads name no single write).
    pub fn ambiguous(&self) -> usize {
        self.written
            .values()
            .filter(|w| **w == Writer::Ambiguous)
            .count()
    }

    /// Whether `v` was written by some write that did not fail.
    pub fn was_written(&self, v: &Value) -> bool {
        self.written.contains_key(v)
    }
}

static ABSENT: Value = Value::Null;

/// The value an operation writes, if it is a write, a cas or a delete (`null`).
pub(crate) fn written_value(op: &Op) -> Option<&Value> {
    match op.f.as_str() {
        "write" => Some(&op.invoke_value),
        "cas" => op.invoke_value.as_list().and_then(|l| l.get(1)),
        "delete" => Some(&ABSENT),
        _ => None,
    }
}

/// Whether `op` is a delete (a write of `null`).
pub(crate) fn is_delete(op: &Op) -> bool {
    written_value(op).is_some_and(Value::is_null)
}

/// The deletes of one key that could explain a read of `null`, for real-time questions: "every
/// possible explanation of this null — the initial state and every delete invoked before the read
/// completed — completed before rank r?". Deletes sorted by invocation rank with the running
/// maximum of their completion ranks (an open delete never completes): O(log n) per question.
pub(crate) struct Explainers {
    calls: Vec<u64>,
    latest_ret: Vec<u64>,
}

impl Explainers {
    fn new(ops: &[Op], deletes: &[u32]) -> Explainers {
        let mut by_call: Vec<(u64, u64)> = deletes
            .iter()
            .map(|&d| {
                let op = &ops[d as usize];
                (op.call, op.ret.unwrap_or(u64::MAX))
            })
            .collect();
        by_call.sort_unstable();
        let mut latest = 0;
        let latest_ret = by_call
            .iter()
            .map(|&(_, ret)| {
                latest = latest.max(ret);
                latest
            })
            .collect();
        Explainers {
            calls: by_call.into_iter().map(|(c, _)| c).collect(),
            latest_ret,
        }
    }

    /// The latest completion rank among deletes invoked before rank `before` (`u64::MAX` when
    /// one of them never completed); `None` when there is none: only the initial state explains
    /// a null read that completed at `before`.
    pub fn latest_ret(&self, before: u64) -> Option<u64> {
        let n = self.calls.partition_point(|&c| c < before);
        n.checked_sub(1)
            .and_then(|i| self.latest_ret.get(i).copied())
    }

    /// Whether every explanation of a null read that completed at `read_ret` completed before
    /// rank `rank` (so the null shows a state older than anything invoked at `rank`).
    pub fn all_before(&self, read_ret: u64, rank: u64) -> bool {
        self.latest_ret(read_ret).is_none_or(|r| r < rank)
    }

    /// Whether no delete at all could explain a null read that completed at `read_ret`.
    pub fn none(&self, read_ret: u64) -> bool {
        self.latest_ret(read_ret).is_none()
    }
}

/// An ok read's place in the store's last-write-wins order, when it carries the cell's `ts`:
/// `(ts, is_tombstone, value)` — a `null` with a `ts` is a tombstone, which wins a tie.
pub(crate) fn version(op: &Op) -> Option<(u64, bool, &Value)> {
    op.ts.map(|ts| (ts, op.value.is_null(), &op.value))
}

/// Whether `op` is an ok read.
pub(crate) fn is_ok_read(op: &Op) -> bool {
    op.f == "read" && op.outcome == Outcome::Ok
}

/// `items` sorted by `key` (ties by position), computing each key once: sorting compact
/// `(key, op)` pairs keeps the comparisons in cache on million-operation histories.
pub(crate) fn sorted_by<K: Ord>(items: &[u32], key: impl Fn(u32) -> K) -> Vec<u32> {
    let mut keyed: Vec<(K, u32)> = items.iter().map(|&i| (key(i), i)).collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Group `ops` by key; keys come out in ascending order.
pub(crate) fn by_key(ops: &[Op]) -> Vec<KeyOps<'_>> {
    let mut slot: FastMap<Option<&Value>, usize> = FastMap::default();
    let mut keys: Vec<KeyOps<'_>> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let is_read = is_ok_read(op);
        let write = written_value(op).filter(|_| op.outcome != Outcome::Fail);
        if !is_read && write.is_none() {
            continue;
        }
        let k = op.key.as_ref();
        let s = *slot.entry(k).or_insert_with(|| {
            keys.push(KeyOps {
                key: k,
                ..KeyOps::default()
            });
            keys.len() - 1
        });
        let entry = &mut keys[s];
        let i = i as u32;
        if is_read {
            entry.reads.push(i);
        }
        if let Some(v) = write {
            entry.writes.push(i);
            if v.is_null() {
                entry.deletes.push(i);
            } else {
                entry.written.add(v, i);
            }
        }
    }
    keys.sort_by(|a, b| a.key.cmp(&b.key));
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Event, EventType, Process};
    use crate::ops::pair;

    fn ev(index: u64, p: u64, kind: EventType, f: &str, key: i64, v: Value) -> Event {
        Event {
            index,
            time: Some(index * 10),
            process: Process::Client(p),
            kind,
            f: f.into(),
            key: Some(Value::Int(key)),
            value: v,
            ts: None,
            node: None,
            error: None,
        }
    }

    #[test]
    fn groups_by_key_and_knows_each_values_writer() {
        use EventType::*;
        let list = |a, b| Value::List(vec![Value::Int(a), Value::Int(b)]);
        let h = vec![
            ev(0, 0, Invoke, "write", 2, Value::Int(1)),
            ev(1, 0, Ok, "write", 2, Value::Int(1)),
            ev(2, 1, Invoke, "cas", 1, list(0, 5)),
            ev(3, 1, Fail, "cas", 1, list(0, 5)),
            ev(4, 1, Invoke, "write", 2, Value::Int(1)),
            ev(5, 2, Invoke, "read", 2, Value::Null),
            ev(6, 2, Ok, "read", 2, Value::Int(1)),
        ];
        let ops = pair(&h).unwrap();
        let keys = by_key(&ops);
        assert_eq!(keys.len(), 1, "the failed cas is not a write");
        assert_eq!(keys[0].key, Some(&Value::Int(2)));
        assert_eq!(keys[0].reads, vec![3]);
        assert_eq!(keys[0].writes, vec![0, 2]);
        assert_eq!(keys[0].writer(&Value::Int(1)), None, "written twice");
        assert!(keys[0].was_written(&Value::Int(1)));
    }

    #[test]
    fn deletes_are_writes_of_null_that_explain_null_reads() {
        use EventType::*;
        let h = vec![
            ev(0, 0, Invoke, "delete", 1, Value::Null),
            ev(1, 0, Ok, "delete", 1, Value::Null),
            ev(2, 1, Invoke, "delete", 1, Value::Null),
            ev(3, 2, Invoke, "read", 1, Value::Null),
            ev(4, 2, Ok, "read", 1, Value::Null),
        ];
        let ops = pair(&h).unwrap();
        let keys = by_key(&ops);
        assert_eq!(keys[0].deletes, vec![0, 1]);
        assert_eq!(keys[0].writes, vec![0, 1]);
        assert!(keys[0].written.is_empty(), "null names no write");
        let ex = keys[0].explainers(&ops);
        assert_eq!(ex.latest_ret(0), None);
        assert_eq!(ex.latest_ret(1), Some(1));
        assert_eq!(
            ex.latest_ret(3),
            Some(u64::MAX),
            "the second delete is open"
        );
        assert!(ex.none(0) && !ex.none(4));
        assert!(ex.all_before(2, 2) && !ex.all_before(4, 5));
    }
}
