//! The linearizability checker on tiny hand-made histories of the other models (mutex, kv,
//! multi-register), operations a model does not know, and the choice of the reported partition.
//! Each history says in a comment why it must pass or fail.

mod lin_support;

use lin_support::{events, i, n, pair2, reg, run, s, Line};
use quorumlab_checkers::lin::{check, LinOptions, ModelKind, NilRead};
use quorumlab_checkers::{ops, Process, Validity, Value};

#[test]
fn mutex_double_acquire_fails_and_alternation_passes() {
    let mx = |lines: &[Line<'_>]| run(lines, ModelKind::Mutex, NilRead::Literal, None);
    let double = mx(&[
        (10, 0, "invoke", "acquire", n()),
        (20, 0, "ok", "acquire", n()),
        (30, 1, "invoke", "acquire", n()),
        (40, 1, "ok", "acquire", n()),
    ]);
    assert_eq!(double.valid, Validity::Invalid);
    assert!(
        double.anomalies[0].explanation.contains("the lock is held"),
        "{double:?}"
    );
    let fine = mx(&[
        (10, 0, "invoke", "acquire", n()),
        (20, 0, "ok", "acquire", n()),
        (25, 1, "invoke", "acquire", n()),
        (30, 0, "invoke", "release", n()),
        (40, 0, "ok", "release", n()),
        (50, 1, "ok", "acquire", n()),
    ]);
    assert_eq!(fine.valid, Validity::Valid, "{fine:?}");
}

#[test]
fn kv_lost_append_fails_and_concurrent_appends_pass() {
    let kv = |lines: &[Line<'_>]| run(lines, ModelKind::Kv, NilRead::Literal, None);
    let lost = kv(&[
        (10, 0, "invoke", "append", s("a")),
        (20, 0, "ok", "append", s("a")),
        (30, 1, "invoke", "append", s("b")),
        (40, 1, "ok", "append", s("b")),
        (50, 2, "invoke", "get", n()),
        (60, 2, "ok", "get", s("b")),
    ]);
    assert_eq!(lost.valid, Validity::Invalid);
    assert!(lost.anomalies[0].explanation.contains("\"ab\""), "{lost:?}");
    let concurrent = kv(&[
        (10, 0, "invoke", "append", s("a")),
        (11, 1, "invoke", "append", s("b")),
        (20, 0, "ok", "append", s("a")),
        (21, 1, "ok", "append", s("b")),
        (50, 2, "invoke", "get", n()),
        (60, 2, "ok", "get", s("ba")),
    ]);
    assert_eq!(concurrent.valid, Validity::Valid, "{concurrent:?}");
}

#[test]
fn multi_register_txns_are_atomic() {
    let txn = |ms: &[(&str, &str, Value)]| {
        Value::List(
            ms.iter()
                .map(|(f, k, v)| Value::List(vec![s(f), s(k), v.clone()]))
                .collect(),
        )
    };
    let mr = |read_y: Value| {
        run(
            &[
                (
                    10,
                    0,
                    "invoke",
                    "txn",
                    txn(&[("write", "x", i(1)), ("write", "y", i(1))]),
                ),
                (
                    20,
                    0,
                    "ok",
                    "txn",
                    txn(&[("write", "x", i(1)), ("write", "y", i(1))]),
                ),
                (
                    30,
                    1,
                    "invoke",
                    "txn",
                    txn(&[("read", "x", n()), ("read", "y", n())]),
                ),
                (
                    40,
                    1,
                    "ok",
                    "txn",
                    txn(&[("read", "x", i(1)), ("read", "y", read_y)]),
                ),
            ],
            ModelKind::MultiRegister,
            NilRead::Literal,
            None,
        )
    };
    assert_eq!(mr(i(1)).valid, Validity::Valid);
    let torn = mr(n());
    assert_eq!(
        torn.valid,
        Validity::Invalid,
        "a torn read of the transaction"
    );
    assert!(
        torn.anomalies[0]
            .explanation
            .contains("register \"y\" holds 1"),
        "{torn:?}"
    );
}

#[test]
fn an_operation_the_model_does_not_know_gives_unknown() {
    let v = reg(&[
        (10, 0, "invoke", "cas", pair2(i(1), i(2))),
        (20, 0, "ok", "cas", pair2(i(1), i(2))),
    ]);
    assert_eq!(v.valid, Validity::Unknown);
    assert!(v.notes[0].contains("operation #0"), "{v:?}");
}

#[test]
fn the_smallest_invalid_key_is_reported_whatever_the_thread_count() {
    // Keys 0..6; keys 2 and 5 have stale reads.
    let mut all = Vec::new();
    for k in 0..6i64 {
        let stale = k == 2 || k == 5;
        let lines = [
            (10, 0, "invoke", "write", i(1)),
            (20, 0, "ok", "write", i(1)),
            (30, 1, "invoke", "read", n()),
            (40, 1, "ok", "read", if stale { n() } else { i(1) }),
        ];
        let mut ev = events(&lines, Some(k));
        for (j, e) in ev.iter_mut().enumerate() {
            e.process = Process::Client(e.process.client().unwrap_or(0) + 10 * k as u64);
            e.time = e.time.map(|t| t + j as u64);
        }
        all.extend(ev);
    }
    all.sort_by_key(|e| e.time);
    for (j, e) in all.iter_mut().enumerate() {
        e.index = j as u64;
    }
    let ops = ops::pair(&all).unwrap();
    for threads in [1, 2, 4] {
        let v = check(
            &ops,
            &LinOptions {
                threads,
                ..LinOptions::default()
            },
        );
        assert_eq!(v.valid, Validity::Invalid);
        assert_eq!(v.anomalies.len(), 1);
        assert_eq!(v.anomalies[0].key, Some(i(2)), "threads={threads}");
        assert_eq!(v.stats["independent-keys"], 6);
    }
}

#[test]
fn a_timed_out_acquire_may_never_have_happened() {
    // Process 0's acquire timed out (info); process 1 then acquires and never releases. Had the
    // open acquire been forced to take effect, the lock would be acquired twice.
    let v = run(
        &[
            (10, 0, "invoke", "acquire", n()),
            (20, 0, "info", "acquire", n()),
            (30, 1, "invoke", "acquire", n()),
            (40, 1, "ok", "acquire", n()),
        ],
        ModelKind::Mutex,
        NilRead::Literal,
        None,
    );
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
}
