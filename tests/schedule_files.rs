//! The shipped fault schedules (`tests/schedules/*.toml`) and the schedule generator, from the
//! outside: every shipped file loads for n1..n5 and keeps to the test matrix's time budget; broken
//! copies give the exact `FILE:LINE: field …` message; schedules survive `run.json`; generated
//! schedules are deterministic, varied across seeds (swarm testing) and keep their invariants.

use quorumlab::sim::schedule::{
    generate, load, Fault, FaultKind, NodeSel, PartitionSpec, Schedule, ScheduleError,
};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SHIPPED: [&str; 7] = [
    "partition-halves",
    "isolate-node",
    "rolling-crash",
    "flaky-network",
    "slow-links",
    "clock-skew",
    "mixed",
];

fn nodes() -> Vec<String> {
    (1..=5).map(|i| format!("n{i}")).collect()
}

fn shipped_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schedules")
        .join(format!("{name}.toml"))
}

fn shipped(name: &str, seed: u64) -> Schedule {
    load(&shipped_path(name), &nodes(), seed).unwrap_or_else(|e| panic!("{e}"))
}

/// What is still in force after every step: partitions, loss, latency, skewed, crashed and
/// paused nodes. Panics on a step that contradicts the state (the loader must never emit one).
#[derive(Default, Debug)]
struct InForce {
    partitioned: bool,
    loss: bool,
    latency: bool,
    skewed: BTreeSet<String>,
    crashed: BTreeSet<String>,
    paused: BTreeSet<String>,
}

impl InForce {
    fn apply(&mut self, fault: &Fault) {
        let name = |n: &NodeSel| match n {
            NodeSel::Named(n) => n.clone(),
            NodeSel::Random => panic!("a loaded step names no node: {fault:?}"),
        };
        match fault {
            Fault::Partition(spec) => {
                assert!(
                    !matches!(spec, PartitionSpec::Halves | PartitionSpec::Bridge),
                    "unresolved {spec:?}"
                );
                if let PartitionSpec::Isolate(n) = spec {
                    name(n);
                }
                self.partitioned = true;
            }
            Fault::Heal => self.partitioned = false,
            Fault::Crash(n) => assert!(self.crashed.insert(name(n)), "double crash {fault:?}"),
            Fault::Restart(n) => {
                assert!(self.crashed.remove(&name(n)), "restart of a running node")
            }
            Fault::Loss { rate } => self.loss = *rate > 0.0,
            Fault::Latency { .. } => self.latency = true,
            Fault::LatencyReset => self.latency = false,
            Fault::ClockSkew { node, offset_us } => {
                if *offset_us == 0 {
                    self.skewed.remove(&name(node));
                } else {
                    self.skewed.insert(name(node));
                }
            }
            Fault::Pause(n) => assert!(self.paused.insert(name(n)), "double pause {fault:?}"),
            Fault::Resume(n) => assert!(self.paused.remove(&name(n)), "resume of a running node"),
            Fault::HealAll => *self = InForce::default(),
        }
    }

    fn nothing(&self) -> bool {
        !self.partitioned
            && !self.loss
            && !self.latency
            && self.skewed.is_empty()
            && self.crashed.is_empty()
            && self.paused.is_empty()
    }
}

fn kinds(s: &Schedule) -> BTreeSet<&'static str> {
    s.steps.iter().map(|st| st.fault.kind_name()).collect()
}

#[test]
fn every_shipped_schedule_loads_and_is_lifted_within_the_matrix_budget() {
    for name in SHIPPED {
        for seed in 0..10 {
            let s = shipped(name, seed);
            assert_eq!(s.name, name);
            assert!(!s.steps.is_empty(), "{name} is empty");
            assert!(
                s.steps.windows(2).all(|w| w[0].at <= w[1].at),
                "{name} unsorted"
            );
            let mut state = InForce::default();
            for step in &s.steps {
                state.apply(&step.fault);
                assert!(step.line > 0, "{name}: loaded steps carry their line");
                if step.fault.lift().is_some() {
                    assert!(
                        step.at <= Duration::from_secs(4),
                        "{name}: {} after 4s",
                        step.describe()
                    );
                }
                if step.at > Duration::from_millis(4500) {
                    panic!("{name}: {} after 4.5s", step.describe());
                }
            }
            assert!(state.nothing(), "{name} leaves faults in force: {state:?}");
        }
    }
}

#[test]
fn shipped_schedules_show_what_their_names_say() {
    let s = shipped("partition-halves", 1);
    assert!(s.steps.iter().any(|st| matches!(&st.fault,
        Fault::Partition(PartitionSpec::Groups(g)) if g.len() == 2 && g[0].len() + g[1].len() == 5)));
    let s = shipped("isolate-node", 1);
    assert!(s
        .steps
        .iter()
        .any(|st| st.fault.describe() == "partition isolate n1"));
    let s = shipped("rolling-crash", 1);
    let crashes: Vec<String> = s
        .steps
        .iter()
        .filter(|st| st.fault.kind_name() == "crash")
        .map(|st| st.fault.describe())
        .collect();
    assert_eq!(
        crashes,
        ["crash n1", "crash n2", "crash n3", "crash n4", "crash n5"]
    );
    let kinds_in_order: Vec<&str> = s.steps.iter().map(|st| st.fault.kind_name()).collect();
    assert!(
        kinds_in_order.chunks(2).all(|c| c == ["crash", "restart"]),
        "one node down at a time: {kinds_in_order:?}"
    );
    let s = shipped("flaky-network", 1);
    assert_eq!(s.steps[0].fault, Fault::Loss { rate: 0.2 });
    assert_eq!(
        kinds(&shipped("slow-links", 1)),
        BTreeSet::from(["latency"])
    );
    assert_eq!(
        kinds(&shipped("clock-skew", 1)),
        BTreeSet::from(["clock-skew"])
    );
    assert!(kinds(&shipped("mixed", 1)).len() >= 5);
    // The matrix expects every checker valid on all of these but clock-skew: none may skew.
    for name in SHIPPED.iter().filter(|n| **n != "clock-skew") {
        assert!(
            !kinds(&shipped(name, 1)).contains("clock-skew"),
            "{name} skews a clock"
        );
    }
}

#[test]
fn random_choices_in_shipped_schedules_follow_the_seed() {
    let a = shipped("partition-halves", 1);
    assert_eq!(a, shipped("partition-halves", 1));
    let splits: BTreeSet<String> = (0..10)
        .map(|seed| shipped("partition-halves", seed).steps[0].fault.describe())
        .collect();
    assert!(splits.len() >= 3, "halves hardly vary: {splits:?}");
}

/// A copy of shipped schedule `name` with `from` replaced by `to`, loaded from a temporary file.
/// Returns the error and the expected `PATH:LINE: ` prefix, LINE being that of the first `blame`
/// at or after the replacement.
fn broken(name: &str, from: &str, to: &str, blame: &str) -> (String, String) {
    let text = std::fs::read_to_string(shipped_path(name)).unwrap();
    let start = text
        .find(from)
        .unwrap_or_else(|| panic!("{name} has no {from:?}"));
    let text = text.replacen(from, to, 1);
    let at = start
        + text[start..]
            .find(blame)
            .expect("blame marker after the change");
    let line = 1 + text[..at].matches('\n').count();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.toml"));
    std::fs::write(&path, &text).unwrap();
    let err = load(&path, &nodes(), 1).expect_err("a broken copy must not load");
    (err.to_string(), format!("{}:{line}: ", path.display()))
}

#[test]
fn broken_copies_give_the_exact_message() {
    // (schedule, text replaced, replacement, text on the blamed line, message after `FILE:LINE: `)
    let cases = [
        ("flaky-network", "rate = 0.2", "rate = 1.5", "rate", "field `rate`: must be between 0 and 1 (got 1.5)"),
        ("flaky-network", "rate = 0.2", "rat = 0.2", "rat", "field `rat`: unknown key (valid keys: at, kind, how, groups, node, from, to, rate, max, offset, duration); did you mean `rate`?"),
        ("flaky-network", "kind = \"loss\"\nrate = 0.2\n", "kind = \"loss\"\n", "kind", "field `rate`: missing (required by kind `loss`)"),
        ("rolling-crash", "kind = \"crash\"", "kind = \"crsh\"", "kind", "field `kind`: unknown kind \"crsh\" (valid: partition, heal, crash, restart, loss, latency, clock-skew, pause, resume, heal-all)"),
        ("isolate-node", "node = \"n1\"", "node = \"n6\"", "node", "field `node`: unknown node \"n6\" (nodes: n1 n2 n3 n4 n5)"),
        ("mixed", "to = [\"n4\", \"n5\"]", "to = [\"n4\", \"n1\"]", "to", "field `to`: n1 is in both `from` and `to`"),
        ("partition-halves", "how = \"halves\"\n", "how = \"groups\"\ngroups = [[\"n1\", \"n2\"], [\"n2\", \"n3\"]]\n", "groups =", "field `groups`: n2 is listed more than once"),
        ("partition-halves", "how = \"halves\"\n", "how = \"groups\"\ngroups = [[\"n1\"], []]\n", "groups =", "field `groups`: group 2 is empty"),
        ("partition-halves", "how = \"halves\"\n", "how = \"halfs\"\n", "how", "field `how`: unknown how \"halfs\" (valid: groups, halves, isolate, one-way, bridge)"),
        ("rolling-crash", "duration = \"600ms\"       # restart n1 at 1.1s", "duration = \"0ms\"", "duration", "field `duration`: must be positive (got \"0ms\")"),
        ("rolling-crash", "duration = \"600ms\"       # restart n1 at 1.1s", "duration = \"-600ms\"", "duration", "field `duration`: must be positive (got \"-600ms\")"),
        ("flaky-network", "at = \"500ms\"", "at = \"half a second\"", "at", "field `at`: cannot parse \"half a second\" as a duration: expected number at 0 (write e.g. \"1.5s\" or \"200ms\")"),
        ("clock-skew", "offset = \"-500ms\"", "offset = \"-500 moments\"", "offset", "field `offset`: cannot parse \"-500 moments\" as a signed duration: unknown time unit \"moments\", supported units: ns, us/µs, ms, sec, min, hours, days, weeks, months, years (and few variations) (write e.g. \"-500ms\")"),
        ("slow-links", "max = \"default\"", "max = \"default\"\nduration = \"1s\"", "duration", "field `duration`: not used by kind `latency` with max \"default\" (nothing to lift)"),
        ("mixed", "kind = \"heal-all\"", "kind = \"restart\"\nnode = \"n2\"", "node", "field `node`: n2 is not crashed at 4.2s (a restart needs an earlier crash)"),
        ("rolling-crash", "at = \"1.2s\"\nkind = \"crash\"\nnode = \"n2\"", "at = \"1s\"\nkind = \"crash\"\nnode = \"n1\"", "node", "field `node`: n1 is already crashed at 1s"),
        ("rolling-crash", "at = \"500ms\"\nkind = \"crash\"\nnode = \"n1\"\nduration = \"600ms\"       # restart n1 at 1.1s", "at = \"1.5s\"\nkind = \"restart\"\nnode = \"n2\"", "duration", "field `duration`: the lift at 1.8s (restart n2): n2 is not crashed at 1.8s (a restart needs an earlier crash)"),
        ("mixed", "[[fault]]\nat = \"2s\"", "[[fault]\nat = \"2s\"", "[[fault]", "invalid TOML: invalid table header expected `.`, `]]`"),
    ];
    for (name, from, to, blame, want) in cases {
        let (got, prefix) = broken(name, from, to, blame);
        assert_eq!(got, format!("{prefix}{want}"), "{name}: {from:?} -> {to:?}");
    }
}

#[test]
fn a_missing_file_names_the_path() {
    let err = load(Path::new("no/such/schedule.toml"), &nodes(), 1).unwrap_err();
    assert!(matches!(err, ScheduleError::Read { .. }));
    let msg = err.to_string();
    assert!(msg.starts_with("no/such/schedule.toml: "), "{msg}");
    assert!(!msg.contains('\n'));
}

#[test]
fn schedules_round_trip_through_json() {
    let mut all: Vec<Schedule> = SHIPPED.iter().map(|n| shipped(n, 3)).collect();
    all.extend(
        (0..20).map(|seed| generate(seed, &FaultKind::ALL, &nodes(), Duration::from_secs(5))),
    );
    for s in all {
        let json = serde_json::to_string(&s).unwrap();
        let back: Schedule = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s, "{json}");
    }
}

#[test]
fn generated_schedules_are_deterministic_and_vary_across_seeds() {
    let horizon = Duration::from_secs(5);
    let mut subsets = BTreeSet::new();
    for seed in 0..20 {
        let s = generate(seed, &FaultKind::ALL, &nodes(), horizon);
        assert_eq!(s, generate(seed, &FaultKind::ALL, &nodes(), horizon));
        subsets.insert(s.name.clone());
    }
    assert!(subsets.len() >= 3, "swarm subsets hardly vary: {subsets:?}");
    assert_ne!(
        generate(1, &FaultKind::ALL, &nodes(), horizon),
        generate(2, &FaultKind::ALL, &nodes(), horizon)
    );
}

#[test]
fn generated_schedules_keep_their_invariants() {
    for n in [1, 2, 3, 4, 5, 7] {
        let nodes: Vec<String> = (1..=n).map(|i| format!("n{i}")).collect();
        let minority = (n - 1) / 2;
        for seed in 0..200 {
            let horizon = Duration::from_millis(2000 + seed * 37);
            let pool = if seed % 3 == 0 {
                FaultKind::ALL.to_vec()
            } else {
                vec![FaultKind::Crash, FaultKind::Pause]
            };
            let s = generate(seed, &pool, &nodes, horizon);
            let chosen: BTreeSet<&str> =
                s.name.trim_start_matches("generated-").split('+').collect();
            let mut state = InForce::default();
            let mut active: BTreeSet<&str> = BTreeSet::new();
            for step in &s.steps {
                assert_eq!(step.line, 0);
                assert!(
                    step.at <= horizon,
                    "seed {seed}: {} past {horizon:?}",
                    step.describe()
                );
                let kind = match &step.fault {
                    Fault::Restart(_) => "crash",
                    Fault::Resume(_) => "pause",
                    Fault::Heal => "partition",
                    Fault::LatencyReset => "latency",
                    f => f.kind_name(),
                };
                assert!(
                    chosen.contains(kind),
                    "seed {seed}: {kind} not in {}",
                    s.name
                );
                let lifting = step.fault.lift().is_none()
                    || matches!(step.fault, Fault::Loss { rate } if rate == 0.0)
                    || matches!(step.fault, Fault::ClockSkew { offset_us: 0, .. });
                if lifting {
                    assert!(active.remove(kind), "seed {seed}: lift of inactive {kind}");
                } else {
                    assert!(
                        active.insert(kind),
                        "seed {seed}: two {kind} faults at once"
                    );
                }
                state.apply(&step.fault);
                let down: BTreeSet<&String> = state.crashed.union(&state.paused).collect();
                assert!(
                    state.crashed.len() + state.paused.len() <= minority && down.len() <= minority,
                    "seed {seed}, {n} nodes: {down:?} impaired at {:?}",
                    step.at
                );
            }
            assert!(active.is_empty(), "seed {seed}: {active:?} never lifted");
            assert!(state.nothing(), "seed {seed}: {state:?}");
        }
    }
}

#[test]
fn a_generated_schedule_uses_only_the_pool_and_names_its_kinds() {
    let s = generate(9, &[FaultKind::Loss], &nodes(), Duration::from_secs(5));
    assert_eq!(s.name, "generated-loss");
    assert!(s.steps.iter().all(|st| st.fault.kind_name() == "loss"));
    assert!(!s.steps.is_empty());
    let rate = match s.steps[0].fault {
        Fault::Loss { rate } => rate,
        ref f => panic!("{f:?}"),
    };
    assert!((0.05..=0.3).contains(&rate), "{rate}");
    let none = generate(9, &[], &nodes(), Duration::from_secs(5));
    assert_eq!(
        (none.name.as_str(), none.steps.len()),
        ("generated-none", 0)
    );
}
