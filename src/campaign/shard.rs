//! Splitting a campaign's seeds across machines (pure).
//!
//! Seed `s` belongs to shard `I` of `N` (1-based) iff `xxh3(s) mod N == I − 1`. The assignment
//! depends on the seed alone, so shards never overlap, together cover every seed, and a seed's
//! shard does not change when the range grows (the property nextest's `hash:` partitioning is built
//! for): extending tonight's range keeps yesterday's seeds on the same machines.

use std::fmt;
use std::str::FromStr;
use xxhash_rust::xxh3::xxh3_64;

/// Shard `index` of `count` (1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    /// Which shard, from 1.
    pub index: u64,
    /// How many shards.
    pub count: u64,
}

impl Shard {
    /// The whole seed space.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Whether `seed` belongs to this shard.
    pub fn contains(self, seed: u64) -> bool {
        self.count <= 1 || xxh3_64(&seed.to_le_bytes()) % self.count == self.index - 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A `--shard` value that is not `I/N` with `1 ≤ I ≤ N`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("shard {0:?} is not I/N with 1 ≤ I ≤ N ≤ 100000 (e.g. 2/8)")]
pub struct BadShard(pub String);

impl FromStr for Shard {
    type Err = BadShard;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadShard(s.chars().take(80).collect());
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count || count > 100_000 {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_seeds_and_are_stable_as_the_range_grows() {
        let shards: Vec<Shard> = (1..=3).map(|i| Shard { index: i, count: 3 }).collect();
        for seed in 0..3000u64 {
            let owners = shards.iter().filter(|s| s.contains(seed)).count();
            assert_eq!(owners, 1, "seed {seed}");
        }
        // Balanced enough.
        for s in &shards {
            let n = (0..3000u64).filter(|&seed| s.contains(seed)).count();
            assert!((850..1150).contains(&n), "{s}: {n}");
        }
        // A seed's shard depends on the seed alone.
        let before: Vec<bool> = (0..100).map(|s| shards[1].contains(s)).collect();
        let after: Vec<bool> = (0..100).map(|s| shards[1].contains(s)).collect();
        assert_eq!(before, after);
        assert!(Shard::ALL.contains(12345));
    }

    #[test]
    fn shard_flags_parse_and_bad_ones_say_why() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/3", "4/3", "x/3", "3", "1/0", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
