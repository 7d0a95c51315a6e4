//! The linearizability checker on tiny hand-made register and cas-register histories, through
//! the public API (`ops::pair` then `lin::check`). Each history says in a comment why it must pass
//! or fail.

mod lin_support;

use lin_support::{i, n, pair2, reg, run};
use quorumlab_checkers::lin::{ModelKind, NilRead};
use quorumlab_checkers::Validity;

#[test]
fn concurrent_writes_read_in_both_orders_by_overlapping_readers() {
    // Writes 1 and 2 overlap, and so do two readers: one sees 1, the other 2. The order
    // write 1, read 1, write 2, read 2 explains both.
    let v = reg(&[
        (10, 0, "invoke", "write", i(1)),
        (11, 1, "invoke", "write", i(2)),
        (12, 2, "invoke", "read", n()),
        (13, 3, "invoke", "read", n()),
        (14, 2, "ok", "read", i(1)),
        (15, 3, "ok", "read", i(2)),
        (20, 0, "ok", "write", i(1)),
        (21, 1, "ok", "write", i(2)),
    ]);
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
    // But one reader seeing 2 then 1 while another sees 1 then 2 (all during both writes) needs
    // write 2 before write 1 and write 1 before write 2: it must fail.
    let v = reg(&[
        (10, 0, "invoke", "write", i(1)),
        (10, 1, "invoke", "write", i(2)),
        (11, 2, "invoke", "read", n()),
        (12, 2, "ok", "read", i(2)),
        (13, 2, "invoke", "read", n()),
        (14, 2, "ok", "read", i(1)),
        (11, 3, "invoke", "read", n()),
        (12, 3, "ok", "read", i(1)),
        (13, 3, "invoke", "read", n()),
        (14, 3, "ok", "read", i(2)),
        (30, 0, "ok", "write", i(1)),
        (30, 1, "ok", "write", i(2)),
    ]);
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
}

#[test]
fn an_info_write_read_much_later_is_fine() {
    // The write of 7 timed out (info); a read long after returns 7: it took effect late.
    let v = reg(&[
        (10, 0, "invoke", "write", i(7)),
        (20, 0, "info", "write", i(7)),
        (30, 1, "invoke", "read", n()),
        (40, 1, "ok", "read", n()),
        (5000, 1, "invoke", "read", n()),
        (5010, 1, "ok", "read", i(7)),
    ]);
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
    // But it cannot take effect before it was invoked.
    let v = reg(&[
        (10, 1, "invoke", "read", n()),
        (20, 1, "ok", "read", i(7)),
        (30, 0, "invoke", "write", i(7)),
        (40, 0, "info", "write", i(7)),
    ]);
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
}

#[test]
fn a_failed_cas_is_ignored_and_an_ok_cas_needs_the_old_value() {
    let ok = |cas_type: &str, read: i64| {
        run(
            &[
                (10, 0, "invoke", "cas", pair2(i(5), i(6))),
                (20, 0, cas_type, "cas", pair2(i(5), i(6))),
                (30, 1, "invoke", "read", n()),
                (40, 1, "ok", "read", i(read)),
            ],
            ModelKind::CasRegister,
            NilRead::Literal,
            Some(i(1)),
        )
    };
    // Register starts at 1: cas 5->6 cannot succeed; it failed, so the read of 1 is right.
    assert_eq!(ok("fail", 1).valid, Validity::Valid);
    // Claiming it succeeded is a violation, and so is a read of 6 after the failed cas.
    let v = ok("ok", 1);
    assert_eq!(v.valid, Validity::Invalid);
    assert!(v.anomalies[0].explanation.contains("expected 5"), "{v:?}");
    assert_eq!(ok("fail", 6).valid, Validity::Invalid);
}

#[test]
fn a_nil_read_is_a_wildcard_only_under_wildcard() {
    let lines = [
        (10, 0, "invoke", "write", i(3)),
        (20, 0, "ok", "write", i(3)),
        (30, 1, "invoke", "read", n()),
        (40, 1, "ok", "read", n()),
    ];
    let wild = run(&lines, ModelKind::Register, NilRead::Wildcard, None);
    assert_eq!(wild.valid, Validity::Valid, "{wild:?}");
    let lit = run(&lines, ModelKind::Register, NilRead::Literal, None);
    assert_eq!(lit.valid, Validity::Invalid, "{lit:?}");
}

#[test]
fn a_stale_read_after_a_completed_write_is_reported_with_its_prefix() {
    let v = reg(&[
        (1_000_000_000, 0, "invoke", "write", i(5)),
        (1_100_000_000, 0, "ok", "write", i(5)),
        (1_200_000_000, 0, "invoke", "write", i(9)),
        (1_204_000_000, 0, "ok", "write", i(9)),
        (1_300_000_000, 1, "invoke", "read", n()),
        (1_310_000_000, 1, "ok", "read", i(5)),
    ]);
    assert_eq!(v.valid, Validity::Invalid);
    let a = &v.anomalies[0];
    assert_eq!(a.kind, "nonlinearizable");
    assert_eq!(a.key, Some(i(1)));
    assert_eq!(
        a.ops,
        vec![0, 2, 4],
        "the two writes and the read, by invocation index"
    );
    for needle in [
        "read 5",
        "completed at 1.310 s",
        "write 5 (#0), write 9 (#2)",
        "the register holds 9",
        "events #0..#5",
    ] {
        assert!(
            a.explanation.contains(needle),
            "{needle:?} missing: {}",
            a.explanation
        );
    }
    assert_eq!(v.stats["independent-keys"], 1);
}

#[test]
fn a_read_of_a_value_never_written_fails() {
    let v = reg(&[
        (10, 0, "invoke", "write", i(1)),
        (30, 1, "invoke", "read", n()),
        (40, 1, "ok", "read", i(42)),
        (50, 0, "ok", "write", i(1)),
    ]);
    assert_eq!(v.valid, Validity::Invalid);
    assert!(v.anomalies[0].explanation.contains("read 42"), "{v:?}");
}

#[test]
fn a_value_overwritten_before_the_read_began_fails() {
    // write 1 completes, then write 2 completes, then a read returns 1.
    let v = reg(&[
        (10, 0, "invoke", "write", i(1)),
        (20, 0, "ok", "write", i(1)),
        (30, 1, "invoke", "write", i(2)),
        (40, 1, "ok", "write", i(2)),
        (50, 2, "invoke", "read", n()),
        (60, 2, "ok", "read", i(1)),
    ]);
    assert_eq!(v.valid, Validity::Invalid);
    // If the read overlaps the second write, it is fine.
    let v = reg(&[
        (10, 0, "invoke", "write", i(1)),
        (20, 0, "ok", "write", i(1)),
        (30, 1, "invoke", "write", i(2)),
        (35, 2, "invoke", "read", n()),
        (40, 1, "ok", "write", i(2)),
        (60, 2, "ok", "read", i(1)),
    ]);
    assert_eq!(v.valid, Validity::Valid);
}

#[test]
fn real_time_is_the_order_of_the_history_not_time() {
    // Knossos: the read is invoked before the write completes (in the history), so they overlap
    // and the read may see the old value — although the write's time (15) is before the read's
    // invocation time (50): times are taken on different threads and may go backwards.
    let v = reg(&[
        (10, 0, "invoke", "write", i(1)),
        (50, 1, "invoke", "read", n()),
        (15, 0, "ok", "write", i(1)),
        (60, 1, "ok", "read", n()),
    ]);
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
    // Listed the other way round, equal times or not, the write precedes the read.
    let v = reg(&[
        (10, 0, "invoke", "write", i(1)),
        (20, 0, "ok", "write", i(1)),
        (20, 1, "invoke", "read", n()),
        (30, 1, "ok", "read", n()),
    ]);
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
    // A completion timed before its own invocation is no problem.
    let v = reg(&[
        (100, 0, "invoke", "write", i(1)),
        (5, 0, "ok", "write", i(1)),
        (200, 1, "invoke", "read", n()),
        (1, 1, "ok", "read", i(1)),
    ]);
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
}

#[test]
fn a_failed_write_never_happened() {
    // The write of 7 failed: a later read of 7 cannot be explained.
    let v = reg(&[
        (10, 0, "invoke", "write", i(7)),
        (20, 0, "fail", "write", i(7)),
        (30, 1, "invoke", "read", n()),
        (40, 1, "ok", "read", i(7)),
    ]);
    assert_eq!(v.valid, Validity::Invalid, "{v:?}");
    // The same write ending info may have happened.
    let v = reg(&[
        (10, 0, "invoke", "write", i(7)),
        (20, 0, "info", "write", i(7)),
        (30, 1, "invoke", "read", n()),
        (40, 1, "ok", "read", i(7)),
    ]);
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
}
