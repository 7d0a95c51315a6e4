//! Time as the store sees it. The store never reads a clock directly: each node gets a [`Clock`]
//! (the harness supplies one with a per-node offset, to inject skew), and coordinators draw write
//! timestamps from a [`TimestampSource`], which keeps them strictly increasing per coordinator:
//! `ts = max(now_µs, last + 1)`.
//!
//! Across restarts: the source hands out timestamps only below a durable **reservation** (a
//! high-water mark the node syncs to disk before using any timestamp above it, one millisecond of
//! timestamps at a time), and a restarted node starts above its last reservation. So a restarted
//! coordinator never reuses a timestamp it issued, whatever its clock says. The reservation is
//! kept short on purpose: a restarted node's first timestamps may be up to one reservation ahead
//! of its clock, and that must stay below the time between two causally ordered writes at
//! different coordinators (several message delays), or the later write could lose.

use std::cell::Cell as StdCell;

/// A node's wall clock, in microseconds.
pub trait Clock {
    /// The current time in microseconds, as this node believes it to be.
    fn now_micros(&self) -> u64;
}

/// A node's disk as the store sees it: how long an fsync takes right now (the harness slows a
/// node's disk to inject a slow-disk fault; a real store would simply measure it).
pub trait Disk {
    /// The time one synced write takes.
    fn fsync_latency(&self) -> std::time::Duration;
}

/// A disk whose fsync is instantaneous in simulated time.
pub struct FastDisk;

impl Disk for FastDisk {
    fn fsync_latency(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
}

/// How many microseconds of timestamps one reservation covers.
pub const RESERVATION_US: u64 = 1_000;

/// Strictly increasing write timestamps for one coordinator.
#[derive(Debug, Default)]
pub struct TimestampSource {
    last: StdCell<u64>,
    reserved: StdCell<u64>,
    millis: bool,
}

/// The next timestamp, and the reservation to make durable before using it (if any).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Issued {
    /// The timestamp.
    pub ts: u64,
    /// A new high-water mark the caller must persist before the timestamp is used.
    pub reserve: Option<u64>,
}

impl TimestampSource {
    /// A source whose first timestamp will be above `floor` (the node's last durable reservation).
    /// `millis` truncates timestamps to milliseconds (a planted bug).
    pub fn new(floor: u64, millis: bool) -> Self {
        TimestampSource {
            last: StdCell::new(floor),
            reserved: StdCell::new(floor),
            millis,
        }
    }

    /// The next timestamp given the clock reading `now`.
    pub fn next(&self, now: u64) -> Issued {
        let mut ts = now.max(self.last.get() + 1);
        if self.millis {
            ts = ts / 1000 * 1000;
        }
        self.last.set(ts);
        let reserve = if ts >= self.reserved.get() {
            let bound = ts.saturating_add(RESERVATION_US);
            self.reserved.set(bound);
            Some(bound)
        } else {
            None
        };
        Issued { ts, reserve }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_strictly_increase_even_when_the_clock_stalls_or_goes_back() {
        let src = TimestampSource::new(0, false);
        let ts: Vec<u64> = [100, 100, 50, 500].map(|t| src.next(t).ts).to_vec();
        assert_eq!(ts, vec![100, 101, 102, 500]);
    }

    #[test]
    fn the_floor_is_respected_and_reservations_run_ahead() {
        let src = TimestampSource::new(1000, false);
        let first = src.next(10);
        assert_eq!(first.ts, 1001);
        assert_eq!(first.reserve, Some(1001 + RESERVATION_US));
        assert_eq!(src.next(20).reserve, None, "within the reservation");
        let far = src.next(5_000_000);
        assert_eq!(far.reserve, Some(5_000_000 + RESERVATION_US));
    }

    /// Regression: with one second reserved, a restarted coordinator issued timestamps up to a
    /// second ahead of every other node's clock, so its writes beat later writes elsewhere
    /// (stale reads under rolling crashes). A restart now starts at most one millisecond ahead.
    #[test]
    fn a_restarted_source_starts_at_most_a_millisecond_above_the_last_timestamp() {
        let before = TimestampSource::new(0, false);
        let last = before.next(5_000_000);
        let floor = last.reserve.expect("the first timestamp reserves");
        let after = TimestampSource::new(floor, false);
        let first = after.next(0).ts;
        assert!(
            first > last.ts && first - last.ts <= 1_001,
            "{} after {}",
            first,
            last.ts
        );
    }

    #[test]
    fn millisecond_truncation_repeats_timestamps_when_the_clock_stalls() {
        let src = TimestampSource::new(0, true);
        let a = src.next(7_000).ts;
        let b = src.next(7_000).ts;
        assert_eq!(a, b, "the planted bug collapses the +1 µs step");
    }
}
