//! Delta debugging over a list of units (Zeller & Hildebrandt 2002, "Simplifying and isolating
//! failure-inducing input": the `ddmin` algorithm with complements).
//!
//! Guarantees of [`ddmin`]:
//! - the result is a sub-list of the input, in the input's order, and every list it returns as
//!   failing was reported failing by the oracle (or is the input itself);
//! - the empty list is tried first (a failure that needs no unit at all shrinks to nothing);
//! - when the oracle never runs out, the result is 1-minimal: removing any single unit makes the
//!   oracle pass;
//! - candidates are proposed in a fixed order (chunks left to right, then complements left to
//!   right), so the same oracle answers give the same sequence of calls;
//! - the oracle is called at most O(n²) times for n units, and far fewer (about 2·k·log n) when
//!   a small set of k units is what fails; an oracle that answers [`Test::Exhausted`] stops the
//!   search at once with the smallest failing list found so far.

/// What the oracle says of one candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Test {
    /// The candidate still fails the same way: keep it.
    Fail,
    /// It does not (passes, fails differently, or is not a valid candidate).
    Pass,
    /// No more tests may be run (the budget is spent).
    Exhausted,
}

/// The smallest failing sub-list of `units` that `test` finds (see the module doc). `units` is
/// assumed failing; `test` is never asked about `units` itself.
pub fn ddmin<T: Clone>(units: &[T], test: &mut dyn FnMut(&[T]) -> Test) -> Vec<T> {
    let mut current: Vec<T> = units.to_vec();
    if current.is_empty() {
        return current;
    }
    match test(&[]) {
        Test::Fail => return Vec::new(),
        Test::Exhausted => return current,
        Test::Pass => {}
    }
    let mut n = 2usize;
    while current.len() >= 2 {
        let chunks = split(current.len(), n);
        let mut reduced = false;
        // Subsets: one chunk alone.
        for range in &chunks {
            let candidate = current[range.clone()].to_vec();
            match test(&candidate) {
                Test::Fail => {
                    current = candidate;
                    n = 2;
                    reduced = true;
                    break;
                }
                Test::Exhausted => return current,
                Test::Pass => {}
            }
        }
        // Complements: everything but one chunk (with two chunks, these are the subsets again).
        if !reduced && n > 2 {
            for range in &chunks {
                let candidate: Vec<T> = current
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !range.contains(i))
                    .map(|(_, u)| u.clone())
                    .collect();
                match test(&candidate) {
                    Test::Fail => {
                        current = candidate;
                        n = (n - 1).max(2);
                        reduced = true;
                        break;
                    }
                    Test::Exhausted => return current,
                    Test::Pass => {}
                }
            }
        }
        if !reduced {
            if n >= current.len() {
                break;
            }
            n = (n * 2).min(current.len());
        }
    }
    current
}

/// `len` positions cut into `n` contiguous chunks of nearly equal size (the first ones larger).
fn split(len: usize, n: usize) -> Vec<std::ops::Range<usize>> {
    let n = n.clamp(1, len.max(1));
    let (base, extra) = (len / n, len % n);
    let mut start = 0;
    (0..n)
        .map(|i| {
            let size = base + usize::from(i < extra);
            let r = start..start + size;
            start += size;
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs ddmin over 0..n with an oracle failing when every unit of `needed` is present.
    fn run(n: u32, needed: &[u32]) -> (Vec<u32>, usize) {
        let units: Vec<u32> = (0..n).collect();
        let mut calls = 0;
        let out = ddmin(&units, &mut |c: &[u32]| {
            calls += 1;
            if needed.iter().all(|u| c.contains(u)) {
                Test::Fail
            } else {
                Test::Pass
            }
        });
        (out, calls)
    }

    #[test]
    fn finds_the_one_failing_unit_with_few_calls() {
        for n in [1, 2, 3, 7, 16, 33] {
            for needed in [0, n / 2, n - 1] {
                let (out, calls) = run(n, &[needed]);
                assert_eq!(out, vec![needed], "n={n}");
                // Binary-search-like: 1 (empty) + 2 per halving.
                let bound = 1 + 2 * (32 - n.leading_zeros()) as usize;
                assert!(calls <= bound, "n={n} needed={needed}: {calls} > {bound}");
            }
        }
    }

    #[test]
    fn finds_a_failing_pair_split_across_chunks() {
        for (n, pair) in [(8, [0, 7]), (16, [3, 4]), (16, [2, 13]), (5, [1, 3])] {
            let (out, calls) = run(n, &pair);
            assert_eq!(out, pair.to_vec(), "n={n}");
            assert!(calls <= (n * n) as usize, "n={n}: {calls} calls");
        }
    }

    #[test]
    fn a_failure_needing_nothing_shrinks_to_nothing_in_one_call() {
        let (out, calls) = run(10, &[]);
        assert!(out.is_empty());
        assert_eq!(calls, 1);
    }

    #[test]
    fn the_result_is_one_minimal_and_in_input_order() {
        let needed = [9, 2, 5];
        let (out, _) = run(12, &needed);
        assert_eq!(out, vec![2, 5, 9]);
        for i in 0..out.len() {
            let mut fewer = out.clone();
            fewer.remove(i);
            assert!(!needed.iter().all(|u| fewer.contains(u)));
        }
    }

    #[test]
    fn exhaustion_stops_at_once_with_the_last_failing_list() {
        let units: Vec<u32> = (0..16).collect();
        let mut calls = 0;
        let out = ddmin(&units, &mut |_: &[u32]| {
            calls += 1;
            match calls {
                1 => Test::Pass, // the empty list
                2 => Test::Fail, // the first half
                3 => Test::Exhausted,
                _ => panic!("called after exhaustion"),
            }
        });
        assert_eq!(out, (0..8).collect::<Vec<_>>());
        assert_eq!(calls, 3);
    }

    #[test]
    fn the_same_answers_give_the_same_calls() {
        let record = || {
            let mut seen = Vec::new();
            let units: Vec<u32> = (0..20).collect();
            ddmin(&units, &mut |c: &[u32]| {
                seen.push(c.to_vec());
                if c.contains(&4) && c.contains(&17) {
                    Test::Fail
                } else {
                    Test::Pass
                }
            });
            seen
        };
        assert_eq!(record(), record());
    }

    #[test]
    fn chunks_cover_every_position_once() {
        assert_eq!(split(5, 2), vec![0..3, 3..5]);
        assert_eq!(split(4, 4), vec![0..1, 1..2, 2..3, 3..4]);
        assert_eq!(split(3, 8), vec![0..1, 1..2, 2..3]);
    }
}
