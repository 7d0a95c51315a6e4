//! # quorumlab
//!
//! A Jepsen-style correctness harness for a Dynamo-style key-value store that runs inside turmoil's
//! deterministic simulated network.
//!
//! - [`store`]: the system under test — ring, storage, replica, coordinator, read repair.
//!   It knows nothing of the harness.
//! - [`sim`]: the harness — cluster in turmoil, clocks, generator, recorder, one run.
//! - [`lab`]: experiments for your own `cargo test` (run builder, seeds, `assert_valid`).
//! - [`campaign`]: many seeds of one plan on many threads and machines (`quorumlab fuzz`).
//! - [`view`]: views of a run — `show`, the SVG plots, the Jepsen EDN export.
//! - [`cli`]: the command-line front end (`quorumlab run`, `quorumlab check`).
//! - [`checkers`] (re-exported crate `quorumlab-checkers`): history types and checkers.

pub mod campaign;
pub mod cli;
pub mod lab;
pub mod sim;
pub mod store;
pub mod view;

pub use quorumlab_checkers as checkers;
