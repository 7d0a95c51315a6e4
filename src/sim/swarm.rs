//! Swarm workloads (Groce et al. 2012; TigerBeetle's VOPR): each seed also draws the shape of its
//! run — how many keys and how skewed, the read/delete mix, clients and think time, latency
//! spread, value size and order, replication factor, the async repair stage's delay, tombstone
//! grace, the anti-entropy mode (Merkle trees, update logs or both, when anti-entropy is on) — so
//! different seeds reach different corners (every Merkle bucket used, hot keys,
//! tombstone GC, large values) instead of the same average. Dimensions the user fixed are left
//! alone. The draw is a pure function of the seed and records what it chose in `cfg.swarm`.

use super::config::RunConfig;
use super::seed::derive;
use super::workload::{KeyDist, ValueOrder};
use crate::store::config::AeMode;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

/// The dimensions a seed draws, by the name of the flag that fixes each.
pub const DIMENSIONS: [&str; 14] = [
    "keys",
    "hot-key",
    "read-fraction",
    "delete-fraction",
    "clients",
    "think-ms",
    "latency-ms",
    "value-bytes",
    "value-order",
    "rf",
    "async-repair-delay-ms",
    "tombstone-grace-ms",
    "coordinators",
    "anti-entropy",
];

/// Draw every dimension of `cfg` not named in `fixed` from `cfg.seed`.
pub fn draw(cfg: &mut RunConfig, fixed: &BTreeSet<String>) {
    let mut rng = ChaCha8Rng::seed_from_u64(derive(cfg.seed, "swarm", 0));
    let mut notes = Vec::new();
    for dim in DIMENSIONS {
        // Draw every dimension (so one fixed flag does not shift the others' draws), apply the
        // ones the user left free.
        let free = !fixed.contains(dim);
        match dim {
            "keys" => {
                let keys = (1000f64.powf(rng.random::<f64>())).round().max(1.0) as u64;
                if free {
                    cfg.workload.keys = keys;
                    notes.push(format!("{keys} keys"));
                }
            }
            "hot-key" => {
                let hot = rng.random_bool(0.5);
                let share = rng.random_range(0.2..0.9);
                if free {
                    cfg.workload.key_dist = if hot {
                        notes.push(format!("hot key {:.0}%", share * 100.0));
                        KeyDist::Hot { share }
                    } else {
                        KeyDist::Uniform
                    };
                }
            }
            "read-fraction" => {
                let x = rng.random_range(0.2..0.9);
                if free {
                    cfg.workload.read_fraction = x;
                    notes.push(format!("{:.0}% reads", x * 100.0));
                }
            }
            "delete-fraction" => {
                let x = rng.random_range(0.0..0.15f64);
                if free {
                    let room = 1.0 - cfg.workload.read_fraction;
                    cfg.workload.delete_fraction = x.min(room);
                    notes.push(format!("{:.0}% deletes", x.min(room) * 100.0));
                }
            }
            "clients" => {
                let n = rng.random_range(2..=30usize);
                if free {
                    cfg.workload.clients = n;
                    notes.push(format!("{n} clients"));
                }
            }
            "think-ms" => {
                let ms = rng.random_range(0..=20u64);
                if free {
                    cfg.workload.think_ms_max = ms;
                    notes.push(format!("think ≤ {ms} ms"));
                }
            }
            "latency-ms" => {
                let min = rng.random_range(1..=3u64);
                let max = rng.random_range(5..=100u64).max(min);
                if free {
                    cfg.net.min_latency_ms = min;
                    cfg.net.max_latency_ms = max;
                    notes.push(format!("latency {min}..{max} ms"));
                }
            }
            "value-bytes" => {
                let bytes = [8usize, 8, 64, 1024][rng.random_range(0..4)];
                if free {
                    cfg.workload.value_bytes = bytes;
                    notes.push(format!("{bytes}-byte values"));
                }
            }
            "value-order" => {
                let shuffled = rng.random_bool(0.5);
                if free {
                    cfg.workload.value_order = if shuffled {
                        ValueOrder::Shuffled
                    } else {
                        ValueOrder::Ascending
                    };
                    if shuffled {
                        notes.push("shuffled values".to_string());
                    }
                }
            }
            "rf" => {
                let five = rng.random_bool(0.3);
                if free && five && cfg.store.nodes.len() >= 5 {
                    cfg.store.rf = 5;
                    notes.push("RF 5".to_string());
                }
            }
            "async-repair-delay-ms" => {
                let ms = rng.random_range(0..=300u64);
                if free {
                    cfg.store.async_repair_delay_ms = ms;
                }
            }
            "tombstone-grace-ms" => {
                let grace = rng.random_range(1_000..=5_000u64);
                if free {
                    cfg.store.tombstones.grace_ms = grace;
                    cfg.store.hints.window_ms = grace / 2;
                    notes.push(format!("tombstone grace {grace} ms"));
                }
            }
            "coordinators" => {
                let one = rng.random_bool(0.1);
                if free && one {
                    cfg.workload.coordinators = 1;
                    notes.push("one coordinator".to_string());
                }
            }
            "anti-entropy" => {
                // Merkle trees half of the time, update logs or both a quarter each.
                let mode = [AeMode::Merkle, AeMode::Merkle, AeMode::Log, AeMode::Both]
                    [rng.random_range(0..4)];
                if free && cfg.store.anti_entropy.enabled {
                    cfg.store.anti_entropy.mode = mode;
                    if mode != AeMode::Merkle {
                        notes.push(format!("{mode} anti-entropy"));
                    }
                }
            }
            _ => {}
        }
    }
    cfg.swarm = notes;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_deterministic_varied_and_respect_fixed_dimensions() {
        let draw_for = |seed, fixed: &BTreeSet<String>| {
            let mut cfg = RunConfig::new(seed);
            draw(&mut cfg, fixed);
            cfg
        };
        let none = BTreeSet::new();
        assert_eq!(draw_for(3, &none), draw_for(3, &none));
        let keys: BTreeSet<u64> = (0..50).map(|s| draw_for(s, &none).workload.keys).collect();
        assert!(keys.len() > 20, "keys drawn: {keys:?}");
        assert!(
            keys.iter().any(|&k| k >= 300),
            "some seeds use many keys: {keys:?}"
        );
        let fixed: BTreeSet<String> = ["keys".to_string()].into();
        for seed in 0..20 {
            let cfg = draw_for(seed, &fixed);
            assert_eq!(cfg.workload.keys, RunConfig::new(0).workload.keys);
            assert_eq!(cfg.workload.clients, draw_for(seed, &none).workload.clients);
            cfg.validate().unwrap();
        }
        let modes: BTreeSet<AeMode> = (0..40)
            .map(|s| draw_for(s, &none).store.anti_entropy.mode)
            .collect();
        assert_eq!(
            modes.len(),
            3,
            "every anti-entropy mode is drawn: {modes:?}"
        );
        let mut off = RunConfig::new(5);
        off.store.anti_entropy.enabled = false;
        draw(&mut off, &none);
        assert!(
            !off.store.anti_entropy.enabled,
            "a swarm never switches anti-entropy on"
        );
    }
}
