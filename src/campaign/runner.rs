//! Running a campaign: regressions first, then the shard's unfinished seeds in order, one
//! simulation per OS thread (`turmoil::Sim` is `!Send`: each job builds and drops its own), a
//! checkpoint every few seconds, a run directory for each failure as soon as it is found.
//!
//! A failing seed is run a second time with its event log recorded (the run is deterministic, so
//! it fails the same way) and written whole under `failures/`. A run that errors or panics is a
//! failure too (signature `run/error` or `run/panic`). With `check_determinism = P`, a fraction P
//! of the seeds (chosen by hash, so the same ones on every machine) runs twice and a differing
//! history is a failure of its own kind (`determinism/nondeterministic-history`).

use super::groups::{Failure, Group};
use super::progress::Display;
use super::{store, Campaign, CampaignError};
use crate::sim::config::RunConfig;
use crate::sim::outcome::{run_and_judge, Outcome, OutcomeError, Signature};
use std::path::Path;
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// How often `campaign.json` is rewritten while seeds finish (and after every failure).
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);

/// Runs one configuration and judges it (`true`: record events): the built-in store's
/// [`run_and_judge`] unless a campaign is given another system's.
pub type Runner<'a> = dyn Fn(&RunConfig, bool) -> Result<Outcome, OutcomeError> + Sync + 'a;

/// How a campaign session runs.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// Simulations at once (OS threads).
    pub jobs: usize,
    /// No progress display.
    pub quiet: bool,
    /// How a configuration is run (`None`: the built-in store).
    pub runner: Option<&'a Runner<'a>>,
}

/// What a session did, and the campaign's grouped failures so far.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Runs in this session.
    pub runs: u64,
    /// Failures found in this session.
    pub new_failures: u64,
    /// Every failure of the campaign, grouped.
    pub groups: Vec<Group>,
    /// The report text.
    pub report: String,
    /// Wall time of this session.
    pub elapsed: Duration,
}

/// One unit of work.
#[derive(Clone, Debug)]
enum Job {
    /// A new seed of the range.
    Seed(u64),
    /// A seed listed as a regression.
    Regression(u64),
    /// A recorded run listed as a regression.
    Config(usize, Box<RunConfig>),
}

/// Hands out jobs: regressions, then seeds, until exhausted or out of time.
struct Queue<'c> {
    campaign: &'c Campaign,
    regressions: Vec<Job>,
    next_seed: Option<u64>,
    deadline: Option<Instant>,
}

impl Queue<'_> {
    fn next(&mut self) -> Option<Job> {
        if let Some(job) = self.regressions.pop() {
            return Some(job);
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return None;
        }
        let c = self.campaign;
        loop {
            let seed = self.next_seed?;
            if !c.seeds.contains(seed) {
                self.next_seed = None;
                return None;
            }
            self.next_seed = seed.checked_add(1);
            if c.shard.contains(seed) && !c.progress.done.contains(seed) {
                return Some(Job::Seed(seed));
            }
        }
    }
}

/// What a job found.
struct JobResult {
    job: Job,
    failure: Option<Failure>,
}

/// Run (or continue) the campaign in `dir`.
pub fn run(
    dir: &Path,
    campaign: &mut Campaign,
    opts: Options<'_>,
) -> Result<Summary, CampaignError> {
    let started = Instant::now();
    let mut regressions: Vec<Job> = Vec::new();
    if !campaign.progress.regressions_done {
        regressions.extend(
            campaign
                .regressions
                .seeds
                .iter()
                .map(|&s| Job::Regression(s)),
        );
        regressions.extend(
            campaign
                .regressions
                .configs
                .iter()
                .enumerate()
                .map(|(i, c)| Job::Config(i, Box::new(c.clone()))),
        );
        regressions.reverse();
    }
    let pending_regressions = regressions.len();
    let deadline = campaign.time_budget_s.map(|b| {
        let left = (b as f64 - campaign.progress.elapsed_s).max(0.0);
        started + Duration::from_secs_f64(left)
    });
    let total = campaign.seeds.len().map(|n| {
        let in_shard = (campaign.seeds.start..=campaign.seeds.start + n - 1)
            .filter(|&s| campaign.shard.contains(s) && !campaign.progress.done.contains(s))
            .count() as u64;
        in_shard + pending_regressions as u64
    });
    let snapshot = campaign.clone();
    let queue = Mutex::new(Queue {
        campaign: &snapshot,
        regressions,
        next_seed: Some(snapshot.seeds.start),
        deadline,
    });
    let mut display = Display::new("fuzz", total, opts.quiet);
    let (tx, rx) = mpsc::channel::<JobResult>();
    let mut runs = 0u64;
    let mut new_failures = 0u64;
    let mut regressions_left = pending_regressions;
    let mut last_checkpoint = Instant::now();
    let mut error: Option<CampaignError> = None;
    std::thread::scope(|scope| {
        for _ in 0..opts.jobs.max(1) {
            let tx = tx.clone();
            let (queue, plan_campaign) = (&queue, &snapshot);
            scope.spawn(move || loop {
                let job = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                let Some(job) = job else { break };
                let failure = execute(dir, plan_campaign, &job, opts.runner);
                if tx.send(JobResult { job, failure }).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for result in rx {
            runs += 1;
            match &result.job {
                Job::Seed(s) => campaign.progress.done.insert(*s),
                Job::Regression(_) | Job::Config(..) => regressions_left -= 1,
            }
            if let Some(f) = &result.failure {
                new_failures += 1;
                campaign.progress.failures += 1;
                display.note(&format!(
                    "seed {}: {} → {}",
                    f.seed,
                    f.signature.describe(),
                    f.dir
                ));
            }
            campaign.progress.runs += 1;
            campaign.progress.regressions_done = regressions_left == 0;
            display.update(runs, new_failures);
            // A failure is worth a checkpoint at once (its directory is already written).
            if result.failure.is_some() || last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
                last_checkpoint = Instant::now();
                let mut c = campaign.clone();
                c.progress.elapsed_s += started.elapsed().as_secs_f64();
                if let Err(e) = store::checkpoint(dir, &c) {
                    error.get_or_insert(e);
                }
            }
        }
    });
    display.finish();
    campaign.progress.elapsed_s += started.elapsed().as_secs_f64();
    campaign.progress.regressions_done = regressions_left == 0;
    store::checkpoint(dir, campaign)?;
    if let Some(e) = error {
        return Err(e);
    }
    let failures = store::load_failures(dir)?;
    let (groups, report) = store::write_report(dir, &failures, campaign.progress.runs)?;
    Ok(Summary {
        runs,
        new_failures,
        groups,
        report,
        elapsed: started.elapsed(),
    })
}

/// Whether `seed` is rerun to check determinism.
pub fn rechecks(seed: u64, fraction: f64) -> bool {
    if fraction <= 0.0 {
        return false;
    }
    let h = crate::sim::seed::derive(seed, "determinism-check", 0);
    (h as f64 / u64::MAX as f64) < fraction
}

/// Run one job; on failure, write its run directory and return its record.
fn execute(dir: &Path, c: &Campaign, job: &Job, runner: Option<&Runner<'_>>) -> Option<Failure> {
    let guarded = |cfg: &RunConfig, events: bool| guarded(cfg, events, runner);
    let (cfg, name) = match job {
        Job::Seed(s) | Job::Regression(s) => match c.plan.for_seed(*s) {
            Ok(cfg) => (cfg, s.to_string()),
            Err(e) => return Some(error_failure(dir, *s, &s.to_string(), None, "config", &e)),
        },
        Job::Config(i, cfg) => (*cfg.clone(), format!("regression-{i}-seed-{}", cfg.seed)),
    };
    let seed = cfg.seed;
    let first = match guarded(&cfg, false) {
        Ok(o) => o,
        Err((kind, message)) => {
            return Some(error_failure(dir, seed, &name, Some(&cfg), kind, &message))
        }
    };
    let mut signature = first.signature.clone();
    if signature.is_none() && rechecks(seed, c.check_determinism) {
        match guarded(&cfg, false) {
            Ok(again) if again.history_hash == first.history_hash => {}
            Ok(_) => {
                signature = Some(Signature {
                    checker: "determinism".to_string(),
                    kind: "nondeterministic-history".to_string(),
                    mechanisms: Vec::new(),
                })
            }
            Err((kind, message)) => {
                return Some(error_failure(dir, seed, &name, Some(&cfg), kind, &message))
            }
        }
    }
    let signature = signature?;
    // Rerun with the event log, for the person who opens the failure.
    let recorded = guarded(&cfg, true).unwrap_or(first);
    let failure = Failure {
        seed,
        ops: recorded.output.stats.ops_main,
        fail_time_ns: fail_time(&recorded),
        signature,
        dir: format!("failures/{name}"),
    };
    if let Err(e) = store::write_failure(dir, &name, &recorded, &failure) {
        eprintln!("fuzz: could not write {}: {e}", failure.dir);
    }
    Some(failure)
}

/// The runner (`run_and_judge` by default), with a panic or an error turned into a failure kind
/// and message.
fn guarded(
    cfg: &RunConfig,
    events: bool,
    runner: Option<&Runner<'_>>,
) -> Result<Outcome, (&'static str, String)> {
    let run = || match runner {
        Some(r) => r(cfg, events),
        None => run_and_judge(cfg, events),
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(Ok(o)) => Ok(o),
        Ok(Err(e)) => Err(("error", e.to_string())),
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".to_string());
            Err(("panic", msg))
        }
    }
}

/// A run that could not complete: its configuration and the reason, as a failure.
fn error_failure(
    dir: &Path,
    seed: u64,
    name: &str,
    cfg: Option<&RunConfig>,
    kind: &str,
    message: &dyn std::fmt::Display,
) -> Failure {
    let failure = Failure {
        seed,
        signature: Signature {
            checker: "run".to_string(),
            kind: kind.to_string(),
            mechanisms: Vec::new(),
        },
        ops: 0,
        fail_time_ns: 0,
        dir: format!("failures/{name}"),
    };
    let path = dir.join(&failure.dir);
    let _ = std::fs::create_dir_all(&path);
    if let Some(cfg) = cfg {
        if let Ok(bytes) = crate::sim::rundir::to_json(cfg) {
            let _ = crate::sim::rundir::write_atomic(&path.join("run.json"), &bytes);
        }
    }
    let _ = crate::sim::rundir::write_atomic(
        &path.join("error.txt"),
        format!("{message}\n").as_bytes(),
    );
    if let Ok(bytes) = crate::sim::rundir::to_json(&failure) {
        let _ = crate::sim::rundir::write_atomic(&path.join("failure.json"), &bytes);
    }
    failure
}

/// Simulated time at which the first anomaly was complete: the time of its last operation.
fn fail_time(o: &Outcome) -> u64 {
    let Some(anomaly) = o
        .results
        .checkers
        .iter()
        .find(|v| v.valid == quorumlab_checkers::Validity::Invalid)
        .and_then(|v| v.anomalies.first())
    else {
        return o.output.stats.sim_time_ns;
    };
    anomaly
        .ops
        .iter()
        .filter_map(|&i| o.output.history.get(i as usize).and_then(|e| e.time))
        .max()
        .unwrap_or(o.output.stats.sim_time_ns)
}
