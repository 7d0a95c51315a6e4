//! What the harness hands a node when it boots it: identity, a seed for this boot, the node's
//! clock and disk (which the nemesis skews and slows), and a place to report events.
//!
//! Guarantees: the seed is derived from the run seed, the node's index and the boot number, so a
//! node's random choices differ between boots and are the same on every rerun of the seed; the
//! clock reads simulated time plus the node's current skew; the disk reports the fsync latency the
//! nemesis currently imposes (zero when healthy) — a node that wants slow-disk faults to bite
//! sleeps [`NodeContext::fsync`] whenever it makes data durable.

use super::event_log::EventLog;
use super::{Clock, Disk};
use std::rc::Rc;

/// One node's view of the harness, for one boot.
#[derive(Clone)]
pub struct NodeContext {
    pub(crate) name: String,
    pub(crate) index: usize,
    pub(crate) boot: u64,
    pub(crate) seed: u64,
    pub(crate) clock: Rc<dyn Clock>,
    pub(crate) disk: Rc<dyn Disk>,
    pub(crate) events: EventLog,
}

impl NodeContext {
    /// This node's name (its turmoil host name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its position in [`super::System::nodes`].
    pub fn index(&self) -> usize {
        self.index
    }

    /// How many times it booted before this boot (0 at the start, 1 after the first restart…).
    pub fn boot(&self) -> u64 {
        self.boot
    }

    /// A seed for this boot's random choices.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// This node's wall clock (simulated time plus its skew).
    pub fn clock(&self) -> Rc<dyn Clock> {
        self.clock.clone()
    }

    /// This node's disk.
    pub fn disk(&self) -> Rc<dyn Disk> {
        self.disk.clone()
    }

    /// Wait as long as one synced write takes on this node's disk right now (no wait when the
    /// disk is healthy). Call it where the store syncs data, after writing it.
    pub async fn fsync(&self) {
        let d = self.disk.fsync_latency();
        if !d.is_zero() {
            tokio::time::sleep(d).await;
        }
    }

    /// Report an event: counted as coverage under `kind` and, when the run records events, kept
    /// as an `events.jsonl` line with the simulated time, this node, `kind`, `key` (if any) and
    /// `fields` (a JSON object's members; anything else is kept under `detail`).
    pub fn emit(&self, kind: &str, key: Option<i64>, fields: serde_json::Value) {
        self.events.emit(&self.name, kind, key, fields);
    }
}
