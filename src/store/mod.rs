//! # The store under test
//!
//! A Dynamo-style replicated key-value store, written as real async code over turmoil's simulated
//! TCP and disk (so the same code would run on tokio's real types). It knows nothing of the
//! harness.
//!
//! - pure logic: [`cell`] (last-write-wins), [`ring`] (placement), [`digest`], [`merkle`] (trees
//!   over key-hash buckets), [`wire`] (framing), [`config`], [`clock`] (timestamps);
//! - disk: [`logfile`], [`storage`] (write-ahead log), [`hint_log`] (durable hints);
//! - network: [`server`] and [`pool`] (RPC), [`node`] (one node), [`replica`] (the replica side),
//!   [`replicas`], [`write_path`] and [`read_path`] (the coordinator, digest reads, read repair),
//!   [`handoff`] (hint replay), [`anti_entropy`] (Merkle exchanges between replicas),
//!   [`log_exchange`] (update-log pulls, [`update_log`]), [`gc`] (tombstone garbage collection);
//! - what a node reports: [`events`]; planted bugs: [`mutant`].
//!
//! Promises: a write is acknowledged only once the write consistency level's replicas
//! synced it; a definite failure (`Unavailable`) is reported only when nothing was sent; QUORUM
//! writes with QUORUM reads and blocking read repair behave as a linearizable register when clocks
//! are not skewed.

pub mod anti_entropy;
pub mod cell;
pub mod clock;
pub mod config;
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
pub mod storage;
pub mod update_log;
pub mod wire;
pub mod write_path;
