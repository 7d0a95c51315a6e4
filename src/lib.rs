//! # quorumlab
//!
//! A Jepsen-style correctness harness for a Dynamo-style key-value store that runs inside turmoil's
//! deterministic simulated network.
//!
//! - [`store`]: the system under test — ring, storage, replica, coordinator, read repair.
//!   It knows nothing of the harness.
//! - [`sim`]: the harness — cluster in turmoil, clocks, generator, recorder, one run.
//! - [`cli`]: the command-line front end (`quorumlab run`, `quorumlab check`).
//! - [`checkers`] (re-exported crate `quorumlab-checkers`): history types and checkers.

pub mod cli;
pub mod sim;
pub mod store;

pub use quorumlab_checkers as checkers;
