//! `resurrection` on histories that must pass and histories that must fail.

mod checks_support;

use checks_support::{final_state, with_tombstone, End, Hist};
use quorumlab_checkers::checks::resurrection::check;
use quorumlab_checkers::Validity;

const R: &[&str] = &["n1", "n2", "n3"];

#[test]
fn a_history_without_deletes_is_valid() {
    let mut h = Hist::new();
    h.write(0, 3, 7, 0, 10).read(1, 3, Some(7), 20, 30);
    let v = check(&h.ops(), None);
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
    assert_eq!(v.stats["acknowledged-deletes"], 0);
}

#[test]
fn reading_a_deleted_value_is_a_resurrection() {
    let mut h = Hist::new();
    h.write(0, 3, 7, 1000, 1100)
        .delete(1, 3, 1900, 2001, 1950)
        .read(2, 3, Some(7), 2310, 2400);
    let v = check(&h.ops(), None);
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
    let a = &v.anomalies[0];
    assert_eq!(a.kind, "resurrection");
    assert_eq!(
        a.explanation,
        "read #4 of key 3 at 2.310 s returned 7 (written at 1.100 s by write #0), but key 3 was \
         deleted at 1.900 s (delete #2, acknowledged at 2.001 s, before this read began)"
    );
    assert_eq!(a.ops, vec![0, 1, 2, 3, 4, 5]);
}

#[test]
fn concurrency_or_a_later_read_of_null_is_not_a_resurrection() {
    // The write overlaps the delete: it may have been applied after it.
    let mut h = Hist::new();
    h.write(0, 3, 7, 0, 30)
        .delete(1, 3, 10, 20, 15)
        .read(2, 3, Some(7), 40, 50);
    assert_eq!(check(&h.ops(), None).valid, Validity::Valid);
    // The delete was still running when the read began.
    let mut h = Hist::new();
    h.write(0, 3, 7, 0, 10)
        .delete(1, 3, 20, 60, 15)
        .read(2, 3, Some(7), 30, 40);
    assert_eq!(check(&h.ops(), None).valid, Validity::Valid);
    // An unacknowledged delete proves nothing.
    let mut h = Hist::new();
    h.write(0, 3, 7, 0, 10)
        .delete_end(1, 3, 20, End::Info(30))
        .read(2, 3, Some(7), 40, 50);
    assert_eq!(check(&h.ops(), None).valid, Validity::Valid);
    // Reading null after the delete is what should happen.
    let mut h = Hist::new();
    h.write(0, 3, 7, 0, 10)
        .delete(1, 3, 20, 30, 25)
        .read(2, 3, None, 40, 50);
    assert_eq!(check(&h.ops(), None).valid, Validity::Valid);
}

#[test]
fn a_value_written_twice_names_no_write_and_is_skipped() {
    let mut h = Hist::new();
    h.write(0, 3, 7, 0, 10)
        .delete(1, 3, 20, 30, 25)
        .write(0, 3, 7, 40, 45)
        .read(2, 3, Some(7), 50, 60);
    let v = check(&h.ops(), None);
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
    assert!(
        v.notes.iter().any(|n| n.contains("more than once")),
        "{v:?}"
    );
}

#[test]
fn a_replica_holding_a_deleted_value_at_the_end_is_a_resurrection() {
    let mut h = Hist::new();
    h.write_ts(0, 3, 7, 0, 10, 5).delete(1, 3, 20, 30, 25);
    let fs = with_tombstone(
        with_tombstone(final_state(&[(3, R)], &[("n3", 3, 7, 5)]), "n1", 3, 25),
        "n2",
        3,
        25,
    );
    let v = check(&h.ops(), Some(&fs));
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
    let e = &v.anomalies[0].explanation;
    assert!(e.starts_with("replica n3 holds 7 (ts 5) for key 3"), "{e}");
    assert_eq!(v.stats["final-cells"], 3);
    // With a write after the delete, the final state is that write's business (lost-writes).
    h.write_ts(0, 3, 8, 40, 50, 45);
    assert_eq!(check(&h.ops(), Some(&fs)).valid, Validity::Valid);
    // Tombstones only: fine.
    let mut h = Hist::new();
    h.write_ts(0, 3, 7, 0, 10, 5).delete(1, 3, 20, 30, 25);
    let fs = with_tombstone(final_state(&[(3, R)], &[]), "n1", 3, 25);
    assert_eq!(check(&h.ops(), Some(&fs)).valid, Validity::Valid);
}
