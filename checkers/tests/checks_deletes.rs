//! Deletes and tombstones in every checker that reads them: histories that must pass and histories
//! that must fail. A delete is a write of `null`; a read of `null` with a `ts` found a tombstone.

mod checks_support;

use checks_support::{final_state, with_tombstone, End, Hist};
use quorumlab_checkers::checks::{convergence, lost_writes, monotonic_reads, phantom, stale_read};
use quorumlab_checkers::final_state::ReachedCell;
use quorumlab_checkers::lin::{self, LinOptions};
use quorumlab_checkers::Validity;

const R: &[&str] = &["n1", "n2", "n3"];

#[test]
fn linearizable_treats_a_delete_as_a_write_of_null() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .delete(0, 1, 20, 30, 25)
        .read(1, 1, None, 40, 50);
    let v = lin::check(&h.ops(), &LinOptions::default());
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .delete(0, 1, 20, 30, 25)
        .read(1, 1, Some(1), 40, 50);
    let v = lin::check(&h.ops(), &LinOptions::default());
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
    assert!(v.anomalies[0].explanation.contains("delete"), "{v:?}");
}

#[test]
fn stale_read_a_null_explained_by_a_delete_is_fine() {
    // After an acknowledged delete, null is the newest state.
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .delete(0, 1, 20, 30, 25)
        .read(1, 1, None, 40, 50);
    assert_eq!(stale_read::check(&h.ops()).valid, Validity::Valid);
    // A delete concurrent with the last write may be the newest.
    let mut h = Hist::new();
    h.write(0, 1, 2, 0, 30)
        .delete(1, 1, 10, 20, 15)
        .read(2, 1, None, 40, 50);
    assert_eq!(stale_read::check(&h.ops()).valid, Validity::Valid);
    // An open delete may take effect any time.
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .delete_end(0, 1, 20, End::Info(25))
        .read(1, 1, None, 40, 50);
    assert_eq!(stale_read::check(&h.ops()).valid, Validity::Valid);
}

#[test]
fn stale_read_a_null_older_than_every_explanation_is_stale() {
    let mut h = Hist::new();
    h.delete(0, 1, 0, 10, 5)
        .write(0, 1, 2, 20, 30)
        .read(1, 1, None, 40, 50);
    let v = stale_read::check(&h.ops());
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
    let e = &v.anomalies[0].explanation;
    assert!(
        e.contains("every delete that could explain the null"),
        "{e}"
    );
    // A value read after an acknowledged delete of it is stale too.
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .delete(0, 1, 20, 30, 25)
        .read(1, 1, Some(1), 40, 50);
    let v = stale_read::check(&h.ops());
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
    assert!(v.anomalies[0].explanation.contains("but delete #"), "{v:?}");
}

#[test]
fn monotonic_reads_order_tombstones_by_ts_and_tombstones_win_ties() {
    // tombstone@200 then 5@100: back in time.
    let mut h = Hist::new();
    h.write_ts(0, 1, 5, 0, 10, 100)
        .delete(0, 1, 20, 30, 200)
        .read_tombstone(1, 1, 200, 40, 50)
        .read_ts(2, 1, 5, 100, 60, 70);
    let v = monotonic_reads::check(&h.ops());
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
    assert!(
        v.anomalies[0]
            .explanation
            .contains("null (tombstone, ts 200)"),
        "{v:?}"
    );
    // tombstone@200 then 9@200: the tombstone won the tie, so 9 is older.
    let mut h = Hist::new();
    h.write_ts(0, 1, 9, 0, 10, 200)
        .delete(1, 1, 0, 10, 200)
        .read_tombstone(2, 1, 200, 40, 50)
        .read_ts(3, 1, 9, 200, 60, 70);
    assert_eq!(monotonic_reads::check(&h.ops()).valid, Validity::Invalid);
    // 9@200 then tombstone@200: forward.
    let mut h = Hist::new();
    h.write_ts(0, 1, 9, 0, 10, 200)
        .delete(1, 1, 0, 10, 200)
        .read_ts(3, 1, 9, 200, 40, 50)
        .read_tombstone(2, 1, 200, 60, 70);
    assert_eq!(monotonic_reads::check(&h.ops()).valid, Validity::Valid);
}

#[test]
fn monotonic_reads_a_null_without_ts_may_be_a_purged_tombstone() {
    // 5, then null with no ts: the delete after the write explains it (its tombstone was purged).
    let mut h = Hist::new();
    h.write(0, 1, 5, 0, 10)
        .read(1, 1, Some(5), 11, 15)
        .delete(0, 1, 20, 30, 25)
        .read(1, 1, None, 40, 50);
    assert_eq!(monotonic_reads::check(&h.ops()).valid, Validity::Valid);
    // A tombstone, then nothing: the same to a reader.
    let mut h = Hist::new();
    h.write(0, 1, 5, 0, 10)
        .delete(0, 1, 20, 30, 25)
        .read_tombstone(1, 1, 25, 40, 50)
        .read(1, 1, None, 60, 70);
    assert_eq!(monotonic_reads::check(&h.ops()).valid, Validity::Valid);
    // But every delete completed before 5 was written: null is older than 5.
    let mut h = Hist::new();
    h.delete(0, 1, 0, 10, 5)
        .write(0, 1, 5, 20, 30)
        .read(1, 1, Some(5), 40, 50)
        .read(2, 1, None, 60, 70);
    let v = monotonic_reads::check(&h.ops());
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
    assert!(
        v.anomalies[0]
            .explanation
            .contains("after every delete of key 1 that could explain the null"),
        "{v:?}"
    );
}

#[test]
fn lost_writes_a_delete_is_kept_by_a_tombstone_or_by_nothing() {
    let mut h = Hist::new();
    h.write_ts(0, 1, 1, 0, 10, 5).delete(0, 1, 20, 30, 25);
    let tombstones = [R[0], R[1], R[2]]
        .iter()
        .fold(final_state(&[(1, R)], &[]), |fs, n| {
            with_tombstone(fs, n, 1, 25)
        });
    let v = lost_writes::check(&h.ops(), Some(&tombstones));
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
    assert_eq!(v.stats["acknowledged-deletes"], 1);
    let nothing = final_state(&[(1, R)], &[]);
    let v = lost_writes::check(&h.ops(), Some(&nothing));
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
    // A write after the delete supersedes it.
    h.write_ts(1, 1, 2, 40, 50, 45);
    let fs = final_state(
        &[(1, R)],
        &[("n1", 1, 2, 45), ("n2", 1, 2, 45), ("n3", 1, 2, 45)],
    );
    assert_eq!(
        lost_writes::check(&h.ops(), Some(&fs)).valid,
        Validity::Valid
    );
}

#[test]
fn lost_writes_a_lost_tombstone_and_a_write_lost_under_a_tombstone() {
    // The deleted value came back: the delete is lost.
    let mut h = Hist::new();
    h.write_ts(0, 1, 1, 0, 10, 5).delete(0, 1, 20, 30, 25);
    let fs = final_state(
        &[(1, R)],
        &[("n1", 1, 1, 5), ("n2", 1, 1, 5), ("n3", 1, 1, 5)],
    );
    let v = lost_writes::check(&h.ops(), Some(&fs));
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
    assert_eq!(v.anomalies[0].kind, "lost-delete");
    assert!(
        v.anomalies[0].explanation.contains("delete #2 of key 1"),
        "{v:?}"
    );
    // A tie goes to the tombstone: a value at the delete's ts does not keep the delete.
    let mut h = Hist::new();
    h.write_ts(0, 1, 1, 0, 10, 25).delete(1, 1, 0, 10, 25);
    let fs = final_state(&[(1, R)], &[("n1", 1, 1, 25)]);
    let v = lost_writes::check(&h.ops(), Some(&fs));
    assert!(v.anomalies.iter().any(|a| a.kind == "lost-delete"), "{v:?}");
    // A write after the delete, but the replicas kept the older tombstone.
    let mut h = Hist::new();
    h.delete(0, 1, 0, 10, 5).write_ts(0, 1, 2, 20, 30, 25);
    let fs = with_tombstone(final_state(&[(1, R)], &[]), "n1", 1, 5);
    let v = lost_writes::check(&h.ops(), Some(&fs));
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
    assert_eq!(v.anomalies[0].kind, "lost-write");
    assert!(
        v.anomalies[0].explanation.contains("a tombstone (ts 5)"),
        "{v:?}"
    );
}

#[test]
fn lost_writes_without_final_json_reads_decide() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .delete(0, 1, 20, 30, 25)
        .read(1, 1, None, 40, 50);
    assert_eq!(lost_writes::check(&h.ops(), None).valid, Validity::Valid);
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .delete(0, 1, 20, 30, 25)
        .read(1, 1, Some(1), 40, 50);
    let v = lost_writes::check(&h.ops(), None);
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
    assert_eq!(v.anomalies[0].kind, "lost-delete");
}

#[test]
fn phantom_never_sees_a_tombstone_or_a_null() {
    let mut h = Hist::new();
    h.delete(0, 1, 0, 10, 5)
        .read_tombstone(1, 1, 5, 20, 30)
        .read(1, 1, None, 40, 50);
    let fs = with_tombstone(final_state(&[(1, R)], &[]), "n1", 1, 5);
    let v = phantom::check(&h.ops(), Some(&fs), None);
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
    assert_eq!(v.stats["final-cells"], 1);
}

#[test]
fn convergence_tombstones_and_absence_agree_values_do_not() {
    let fs = final_state(&[(1, R)], &[]);
    let fs = with_tombstone(with_tombstone(fs, "n1", 1, 7), "n3", 1, 9);
    assert_eq!(convergence::check(Some(&fs)).valid, Validity::Valid);
    let fs = with_tombstone(
        final_state(&[(1, R)], &[("n2", 1, 5, 3), ("n3", 1, 5, 3)]),
        "n1",
        1,
        7,
    );
    let v = convergence::check(Some(&fs));
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
    let e = &v.anomalies[0].explanation;
    assert!(e.contains("n1 holds a tombstone (ts 7)"), "{e}");
    assert!(e.contains("winner is a tombstone (ts 7)"), "{e}");
}

fn reached(key: i64, value: Option<i64>, ts: u64) -> ReachedCell {
    ReachedCell { key, value, ts }
}

#[test]
fn convergence_the_agreed_cell_must_be_what_reached_the_replicas() {
    let agreed = final_state(
        &[(3, R)],
        &[("n1", 3, 5, 1201), ("n2", 3, 5, 1201), ("n3", 3, 5, 1201)],
    );
    let mut fs = agreed.clone();
    fs.reached = Some(vec![reached(3, Some(5), 1201)]);
    assert_eq!(convergence::check(Some(&fs)).valid, Validity::Valid);
    fs.reached = Some(vec![reached(3, Some(9), 1300)]);
    let v = convergence::check(Some(&fs));
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
    assert_eq!(v.anomalies[0].kind, "lost-applied-write");
    assert_eq!(
        v.anomalies[0].explanation,
        "the replicas of key 3 agree on 5@1201 but 9@1300 reached a replica during the run and was lost"
    );
    // A tombstone that reached a replica is kept by tombstones or by nothing.
    let mut gone = final_state(&[(3, R)], &[]);
    gone.reached = Some(vec![reached(3, None, 1300)]);
    assert_eq!(convergence::check(Some(&gone)).valid, Validity::Valid);
    // …but not by the value it deleted.
    fs.reached = Some(vec![reached(3, None, 1300)]);
    let v = convergence::check(Some(&fs));
    assert!(
        v.anomalies[0]
            .explanation
            .contains("tombstone@1300 reached"),
        "{v:?}"
    );
    // Without `reached` (an older file) only agreement is checked.
    let v = convergence::check(Some(&agreed));
    assert_eq!(v.valid, Validity::Valid);
    assert!(v.notes.iter().any(|n| n.contains("reached")), "{v:?}");
}
