//! A per-key view of a register history, shared by the linear checkers.
//!
//! Built in one pass over the operations (hash lookups only; the output order is fixed by sorting
//! keys), it holds for every key its ok reads, its writes, and which write produced each value.
//! Writes are `write` operations and `cas` operations (whose value `[old new]` writes `new`) that
//! did not `fail`. Values are expected to be unique per key — the harness guarantees it — so a
//! read names the write it saw; a value written more than once is marked ambiguous and the
//! checkers skip comparisons that would need its write (never a false alarm).

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
        self.0
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
    /// Writes that did not fail (ok, info or pending), in invocation order.
    pub writes: Vec<u32>,
    /// Value → the write that wrote it.
    pub written: FastMap<&'a Value, Writer>,
}

impl<'a> KeyOps<'a> {
    /// The acknowledged (ok) writes, in invocation order.
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

/// The value an operation writes, if it is a write or a cas.
pub(crate) fn written_value(op: &Op) -> Option<&Value> {
    match op.f.as_str() {
        "write" => Some(&op.invoke_value),
        "cas" => op.invoke_value.as_list().and_then(|l| l.get(1)),
        _ => None,
    }
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
            entry
                .written
                .entry(v)
                .and_modify(|w| *w = Writer::Ambiguous)
                .or_insert(Writer::One(i));
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
}
