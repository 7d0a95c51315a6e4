//! Simulated client operations per wall second: our cluster against a raw turmoil baseline with
//! the same shape, measured in the same process.
//!
//! - `quorumlab`: 2 000 operations, 10 clients, 5 nodes, RF 3, QUORUM/QUORUM, blocking repair,
//!   digest reads (the default run, without quiesce and final reads).
//! - `raw-turmoil`: the same hosts, clients, think times, latency and operation mix, with a bare
//!   request/response protocol over turmoil TCP (16-byte frames, no serde, no storage): a client
//!   sends to its coordinator, which forwards to the key's three replicas (itself directly when it is
//!   one) and answers after two replies (writes: three sends; reads: two).
//!
//! The ratio quorumlab / raw-turmoil is the figure that matters (criterion prints both throughputs).
//!
//! Issue 13 adds, each beside its baseline from the same run, with a ratio table at the end:
//! - `fixed-pattern`: a fixed raw-turmoil pattern — 16 concurrent client tasks on one client host,
//!   each sending to a coordinator that sends 3 requests to the key's replicas and answers after
//!   2 replies, latency 1–5 ms, no think time — against our cluster with the same clients,
//!   latency and no think time (`--latency-ms 1..5`). Target: ≥ 0.5.
//! - `seeds`: seeds per second of the default faulted 1 000-op run (`--nemesis
//!   partition,crash,loss,latency,pause`, judged, everything a campaign does per seed), on one
//!   thread and on two (2 seeds per iteration), beside a one-operation run without faults (the
//!   per-seed start-up cost). Targets: ≥ 10 seeds/s on one core, ≥ 1.8× that with 2 jobs.
//!   Beside them, turmoil's floor: the same hosts stepped through 10 000 idle 1 ms ticks; the
//!   summary multiplies it by the mean simulated length of the faulted seeds measured, the least a
//!   seed can cost in ticks alone.
//!
//! Run: `cargo bench --bench throughput` (add a group name to filter, e.g. `-- seeds`).

use clap::Parser;
use criterion::{Criterion, Throughput};
use quorumlab::cli::run_args::RunArgs;
use quorumlab::sim::outcome::run_and_judge;
use quorumlab::sim::run::{run, RunConfig};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use turmoil::net::{TcpListener, TcpStream};

const OPS: u64 = 2000;
const CLIENTS: usize = 10;
const NODES: usize = 5;
const PORT: u16 = 7000;

fn our_cluster(seed: u64) {
    let mut cfg = RunConfig::new(seed);
    cfg.workload.ops = Some(OPS);
    cfg.workload.clients = CLIENTS;
    cfg.phases.quiesce_min_ms = 0;
    cfg.phases.quiesce_max_ms = 0;
    cfg.phases.final_reads = false;
    let out = run(&cfg).expect("run");
    assert!(out.history.len() as u64 >= 2 * OPS);
}

type Waiters = Rc<RefCell<BTreeMap<u64, oneshot::Sender<u64>>>>;

/// A multiplexed connection: frames are `[id u64][payload u64]`, big-endian.
struct Link {
    tx: mpsc::UnboundedSender<[u8; 16]>,
    waiters: Waiters,
    next: Cell<u64>,
}

impl Link {
    async fn open(peer: String) -> Rc<Link> {
        let stream = TcpStream::connect((peer.as_str(), PORT))
            .await
            .expect("connect");
        let (mut rd, mut wr) = stream.into_split();
        let (tx, mut rx) = mpsc::unbounded_channel::<[u8; 16]>();
        tokio::task::spawn_local(async move {
            while let Some(f) = rx.recv().await {
                if wr.write_all(&f).await.is_err() {
                    break;
                }
            }
        });
        let waiters: Waiters = Rc::default();
        let w = waiters.clone();
        tokio::task::spawn_local(async move {
            let mut f = [0u8; 16];
            while rd.read_exact(&mut f).await.is_ok() {
                let id = u64::from_be_bytes(f[..8].try_into().unwrap());
                let v = u64::from_be_bytes(f[8..].try_into().unwrap());
                if let Some(s) = w.borrow_mut().remove(&id) {
                    let _ = s.send(v);
                }
            }
        });
        Rc::new(Link {
            tx,
            waiters,
            next: Cell::new(0),
        })
    }

    async fn call(&self, payload: u64) -> u64 {
        let id = self.next.get();
        self.next.set(id + 1);
        let (s, r) = oneshot::channel();
        self.waiters.borrow_mut().insert(id, s);
        let mut f = [0u8; 16];
        f[..8].copy_from_slice(&id.to_be_bytes());
        f[8..].copy_from_slice(&payload.to_be_bytes());
        let _ = self.tx.send(f);
        r.await.unwrap_or(0)
    }
}

/// Payload: bit 63 = "from a client" (coordinate), bit 62 = write, low bits = key.
async fn raw_node(me: usize) -> turmoil::Result {
    let listener = TcpListener::bind(("0.0.0.0", PORT)).await?;
    let links: Rc<RefCell<BTreeMap<usize, Rc<Link>>>> = Rc::default();
    loop {
        let (stream, _) = listener.accept().await?;
        let links = links.clone();
        tokio::task::spawn_local(async move {
            let (mut rd, wr) = stream.into_split();
            let wr = Rc::new(RefCell::new(Some(wr)));
            let (tx, mut rx) = mpsc::unbounded_channel::<[u8; 16]>();
            tokio::task::spawn_local(async move {
                let mut w = wr.borrow_mut().take().unwrap();
                while let Some(f) = rx.recv().await {
                    if w.write_all(&f).await.is_err() {
                        break;
                    }
                }
            });
            let mut f = [0u8; 16];
            while rd.read_exact(&mut f).await.is_ok() {
                let tx = tx.clone();
                let links = links.clone();
                tokio::task::spawn_local(async move {
                    let v = u64::from_be_bytes(f[8..].try_into().unwrap());
                    if v >> 63 == 1 {
                        let key = (v & 0xffff) as usize;
                        let write = (v >> 62) & 1 == 1;
                        let replicas: Vec<usize> = (0..3).map(|i| (key + i) % NODES).collect();
                        let fanout = if write { 3 } else { 2 };
                        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<()>();
                        for &r in replicas.iter().take(fanout) {
                            let done_tx = done_tx.clone();
                            if r == me {
                                let _ = done_tx.send(());
                                continue;
                            }
                            let existing = links.borrow().get(&r).cloned();
                            let link = match existing {
                                Some(l) => l,
                                None => {
                                    let l = Link::open(format!("n{}", r + 1)).await;
                                    links.borrow_mut().insert(r, l.clone());
                                    l
                                }
                            };
                            tokio::task::spawn_local(async move {
                                link.call(key as u64).await;
                                let _ = done_tx.send(());
                            });
                        }
                        drop(done_tx);
                        done_rx.recv().await;
                        done_rx.recv().await;
                    }
                    let _ = tx.send(f);
                });
            }
        });
    }
}

/// A bare turmoil simulation for the raw baselines: 1 ms ticks, latency 1..`max_latency_ms`, the
/// epoch and TCP capacity our cluster uses.
fn raw_sim(seed: u64, max_latency_ms: u64) -> turmoil::Sim<'static> {
    turmoil::Builder::new()
        .rng_seed(seed)
        .epoch(std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        .tick_duration(Duration::from_millis(1))
        .min_message_latency(Duration::from_millis(1))
        .max_message_latency(Duration::from_millis(max_latency_ms))
        .simulation_duration(Duration::from_secs(3600))
        .tcp_capacity(4096)
        .build()
}

fn raw_turmoil(seed: u64) {
    let mut sim = raw_sim(seed, 50);
    for n in 0..NODES {
        sim.host(format!("n{}", n + 1).as_str(), move || raw_node(n));
    }
    let remaining = Rc::new(Cell::new(OPS));
    let rng = Rc::new(RefCell::new(ChaCha8Rng::seed_from_u64(seed)));
    for c in 0..CLIENTS {
        let remaining = remaining.clone();
        let rng = rng.clone();
        sim.client(format!("c{c}").as_str(), async move {
            let link = Link::open(format!("n{}", c % NODES + 1)).await;
            while remaining.get() > 0 {
                remaining.set(remaining.get() - 1);
                let (key, write, think) = {
                    let mut r = rng.borrow_mut();
                    (
                        r.random_range(0..8u64),
                        r.random_bool(0.5),
                        r.random_range(0..=10u64),
                    )
                };
                link.call(1 << 63 | u64::from(write) << 62 | key).await;
                tokio::time::sleep(Duration::from_millis(think)).await;
            }
            Ok(())
        });
    }
    sim.run().expect("raw sim");
}

const FIXED_CLIENTS: usize = 16;

/// Our cluster at the fixed pattern's clients and latency, without think time.
fn our_cluster_fixed(seed: u64) {
    let mut cfg = RunConfig::new(seed);
    cfg.workload.ops = Some(OPS);
    cfg.workload.clients = FIXED_CLIENTS;
    cfg.workload.think_ms_max = 0;
    cfg.net.min_latency_ms = 1;
    cfg.net.max_latency_ms = 5;
    cfg.phases.quiesce_min_ms = 0;
    cfg.phases.quiesce_max_ms = 0;
    cfg.phases.final_reads = false;
    let out = run(&cfg).expect("run");
    assert!(out.history.len() as u64 >= 2 * OPS);
}

/// The fixed raw pattern: a coordinator that always sends 3 requests and answers after 2.
async fn raw_fixed_node(me: usize) -> turmoil::Result {
    let listener = TcpListener::bind(("0.0.0.0", PORT)).await?;
    let links: Rc<RefCell<BTreeMap<usize, Rc<Link>>>> = Rc::default();
    loop {
        let (stream, _) = listener.accept().await?;
        let links = links.clone();
        tokio::task::spawn_local(async move {
            let (mut rd, mut wr) = stream.into_split();
            let (tx, mut rx) = mpsc::unbounded_channel::<[u8; 16]>();
            tokio::task::spawn_local(async move {
                while let Some(f) = rx.recv().await {
                    if wr.write_all(&f).await.is_err() {
                        break;
                    }
                }
            });
            let mut f = [0u8; 16];
            while rd.read_exact(&mut f).await.is_ok() {
                let tx = tx.clone();
                let links = links.clone();
                tokio::task::spawn_local(async move {
                    let v = u64::from_be_bytes(f[8..].try_into().unwrap());
                    if v >> 63 == 1 {
                        let key = (v & 0xffff) as usize;
                        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<()>();
                        for r in (0..3).map(|i| (key + i) % NODES) {
                            let done_tx = done_tx.clone();
                            if r == me {
                                let _ = done_tx.send(());
                                continue;
                            }
                            let existing = links.borrow().get(&r).cloned();
                            let link = match existing {
                                Some(l) => l,
                                None => {
                                    let l = Link::open(format!("n{}", r + 1)).await;
                                    links.borrow_mut().insert(r, l.clone());
                                    l
                                }
                            };
                            tokio::task::spawn_local(async move {
                                link.call(key as u64).await;
                                let _ = done_tx.send(());
                            });
                        }
                        drop(done_tx);
                        done_rx.recv().await;
                        done_rx.recv().await;
                    }
                    let _ = tx.send(f);
                });
            }
        });
    }
}

/// 16 client tasks on one client host, no think time, latency 1–5 ms.
fn raw_turmoil_fixed(seed: u64) {
    let mut sim = raw_sim(seed, 5);
    for n in 0..NODES {
        sim.host(format!("n{}", n + 1).as_str(), move || raw_fixed_node(n));
    }
    let remaining = Rc::new(Cell::new(OPS));
    sim.client("clients", async move {
        let mut tasks = Vec::new();
        for c in 0..FIXED_CLIENTS {
            let remaining = remaining.clone();
            tasks.push(tokio::task::spawn_local(async move {
                let link = Link::open(format!("n{}", c % NODES + 1)).await;
                let mut key = c as u64;
                while remaining.get() > 0 {
                    remaining.set(remaining.get() - 1);
                    key = (key * 7 + 3) % 8;
                    link.call(1 << 63 | key).await;
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
        Ok(())
    });
    sim.run().expect("raw sim");
}

#[derive(Parser)]
struct RunCli {
    #[command(flatten)]
    run: RunArgs,
}

/// The configuration of `quorumlab run --seed SEED ARGS…`.
fn run_config(seed: u64, args: &[&str]) -> RunConfig {
    let seed = seed.to_string();
    let argv = ["run", "--seed", seed.as_str()]
        .into_iter()
        .chain(args.iter().copied());
    RunCli::try_parse_from(argv)
        .expect("run flags")
        .run
        .config()
        .expect("a config")
}

const FAULTED: [&str; 4] = [
    "--ops",
    "1000",
    "--nemesis",
    "partition,crash,loss,latency,pause",
];

/// Simulated nanoseconds and seeds of the faulted runs measured (for the floor in the summary).
static FAULTED_SIM: (AtomicU64, AtomicU64) = (AtomicU64::new(0), AtomicU64::new(0));

/// One seed as a campaign runs it: build the configuration, run, judge.
fn one_seed(seed: u64, args: &[&str]) {
    let cfg = run_config(seed, args);
    let out = run_and_judge(&cfg, false).expect("run and judge");
    assert!(!out.output.history.is_empty());
    if args == FAULTED {
        FAULTED_SIM
            .0
            .fetch_add(out.output.stats.sim_time_ns, Ordering::Relaxed);
        FAULTED_SIM.1.fetch_add(1, Ordering::Relaxed);
    }
}

/// Ticks (1 ms each) the idle baseline steps through.
const IDLE_TICKS: u64 = 10_000;

/// turmoil's floor: the default cluster's hosts (five nodes waiting on `accept`, one client host
/// asleep) stepped through [`IDLE_TICKS`] 1 ms ticks with nothing to do. Every simulated
/// millisecond of a seed costs at least this much, whatever the store does.
fn idle_ticks() {
    let mut sim = raw_sim(0, 10);
    for n in 0..NODES {
        sim.host(format!("n{}", n + 1).as_str(), || async {
            let listener = TcpListener::bind(("0.0.0.0", PORT)).await?;
            loop {
                let _ = listener.accept().await?;
            }
        });
    }
    sim.client("clients", async {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(())
    });
    for _ in 0..IDLE_TICKS {
        sim.step().expect("idle step");
    }
}

fn fixed(c: &mut Criterion) {
    let mut g = c.benchmark_group("fixed-pattern");
    g.sample_size(10);
    g.throughput(Throughput::Elements(OPS));
    let mut seed = 100;
    g.bench_function("quorumlab", |b| {
        b.iter(|| {
            seed += 1;
            our_cluster_fixed(seed)
        })
    });
    g.bench_function("raw-turmoil", |b| {
        b.iter(|| {
            seed += 1;
            raw_turmoil_fixed(seed)
        })
    });
    g.finish();
}

fn seeds(c: &mut Criterion) {
    let mut g = c.benchmark_group("seeds");
    g.sample_size(20);
    let mut seed = 1000;
    g.throughput(Throughput::Elements(1));
    g.bench_function("startup-1-op", |b| {
        b.iter(|| {
            seed += 1;
            one_seed(seed, &["--ops", "1"])
        })
    });
    g.bench_function("faulted-1000-ops", |b| {
        b.iter(|| {
            seed += 1;
            one_seed(seed, &FAULTED)
        })
    });
    g.throughput(Throughput::Elements(IDLE_TICKS));
    g.bench_function("turmoil-idle-10k-ticks", |b| b.iter(idle_ticks));
    g.throughput(Throughput::Elements(2));
    g.bench_function("faulted-1000-ops-2-jobs", |b| {
        b.iter(|| {
            seed += 2;
            let s = seed;
            std::thread::scope(|scope| {
                scope.spawn(move || one_seed(s, &FAULTED));
                scope.spawn(move || one_seed(s + 1, &FAULTED));
            });
        })
    });
    g.finish();
}

/// Mean time in ns of one benchmark from criterion's saved estimates.
fn mean_ns(group: &str, id: &str) -> Option<f64> {
    let home = std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/criterion"));
    let text =
        std::fs::read_to_string(home.join(group).join(id).join("new/estimates.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["mean"]["point_estimate"].as_f64()
}

/// The ratios, from this run's estimates.
fn summary() {
    let ratio = |group: &str, ours: &str, base: &str| {
        match (mean_ns(group, ours), mean_ns(group, base)) {
            // Throughput ratio = inverse time ratio (same operations per iteration).
            (Some(o), Some(b)) => eprintln!("{group}: {ours} / {base} throughput = {:.2}", b / o),
            _ => eprintln!("{group}: not measured in this run"),
        }
    };
    ratio("simulated-ops", "quorumlab", "raw-turmoil");
    ratio("fixed-pattern", "quorumlab", "raw-turmoil");
    if let (Some(one), Some(two), Some(start)) = (
        mean_ns("seeds", "faulted-1000-ops"),
        mean_ns("seeds", "faulted-1000-ops-2-jobs"),
        mean_ns("seeds", "startup-1-op"),
    ) {
        eprintln!(
            "seeds: faulted 1000-op run {:.1} seeds/s on 1 thread, {:.1} with 2 jobs ({:.2}x); \
             start-up (1-op run) {:.1} ms = {:.2} of a seed",
            1e9 / one,
            2e9 / two,
            (2e9 / two) / (1e9 / one),
            start / 1e6,
            start / one
        );
    }
    let (sim, runs) = (
        FAULTED_SIM.0.load(Ordering::Relaxed),
        FAULTED_SIM.1.load(Ordering::Relaxed),
    );
    if let (Some(one), Some(idle), true) = (
        mean_ns("seeds", "faulted-1000-ops"),
        mean_ns("seeds", "turmoil-idle-10k-ticks"),
        runs > 0,
    ) {
        let tick = idle / IDLE_TICKS as f64;
        let mean_ms = sim as f64 / runs as f64 / 1e6;
        eprintln!(
            "seeds: turmoil's idle floor {:.1} µs per 1 ms tick (6 hosts); a faulted seed \
             simulates {:.2} s on average ({runs} runs), so it costs at least {:.0} ms in \
             ticks alone ({:.2} of the seed): at most {:.1} seeds/s with nothing else to do",
            tick / 1e3,
            mean_ms / 1e3,
            tick * mean_ms / 1e6,
            tick * mean_ms / one,
            1e9 / (tick * mean_ms)
        );
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    fixed(&mut c);
    seeds(&mut c);
    c.final_summary();
    summary();
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("simulated-ops");
    g.sample_size(10);
    g.throughput(Throughput::Elements(OPS));
    let mut seed = 0;
    g.bench_function("quorumlab", |b| {
        b.iter(|| {
            seed += 1;
            our_cluster(seed)
        })
    });
    g.bench_function("raw-turmoil", |b| {
        b.iter(|| {
            seed += 1;
            raw_turmoil(seed)
        })
    });
    g.finish();
}
