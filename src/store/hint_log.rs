//! Durable hints: the writes a coordinator holds for replicas that did not acknowledge them.
//!
//! Guarantees: a hint is on disk (synced) before [`HintLog::add`] returns, and a delivered hint is
//! marked done durably, so a coordinator that crashes and restarts replays exactly the hints it
//! still owed. The log is append-only: `Add` and `Done` records of a fixed size with a checksum; a
//! torn trailing record (crash mid-append) is ignored on replay.

use super::cell::{Cell, Key};
use super::logfile::LogFile;
use super::ring::NodeId;
use std::collections::BTreeMap;
use std::io;
use xxhash_rust::xxh3::xxh3_64;

const RECORD: usize = 48;
const ADD: u8 = 1;
const DONE: u8 = 2;

/// A write owed to a replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hint {
    /// Unique per coordinator (increasing).
    pub id: u64,
    /// The replica it is owed to.
    pub target: NodeId,
    /// The key.
    pub key: Key,
    /// The cell to deliver.
    pub cell: Cell,
    /// When the hint was stored (coordinator clock, µs).
    pub created_us: u64,
}

/// The hints of one coordinator, in memory and in an append-only log.
pub struct HintLog {
    log: LogFile,
    pending: BTreeMap<u64, Hint>,
    next_id: u64,
}

impl HintLog {
    /// Open (or create) the log at `path` and replay it.
    pub fn open(path: &str) -> io::Result<HintLog> {
        let (mut log, bytes) = LogFile::open(path)?;
        let (pending, valid, next_id) = replay(&bytes);
        log.keep_prefix(valid as u64);
        Ok(HintLog {
            log,
            pending,
            next_id,
        })
    }

    /// Store a hint durably.
    pub fn add(&mut self, target: NodeId, key: Key, cell: Cell, created_us: u64) -> io::Result<()> {
        let hint = Hint {
            id: self.next_id,
            target,
            key,
            cell,
            created_us,
        };
        self.log.append(&encode(ADD, &hint))?;
        self.next_id += 1;
        self.pending.insert(hint.id, hint);
        Ok(())
    }

    /// Mark a hint delivered (or dropped), durably.
    pub fn done(&mut self, id: u64) -> io::Result<()> {
        if let Some(hint) = self.pending.get(&id).copied() {
            self.log.append(&encode(DONE, &hint))?;
            self.pending.remove(&id);
        }
        Ok(())
    }

    /// Replicas that are owed hints, in id order of their oldest hint.
    pub fn targets(&self) -> Vec<NodeId> {
        let mut out: Vec<NodeId> = Vec::new();
        for h in self.pending.values() {
            if !out.contains(&h.target) {
                out.push(h.target);
            }
        }
        out
    }

    /// The hints owed to `target`, oldest first.
    pub fn for_target(&self, target: NodeId) -> Vec<Hint> {
        self.pending
            .values()
            .filter(|h| h.target == target)
            .copied()
            .collect()
    }

    /// Hints not yet delivered.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether no hint is owed.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

fn encode(kind: u8, h: &Hint) -> [u8; RECORD] {
    let mut rec = [0u8; RECORD];
    rec[0] = kind;
    rec[1..3].copy_from_slice(&(h.target as u16).to_le_bytes());
    rec[3..11].copy_from_slice(&h.id.to_le_bytes());
    rec[11..19].copy_from_slice(&h.key.to_le_bytes());
    rec[19..27].copy_from_slice(&h.cell.value.to_le_bytes());
    rec[27..35].copy_from_slice(&h.cell.ts.to_le_bytes());
    rec[35..43].copy_from_slice(&h.created_us.to_le_bytes());
    let sum = xxh3_64(&rec[..44]) as u32;
    rec[44..48].copy_from_slice(&sum.to_le_bytes());
    rec
}

fn decode(rec: &[u8]) -> Option<(u8, Hint)> {
    let sum = u32::from_le_bytes(rec[44..48].try_into().ok()?);
    if xxh3_64(&rec[..44]) as u32 != sum || !matches!(rec[0], ADD | DONE) {
        return None;
    }
    let u64_at = |i: usize| rec[i..i + 8].try_into().ok().map(u64::from_le_bytes);
    Some((
        rec[0],
        Hint {
            target: u16::from_le_bytes(rec[1..3].try_into().ok()?) as NodeId,
            id: u64_at(3)?,
            key: u64_at(11)? as i64,
            cell: Cell {
                value: u64_at(19)? as i64,
                ts: u64_at(27)?,
            },
            created_us: u64_at(35)?,
        },
    ))
}

/// Replay: pending hints, length of the valid prefix, next id.
fn replay(bytes: &[u8]) -> (BTreeMap<u64, Hint>, usize, u64) {
    let mut pending = BTreeMap::new();
    let mut pos = 0;
    let mut next_id = 0;
    while pos + RECORD <= bytes.len() {
        let Some((kind, hint)) = decode(&bytes[pos..pos + RECORD]) else {
            break;
        };
        next_id = next_id.max(hint.id + 1);
        if kind == ADD {
            pending.insert(hint.id, hint);
        } else {
            pending.remove(&hint.id);
        }
        pos += RECORD;
    }
    (pending, pos, next_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(id: u64, target: NodeId, key: Key) -> Hint {
        Hint {
            id,
            target,
            key,
            cell: Cell { value: -5, ts: 99 },
            created_us: 1234,
        }
    }

    #[test]
    fn records_round_trip() {
        let h = hint(7, 3, -2);
        assert_eq!(decode(&encode(ADD, &h)), Some((ADD, h)));
        assert_eq!(decode(&encode(DONE, &h)), Some((DONE, h)));
    }

    #[test]
    fn replay_keeps_undelivered_hints_and_ignores_a_torn_tail() {
        let mut log = Vec::new();
        log.extend(encode(ADD, &hint(0, 1, 10)));
        log.extend(encode(ADD, &hint(1, 2, 11)));
        log.extend(encode(DONE, &hint(0, 1, 10)));
        log.extend(&encode(ADD, &hint(2, 1, 12))[..30]);
        let (pending, valid, next) = replay(&log);
        assert_eq!(pending.keys().copied().collect::<Vec<_>>(), vec![1]);
        assert_eq!(valid, 3 * RECORD);
        assert_eq!(next, 2);
    }
}
