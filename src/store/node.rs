//! One node of the store: it opens its storage, listens, and serves as replica and coordinator.
//!
//! The harness starts a node by calling [`run`] as the software of a turmoil host; a crash drops
//! every task of the node, and a restart calls [`run`] again, which replays the write-ahead log.
//! Everything the harness may observe (cells, counters) is handed out through [`NodeEnv`]; the node
//! knows nothing else about who runs it.

use super::cell::Key;
use super::clock::{Clock, TimestampSource};
use super::config::StoreConfig;
use super::digest::digest;
use super::hint_log::HintLog;
use super::metrics::Metrics;
use super::pool::Pool;
use super::proto::{Request, Response, WriteKind};
use super::ring::{NodeId, Ring};
use super::storage::{CellMap, Storage};
use super::{anti_entropy, handoff, read_path, server, write_path};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use turmoil::net::TcpListener;

/// Path of the write-ahead log on the node's simulated disk.
pub const LOG_PATH: &str = "/wal.log";

/// Path of the hint log on the node's simulated disk.
pub const HINTS_PATH: &str = "/hints.log";

/// Everything a node needs from whoever runs it.
#[derive(Clone)]
pub struct NodeEnv {
    /// This node's name (also its turmoil host name).
    pub name: String,
    /// The cluster configuration.
    pub config: Rc<StoreConfig>,
    /// This node's clock.
    pub clock: Rc<dyn Clock>,
    /// Seed for this boot's random choices (replica order for reads).
    pub seed: u64,
    /// Counters that survive restarts.
    pub metrics: Rc<Metrics>,
    /// Called once per boot with a read-only handle on the replica's cells.
    pub observer: Rc<dyn Fn(Rc<RefCell<CellMap>>)>,
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
    /// Write timestamps issued as coordinator.
    pub timestamps: TimestampSource,
    /// Random choices (replica order for reads), seeded per boot.
    pub rng: RefCell<ChaCha8Rng>,
    /// Counters.
    pub metrics: Rc<Metrics>,
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
        let storage = Storage::open(LOG_PATH)?;
        (env.observer)(storage.cells());
        let floor = storage
            .cells()
            .borrow()
            .values()
            .map(|c| c.ts)
            .max()
            .unwrap_or(0);
        let connect = Duration::from_millis(env.config.connect_timeout_ms);
        Ok(Rc::new(Node {
            name: env.name.clone(),
            id,
            ring,
            config: env.config.clone(),
            storage: RefCell::new(storage),
            hints: RefCell::new(HintLog::open(HINTS_PATH)?),
            pool: Pool::new(env.config.port, connect, env.metrics.clone()),
            clock: env.clock.clone(),
            timestamps: TimestampSource::new(floor),
            rng: RefCell::new(ChaCha8Rng::seed_from_u64(env.seed)),
            metrics: env.metrics.clone(),
        }))
    }

    /// Deadline of one replica RPC.
    pub fn rpc_timeout(&self) -> Duration {
        Duration::from_millis(self.config.rpc_timeout_ms)
    }

    /// Deadline of one client operation.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.config.request_timeout_ms)
    }

    /// Apply a cell to the local replica, counting what repaired it. Returns whether it was durable.
    pub fn apply_local(&self, key: Key, cell: super::cell::Cell, kind: WriteKind) -> bool {
        match self.storage.borrow_mut().apply(key, cell) {
            Ok(changed) => {
                if changed {
                    let m = &self.metrics;
                    match kind {
                        WriteKind::Primary => {}
                        WriteKind::ReadRepair => Metrics::inc(&m.cells_repaired_read),
                        WriteKind::Hint => Metrics::inc(&m.cells_repaired_hint),
                        WriteKind::AntiEntropy => Metrics::inc(&m.cells_repaired_ae),
                    }
                }
                true
            }
            Err(e) => {
                tracing::warn!(node = %self.name, "storage write failed: {e}");
                false
            }
        }
    }

    /// Serve one request, as replica or coordinator.
    pub async fn handle(self: Rc<Self>, req: Request) -> Response {
        match req {
            Request::ClientRead { key } => read_path::read(&self, key).await,
            Request::ClientWrite { key, value } => write_path::write(&self, key, value).await,
            other => self.serve_replica(other),
        }
    }

    /// Serve a replica-side request synchronously (also used when the coordinator is itself one of
    /// the replicas, without going through the network).
    pub fn serve_replica(&self, req: Request) -> Response {
        match req {
            Request::Read { key } => Response::Data(self.storage.borrow().get(key)),
            Request::Digest { key } => Response::Digest(digest(self.storage.borrow().get(key))),
            Request::Write { key, cell, kind } => {
                if self.apply_local(key, cell, kind) {
                    Response::Ack
                } else {
                    Response::Refused("storage write failed".into())
                }
            }
            Request::ClientRead { .. } | Request::ClientWrite { .. } => {
                Response::Refused("client requests are served by the coordinator".into())
            }
            req @ (Request::MerkleLevel { .. } | Request::MerkleCells { .. }) => {
                anti_entropy::serve(self, req)
            }
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
    }
    let handler = {
        let node = node.clone();
        Rc::new(move |req: Request| node.clone().handle(req))
    };
    server::serve(listener, handler, env.metrics.clone()).await;
    Ok(())
}
