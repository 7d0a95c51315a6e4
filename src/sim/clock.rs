//! Node clocks with a per-node offset (turmoil has no per-host clock skew).
//!
//! Every node reads simulated time (`turmoil::sim_elapsed`, identical on all hosts at a given
//! step) plus its own offset, which the nemesis sets to inject clock skew and heal resets to zero.
//! The offsets live in [`ClockOffsets`], owned by the harness and shared with each node's clock.

use crate::store::clock::Clock;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// The clock offsets of every node, in microseconds (positive = ahead).
#[derive(Clone, Default)]
pub struct ClockOffsets {
    offsets: Rc<BTreeMap<String, Rc<Cell<i64>>>>,
}

impl ClockOffsets {
    /// Offsets for the named nodes, all zero.
    pub fn new(nodes: &[String]) -> Self {
        ClockOffsets {
            offsets: Rc::new(
                nodes
                    .iter()
                    .map(|n| (n.clone(), Rc::new(Cell::new(0))))
                    .collect(),
            ),
        }
    }

    /// Set a node's offset (µs). Unknown nodes are ignored.
    pub fn set(&self, node: &str, offset_us: i64) {
        if let Some(c) = self.offsets.get(node) {
            c.set(offset_us);
        }
    }

    /// A node's offset (µs).
    pub fn get(&self, node: &str) -> i64 {
        self.offsets.get(node).map_or(0, |c| c.get())
    }

    /// Reset every offset to zero.
    pub fn reset(&self) {
        for c in self.offsets.values() {
            c.set(0);
        }
    }

    /// The clock of one node.
    pub fn clock(&self, node: &str) -> SkewedClock {
        SkewedClock {
            offset: self.offsets.get(node).cloned().unwrap_or_default(),
        }
    }
}

/// Simulated time plus a node's offset.
pub struct SkewedClock {
    offset: Rc<Cell<i64>>,
}

impl Clock for SkewedClock {
    fn now_micros(&self) -> u64 {
        let now = turmoil::sim_elapsed().unwrap_or_default().as_micros() as i64;
        now.saturating_add(self.offset.get()).max(0) as u64
    }
}

/// Simulated nanoseconds since the start of the run, as seen from inside a host.
pub fn sim_now_ns() -> u64 {
    turmoil::sim_elapsed().unwrap_or_default().as_nanos() as u64
}

/// The fsync latency of every node's disk, set by the nemesis (slow-disk faults) and reset by
/// heal. Shared with each node's [`crate::store::clock::Disk`].
#[derive(Clone, Default)]
pub struct DiskDelays {
    delays: Rc<BTreeMap<String, Rc<Cell<std::time::Duration>>>>,
}

impl DiskDelays {
    /// Fast disks for the named nodes.
    pub fn new(nodes: &[String]) -> Self {
        DiskDelays {
            delays: Rc::new(nodes.iter().map(|n| (n.clone(), Rc::default())).collect()),
        }
    }

    /// Set a node's fsync latency. Unknown nodes are ignored.
    pub fn set(&self, node: &str, delay: std::time::Duration) {
        if let Some(c) = self.delays.get(node) {
            c.set(delay);
        }
    }

    /// Every disk fast again.
    pub fn reset(&self) {
        for c in self.delays.values() {
            c.set(std::time::Duration::ZERO);
        }
    }

    /// The disk of one node.
    pub fn disk(&self, node: &str) -> SimDisk {
        SimDisk {
            delay: self.delays.get(node).cloned().unwrap_or_default(),
        }
    }
}

/// A node's disk in the simulation.
pub struct SimDisk {
    delay: Rc<Cell<std::time::Duration>>,
}

impl crate::store::clock::Disk for SimDisk {
    fn fsync_latency(&self) -> std::time::Duration {
        self.delay.get()
    }
}
