//! The workload generator: Jepsen-style read/write operations over K keys, drawn from the run's
//! seed. Write values are unique per key (1, 2, 3… per key), so every read names the write it saw.
//! The generator is pure state plus a seeded RNG: the same seed and configuration always yield the
//! same sequence of operations.

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

/// What the clients do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkloadConfig {
    /// Concurrent client processes.
    pub clients: usize,
    /// Number of keys (keys are `0..keys`).
    pub keys: u64,
    /// Total operations across all clients in the main phase.
    pub ops: u64,
    /// Fraction of reads, in [0, 1].
    pub read_fraction: f64,
    /// Key distribution.
    pub key_dist: KeyDist,
    /// Each client waits a uniform random time in `[0, think_ms_max]` between operations.
    pub think_ms_max: u64,
    /// Client-side deadline for one operation (ms); past it the operation is `info`.
    pub client_timeout_ms: u64,
}

impl Default for WorkloadConfig {
    fn default() -> Self {
        WorkloadConfig {
            clients: 10,
            keys: 8,
            ops: 2000,
            read_fraction: 0.5,
            key_dist: KeyDist::Uniform,
            think_ms_max: 10,
            client_timeout_ms: 1500,
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
}

/// Draws operations until the configured count is reached.
pub struct Generator {
    cfg: WorkloadConfig,
    rng: ChaCha8Rng,
    issued: u64,
    next_value: BTreeMap<i64, i64>,
}

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

    /// The next operation, or `None` when the workload is exhausted.
    pub fn next_op(&mut self) -> Option<OpSpec> {
        if self.issued >= self.cfg.ops || self.cfg.keys == 0 {
            return None;
        }
        self.issued += 1;
        let key = self.pick_key();
        if self.rng.random_bool(self.cfg.read_fraction.clamp(0.0, 1.0)) {
            Some(OpSpec::Read { key })
        } else {
            let next = self.next_value.entry(key).or_insert(1);
            let value = *next;
            *next += 1;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(g: &mut Generator) -> Vec<OpSpec> {
        std::iter::from_fn(|| g.next_op()).collect()
    }

    #[test]
    fn same_seed_same_operations_and_exact_count() {
        let cfg = WorkloadConfig {
            ops: 300,
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
    fn write_values_are_unique_per_key() {
        let cfg = WorkloadConfig {
            ops: 2000,
            keys: 3,
            read_fraction: 0.2,
            ..Default::default()
        };
        let ops = drain(&mut Generator::new(cfg, 1));
        let mut seen = std::collections::BTreeSet::new();
        for op in ops {
            if let OpSpec::Write { key, value } = op {
                assert!(
                    seen.insert((key, value)),
                    "value {value} reused on key {key}"
                );
                assert!((0..3).contains(&key));
            }
        }
        assert!(seen.len() > 1000);
    }

    #[test]
    fn hot_key_gets_its_share() {
        let cfg = WorkloadConfig {
            ops: 10_000,
            keys: 10,
            key_dist: KeyDist::Hot { share: 0.5 },
            ..Default::default()
        };
        let ops = drain(&mut Generator::new(cfg, 3));
        let hot = ops
            .iter()
            .filter(|op| matches!(op, OpSpec::Read { key: 0 } | OpSpec::Write { key: 0, .. }))
            .count();
        assert!((4500..5500).contains(&hot), "hot key got {hot} of 10000");
    }
}
