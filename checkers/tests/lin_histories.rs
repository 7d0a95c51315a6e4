//! The linearizability checker on tiny hand-made histories, through the public API
//! (`ops::pair` then `lin::check`). Each history says in a comment why it must pass or fail.

use quorumlab_checkers::lin::{check, LinOptions, ModelKind, NilRead};
use quorumlab_checkers::{ops, Event, EventType, Process, Validity, Value, Verdict};

/// A history line: (time, process, type, f, value), keyed with key 1 unless `key` is changed.
type Line<'a> = (u64, u64, &'a str, &'a str, Value);

fn events(lines: &[Line<'_>], key: Option<i64>) -> Vec<Event> {
    lines
        .iter()
        .enumerate()
        .map(|(i, (time, p, kind, f, value))| Event {
            index: i as u64,
            time: Some(*time),
            process: Process::Client(*p),
            kind: match *kind {
                "invoke" => EventType::Invoke,
                "ok" => EventType::Ok,
                "fail" => EventType::Fail,
                _ => EventType::Info,
            },
            f: f.to_string(),
            key: key.map(Value::Int),
            value: value.clone(),
            ts: None,
            node: None,
            error: None,
        })
        .collect()
}

fn run(lines: &[Line<'_>], model: ModelKind, nil_read: NilRead, init: Option<Value>) -> Verdict {
    let ops = ops::pair(&events(lines, Some(1))).expect("pairs");
    let opts = LinOptions {
        model,
        nil_read,
        init,
        ..LinOptions::default()
    };
    check(&ops, &opts)
}

fn reg(lines: &[Line<'_>]) -> Verdict {
    run(lines, ModelKind::Register, NilRead::Literal, None)
}

fn n() -> Value {
    Value::Null
}
fn i(v: i64) -> Value {
    Value::Int(v)
}
fn s(v: &str) -> Value {
    Value::Str(v.into())
}
fn pair2(a: Value, b: Value) -> Value {
    Value::List(vec![a, b])
}

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
    assert_eq!(v.stats["partitions"], 1);
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
fn equal_times_are_closed_intervals() {
    // The write completes at t=20 and the read is invoked at t=20: they overlap, so the read may
    // see the old value.
    let v = reg(&[
        (10, 0, "invoke", "write", i(1)),
        (20, 0, "ok", "write", i(1)),
        (20, 1, "invoke", "read", n()),
        (30, 1, "ok", "read", n()),
    ]);
    assert_eq!(v.valid, Validity::Valid, "{v:?}");
}

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
        assert_eq!(v.stats["partitions"], 6);
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
