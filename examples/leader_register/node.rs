//! One node's software for one boot. Every node replays its log, then serves client operations
//! and (followers) the leader's appends; the leader also runs one replicator per follower (and,
//! with [`Bug::AckBeforeDurable`], a flusher).

use crate::disk::Log;
use crate::store::{value_id, Bug, Observed, Reached};
use crate::wire::{dial, exchange, recv, send, Command, Entry, Msg, Reply, PORT};
use quorumlab::sut::NodeContext;
use serde_json::json;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use tokio::sync::{Mutex, Notify};
use tokio::time::{sleep, timeout, Duration};
use turmoil::net::{TcpListener, TcpStream};

/// The fixed leader; every other node follows it.
pub const LEADER: &str = "n1";
/// Dialling deadline.
const CONNECT: Duration = Duration::from_millis(200);
/// Deadline of one leader → follower exchange.
const RPC: Duration = Duration::from_millis(300);
/// An idle replicator probes its follower this often (a dead link is noticed within RPC more).
const HEARTBEAT: Duration = Duration::from_millis(100);
/// Pause before re-dialling a follower.
const RETRY: Duration = Duration::from_millis(50);
/// How long the leader waits for both followers' acks before answering "unknown".
const REPLICATION: Duration = Duration::from_millis(500);
/// How long a follower waits for the leader's answer to a forwarded operation.
const FORWARD: Duration = Duration::from_millis(1000);
/// Entries per append.
const BATCH: u64 = 64;
/// [`Bug::AckBeforeDurable`]: how often the leader syncs what it has acknowledged.
const FLUSH_EVERY: Duration = Duration::from_millis(20);

/// What one node holds, as of its current boot (the harness reads it through [`Observed`]).
#[derive(Default)]
pub struct Replica {
    /// Entries `1..=log.len()`, in order (on the leader, with the bug, a tail may be unsynced).
    pub log: Vec<Entry>,
    /// The synced prefix (followers only ever hold synced entries).
    pub durable: u64,
    /// Per key, the seq and value of the last entry that wrote it (`None`: deleted).
    pub map: BTreeMap<i64, (u64, Option<Vec<u8>>)>,
    /// Client writes the leader is working on.
    pub writing: usize,
}

impl Replica {
    pub fn last(&self) -> u64 {
        self.log.len() as u64
    }

    fn read(&self, key: i64) -> Reply {
        let cell = self.map.get(&key);
        let value = cell.and_then(|(_, value)| value.clone());
        let ts = cell.map(|(seq, _)| *seq);
        Reply::Read { value, ts }
    }
}

/// The leader's view of one follower.
#[derive(Default)]
struct Peer {
    /// The follower holds every entry up to this durably.
    acked: u64,
    /// The last exchange with it succeeded (else the leader refuses writes: they could not
    /// complete).
    connected: bool,
}

struct Node {
    ctx: NodeContext,
    bug: Option<Bug>,
    state: Rc<RefCell<Replica>>,
    log: RefCell<Log>,
    /// Serialises appends to the log.
    writer: Mutex<()>,
    peers: RefCell<BTreeMap<String, Peer>>,
    /// Notified when a follower acknowledged.
    progress: Notify,
    /// Notified when the durable prefix grew.
    appended: Notify,
    reached: Reached,
}

/// Boot one node: replay its log, then serve until crashed.
pub async fn run(
    ctx: NodeContext,
    nodes: Vec<String>,
    bug: Option<Bug>,
    observed: Observed,
    reached: Reached,
) -> turmoil::Result {
    let (log, entries) = Log::open()?;
    let mut replica = Replica::default();
    ctx.emit("log-replay", None, json!({ "entries": entries.len() }));
    for e in entries {
        replica.map.insert(e.key, (e.seq, e.value.clone()));
        replica.log.push(e);
    }
    replica.durable = replica.last();
    let leader = ctx.name() == LEADER;
    let peers = nodes.into_iter().filter(|n| leader && n != LEADER);
    let node = Rc::new(Node {
        bug,
        state: Rc::new(RefCell::new(replica)),
        log: RefCell::new(log),
        writer: Mutex::new(()),
        peers: RefCell::new(peers.map(|n| (n, Peer::default())).collect()),
        progress: Notify::new(),
        appended: Notify::new(),
        reached,
        ctx,
    });
    let name = node.ctx.name().to_string();
    observed.borrow_mut().insert(name, node.state.clone());
    let listener = TcpListener::bind(("0.0.0.0", PORT)).await?;
    for peer in node.peers.borrow().keys() {
        tokio::task::spawn_local(replicate(node.clone(), peer.clone()));
    }
    if leader && bug == Some(Bug::AckBeforeDurable) {
        tokio::task::spawn_local(flusher(node.clone()));
    }
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::task::spawn_local(serve(node.clone(), stream));
    }
}

/// Answer the requests of one connection, one at a time.
async fn serve(node: Rc<Node>, mut stream: TcpStream) {
    while let Ok(Some(msg)) = recv::<Msg>(&mut stream).await {
        let reply = match msg {
            Msg::Client(cmd) => node.client(cmd).await,
            Msg::Append(entries) => node.append(entries).await,
        };
        if send(&mut stream, &reply).await.is_err() {
            break;
        }
    }
}

impl Node {
    fn is_leader(&self) -> bool {
        self.ctx.name() == LEADER
    }

    async fn client(&self, cmd: Command) -> Reply {
        let local_read = self.is_leader() || self.bug == Some(Bug::ReadFromFollower);
        match cmd.write {
            None if local_read => self.state.borrow().read(cmd.key),
            Some(value) if self.is_leader() => {
                self.state.borrow_mut().writing += 1;
                let reply = self.write(cmd.op, cmd.key, value).await;
                self.state.borrow_mut().writing -= 1;
                reply
            }
            _ => self.forward(cmd).await,
        }
    }

    /// A follower relays a client operation to the leader.
    async fn forward(&self, cmd: Command) -> Reply {
        self.ctx
            .emit("forwarded", Some(cmd.key), json!({ "index": cmd.op }));
        let read = cmd.write.is_none();
        let mut stream = match dial(LEADER, CONNECT).await {
            Ok(s) => s,
            Err(e) => return Reply::failed(true, format!("leader unreachable: {e}")),
        };
        match exchange(&mut stream, &Msg::Client(cmd), FORWARD).await {
            Ok(reply) => reply,
            Err(e) => Reply::failed(read, format!("forwarded to the leader: {e}")),
        }
    }

    /// The leader writes: append durably, replicate to every follower, answer.
    async fn write(&self, op: u64, key: i64, value: Option<Vec<u8>>) -> Reply {
        let down = self
            .peers
            .borrow()
            .iter()
            .find(|(_, p)| !p.connected)
            .map(|(n, _)| n.clone());
        if let Some(peer) = down {
            self.ctx.emit(
                "write-refused",
                Some(key),
                json!({ "index": op, "peer": peer }),
            );
            return Reply::failed(true, format!("follower {peer} unreachable"));
        }
        let seq = {
            let _turn = self.writer.lock().await;
            let seq = self.state.borrow().last() + 1;
            let entry = Entry {
                seq,
                op,
                key,
                value,
            };
            if self.bug == Some(Bug::AckBeforeDurable) {
                self.apply(entry, "write");
                return Reply::Written { seq };
            }
            if let Err(e) = self.log.borrow_mut().append(std::slice::from_ref(&entry)) {
                return Reply::failed(false, format!("log append: {e}"));
            }
            self.ctx.fsync().await;
            self.apply(entry, "write");
            self.state.borrow_mut().durable = seq;
            seq
        };
        self.appended.notify_waiters();
        if self.bug == Some(Bug::AckBeforeReplicate) {
            return Reply::Written { seq };
        }
        let replicated = async {
            loop {
                let more = self.progress.notified();
                if self.peers.borrow().values().all(|p| p.acked >= seq) {
                    return;
                }
                more.await;
            }
        };
        match timeout(REPLICATION, replicated).await {
            Ok(()) => {
                self.ctx
                    .emit("replicated", Some(key), json!({ "index": op, "ts": seq }));
                Reply::Written { seq }
            }
            Err(_) => {
                self.ctx.emit(
                    "replication-timeout",
                    Some(key),
                    json!({ "index": op, "ts": seq }),
                );
                Reply::failed(false, format!("entry {seq} not acknowledged in time"))
            }
        }
    }

    /// A follower takes the entries that extend its log, durably, and acknowledges its last one.
    async fn append(&self, entries: Vec<Entry>) -> Reply {
        let _turn = self.writer.lock().await;
        let last = self.state.borrow().last();
        let new: Vec<Entry> = entries.into_iter().filter(|e| e.seq > last).collect();
        let extends = new.iter().zip(last + 1..).all(|(e, seq)| e.seq == seq);
        if !new.is_empty() && extends && self.log.borrow_mut().append(&new).is_ok() {
            self.ctx.fsync().await;
            for e in new {
                self.apply(e, "replication");
            }
            let mut state = self.state.borrow_mut();
            state.durable = state.last();
        }
        Reply::Ack {
            last: self.state.borrow().last(),
        }
    }

    /// Make `entry` visible on this node.
    fn apply(&self, entry: Entry, cause: &str) {
        let (key, seq) = (entry.key, entry.seq);
        let id = value_id(key, entry.value.as_deref());
        self.ctx.emit(
            "apply",
            Some(key),
            json!({ "index": entry.op, "cause": cause, "new": { "value": id, "ts": seq } }),
        );
        let mut reached = self.reached.borrow_mut();
        if reached.get(&key).is_none_or(|(ts, _)| *ts < seq) {
            reached.insert(key, (seq, id));
        }
        let mut state = self.state.borrow_mut();
        state.map.insert(key, (seq, entry.value.clone()));
        state.log.push(entry);
    }
}

/// The leader keeps one follower up to date: probe its last entry, send what it lacks in order,
/// probe again when idle; any failure drops the connection and re-dials.
async fn replicate(node: Rc<Node>, peer: String) {
    let set = |acked: Option<u64>| {
        let mut peers = node.peers.borrow_mut();
        let p = peers.entry(peer.clone()).or_default();
        p.connected = acked.is_some();
        p.acked = acked.unwrap_or(p.acked);
    };
    loop {
        set(None);
        let Ok(mut stream) = dial(&peer, CONNECT).await else {
            sleep(RETRY).await;
            continue;
        };
        let mut probed = false;
        loop {
            let acked = node.peers.borrow()[&peer].acked;
            let entries = {
                let state = node.state.borrow();
                let to = state.durable.min(acked + BATCH);
                state
                    .log
                    .get(acked as usize..to as usize)
                    .unwrap_or_default()
                    .to_vec()
            };
            if entries.is_empty() && probed {
                let more = node.appended.notified();
                if timeout(HEARTBEAT, more).await.is_ok() {
                    continue;
                }
            }
            let Ok(Reply::Ack { last }) = exchange(&mut stream, &Msg::Append(entries), RPC).await
            else {
                break;
            };
            let durable = node.state.borrow().durable;
            if !probed && last < durable {
                node.ctx.emit(
                    "catch-up",
                    None,
                    json!({ "peer": peer, "from": last + 1, "to": durable }),
                );
            }
            probed = true;
            set(Some(last));
            node.progress.notify_waiters();
        }
        sleep(RETRY).await;
    }
}

/// [`Bug::AckBeforeDurable`]: the leader syncs acknowledged entries now and then.
async fn flusher(node: Rc<Node>) {
    loop {
        sleep(FLUSH_EVERY).await;
        let _turn = node.writer.lock().await;
        let (from, to) = {
            let state = node.state.borrow();
            (state.durable, state.last())
        };
        let entries = node.state.borrow().log[from as usize..to as usize].to_vec();
        if entries.is_empty() || node.log.borrow_mut().append(&entries).is_err() {
            continue;
        }
        node.ctx.fsync().await;
        node.state.borrow_mut().durable = to;
        node.appended.notify_waiters();
    }
}
