//! The search on tiny hand-made entry lists: answers, the longest partial linearization, the
//! look-ahead, open operations and the state budget.

use quorumlab_checkers::lin::entries::Entries;
use quorumlab_checkers::lin::model::{Model, Prepared};
use quorumlab_checkers::lin::models::register::{RegOp, Register};
use quorumlab_checkers::lin::search::{search, Limits, Outcome, SearchResult, Stop};
use quorumlab_checkers::lin::NilRead;

fn run(ops: &[(RegOp, u64, Option<u64>)], max_states: Option<u64>) -> SearchResult<u32> {
    run_with(ops, max_states, true)
}

fn run_with(
    ops: &[(RegOp, u64, Option<u64>)],
    max_states: Option<u64>,
    look_ahead: bool,
) -> SearchResult<u32> {
    let m = Register::new(None, NilRead::Literal).unwrap();
    let prepared: Vec<Prepared<RegOp>> = ops
        .iter()
        .enumerate()
        .map(|(i, &(input, call, ret))| Prepared {
            input,
            call,
            ret,
            op: i,
        })
        .collect();
    let mut e = Entries::build(&m, &prepared, None);
    let never = || false;
    let limits = Limits {
        max_states,
        max_cache: None,
        deadline: None,
        cancelled: &never,
        look_ahead,
    };
    search(&m, &mut e, &limits)
}

use RegOp::{Read, Write};

#[test]
fn concurrent_write_may_be_ordered_either_way() {
    // write 1 [0,10] and read 1 [2,4] and read 0 [1,3]: write after read 0, before read 1.
    let r = run(
        &[
            (Write(1, 1), 0, Some(10)),
            (Read(0), 1, Some(3)),
            (Read(1), 2, Some(4)),
        ],
        None,
    );
    assert_eq!(r.outcome, Outcome::Linearizable);
}

#[test]
fn stale_read_after_completed_write_is_a_violation() {
    let ops = [(Write(1, 1), 0, Some(1)), (Read(0), 2, Some(3))];
    let r = run_with(&ops, None, false);
    assert_eq!(r.outcome, Outcome::Violation);
    assert_eq!(r.best, vec![0], "the write is the longest valid prefix");
    assert_eq!(r.best_state, 1);
    // The look-ahead refuses the write at once (the read still needs the initial value and
    // nothing can write it again): same answer, less work, shorter prefix.
    let r = run_with(&ops, None, true);
    assert_eq!(r.outcome, Outcome::Violation);
    assert_eq!(r.doomed, 1);
    assert!(r.best.is_empty());
}

#[test]
fn open_write_may_take_effect_late_or_never() {
    // Open write 2 invoked at 0; read 2 much later; and a history where it never takes effect.
    let late = run(
        &[
            (Write(2, 2), 0, None),
            (Write(1, 1), 1, Some(2)),
            (Read(1), 3, Some(4)),
            (Read(2), 50, Some(51)),
        ],
        None,
    );
    assert_eq!(late.outcome, Outcome::Linearizable);
    let never = run(&[(Write(2, 2), 0, None), (Read(0), 3, Some(4))], None);
    assert_eq!(never.outcome, Outcome::Linearizable);
    let before_call = run(&[(Read(2), 0, Some(1)), (Write(2, 2), 2, None)], None);
    assert_eq!(before_call.outcome, Outcome::Violation);
}

#[test]
fn a_tiny_budget_stops_without_an_answer() {
    // Many concurrent writes and a final impossible read: lots of states to explore.
    let mut ops: Vec<(RegOp, u64, Option<u64>)> = (1..=12)
        .map(|v| (Write(v, v), v as u64, Some(100)))
        .collect();
    ops.push((Read(99), 101, Some(102)));
    let r = run(&ops, Some(10));
    assert_eq!(r.outcome, Outcome::Stopped(Stop::MaxStates));
    let full = run(&ops, None);
    assert_eq!(full.outcome, Outcome::Violation);
    assert!(full.states > 10);
}
