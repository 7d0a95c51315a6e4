//! Reducing one number (operations, clients, keys, a fault window's length) while the failure
//! persists: the floor first, then halving, then bisection between the last passing and the
//! smallest failing value.
//!
//! Guarantees of [`reduce`]:
//! - the result is never above the start value nor below the floor, and it is either the start
//!   value or a value the oracle reported failing;
//! - candidates are strictly below the smallest failing value known so far, and proposed in a
//!   fixed order (floor, halves, midpoints), so the same answers give the same calls;
//! - for a failure that appears above a threshold (monotone), the result is within `slack` of the
//!   smallest failing value, in about 2·log₂(start) calls;
//! - [`Test::Exhausted`] stops at once with the smallest failing value found.

use super::ddmin::Test;

/// How close to the smallest failing value the bisection goes: it stops once the gap between a
/// passing and a failing value is at most `max(1, failing / divisor)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slack {
    /// The fraction of the failing value accepted as a gap (1 / divisor).
    pub divisor: u64,
}

impl Slack {
    /// Down to the unit (counts of clients, keys).
    pub const EXACT: Slack = Slack { divisor: u64::MAX };
    /// Within an eighth (operations, durations).
    pub const EIGHTH: Slack = Slack { divisor: 8 };
    /// Halving only: stop at the first half that passes (fault windows).
    pub const HALVING: Slack = Slack { divisor: 2 };

    fn gap(self, failing: u64) -> u64 {
        (failing / self.divisor).max(1)
    }
}

/// The smallest value in `[floor, start]` found failing (see the module doc). `start` is assumed
/// failing and is never tested.
pub fn reduce(start: u64, floor: u64, slack: Slack, test: &mut dyn FnMut(u64) -> Test) -> u64 {
    if start <= floor {
        return start;
    }
    let mut hi = start;
    match test(floor) {
        Test::Fail => return floor,
        Test::Exhausted => return hi,
        Test::Pass => {}
    }
    let mut lo = floor;
    // Halving: the big steps first.
    loop {
        let half = hi / 2;
        if half <= lo {
            break;
        }
        match test(half) {
            Test::Fail => hi = half,
            Test::Pass => {
                lo = half;
                break;
            }
            Test::Exhausted => return hi,
        }
    }
    // Bisection between a passing `lo` and a failing `hi`.
    while hi - lo > slack.gap(hi) {
        let mid = lo + (hi - lo) / 2;
        match test(mid) {
            Test::Fail => hi = mid,
            Test::Pass => lo = mid,
            Test::Exhausted => return hi,
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;

    fn threshold(start: u64, floor: u64, t: u64, slack: Slack) -> (u64, Vec<u64>) {
        let mut asked = Vec::new();
        let out = reduce(start, floor, slack, &mut |v| {
            asked.push(v);
            if v >= t {
                Test::Fail
            } else {
                Test::Pass
            }
        });
        (out, asked)
    }

    #[test]
    fn exact_reduction_finds_the_threshold() {
        for start in [2, 10, 1000, 4096] {
            for t in [1, 2, 3, start / 3 + 1, start]
                .into_iter()
                .filter(|&t| t <= start)
            {
                let (out, asked) = threshold(start, 1, t, Slack::EXACT);
                assert_eq!(out, t.max(1), "start={start} t={t}");
                let log = 64 - start.leading_zeros() as usize;
                assert!(asked.len() <= 2 * log + 1, "start={start}: {asked:?}");
                assert!(!asked.contains(&start), "the start value is never retested");
            }
        }
    }

    #[test]
    fn the_floor_is_tried_first_and_kept_when_it_fails() {
        let (out, asked) = threshold(1000, 1, 0, Slack::EIGHTH);
        assert_eq!((out, asked), (1, vec![1]));
        let (out, asked) = threshold(3, 3, 0, Slack::EXACT);
        assert_eq!((out, asked), (3, vec![]));
    }

    #[test]
    fn slack_stops_close_to_the_threshold() {
        let (out, _) = threshold(1000, 1, 300, Slack::EIGHTH);
        assert!((300..=300 + 300 / 8 + 1).contains(&out), "{out}");
        let (out, asked) = threshold(1000, 1, 300, Slack::HALVING);
        assert_eq!(out, 500);
        assert_eq!(asked, vec![1, 500, 250]);
    }

    #[test]
    fn a_non_monotone_failure_still_returns_a_failing_value() {
        // Fails only at even values: whatever is returned was reported failing.
        let mut failing = vec![1000];
        let out = reduce(1000, 1, Slack::EXACT, &mut |v| {
            if v % 2 == 0 {
                failing.push(v);
                Test::Fail
            } else {
                Test::Pass
            }
        });
        assert!(failing.contains(&out) && out <= 1000);
    }

    #[test]
    fn exhaustion_returns_the_smallest_failing_value_so_far() {
        let mut calls = 0;
        let out = reduce(1000, 1, Slack::EXACT, &mut |_| {
            calls += 1;
            match calls {
                1 => Test::Pass,
                2 => Test::Fail, // 500
                _ => Test::Exhausted,
            }
        });
        assert_eq!((out, calls), (500, 3));
    }
}
