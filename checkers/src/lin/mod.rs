//! Linearizability checking: is there a total order of the operations, consistent with their
//! real-time order, in which every operation's result is what a sequential object would give?
//!
//! The algorithm is the Wing–Gong–Lowe search (Wing & Gong 1993; Lowe 2017, "Testing for
//! linearizability") with the improvements of Horn & Kroening 2015 ("Faster linearizability
//! checking via P-compositionality"), as in Porcupine (`checkLinearizable`) and Knossos (`wgl`):
//! - the history is partitioned by key (and, for the multi-register, into connected components of
//!   registers), and each partition is checked on its own thread ([`partition`], [`runner`]);
//! - within a partition, a doubly linked list of call/return entries is searched depth-first with
//!   a cache of (linearized-set bitset, state) pairs ([`entries`], [`search`], [`cache`],
//!   [`bitset`]);
//! - real time is the order of the history (file order, Knossos's semantics; `time` is never
//!   used to order, see [`crate::ops`]); the entry list is robust to any rank order
//!   ([`entries`]);
//! - `fail`ed operations never happened; `info` operations stay open until the end of the history:
//!   an open write may take effect at any point after its invocation, or never; an open read
//!   constrains nothing and is dropped;
//! - the answer is valid, invalid (with the operation that cannot be linearized, the longest
//!   partial linearization before it, the model's reason and the shortest failing prefix:
//!   [`explain`], [`window`], [`report`], within a work budget proportional to the verdict's) or
//!   unknown, naming the limit reached: the state budget
//!   (`max_states`, deterministic: counted per partition, whatever the number of threads), the
//!   cache bound (`max_cache`, a count of cached configurations — the search's memory) or the
//!   wall-clock `time_limit`;
//! - [`search`] refines the plain search without giving up completeness (each refinement is
//!   argued in its doc): pure operations are taken as soon as they are possible and never branched
//!   on; Lowe's just-in-time order, made goal-directed; the model may refuse provably hopeless
//!   steps (look-ahead: the register never overwrites a value a pending read still needs); open
//!   operations with equal inputs are tried once per configuration; and the register merges all
//!   values nobody reads into one state ([`models::register`]).
//!
//! Cost: on generated register and cas-register histories the search explores about one
//! configuration per operation even with 150 concurrent clients (see `benches/lin.rs`). The kv,
//! multi-register and mutex models have weaker look-ahead: beyond about 20 concurrent clients (or
//! with many open mutex operations) their search can grow exponentially, and `max_states`,
//! `max_cache` or `time_limit` then turn the answer into unknown — never into a wrong one.
//!
//! ```
//! use quorumlab_checkers::{jsonl, lin, ops, Validity};
//! // A write of 1 completes, then a read returns null: a stale read.
//! let text = r#"{"index":0,"time":10,"process":0,"type":"invoke","f":"write","value":1}
//! {"index":1,"time":20,"process":0,"type":"ok","f":"write","value":1}
//! {"index":2,"time":30,"process":1,"type":"invoke","f":"read","value":null}
//! {"index":3,"time":40,"process":1,"type":"ok","f":"read","value":null}"#;
//! let ops = jsonl::parse_jsonl("h", text).unwrap().pair("h").unwrap();
//! let verdict = lin::check(&ops, &lin::LinOptions::default());
//! assert_eq!(verdict.valid, Validity::Invalid);
//! assert_eq!(verdict.anomalies[0].kind, "nonlinearizable");
//! ```

pub mod bitset;
pub mod cache;
pub mod entries;
pub mod explain;
pub mod model;
pub mod models;
pub mod partition;
pub mod report;
pub mod runner;
pub mod search;
pub mod synth;
pub mod window;

use crate::ops::Op;
use crate::value::Value;
use crate::verdict::Verdict;
use std::str::FromStr;
use std::time::Duration;

/// The sequential specification a history is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModelKind {
    /// A register with `read` and `write`.
    Register,
    /// A register with `read`, `write` and `cas [old new]`.
    CasRegister,
    /// Per key a string register starting at `""`, with `get`, `put` and `append`.
    Kv,
    /// Knossos's multi-register: `txn` of `["read", k, v]` / `["write", k, v]` micro-ops.
    MultiRegister,
    /// A lock with `acquire` and `release`.
    Mutex,
}

/// A model name that is not one of ours.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown model {0} (expected register, cas-register, kv, multi-register or mutex)")]
pub struct UnknownModel(String);

impl FromStr for ModelKind {
    type Err = UnknownModel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "register" => Ok(ModelKind::Register),
            "cas-register" => Ok(ModelKind::CasRegister),
            "kv" => Ok(ModelKind::Kv),
            "multi-register" => Ok(ModelKind::MultiRegister),
            "mutex" => Ok(ModelKind::Mutex),
            other => Err(UnknownModel(crate::error::quoted(other))),
        }
    }
}

/// The default bound on the search cache, in bytes: [`DEFAULT_MAX_CACHE`] is derived from it.
pub const DEFAULT_CACHE_BYTES: u64 = 1 << 30;

/// About how many bytes one cached configuration takes (entry, bitset window, hash slot; states
/// of the register models are 4 bytes, others somewhat more).
pub const CACHE_ENTRY_BYTES: u64 = 128;

/// The default bound on the configurations one search caches: [`DEFAULT_CACHE_BYTES`] /
/// [`CACHE_ENTRY_BYTES`] (8 Mi configurations, about 1 GiB).
pub const DEFAULT_MAX_CACHE: u64 = DEFAULT_CACHE_BYTES / CACHE_ENTRY_BYTES;

/// How a completed read of `null` is interpreted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NilRead {
    /// `null` means absent.
    Literal,
    /// An ok read whose value is `null` matches any state (Knossos, jepsen-edn).
    Wildcard,
}

/// Options of the linearizability checker.
#[derive(Clone, Debug, PartialEq)]
pub struct LinOptions {
    /// The model.
    pub model: ModelKind,
    /// Initial value; `None` = absent (`Value::Null` state).
    pub init: Option<Value>,
    /// How a read of `null` is interpreted.
    pub nil_read: NilRead,
    /// Wall-clock limit; reached => unknown. The only limit that depends on the machine.
    pub time_limit: Option<Duration>,
    /// Search budget per partition (configurations explored); reached => unknown. Deterministic:
    /// each partition's verdict is a function of its operations and this budget alone, whatever
    /// the number of threads.
    pub max_states: Option<u64>,
    /// Memory bound: at most this many configurations cached by one search (one partition, or one
    /// probe of a violation report); reached => unknown. With `threads` workers at most that many
    /// searches hold a cache at once. Default [`DEFAULT_MAX_CACHE`] (about 1 GiB).
    pub max_cache: Option<u64>,
    /// Worker threads; 0 = available parallelism.
    pub threads: usize,
    /// The work an invalid partition's explanation (shortest failing prefix, partial
    /// linearization without look-ahead) may spend, in per cent of the verdict's own work on that
    /// partition (at least [`report::EXPLAIN_FLOOR`] units); beyond it the explanation says it
    /// was cut short. Work units are deterministic ([`window`]). Default 100: a failing history
    /// costs at most about twice its verdict; 0 turns the explanation search off.
    pub explain_percent: u32,
}

impl Default for LinOptions {
    fn default() -> Self {
        LinOptions {
            model: ModelKind::Register,
            init: None,
            nil_read: NilRead::Literal,
            time_limit: None,
            max_states: None,
            max_cache: Some(DEFAULT_MAX_CACHE),
            threads: 0,
            explain_percent: 100,
        }
    }
}

impl ModelKind {
    /// The functions a client operation may have under this model; any other is bad input.
    pub fn functions(self) -> &'static [&'static str] {
        match self {
            ModelKind::Register | ModelKind::CasRegister => &["read", "write", "delete", "cas"],
            ModelKind::Kv => &["get", "put", "append", "read", "write"],
            ModelKind::MultiRegister => &["txn"],
            ModelKind::Mutex => &["acquire", "release", "lock", "unlock"],
        }
    }

    /// The CLI name of the model.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Register => "register",
            ModelKind::CasRegister => "cas-register",
            ModelKind::Kv => "kv",
            ModelKind::MultiRegister => "multi-register",
            ModelKind::Mutex => "mutex",
        }
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Check that `ops` (client operations from [`crate::ops::pair`]) are linearizable under
/// `opts.model`. Checker name: `linearizable`.
///
/// Invalid: one `nonlinearizable` anomaly, for the smallest invalid key; its `ops` are invocation
/// indices. Unknown: a limit was reached, or an operation could not be interpreted by the model
/// (the notes say which). Stats: `ops`, `partitions`, `states_explored`, `cache_hits`,
/// `lookahead_prunes`. Notes, stats and the verdict do not depend on the number of threads (no
/// partition after the first invalid one is reported), except when `time_limit` cuts a search.
pub fn check(ops: &[Op], opts: &LinOptions) -> Verdict {
    use models::{kv::Kv, multi_register::MultiRegister, mutex::Mutex, register};
    let parts = partition::partition(ops, opts.model);
    match opts.model {
        ModelKind::Register => runner::run::<register::Register>(ops, &parts, opts),
        ModelKind::CasRegister => runner::run::<register::CasRegister>(ops, &parts, opts),
        ModelKind::Kv => runner::run::<Kv>(ops, &parts, opts),
        ModelKind::MultiRegister => runner::run::<MultiRegister>(ops, &parts, opts),
        ModelKind::Mutex => runner::run::<Mutex>(ops, &parts, opts),
    }
}
