//! `quorumlab fuzz`: a campaign over many seeds (see [`crate::campaign`]), and `quorumlab fuzz
//! merge DIR…` to merge the campaign directories of several shards into one grouped report.
//!
//! Swarm by default: each seed draws its faults (every kind but clock skew, unless `--nemesis` or
//! `--schedule` says otherwise) and its workload shape (unless `--no-swarm`, or a flag fixes a
//! dimension). Exit 0 when no seed failed, 1 when any did (in this or an earlier session of the
//! campaign), 2 for bad input.

use super::run_args::RunArgs;
use super::Mode;
use crate::campaign::runner::{self, Options};
use crate::campaign::seeds::SeedRange;
use crate::campaign::shard::Shard;
use crate::campaign::{groups, store, Campaign, Progress, Regressions};
use crate::sim::plan::FaultPlan;
use crate::sim::schedule::FaultKind;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `quorumlab fuzz`.
#[derive(Args, Debug, Clone)]
#[command(args_conflicts_with_subcommands = true)]
pub struct FuzzArgs {
    #[command(subcommand)]
    command: Option<FuzzCommand>,
    /// Seeds to run: A..B (inclusive), or A.. with --time-budget [default: 1..100].
    #[arg(long, value_parser = parse_seeds)]
    seeds: Option<SeedRange>,
    /// Stop handing out seeds after this much wall-clock time (e.g. 30m, 1h).
    #[arg(long, value_parser = parse_budget)]
    time_budget: Option<u64>,
    /// Simulations at once (one OS thread each) [default: the machine's parallelism].
    #[arg(long)]
    jobs: Option<usize>,
    /// This machine's share of the seeds: I/N (shards never overlap).
    #[arg(long, value_parser = parse_shard)]
    shard: Option<Shard>,
    /// Continue the campaign in this directory (after an interruption or a kill).
    #[arg(long, value_name = "DIR")]
    resume: Option<PathBuf>,
    /// Rerun these first: a file of seeds (one per line), or a directory of recorded runs.
    #[arg(long, value_name = "PATH")]
    regressions: Option<PathBuf>,
    /// Run this fraction of the seeds twice and compare their histories (e.g. 0.05).
    #[arg(long, value_name = "P", value_parser = parse_fraction, default_value_t = 0.0)]
    check_determinism: f64,
    /// Keep the workload as the flags say (do not draw its shape per seed).
    #[arg(long)]
    no_swarm: bool,
    /// No progress display.
    #[arg(long)]
    quiet: bool,
    /// Campaign directory [default: OUT/fuzz/NAME/SEEDS[-shard-I-of-N]].
    #[arg(long = "campaign", value_name = "DIR")]
    campaign_dir: Option<PathBuf>,
    /// What every seed runs (the flags of `quorumlab run`).
    #[command(flatten)]
    run: Box<RunArgs>,
}

#[derive(Subcommand, Debug, Clone)]
enum FuzzCommand {
    /// Merge campaign directories (e.g. one per CI shard) into one grouped report.
    Merge(MergeArgs),
}

/// Arguments of `quorumlab fuzz merge`.
#[derive(Args, Debug, Clone)]
struct MergeArgs {
    /// Campaign directories.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Write `groups.json` and `report.txt` here.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn parse_seeds(s: &str) -> Result<SeedRange, String> {
    s.parse()
        .map_err(|e: crate::campaign::seeds::BadSeeds| e.to_string())
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    s.parse()
        .map_err(|e: crate::campaign::shard::BadShard| e.to_string())
}

fn parse_budget(s: &str) -> Result<u64, String> {
    let d = super::check::parse_duration(s)?;
    if d.as_secs() == 0 {
        return Err(format!(
            "{:?} is shorter than a second",
            s.chars().take(80).collect::<String>()
        ));
    }
    Ok(d.as_secs())
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "{:?} is not a fraction between 0 and 1",
            s.chars().take(80).collect::<String>()
        )),
    }
}

/// Run `quorumlab fuzz`; returns the exit code.
pub fn run(args: FuzzArgs) -> i32 {
    run_to(args, &mut std::io::stderr(), Mode::Execute)
}

/// Run `quorumlab fuzz` (or only validate its input: [`Mode::Validate`] builds the campaign
/// without creating its directory and runs nothing), error messages to `err`.
pub fn run_to(args: FuzzArgs, err: &mut dyn Write, mode: Mode) -> i32 {
    if let Some(FuzzCommand::Merge(m)) = &args.command {
        return if mode == Mode::Validate {
            0
        } else {
            merge(m, err)
        };
    }
    let (dir, mut campaign) = match prepare(&args, mode) {
        Ok(x) => x,
        Err(e) => {
            let _ = writeln!(err, "quorumlab fuzz: {}", super::edge(&e.to_string()));
            return 2;
        }
    };
    if mode == Mode::Validate {
        return 0;
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let opts = Options {
        jobs,
        quiet: args.quiet,
        runner: None,
    };
    match runner::run(&dir, &mut campaign, opts) {
        Ok(summary) => {
            print!("{}", summary.report);
            let secs = summary.elapsed.as_secs_f64().max(1e-9);
            println!(
                "campaign directory: {} ({} runs in {:.1} s this session, {:.2} seeds/s with {jobs} \
                 job(s); resume with quorumlab fuzz --resume {})",
                dir.display(),
                summary.runs,
                secs,
                summary.runs as f64 / secs,
                dir.display()
            );
            i32::from(!summary.groups.is_empty())
        }
        Err(e) => {
            let _ = writeln!(err, "quorumlab fuzz: {}", super::edge(&e.to_string()));
            2
        }
    }
}

/// The campaign directory and its campaign: resumed, or started from the flags.
fn prepare(args: &FuzzArgs, mode: Mode) -> Result<(PathBuf, Campaign), String> {
    if let Some(dir) = &args.resume {
        let given = args.seeds.is_some()
            || args.shard.is_some()
            || args.regressions.is_some()
            || args.check_determinism > 0.0
            || args.no_swarm
            || args.campaign_dir.is_some()
            || args.run.shapes_run();
        if given {
            return Err(
                "--resume continues a campaign as it was started; only --jobs, --quiet and \
                 --time-budget go with it"
                    .to_string(),
            );
        }
        let mut campaign = store::load(dir).map_err(|e| e.to_string())?;
        if let Some(b) = args.time_budget {
            campaign.time_budget_s = Some(b);
        }
        return Ok((dir.clone(), campaign));
    }
    let run = &args.run;
    if run.seed.is_some() || run.config.is_some() {
        return Err(
            "fuzz runs many seeds of one plan: use --seeds A..B, not --seed or --config"
                .to_string(),
        );
    }
    let mut plan = run.plan().map_err(|e| e.to_string())?;
    if plan.faults == FaultPlan::None {
        plan.faults = FaultPlan::Kinds(FaultKind::SAFE.to_vec());
    }
    if args.no_swarm {
        plan.swarm = None;
    } else if plan.swarm.is_none() {
        let mut fixing = (**run).clone();
        fixing.swarm = true;
        plan.swarm = fixing.plan().map_err(|e| e.to_string())?.swarm;
    }
    let seeds = match (args.seeds, args.time_budget) {
        (Some(s), _) => s,
        (None, Some(_)) => SeedRange {
            start: 1,
            end: None,
        },
        (None, None) => SeedRange {
            start: 1,
            end: Some(100),
        },
    };
    if seeds.end.is_none() && args.time_budget.is_none() {
        return Err("an open seed range A.. needs --time-budget".to_string());
    }
    plan.for_seed(seeds.start).map_err(|e| e.to_string())?;
    let regressions = match &args.regressions {
        Some(p) => store::read_regressions(p).map_err(|e| e.to_string())?,
        None => Regressions::default(),
    };
    let shard = args.shard.unwrap_or(Shard::ALL);
    let dir = match &args.campaign_dir {
        Some(d) => d.clone(),
        None => {
            let name = run.name.clone().unwrap_or_else(|| {
                let cfg = plan
                    .for_seed(seeds.start)
                    .map(|c| super::run_args::derived_name(&c));
                cfg.unwrap_or_else(|_| "campaign".to_string())
            });
            let mut leaf = seeds.to_string().replace("..", "-");
            if shard.count > 1 {
                leaf.push_str(&format!("-shard-{}-of-{}", shard.index, shard.count));
            }
            run.out.join("fuzz").join(name).join(leaf)
        }
    };
    let campaign = Campaign {
        version: env!("CARGO_PKG_VERSION").to_string(),
        plan,
        seeds,
        time_budget_s: args.time_budget,
        shard,
        check_determinism: args.check_determinism,
        regressions,
        progress: Progress::default(),
    };
    if mode == Mode::Execute {
        store::create(&dir, &campaign).map_err(|e| e.to_string())?;
    }
    Ok((dir, campaign))
}

/// `quorumlab fuzz merge`.
fn merge(m: &MergeArgs, err: &mut dyn Write) -> i32 {
    let mut failures = Vec::new();
    let mut runs = 0;
    for dir in &m.dirs {
        let loaded = store::load(dir).and_then(|c| Ok((c, store::load_failures(dir)?)));
        match loaded {
            Ok((c, fs)) => {
                runs += c.progress.runs;
                failures.extend(fs.into_iter().map(|mut f| {
                    f.dir = Path::new(dir).join(&f.dir).display().to_string();
                    f
                }));
            }
            Err(e) => {
                let _ = writeln!(err, "quorumlab fuzz merge: {}", super::edge(&e.to_string()));
                return 2;
            }
        }
    }
    let text = match &m.out {
        Some(out) => {
            if let Err(e) = std::fs::create_dir_all(out) {
                let _ = writeln!(
                    err,
                    "quorumlab fuzz merge: {}: {e}",
                    crate::sim::show::path(out)
                );
                return 2;
            }
            match store::write_report(out, &failures, runs) {
                Ok((_, text)) => text,
                Err(e) => {
                    let _ = writeln!(err, "quorumlab fuzz merge: {}", super::edge(&e.to_string()));
                    return 2;
                }
            }
        }
        None => groups::render(&groups::group(&failures), runs),
    };
    print!("{text}");
    i32::from(!failures.is_empty())
}
