//! The shrinker's driver: the passes of the module doc of [`super`], in order, until a fixpoint or
//! the budget. Pure apart from the oracle it is given (tested here with a fake one).

use super::ddmin::{ddmin, Test};
use super::reduce::{reduce, Slack};
use super::{nodes, units, Change, Found, Options, Oracle, Shrunk, Size};
use crate::sim::config::{FaultSource, RunConfig};
use std::collections::BTreeSet;
use std::time::Duration;

/// At most this many rounds of all passes (a fixpoint comes much sooner in practice).
const MAX_ROUNDS: usize = 16;

/// The passes, in order.
const PASSES: [&str; 6] = ["faults", "ops", "clients", "keys", "nodes", "windows"];

/// Shrink `original` (a run the oracle found failing; it counts as one simulation) with
/// `oracle`, calling `progress` after every pass that reduced the run. See [`super`].
pub fn shrink(
    original: Found,
    oracle: &mut dyn Oracle,
    options: Options,
    progress: &mut dyn FnMut(&Change),
) -> Shrunk {
    let mut search = Search {
        oracle,
        best: original.clone(),
        limit_ns: original.sim_ns,
        used: 1,
        max: options.max_runs.max(1),
        rejected: BTreeSet::new(),
        exhausted: false,
        changes: Vec::new(),
    };
    'rounds: for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        for name in PASSES {
            let before = Size::of(&search.best);
            let before_cfg = search.best.config.clone();
            search.pass(name);
            if search.best.config != before_cfg {
                changed = true;
                let change = Change {
                    pass: name,
                    before,
                    after: Size::of(&search.best),
                    runs: search.used,
                };
                progress(&change);
                search.changes.push(change);
            }
            if search.exhausted {
                break 'rounds;
            }
        }
        if !changed {
            break;
        }
    }
    let mut best = search.best;
    if matches!(best.config.faults.source, FaultSource::File { .. })
        && best.config.faults.schedule != original.config.faults.schedule
    {
        // The schedule no longer is the file's: it was built here.
        best.config.faults.source = FaultSource::Code;
    }
    Shrunk {
        original,
        best,
        runs: search.used,
        exhausted: search.exhausted,
        changes: search.changes,
    }
}

struct Search<'a> {
    oracle: &'a mut dyn Oracle,
    best: Found,
    /// The original's simulated time: no candidate may take longer.
    limit_ns: u64,
    used: u64,
    max: u64,
    /// Candidates run and rejected (their JSON), never run twice.
    rejected: BTreeSet<Vec<u8>>,
    exhausted: bool,
    changes: Vec<Change>,
}

impl Search<'_> {
    fn pass(&mut self, name: &str) {
        match name {
            "faults" => self.faults(),
            "ops" => self.ops(),
            "clients" => self.clients(),
            "keys" => self.keys(),
            "nodes" => self.nodes(),
            _ => self.windows(),
        }
    }

    /// Run one candidate; adopt it when it fails the same way and its simulated time is not
    /// longer than the original's (a trade — fewer clients for a longer main phase — is fine).
    fn test(&mut self, candidate: RunConfig) -> Test {
        if self.exhausted {
            return Test::Exhausted;
        }
        if candidate == self.best.config || candidate.validate().is_err() {
            return Test::Pass;
        }
        let key = serde_json::to_vec(&candidate).unwrap_or_default();
        if self.rejected.contains(&key) {
            return Test::Pass;
        }
        if self.used >= self.max {
            self.exhausted = true;
            return Test::Exhausted;
        }
        self.used += 1;
        match self.oracle.run(&candidate) {
            Some(found) if found.sim_ns <= self.limit_ns => {
                self.best = found;
                Test::Fail
            }
            _ => {
                self.rejected.insert(key);
                Test::Pass
            }
        }
    }

    fn faults(&mut self) {
        let base = self.best.config.clone();
        let all = units::units(&base.faults.schedule);
        ddmin(&all, &mut |chosen: &[units::Unit]| {
            let mut c = base.clone();
            c.faults.schedule = units::select(&base.faults.schedule, chosen);
            self.test(c)
        });
    }

    /// Reduce one number of the configuration, read by `get` and written by `set`.
    fn number(
        &mut self,
        get: fn(&RunConfig) -> Option<u64>,
        set: fn(&mut RunConfig, u64),
        slack: Slack,
    ) {
        let Some(start) = get(&self.best.config) else {
            return;
        };
        reduce(start, 1, slack, &mut |v| {
            let mut c = self.best.config.clone();
            set(&mut c, v);
            self.test(c)
        });
    }

    fn ops(&mut self) {
        self.number(
            |c| c.workload.ops,
            |c, v| c.workload.ops = Some(v),
            Slack::EIGHTH,
        );
        self.number(
            |c| c.workload.duration_ms,
            |c, v| c.workload.duration_ms = Some(v),
            Slack::EIGHTH,
        );
    }

    fn clients(&mut self) {
        self.number(
            |c| Some(c.workload.clients as u64),
            |c, v| c.workload.clients = v as usize,
            Slack::EXACT,
        );
    }

    fn keys(&mut self) {
        self.number(
            |c| Some(c.workload.keys),
            |c, v| c.workload.keys = v,
            Slack::EXACT,
        );
    }

    /// Take nodes out one at a time, the last first, while one can go.
    fn nodes(&mut self) {
        if self.best.config.system.is_some() {
            // Another system under test names its own nodes: the configuration cannot remove one.
            return;
        }
        'again: loop {
            let names: Vec<String> = self.best.config.store.nodes.iter().rev().cloned().collect();
            for name in names {
                let Some(c) = nodes::without_node(&self.best.config, &name) else {
                    continue;
                };
                match self.test(c) {
                    Test::Fail => continue 'again,
                    Test::Exhausted => return,
                    Test::Pass => {}
                }
            }
            return;
        }
    }

    /// Halve each fault's window while the failure persists.
    fn windows(&mut self) {
        let mut k = 0;
        while let Some(&w) = units::windows(&self.best.config.faults.schedule).get(k) {
            let start = w.length.as_millis() as u64;
            reduce(start, 1, Slack::HALVING, &mut |ms| {
                let mut c = self.best.config.clone();
                c.faults.schedule =
                    units::with_window(&c.faults.schedule, w, Duration::from_millis(ms));
                self.test(c)
            });
            if self.exhausted {
                return;
            }
            k += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::outcome::Signature;
    use crate::sim::schedule::{Fault, NodeSel, Schedule, Step};

    fn n(s: &str) -> NodeSel {
        NodeSel::Named(s.to_string())
    }

    fn step(ms: u64, fault: Fault) -> Step {
        Step {
            at: Duration::from_millis(ms),
            fault,
            line: 0,
        }
    }

    fn sig(kind: &str) -> Signature {
        Signature {
            checker: "invariants".into(),
            kind: kind.into(),
            mechanisms: vec![],
        }
    }

    /// Fails when n2 is crashed for at least 100 ms, with at least 37 operations, 2 clients and
    /// node n3 present; simulated time grows with the operations and the schedule's end.
    struct Fake {
        calls: Vec<RunConfig>,
    }

    fn found(cfg: &RunConfig) -> Found {
        let ops = cfg.workload.ops.unwrap_or(0);
        Found {
            config: cfg.clone(),
            signature: sig("ack-not-durable"),
            sim_ns: ops * 1_000_000 + cfg.faults.schedule.end().as_nanos() as u64,
            ops,
        }
    }

    impl Oracle for Fake {
        fn run(&mut self, cfg: &RunConfig) -> Option<Found> {
            self.calls.push(cfg.clone());
            let s = &cfg.faults.schedule.steps;
            let crash = s.iter().position(|x| x.fault == Fault::Crash(n("n2")))?;
            let long = s[crash + 1..]
                .iter()
                .find(|x| x.fault == Fault::Restart(n("n2")))
                .is_none_or(|r| r.at - s[crash].at >= Duration::from_millis(100));
            let w = &cfg.workload;
            let fails =
                long && w.ops? >= 37 && w.clients >= 2 && cfg.store.nodes.iter().any(|x| x == "n3");
            fails.then(|| found(cfg))
        }
    }

    fn original() -> RunConfig {
        let mut cfg = RunConfig::new(9);
        let mut steps = Vec::new();
        for (i, node) in ["n1", "n4", "n2", "n5", "n3"].iter().enumerate() {
            let t = 100 + 1000 * i as u64;
            steps.push(step(t, Fault::Crash(n(node))));
            steps.push(step(t + 800, Fault::Restart(n(node))));
        }
        steps.push(step(6000, Fault::Loss { rate: 0.1 }));
        cfg.faults.schedule = Schedule {
            name: "x".into(),
            steps,
        };
        cfg.workload.ops = Some(1000);
        cfg.validate().unwrap();
        cfg
    }

    fn run(max_runs: u64) -> (Shrunk, Vec<RunConfig>) {
        let cfg = original();
        let mut fake = Fake { calls: Vec::new() };
        let start = fake.run(&cfg).expect("the original fails");
        fake.calls.clear();
        let out = shrink(start, &mut fake, Options { max_runs }, &mut |_| {});
        (out, fake.calls)
    }

    #[test]
    fn every_dimension_shrinks_to_what_the_failure_needs() {
        let (out, calls) = run(500);
        assert!(!out.exhausted);
        let c = &out.best.config;
        let steps: Vec<String> = c
            .faults
            .schedule
            .steps
            .iter()
            .map(|s| s.describe())
            .collect();
        assert_eq!(steps, vec!["2.1s crash n2", "2.2s restart n2"]);
        assert!((37..=37 + 37 / 8 + 1).contains(&c.workload.ops.unwrap()));
        assert_eq!(c.workload.clients, 2);
        assert_eq!(c.workload.keys, 1);
        assert_eq!(c.store.nodes, vec!["n1", "n2", "n3"]);
        assert!(Size::of(&out.best).within(&Size::of(&out.original)));
        assert_eq!(out.runs, 1 + calls.len() as u64);
        let passes: Vec<&str> = out.changes.iter().map(|c| c.pass).collect();
        assert_eq!(
            &passes[..6],
            &["faults", "ops", "clients", "keys", "nodes", "windows"]
        );
        // Never the seed.
        assert!(calls.iter().all(|c| c.seed == 9));
        // Nothing run twice.
        let distinct: BTreeSet<String> = calls
            .iter()
            .map(|c| serde_json::to_string(c).unwrap())
            .collect();
        assert_eq!(distinct.len(), calls.len());
    }

    #[test]
    fn the_same_input_gives_the_same_candidates_and_result() {
        let (a, ca) = run(500);
        let (b, cb) = run(500);
        assert_eq!(a, b);
        assert_eq!(ca, cb);
    }

    #[test]
    fn the_budget_counts_runs_and_stops_with_a_failing_run() {
        let (out, calls) = run(10);
        assert!(out.exhausted);
        assert_eq!(out.runs, 10);
        assert_eq!(calls.len(), 9);
        let mut fake = Fake { calls: Vec::new() };
        assert!(
            fake.run(&out.best.config).is_some(),
            "the result still fails"
        );
        assert!(Size::of(&out.best).within(&Size::of(&out.original)));
    }

    #[test]
    fn a_slower_or_different_failure_is_not_accepted() {
        struct Slower;
        impl Oracle for Slower {
            fn run(&mut self, cfg: &RunConfig) -> Option<Found> {
                let mut f = found(cfg);
                f.sim_ns = u64::MAX;
                Some(f)
            }
        }
        let cfg = original();
        let start = found(&cfg);
        let out = shrink(
            start.clone(),
            &mut Slower,
            Options { max_runs: 50 },
            &mut |_| {},
        );
        assert_eq!(out.best, start);
        assert!(out.changes.is_empty());
    }
}
