//! Determinism is a feature: the same seed and configuration give a byte-identical history, final
//! state, event log and verdict; the configuration a run records (`run.json`, with the fault steps
//! actually applied) replays it exactly; different seeds give different histories.

use quorumlab::checkers::jsonl::write_jsonl;
use quorumlab::sim::judge::judge;
use quorumlab::sim::plan::{FaultPlan, Plan};
use quorumlab::sim::run::{run_with, RunConfig};
use quorumlab::sim::schedule::FaultKind;

/// History, final state, events and results of one run, as bytes.
fn fingerprint(cfg: &RunConfig) -> (Vec<u8>, String, String, String, RunConfig) {
    let out = run_with(cfg, true).expect("run failed");
    let mut bytes = Vec::new();
    write_jsonl(&mut bytes, &out.history).unwrap();
    let fin = serde_json::to_string(&out.final_state).unwrap();
    let events = out.events.clone().unwrap_or_default().join("\n");
    let verdict = judge(
        &out.config,
        &out.history,
        out.final_state.as_ref(),
        &out.violations,
    )
    .unwrap();
    let results = serde_json::to_string(&verdict.results).unwrap();
    (bytes, fin, events, results, out.config)
}

fn small(seed: u64) -> RunConfig {
    let mut cfg = RunConfig::new(seed);
    cfg.workload.ops = Some(400);
    cfg
}

#[test]
fn same_seed_and_config_give_byte_identical_histories_and_verdicts() {
    for seed in [1u64, 7, 12345] {
        let a = fingerprint(&small(seed));
        let b = fingerprint(&small(seed));
        assert!(
            a.0.len() > 10_000,
            "history of seed {seed} is suspiciously short"
        );
        assert!(a.0 == b.0, "seed {seed}: histories differ between two runs");
        assert_eq!(a.1, b.1, "seed {seed}: final states differ");
        assert_eq!(a.2, b.2, "seed {seed}: event logs differ");
        assert_eq!(a.3, b.3, "seed {seed}: verdicts differ");
    }
}

#[test]
fn same_seed_gives_identical_runs_under_every_kind_of_fault_and_replays_from_its_record() {
    let mixed = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schedules/mixed.toml");
    let mut base = small(0);
    base.workload.ops = Some(1000);
    for faults in [
        FaultPlan::File(mixed.into()),
        FaultPlan::Kinds(FaultKind::ALL.to_vec()),
    ] {
        let plan = Plan {
            base: base.clone(),
            faults,
            swarm: Some(Default::default()),
        };
        for seed in [3u64, 11] {
            let cfg = plan.for_seed(seed).unwrap();
            let a = fingerprint(&cfg);
            let b = fingerprint(&cfg);
            let name = &a.4.faults.schedule.name;
            let faults = String::from_utf8_lossy(&a.0).matches("\"nemesis\"").count();
            assert!(
                faults > 2,
                "seed {seed} {name}: only {faults} faults recorded"
            );
            assert!(
                a.0 == b.0,
                "seed {seed} {name}: histories differ between two runs"
            );
            assert_eq!((&a.1, &a.2, &a.3), (&b.1, &b.2, &b.3), "seed {seed} {name}");
            // The recorded configuration (applied steps only) replays the same run.
            let json = serde_json::to_string(&a.4).unwrap();
            let recorded: RunConfig = serde_json::from_str(&json).unwrap();
            let replay = fingerprint(&recorded);
            assert!(a.0 == replay.0, "seed {seed} {name}: the replay differs");
            assert_eq!(
                a.3, replay.3,
                "seed {seed} {name}: the replay's verdict differs"
            );
        }
    }
}

#[test]
fn different_seeds_give_different_histories() {
    let a = fingerprint(&small(1));
    let b = fingerprint(&small(2));
    assert_ne!(a.0, b.0);
}
