//! # The harness
//!
//! Runs the store inside turmoil and records what its clients saw.
//!
//! - [`cluster`]: the turmoil simulation with one host per node, and what the harness observes;
//! - [`clock`]: per-node clock offsets (for clock-skew faults);
//! - [`workload`]: the Jepsen-style operation generator;
//! - [`client`]: client processes bound to coordinators;
//! - [`recorder`]: the history;
//! - [`config`]: [`config::RunConfig`], the one description of a run (`run.json`), and
//!   [`plan`]: a seed-independent description that yields one per seed; [`swarm`]: per-seed
//!   workload shapes;
//! - [`values`]: value ids ↔ the bytes the store keeps;
//! - [`monitor`] and [`invariants`]: what the nodes report, mechanism coverage, invariants
//!   checked during the run;
//! - [`run`]: one run, phase by phase;
//! - [`rundir`]: the run directory on the real file system;
//! - [`seed`]: derivation of every random stream from the run seed.

pub mod client;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod invariants;
pub mod judge;
pub mod monitor;
pub mod mutants;
pub mod nemesis;
pub mod netmodel;
pub mod outcome;
pub mod plan;
pub mod recorder;
pub mod run;
pub mod rundir;
pub mod schedule;
pub mod seed;
pub mod show;
pub mod summary;
pub mod swarm;
pub mod trace;
pub mod values;
pub mod workload;
