//! Per-node counters of what the store did. They live outside the node's tasks (the harness creates
//! them), so they survive crashes and restarts; they are plain counters that never affect behaviour.

use std::cell::Cell;

/// Counters for one node. All start at zero.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Client reads this node coordinated.
    pub reads: Cell<u64>,
    /// Client writes this node coordinated.
    pub writes: Cell<u64>,
    /// Reads whose contacted replicas disagreed.
    pub digest_mismatches: Cell<u64>,
    /// Read-repair writes sent (one per stale replica).
    pub repairs_sent: Cell<u64>,
    /// Read-repair writes acknowledged.
    pub repairs_acked: Cell<u64>,
    /// Cells this replica replaced because of a read repair.
    pub cells_repaired_read: Cell<u64>,
    /// Cells this replica replaced because of a hint.
    pub cells_repaired_hint: Cell<u64>,
    /// Cells this replica replaced because of anti-entropy.
    pub cells_repaired_ae: Cell<u64>,
    /// Hints stored by this coordinator.
    pub hints_stored: Cell<u64>,
    /// Hints delivered by this coordinator.
    pub hints_replayed: Cell<u64>,
    /// Hints dropped because they were older than the hint window.
    pub hints_expired: Cell<u64>,
    /// Anti-entropy exchanges started by this node.
    pub ae_rounds: Cell<u64>,
    /// Cells that crossed the wire in anti-entropy exchanges this node started (both directions).
    pub ae_cells_streamed: Cell<u64>,
    /// Frames sent by this node (requests and responses).
    pub frames_sent: Cell<u64>,
    /// Bytes sent by this node (frames including length prefixes).
    pub bytes_sent: Cell<u64>,
}

impl Metrics {
    /// Every counter with its name (as in `run.json` and the summary).
    pub fn values(&self) -> [(&'static str, u64); 15] {
        [
            ("reads", self.reads.get()),
            ("writes", self.writes.get()),
            ("digest_mismatches", self.digest_mismatches.get()),
            ("repairs_sent", self.repairs_sent.get()),
            ("repairs_acked", self.repairs_acked.get()),
            ("cells_repaired_read", self.cells_repaired_read.get()),
            ("cells_repaired_hint", self.cells_repaired_hint.get()),
            ("cells_repaired_ae", self.cells_repaired_ae.get()),
            ("hints_stored", self.hints_stored.get()),
            ("hints_replayed", self.hints_replayed.get()),
            ("hints_expired", self.hints_expired.get()),
            ("ae_rounds", self.ae_rounds.get()),
            ("ae_cells_streamed", self.ae_cells_streamed.get()),
            ("frames_sent", self.frames_sent.get()),
            ("bytes_sent", self.bytes_sent.get()),
        ]
    }

    /// Add `n` to a counter.
    pub fn add(counter: &Cell<u64>, n: u64) {
        counter.set(counter.get() + n);
    }

    /// Add one to a counter.
    pub fn inc(counter: &Cell<u64>) {
        Self::add(counter, 1);
    }
}
