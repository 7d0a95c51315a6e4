//! `stale-read` / `read-your-writes` on histories that must pass and histories that must fail.

mod checks_support;

use checks_support::{End, Hist};
use quorumlab_checkers::checks::stale_read::check;
use quorumlab_checkers::Validity;

#[test]
fn reads_after_a_write_see_it_or_newer() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .read(1, 1, Some(1), 11, 20)
        .write(2, 1, 2, 21, 30)
        .read(1, 1, Some(2), 31, 40)
        .read(0, 1, Some(2), 41, 50);
    let v = check(&h.ops());
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
}

#[test]
fn a_read_overlapping_the_write_may_miss_it() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .write(0, 1, 2, 20, 40)
        .read(1, 1, Some(1), 30, 50);
    assert_eq!(check(&h.ops()).valid, Validity::Valid);
}

#[test]
fn another_process_reading_an_overwritten_value_is_a_stale_read() {
    let mut h = Hist::new();
    h.write(0, 3, 7, 0, 1000)
        .write(0, 3, 9, 1100, 1204)
        .read(1, 3, Some(7), 1310, 1400);
    let v = check(&h.ops());
    assert_eq!(v.valid, Validity::Invalid);
    let a = &v.anomalies[0];
    assert_eq!(a.kind, "stale-read");
    assert!(
        a.explanation.starts_with("read #")
            && a.explanation.contains("of key 3 returned 7, but write #")
            && a.explanation
                .contains("of 9 was acknowledged at 1.204 s, before this read began at 1.310 s"),
        "{}",
        a.explanation
    );
}

#[test]
fn the_same_process_missing_its_own_write_is_read_your_writes() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .write(1, 1, 2, 20, 30)
        .read(1, 1, Some(1), 40, 50);
    let v = check(&h.ops());
    assert_eq!(v.valid, Validity::Invalid);
    assert_eq!(v.anomalies[0].kind, "read-your-writes");
}

#[test]
fn reading_null_after_an_acknowledged_write_fails() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10).read(1, 1, None, 20, 30);
    assert_eq!(check(&h.ops()).valid, Validity::Invalid);
    let mut h = Hist::new();
    h.read(1, 1, None, 0, 5).write(0, 1, 1, 6, 10);
    assert_eq!(check(&h.ops()).valid, Validity::Valid);
}

#[test]
fn timestamps_do_not_excuse_a_real_time_stale_read() {
    // Clock skew: the later write got a smaller ts, so last-write-wins keeps the older value.
    // Real time says 9 is newer; the read after both returns 7: a stale read.
    let mut h = Hist::new();
    h.write_ts(0, 3, 7, 0, 10, 500)
        .write_ts(1, 3, 9, 20, 30, 100)
        .read_ts(2, 3, 7, 500, 40, 50);
    let v = check(&h.ops());
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
}

#[test]
fn info_and_failed_writes_are_not_acknowledged() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .write_end(1, 1, 2, 20, End::Info(30))
        .write_end(2, 1, 3, 20, End::Fail(30))
        .read(3, 1, Some(1), 40, 50);
    assert_eq!(check(&h.ops()).valid, Validity::Valid);
}
