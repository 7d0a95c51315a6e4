//! The wire protocol: every message a client, coordinator or replica sends. Requests travel on a
//! connection from the dialler to the listener and responses come back on the same connection,
//! matched by request id (so many requests can be in flight on one connection).

use super::cell::{Bytes, Cell, Key};
use super::digest::Digest;
use super::events::Trace;
use serde::{Deserialize, Serialize};

/// Why a replica write is sent (the replica applies all of them the same way, last write wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WriteKind {
    /// Primary delivery of a client write by its coordinator.
    Primary,
    /// The winner of a read that found this replica behind.
    ReadRepair,
    /// A hint replayed by a coordinator that stored it while the replica was unreachable; a
    /// replica drops (but acknowledges) a hint older than the hint window by its own clock.
    Hint {
        /// When the coordinator stored the hint (its clock, µs).
        created_us: u64,
    },
    /// A cell streamed by Merkle-tree anti-entropy.
    AntiEntropy,
}

/// A request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Client → coordinator: read a key at the configured read consistency level.
    ClientRead {
        /// The key.
        key: Key,
        /// The client's operation id, carried into the store's events.
        trace: Trace,
    },
    /// Client → coordinator: write a value at the configured write consistency level.
    ClientWrite {
        /// The key.
        key: Key,
        /// The value (opaque bytes).
        value: Bytes,
        /// The client's operation id.
        trace: Trace,
    },
    /// Client → coordinator: delete a key (write a tombstone) at the write consistency level.
    ClientDelete {
        /// The key.
        key: Key,
        /// The client's operation id.
        trace: Trace,
    },
    /// Coordinator → replica: the full cell.
    Read {
        /// The key.
        key: Key,
    },
    /// Coordinator → replica: only the digest of the cell.
    Digest {
        /// The key.
        key: Key,
    },
    /// Anyone → replica: apply a cell (last write wins), durably, then acknowledge.
    Write {
        /// The key.
        key: Key,
        /// The cell.
        cell: Cell,
        /// Why it is sent.
        kind: WriteKind,
        /// The client operation behind it, if any.
        trace: Trace,
    },
    /// Anti-entropy: the Merkle node hashes at `level` (0 = root) for the range shared with the
    /// sender, for the listed node positions.
    MerkleLevel {
        /// The node asking (defines the shared range).
        from: String,
        /// Tree level.
        level: u32,
        /// Positions within the level.
        positions: Vec<u32>,
    },
    /// Anti-entropy: every cell of the shared range that falls in the listed leaf buckets.
    MerkleCells {
        /// The node asking.
        from: String,
        /// Leaf bucket indices.
        buckets: Vec<u32>,
    },
    /// Log-based anti-entropy: the current cells of the shared keys the peer's update log changed
    /// after sequence number `after` (the asker's watermark for this peer).
    LogPull {
        /// The node asking.
        from: String,
        /// The asker's watermark.
        after: u64,
    },
}

/// Why a client operation did not complete normally.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientError {
    /// Not enough live replicas: nothing was sent (a definite failure).
    Unavailable {
        /// Replicas reachable.
        alive: usize,
        /// Replicas the consistency level needs.
        needed: usize,
    },
    /// Requests were sent but not enough replicas answered in time (indeterminate).
    Timeout {
        /// Replicas that answered.
        answered: usize,
        /// Replicas the consistency level needs.
        needed: usize,
    },
    /// A blocking read repair was not acknowledged in time (indeterminate).
    RepairTimeout,
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Unavailable { alive, needed } => {
                write!(
                    f,
                    "unavailable: {alive} of {needed} needed replicas reachable"
                )
            }
            ClientError::Timeout { answered, needed } => {
                write!(
                    f,
                    "timeout: {answered} of {needed} needed replicas answered"
                )
            }
            ClientError::RepairTimeout => {
                write!(f, "timeout: blocking read repair not acknowledged")
            }
        }
    }
}

impl ClientError {
    /// Whether the operation certainly had no effect.
    pub fn is_definite(&self) -> bool {
        matches!(self, ClientError::Unavailable { .. })
    }
}

/// A response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// Coordinator → client: the read's cell (absent = never written).
    ReadOk {
        /// The winning cell.
        cell: Option<Cell>,
    },
    /// Coordinator → client: the write or delete was acknowledged by enough replicas.
    WriteOk {
        /// The timestamp assigned to the write.
        ts: u64,
    },
    /// Coordinator → client: the operation did not complete.
    Error(ClientError),
    /// Replica → coordinator: the full cell.
    Data(Option<Cell>),
    /// Replica → coordinator: the digest of the cell (8 fixed bytes).
    Digest(Digest),
    /// Replica → sender: the write is durable (whether or not it replaced the stored cell).
    Ack,
    /// Replica → peer: Merkle node hashes, in the order asked.
    MerkleLevel(Vec<u64>),
    /// Replica → peer: cells of the asked buckets.
    MerkleCells(Vec<(Key, Cell)>),
    /// Replica → peer: the current cells of the shared keys changed in `(after, through]`.
    LogEntries {
        /// The asker's new watermark once it applied `cells`.
        through: u64,
        /// The cells, oldest change first.
        cells: Vec<(Key, Cell)>,
        /// Whether more changes follow `through`.
        more: bool,
    },
    /// Replica → peer: the update log no longer reaches the asker's watermark; exchange Merkle
    /// trees, then resume after `head`.
    LogTooOld {
        /// The peer's last sequence number.
        head: u64,
    },
    /// The request could not be served (e.g. a storage error).
    Refused(String),
}

/// A frame on the wire: a request or a response with its id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Frame<T> {
    /// Request id, chosen by the dialler, unique per connection.
    pub id: u64,
    /// The message.
    pub body: T,
}
