//! # quorumlab
//!
//! A Jepsen-style correctness harness for replicated stores that run inside turmoil's deterministic
//! simulated network: a built-in Dynamo-style key-value store, or any store plugged in through
//! [`sut::System`].
//!
//! - [`store`]: the built-in store — ring, storage, replica, coordinator, read repair.
//!   It knows nothing of the harness.
//! - [`sut`]: the system-under-test interface — how the harness starts any store's nodes, talks
//!   to them as a client and observes them; the built-in store is one implementation.
//! - [`sim`]: the harness — cluster in turmoil, clocks, generator, recorder, one run.
//! - [`lab`]: experiments for your own `cargo test` (run builder, seeds, `assert_valid`).
//! - [`campaign`]: many seeds of one plan on many threads and machines (`quorumlab fuzz`).
//! - [`shrink`]: reduce a failing run while it fails the same way (`quorumlab shrink`).
//! - [`view`]: views of a run — `show`, the timeline page, the SVG plots, the Jepsen EDN export.
//! - [`cli`]: the command-line front end (`run`, `check`, `fuzz`, `shrink`, `show`, `timeline`,
//!   `export`, `mutants`).
//! - [`checkers`] (re-exported crate `quorumlab-checkers`): history types and checkers.

pub mod campaign;
pub mod cli;
pub mod lab;
pub mod shrink;
pub mod sim;
pub mod store;
pub mod sut;
pub mod view;

pub use quorumlab_checkers as checkers;
/// The async runtime the nodes' software runs on (turmoil steps it), re-exported likewise.
pub use tokio;
/// The simulator the nodes run in, re-exported so a system under test uses the same version.
pub use turmoil;

/// The README's Rust examples, compiled as doctests so they cannot drift from the API (the
/// README's test example also runs verbatim as `tests/readme_example.rs`).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
