//! Durable hints: the writes a coordinator holds for replicas that did not acknowledge them.
//!
//! Guarantees: a hint is on disk (synced) before [`HintLog::add`] returns, and a delivered hint is
//! marked done durably, so a coordinator that crashes and restarts replays exactly the hints it
//! still owed. The log is append-only (framed records, see [`super::logfile`]): `Add` records carry
//! the hint, `Done` records its id; a torn trailing record (crash mid-append) is ignored on replay.

use super::cell::{Cell, Key};
use super::logfile::LogFile;
use super::ring::NodeId;
use std::collections::BTreeMap;
use std::io;

const ADD: u8 = 1;
const DONE: u8 = 2;

/// A write owed to a replica.
#[derive(Clone, Debug, PartialEq, Eq)]
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
        let (log, bodies) = LogFile::open(path)?;
        let (pending, next_id) = replay(&bodies);
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
        self.log.append(&encode_add(&hint))?;
        self.next_id += 1;
        self.pending.insert(hint.id, hint);
        Ok(())
    }

    /// Mark a hint delivered (or dropped), durably.
    pub fn done(&mut self, id: u64) -> io::Result<()> {
        if self.pending.contains_key(&id) {
            let mut body = vec![DONE];
            body.extend_from_slice(&id.to_le_bytes());
            self.log.append(&body)?;
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
            .cloned()
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

fn encode_add(h: &Hint) -> Vec<u8> {
    let mut b = Vec::with_capacity(44 + h.cell.value_len());
    b.push(ADD);
    b.extend_from_slice(&(h.target as u16).to_le_bytes());
    b.extend_from_slice(&h.id.to_le_bytes());
    b.extend_from_slice(&h.key.to_le_bytes());
    b.extend_from_slice(&h.created_us.to_le_bytes());
    b.extend_from_slice(&h.cell.ts.to_le_bytes());
    match &h.cell.value {
        None => b.push(0),
        Some(v) => {
            b.push(1);
            b.extend_from_slice(v);
        }
    }
    b
}

/// What one record says.
#[derive(Debug, PartialEq, Eq)]
enum Record {
    Add(Hint),
    Done(u64),
}

fn decode(b: &[u8]) -> Option<Record> {
    let u64_at = |i: usize| b.get(i..i + 8)?.try_into().ok().map(u64::from_le_bytes);
    match *b.first()? {
        DONE => Some(Record::Done(u64_at(1)?)),
        ADD => {
            let target = u16::from_le_bytes(b.get(1..3)?.try_into().ok()?) as NodeId;
            let ts = u64_at(27)?;
            let cell = match *b.get(35)? {
                0 => Cell::tombstone(ts),
                1 => Cell::live(ts, b[36..].to_vec()),
                _ => return None,
            };
            Some(Record::Add(Hint {
                target,
                id: u64_at(3)?,
                key: u64_at(11)? as i64,
                created_us: u64_at(19)?,
                cell,
            }))
        }
        _ => None,
    }
}

/// Replay: pending hints and the next id. Replay stops at an undecodable record.
fn replay(bodies: &[Vec<u8>]) -> (BTreeMap<u64, Hint>, u64) {
    let mut pending = BTreeMap::new();
    let mut next_id = 0;
    for body in bodies {
        match decode(body) {
            Some(Record::Add(hint)) => {
                next_id = next_id.max(hint.id + 1);
                pending.insert(hint.id, hint);
            }
            Some(Record::Done(id)) => {
                next_id = next_id.max(id + 1);
                pending.remove(&id);
            }
            None => break,
        }
    }
    (pending, next_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(id: u64, target: NodeId, key: Key) -> Hint {
        Hint {
            id,
            target,
            key,
            cell: Cell::live(99, vec![1, 2, 3]),
            created_us: 1234,
        }
    }

    #[test]
    fn records_round_trip() {
        let h = hint(7, 3, -2);
        assert_eq!(decode(&encode_add(&h)), Some(Record::Add(h.clone())));
        let dead = Hint {
            cell: Cell::tombstone(5),
            ..h
        };
        assert_eq!(decode(&encode_add(&dead)), Some(Record::Add(dead)));
        assert_eq!(
            decode(&[DONE, 4, 0, 0, 0, 0, 0, 0, 0]),
            Some(Record::Done(4))
        );
        assert_eq!(decode(&[9]), None);
    }

    #[test]
    fn replay_keeps_undelivered_hints() {
        let mut done0 = vec![DONE];
        done0.extend_from_slice(&0u64.to_le_bytes());
        let bodies = vec![
            encode_add(&hint(0, 1, 10)),
            encode_add(&hint(1, 2, 11)),
            done0,
        ];
        let (pending, next) = replay(&bodies);
        assert_eq!(pending.keys().copied().collect::<Vec<_>>(), vec![1]);
        assert_eq!(next, 2);
    }
}
