//! Property tests of the linearizability checker.
//!
//! - Histories generated from a random sequential execution of each model, with random but legal
//!   overlaps (every interval contains its operation's linearization point; some operations end
//!   `info` or `fail`), are always judged linearizable.
//! - A single corrupted read — a value never written, or one overwritten before the read began —
//!   is always caught.
//! - The report does not depend on the number of threads.
//! - A tiny state budget or time limit on a hard history gives `unknown`, never a wrong answer.

use proptest::prelude::*;
use quorumlab_checkers::lin::synth::{history, Rng, SynthConfig};
use quorumlab_checkers::lin::{check, LinOptions, ModelKind, NilRead};
use quorumlab_checkers::ops::{self, Op, Outcome};
use quorumlab_checkers::{Validity, Value};
use std::time::Duration;

const MODELS: [ModelKind; 5] = [
    ModelKind::Register,
    ModelKind::CasRegister,
    ModelKind::Kv,
    ModelKind::MultiRegister,
    ModelKind::Mutex,
];

fn config(
    model: ModelKind,
    seed: u64,
    clients: usize,
    ops: usize,
    info: u32,
    spread: u64,
    keys: usize,
) -> SynthConfig {
    SynthConfig {
        model,
        clients,
        ops,
        keys: if model == ModelKind::MultiRegister {
            0
        } else {
            keys
        },
        info_per_mille: info,
        spread,
        seed,
    }
}

fn gen_ops(cfg: &SynthConfig) -> Vec<Op> {
    ops::pair(&history(cfg)).expect("generated histories pair")
}

fn opts(model: ModelKind, threads: usize) -> LinOptions {
    LinOptions {
        model,
        nil_read: NilRead::Literal,
        threads,
        ..LinOptions::default()
    }
}

/// Whether an ok op reads something (a read/get, or a txn with a read micro-op).
fn reads(op: &Op) -> bool {
    op.outcome == Outcome::Ok
        && match op.f.as_str() {
            "read" | "get" => true,
            "txn" => op.value.as_list().is_some_and(|ms| {
                ms.iter()
                    .any(|m| m.as_list().is_some_and(|m| m[0] == Value::from("read")))
            }),
            _ => false,
        }
}

/// Replace what the read `op` returned with a value nobody wrote.
fn corrupt_never_written(op: &mut Op) {
    match op.f.as_str() {
        "get" => op.value = Value::from("#never-written,"),
        "txn" => {
            if let Value::List(ms) = &mut op.value {
                if let Some(Value::List(m)) = ms
                    .iter_mut()
                    .find(|m| m.as_list().is_some_and(|m| m[0] == Value::from("read")))
                {
                    m[2] = Value::Int(-1_000_000);
                }
            }
        }
        _ => op.value = Value::Int(-1_000_000),
    }
}

/// The value an ok write-like register op left in the register.
fn written(op: &Op) -> Option<Value> {
    if op.outcome != Outcome::Ok {
        return None;
    }
    match op.f.as_str() {
        "write" => Some(op.value.clone()),
        "cas" => op.value.as_list().and_then(|l| l.get(1).cloned()),
        _ => None,
    }
}

/// A read `r` and a value it may not return: one written by an ok op `w` (or the initial null),
/// then overwritten by an ok op `w2` with `w` before `w2` before `r` in real time.
fn overwritten_candidate(ops: &[Op]) -> Option<(usize, Value)> {
    let mut fallback = None;
    for (r, read) in ops
        .iter()
        .enumerate()
        .filter(|(_, o)| o.f == "read" && reads(o))
    {
        for w2 in ops
            .iter()
            .filter(|o| written(o).is_some() && o.precedes(read))
        {
            let w = ops
                .iter()
                .find(|o| o.precedes(w2) && written(o).is_some_and(|v| v != read.value));
            if let Some(v) = w.and_then(written) {
                return Some((r, v));
            }
            // The initial null, overwritten by w2 (nobody writes null).
            fallback = fallback.or(Some((r, Value::Null)));
        }
    }
    fallback
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_histories_are_linearizable(
        m in 0usize..5, seed in any::<u64>(), clients in 1usize..7, n in 0usize..50,
        info in 0u32..200, spread in 0u64..8, keys in 0usize..3, threads in 1usize..3,
    ) {
        let model = MODELS[m];
        let ops = gen_ops(&config(model, seed, clients, n, info, spread, keys));
        let v = check(&ops, &opts(model, threads));
        prop_assert_eq!(v.valid, Validity::Valid, "{} seed {}: {:?}", model, seed, v);
    }

    #[test]
    fn a_read_of_a_value_never_written_is_caught(
        m in 0usize..4, seed in any::<u64>(), clients in 1usize..7, n in 5usize..50,
        info in 0u32..200, spread in 0u64..8, pick in any::<u64>(),
    ) {
        let model = MODELS[m];
        let mut ops = gen_ops(&config(model, seed, clients, n, info, spread, 0));
        let readers: Vec<usize> = (0..ops.len()).filter(|&i| reads(&ops[i])).collect();
        prop_assume!(!readers.is_empty());
        let r = readers[(pick % readers.len() as u64) as usize];
        corrupt_never_written(&mut ops[r]);
        let v = check(&ops, &opts(model, 1));
        prop_assert_eq!(v.valid, Validity::Invalid, "{} seed {} read #{}", model, seed, ops[r].invoke_index);
        prop_assert_eq!(&v.anomalies[0].kind, "nonlinearizable");
    }

    #[test]
    fn a_read_of_an_overwritten_value_is_caught(
        cas in any::<bool>(), seed in any::<u64>(), clients in 1usize..7, n in 5usize..50,
        info in 0u32..200, spread in 0u64..8,
    ) {
        let model = if cas { ModelKind::CasRegister } else { ModelKind::Register };
        let mut ops = gen_ops(&config(model, seed, clients, n, info, spread, 0));
        let candidate = overwritten_candidate(&ops);
        prop_assume!(candidate.is_some());
        let (r, stale) = candidate.unwrap();
        ops[r].value = stale;
        let v = check(&ops, &opts(model, 1));
        prop_assert_eq!(v.valid, Validity::Invalid, "{} seed {} read #{}", model, seed, ops[r].invoke_index);
    }

    #[test]
    fn a_read_of_a_failed_write_is_caught(
        cas in any::<bool>(), seed in any::<u64>(), clients in 1usize..7, n in 5usize..60,
        spread in 0u64..8, pick in any::<u64>(),
    ) {
        let model = if cas { ModelKind::CasRegister } else { ModelKind::Register };
        let mut ops = gen_ops(&config(model, seed, clients, n, 0, spread, 0));
        let failed: Vec<Value> = ops
            .iter()
            .filter(|o| o.outcome == Outcome::Fail)
            .filter_map(|o| match o.f.as_str() {
                "write" => Some(o.value.clone()),
                "cas" => o.value.as_list().and_then(|l| l.get(1).cloned()),
                _ => None,
            })
            .collect();
        let readers: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].f == "read" && reads(&ops[i])).collect();
        prop_assume!(!failed.is_empty() && !readers.is_empty());
        let r = readers[(pick % readers.len() as u64) as usize];
        ops[r].value = failed[(pick % failed.len() as u64) as usize].clone();
        let v = check(&ops, &opts(model, 1));
        prop_assert_eq!(v.valid, Validity::Invalid, "{} seed {} read #{}", model, seed, ops[r].invoke_index);
    }

    #[test]
    fn the_report_does_not_depend_on_threads(
        seed in any::<u64>(), clients in 2usize..7, n in 20usize..80, keys in 2usize..6,
    ) {
        let cfg = config(ModelKind::Register, seed, clients, n, 50, 4, keys);
        let mut ops = gen_ops(&cfg);
        // Corrupt some reads of the odd keys.
        let mut rng = Rng::new(seed);
        let mut corrupted = 0;
        for op in ops.iter_mut() {
            let odd_key = op.key.as_ref().and_then(Value::as_int).is_some_and(|k| k % 2 == 1);
            if odd_key && reads(op) && rng.chance(300) {
                corrupt_never_written(op);
                corrupted += 1;
            }
        }
        let one = check(&ops, &opts(ModelKind::Register, 1));
        let four = check(&ops, &opts(ModelKind::Register, 4));
        let expected = if corrupted > 0 { Validity::Invalid } else { Validity::Valid };
        prop_assert_eq!(one.valid, expected);
        prop_assert_eq!(&one.valid, &four.valid);
        prop_assert_eq!(&one.anomalies, &four.anomalies);
    }
}

/// Twelve concurrent writes, each read by its own concurrent reader, then a read of a value none
/// of them wrote (see `synth::hard_history`).
fn hard_history() -> Vec<Op> {
    ops::pair(&quorumlab_checkers::lin::synth::hard_history(12)).unwrap()
}

#[test]
fn a_tiny_state_budget_gives_unknown_and_a_full_search_gives_invalid() {
    let ops = hard_history();
    let limited = check(
        &ops,
        &LinOptions {
            max_states: Some(100),
            ..LinOptions::default()
        },
    );
    assert_eq!(limited.valid, Validity::Unknown, "{limited:?}");
    assert!(
        limited.notes[0].contains("budget of 100 states (max_states)"),
        "{limited:?}"
    );
    let full = check(&ops, &LinOptions::default());
    assert_eq!(full.valid, Validity::Invalid);
    assert!(full.stats["states_explored"] > 1000, "{:?}", full.stats);
    let a = &full.anomalies[0];
    assert!(a.explanation.starts_with("read -1 by process 24"), "{a:?}");
    assert!(a.explanation.contains("(24 operations: […, "), "{a:?}");
}

#[test]
fn a_zero_time_limit_gives_unknown() {
    let ops = hard_history();
    let v = check(
        &ops,
        &LinOptions {
            time_limit: Some(Duration::ZERO),
            ..LinOptions::default()
        },
    );
    assert_eq!(v.valid, Validity::Unknown, "{v:?}");
    assert!(
        v.notes[0].contains("stopped after 0ns (--time-limit)"),
        "{v:?}"
    );
}

#[test]
fn the_cache_bound_gives_unknown_naming_its_size() {
    let v = check(
        &hard_history(),
        &LinOptions {
            max_cache: Some(50),
            ..LinOptions::default()
        },
    );
    assert_eq!(v.valid, Validity::Unknown, "{v:?}");
    assert!(v.notes[0].contains("cache reached 50 entries (~"), "{v:?}");
    assert!(v.notes[0].contains("MiB"), "{v:?}");
    assert_eq!(v.stats["states_explored"], 50, "{v:?}");
}

#[test]
fn a_state_budget_gives_the_same_verdict_with_any_number_of_threads() {
    // Keys 0..6: some hard (unknown within the budget), one invalid, some valid.
    let mut events = Vec::new();
    for k in 0..6i64 {
        let mut part = if k % 2 == 0 {
            quorumlab_checkers::lin::synth::hard_history(10)
        } else {
            quorumlab_checkers::lin::synth::hard_history(2)
        };
        if k == 3 {
            part.truncate(part.len() - 2); // drops the bad final read: key 3 is valid
        }
        for e in &mut part {
            e.key = Some(k.into());
            e.process = quorumlab_checkers::Process::Client(
                e.process.client().unwrap_or(0) + 100 * k as u64,
            );
        }
        events.extend(part);
    }
    for (i, e) in events.iter_mut().enumerate() {
        e.index = i as u64;
    }
    let ops = ops::pair(&events).unwrap();
    let run = |threads| {
        check(
            &ops,
            &LinOptions {
                max_states: Some(300),
                threads,
                ..LinOptions::default()
            },
        )
    };
    let one = run(1);
    assert_eq!(one.valid, Validity::Invalid, "{one:?}");
    assert_eq!(one.anomalies[0].key, Some(1.into()), "{one:?}");
    for threads in [2, 3, 8] {
        for _ in 0..3 {
            assert_eq!(run(threads), one, "threads {threads}");
        }
    }
}
