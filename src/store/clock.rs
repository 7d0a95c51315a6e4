//! Time as the store sees it. The store never reads a clock directly: each node gets a [`Clock`]
//! (the harness supplies one with a per-node offset, to inject skew), and coordinators draw write
//! timestamps from a [`TimestampSource`], which keeps them strictly increasing per coordinator:
//! `ts = max(now_µs, last + 1)`.

use std::cell::Cell as StdCell;

/// A node's wall clock, in microseconds.
pub trait Clock {
    /// The current time in microseconds, as this node believes it to be.
    fn now_micros(&self) -> u64;
}

/// Strictly increasing write timestamps for one coordinator.
#[derive(Debug, Default)]
pub struct TimestampSource {
    last: StdCell<u64>,
}

impl TimestampSource {
    /// A source whose first timestamp will be at least `floor + 1` (e.g. the newest timestamp the
    /// node has stored, so a restarted node never reuses one).
    pub fn new(floor: u64) -> Self {
        TimestampSource {
            last: StdCell::new(floor),
        }
    }

    /// The next timestamp given the clock reading `now`.
    pub fn next(&self, now: u64) -> u64 {
        let ts = now.max(self.last.get() + 1);
        self.last.set(ts);
        ts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_strictly_increase_even_when_the_clock_stalls_or_goes_back() {
        let src = TimestampSource::new(0);
        assert_eq!(src.next(100), 100);
        assert_eq!(src.next(100), 101);
        assert_eq!(src.next(50), 102);
        assert_eq!(src.next(500), 500);
    }

    #[test]
    fn floor_is_respected() {
        let src = TimestampSource::new(1000);
        assert_eq!(src.next(10), 1001);
    }
}
