//! The dialling side of the RPC layer: one pooled TCP connection per peer, many requests in flight
//! on it, matched to responses by id.
//!
//! turmoil 0.7.2 has no TCP retransmission: a dropped segment wedges a stream and writes into a
//! partitioned stream vanish silently. So every call has a deadline, and a connection on which a
//! call timed out is closed at once (its other calls fail as [`RpcError::Lost`]) and re-dialled on
//! next use. Errors say what the caller may conclude: [`RpcError::Unreachable`] means the request
//! was certainly not sent; `Timeout` and `Lost` mean it may have been delivered.

use super::metrics::Metrics;
use super::proto::{Frame, Request, Response};
use super::server::write_loop;
use super::wire::{decode, encode, read_frame};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Mutex};
use tokio::task::JoinHandle;
use tokio::time::timeout;
use turmoil::net::TcpStream;

/// Why a call did not return a response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RpcError {
    /// The peer could not be reached; the request was not sent.
    #[error("{0}: unreachable")]
    Unreachable(String),
    /// The request was sent but no response came before the deadline.
    #[error("timed out")]
    Timeout,
    /// The connection broke after the request was sent.
    #[error("connection lost")]
    Lost,
}

impl RpcError {
    /// Whether the request certainly was not delivered.
    pub fn is_definite(&self) -> bool {
        matches!(self, RpcError::Unreachable(_))
    }
}

type Pending = Rc<RefCell<BTreeMap<u64, oneshot::Sender<Response>>>>;

/// One peer's connection slot: dialled at most once at a time, replaced when dead.
type Slot = Rc<Mutex<Option<Rc<Conn>>>>;

/// One live connection to a peer.
pub struct Conn {
    tx: mpsc::UnboundedSender<Vec<u8>>,
    pending: Pending,
    next_id: Cell<u64>,
    dead: Rc<Cell<bool>>,
    tasks: RefCell<Vec<JoinHandle<()>>>,
}

impl Conn {
    fn start(stream: TcpStream) -> Rc<Conn> {
        let (mut rd, wr) = stream.into_split();
        let (tx, rx) = mpsc::unbounded_channel();
        let pending: Pending = Rc::default();
        let dead = Rc::new(Cell::new(false));
        let writer = tokio::task::spawn_local(write_loop(wr, rx));
        let reader = {
            let pending = pending.clone();
            let dead = dead.clone();
            tokio::task::spawn_local(async move {
                while let Ok(Some(payload)) = read_frame(&mut rd).await {
                    let Ok(frame) = decode::<Frame<Response>>(&payload) else {
                        break;
                    };
                    if let Some(waiter) = pending.borrow_mut().remove(&frame.id) {
                        let _ = waiter.send(frame.body);
                    }
                }
                dead.set(true);
                pending.borrow_mut().clear();
            })
        };
        Rc::new(Conn {
            tx,
            pending,
            next_id: Cell::new(0),
            dead,
            tasks: RefCell::new(vec![writer, reader]),
        })
    }

    /// Whether the connection is known to be broken.
    pub fn is_dead(&self) -> bool {
        self.dead.get()
    }

    /// Close the connection now: waiting calls fail with `Lost`.
    fn close(&self) {
        self.dead.set(true);
        for t in self.tasks.borrow_mut().drain(..) {
            t.abort();
        }
        self.pending.borrow_mut().clear();
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.close();
    }
}

/// Connections from this host to its peers.
pub struct Pool {
    port: u16,
    connect_timeout: Duration,
    peers: RefCell<BTreeMap<String, Slot>>,
    metrics: Rc<Metrics>,
}

impl Pool {
    /// A pool dialling peers on `port`.
    pub fn new(port: u16, connect_timeout: Duration, metrics: Rc<Metrics>) -> Pool {
        Pool {
            port,
            connect_timeout,
            peers: RefCell::default(),
            metrics,
        }
    }

    /// The live connection to `peer`, dialling it if needed.
    pub async fn connect(&self, peer: &str) -> Result<Rc<Conn>, RpcError> {
        let slot = self
            .peers
            .borrow_mut()
            .entry(peer.to_string())
            .or_default()
            .clone();
        let mut guard = slot.lock().await;
        if let Some(conn) = guard.as_ref() {
            if !conn.is_dead() {
                return Ok(conn.clone());
            }
        }
        *guard = None;
        let dial = TcpStream::connect((peer, self.port));
        match timeout(self.connect_timeout, dial).await {
            Ok(Ok(stream)) => {
                let conn = Conn::start(stream);
                *guard = Some(conn.clone());
                Ok(conn)
            }
            Ok(Err(e)) => Err(RpcError::Unreachable(format!("{peer} ({e})"))),
            Err(_) => Err(RpcError::Unreachable(format!("{peer} (connect timed out)"))),
        }
    }

    /// Send `req` to `peer` and wait up to `deadline` for the response.
    pub async fn call(
        &self,
        peer: &str,
        req: Request,
        deadline: Duration,
    ) -> Result<Response, RpcError> {
        let conn = self.connect(peer).await?;
        self.call_on(&conn, req, deadline).await
    }

    /// Send `req` on an already established connection.
    pub async fn call_on(
        &self,
        conn: &Rc<Conn>,
        req: Request,
        deadline: Duration,
    ) -> Result<Response, RpcError> {
        if conn.is_dead() {
            return Err(RpcError::Unreachable("connection closed".into()));
        }
        let id = conn.next_id.get();
        conn.next_id.set(id + 1);
        let (tx, rx) = oneshot::channel();
        conn.pending.borrow_mut().insert(id, tx);
        let bytes = encode(&Frame { id, body: req });
        let len = bytes.len() as u64;
        if conn.tx.send(bytes).is_err() {
            conn.pending.borrow_mut().remove(&id);
            conn.close();
            return Err(RpcError::Unreachable("connection closed".into()));
        }
        Metrics::inc(&self.metrics.frames_sent);
        Metrics::add(&self.metrics.bytes_sent, len);
        match timeout(deadline, rx).await {
            Ok(Ok(resp)) => Ok(resp),
            Ok(Err(_)) => Err(RpcError::Lost),
            Err(_) => {
                conn.pending.borrow_mut().remove(&id);
                conn.close();
                Err(RpcError::Timeout)
            }
        }
    }
}
