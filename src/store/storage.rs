//! Replica storage: an in-memory `BTreeMap` backed by a write-ahead log on turmoil's simulated disk.
//!
//! Guarantees:
//! - a cell becomes visible (in memory) only after its log record is synced (`fsync = always`), so
//!   anything a replica ever answered with survives a crash;
//! - `apply` keeps the last-write-wins winner and never moves a key backwards;
//! - on open, the log is replayed; a torn or corrupt trailing record (a crash mid-append) is
//!   ignored, since it was never acknowledged.
//!
//! Record format: `[key i64 LE][value i64 LE][ts u64 LE][xxh3 of the 24 bytes, low 32 bits LE]`.
//! Must be used from inside a turmoil host (the file system is per host).

use super::cell::{supersedes, Cell, Key};
use super::logfile::LogFile;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::rc::Rc;
use xxhash_rust::xxh3::xxh3_64;

const RECORD: usize = 28;

/// The cells of one replica, shared read-only with observers (the harness snapshots it).
pub type CellMap = BTreeMap<Key, Cell>;

/// A replica's durable key-value state.
pub struct Storage {
    cells: Rc<RefCell<CellMap>>,
    log: LogFile,
    records: u64,
}

impl Storage {
    /// Open (or create) the log at `path` and replay it.
    pub fn open(path: &str) -> io::Result<Storage> {
        let (mut log, bytes) = LogFile::open(path)?;
        let (cells, valid_len, records) = replay(&bytes);
        log.keep_prefix(valid_len as u64);
        Ok(Storage {
            cells: Rc::new(RefCell::new(cells)),
            log,
            records,
        })
    }

    /// The cell stored for `key`.
    pub fn get(&self, key: Key) -> Option<Cell> {
        self.cells.borrow().get(&key).copied()
    }

    /// Apply a cell under last-write-wins, durably. Returns whether it replaced the stored cell.
    /// When it does, the record is synced before the cell becomes visible.
    pub fn apply(&mut self, key: Key, cell: Cell) -> io::Result<bool> {
        if !supersedes(cell, self.get(key)) {
            return Ok(false);
        }
        self.log.append(&encode_record(key, cell))?;
        self.records += 1;
        self.cells.borrow_mut().insert(key, cell);
        Ok(true)
    }

    /// A read-only handle on the cells (for observers such as the harness snapshot).
    pub fn cells(&self) -> Rc<RefCell<CellMap>> {
        self.cells.clone()
    }

    /// Records in the log (including superseded ones).
    pub fn log_records(&self) -> u64 {
        self.records
    }
}

fn encode_record(key: Key, cell: Cell) -> [u8; RECORD] {
    let mut rec = [0u8; RECORD];
    rec[0..8].copy_from_slice(&key.to_le_bytes());
    rec[8..16].copy_from_slice(&cell.value.to_le_bytes());
    rec[16..24].copy_from_slice(&cell.ts.to_le_bytes());
    let sum = xxh3_64(&rec[..24]) as u32;
    rec[24..28].copy_from_slice(&sum.to_le_bytes());
    rec
}

/// Replay a log: the cells, the length of the valid prefix and the number of valid records.
fn replay(bytes: &[u8]) -> (CellMap, usize, u64) {
    let mut cells = CellMap::new();
    let mut pos = 0;
    let mut records = 0;
    while pos + RECORD <= bytes.len() {
        let rec = &bytes[pos..pos + RECORD];
        let sum = u32::from_le_bytes([rec[24], rec[25], rec[26], rec[27]]);
        if xxh3_64(&rec[..24]) as u32 != sum {
            break;
        }
        let word = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&rec[i..i + 8]);
            b
        };
        let key = i64::from_le_bytes(word(0));
        let cell = Cell {
            value: i64::from_le_bytes(word(8)),
            ts: u64::from_le_bytes(word(16)),
        };
        if supersedes(cell, cells.get(&key).copied()) {
            cells.insert(key, cell);
        }
        pos += RECORD;
        records += 1;
    }
    (cells, pos, records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_keeps_lww_winner_and_stops_at_a_torn_record() {
        let mut log = Vec::new();
        log.extend(encode_record(1, Cell { value: 5, ts: 10 }));
        log.extend(encode_record(1, Cell { value: 3, ts: 9 }));
        log.extend(encode_record(2, Cell { value: 7, ts: 1 }));
        let torn = encode_record(3, Cell { value: 1, ts: 1 });
        log.extend(&torn[..20]);
        let (cells, valid, records) = replay(&log);
        assert_eq!(cells.get(&1), Some(&Cell { value: 5, ts: 10 }));
        assert_eq!(cells.get(&2), Some(&Cell { value: 7, ts: 1 }));
        assert_eq!(cells.get(&3), None);
        assert_eq!((valid, records), (3 * RECORD, 3));
    }

    #[test]
    fn corrupt_record_ends_replay() {
        let mut log = Vec::new();
        log.extend(encode_record(1, Cell { value: 5, ts: 10 }));
        let mut bad = encode_record(2, Cell { value: 6, ts: 11 });
        bad[3] ^= 0xff;
        log.extend(bad);
        log.extend(encode_record(4, Cell { value: 1, ts: 1 }));
        let (cells, valid, _) = replay(&log);
        assert_eq!(cells.len(), 1);
        assert_eq!(valid, RECORD);
    }
}
