//! Hinted handoff against the real store: a coordinator stores what an unreachable replica missed,
//! durably, and replays it when the replica returns — never overwriting a newer cell, and never
//! after the hint window.

use quorumlab::sim::cluster::{Cluster, NetConfig};
use quorumlab::sim::values;
use quorumlab::store::cell::Cell;
use quorumlab::store::config::{ReadRepair, StoreConfig};
use quorumlab::store::proto::Response;
use quorumlab::sut::builtin_client::BuiltinClient;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

const KEY: i64 = 4;

fn config(hints: bool) -> StoreConfig {
    let mut cfg = StoreConfig::default_cluster();
    cfg.read_repair = ReadRepair::None;
    cfg.anti_entropy.enabled = false;
    cfg.hints.enabled = hints;
    cfg
}

struct Roles {
    stale: String,
    coordinator: String,
    other_coordinator: String,
}

fn roles(cluster: &Cluster) -> Roles {
    let replicas = cluster.replica_names(KEY);
    let outsiders: Vec<String> = cluster
        .config()
        .nodes
        .iter()
        .filter(|n| !replicas.contains(n))
        .cloned()
        .collect();
    Roles {
        stale: replicas[2].clone(),
        coordinator: outsiders[0].clone(),
        other_coordinator: outsiders[1].clone(),
    }
}

async fn write(cfg: &StoreConfig, via: &str, value: i64) -> Cell {
    let s = BuiltinClient::new(
        via,
        cfg.port,
        Duration::from_millis(200),
        Duration::from_secs(2),
    );
    match s.request(values::write_request(KEY, value)).await {
        Ok(Response::WriteOk { ts }) => values::cell(KEY, value, ts),
        other => panic!("write of {value} via {via} failed: {other:?}"),
    }
}

fn cell(cluster: &Cluster, node: &str) -> Option<Cell> {
    cluster.cell(node, KEY)
}

fn step_for(cluster: &mut Cluster, d: Duration) {
    let until = cluster.elapsed() + d;
    while cluster.elapsed() < until {
        cluster.step().unwrap();
    }
}

fn step_until(cluster: &mut Cluster, flag: &Rc<RefCell<Option<Cell>>>) -> Cell {
    while flag.borrow().is_none() {
        cluster.step().unwrap();
        assert!(
            cluster.elapsed() < Duration::from_secs(20),
            "scenario stuck"
        );
    }
    flag.borrow_mut().take().unwrap()
}

/// Cut `stale` off from `coordinator`, write through `coordinator`; returns the written cell.
fn write_while_cut_off(cluster: &mut Cluster, cfg: &StoreConfig, r: &Roles) -> Cell {
    cluster
        .sim
        .partition(r.stale.as_str(), r.coordinator.as_str());
    let done: Rc<RefCell<Option<Cell>>> = Rc::default();
    let (flag, c, via) = (done.clone(), cfg.clone(), r.coordinator.clone());
    cluster.sim.client("writer", async move {
        flag.replace(Some(write(&c, &via, 1).await));
        Ok(())
    });
    step_until(cluster, &done)
}

#[test]
fn hints_bring_a_returning_replica_up_to_date_and_nothing_else_does_here() {
    for hints in [true, false] {
        let cfg = config(hints);
        let mut cluster = Cluster::new(5, cfg.clone(), &NetConfig::default()).unwrap();
        let r = roles(&cluster);
        let written = write_while_cut_off(&mut cluster, &cfg, &r);
        step_for(&mut cluster, Duration::from_secs(1));
        assert_eq!(
            cell(&cluster, &r.stale),
            None,
            "stale replica reached during the partition"
        );
        let stored = cluster.count(&r.coordinator, "hint-stored");
        cluster.sim.repair(r.stale.as_str(), r.coordinator.as_str());
        step_for(&mut cluster, Duration::from_secs(1));
        if hints {
            assert_eq!(
                stored, 1,
                "one hint for the one replica that missed the write"
            );
            assert_eq!(cell(&cluster, &r.stale), Some(written));
            assert_eq!(cluster.count(&r.coordinator, "hint-replayed"), 1);
            assert_eq!(cluster.count(&r.stale, "apply:hint"), 1);
        } else {
            assert_eq!(stored, 0);
            assert_eq!(
                cell(&cluster, &r.stale),
                None,
                "without hints nothing repairs it"
            );
        }
    }
}

#[test]
fn hint_replay_never_overwrites_a_newer_cell() {
    let cfg = config(true);
    let mut cluster = Cluster::new(6, cfg.clone(), &NetConfig::default()).unwrap();
    let r = roles(&cluster);
    let old = write_while_cut_off(&mut cluster, &cfg, &r);
    // A newer write through another coordinator reaches the stale replica directly.
    let done: Rc<RefCell<Option<Cell>>> = Rc::default();
    let (flag, c, via) = (done.clone(), cfg.clone(), r.other_coordinator.clone());
    cluster.sim.client("newer", async move {
        flag.replace(Some(write(&c, &via, 2).await));
        Ok(())
    });
    let newer = step_until(&mut cluster, &done);
    assert!(newer > old);
    step_for(&mut cluster, Duration::from_millis(500));
    assert_eq!(cell(&cluster, &r.stale), Some(newer.clone()));
    cluster.sim.repair(r.stale.as_str(), r.coordinator.as_str());
    step_for(&mut cluster, Duration::from_secs(1));
    assert_eq!(
        cluster.count(&r.coordinator, "hint-replayed"),
        1,
        "the hint was delivered"
    );
    assert_eq!(
        cell(&cluster, &r.stale),
        Some(newer),
        "and did not overwrite the newer cell"
    );
    assert_eq!(cluster.count(&r.stale, "apply:hint"), 0);
}

#[test]
fn hints_older_than_the_window_are_dropped() {
    let mut cfg = config(true);
    cfg.hints.window_ms = 300;
    let mut cluster = Cluster::new(7, cfg.clone(), &NetConfig::default()).unwrap();
    let r = roles(&cluster);
    write_while_cut_off(&mut cluster, &cfg, &r);
    step_for(&mut cluster, Duration::from_secs(1));
    cluster.sim.repair(r.stale.as_str(), r.coordinator.as_str());
    step_for(&mut cluster, Duration::from_secs(1));
    assert_eq!(cluster.count(&r.coordinator, "hint-expired"), 1);
    assert_eq!(cluster.count(&r.coordinator, "hint-replayed"), 0);
    assert_eq!(cell(&cluster, &r.stale), None);
}

#[test]
fn hints_survive_a_coordinator_crash() {
    let cfg = config(true);
    let mut cluster = Cluster::new(8, cfg.clone(), &NetConfig::default()).unwrap();
    let r = roles(&cluster);
    let written = write_while_cut_off(&mut cluster, &cfg, &r);
    assert_eq!(cluster.count(&r.coordinator, "hint-stored"), 1);
    cluster.sim.crash(r.coordinator.as_str());
    step_for(&mut cluster, Duration::from_millis(100));
    cluster.sim.repair(r.stale.as_str(), r.coordinator.as_str());
    cluster.sim.bounce(r.coordinator.as_str());
    step_for(&mut cluster, Duration::from_secs(1));
    assert_eq!(
        cell(&cluster, &r.stale),
        Some(written),
        "the restarted coordinator replayed its hint"
    );
    assert_eq!(cluster.count(&r.coordinator, "hint-replayed"), 1);
}
