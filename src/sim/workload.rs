//! The workload generator: Jepsen-style read / write / delete operations over K keys, drawn from
//! the run's seed. Write values are unique per key, so every read names the write it saw: in
//! `ascending` order (1, 2, 3… per key, easy to read) or `shuffled` (a per-key permutation, so the
//! store's tie-break "larger value wins" is not accidentally "later write wins").
//!
//! The main phase ends when `ops` operations were issued or when `duration_ms` of simulated time
//! passed (Jepsen's time limit), whichever comes first; at least one of them is set. The generator
//! is pure state plus a seeded RNG: the same seed and configuration always yield the same sequence
//! of operations for the same sequence of calls.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// How keys are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyDist {
    /// Every key equally likely.
    Uniform,
    /// Key 0 gets `share` of the operations; the rest are uniform over the other keys.
    Hot {
        /// Fraction of operations on the hot key, in [0, 1].
        share: f64,
    },
}

/// In which order a key's unique values are handed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueOrder {
    /// 1, 2, 3, … per key.
    Ascending,
    /// A fixed permutation of 1 … 2^24 per key (unique, unrelated to time).
    Shuffled,
}

/// What the clients do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkloadConfig {
    /// Concurrent client processes.
    pub clients: usize,
    /// Number of keys (keys are `0..keys`).
    pub keys: u64,
    /// Operations across all clients in the main phase (`None`: until `duration_ms`).
    pub ops: Option<u64>,
    /// Length of the main phase in simulated ms (`None`: until `ops` are done).
    pub duration_ms: Option<u64>,
    /// Fraction of reads, in [0, 1].
    pub read_fraction: f64,
    /// Fraction of deletes, in [0, 1 − read_fraction]; the rest are writes.
    pub delete_fraction: f64,
    /// Key distribution.
    pub key_dist: KeyDist,
    /// Each client waits a uniform random time in `[0, think_ms_max]` between operations.
    pub think_ms_max: u64,
    /// Client-side deadline for one operation (ms); past it the operation is `info`.
    pub client_timeout_ms: u64,
    /// Bytes per written value (at least 8: the value's id; the rest is payload).
    pub value_bytes: usize,
    /// Order of each key's unique values.
    pub value_order: ValueOrder,
    /// How many nodes clients are bound to as coordinators (the first ones); 0 = every node.
    pub coordinators: usize,
}

impl Default for WorkloadConfig {
    fn default() -> Self {
        WorkloadConfig {
            clients: 10,
            keys: 8,
            ops: Some(2000),
            duration_ms: None,
            read_fraction: 0.5,
            delete_fraction: 0.05,
            key_dist: KeyDist::Uniform,
            think_ms_max: 10,
            client_timeout_ms: 1500,
            value_bytes: 8,
            value_order: ValueOrder::Ascending,
            coordinators: 0,
        }
    }
}

/// One operation to perform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpSpec {
    /// Read a key.
    Read {
        /// The key.
        key: i64,
    },
    /// Write a unique value to a key.
    Write {
        /// The key.
        key: i64,
        /// The value, unique for this key.
        value: i64,
    },
    /// Delete a key.
    Delete {
        /// The key.
        key: i64,
    },
}

/// Draws operations until the main phase is over.
pub struct Generator {
    cfg: WorkloadConfig,
    rng: ChaCha8Rng,
    issued: u64,
    next_value: BTreeMap<i64, u64>,
}

/// Values are drawn from `1..=VALUE_SPACE` in shuffled order.
const VALUE_SPACE: u64 = 1 << 24;

impl Generator {
    /// A generator for `cfg`, seeded with `seed`.
    pub fn new(cfg: WorkloadConfig, seed: u64) -> Self {
        Generator {
            cfg,
            rng: ChaCha8Rng::seed_from_u64(seed),
            issued: 0,
            next_value: BTreeMap::new(),
        }
    }

    /// Whether the main phase is over at simulated time `now`.
    pub fn exhausted(&self, now: Duration) -> bool {
        self.cfg.keys == 0
            || self.cfg.ops.is_some_and(|ops| self.issued >= ops)
            || self
                .cfg
                .duration_ms
                .is_some_and(|d| now >= Duration::from_millis(d))
    }

    /// The next operation at simulated time `now`, or `None` when the main phase is over.
    pub fn next_op(&mut self, now: Duration) -> Option<OpSpec> {
        if self.exhausted(now) {
            return None;
        }
        self.issued += 1;
        let key = self.pick_key();
        let read = self.cfg.read_fraction.clamp(0.0, 1.0);
        let delete = self.cfg.delete_fraction.clamp(0.0, 1.0 - read);
        let x: f64 = self.rng.random();
        if x < read {
            Some(OpSpec::Read { key })
        } else if x < read + delete {
            Some(OpSpec::Delete { key })
        } else {
            let n = self.next_value.entry(key).or_insert(0);
            *n += 1;
            let value = value_for(self.cfg.value_order, key, *n);
            Some(OpSpec::Write { key, value })
        }
    }

    /// How long a client waits before its next operation.
    pub fn think_time(&mut self) -> Duration {
        Duration::from_millis(self.rng.random_range(0..=self.cfg.think_ms_max))
    }

    fn pick_key(&mut self) -> i64 {
        let keys = self.cfg.keys as i64;
        match self.cfg.key_dist {
            KeyDist::Uniform => self.rng.random_range(0..keys),
            KeyDist::Hot { share } => {
                if keys == 1 || self.rng.random_bool(share.clamp(0.0, 1.0)) {
                    0
                } else {
                    self.rng.random_range(1..keys)
                }
            }
        }
    }
}

/// The `n`-th value (from 1) of `key`: `n` itself, or its image under a per-key bijection of
/// `1..=2^24` (an odd multiplier and a key-derived xor, both bijective modulo 2^24).
fn value_for(order: ValueOrder, key: i64, n: u64) -> i64 {
    match order {
        ValueOrder::Ascending => n as i64,
        ValueOrder::Shuffled => {
            let mask = VALUE_SPACE - 1;
            let salt = xxhash_rust::xxh3::xxh3_64(&key.to_le_bytes()) & mask;
            let x = ((n - 1).wrapping_mul(0x9E37_79B9) & mask) ^ salt;
            (x + 1) as i64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(g: &mut Generator) -> Vec<OpSpec> {
        std::iter::from_fn(|| g.next_op(Duration::ZERO)).collect()
    }

    #[test]
    fn same_seed_same_operations_and_exact_count() {
        let cfg = WorkloadConfig {
            ops: Some(300),
            ..Default::default()
        };
        let a = drain(&mut Generator::new(cfg.clone(), 7));
        let b = drain(&mut Generator::new(cfg.clone(), 7));
        let c = drain(&mut Generator::new(cfg, 8));
        assert_eq!(a.len(), 300);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn the_phase_ends_at_its_time_limit() {
        let cfg = WorkloadConfig {
            ops: None,
            duration_ms: Some(500),
            ..Default::default()
        };
        let mut g = Generator::new(cfg, 1);
        assert!(g.next_op(Duration::from_millis(499)).is_some());
        assert!(g.next_op(Duration::from_millis(500)).is_none());
    }

    #[test]
    fn write_values_are_unique_per_key_in_both_orders() {
        for order in [ValueOrder::Ascending, ValueOrder::Shuffled] {
            let cfg = WorkloadConfig {
                ops: Some(4000),
                keys: 3,
                read_fraction: 0.2,
                delete_fraction: 0.1,
                value_order: order,
                ..Default::default()
            };
            let ops = drain(&mut Generator::new(cfg, 1));
            let mut seen = std::collections::BTreeSet::new();
            let mut deletes = 0;
            for op in ops {
                match op {
                    OpSpec::Write { key, value } => {
                        assert!(
                            seen.insert((key, value)),
                            "value {value} reused on key {key}"
                        );
                        assert!((1..=VALUE_SPACE as i64).contains(&value));
                    }
                    OpSpec::Delete { .. } => deletes += 1,
                    OpSpec::Read { .. } => {}
                }
            }
            assert!(seen.len() > 2000, "{order:?}");
            assert!((250..550).contains(&deletes), "{deletes} deletes");
        }
    }

    #[test]
    fn shuffled_values_are_not_in_write_order() {
        let firsts: Vec<i64> = (1..=20)
            .map(|n| value_for(ValueOrder::Shuffled, 3, n))
            .collect();
        assert!(firsts.windows(2).any(|w| w[0] > w[1]), "{firsts:?}");
        assert!(firsts.windows(2).any(|w| w[0] < w[1]), "{firsts:?}");
    }

    #[test]
    fn hot_key_gets_its_share() {
        let cfg = WorkloadConfig {
            ops: Some(10_000),
            keys: 10,
            key_dist: KeyDist::Hot { share: 0.5 },
            ..Default::default()
        };
        let ops = drain(&mut Generator::new(cfg, 3));
        let hot = ops
            .iter()
            .filter(|op| {
                matches!(
                    op,
                    OpSpec::Read { key: 0 }
                        | OpSpec::Write { key: 0, .. }
                        | OpSpec::Delete { key: 0 }
                )
            })
            .count();
        assert!((4500..5500).contains(&hot), "hot key got {hot} of 10000");
    }
}
