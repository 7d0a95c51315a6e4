//! # The store's decisions, as plain functions of their inputs
//!
//! Nothing here does I/O, reads a clock, awaits, draws randomness of its own or touches a node's
//! state: every function takes what it decides on (the answers gathered, which replicas were
//! reachable, the consistency level, the planted bug if any, the time or an RNG when the decision
//! needs one) and returns the decision. The async paths ([`super::read_path`],
//! [`super::write_path`], [`super::handoff`], [`super::replica`]) are the I/O layer above: they
//! gather the inputs, call these functions and carry out what they return. So each decision is
//! unit-tested alone, both ways, without a simulation.
//!
//! A planted bug that changes a decision is an input (`mutant: Option<Mutant>`): the decision is
//! the one place that consults it, and `None` is the correct store.
//!
//! - [`quorum`]: how many replicas a consistency level needs; whether an operation may start;
//! - [`acks`]: when to answer, given the acknowledgements and failures so far;
//! - [`order`]: which replicas a read tries, in what order;
//! - [`write`](mod@write): which replicas a write sends to and which get a hint instead;
//! - [`read`]: the read plan (data or digest), what the answers reveal, whether they agree, the
//!   reconciled winner and who is stale, how the repair is run;
//! - [`hints`]: who is owed a hint, when a hint expired, what a replay sends and drops;
//! - [`replica`]: how a replica compares and syncs an incoming cell, what its digests cover.

pub mod acks;
pub mod hints;
pub mod order;
pub mod quorum;
pub mod read;
pub mod replica;
pub mod write;

pub use acks::{Acks, Verdict};
pub use quorum::Failure;
