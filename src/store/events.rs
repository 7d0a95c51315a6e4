//! What a node reports about itself: every change to a replica's cell and every coordinator
//! decision that matters (digest mismatch, repair sent / acknowledged / timed out, hint stored /
//! replayed / expired, anti-entropy exchange (Merkle or update log), log replay, unavailable, partial write). The node
//! hands each event to the [`EventSink`] it was started with, synchronously, at the moment it
//! happens; the harness stamps it with simulated time, counts it (mechanism coverage), checks
//! invariants against it and may write it to `events.jsonl`.
//!
//! Events never change what the store does: a sink that ignores them gives the same run.

use super::cell::{Cell, Key};
use super::ring::NodeId;
use std::rc::Rc;

/// The history index of the client operation a request serves, when the client gave one.
pub type Trace = Option<u64>;

/// Why a replica's cell changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cause {
    /// Primary delivery of a client write or delete.
    Write,
    /// The winner of a read that found this replica behind.
    ReadRepair,
    /// A hint replayed by a coordinator.
    Hint,
    /// A cell streamed by anti-entropy.
    AntiEntropy,
}

impl Cause {
    /// The name used in `events.jsonl` (`write`, `read-repair`, `hint`, `anti-entropy`).
    pub fn name(self) -> &'static str {
        match self {
            Cause::Write => "write",
            Cause::ReadRepair => "read-repair",
            Cause::Hint => "hint",
            Cause::AntiEntropy => "anti-entropy",
        }
    }

    /// The coverage counter of a cell changed for this cause: `apply:<name>`.
    pub fn coverage_name(self) -> &'static str {
        match self {
            Cause::Write => "apply:write",
            Cause::ReadRepair => "apply:read-repair",
            Cause::Hint => "apply:hint",
            Cause::AntiEntropy => "apply:anti-entropy",
        }
    }
}

/// Which client operation a coordinator served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// A read.
    Read,
    /// A write.
    Write,
    /// A delete.
    Delete,
}

/// One thing a node did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreEvent {
    /// A replica replaced its cell for `key` (`old` → `new`). `durable` says whether the log
    /// record is synced at this moment.
    Apply {
        /// The key.
        key: Key,
        /// The cell before.
        old: Option<Cell>,
        /// The cell after.
        new: Cell,
        /// Why.
        cause: Cause,
        /// Whether the change is on disk (synced) now.
        durable: bool,
        /// The client operation behind it, if known.
        trace: Trace,
    },
    /// Log records applied earlier became durable (a deferred sync).
    Synced {
        /// Every `(key, cell)` the sync made durable.
        cells: Vec<(Key, Cell)>,
    },
    /// A tombstone was purged (tombstone garbage collection).
    Purge {
        /// The key.
        key: Key,
        /// The tombstone removed.
        cell: Cell,
    },
    /// A node restarted and replayed its write-ahead log.
    LogReplay {
        /// Valid records read.
        records: u64,
        /// Keys holding a cell after replay.
        keys: u64,
    },
    /// A coordinator's read found the contacted replicas disagreeing.
    DigestMismatch {
        /// The key.
        key: Key,
        /// The client operation.
        trace: Trace,
    },
    /// A read repair write was sent to a stale replica.
    RepairSent {
        /// The key.
        key: Key,
        /// The stale replica.
        to: NodeId,
        /// The client operation.
        trace: Trace,
    },
    /// A read repair write was acknowledged.
    RepairAcked {
        /// The key.
        key: Key,
        /// The replica.
        to: NodeId,
        /// The client operation.
        trace: Trace,
    },
    /// A read repair write failed or was not acknowledged in time.
    RepairTimeout {
        /// The key.
        key: Key,
        /// The replica.
        to: NodeId,
        /// The client operation.
        trace: Trace,
    },
    /// A coordinator stored a hint for a replica that did not acknowledge a write.
    HintStored {
        /// The key.
        key: Key,
        /// The replica owed the write.
        to: NodeId,
        /// The client operation.
        trace: Trace,
    },
    /// A hint was delivered and acknowledged.
    HintReplayed {
        /// The key.
        key: Key,
        /// The replica.
        to: NodeId,
    },
    /// A hint was dropped: older than the hint window (or lost with its queue).
    HintExpired {
        /// The key.
        key: Key,
        /// The replica.
        to: NodeId,
    },
    /// An anti-entropy exchange ended (completed or abandoned).
    AeExchange {
        /// The peer.
        peer: NodeId,
        /// Leaf buckets that differed.
        buckets: u64,
        /// Cells received from the peer.
        received: u64,
        /// Cells sent to the peer.
        sent: u64,
        /// Peer cells that replaced local ones.
        applied: u64,
        /// Whether the exchange finished (both sides hold the winners) or was abandoned.
        completed: bool,
        /// Bytes the exchange put on the wire (requests and responses).
        bytes: u64,
        /// Messages the exchange put on the wire.
        messages: u64,
    },
    /// A log-based anti-entropy pull from a peer ended (completed or abandoned).
    LogExchange {
        /// The peer pulled from.
        peer: NodeId,
        /// The watermark the pull started after.
        after: u64,
        /// The watermark reached (durable when `completed`).
        through: u64,
        /// Cells the peer sent.
        received: u64,
        /// Peer cells that replaced local ones.
        applied: u64,
        /// Whether the peer's log no longer reached the watermark, so a Merkle exchange ran.
        fallback: bool,
        /// Whether the pull finished or was abandoned.
        completed: bool,
        /// Bytes the pull put on the wire (with the fallback's).
        bytes: u64,
        /// Messages the pull put on the wire (with the fallback's).
        messages: u64,
    },
    /// A coordinator refused an operation before sending anything (definite failure).
    Unavailable {
        /// The key.
        key: Key,
        /// The operation.
        op: OpKind,
        /// Replicas reachable.
        alive: usize,
        /// Replicas needed.
        needed: usize,
        /// The client operation.
        trace: Trace,
    },
    /// A coordinator acknowledged a write or delete to its client.
    WriteAcked {
        /// The key.
        key: Key,
        /// The cell written.
        cell: Cell,
        /// Replicas that acknowledged (as counted by the coordinator).
        acks: usize,
        /// The client operation.
        trace: Trace,
    },
    /// A write or delete reached the deadline with fewer acknowledgements than needed; with
    /// `acks > 0` it is a partial write.
    WriteTimeout {
        /// The key.
        key: Key,
        /// Acknowledgements received.
        acks: usize,
        /// Needed.
        needed: usize,
        /// The client operation.
        trace: Trace,
    },
    /// A coordinator answered a read.
    ReadReplied {
        /// The key.
        key: Key,
        /// The cell returned.
        cell: Option<Cell>,
        /// The replicas the read contacted.
        contacted: Vec<NodeId>,
        /// Whether the answer waited for read repair (blocking mode).
        blocking: bool,
        /// The client operation.
        trace: Trace,
    },
}

impl StoreEvent {
    /// The event's kind as named in `events.jsonl` and in mechanism coverage.
    pub fn kind(&self) -> &'static str {
        match self {
            StoreEvent::Apply { .. } => "apply",
            StoreEvent::Synced { .. } => "synced",
            StoreEvent::Purge { .. } => "purge",
            StoreEvent::LogReplay { .. } => "log-replay",
            StoreEvent::DigestMismatch { .. } => "digest-mismatch",
            StoreEvent::RepairSent { .. } => "repair-sent",
            StoreEvent::RepairAcked { .. } => "repair-acked",
            StoreEvent::RepairTimeout { .. } => "repair-timeout",
            StoreEvent::HintStored { .. } => "hint-stored",
            StoreEvent::HintReplayed { .. } => "hint-replayed",
            StoreEvent::HintExpired { .. } => "hint-expired",
            StoreEvent::AeExchange { .. } => "ae-exchange",
            StoreEvent::LogExchange { .. } => "log-exchange",
            StoreEvent::Unavailable { .. } => "unavailable",
            StoreEvent::WriteAcked { .. } => "write-acked",
            StoreEvent::WriteTimeout { .. } => "write-timeout",
            StoreEvent::ReadReplied { .. } => "read-replied",
        }
    }
}

/// Where a node sends its events: called with the node's name and the event.
pub type EventSink = Rc<dyn Fn(&str, StoreEvent)>;

/// A sink that drops every event.
pub fn discard() -> EventSink {
    Rc::new(|_, _| {})
}

#[cfg(test)]
mod tests {
    use super::Cause;

    #[test]
    fn coverage_names_are_apply_and_the_cause() {
        for c in [
            Cause::Write,
            Cause::ReadRepair,
            Cause::Hint,
            Cause::AntiEntropy,
        ] {
            assert_eq!(c.coverage_name(), format!("apply:{}", c.name()));
        }
    }
}
