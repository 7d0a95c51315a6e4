//! One node of the store: it opens its storage and logs and builds the node's state
//! ([`super::state::Node`]), listens, spawns the background tasks (hint replay, anti-entropy,
//! garbage collection), and dispatches each request ([`handle`]) to the coordinator paths, the
//! anti-entropy peer sides or the replica side. It is the top of the store's module graph: no other
//! module of the store imports it.
//!
//! The harness starts a node by calling [`run`] as the software of a turmoil host; a crash drops
//! every task of the node, and a restart calls [`run`] again, which replays the write-ahead log.
//! Everything the harness may observe (cells, counters, events) is handed out through
//! [`NodeEnv`]; the node knows nothing else about who runs it.

use super::clock::{Clock, Disk, TimestampSource};
use super::config::{Mutant, StoreConfig};
use super::events::{EventSink, StoreEvent};
use super::hint_log::HintLog;
use super::logfile::LogFile;
use super::metrics::Metrics;
use super::pool::Pool;
use super::proto::{Request, Response};
use super::ring::Ring;
use super::state::{Node, Parts};
use super::storage::{CellMap, Storage};
use super::watermarks::Watermarks;
use super::{anti_entropy, gc, handoff, log_exchange, read_path, replica, server, write_path};
use std::cell::RefCell;
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

/// Open storage and the node's other logs, and build its state (does not listen yet).
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
    let node = Rc::new(Node::new(Parts {
        name: env.name.clone(),
        id,
        ring,
        config: env.config.clone(),
        hints: HintLog::open(HINTS_PATH)?,
        pool: Pool::new(env.config.port, connect, env.metrics.clone()),
        clock: env.clock.clone(),
        disk: env.disk.clone(),
        timestamps: TimestampSource::new(floor, planted(Mutant::TsMillis)),
        ts_log,
        seed: env.seed,
        events: env.events.clone(),
        tombstones,
        watermarks,
        storage,
    }));
    (env.observer)(node.cells_handle());
    let (records, keys) = node.with_storage(|s| (s.log_records(), s.cells().borrow().len() as u64));
    node.emit(StoreEvent::LogReplay { records, keys });
    Ok(node)
}

/// Serve one request: a client request as coordinator, an anti-entropy request as a peer, a
/// replica request as replica.
pub async fn handle(node: Rc<Node>, req: Request) -> Response {
    match req {
        Request::ClientRead { key, trace } => read_path::read(&node, key, trace).await,
        Request::ClientWrite { key, value, trace } => {
            write_path::write(&node, key, Some(value), trace).await
        }
        Request::ClientDelete { key, trace } => write_path::write(&node, key, None, trace).await,
        req @ (Request::MerkleLevel { .. } | Request::MerkleCells { .. }) => {
            anti_entropy::serve(&node, req)
        }
        req @ Request::LogPull { .. } => log_exchange::serve(&node, req),
        other => replica::serve(&node, other).await,
    }
}

/// The software of a store node: open storage, replay the log, listen and serve until crashed.
pub async fn run(env: NodeEnv) -> Result<(), Box<dyn std::error::Error>> {
    let node = open(&env)?;
    tracing::info!(
        node = %node.name(),
        records = node.with_storage(|s| s.log_records()),
        keys = node.with_cells(|c| c.len()),
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
        Rc::new(move |req: Request| handle(node.clone(), req))
    };
    server::serve(listener, handler, env.metrics.clone()).await;
    Ok(())
}
