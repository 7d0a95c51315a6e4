//! `phantom` on reads and on final.json.

mod checks_support;

use checks_support::{final_state, End, Hist};
use quorumlab_checkers::checks::phantom::check;
use quorumlab_checkers::{Validity, Value};

#[test]
fn values_written_by_ok_info_or_pending_writes_are_not_phantoms() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10)
        .write_end(1, 1, 2, 0, End::Info(10))
        .write_end(2, 1, 3, 0, End::Open)
        .read(3, 1, Some(1), 20, 30)
        .read(3, 1, Some(2), 31, 40)
        .read(3, 1, Some(3), 41, 50)
        .read(4, 1, None, 0, 5);
    let v = check(&h.ops(), None, None);
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
}

#[test]
fn a_value_nobody_wrote_is_a_phantom() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10).read(1, 1, Some(99), 20, 30);
    let v = check(&h.ops(), None, None);
    assert_eq!(v.valid, Validity::Invalid);
    assert_eq!(v.anomalies[0].kind, "phantom-read");
    assert!(v.anomalies[0].explanation.contains("99"));
}

#[test]
fn a_value_written_only_by_a_failed_write_is_a_phantom() {
    let mut h = Hist::new();
    h.write_end(0, 1, 1, 0, End::Fail(10))
        .read(1, 1, Some(1), 20, 30);
    assert_eq!(check(&h.ops(), None, None).valid, Validity::Invalid);
}

#[test]
fn a_value_of_another_key_is_a_phantom() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10).read(1, 2, Some(1), 20, 30);
    assert_eq!(check(&h.ops(), None, None).valid, Validity::Invalid);
}

#[test]
fn the_initial_value_is_not_a_phantom() {
    let mut h = Hist::new();
    h.read(1, 1, Some(0), 20, 30);
    assert_eq!(
        check(&h.ops(), None, Some(&Value::Int(0))).valid,
        Validity::Valid
    );
    assert_eq!(check(&h.ops(), None, None).valid, Validity::Invalid);
}

#[test]
fn a_replica_cell_nobody_wrote_is_a_phantom() {
    let mut h = Hist::new();
    h.write(0, 1, 1, 0, 10);
    let fs = final_state(&[(1, &["n1", "n2"])], &[("n1", 1, 1, 5), ("n2", 1, 42, 5)]);
    let v = check(&h.ops(), Some(&fs), None);
    assert_eq!(v.valid, Validity::Invalid);
    assert_eq!(v.anomalies[0].kind, "phantom-value");
    assert!(v.anomalies[0].explanation.contains("n2"));
    let fs = final_state(&[(1, &["n1", "n2"])], &[("n1", 1, 1, 5), ("n2", 1, 1, 5)]);
    assert_eq!(check(&h.ops(), Some(&fs), None).valid, Validity::Valid);
}
