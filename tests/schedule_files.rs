//! The shipped fault schedules (`tests/schedules/*.toml`) and schedule files from the outside:
//! every shipped file loads for n1..n5 and keeps to the test matrix's time budget; broken copies
//! give the exact `FILE:LINE: field …` message; schedules survive `run.json` and are validated
//! when read back; JSON that the simulator would trip over is refused on its line; invalid UTF-8
//! names its line; loading time grows linearly with the number of steps.

use quorumlab::sim::schedule::{
    generate, load, Fault, FaultKind, NodeSel, PartitionSpec, Schedule, ScheduleError, Shape,
};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SHIPPED: [&str; 10] = [
    "partition-halves",
    "isolate-node",
    "rolling-crash",
    "crash-majority",
    "flaky-network",
    "slow-links",
    "slow-replica",
    "reply-loss",
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

/// What is still in force after every step. Panics on a step that contradicts the state (the
/// loader must never emit one).
#[derive(Default, Debug)]
struct InForce {
    partitioned: bool,
    lossy: bool,
    latency: bool,
    reply_loss: bool,
    slow: BTreeSet<String>,
    skewed: BTreeSet<String>,
    slow_disk: BTreeSet<String>,
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
            Fault::CrashSet(ns) => ns
                .iter()
                .for_each(|n| assert!(self.crashed.insert(n.clone()), "double crash {n}")),
            Fault::Restart(n) => {
                assert!(self.crashed.remove(&name(n)), "restart of a running node")
            }
            Fault::RestartSet(ns) => ns
                .iter()
                .for_each(|n| assert!(self.crashed.remove(n), "restart of running {n}")),
            Fault::Loss { rate } => self.lossy = *rate > 0.0,
            Fault::Latency { .. } => self.latency = true,
            Fault::LatencyReset => self.latency = false,
            Fault::Slow { node, .. } => drop(self.slow.insert(name(node))),
            Fault::SlowReset(node) => drop(self.slow.remove(&name(node))),
            Fault::SlowDisk { node, .. } => drop(self.slow_disk.insert(name(node))),
            Fault::SlowDiskReset(node) => drop(self.slow_disk.remove(&name(node))),
            Fault::ReplyLoss { .. } => self.reply_loss = true,
            Fault::ReplyLossOff => self.reply_loss = false,
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
            && !self.lossy
            && !self.latency
            && !self.reply_loss
            && self.slow.is_empty()
            && self.slow_disk.is_empty()
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
            assert_eq!(s.validate(&nodes()), Ok(()), "{name}");
            let mut state = InForce::default();
            for step in &s.steps {
                state.apply(&step.fault);
                assert!(step.line > 0, "{name}: loaded steps carry their line");
                if !step.fault.is_lift() {
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
    let s = shipped("crash-majority", 1);
    assert_eq!(s.steps[0].fault.describe(), "crash n1 n2 n3");
    assert_eq!(s.steps[1].fault.describe(), "restart n1 n2 n3");
    assert_eq!(
        kinds(&shipped("slow-replica", 1)),
        BTreeSet::from(["slow", "latency"])
    );
    let s = shipped("reply-loss", 1);
    assert_eq!(s.steps[0].fault.describe(), "reply-loss 5% n2 n3 -> n1");
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

/// `text` saved as `name` in a fresh directory, then loaded: the error and the path.
fn load_text(name: &str, text: &[u8]) -> (Result<Schedule, ScheduleError>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (load(&path, &nodes(), 1), path.display().to_string())
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
    let (got, path) = load_text(&format!("{name}.toml"), text.as_bytes());
    let err = got.expect_err("a broken copy must not load");
    (err.to_string(), format!("{path}:{line}: "))
}

#[test]
fn broken_copies_give_the_exact_message() {
    // (schedule, text replaced, replacement, text on the blamed line, message after `FILE:LINE: `)
    let cases = [
        ("flaky-network", "rate = 0.2", "rate = 1.5", "rate", "field `rate`: must be between 0 and 1 (got 1.5)"),
        ("flaky-network", "rate = 0.2", "rat = 0.2", "rat", "field `rat`: unknown key (valid keys: at, kind, how, groups, node, nodes, from, to, rate, max, delay, offset, duration); did you mean `rate`?"),
        ("flaky-network", "kind = \"loss\"\nrate = 0.2\n", "kind = \"loss\"\n", "kind", "field `rate`: missing (required by kind `loss`)"),
        ("rolling-crash", "kind = \"crash\"", "kind = \"crsh\"", "kind", "field `kind`: unknown kind \"crsh\" (valid: partition, heal, crash, restart, loss, latency, slow, slow-disk, reply-loss, clock-skew, pause, resume, heal-all)"),
        ("isolate-node", "node = \"n1\"", "node = \"n6\"", "node", "field `node`: unknown node \"n6\" (nodes: n1 n2 n3 n4 n5)"),
        ("mixed", "to = [\"n4\", \"n5\"]", "to = [\"n4\", \"n1\"]", "to", "field `to`: n1 is in both `from` and `to`"),
        ("partition-halves", "how = \"halves\"\n", "how = \"groups\"\ngroups = [[\"n1\"], []]\n", "groups =", "field `groups`: group 2 is empty"),
        ("partition-halves", "how = \"halves\"\n", "how = \"halfs\"\n", "how", "field `how`: unknown how \"halfs\" (valid: groups, halves, isolate, one-way, bridge)"),
        ("rolling-crash", "duration = \"600ms\"       # restart n1 at 1.1s", "duration = \"0ms\"", "duration", "field `duration`: must be positive (got \"0ms\")"),
        ("flaky-network", "at = \"500ms\"", "at = \"half a second\"", "at", "field `at`: cannot parse \"half a second\" as a duration: expected a number at 0 (write e.g. \"1.5s\" or \"200ms\")"),
        ("slow-links", "max = \"default\"", "max = \"default\"\nduration = \"1s\"", "duration", "field `duration`: not used by kind `latency` with max \"default\" (nothing to lift)"),
        ("mixed", "kind = \"heal-all\"", "kind = \"restart\"\nnode = \"n2\"", "node", "field `node`: n2 is not crashed at 4.2s (a restart needs an earlier crash)"),
        ("rolling-crash", "at = \"1.2s\"\nkind = \"crash\"\nnode = \"n2\"", "at = \"1s\"\nkind = \"crash\"\nnodes = [\"n3\", \"n1\"]", "nodes", "field `nodes`: n1 is already crashed at 1s"),
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
fn invalid_utf8_names_its_line_in_toml_and_json() {
    let mut toml = std::fs::read(shipped_path("mixed")).unwrap();
    let line = 14; // `at = "800ms"`
    let at = toml
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(line - 2)
        .unwrap()
        .0
        + 3;
    toml[at] = 0xC3; // a lead byte followed by ASCII
    for name in ["bad.toml", "bad.json"] {
        let (got, path) = load_text(name, &toml);
        let msg = got.unwrap_err().to_string();
        assert!(
            msg.starts_with(&format!(
                "{path}:{line}: invalid UTF-8 (byte 0xC3 at column 3)"
            )),
            "{msg}"
        );
    }
}

#[test]
fn schedules_round_trip_through_json_files_and_are_validated_there() {
    let shape = Shape::of_nodes(&nodes());
    let mut all: Vec<Schedule> = SHIPPED.iter().map(|n| shipped(n, 3)).collect();
    all.extend((0..20).map(|seed| generate(seed, &FaultKind::ALL, &shape, Duration::from_secs(5))));
    for s in all {
        let json = serde_json::to_string_pretty(&s).unwrap();
        let (back, _) = load_text("s.json", json.as_bytes());
        assert_eq!(back.unwrap(), s, "{json}");
    }
}

/// What the JSON path used to accept, each of which then panicked inside the simulator.
#[test]
fn json_the_simulator_would_trip_over_is_refused_on_its_line() {
    let step = |fault: &str| {
        format!("{{\n  \"name\": \"j\",\n  \"steps\": [\n    {{ \"at\": \"1s\", \"fault\": \"heal\", \"line\": 0 }},\n    {{ \"at\": \"2s\", \"fault\": {fault}, \"line\": 0 }}\n  ]\n}}\n")
    };
    let cases = [
        (
            step("{\"loss\": {\"rate\": 5.0}}"),
            "field `rate`: must be between 0 and 1 (got 5)",
        ),
        (
            step("{\"loss\": {\"rate\": -1}}"),
            "field `rate`: must be between 0 and 1 (got -1)",
        ),
        (
            step("{\"latency\": {\"max\": \"0s\"}}"),
            "field `max`: must be positive and at most 1h (got 0s)",
        ),
        (
            step("{\"restart\": {\"named\": \"n2\"}}"),
            "field `node`: n2 is not crashed at 2s (a restart needs an earlier crash)",
        ),
        (
            step("{\"partition\": {\"groups\": [[\"n1\"], []]}}"),
            "field `groups`: group 2 is empty",
        ),
        (
            step("{\"partition\": \"halves\"}"),
            "field `how`: halves is not resolved (a concrete schedule lists explicit groups)",
        ),
        (
            step("{\"crash\": \"random\"}"),
            "field `node`: \"random\" is not resolved (a concrete schedule names every node)",
        ),
        (
            step("{\"crash\": {\"named\": \"n9\"}}"),
            "field `node`: unknown node \"n9\" (nodes: n1 n2 n3 n4 n5)",
        ),
    ];
    for (text, want) in cases {
        let (got, path) = load_text("j.json", text.as_bytes());
        assert_eq!(
            got.unwrap_err().to_string(),
            format!("{path}:5: {want}"),
            "{text}"
        );
    }
    let unsorted = step("\"heal\"").replace("\"2s\"", "\"500ms\"");
    let (got, path) = load_text("j.json", unsorted.as_bytes());
    let want = "field `at`: steps must be sorted by time (500ms comes after 1s)";
    assert_eq!(got.unwrap_err().to_string(), format!("{path}:5: {want}"));
    let double = step("{\"crash\": {\"named\": \"n1\"}}").replace(
        "\"fault\": \"heal\"",
        "\"fault\": {\"crash-set\": [\"n1\"]}",
    );
    let (got, path) = load_text("j.json", double.as_bytes());
    let want = "field `node`: n1 is already crashed at 2s";
    assert_eq!(got.unwrap_err().to_string(), format!("{path}:5: {want}"));
}

/// Loading is linear in the number of steps: 10× the steps takes about 10× the time. Measured
/// and printed (run with `--nocapture` to see it), not asserted — timings are not a test.
#[test]
fn ten_and_a_hundred_thousand_steps_load() {
    let text = |steps: usize| -> String {
        (0..steps)
            .map(|i| format!("[[fault]]\nat = \"{i}ms\"\nkind = \"crash\"\nnode = \"n{}\"\nduration = \"1ms\"\n\n", i % 5 + 1))
            .collect()
    };
    let mut took = Vec::new();
    for steps in [10_000, 100_000] {
        let text = text(steps / 2);
        let start = std::time::Instant::now();
        let s = Schedule::from_toml_str("big.toml", &text, &nodes(), 1).unwrap();
        took.push(start.elapsed());
        assert_eq!(s.steps.len(), steps);
        assert_eq!(s.steps[steps - 1].line, 6 * (steps / 2) - 1);
    }
    eprintln!(
        "loaded 10 000 steps in {:?}, 100 000 in {:?}: ratio {:.1}",
        took[0],
        took[1],
        took[1].as_secs_f64() / took[0].as_secs_f64()
    );
}
