//! Determinism is a feature: the same seed and configuration give a byte-identical history and
//! final state; different seeds give different histories.

use quorumlab::checkers::jsonl::write_jsonl;
use quorumlab::sim::run::{run, RunConfig};

fn history_bytes(cfg: &RunConfig) -> (Vec<u8>, String) {
    let out = run(cfg).expect("run failed");
    let mut bytes = Vec::new();
    write_jsonl(&mut bytes, &out.history).unwrap();
    let fin = serde_json::to_string(&out.final_state).unwrap();
    (bytes, fin)
}

fn small(seed: u64) -> RunConfig {
    let mut cfg = RunConfig::new(seed);
    cfg.workload.ops = 400;
    cfg
}

#[test]
fn same_seed_and_config_give_byte_identical_histories() {
    for seed in [1u64, 7, 12345] {
        let (h1, f1) = history_bytes(&small(seed));
        let (h2, f2) = history_bytes(&small(seed));
        assert!(
            h1.len() > 10_000,
            "history of seed {seed} is suspiciously short"
        );
        assert!(h1 == h2, "seed {seed}: histories differ between two runs");
        assert_eq!(f1, f2, "seed {seed}: final states differ between two runs");
    }
}

#[test]
fn same_seed_gives_identical_histories_under_every_kind_of_fault() {
    use quorumlab::sim::schedule::{generate, load, FaultKind, Shape};
    let mixed = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schedules/mixed.toml");
    for seed in [3u64, 11] {
        let mut cfg = small(seed);
        cfg.workload.ops = 1000;
        let nodes = cfg.store.nodes.clone();
        let loaded = load(std::path::Path::new(mixed), &nodes, seed).unwrap();
        let shape = Shape::of_cluster(&cfg.store, cfg.workload.keys).unwrap();
        let generated = generate(
            seed,
            &FaultKind::ALL,
            &shape,
            std::time::Duration::from_secs(4),
        );
        for schedule in [loaded, generated] {
            cfg.schedule = schedule;
            let (h1, f1) = history_bytes(&cfg);
            let (h2, f2) = history_bytes(&cfg);
            let faults = String::from_utf8_lossy(&h1).matches("\"nemesis\"").count();
            assert!(
                faults > 2,
                "seed {seed} {}: only {faults} faults recorded",
                cfg.schedule.name
            );
            assert!(
                h1 == h2,
                "seed {seed} {}: histories differ between two runs",
                cfg.schedule.name
            );
            assert_eq!(f1, f2);
        }
    }
}

#[test]
fn different_seeds_give_different_histories() {
    let (a, _) = history_bytes(&small(1));
    let (b, _) = history_bytes(&small(2));
    assert_ne!(a, b);
}
