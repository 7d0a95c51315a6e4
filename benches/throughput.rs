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

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use quorumlab::sim::run::{run, RunConfig};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
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

fn raw_turmoil(seed: u64) {
    let mut sim = turmoil::Builder::new()
        .rng_seed(seed)
        .epoch(std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        .min_message_latency(Duration::from_millis(1))
        .max_message_latency(Duration::from_millis(50))
        .simulation_duration(Duration::from_secs(3600))
        .tcp_capacity(4096)
        .build();
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

criterion_group!(benches, bench);
criterion_main!(benches);
