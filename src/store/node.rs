//! One node of the store: it opens its storage, listens, and serves as replica and coordinator.
//!
//! The harness starts a node by calling [`run`] as the software of a turmoil host; a crash drops
//! every task of the node, and a restart calls [`run`] again, which replays the write-ahead log.
//! Everything the harness may observe (cells, counters, events) is handed out through
//! [`NodeEnv`]; the node knows nothing else about who runs it.

use super::cell::Key;
use super::clock::{Clock, Disk, TimestampSource};
use super::config::{ConsistencyLevel, Mutant, StoreConfig};
use super::events::{EventSink, StoreEvent};
use super::hint_log::HintLog;
use super::log_exchange::{self, Watermarks};
use super::logfile::LogFile;
use super::metrics::Metrics;
use super::pool::Pool;
use super::proto::{Request, Response};
use super::ring::{NodeId, Ring};
use super::storage::{CellMap, Storage};
use super::{anti_entropy, gc, handoff, read_path, replica, server, write_path};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::rc::Rc;
use std::time::Duration;
use turmoil::net::TcpListener;

/// Path of the write-ahead log on the node's simulated disk.
pub const LOG_PATH: &str = "/wal.log";

/// Path of the hint log on the node's simulated disk.
pub const HINTS_PATH: &str = "/hints.log";

/// Path of the timestamp reservations on the node's simulated disk.
pub const TS_PATH: &str = "/timestamps.log";

/// Path of the log-based anti-entropy watermarks on the node's simulated disk.
pub const WATERMARKS_PATH: &str = "/watermarks.log";

/// Everything a node needs from whoever runs it.
#[derive(Clone)]
pub struct NodeEnv {
    /// This node's name (also its turmoil host name).
    pub name: String,
    /// The cluster configuration.
    pub config: Rc<StoreConfig>,
    /// This node's clock.
    pub clock: Rc<dyn Clock>,
    /// This node's disk (how slow its fsync is).
    pub disk: Rc<dyn Disk>,
    /// Seed for this boot's random choices (replica order for reads).
    pub seed: u64,
    /// Counters that survive restarts.
    pub metrics: Rc<Metrics>,
    /// Called once per boot, after log replay, with a read-only handle on the replica's cells.
    pub observer: Rc<dyn Fn(Rc<RefCell<CellMap>>)>,
    /// Where the node reports what it does.
    pub events: EventSink,
}

/// A running node's state, shared by its tasks.
pub struct Node {
    /// Node name.
    pub name: String,
    /// Index in the ring.
    pub id: NodeId,
    /// Placement.
    pub ring: Ring,
    /// Configuration.
    pub config: Rc<StoreConfig>,
    /// Local replica storage.
    pub storage: RefCell<Storage>,
    /// Hints this node owes to other replicas, as coordinator.
    pub hints: RefCell<HintLog>,
    /// Connections to peers.
    pub pool: Pool,
    /// This node's clock.
    pub clock: Rc<dyn Clock>,
    /// This node's disk.
    pub disk: Rc<dyn Disk>,
    /// Write timestamps issued as coordinator.
    timestamps: TimestampSource,
    /// Durable timestamp reservations.
    ts_log: RefCell<LogFile>,
    /// Random choices (replica order for reads), seeded per boot.
    pub rng: RefCell<ChaCha8Rng>,
    /// Counters.
    pub metrics: Rc<Metrics>,
    /// Event sink.
    events: EventSink,
    /// When (local clock, µs) each tombstone now stored was applied here.
    pub(crate) tombstones: RefCell<BTreeMap<Key, u64>>,
    /// When (local clock, µs) the last completed anti-entropy exchange with each peer started.
    pub(crate) synced_with: RefCell<BTreeMap<NodeId, u64>>,
    /// Log-based anti-entropy: how far this node pulled each peer's update log (durable).
    pub(crate) watermarks: RefCell<Watermarks>,
    /// Log-based anti-entropy: each peer's last pull from this node since boot (watermark, local
    /// clock µs).
    pub(crate) pulled: RefCell<BTreeMap<NodeId, (u64, u64)>>,
}

/// Why a node could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The node's name is not in the configuration.
    #[error("node {0} is not part of the cluster configuration")]
    UnknownNode(String),
    /// The ring could not be built.
    #[error(transparent)]
    Ring(#[from] super::ring::RingError),
    /// Storage or listener I/O failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

impl Node {
    /// Open storage and build the node's state (does not listen yet).
    pub fn open(env: &NodeEnv) -> Result<Rc<Node>, StartError> {
        let ring = Ring::new(&env.config.nodes, env.config.rf, env.config.vnodes)?;
        let id = ring
            .id(&env.name)
            .ok_or_else(|| StartError::UnknownNode(env.name.clone()))?;
        let planted = |m: Mutant| env.config.mutant == Some(m);
        let storage = Storage::open(
            LOG_PATH,
            planted(Mutant::ReplayDropsTail),
            env.config.anti_entropy.log_limit,
        )?;
        let watermarks = Watermarks::open(WATERMARKS_PATH)?;
        let (ts_log, reservations) = LogFile::open(TS_PATH)?;
        let floor = reservations
            .iter()
            .filter_map(|r| Some(u64::from_le_bytes(r.get(..8)?.try_into().ok()?)))
            .max()
            .unwrap_or(0);
        let now = env.clock.now_micros();
        let tombstones = storage
            .cells()
            .borrow()
            .iter()
            .filter(|(_, c)| c.is_tombstone())
            .map(|(&k, _)| (k, now))
            .collect();
        let connect = Duration::from_millis(env.config.connect_timeout_ms);
        let node = Rc::new(Node {
            name: env.name.clone(),
            id,
            ring,
            config: env.config.clone(),
            hints: RefCell::new(HintLog::open(HINTS_PATH)?),
            pool: Pool::new(env.config.port, connect, env.metrics.clone()),
            clock: env.clock.clone(),
            disk: env.disk.clone(),
            timestamps: TimestampSource::new(floor, planted(Mutant::TsMillis)),
            ts_log: RefCell::new(ts_log),
            rng: RefCell::new(ChaCha8Rng::seed_from_u64(env.seed)),
            metrics: env.metrics.clone(),
            events: env.events.clone(),
            tombstones: RefCell::new(tombstones),
            synced_with: RefCell::default(),
            watermarks: RefCell::new(watermarks),
            pulled: RefCell::default(),
            storage: RefCell::new(storage),
        });
        (env.observer)(node.storage.borrow().cells());
        let (records, keys) = {
            let s = node.storage.borrow();
            (s.log_records(), s.cells().borrow().len() as u64)
        };
        node.emit(StoreEvent::LogReplay { records, keys });
        Ok(node)
    }

    /// Whether the planted bug `m` is switched on.
    pub fn planted(&self, m: Mutant) -> bool {
        self.config.mutant == Some(m)
    }

    /// How many replicas consistency level `cl` needs (out of the replication factor).
    pub fn required(&self, cl: ConsistencyLevel) -> usize {
        if cl == ConsistencyLevel::Quorum && self.planted(Mutant::QuorumFloor) {
            return (self.ring.rf() / 2).max(1);
        }
        cl.required(self.ring.rf())
    }

    /// Report an event to whoever runs the node.
    pub fn emit(&self, event: StoreEvent) {
        (self.events)(&self.name, event);
    }

    /// The next write timestamp; a new reservation is made durable before it is used.
    pub fn next_timestamp(&self) -> io::Result<u64> {
        let issued = self.timestamps.next(self.clock.now_micros());
        if let Some(bound) = issued.reserve {
            self.ts_log.borrow_mut().append(&bound.to_le_bytes())?;
        }
        Ok(issued.ts)
    }

    /// Deadline of one replica RPC.
    pub fn rpc_timeout(&self) -> Duration {
        Duration::from_millis(self.config.rpc_timeout_ms)
    }

    /// Deadline of one client operation.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.config.request_timeout_ms)
    }

    /// Serve one request, as replica or coordinator.
    pub async fn handle(self: Rc<Self>, req: Request) -> Response {
        match req {
            Request::ClientRead { key, trace } => read_path::read(&self, key, trace).await,
            Request::ClientWrite { key, value, trace } => {
                write_path::write(&self, key, Some(value), trace).await
            }
            Request::ClientDelete { key, trace } => {
                write_path::write(&self, key, None, trace).await
            }
            other => replica::serve(&self, other).await,
        }
    }
}

/// The software of a store node: open storage, replay the log, listen and serve until crashed.
pub async fn run(env: NodeEnv) -> Result<(), Box<dyn std::error::Error>> {
    let node = Node::open(&env)?;
    tracing::info!(
        node = %node.name,
        records = node.storage.borrow().log_records(),
        keys = node.storage.borrow().cells().borrow().len(),
        "node started; write-ahead log replayed"
    );
    let listener = TcpListener::bind(("0.0.0.0", env.config.port)).await?;
    if env.config.hints.enabled {
        tokio::task::spawn_local(handoff::run(node.clone()));
    }
    if env.config.anti_entropy.enabled {
        tokio::task::spawn_local(anti_entropy::run(node.clone()));
        tokio::task::spawn_local(log_exchange::run(node.clone()));
    }
    tokio::task::spawn_local(gc::run(node.clone()));
    if node.planted(Mutant::AckBeforeFsync) {
        tokio::task::spawn_local(replica::flusher(node.clone()));
    }
    let handler = {
        let node = node.clone();
        Rc::new(move |req: Request| node.clone().handle(req))
    };
    server::serve(listener, handler, env.metrics.clone()).await;
    Ok(())
}
