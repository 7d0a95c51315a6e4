//! Merkle-tree anti-entropy against the real store: with read repair `none` and hints disabled, a
//! replica that missed writes during a partition is brought up to date by anti-entropy alone — and
//! stays stale without it; an exchange never replaces a newer cell by an older one; and it streams
//! only the cells of differing buckets.
//!
//! - [`convergence`]: an isolated replica converges by anti-entropy alone, and only with it; one stale
//!   key streams only its bucket;
//! - [`newer_wins`]: exchanges never move a replica's cell backwards, in either direction;
//! - [`peer_side`]: what a replica answers to `MerkleLevel` / `MerkleCells`.

mod convergence;
mod newer_wins;
mod peer_side;
mod support;
