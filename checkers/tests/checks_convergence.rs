//! `convergence` over final.json.

mod checks_support;

use checks_support::final_state;
use quorumlab_checkers::checks::convergence::check;
use quorumlab_checkers::Validity;

const R: &[&str] = &["n1", "n2", "n3"];

#[test]
fn identical_replicas_converge() {
    let fs = final_state(
        &[(1, R), (2, R)],
        &[("n1", 1, 5, 9), ("n2", 1, 5, 9), ("n3", 1, 5, 9)],
    );
    let v = check(Some(&fs));
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
}

#[test]
fn a_replica_with_another_cell_diverges() {
    let fs = final_state(
        &[(1, R)],
        &[("n1", 1, 5, 9), ("n2", 1, 5, 9), ("n3", 1, 4, 7)],
    );
    let v = check(Some(&fs));
    assert_eq!(v.valid, Validity::Invalid);
    let a = &v.anomalies[0];
    assert_eq!(a.kind, "divergent-replicas");
    assert!(
        a.explanation.contains("n3 holds 4 (ts 7)"),
        "{}",
        a.explanation
    );
    assert!(
        a.explanation.contains("winner is 5 (ts 9)"),
        "{}",
        a.explanation
    );
}

#[test]
fn same_value_with_another_timestamp_diverges() {
    let fs = final_state(
        &[(1, R)],
        &[("n1", 1, 5, 9), ("n2", 1, 5, 9), ("n3", 1, 5, 8)],
    );
    assert_eq!(check(Some(&fs)).valid, Validity::Invalid);
}

#[test]
fn a_replica_holding_nothing_diverges() {
    let fs = final_state(&[(1, R)], &[("n1", 1, 5, 9), ("n2", 1, 5, 9)]);
    let v = check(Some(&fs));
    assert_eq!(v.valid, Validity::Invalid);
    assert!(v.anomalies[0].explanation.contains("n3 holds nothing"));
}

#[test]
fn an_unavailable_replica_or_no_snapshot_is_unknown() {
    let mut fs = final_state(&[(1, R)], &[("n1", 1, 5, 9), ("n2", 1, 5, 9)]);
    fs.unavailable = vec!["n3".into()];
    assert_eq!(check(Some(&fs)).valid, Validity::Unknown);
    assert_eq!(check(None).valid, Validity::Unknown);
}

#[test]
fn an_unfinished_quiesce_is_noted() {
    let mut fs = final_state(&[(1, R)], &[]);
    if let Some(q) = fs.quiesce.as_mut() {
        q.converged = false;
    }
    let v = check(Some(&fs));
    assert_eq!(v.valid, Validity::Valid);
    assert!(v.notes.iter().any(|n| n.contains("deadline")), "{v:?}");
}
