//! The nemesis on a real (simulated) cluster: reply-loss cuts drawn per tick and yielding to
//! partitions, latency composition, crash sets, and the applied prefix with an honest name.

use super::*;
use crate::sim::netmodel::LinkState;
use crate::sim::schedule::{NodeSel, PartitionSpec};
use crate::store::config::StoreConfig;

fn at(ms: u64, fault: Fault) -> Step {
    Step {
        at: Duration::from_millis(ms),
        fault,
        line: 0,
    }
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Runs `steps` on the default cluster for `ms` ticks, calling `look` after every tick.
fn run(name: &str, steps: Vec<Step>, ms: u64, mut look: impl FnMut(u64, &Nemesis)) -> Nemesis {
    let config = StoreConfig::default_cluster();
    let net = NetConfig::default();
    let mut cluster = Cluster::new(5, config.clone(), &net).unwrap();
    let schedule = Schedule {
        name: name.to_string(),
        steps,
    };
    let mut nemesis = Nemesis::new(schedule, &config.nodes, &[], &net, 5).unwrap();
    let mut recorder = Recorder::default();
    for t in 0..ms {
        nemesis.tick(&mut cluster, &mut recorder);
        look(t, &nemesis);
        cluster.step().unwrap();
    }
    nemesis
}

#[test]
fn reply_loss_cuts_one_direction_some_ticks_and_yields_to_partitions() {
    let steps = vec![
        at(
            10,
            Fault::ReplyLoss {
                from: names(&["n2"]),
                to: names(&["n1"]),
                rate: 0.5,
            },
        ),
        at(
            200,
            Fault::Partition(PartitionSpec::Isolate(NodeSel::Named("n1".into()))),
        ),
        at(300, Fault::Heal),
        at(400, Fault::ReplyLossOff),
    ];
    let mut states: Vec<(u64, LinkState)> = Vec::new();
    let nemesis = run("r", steps.clone(), 500, |t, n| {
        states.push((t, n.net.desired("n1", "n2")))
    });
    let during = |from: u64, to: u64| {
        states
            .iter()
            .filter(move |(t, _)| (from..to).contains(t))
            .map(|(_, s)| s.clone())
    };
    let cut = during(10, 200)
        .filter(|s| *s == LinkState::OneWay("n2".into(), "n1".into()))
        .count();
    assert!(
        (50..140).contains(&cut),
        "cut on {cut} of 190 ticks at rate 0.5"
    );
    assert!(
        during(10, 200).all(|s| s != LinkState::Partitioned),
        "the other way works"
    );
    assert!(
        during(200, 300).all(|s| s == LinkState::Partitioned),
        "a partition wins"
    );
    assert!(
        during(300, 400).any(|s| s != LinkState::Healthy),
        "reply loss again after heal"
    );
    assert!(during(400, 500).all(|s| s == LinkState::Healthy), "lifted");
    assert_eq!(nemesis.applied().steps, steps);
    // The same seed draws the same cuts.
    let mut again = Vec::new();
    run("r", steps, 500, |t, n| {
        again.push((t, n.net.desired("n1", "n2")))
    });
    assert_eq!(states, again);
}

#[test]
fn link_latency_is_the_larger_of_cluster_and_slow_and_at_least_the_minimum() {
    let ms = Duration::from_millis;
    let mut l = Latency {
        min: ms(1),
        default: ms(50),
        cluster: ms(50),
        slow: vec![None; 3],
    };
    assert_eq!(l.link(0, 1), (ms(1), ms(50)));
    l.slow[1] = Some(ms(800));
    assert_eq!(
        (l.link(0, 1), l.link(1, 2), l.link(0, 2)),
        ((ms(400), ms(800)), (ms(400), ms(800)), (ms(1), ms(50))),
        "a slow end makes its links consistently slow"
    );
    l.cluster = ms(900);
    assert_eq!(l.link(0, 1), (ms(400), ms(900)));
    l.cluster = Duration::from_micros(10);
    l.slow[1] = None;
    assert_eq!(
        l.link(0, 2),
        (ms(1), ms(1)),
        "never below the minimum latency"
    );
}

#[test]
fn crash_sets_restart_together_and_applied_names_the_kinds_that_fired() {
    let set = names(&["n1", "n2", "n3"]);
    let steps = vec![
        at(5, Fault::CrashSet(set.clone())),
        at(20, Fault::RestartSet(set.clone())),
        at(
            30,
            Fault::Slow {
                node: NodeSel::Named("n4".into()),
                max: Duration::from_millis(700),
            },
        ),
        at(900, Fault::Loss { rate: 0.1 }),
    ];
    let mut down = Vec::new();
    let nemesis = run(
        "generated-crash-majority+loss+slow",
        steps.clone(),
        100,
        |t, n| {
            if t == 10 || t == 25 {
                down.push(n.crashed.len());
            }
        },
    );
    assert_eq!(down, [3, 0]);
    let applied = nemesis.applied();
    assert_eq!(applied.steps, steps[..3]);
    assert_eq!(applied.name, "generated-crash-majority+slow");
    assert_eq!(nemesis.remaining(), 1);
    let bad = Schedule {
        name: "b".into(),
        steps: vec![at(1, Fault::Loss { rate: 5.0 })],
    };
    let net = NetConfig::default();
    assert!(
        Nemesis::new(bad, &set, &[], &net, 1).is_err(),
        "invalid schedules are refused"
    );
}
