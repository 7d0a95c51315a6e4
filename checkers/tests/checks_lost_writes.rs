//! `lost-writes` with and without final.json.

mod checks_support;

use checks_support::{final_state, End, Hist};
use quorumlab_checkers::checks::lost_writes::check;
use quorumlab_checkers::Validity;

const R: &[&str] = &["n1", "n2", "n3"];

#[test]
fn the_last_write_in_the_final_state_passes() {
    let mut h = Hist::new();
    h.write_ts(0, 1, 1, 0, 10, 5).write_ts(0, 1, 2, 20, 30, 25);
    let fs = final_state(
        &[(1, R)],
        &[("n1", 1, 2, 25), ("n2", 1, 2, 25), ("n3", 1, 1, 5)],
    );
    let v = check(&h.ops(), Some(&fs));
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
    assert_eq!(v.stats["acknowledged-writes"], 2);
}

#[test]
fn a_final_state_holding_an_older_write_loses_the_newer() {
    let mut h = Hist::new();
    h.write_ts(0, 1, 1, 0, 10, 5).write_ts(0, 1, 2, 20, 30, 25);
    let fs = final_state(&[(1, R)], &[("n1", 1, 1, 5), ("n2", 1, 1, 5)]);
    let v = check(&h.ops(), Some(&fs));
    assert_eq!(v.valid, Validity::Invalid);
    assert_eq!(v.anomalies.len(), 1);
    assert_eq!(v.anomalies[0].kind, "lost-write");
    assert!(
        v.anomalies[0].explanation.contains("of 2 to key 1"),
        "{}",
        v.anomalies[0].explanation
    );
}

#[test]
fn an_empty_final_state_loses_every_acknowledged_write() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10).write_end(1, 1, 2, 0, End::Info(10));
    let fs = final_state(&[(1, R)], &[]);
    let v = check(&h.ops(), Some(&fs));
    assert_eq!(v.valid, Validity::Invalid);
    assert_eq!(v.anomalies.len(), 1, "the info write may be lost: {v:?}");
}

#[test]
fn a_cell_below_in_lww_order_is_lost_even_if_writes_overlap() {
    let mut h = Hist::new();
    h.write_ts(0, 1, 1, 0, 30, 100)
        .write_ts(1, 1, 2, 0, 30, 150);
    let fs = final_state(
        &[(1, R)],
        &[("n1", 1, 1, 100), ("n2", 1, 1, 100), ("n3", 1, 1, 100)],
    );
    assert_eq!(check(&h.ops(), Some(&fs)).valid, Validity::Invalid);
}

#[test]
fn an_unavailable_replica_makes_a_missing_write_unknown() {
    let mut h = Hist::new();
    h.write_ts(0, 1, 1, 0, 10, 5).write_ts(0, 1, 2, 20, 30, 25);
    let mut fs = final_state(&[(1, R)], &[("n1", 1, 1, 5), ("n2", 1, 1, 5)]);
    fs.unavailable = vec!["n3".into()];
    let v = check(&h.ops(), Some(&fs));
    assert_eq!(v.valid, Validity::Unknown, "{v:?}");
    assert!(v.notes.iter().any(|n| n.contains("n3")));
}

#[test]
fn without_final_json_reads_after_every_write_are_the_final_state() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .write(0, 1, 2, 20, 30)
        .read(1, 1, Some(2), 40, 50);
    assert_eq!(check(&h.ops(), None).valid, Validity::Valid);

    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .write(0, 1, 2, 20, 30)
        .read(1, 1, Some(1), 40, 50);
    assert_eq!(check(&h.ops(), None).valid, Validity::Invalid);

    // One final read sees the write: not lost (the other is a stale read, not a loss).
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .write(0, 1, 2, 20, 30)
        .read(1, 1, Some(1), 40, 50)
        .read(2, 1, Some(2), 40, 50);
    assert_eq!(check(&h.ops(), None).valid, Validity::Valid);
}

#[test]
fn without_final_json_an_open_write_or_no_final_read_is_unknown() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .write_end(1, 1, 2, 20, End::Info(30))
        .read(2, 1, Some(1), 40, 50);
    let v = check(&h.ops(), None);
    assert_eq!(v.valid, Validity::Unknown, "{v:?}");
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10);
    assert_eq!(check(&h.ops(), None).valid, Validity::Unknown);
}
