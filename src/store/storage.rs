//! Replica storage: an in-memory `BTreeMap` backed by a write-ahead log on turmoil's simulated disk.
//!
//! Guarantees (with [`Durability::Sync`], the correct store):
//! - a cell becomes visible (in memory) only after its log record is synced (`fsync = always`), so
//!   anything a replica ever answered with survives a crash;
//! - `apply` keeps the last-write-wins winner and never moves a key backwards
//!   ([`Lww::Strict`]); a purge removes only the tombstone it names, durably;
//! - on open, the log is replayed; a torn or corrupt trailing record (a crash mid-append) is
//!   ignored, since it was never acknowledged.
//!
//! - every change is numbered by its record's position in the log and kept in the bounded update
//!   log ([`UpdateLog`]) that log-based anti-entropy serves; a restart rebuilds it from the log.
//!
//! Record body: `[key i64 LE][ts u64 LE][kind u8: 0 tombstone, 1 value, 2 purge][value bytes]`.
//! Must be used from inside a turmoil host (the file system is per host).

use super::cell::{supersedes, Cell, Key};
use super::logfile::LogFile;
use super::update_log::UpdateLog;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::rc::Rc;

/// The cells of one replica, shared read-only with observers (the harness snapshots it).
pub type CellMap = BTreeMap<Key, Cell>;

const TOMBSTONE: u8 = 0;
const VALUE: u8 = 1;
const PURGE: u8 = 2;

/// When an applied cell reaches the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// Synced before `apply` returns (the correct store).
    Sync,
    /// Appended but synced only by a later [`Storage::flush`] (planted bug: ack before fsync).
    Deferred,
}

/// How an incoming cell is compared with the stored one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lww {
    /// Replace only a strictly older cell (the correct store).
    Strict,
    /// Replace an older cell or one with the same timestamp (planted bug: no tie-break).
    TieTakesIncoming,
    /// Replace whatever is stored (planted bug: no last-write-wins at all).
    Overwrite,
}

/// What [`Storage::apply`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The stored cell was kept.
    Kept,
    /// The stored cell (`old`) was replaced; `durable` says whether it is synced already.
    Replaced {
        /// The cell before.
        old: Option<Cell>,
        /// Synced now.
        durable: bool,
    },
}

/// A replica's durable key-value state.
pub struct Storage {
    cells: Rc<RefCell<CellMap>>,
    log: LogFile,
    records: u64,
    unsynced: Vec<(Key, Cell)>,
    updates: UpdateLog,
}

impl Storage {
    /// Open (or create) the log at `path` and replay it. `drop_tail` replays all records but the
    /// last (planted bug: replay off by one). The update log keeps the last `updates_limit`
    /// changes ([`UpdateLog::rebuilt`]).
    pub fn open(path: &str, drop_tail: bool, updates_limit: usize) -> io::Result<Storage> {
        let (log, mut bodies) = LogFile::open(path)?;
        if drop_tail {
            bodies.pop();
        }
        let (cells, records, changes) = replay(&bodies);
        Ok(Storage {
            cells: Rc::new(RefCell::new(cells)),
            log,
            records,
            unsynced: Vec::new(),
            updates: UpdateLog::rebuilt(&changes, records, updates_limit),
        })
    }

    /// The update log: every change to this replica, by WAL sequence number.
    pub fn updates(&self) -> &UpdateLog {
        &self.updates
    }

    /// The update log, to truncate it.
    pub fn updates_mut(&mut self) -> &mut UpdateLog {
        &mut self.updates
    }

    /// The cell stored for `key`.
    pub fn get(&self, key: Key) -> Option<Cell> {
        self.cells.borrow().get(&key).cloned()
    }

    /// Apply a cell under `lww`, logging it with `durability`. When it replaces the stored cell
    /// with [`Durability::Sync`], the record is synced before the cell becomes visible.
    pub fn apply(
        &mut self,
        key: Key,
        cell: Cell,
        lww: Lww,
        durability: Durability,
    ) -> io::Result<Applied> {
        let old = self.get(key);
        let replace = match lww {
            Lww::Strict => supersedes(&cell, old.as_ref()),
            Lww::TieTakesIncoming => {
                old.as_ref().is_none_or(|o| cell.ts >= o.ts) && old.as_ref() != Some(&cell)
            }
            Lww::Overwrite => old.as_ref() != Some(&cell),
        };
        if !replace {
            return Ok(Applied::Kept);
        }
        let body = encode(
            key,
            &cell,
            if cell.is_tombstone() {
                TOMBSTONE
            } else {
                VALUE
            },
        );
        let durable = match durability {
            Durability::Sync => {
                self.log.append(&body)?;
                true
            }
            Durability::Deferred => {
                self.log.append_unsynced(&body)?;
                self.unsynced.push((key, cell.clone()));
                false
            }
        };
        self.records += 1;
        self.updates.push(self.records, key);
        self.cells.borrow_mut().insert(key, cell);
        Ok(Applied::Replaced { old, durable })
    }

    /// Sync records appended with [`Durability::Deferred`]; returns the cells that became durable.
    pub fn flush(&mut self) -> io::Result<Vec<(Key, Cell)>> {
        if self.unsynced.is_empty() {
            return Ok(Vec::new());
        }
        self.log.sync()?;
        Ok(std::mem::take(&mut self.unsynced))
    }

    /// Durably remove `tombstone` from `key`, if it is still the stored cell. Returns whether it was.
    pub fn purge(&mut self, key: Key, tombstone: &Cell) -> io::Result<bool> {
        if !tombstone.is_tombstone() || self.get(key).as_ref() != Some(tombstone) {
            return Ok(false);
        }
        self.log.append(&encode(key, tombstone, PURGE))?;
        self.records += 1;
        self.updates.skip(self.records);
        self.cells.borrow_mut().remove(&key);
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

fn encode(key: Key, cell: &Cell, kind: u8) -> Vec<u8> {
    let mut body = Vec::with_capacity(17 + cell.value_len());
    body.extend_from_slice(&key.to_le_bytes());
    body.extend_from_slice(&cell.ts.to_le_bytes());
    body.push(kind);
    if let Some(v) = &cell.value {
        body.extend_from_slice(v);
    }
    body
}

fn decode(body: &[u8]) -> Option<(Key, Cell, u8)> {
    let key = Key::from_le_bytes(body.get(0..8)?.try_into().ok()?);
    let ts = u64::from_le_bytes(body.get(8..16)?.try_into().ok()?);
    let kind = *body.get(16)?;
    let cell = match kind {
        VALUE => Cell::live(ts, body[17..].to_vec()),
        TOMBSTONE | PURGE => Cell::tombstone(ts),
        _ => return None,
    };
    Some((key, cell, kind))
}

/// Replay log bodies: the cells, the number of records and the changes (sequence number, key) of
/// the non-purge records. Replay stops at an undecodable record.
fn replay(bodies: &[Vec<u8>]) -> (CellMap, u64, Vec<(u64, Key)>) {
    let mut cells = CellMap::new();
    let mut records = 0;
    let mut changes = Vec::new();
    for body in bodies {
        let Some((key, cell, kind)) = decode(body) else {
            break;
        };
        records += 1;
        if kind == PURGE {
            if cells.get(&key) == Some(&cell) {
                cells.remove(&key);
            }
        } else {
            changes.push((records, key));
            if supersedes(&cell, cells.get(&key)) {
                cells.insert(key, cell);
            }
        }
    }
    (cells, records, changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(ts: u64, b: u8) -> Cell {
        Cell::live(ts, vec![b])
    }

    #[test]
    fn replay_keeps_lww_winner_and_honours_purges() {
        let bodies = vec![
            encode(1, &v(10, 5), VALUE),
            encode(1, &v(9, 3), VALUE),
            encode(2, &v(1, 7), VALUE),
            encode(3, &Cell::tombstone(4), TOMBSTONE),
            encode(2, &Cell::tombstone(2), TOMBSTONE),
            encode(2, &Cell::tombstone(2), PURGE),
            encode(3, &Cell::tombstone(3), PURGE),
        ];
        let (cells, records, changes) = replay(&bodies);
        assert_eq!(
            changes.iter().map(|c| c.0).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
        assert_eq!(cells.get(&1), Some(&v(10, 5)));
        assert_eq!(cells.get(&2), None, "the purged tombstone is gone");
        assert_eq!(
            cells.get(&3),
            Some(&Cell::tombstone(4)),
            "a purge of another tombstone changes nothing"
        );
        assert_eq!(records, 7);
    }

    #[test]
    fn records_round_trip() {
        for (cell, kind) in [
            (v(u64::MAX, 9), VALUE),
            (Cell::live(3, vec![]), VALUE),
            (Cell::tombstone(0), TOMBSTONE),
        ] {
            assert_eq!(decode(&encode(-4, &cell, kind)), Some((-4, cell, kind)));
        }
        assert_eq!(decode(&[1, 2, 3]), None);
    }
}
