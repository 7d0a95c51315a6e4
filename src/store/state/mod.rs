//! A running node's shared state, and the narrow I/O layer every path of the node goes through.
//!
//! [`Node`] holds what the node's tasks share (storage, hints, connections, clock, disk, RNG,
//! anti-entropy bookkeeping); its fields are private. The paths (coordinator, replica, hinted
//! handoff, anti-entropy, garbage collection) reach it only through methods that do one thing:
//! read or apply a cell, store or retire a hint, call a peer, emit an event, draw a read order.
//! No method hands out a `RefCell` or holds a borrow across an `await` (every borrow ends before
//! the method returns), so no task can observe another's half-done change.
//!
//! Decisions are not made here: they are the pure functions of [`super::decide`], which these
//! methods call with the node's configuration and planted bug. This module depends only on the
//! pure modules and the disk and network primitives ([`super::storage`], [`super::hint_log`],
//! [`super::watermarks`], [`super::logfile`], [`super::pool`]); the node builds it at boot from
//! what it opened ([`Parts`]).

mod data;

use super::cell::Key;
use super::clock::{Clock, Disk, TimestampSource};
use super::config::{ConsistencyLevel, Mutant, StoreConfig};
use super::decide;
use super::events::{EventSink, StoreEvent};
use super::hint_log::HintLog;
use super::logfile::LogFile;
use super::pool::{Conn, Pool, RpcError};
use super::proto::{Request, Response};
use super::ring::{NodeId, Ring};
use super::storage::Storage;
use super::watermarks::Watermarks;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::rc::Rc;
use std::time::Duration;

/// A running node's state, shared by its tasks.
pub struct Node {
    name: String,
    id: NodeId,
    ring: Ring,
    config: Rc<StoreConfig>,
    /// Local replica storage.
    storage: RefCell<Storage>,
    /// Hints this node owes to other replicas, as coordinator.
    hints: RefCell<HintLog>,
    /// Connections to peers.
    pool: Pool,
    clock: Rc<dyn Clock>,
    disk: Rc<dyn Disk>,
    /// Write timestamps issued as coordinator.
    timestamps: TimestampSource,
    /// Durable timestamp reservations.
    ts_log: RefCell<LogFile>,
    /// Random choices (replica order for reads), seeded per boot.
    rng: RefCell<ChaCha8Rng>,
    events: EventSink,
    /// When (local clock, µs) each tombstone now stored was applied here.
    tombstones: RefCell<BTreeMap<Key, u64>>,
    /// When (local clock, µs) the last completed anti-entropy exchange with each peer started.
    synced_with: RefCell<BTreeMap<NodeId, u64>>,
    /// Log-based anti-entropy: how far this node pulled each peer's update log (durable).
    watermarks: RefCell<Watermarks>,
    /// Log-based anti-entropy: each peer's last pull from this node since boot (watermark, local
    /// clock µs).
    pulled: RefCell<BTreeMap<NodeId, (u64, u64)>>,
}

/// What a booting node opened, from which [`Node::new`] builds the state.
pub struct Parts {
    /// Node name.
    pub name: String,
    /// Index in the ring.
    pub id: NodeId,
    /// Placement.
    pub ring: Ring,
    /// Configuration.
    pub config: Rc<StoreConfig>,
    /// Replayed storage.
    pub storage: Storage,
    /// Replayed hints.
    pub hints: HintLog,
    /// Connections to peers (none yet).
    pub pool: Pool,
    /// The node's clock.
    pub clock: Rc<dyn Clock>,
    /// The node's disk.
    pub disk: Rc<dyn Disk>,
    /// Timestamps above the last durable reservation.
    pub timestamps: TimestampSource,
    /// The reservation log.
    pub ts_log: LogFile,
    /// Seed of this boot's random choices.
    pub seed: u64,
    /// Event sink.
    pub events: EventSink,
    /// Tombstones held at boot, with the time they count as applied.
    pub tombstones: BTreeMap<Key, u64>,
    /// Replayed log-exchange watermarks.
    pub watermarks: Watermarks,
}

impl Node {
    /// The state of a node that opened `parts`.
    pub fn new(p: Parts) -> Node {
        Node {
            name: p.name,
            id: p.id,
            ring: p.ring,
            config: p.config,
            hints: RefCell::new(p.hints),
            pool: p.pool,
            clock: p.clock,
            disk: p.disk,
            timestamps: p.timestamps,
            ts_log: RefCell::new(p.ts_log),
            rng: RefCell::new(ChaCha8Rng::seed_from_u64(p.seed)),
            events: p.events,
            tombstones: RefCell::new(p.tombstones),
            synced_with: RefCell::default(),
            watermarks: RefCell::new(p.watermarks),
            pulled: RefCell::default(),
            storage: RefCell::new(p.storage),
        }
    }

    /// Node name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Index in the ring.
    pub(crate) fn id(&self) -> NodeId {
        self.id
    }

    /// Placement.
    pub(crate) fn ring(&self) -> &Ring {
        &self.ring
    }

    /// The cluster configuration.
    pub(crate) fn config(&self) -> &StoreConfig {
        &self.config
    }

    /// The planted bug, if any.
    pub(crate) fn mutant(&self) -> Option<Mutant> {
        self.config.mutant
    }

    /// Whether the planted bug `m` is switched on.
    pub(crate) fn planted(&self, m: Mutant) -> bool {
        self.config.mutant == Some(m)
    }

    /// How many replicas consistency level `cl` needs (out of the replication factor).
    pub(crate) fn required(&self, cl: ConsistencyLevel) -> usize {
        decide::quorum::required(cl, self.ring.rf(), self.mutant())
    }

    /// Report an event to whoever runs the node.
    pub(crate) fn emit(&self, event: StoreEvent) {
        (self.events)(&self.name, event);
    }

    /// This node's clock, µs.
    pub(crate) fn now_micros(&self) -> u64 {
        self.clock.now_micros()
    }

    /// How long one synced write takes on this node's disk right now.
    pub(crate) fn fsync_latency(&self) -> Duration {
        self.disk.fsync_latency()
    }

    /// The next write timestamp; a new reservation is made durable before it is used.
    pub(crate) fn next_timestamp(&self) -> io::Result<u64> {
        let issued = self.timestamps.next(self.clock.now_micros());
        if let Some(bound) = issued.reserve {
            self.ts_log.borrow_mut().append(&bound.to_le_bytes())?;
        }
        Ok(issued.ts)
    }

    /// Deadline of one replica RPC.
    pub(crate) fn rpc_timeout(&self) -> Duration {
        Duration::from_millis(self.config.rpc_timeout_ms)
    }

    /// Deadline of one client operation.
    pub(crate) fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.config.request_timeout_ms)
    }

    /// The order in which a read of `key` coordinated here tries the key's replicas (draws from
    /// this boot's RNG, see [`decide::order::read_order`]).
    pub(crate) fn read_order(&self, key: Key) -> Vec<NodeId> {
        let replicas = self.ring.replicas(key);
        decide::order::read_order(replicas, self.id, &mut *self.rng.borrow_mut())
    }

    /// The live connection to `peer`, dialling it if needed.
    pub(crate) async fn connect(&self, peer: NodeId) -> Result<Rc<Conn>, RpcError> {
        self.pool.connect(self.ring.name(peer)).await
    }

    /// Send `req` on an established connection; wait up to the RPC deadline for the answer.
    pub(crate) async fn call_on(
        &self,
        conn: &Rc<Conn>,
        req: Request,
    ) -> Result<Response, RpcError> {
        self.pool.call_on(conn, req, self.rpc_timeout()).await
    }

    /// Send `req` to the node named `peer` (dialling it if needed); wait up to the RPC deadline.
    pub(crate) async fn call(&self, peer: &str, req: Request) -> Result<Response, RpcError> {
        self.pool.call(peer, req, self.rpc_timeout()).await
    }
}
