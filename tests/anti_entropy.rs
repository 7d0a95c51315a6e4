//! Merkle-tree anti-entropy against the real store: with read repair `none` and hints disabled, a
//! replica that missed writes during a partition is brought up to date by anti-entropy alone — and
//! stays stale without it; an exchange never replaces a newer cell by an older one; and it streams
//! only the cells of differing buckets.

use quorumlab::sim::client::Session;
use quorumlab::sim::cluster::{Cluster, NetConfig};
use quorumlab::store::cell::Cell;
use quorumlab::store::config::{ConsistencyLevel, ReadRepair, StoreConfig};
use quorumlab::store::merkle::{bucket_of, is_shared};
use quorumlab::store::proto::{Request, Response};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// Only anti-entropy may repair anything in these scenarios.
fn config(anti_entropy: bool) -> StoreConfig {
    let mut cfg = StoreConfig::default_cluster();
    cfg.read_repair = ReadRepair::None;
    cfg.hints.enabled = false;
    cfg.anti_entropy.enabled = anti_entropy;
    cfg
}

fn replicas(cluster: &Cluster, key: i64) -> Vec<String> {
    cluster
        .ring
        .replicas(key)
        .into_iter()
        .map(|r| cluster.ring.name(r).to_string())
        .collect()
}

fn cell(cluster: &Cluster, node: &str, key: i64) -> Option<Cell> {
    cluster
        .observed
        .borrow()
        .get(node)
        .and_then(|cells| cells.borrow().get(&key).copied())
}

/// Cut `node` off from every other store node (clients still reach it).
fn isolate(cluster: &mut Cluster, node: &str, cut: bool) {
    for other in cluster.config.nodes.clone() {
        if other != node {
            if cut {
                cluster.sim.partition(node, other.as_str());
            } else {
                cluster.sim.repair(node, other.as_str());
            }
        }
    }
}

/// `(key, value, answer)` of each write.
type Answers = Vec<(i64, i64, Response)>;

/// Write `(key, value)` pairs one after the other through `via`; returns every answer.
fn write_all(cluster: &mut Cluster, via: &str, writes: Vec<(i64, i64)>) -> Answers {
    let out: Rc<RefCell<Option<Answers>>> = Rc::default();
    let (sink, cfg, via) = (out.clone(), cluster.config.clone(), via.to_string());
    thread_local!(static WRITERS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });
    let n = WRITERS.with(|w| w.replace(w.get() + 1));
    let name = format!("writer-{n}");
    cluster.sim.client(name.as_str(), async move {
        let s = Session::new(
            &via,
            cfg.port,
            Duration::from_millis(200),
            Duration::from_secs(2),
        );
        let mut answers = Vec::new();
        for (key, value) in writes {
            let answer = s.call(Request::ClientWrite { key, value }).await?;
            answers.push((key, value, answer));
        }
        sink.replace(Some(answers));
        Ok(())
    });
    while out.borrow().is_none() {
        cluster.step().expect("simulation failed");
        assert!(cluster.elapsed() < Duration::from_secs(60), "writer stuck");
    }
    let answers = out.borrow_mut().take().unwrap();
    answers
}

/// The acknowledged cell of each write (panics on any other answer).
fn acked(answers: Answers) -> Vec<(i64, Cell)> {
    answers
        .into_iter()
        .map(|(key, value, answer)| match answer {
            Response::WriteOk { ts } => (key, Cell { value, ts }),
            other => panic!("write of {value} to key {key} not acknowledged: {other:?}"),
        })
        .collect()
}

fn step_for(cluster: &mut Cluster, d: Duration) {
    let until = cluster.elapsed() + d;
    while cluster.elapsed() < until {
        cluster.step().expect("simulation failed");
    }
}

/// Step until `done` holds or `limit` passes; returns the time it took, if it held.
fn step_until(
    cluster: &mut Cluster,
    limit: Duration,
    mut done: impl FnMut(&Cluster) -> bool,
) -> Option<Duration> {
    let start = cluster.elapsed();
    while !done(cluster) {
        if cluster.elapsed() - start >= limit {
            return None;
        }
        cluster.step().expect("simulation failed");
    }
    Some(cluster.elapsed() - start)
}

struct Totals {
    rounds: u64,
    streamed: u64,
    repaired: u64,
}

fn totals(cluster: &Cluster) -> Totals {
    Totals {
        rounds: cluster.total(|m| &m.ae_rounds),
        streamed: cluster.total(|m| &m.ae_cells_streamed),
        repaired: cluster.total(|m| &m.cells_repaired_ae),
    }
}

const KEYS: i64 = 24;
const VICTIM: &str = "n1";

/// Isolate `n1`, write keys `0..KEYS` through `n2`, heal, and wait up to 10 s for every replica of
/// every key to agree. Returns (time to converge, acknowledged cells, stale replicas at heal).
fn partition_then_heal(seed: u64, ae: bool) -> (Cluster, Option<Duration>, Vec<(i64, Cell)>, u64) {
    let mut cluster = Cluster::new(seed, config(ae), &NetConfig::default()).unwrap();
    isolate(&mut cluster, VICTIM, true);
    let written = acked(write_all(
        &mut cluster,
        "n2",
        (0..KEYS).map(|k| (k, 100 + k)).collect(),
    ));
    step_for(&mut cluster, Duration::from_millis(500));
    let stale = written
        .iter()
        .filter(|(key, _)| replicas(&cluster, *key).contains(&VICTIM.to_string()))
        .inspect(|(key, _)| assert_eq!(cell(&cluster, VICTIM, *key), None, "key {key}"))
        .count() as u64;
    assert!(
        stale > 0,
        "seed {seed}: {VICTIM} replicates none of the keys"
    );
    assert!(!cluster.converged(KEYS as u64));
    isolate(&mut cluster, VICTIM, false);
    let took = step_until(&mut cluster, Duration::from_secs(10), |c| {
        c.converged(KEYS as u64)
    });
    (cluster, took, written, stale)
}

#[test]
fn anti_entropy_alone_brings_every_replica_to_the_written_cell() {
    for seed in [1u64, 2, 3] {
        let (cluster, took, written, stale) = partition_then_heal(seed, true);
        let took = took.unwrap_or_else(|| panic!("seed {seed}: no convergence within 10 s"));
        for (key, w) in &written {
            for r in replicas(&cluster, *key) {
                assert_eq!(
                    cell(&cluster, &r, *key),
                    Some(*w),
                    "seed {seed} key {key} on {r}"
                );
            }
        }
        let t = totals(&cluster);
        println!(
            "seed {seed}: {stale} stale replica cells converged in {took:?} after heal; \
             {} rounds, {} cells streamed, {} cells repaired",
            t.rounds, t.streamed, t.repaired
        );
        // Each stale cell was replaced exactly once, and only by anti-entropy.
        assert_eq!(t.repaired, stale, "seed {seed}");
        assert_eq!(cluster.total(|m| &m.cells_repaired_read), 0);
        assert_eq!(cluster.total(|m| &m.cells_repaired_hint), 0);
        // Every repaired cell crossed the wire; duplicates come only from exchanges that ran
        // concurrently with another peer of the victim.
        assert!(
            t.streamed >= stale && t.streamed <= 3 * stale,
            "seed {seed}: {} cells streamed for {stale} stale cells",
            t.streamed
        );
    }
}

#[test]
fn without_anti_entropy_the_isolated_replica_stays_stale() {
    let (cluster, took, written, stale) = partition_then_heal(1, false);
    assert_eq!(took, None, "converged without any repair mechanism");
    let missing = written
        .iter()
        .filter(|(key, _)| replicas(&cluster, *key).contains(&VICTIM.to_string()))
        .filter(|(key, _)| cell(&cluster, VICTIM, *key).is_none())
        .count() as u64;
    assert_eq!(missing, stale);
    let t = totals(&cluster);
    assert_eq!((t.rounds, t.streamed, t.repaired), (0, 0, 0));
}

#[test]
fn one_stale_key_streams_only_its_bucket() {
    let mut cluster = Cluster::new(4, config(true), &NetConfig::default()).unwrap();
    let depth = cluster.config.anti_entropy.depth;
    acked(write_all(
        &mut cluster,
        "n2",
        (0..40).map(|k| (k, k)).collect(),
    ));
    step_until(&mut cluster, Duration::from_secs(10), |c| c.converged(40))
        .expect("initial writes did not reach every replica");
    let key = (0..40)
        .find(|&k| replicas(&cluster, k).contains(&VICTIM.to_string()))
        .unwrap();
    let coordinator = replicas(&cluster, key)
        .into_iter()
        .find(|r| r != VICTIM)
        .unwrap();
    isolate(&mut cluster, VICTIM, true);
    let before = totals(&cluster);
    let [(_, w)] = acked(write_all(&mut cluster, &coordinator, vec![(key, 1000)]))[..] else {
        unreachable!()
    };
    isolate(&mut cluster, VICTIM, false);
    let took = step_until(&mut cluster, Duration::from_secs(10), |c| {
        cell(c, VICTIM, key) == Some(w) && c.converged(40)
    })
    .expect("the stale key did not converge");
    step_for(&mut cluster, Duration::from_secs(2));
    let after = totals(&cluster);
    let streamed = after.streamed - before.streamed;
    // What one exchange of the victim with one fresh peer may stream: the peer's cells of the
    // key's bucket in the range they share (in or out), plus the one newer cell (out or in). Two
    // fresh peers may each run one before the victim is repaired.
    let victim = cluster.ring.id(VICTIM).unwrap();
    let bucket_cells = |peer: &str| {
        let peer_id = cluster.ring.id(peer).unwrap();
        (0..40)
            .filter(|&k| bucket_of(k, depth) == bucket_of(key, depth))
            .filter(|&k| is_shared(&cluster.ring, victim, peer_id, k))
            .count() as u64
    };
    let per_exchange = replicas(&cluster, key)
        .iter()
        .filter(|r| *r != VICTIM)
        .map(|r| bucket_cells(r))
        .max()
        .unwrap();
    println!(
        "one stale key: converged {took:?} after heal; {} rounds, {streamed} cells streamed \
         (bucket holds {per_exchange} shared cells), {} repaired",
        after.rounds - before.rounds,
        after.repaired - before.repaired
    );
    assert_eq!(
        after.repaired - before.repaired,
        1,
        "exactly the stale cell"
    );
    assert!(streamed >= 1);
    assert!(
        streamed <= 2 * (per_exchange + 1),
        "{streamed} cells streamed for one stale key (bucket of {per_exchange})"
    );
}

#[test]
fn a_newer_cell_is_never_replaced_by_an_older_one_during_exchange() {
    let mut cfg = config(true);
    // Writes at ONE let a replica cut off from its peers accept a write alone.
    cfg.write_cl = ConsistencyLevel::One;
    let mut cluster = Cluster::new(7, cfg, &NetConfig::default()).unwrap();
    // k1: the isolated replica will hold the newest cell; k2: its peers will.
    let c = VICTIM.to_string();
    let mine: Vec<i64> = (0..200)
        .filter(|&k| replicas(&cluster, k).contains(&c))
        .take(2)
        .collect();
    let (k1, k2) = (mine[0], mine[1]);
    let peer = replicas(&cluster, k2)
        .into_iter()
        .find(|r| *r != c)
        .unwrap();
    acked(write_all(&mut cluster, "n2", vec![(k1, 1), (k2, 1)]));
    step_until(&mut cluster, Duration::from_secs(10), |cl| {
        [k1, k2]
            .iter()
            .all(|&k| replicas(cl, k).iter().all(|r| cell(cl, r, k).is_some()))
    })
    .expect("first writes did not reach every replica");
    isolate(&mut cluster, &c, true);
    let [(_, newer_on_c)] = acked(write_all(&mut cluster, &c, vec![(k1, 2)]))[..] else {
        unreachable!()
    };
    let [(_, newer_on_peers)] = acked(write_all(&mut cluster, &peer, vec![(k2, 2)]))[..] else {
        unreachable!()
    };
    step_for(&mut cluster, Duration::from_millis(500));
    assert_eq!(cell(&cluster, &c, k1), Some(newer_on_c));
    assert!(cell(&cluster, &c, k2) < Some(newer_on_peers));
    isolate(&mut cluster, &c, false);
    // At every step, no replica's cell of k1 or k2 moves backwards, and the newer cells stay.
    let mut last: Vec<Option<Cell>> = Vec::new();
    let watch = |cl: &Cluster, last: &mut Vec<Option<Cell>>| {
        let now: Vec<Option<Cell>> = [k1, k2]
            .iter()
            .flat_map(|&k| replicas(cl, k).into_iter().map(move |r| (k, r)))
            .map(|(k, r)| cell(cl, &r, k))
            .collect();
        for (i, (before, after)) in last.iter().zip(&now).enumerate() {
            assert!(
                after >= before,
                "replica cell {i} went back: {before:?} -> {after:?}"
            );
        }
        assert_eq!(
            cell(cl, &c, k1),
            Some(newer_on_c),
            "the newer cell on {c} was replaced"
        );
        *last = now;
    };
    let took = step_until(&mut cluster, Duration::from_secs(10), |cl| {
        watch(cl, &mut last);
        [(k1, newer_on_c), (k2, newer_on_peers)]
            .iter()
            .all(|&(k, w)| replicas(cl, k).iter().all(|r| cell(cl, r, k) == Some(w)))
    });
    assert!(
        took.is_some(),
        "both keys did not converge to their LWW winners"
    );
    step_for(&mut cluster, Duration::from_secs(2));
    watch(&cluster, &mut last);
    for (k, w) in [(k1, newer_on_c), (k2, newer_on_peers)] {
        for r in replicas(&cluster, k) {
            assert_eq!(
                cell(&cluster, &r, k),
                Some(w),
                "key {k} on {r}, 2 s after converging"
            );
        }
    }
    // Both directions of repair happened: c pushed k1 out, and k2 came in to c.
    assert!(cluster.metrics[&c].cells_repaired_ae.get() >= 1);
    let others: u64 = replicas(&cluster, k1)
        .iter()
        .filter(|r| **r != c)
        .map(|r| cluster.metrics[r].cells_repaired_ae.get())
        .sum();
    assert!(others >= 2, "k1's newer cell reached both other replicas");
}
