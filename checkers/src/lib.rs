//! # quorumlab-checkers
//!
//! The pure half of quorumlab: history types, parsers and the checkers that judge a history.
//! Nothing here runs a network, a runtime or a simulator; every function is a function of its input
//! data, and every checker returns a [`verdict::Verdict`] rather than printing or panicking.
//!
//! Entry points: [`load::history`] and [`load::final_state`] turn bytes into checked operations
//! and a final state exactly as `quorumlab check` does (never panicking; every problem is one
//! `file:line: problem` [`InputError`]), and [`load::paired`] does the same for a stream, keeping
//! only the operations (a million-operation history in one pass); [`suite::run`] runs the
//! checkers. The order of a history's events is its real-time order ([`ops`]); `time` is only an
//! annotation.
//!
//! ```
//! use quorumlab_checkers::{jsonl, ops};
//! let text = r#"{"index":0,"time":1,"process":0,"type":"invoke","f":"write","key":3,"value":1}
//! {"index":1,"time":2,"process":0,"type":"ok","f":"write","key":3,"value":1,"ts":1}"#;
//! let history = jsonl::parse_jsonl("example", text).unwrap();
//! let ops = ops::pair(history.events()).unwrap();
//! assert_eq!(ops.len(), 1);
//! assert_eq!(ops[0].outcome, ops::Outcome::Ok);
//! ```

pub mod checks;
pub mod edn;
pub mod error;
pub mod final_state;
pub mod format;
pub mod history;
pub mod independent;
pub mod jepsen_log;
pub mod jsonl;
pub mod lin;
pub mod load;
pub mod name;
pub mod ops;
pub mod parsed;
pub mod suite;
pub mod text;
pub mod value;
pub mod verdict;

pub use error::InputError;
pub use history::{Event, EventType, Process};
pub use name::Name;
pub use parsed::ParsedHistory;
pub use value::Value;
pub use verdict::{Anomaly, Results, Validity, Verdict};

/// Render simulated nanoseconds as seconds with millisecond precision, e.g. `1.204 s`.
pub fn fmt_time(ns: u64) -> String {
    format!("{}.{:03} s", ns / 1_000_000_000, (ns / 1_000_000) % 1000)
}

/// The README's examples, compiled and run as doctests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
