//! `quorumlab run`: one fault-injected run of a cluster, its run directory, its summary and verdict.

use crate::sim::run::{run as run_sim, RunConfig};
use crate::sim::{judge, rundir, summary, trace};
use crate::store::config::{ConsistencyLevel, ReadRepair};
use clap::{Args, ValueEnum};
use quorumlab_checkers::suite;
use quorumlab_checkers::Validity;
use std::path::PathBuf;

/// `on` / `off` switches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

/// Arguments of `quorumlab run`.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// The run's seed: every random choice derives from it.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Base directory for run directories (`<out>/<name>/<seed>/`).
    #[arg(long, default_value = "store")]
    pub out: PathBuf,
    /// Name of the run directory (default: derived from the configuration).
    #[arg(long)]
    pub name: Option<String>,
    /// Number of store nodes.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub nodes: u16,
    /// Replication factor.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub rf: u16,
    /// Read consistency level.
    #[arg(long, default_value = "quorum", value_parser = parse_cl)]
    pub read_cl: ConsistencyLevel,
    /// Write consistency level.
    #[arg(long, default_value = "quorum", value_parser = parse_cl)]
    pub write_cl: ConsistencyLevel,
    /// Read-repair mode.
    #[arg(long, default_value = "blocking", value_parser = parse_repair)]
    pub read_repair: ReadRepair,
    /// Digest reads (one data request plus digests) or full data reads.
    #[arg(long, value_enum, default_value = "on")]
    pub digest_reads: Switch,
    /// Concurrent client processes.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub clients: u64,
    /// Number of keys.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub keys: u64,
    /// Operations in the main phase.
    #[arg(long, default_value_t = 2000)]
    pub ops: u64,
    /// Write `trace.log` (the store's tracing, stamped with simulated time) into the run directory.
    #[arg(long)]
    pub trace: bool,
    /// Fraction of reads among operations.
    #[arg(long, default_value_t = 0.5, value_parser = parse_fraction)]
    pub read_fraction: f64,
}

fn parse_cl(s: &str) -> Result<ConsistencyLevel, String> {
    s.parse()
}

fn parse_repair(s: &str) -> Result<ReadRepair, String> {
    s.parse()
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("{s:?} is not a fraction between 0 and 1")),
    }
}

impl RunArgs {
    /// The run configuration these flags describe, or why they are inconsistent.
    pub fn config(&self) -> Result<RunConfig, String> {
        if self.rf > self.nodes {
            return Err(format!(
                "--rf {} needs at least as many nodes, but --nodes is {}",
                self.rf, self.nodes
            ));
        }
        let mut cfg = RunConfig::new(self.seed);
        cfg.store.nodes = crate::store::config::StoreConfig::node_names(self.nodes as usize);
        cfg.store.rf = self.rf as usize;
        cfg.store.read_cl = self.read_cl;
        cfg.store.write_cl = self.write_cl;
        cfg.store.read_repair = self.read_repair;
        cfg.store.digest_reads = self.digest_reads == Switch::On;
        cfg.workload.clients = self.clients as usize;
        cfg.workload.keys = self.keys;
        cfg.workload.ops = self.ops;
        cfg.workload.read_fraction = self.read_fraction;
        Ok(cfg)
    }

    /// The run directory's name.
    pub fn dir_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            format!(
                "r{}-w{}-{}{}",
                self.read_cl,
                self.write_cl,
                self.read_repair,
                if self.digest_reads == Switch::On {
                    ""
                } else {
                    "-nodigest"
                }
            )
        })
    }

    /// The command line that replays this run.
    pub fn replay_command(&self) -> String {
        format!(
            "quorumlab run --seed {} --nodes {} --rf {} --read-cl {} --write-cl {} --read-repair {} --digest-reads {} --clients {} --keys {} --ops {} --read-fraction {}",
            self.seed,
            self.nodes,
            self.rf,
            self.read_cl,
            self.write_cl,
            self.read_repair,
            if self.digest_reads == Switch::On { "on" } else { "off" },
            self.clients,
            self.keys,
            self.ops,
            self.read_fraction
        )
    }
}

/// Run `quorumlab run`; returns the exit code.
pub fn run(args: RunArgs) -> i32 {
    let cfg = match args.config() {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("quorumlab run: {e}");
            return 2;
        }
    };
    let dir = rundir::run_dir(&args.out, &args.dir_name(), cfg.seed);
    let started = std::time::Instant::now();
    let result = if args.trace {
        std::fs::create_dir_all(&dir)
            .and_then(|_| trace::with_trace(&dir.join("trace.log"), || run_sim(&cfg)))
            .unwrap_or_else(|e| Err(format!("{}: {e}", dir.display())))
    } else {
        run_sim(&cfg)
    };
    let out = match result {
        Ok(out) => out,
        Err(e) => {
            eprintln!("quorumlab run: the simulation failed: {e}");
            return 2;
        }
    };
    let wall = started.elapsed().as_secs_f64();
    print!("{}", summary::render(&out, wall));
    let verdict = match judge::judge(&out.history, &out.final_state, None) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("quorumlab run: the recorded history is malformed: {e}");
            return 2;
        }
    };
    let replay = args.replay_command();
    if let Err(e) = rundir::write_run(
        &dir,
        &args.out,
        &out,
        replay.clone(),
        Some(&verdict.results),
    ) {
        eprintln!("quorumlab run: {}: {e}", dir.display());
        return 2;
    }
    println!("run directory: {}", dir.display());
    print!("{}", suite::render(&verdict));
    if verdict.results.valid != Validity::Valid {
        println!("replay: {replay}");
    }
    verdict.results.valid.exit_code()
}
