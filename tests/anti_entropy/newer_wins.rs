//! An exchange never replaces a newer cell by an older one.

use crate::support::*;
use quorumlab::sim::cluster::{Cluster, NetConfig};
use quorumlab::store::cell::Cell;
use quorumlab::store::config::ConsistencyLevel;
use std::time::Duration;

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
    let [(_, ref newer_on_c)] = acked(write_all(&mut cluster, &c, vec![(k1, 2)]))[..] else {
        unreachable!()
    };
    let [(_, ref newer_on_peers)] = acked(write_all(&mut cluster, &peer, vec![(k2, 2)]))[..] else {
        unreachable!()
    };
    step_for(&mut cluster, Duration::from_millis(500));
    assert_eq!(cell(&cluster, &c, k1).as_ref(), Some(newer_on_c));
    assert!(cell(&cluster, &c, k2).as_ref() < Some(newer_on_peers));
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
            cell(cl, &c, k1).as_ref(),
            Some(newer_on_c),
            "the newer cell on {c} was replaced"
        );
        *last = now;
    };
    let took = step_until(&mut cluster, Duration::from_secs(10), |cl| {
        watch(cl, &mut last);
        [(k1, newer_on_c), (k2, newer_on_peers)]
            .iter()
            .all(|&(k, w)| {
                replicas(cl, k)
                    .iter()
                    .all(|r| cell(cl, r, k).as_ref() == Some(w))
            })
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
                Some(w.clone()),
                "key {k} on {r}, 2 s after converging"
            );
        }
    }
    // Both directions of repair happened: c pushed k1 out, and k2 came in to c.
    assert!(cluster.count(&c, "apply:anti-entropy") >= 1);
    let others: u64 = replicas(&cluster, k1)
        .iter()
        .filter(|r| **r != c)
        .map(|r| cluster.count(r, "apply:anti-entropy"))
        .sum();
    assert!(others >= 2, "k1's newer cell reached both other replicas");
}
