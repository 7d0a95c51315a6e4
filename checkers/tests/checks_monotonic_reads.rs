//! `monotonic-reads` on histories that must pass and histories that must fail.

mod checks_support;

use checks_support::{End, Hist};
use quorumlab_checkers::checks::monotonic_reads::check;
use quorumlab_checkers::Validity;

#[test]
fn reads_that_follow_the_write_order_pass() {
    let mut h = Hist::new();
    h.write(0, 1, 10, 0, 10)
        .read(1, 1, Some(10), 11, 20)
        .write(0, 1, 11, 21, 30)
        .read(1, 1, Some(11), 31, 40)
        .read(2, 1, Some(11), 41, 50);
    let v = check(&h.ops());
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
    assert_eq!(v.stats["reads"], 3);
}

#[test]
fn concurrent_writes_may_be_read_in_both_orders_by_overlapping_readers() {
    // Writes 1 and 2 overlap; readers A and B overlap each other, so each may see either order.
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 50)
        .write(1, 1, 2, 0, 50)
        .read(2, 1, Some(1), 10, 30)
        .read(2, 1, Some(2), 31, 60)
        .read(3, 1, Some(2), 12, 35)
        .read(3, 1, Some(1), 36, 61);
    let v = check(&h.ops());
    // Reader 2 sees 1 then 2, reader 3 sees 2 then 1: allowed per read pair only when the
    // reads overlap. Here 2's second read (31..60) and 3's first (12..35) overlap, and
    // neither write precedes the other, so write order cannot forbid anything.
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
}

#[test]
fn a_read_of_an_older_write_after_a_newer_one_was_read_fails() {
    let mut h = Hist::new();
    h.write(0, 7, 1, 0, 10)
        .write(0, 7, 2, 20, 30) // begins after write 1 was acknowledged: 2 is newer
        .read(1, 7, Some(2), 25, 35)
        .read(2, 7, Some(1), 40, 50);
    let ops = h.ops();
    let v = check(&ops);
    assert_eq!(v.valid, Validity::Invalid);
    assert_eq!(v.anomalies.len(), 1, "{v:?}");
    let a = &v.anomalies[0];
    assert_eq!(a.kind, "non-monotonic-read");
    let r1 = ops
        .iter()
        .find(|o| o.f == "read" && o.process == 1)
        .unwrap();
    let r2 = ops
        .iter()
        .find(|o| o.f == "read" && o.process == 2)
        .unwrap();
    assert!(a.ops.contains(&r1.invoke_index) && a.ops.contains(&r2.invoke_index));
    assert!(a.explanation.contains("0.035 s"), "{}", a.explanation);
    assert!(a.explanation.contains("0.040 s"), "{}", a.explanation);
}

#[test]
fn reading_null_after_a_value_fails() {
    let mut h = Hist::new();
    h.write(0, 1, 5, 0, 10)
        .read(1, 1, Some(5), 11, 20)
        .read(2, 1, None, 21, 30);
    let v = check(&h.ops());
    assert_eq!(v.valid, Validity::Invalid);
    assert!(v.anomalies[0].explanation.contains("null"));
}

#[test]
fn overlapping_reads_may_disagree() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .write(0, 1, 2, 20, 30)
        .read(1, 1, Some(2), 25, 45)
        .read(2, 1, Some(1), 40, 50); // began before the first read completed
    assert_eq!(check(&h.ops()).valid, Validity::Valid);
}

#[test]
fn store_timestamps_decide_when_both_reads_carry_one() {
    // The writes overlap, so real time allows either order, but the store's version order
    // (ts) says 1 is newer: reading 2 after 1 was read goes backwards in the store.
    let mut h = Hist::new();
    h.write_ts(0, 1, 1, 0, 30, 200)
        .write_ts(1, 1, 2, 0, 30, 100)
        .read_ts(2, 1, 1, 200, 40, 50)
        .read_ts(3, 1, 2, 100, 60, 70);
    assert_eq!(check(&h.ops()).valid, Validity::Invalid);
    // Same history without ts: valid.
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 30)
        .write(1, 1, 2, 0, 30)
        .read(2, 1, Some(1), 40, 50)
        .read(3, 1, Some(2), 60, 70);
    assert_eq!(check(&h.ops()).valid, Validity::Valid);
}

#[test]
fn equal_times_do_not_make_a_process_overlap_itself() {
    // The first read completes at 30 ms and the same process's next read begins at 30 ms: the
    // history lists the completion first, and the order of the history is real time (times are
    // annotations), so the second read follows the first and must not go back.
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .write(0, 1, 2, 11, 20)
        .read(1, 1, Some(2), 21, 30)
        .read(1, 1, Some(1), 30, 40);
    let v = check(&h.ops());
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
    assert!(
        v.anomalies[0].explanation.contains("had already returned"),
        "{v:?}"
    );
}

#[test]
fn an_info_write_read_much_later_is_fine() {
    let mut h = Hist::new();
    h.write_end(0, 1, 1, 0, End::Info(10))
        .write(1, 1, 2, 20, 30)
        .read(2, 1, Some(2), 40, 50)
        .read(2, 1, Some(1), 1000, 1010); // the info write may take effect any time
    assert_eq!(check(&h.ops()).valid, Validity::Valid);
}

#[test]
fn duplicate_values_are_not_compared_by_write_order() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .write(0, 1, 2, 20, 30)
        .write(0, 1, 1, 40, 50) // 1 again: a read of 1 names no single write
        .read(1, 1, Some(2), 31, 35)
        .read(1, 1, Some(1), 60, 70);
    let v = check(&h.ops());
    assert_eq!(v.valid, Validity::Valid);
    assert!(
        v.notes.iter().any(|n| n.contains("more than once")),
        "{v:?}"
    );
}

#[test]
fn keys_are_independent() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .write(0, 2, 2, 20, 30)
        .read(1, 2, Some(2), 31, 35)
        .read(1, 1, Some(1), 40, 50);
    assert_eq!(check(&h.ops()).valid, Validity::Valid);
}
