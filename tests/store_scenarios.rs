//! Scripted scenarios against the real store in turmoil: a scripted client drives a cluster,
//! applies partitions itself, and inspects replica state through the harness's observer.

use quorumlab::sim::cluster::{Cluster, NetConfig};
use quorumlab::sim::values;
use quorumlab::store::cell::Cell;
use quorumlab::store::config::{ConsistencyLevel, ReadRepair, StoreConfig};
use quorumlab::store::proto::{Request, Response};
use quorumlab::sut::builtin_client::BuiltinClient;
use std::cell::{Cell as StdCell, RefCell};
use std::rc::Rc;
use std::time::Duration;

fn session(cfg: &StoreConfig, node: &str) -> BuiltinClient {
    BuiltinClient::new(
        node,
        cfg.port,
        Duration::from_millis(cfg.connect_timeout_ms),
        Duration::from_millis(2000),
    )
}

/// Step the cluster until `done`, failing the test after `limit` of simulated time.
fn drive(cluster: &mut Cluster, done: &Rc<StdCell<bool>>, limit: Duration) {
    while !done.get() {
        cluster.step().expect("simulation failed");
        assert!(
            cluster.elapsed() < limit,
            "scenario did not finish within {limit:?}"
        );
    }
}

fn non_replica(cluster: &Cluster, key: i64) -> String {
    let replicas = cluster.replica_names(key);
    cluster
        .config()
        .nodes
        .iter()
        .find(|n| !replicas.contains(n))
        .expect("5 nodes, RF 3: two nodes are not replicas")
        .clone()
}

#[test]
fn quorum_write_then_quorum_read_at_another_coordinator_returns_it() {
    for seed in 1..=4u64 {
        let cfg = StoreConfig::default_cluster();
        let mut cluster = Cluster::new(seed, cfg.clone(), &NetConfig::default()).unwrap();
        let done = Rc::new(StdCell::new(false));
        let seen: Rc<RefCell<Vec<(i64, Response, Response)>>> = Rc::default();
        let (flag, out, c) = (done.clone(), seen.clone(), cfg.clone());
        cluster.sim.client("tester", async move {
            for key in 0..6i64 {
                let writer = format!("n{}", 1 + key % 5);
                let reader = format!("n{}", 1 + (key + 2) % 5);
                let w = session(&c, &writer)
                    .request(values::write_request(key, 100 + key))
                    .await?;
                let r = session(&c, &reader)
                    .request(Request::ClientRead { key, trace: None })
                    .await?;
                out.borrow_mut().push((key, w, r));
            }
            flag.set(true);
            Ok(())
        });
        drive(&mut cluster, &done, Duration::from_secs(30));
        let seen = seen.borrow();
        assert_eq!(seen.len(), 6);
        for (key, w, r) in seen.iter() {
            let Response::WriteOk { ts } = w else {
                panic!("seed {seed}: write of key {key} not acknowledged: {w:?}")
            };
            assert_eq!(
                r,
                &Response::ReadOk {
                    cell: Some(values::cell(*key, 100 + key, *ts))
                },
                "seed {seed}: read of key {key} at another coordinator"
            );
        }
    }
}

/// What the scripted client saw: the read's answer, the stale replica's cell when the read
/// returned, and the write's timestamp.
type ReadSeen = (Response, Option<Cell>, u64);

/// Isolate replica `c` of a key, write through `a`, then heal `c` and isolate `a`, and read through
/// `b`: the read must contact `b` and `c`, see different digests, and (per mode) repair `c`.
/// Returns (read answer, c's cell when the read returned, c's cell 1 s later, b's digest mismatches).
fn diverge_then_read(
    mode: ReadRepair,
    seed: u64,
) -> (Response, Option<Cell>, Option<Cell>, u64, Cell) {
    let mut cfg = StoreConfig::default_cluster();
    cfg.read_repair = mode;
    // Only read repair may fix the stale replica here.
    cfg.hints.enabled = false;
    cfg.anti_entropy.enabled = false;
    let mut cluster = Cluster::new(seed, cfg.clone(), &NetConfig::default()).unwrap();
    let key = 5i64;
    let r = cluster.replica_names(key);
    let (a, b, c) = (r[0].clone(), r[1].clone(), r[2].clone());
    let others: Vec<String> = cfg.nodes.iter().filter(|n| **n != c).cloned().collect();
    let done = Rc::new(StdCell::new(false));
    let result: Rc<RefCell<Option<ReadSeen>>> = Rc::default();
    let observed = cluster.observed().clone();
    let (flag, out, conf) = (done.clone(), result.clone(), cfg.clone());
    let (a2, b2, c2) = (a.clone(), b.clone(), c.clone());
    cluster.sim.client("tester", async move {
        for n in &others {
            turmoil::partition(c2.as_str(), n.as_str());
        }
        let w = session(&conf, &a2)
            .request(values::write_request(key, 7))
            .await?;
        let Response::WriteOk { ts } = w else {
            panic!("write with one replica isolated must still reach QUORUM: {w:?}")
        };
        // Let primary deliveries settle, then swap: c back, a isolated.
        tokio::time::sleep(Duration::from_millis(300)).await;
        for n in &others {
            turmoil::repair(c2.as_str(), n.as_str());
        }
        for n in conf.nodes.iter().filter(|n| **n != a2) {
            turmoil::partition(a2.as_str(), n.as_str());
        }
        let answer = session(&conf, &b2)
            .request(Request::ClientRead { key, trace: None })
            .await?;
        let at_return = observed
            .borrow()
            .get(&c2)
            .and_then(|m| m.borrow().get(&key).cloned());
        out.replace(Some((answer, at_return, ts)));
        tokio::time::sleep(Duration::from_secs(1)).await;
        flag.set(true);
        Ok(())
    });
    drive(&mut cluster, &done, Duration::from_secs(30));
    let (answer, at_return, ts) = result.borrow_mut().take().unwrap();
    let later = cluster.cell(&c, key);
    assert_eq!(cluster.cell(&a, key), Some(values::cell(key, 7, ts)));
    (
        answer,
        at_return,
        later,
        cluster.count(&b, "digest-mismatch"),
        values::cell(key, 7, ts),
    )
}

#[test]
fn blocking_read_repair_fixes_the_stale_replica_before_the_read_returns() {
    for seed in [1u64, 2, 3] {
        let (answer, at_return, later, mismatches, written) =
            diverge_then_read(ReadRepair::Blocking, seed);
        assert_eq!(
            answer,
            Response::ReadOk {
                cell: Some(written.clone())
            },
            "seed {seed}"
        );
        assert!(
            mismatches >= 1,
            "seed {seed}: the read saw no digest mismatch"
        );
        assert_eq!(
            at_return,
            Some(written.clone()),
            "seed {seed}: stale replica not repaired at return"
        );
        assert_eq!(later, Some(written));
    }
}

#[test]
fn read_repair_none_leaves_the_stale_replica_stale() {
    let (answer, at_return, later, mismatches, written) = diverge_then_read(ReadRepair::None, 1);
    assert_eq!(
        answer,
        Response::ReadOk {
            cell: Some(written.clone())
        }
    );
    assert!(mismatches >= 1);
    assert_eq!(at_return, None);
    assert_eq!(later, None, "no repair mode must not repair");
}

#[test]
fn async_read_repair_fixes_the_stale_replica_after_the_reply() {
    let (answer, _at_return, later, mismatches, written) = diverge_then_read(ReadRepair::Async, 1);
    assert_eq!(
        answer,
        Response::ReadOk {
            cell: Some(written.clone())
        }
    );
    assert!(mismatches >= 1);
    assert_eq!(later, Some(written), "async repair must eventually repair");
}

#[test]
fn replica_crashed_right_after_acknowledging_keeps_the_write_after_restart() {
    let mut cfg = StoreConfig::default_cluster();
    cfg.write_cl = ConsistencyLevel::All;
    let mut cluster = Cluster::new(9, cfg.clone(), &NetConfig::default()).unwrap();
    let key = 2i64;
    let replicas = cluster.replica_names(key);
    let victim = replicas[1].clone();
    let coordinator = non_replica(&cluster, key);
    let acked: Rc<StdCell<Option<u64>>> = Rc::default();
    let (out, conf) = (acked.clone(), cfg.clone());
    cluster.sim.client("tester", async move {
        let w = session(&conf, &coordinator)
            .request(values::write_request(key, 11))
            .await?;
        let Response::WriteOk { ts } = w else {
            panic!("ALL write not acknowledged: {w:?}")
        };
        out.set(Some(ts));
        Ok(())
    });
    while acked.get().is_none() {
        cluster.step().unwrap();
        assert!(cluster.elapsed() < Duration::from_secs(10));
    }
    let ts = acked.get().unwrap();
    let before = cluster.observed().borrow()[&victim].clone();
    cluster.sim.crash(victim.as_str());
    for _ in 0..50 {
        cluster.step().unwrap();
    }
    cluster.sim.bounce(victim.as_str());
    for _ in 0..50 {
        cluster.step().unwrap();
    }
    let after = cluster.observed().borrow()[&victim].clone();
    assert!(
        !Rc::ptr_eq(&before, &after),
        "the node did not reboot and replay its log"
    );
    assert_eq!(cluster.cell(&victim, key), Some(values::cell(key, 11, ts)));
}
