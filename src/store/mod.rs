//! # The store under test
//!
//! A Dynamo-style replicated key-value store, written as real async code over turmoil's simulated
//! TCP and disk (so the same code would run on tokio's real types). It knows nothing of the
//! harness.
//!
//! Modules, in layers (each imports only from the layers before it; nothing imports [`node`]):
//!
//! 1. pure logic: [`cell`] (last-write-wins), [`ring`] (placement), [`digest`], [`merkle`] (trees
//!    over key-hash buckets), [`wire`] (framing), [`proto`], [`config`], [`clock`] (timestamps),
//!    [`update_log`], [`events`] (what a node reports), [`mutant`] (planted bugs), [`metrics`];
//! 2. disk and network primitives: [`logfile`], [`storage`] (write-ahead log), [`hint_log`]
//!    (durable hints), [`watermarks`] (log-exchange progress), [`pool`] and [`server`] (RPC);
//! 3. [`decide`]: every decision of the coordinator and the replica (which replicas, how many,
//!    what to ask, whether answers agree, the winner, who is stale, when to answer, who gets a
//!    hint, how a cell is applied) as plain functions of their inputs;
//! 4. [`state`]: a running node's shared state behind private fields, the one narrow I/O layer
//!    the paths go through;
//! 5. the paths, thin I/O around the decisions: [`replica`] (the replica side), [`replicas`]
//!    (reaching a replica), [`write_path`] and [`read_path`] (the coordinator, digest reads, read
//!    repair), [`handoff`] (hint replay), [`anti_entropy`] (Merkle exchanges between replicas),
//!    [`log_exchange`] (update-log pulls), [`gc`] (tombstone garbage collection);
//! 6. [`node`]: boot, listen, spawn the background tasks, dispatch requests.
//!
//! Promises: a write is acknowledged only once the write consistency level's replicas
//! synced it; a definite failure (`Unavailable`) is reported only when nothing was sent; QUORUM
//! writes with QUORUM reads and blocking read repair behave as a linearizable register when clocks
//! are not skewed.

pub mod anti_entropy;
pub mod cell;
pub mod clock;
pub mod config;
pub mod decide;
pub mod digest;
pub mod events;
pub mod gc;
pub mod handoff;
pub mod hint_log;
pub mod log_exchange;
pub mod logfile;
pub mod merkle;
pub mod metrics;
pub mod mutant;
pub mod node;
pub mod pool;
pub mod proto;
pub mod read_path;
pub mod replica;
pub mod replicas;
pub mod ring;
pub mod server;
pub mod state;
pub mod storage;
pub mod update_log;
pub mod watermarks;
pub mod wire;
pub mod write_path;
