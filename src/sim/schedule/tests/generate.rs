//! The swarm generator: deterministic, varied, valid, honest names, every kind early and until
//! the horizon, the minority budget kept, aimed shapes valid, crash-majority a real majority.

use super::*;
use std::collections::{BTreeMap, BTreeSet};

fn cluster(n: usize) -> Shape {
    let mut config = crate::store::config::StoreConfig::default_cluster();
    config.nodes = (1..=n).map(|i| format!("n{i}")).collect();
    config.rf = config.rf.min(n);
    Shape::of_cluster(&config, 50).unwrap()
}

/// The kinds in a generated name.
fn named_kinds(s: &Schedule) -> BTreeSet<FaultKind> {
    let list = s.name.strip_prefix("generated-").expect("a generated name");
    if list == "none" {
        return BTreeSet::new();
    }
    list.split('+').map(|k| k.parse().unwrap()).collect()
}

/// Each kind's fault steps (lifts left out).
fn faults_by_kind(s: &Schedule) -> BTreeMap<FaultKind, Vec<&Step>> {
    let mut out: BTreeMap<FaultKind, Vec<&Step>> = BTreeMap::new();
    for st in s.steps.iter().filter(|st| !st.fault.is_lift()) {
        out.entry(FaultKind::of(&st.fault).unwrap())
            .or_default()
            .push(st);
    }
    out
}

#[test]
fn same_arguments_same_schedule_and_seeds_vary() {
    let shape = cluster(5);
    let horizon = Duration::from_secs(20);
    let mut names = BTreeSet::new();
    for seed in 0..40 {
        let s = generate(seed, &FaultKind::ALL, &shape, horizon);
        assert_eq!(s, generate(seed, &FaultKind::ALL, &shape, horizon));
        names.insert(s.name);
    }
    assert!(names.len() >= 10, "swarm subsets hardly vary: {names:?}");
    assert_ne!(
        generate(1, &FaultKind::ALL, &shape, horizon),
        generate(2, &FaultKind::ALL, &shape, horizon)
    );
}

#[test]
fn generated_schedules_are_valid_honest_early_and_dense() {
    for n in [1, 2, 3, 4, 5, 7] {
        let shape = cluster(n);
        let minority = (n - 1) / 2;
        for seed in 0..150 {
            let horizon = Duration::from_millis(2000 + seed * 211);
            let pool: &[FaultKind] = if seed % 3 == 0 {
                &[FaultKind::Crash, FaultKind::Pause, FaultKind::CrashMajority]
            } else {
                &FaultKind::ALL
            };
            let s = generate(seed, pool, &shape, horizon);
            assert_eq!(s.validate(&shape.nodes), Ok(()), "seed {seed}, {n} nodes");
            let by_kind = faults_by_kind(&s);
            let kinds: BTreeSet<FaultKind> = by_kind.keys().copied().collect();
            assert_eq!(
                named_kinds(&s),
                kinds,
                "seed {seed}: the name lists exactly the kinds"
            );
            assert!(kinds.iter().all(|k| pool.contains(k)));
            for (kind, steps) in &by_kind {
                assert!(
                    steps[0].at <= Duration::from_millis(1500),
                    "seed {seed}, {n} nodes: first {kind} at {:?}",
                    steps[0].at
                );
            }
            assert!(s.steps.iter().all(|st| st.at <= horizon && st.line == 0));
            // Crashed and paused by the one-node kinds never above a minority.
            let (mut crashed, mut paused) = (BTreeSet::new(), BTreeSet::new());
            for st in &s.steps {
                match &st.fault {
                    Fault::Crash(NodeSel::Named(x)) => drop(crashed.insert(x)),
                    Fault::Restart(NodeSel::Named(x)) => drop(crashed.remove(x)),
                    Fault::Pause(NodeSel::Named(x)) => drop(paused.insert(x)),
                    Fault::Resume(NodeSel::Named(x)) => drop(paused.remove(x)),
                    _ => {}
                }
                assert!(
                    crashed.len() + paused.len() <= minority,
                    "seed {seed} at {:?}",
                    st.at
                );
            }
        }
    }
}

#[test]
fn faults_keep_coming_until_a_long_horizon_and_generation_is_cheap() {
    let shape = cluster(5);
    let horizon = Duration::from_secs(600);
    let mut faults = 0;
    let start = std::time::Instant::now();
    for seed in 0..20 {
        let s = generate(seed, &FaultKind::ALL, &shape, horizon);
        for (kind, steps) in faults_by_kind(&s) {
            let last = steps.last().unwrap().at;
            assert!(
                last >= horizon * 9 / 10,
                "seed {seed}: last {kind} at {last:?}"
            );
            // Uniform density: as many faults in the second half as in the first, give or take.
            let early = steps.iter().filter(|st| st.at < horizon / 2).count() as f64;
            let late = steps.len() as f64 - early;
            assert!(
                (late / early - 1.0).abs() < 0.35,
                "seed {seed} {kind}: {early} then {late}"
            );
            faults += steps.len();
        }
    }
    let per_fault = start.elapsed() / faults as u32;
    eprintln!("{faults} faults over 20 ten-minute schedules, {per_fault:?} per fault");
}

#[test]
fn crash_majority_takes_down_a_majority_at_one_instant() {
    let shape = cluster(5);
    let mut seen = BTreeSet::new();
    for seed in 0..300 {
        let s = generate(
            seed,
            &[FaultKind::CrashMajority],
            &shape,
            Duration::from_secs(30),
        );
        for st in &s.steps {
            let Fault::CrashSet(set) = &st.fault else {
                continue;
            };
            let of_cluster = set.len() * 2 > shape.nodes.len();
            let of_a_key = shape.replica_sets.iter().any(|r| {
                set.iter().filter(|x| r.contains(x)).count() * 2 > r.len()
                    && set.iter().all(|x| r.contains(x))
            });
            assert!(of_cluster || of_a_key, "seed {seed}: {set:?}");
            seen.insert(if set.len() == shape.nodes.len() {
                "all"
            } else if of_cluster {
                "cluster"
            } else {
                "key"
            });
            // Restarted together, and nothing else is down meanwhile.
            let lift = s
                .steps
                .iter()
                .find(|x| x.at > st.at && x.fault == Fault::RestartSet(set.clone()));
            assert!(
                lift.is_some(),
                "seed {seed}: {set:?} never restarted together"
            );
        }
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
}

#[test]
fn every_partition_is_valid_and_the_aimed_shapes_appear() {
    let shape = cluster(5);
    let (mut aimed_one_way, mut split_set) = (0, 0);
    for seed in 0..400 {
        let s = generate(
            seed,
            &[FaultKind::Partition],
            &shape,
            Duration::from_secs(20),
        );
        assert_eq!(s.validate(&shape.nodes), Ok(()));
        for st in &s.steps {
            match &st.fault {
                Fault::Partition(PartitionSpec::Groups(g)) => {
                    let listed: Vec<&String> = g.iter().flatten().collect();
                    let distinct: BTreeSet<&String> = listed.iter().copied().collect();
                    let bridge = g.len() == 2 && listed.len() == distinct.len() + 1;
                    assert!(
                        listed.len() == distinct.len() || bridge,
                        "seed {seed}: {g:?}"
                    );
                    assert_eq!(
                        distinct.len(),
                        shape.nodes.len(),
                        "every node listed: {g:?}"
                    );
                    let cuts_a_set = shape.replica_sets.iter().any(|r| {
                        g.iter()
                            .filter(|side| side.iter().any(|x| r.contains(x)))
                            .count()
                            == 2
                    });
                    split_set += usize::from(cuts_a_set && !bridge);
                }
                Fault::Partition(PartitionSpec::OneWay { from, to })
                    if from.len() == 1 && to.len() == 2 =>
                {
                    let in_one_set = shape
                        .replica_sets
                        .iter()
                        .any(|r| to.iter().all(|x| r.contains(x)));
                    aimed_one_way += usize::from(in_one_set);
                }
                _ => {}
            }
        }
    }
    assert!(
        aimed_one_way > 20 && split_set > 20,
        "{aimed_one_way} {split_set}"
    );
}

#[test]
fn reply_loss_and_slow_hit_as_documented() {
    let shape = cluster(5);
    let (mut to_coordinator, mut from_one) = (0, 0);
    for seed in 0..200 {
        let s = generate(
            seed,
            &[FaultKind::ReplyLoss, FaultKind::Slow],
            &shape,
            Duration::from_secs(20),
        );
        for st in &s.steps {
            match &st.fault {
                Fault::ReplyLoss { from, to, rate } => {
                    assert!(*rate > 0.0 && *rate <= 0.1, "{rate}");
                    if to.len() == 1
                        && shape
                            .replica_sets
                            .iter()
                            .any(|r| from.iter().all(|x| r.contains(x)))
                    {
                        to_coordinator += 1;
                    }
                    if from.len() == 1 && to.len() == 4 {
                        from_one += 1;
                    }
                }
                Fault::Slow { max, .. } => assert!(*max >= Duration::from_millis(200)),
                _ => {}
            }
        }
    }
    assert!(
        to_coordinator > 20 && from_one > 20,
        "{to_coordinator} {from_one}"
    );
}

#[test]
fn a_pool_of_one_kind_names_it_and_an_empty_pool_names_none() {
    let shape = cluster(5);
    for kind in FaultKind::ALL {
        let s = generate(9, &[kind], &shape, Duration::from_secs(5));
        assert_eq!(s.name, format!("generated-{kind}"));
        assert!(s
            .steps
            .iter()
            .all(|st| FaultKind::of(&st.fault) == Some(kind)));
    }
    let none = generate(9, &[], &shape, Duration::from_secs(5));
    assert_eq!(
        (none.name.as_str(), none.steps.len()),
        ("generated-none", 0)
    );
    let short = generate(9, &FaultKind::ALL, &shape, Duration::from_millis(50));
    assert_eq!(short.name, "generated-none", "no room for any fault");
}
