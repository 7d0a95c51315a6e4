//! Seed ranges and the set of seeds a campaign has finished (pure).
//!
//! [`SeedRange`] is `A..B` (inclusive) or open-ended (`A..`, for time-budgeted campaigns).
//! [`Done`] keeps finished seeds as sorted disjoint inclusive ranges, so a checkpoint of a million
//! seeds finished mostly in order stays a handful of numbers, whatever order jobs finish in.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The seeds of a campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedRange {
    /// First seed.
    pub start: u64,
    /// Last seed (inclusive); `None` = no end (a time budget ends the campaign).
    pub end: Option<u64>,
}

impl SeedRange {
    /// Whether `seed` is in the range.
    pub fn contains(&self, seed: u64) -> bool {
        seed >= self.start && self.end.is_none_or(|e| seed <= e)
    }

    /// Number of seeds, when bounded.
    pub fn len(&self) -> Option<u64> {
        self.end.map(|e| e.saturating_sub(self.start) + 1)
    }

    /// Whether the range is bounded and empty (never, once parsed).
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

impl fmt::Display for SeedRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end {
            Some(e) => write!(f, "{}..{}", self.start, e),
            None => write!(f, "{}..", self.start),
        }
    }
}

/// A `--seeds` value that is not `A..B`, `A..` or a single seed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("seeds {0:?} are not A..B (inclusive, A ≤ B), A.. or one seed")]
pub struct BadSeeds(pub String);

impl FromStr for SeedRange {
    type Err = BadSeeds;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadSeeds(s.chars().take(80).collect());
        let num = |t: &str| t.trim().parse::<u64>().map_err(|_| bad());
        match s.split_once("..") {
            None => {
                let seed = num(s)?;
                Ok(SeedRange {
                    start: seed,
                    end: Some(seed),
                })
            }
            Some((a, b)) if b.trim().is_empty() => Ok(SeedRange {
                start: num(a)?,
                end: None,
            }),
            Some((a, b)) => {
                let (start, end) = (num(a)?, num(b.trim_start_matches('='))?);
                if end < start {
                    return Err(bad());
                }
                Ok(SeedRange {
                    start,
                    end: Some(end),
                })
            }
        }
    }
}

/// Finished seeds, as sorted disjoint inclusive ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Done {
    ranges: Vec<(u64, u64)>,
}

impl Done {
    /// Whether `seed` is finished.
    pub fn contains(&self, seed: u64) -> bool {
        let i = self.ranges.partition_point(|&(_, hi)| hi < seed);
        self.ranges.get(i).is_some_and(|&(lo, _)| lo <= seed)
    }

    /// Mark `seed` finished.
    pub fn insert(&mut self, seed: u64) {
        if self.contains(seed) {
            return;
        }
        let i = self.ranges.partition_point(|&(_, hi)| hi < seed);
        let joins_prev = i > 0 && self.ranges[i - 1].1 + 1 == seed;
        let joins_next = self.ranges.get(i).is_some_and(|&(lo, _)| lo == seed + 1);
        match (joins_prev, joins_next) {
            (true, true) => {
                self.ranges[i - 1].1 = self.ranges[i].1;
                self.ranges.remove(i);
            }
            (true, false) => self.ranges[i - 1].1 = seed,
            (false, true) => self.ranges[i].0 = seed,
            (false, false) => self.ranges.insert(i, (seed, seed)),
        }
    }

    /// How many seeds are finished.
    pub fn count(&self) -> u64 {
        self.ranges.iter().map(|&(lo, hi)| hi - lo + 1).sum()
    }

    /// The ranges, sorted.
    pub fn ranges(&self) -> &[(u64, u64)] {
        &self.ranges
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse() {
        assert_eq!(
            "3..7".parse(),
            Ok(SeedRange {
                start: 3,
                end: Some(7)
            })
        );
        assert_eq!(
            "3..=7".parse(),
            Ok(SeedRange {
                start: 3,
                end: Some(7)
            })
        );
        assert_eq!(
            "5".parse(),
            Ok(SeedRange {
                start: 5,
                end: Some(5)
            })
        );
        assert_eq!(
            "5..".parse(),
            Ok(SeedRange {
                start: 5,
                end: None
            })
        );
        for bad in ["7..3", "a..b", "", "..", "1..x"] {
            assert!(bad.parse::<SeedRange>().is_err(), "{bad}");
        }
        assert_eq!("1..100".parse::<SeedRange>().unwrap().len(), Some(100));
    }

    #[test]
    fn done_seeds_merge_into_ranges_in_any_order() {
        let mut d = Done::default();
        for s in [5, 3, 4, 10, 1, 2, 11, 9, 4] {
            d.insert(s);
        }
        assert_eq!(d.ranges(), &[(1, 5), (9, 11)]);
        assert_eq!(d.count(), 8);
        assert!(d.contains(3) && d.contains(9) && !d.contains(6) && !d.contains(12));
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, "[[1,5],[9,11]]");
        assert_eq!(serde_json::from_str::<Done>(&json).unwrap(), d);
    }
}
