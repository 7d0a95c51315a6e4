//! The explanation of a violation within its work budget: on generated histories made
//! non-linearizable by one read of a value never written, the failing window is the exact one and
//! the explanation spends at most its budget (about the verdict's own work); with a budget too
//! small for the history, the verdict stays invalid and the explanation says it was cut short.

use quorumlab_checkers::lin::report::EXPLAIN_FLOOR;
use quorumlab_checkers::lin::synth::{corrupted, SynthConfig};
use quorumlab_checkers::lin::{check, LinOptions, ModelKind};
use quorumlab_checkers::{ops, Validity, Verdict};

fn cfg(model: ModelKind, clients: usize, n: usize, seed: u64) -> SynthConfig {
    SynthConfig {
        model,
        clients,
        ops: n,
        keys: 0,
        info_per_mille: 10,
        spread: clients as u64,
        seed,
    }
}

fn checked(c: &SynthConfig, at: u64, percent: u32) -> (Verdict, u64, usize) {
    let (events, read) = corrupted(c, at).expect("a read to corrupt");
    let ops = ops::pair(&events).expect("pairs");
    let v = check(
        &ops,
        &LinOptions {
            model: c.model,
            explain_percent: percent,
            ..LinOptions::default()
        },
    );
    (v, read, ops.len())
}

#[test]
fn the_explanation_costs_at_most_the_verdict_and_a_window_said_exact_is() {
    let mut exact = 0;
    for (model, clients, n) in [
        (ModelKind::Register, 5, 2_000),
        (ModelKind::CasRegister, 5, 2_000),
        (ModelKind::Kv, 3, 600),
        (ModelKind::Register, 20, 2_000),
    ] {
        for (seed, at) in [(1, 500), (2, 900), (3, 100)] {
            let c = cfg(model, clients, n, seed);
            let (full, read, ops) = checked(&c, at, 100);
            let (bare, _, _) = checked(&c, at, 0);
            let what = format!("{model} {clients}c {n} ops, seed {seed}, at {at}‰");
            assert_eq!(full.valid, Validity::Invalid, "{what}: {full:?}");
            assert_eq!(bare.valid, Validity::Invalid, "{what}");
            let text = &full.anomalies[0].explanation;
            if text.contains("no shorter prefix is") {
                exact += 1;
                assert!(
                    text.contains(&format!("..#{read}; ")),
                    "{what}: read #{read}: {text}"
                );
            } else {
                assert!(text.contains("cut short"), "{what}: {text}");
            }
            let verdict_work = bare.stats["states_explored"] + ops as u64;
            let budget = full.stats["explain_budget"];
            assert!(budget <= verdict_work.max(EXPLAIN_FLOOR), "{what}");
            assert!(
                budget >= bare.stats["states_explored"].max(EXPLAIN_FLOOR),
                "{what}"
            );
            assert!(
                full.stats["explain_work"] <= budget,
                "{what}: {:?}",
                full.stats
            );
            let extra = full.stats["states_explored"] - bare.stats["states_explored"];
            assert!(extra <= budget, "{what}: {extra} > {budget}");
        }
    }
    assert!(exact >= 6, "only {exact} of 12 windows proved exact");
}

#[test]
fn a_budget_too_small_leaves_the_verdict_invalid_and_says_so() {
    let c = cfg(ModelKind::Register, 5, 10_000, 4);
    let (v, read, _) = checked(&c, 900, 1);
    assert_eq!(v.valid, Validity::Invalid);
    assert_eq!(v.stats["explain_budget"], EXPLAIN_FLOOR);
    assert!(v.stats["explain_work"] <= EXPLAIN_FLOOR, "{:?}", v.stats);
    let text = &v.anomalies[0].explanation;
    assert!(text.contains("cut short"), "{text}");
    assert!(!text.contains("no shorter prefix is"), "{text}");
    assert!(!v.anomalies[0].ops.is_empty());
    assert!(
        v.notes
            .iter()
            .any(|n| n.contains("explanation was cut short")),
        "{:?}",
        v.notes
    );
    // The same history with the default budget: exact, ending at the corrupted read.
    let (full, _, _) = checked(&c, 900, 100);
    let text = &full.anomalies[0].explanation;
    assert!(text.contains(&format!("..#{read}; ")), "{text}");
    assert!(text.contains("no shorter prefix is"), "{text}");
}

#[test]
fn without_an_explanation_search_the_verdict_is_the_same() {
    let c = cfg(ModelKind::Kv, 3, 600, 5);
    let (full, _, _) = checked(&c, 500, 100);
    let (bare, _, _) = checked(&c, 500, 0);
    assert_eq!(full.valid, bare.valid);
    assert_eq!(bare.stats["explain_budget"], 0);
    assert_eq!(bare.stats["explain_work"], 0);
    assert!(bare.anomalies[0].explanation.contains("cut short"));
}
