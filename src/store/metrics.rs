//! Per-node network counters. They live outside the node's tasks (the harness creates them), so
//! they survive crashes and restarts; they are plain counters that never affect behaviour. What
//! the store's mechanisms did is reported as events ([`super::events`]), not counted here.

use std::cell::Cell;

/// Counters for one node. All start at zero.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Frames sent by this node (requests and responses).
    pub frames_sent: Cell<u64>,
    /// Bytes sent by this node (frames including length prefixes).
    pub bytes_sent: Cell<u64>,
}

impl Metrics {
    /// Every counter with its name (as in `results.json` and the summary).
    pub fn values(&self) -> [(&'static str, u64); 2] {
        [
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
