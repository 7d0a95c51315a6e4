//! # The system under test
//!
//! The harness judges any store that can run as turmoil hosts. A store plugs in through
//! [`System`]: the harness asks it for its node names, starts each node's software as a turmoil
//! host (again after every restart), asks it for a [`Client`] bound to a chosen coordinator for
//! every client process, and — optionally — asks whether its replicas have settled, what every
//! replica holds at the end, and what it observed along the way. Everything else — generators,
//! the nemesis, the recorder, the checkers, campaigns, shrinking and the viewers — is the same for
//! every store. The built-in Dynamo-style store is one implementation ([`builtin::BuiltinStore`]),
//! run through exactly this path.
//!
//! What the harness guarantees a system:
//! - [`System::boot`] is called inside the node's turmoil host, once at the start and once per
//!   restart after a crash (a crash drops every task of the host; the host's simulated disk
//!   survives, unsynced writes do not); the [`NodeContext`] gives the node its name, its boot
//!   number, a seed for its random choices, its (skewable) [`Clock`], its (slowable) [`Disk`], and a
//!   place to report events;
//! - [`System::client`] is called inside the client host, once per client slot (a process whose
//!   operation ended indeterminate is retired and its successor, on the same slot, keeps the
//!   client), and once per final read; a client's calls never overlap;
//! - the harness gives up on a call twice the workload's operation timeout
//!   (`RunConfig::workload.client_timeout_ms`) after it began and records it indeterminate
//!   (`info`): a backstop, so a client that hangs cannot stall the run. A client that should give
//!   up sooner (at the operation timeout, say) times out itself — the system's maker gets the
//!   `RunConfig`;
//! - values are opaque bytes: the harness encodes each write's unique id in them and decodes reads;
//!   a store only has to give back bytes it was given;
//! - outcomes are trusted as reported: [`Failure::Definite`] must mean the operation certainly had
//!   no effect (Jepsen's `fail`); anything uncertain is [`Failure::Indefinite`] (`info`).
//!
//! A system with no replica observation still gets every history checker (linearizability,
//! monotonic reads, read-your-writes, lost writes, phantoms…); the final-state checkers
//! (convergence) need [`System::final_state`].

pub mod builtin;
pub mod builtin_client;
mod context;
mod event_log;

pub use crate::store::clock::{Clock, Disk};
pub use context::NodeContext;
pub use event_log::EventLog;

use crate::sim::invariants::Violation;
use quorumlab_checkers::final_state::FinalState;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;

/// A boxed future that stays on its thread (everything in a simulation is single-threaded).
pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The software of one node for one boot: what turmoil runs as the host.
pub type NodeSoftware = LocalBoxFuture<'static, turmoil::Result>;

/// A store the harness can run and judge.
///
/// One value describes one run's cluster: the harness makes a fresh one per run (seed), so a
/// system may keep per-run observation state inside (behind `Rc`/`RefCell`; nothing is shared
/// across threads).
pub trait System: 'static {
    /// The nodes, by name (also their turmoil host names), in a fixed order. Fault schedules name
    /// these nodes. At least one; names must not be `clients` or `final` (the harness's hosts).
    fn nodes(&self) -> Vec<String>;

    /// The software of one node for one boot (see the module doc for when it is called).
    fn boot(&self, node: NodeContext) -> NodeSoftware;

    /// A client bound to `coordinator` (one of [`System::nodes`]), for one client process.
    fn client(&self, coordinator: &str) -> Box<dyn Client>;

    /// Whether the replicas have settled — no repair work pending and every replica set agrees —
    /// given the nodes now crashed. The quiesce phase after healing runs until this holds at a check
    /// past its minimum, or until its deadline; the default (always settled) makes it last exactly
    /// its minimum.
    fn settled(&self, _down: &BTreeSet<String>) -> bool {
        true
    }

    /// Every replica's cells for keys `0..keys` at the end of the run (nodes in `down` are
    /// crashed), for the final-state checkers; `None` (the default) when the system cannot show
    /// them, and those checkers are skipped.
    fn final_state(&self, _keys: u64, _down: &BTreeSet<String>) -> Option<FinalState> {
        None
    }

    /// What the system observed during the run (mechanism coverage, invariants broken, events);
    /// called once, after the final reads. The default is empty.
    fn observations(&self) -> Observations {
        Observations::default()
    }
}

/// One client operation. `op` is the history index of its invocation: passing it along lets the
/// store's events name the operation (the timeline links them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    /// The history index of the invocation.
    pub op: u64,
    /// The key.
    pub key: i64,
    /// What to do.
    pub kind: OpKind,
}

/// What a client operation does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// Read the key.
    Read,
    /// Write these bytes (opaque to the store).
    Write(Vec<u8>),
    /// Delete the key.
    Delete,
}

/// A completed operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Done {
    /// A read's answer: the bytes of the value (`None`: absent or deleted) and, if the store has
    /// one, the version (timestamp) of what was read.
    Read {
        /// The value read.
        value: Option<Vec<u8>>,
        /// Its version, when the store exposes one.
        ts: Option<u64>,
    },
    /// A write or delete took effect, with the version it got when the store exposes one.
    Written {
        /// Its version.
        ts: Option<u64>,
    },
}

/// An operation that did not complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// It certainly had no effect (recorded `fail`), e.g. the coordinator refused it before
    /// sending anything.
    Definite(String),
    /// It may or may not have taken effect (recorded `info`), e.g. a timeout or a lost connection.
    Indefinite(String),
}

/// A client's handle on the store, bound to one coordinator.
pub trait Client {
    /// Perform one operation and report how it ended.
    fn call(&self, op: Op) -> LocalBoxFuture<'_, Result<Done, Failure>>;
}

/// What a system observed during a run.
#[derive(Clone, Debug, Default)]
pub struct Observations {
    /// How often each mechanism fired (shown in the summary and `results.json`, and used to say
    /// why a bug went unnoticed).
    pub coverage: BTreeMap<String, u64>,
    /// Invariants broken during the run (an `invariants` verdict).
    pub violations: Vec<Violation>,
    /// `events.jsonl` lines (JSON objects with at least `time` in ns, `node` and `kind`), in time
    /// order, when events were recorded.
    pub events: Vec<String>,
    /// Per key, when (ns) a mechanism other than primary delivery changed one of its replicas (a
    /// failing campaign seed is grouped by the mechanisms active near its anomaly).
    pub key_mechanisms: BTreeMap<i64, Vec<(u64, String)>>,
    /// Counters summed over the nodes (e.g. network bytes and messages).
    pub counters: BTreeMap<String, u64>,
}
