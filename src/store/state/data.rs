//! The node's data as its paths see it: cells (read, apply, purge, flush), the tombstones it holds,
//! the hints it owes, and anti-entropy's bookkeeping (exchanges completed, watermarks, pulls).
//! Each method borrows what it touches for its own duration only.

use super::Node;
use crate::store::cell::{Cell, Key};
use crate::store::decide;
use crate::store::digest::{digest, Digest};
use crate::store::events::{Cause, StoreEvent, Trace};
use crate::store::hint_log::Hint;
use crate::store::ring::NodeId;
use crate::store::storage::{Applied, CellMap, Storage};
use crate::store::update_log::Pullers;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::rc::Rc;

impl Node {
    /// The cell this replica holds for `key`.
    pub(crate) fn stored(&self, key: Key) -> Option<Cell> {
        self.storage.borrow().get(key)
    }

    /// The digest this replica computes for a cell ([`decide::replica::digest_coverage`]).
    pub(crate) fn digest_of(&self, cell: Option<&Cell>) -> Digest {
        digest(cell, decide::replica::digest_coverage(self.mutant()))
    }

    /// Read this replica's storage.
    pub(crate) fn with_storage<R>(&self, f: impl FnOnce(&Storage) -> R) -> R {
        f(&self.storage.borrow())
    }

    /// Read this replica's cells.
    pub(crate) fn with_cells<R>(&self, f: impl FnOnce(&CellMap) -> R) -> R {
        let storage = self.storage.borrow();
        let cells = storage.cells();
        let cells = cells.borrow();
        f(&cells)
    }

    /// A shared handle on the cells, for whoever runs the node (its observer reads them).
    pub(crate) fn cells_handle(&self) -> Rc<RefCell<CellMap>> {
        self.storage.borrow().cells()
    }

    /// Apply a cell to the local replica (compared and synced as [`decide::replica`] says for
    /// `cause`) and report the change. Returns whether the write is durable (false only when
    /// storage failed).
    pub(crate) fn apply(&self, key: Key, cell: Cell, cause: Cause, trace: Trace) -> bool {
        let lww = decide::replica::lww_rule(cause, self.mutant());
        let durability = decide::replica::durability(self.mutant());
        let tombstone = cell.is_tombstone();
        let applied = self
            .storage
            .borrow_mut()
            .apply(key, cell.clone(), lww, durability);
        match applied {
            Ok(Applied::Kept) => true,
            Ok(Applied::Replaced { old, durable }) => {
                let mut tombstones = self.tombstones.borrow_mut();
                if tombstone {
                    tombstones.insert(key, self.clock.now_micros());
                } else {
                    tombstones.remove(&key);
                }
                drop(tombstones);
                self.emit(StoreEvent::Apply {
                    key,
                    old,
                    new: cell,
                    cause,
                    durable,
                    trace,
                });
                true
            }
            Err(e) => {
                tracing::warn!(node = %self.name, "storage write failed: {e}");
                false
            }
        }
    }

    /// Sync what was applied with deferred durability; the cells that became durable.
    pub(crate) fn flush(&self) -> io::Result<Vec<(Key, Cell)>> {
        self.storage.borrow_mut().flush()
    }

    /// Drop the update-log entries `pullers` allow.
    pub(crate) fn truncate_updates(&self, pullers: &Pullers) {
        self.storage.borrow_mut().updates_mut().truncate(pullers);
    }

    /// The tombstones this replica holds, with when each was applied here (µs, local clock).
    pub(crate) fn tombstones(&self) -> Vec<(Key, u64)> {
        self.tombstones
            .borrow()
            .iter()
            .map(|(&k, &at)| (k, at))
            .collect()
    }

    /// Whether this replica holds a tombstone for `key`.
    pub(crate) fn holds_tombstone(&self, key: Key) -> bool {
        self.tombstones.borrow().contains_key(&key)
    }

    /// Stop tracking `key` as a tombstone (its cell is gone or live again).
    pub(crate) fn forget_tombstone(&self, key: Key) {
        self.tombstones.borrow_mut().remove(&key);
    }

    /// Durably purge the tombstone `cell` of `key` (unless something replaced it) and report it.
    /// Returns whether it was purged.
    pub(crate) fn purge_tombstone(&self, key: Key, cell: Cell) -> io::Result<bool> {
        let purged = self.storage.borrow_mut().purge(key, &cell)?;
        if purged {
            self.tombstones.borrow_mut().remove(&key);
            self.emit(StoreEvent::Purge { key, cell });
        }
        Ok(purged)
    }

    /// Store a hint of `cell` for `target`, if it is owed one ([`decide::hints::hint_owed`]).
    pub(crate) fn store_hint(&self, target: NodeId, key: Key, cell: Cell, trace: Trace) {
        if !decide::hints::hint_owed(target, self.id, self.config.hints.enabled) {
            return;
        }
        let now = self.clock.now_micros();
        let added = self.hints.borrow_mut().add(target, key, cell, now);
        match added {
            Ok(()) => self.emit(StoreEvent::HintStored {
                key,
                to: target,
                trace,
            }),
            Err(e) => tracing::warn!(node = %self.name, "could not store a hint: {e}"),
        }
    }

    /// The replicas this node owes hints to.
    pub(crate) fn hint_targets(&self) -> Vec<NodeId> {
        self.hints.borrow().targets()
    }

    /// The hints owed to `target`, oldest first.
    pub(crate) fn hints_for(&self, target: NodeId) -> Vec<Hint> {
        self.hints.borrow().for_target(target)
    }

    /// Durably mark hint `id` done (delivered, expired or dropped).
    pub(crate) fn retire_hint(&self, id: u64) -> io::Result<()> {
        self.hints.borrow_mut().done(id)
    }

    /// Record that an anti-entropy exchange with `peer` that started at `started_us` completed.
    pub(crate) fn record_sync(&self, peer: NodeId, started_us: u64) {
        self.synced_with.borrow_mut().insert(peer, started_us);
    }

    /// Read when the last completed exchange with each peer started.
    pub(crate) fn with_synced<R>(&self, f: impl FnOnce(&BTreeMap<NodeId, u64>) -> R) -> R {
        f(&self.synced_with.borrow())
    }

    /// How far this node pulled `peer`'s update log (0: never).
    pub(crate) fn watermark(&self, peer: NodeId) -> u64 {
        self.watermarks.borrow().get(peer)
    }

    /// Durably record that this node pulled `peer`'s update log through `seq`.
    pub(crate) fn save_watermark(&self, peer: NodeId, seq: u64) -> io::Result<()> {
        self.watermarks.borrow_mut().set(peer, seq)
    }

    /// Note that `peer` pulled this node's update log after watermark `after` at `now_us`.
    pub(crate) fn note_pull(&self, peer: NodeId, after: u64, now_us: u64) {
        self.pulled.borrow_mut().insert(peer, (after, now_us));
    }

    /// Each peer's last pull since boot: (watermark, local clock µs).
    pub(crate) fn pulls(&self) -> BTreeMap<NodeId, (u64, u64)> {
        self.pulled.borrow().clone()
    }
}
