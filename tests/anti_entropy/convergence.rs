//! Convergence by anti-entropy alone, and what it streams.

use crate::support::*;
use quorumlab::sim::cluster::Cluster;
use quorumlab::store::cell::Cell;
use quorumlab::store::merkle::{bucket_of, is_shared};
use std::time::Duration;

const KEYS: i64 = 24;

/// Isolate `n1`, write keys `0..KEYS` through `n2`, heal, and wait up to 10 s for every replica of
/// every key to agree. Returns (time to converge, acknowledged cells, stale replicas at heal).
fn partition_then_heal(seed: u64, ae: bool) -> (Cluster, Option<Duration>, Vec<(i64, Cell)>, u64) {
    let mut cluster = cluster(seed, ae);
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
    assert!(!cluster.roots_agree());
    isolate(&mut cluster, VICTIM, false);
    let took = step_until(&mut cluster, Duration::from_secs(10), |c| c.roots_agree());
    (cluster, took, written, stale)
}

#[test]
fn anti_entropy_alone_brings_every_replica_to_the_written_cell() {
    for seed in [1u64, 2, 3] {
        let (mut cluster, took, written, stale) = partition_then_heal(seed, true);
        let took = took.unwrap_or_else(|| panic!("seed {seed}: no convergence within 10 s"));
        // An exchange reports what it streamed when it ends: let the last ones finish.
        step_for(&mut cluster, Duration::from_secs(1));
        for (key, w) in &written {
            for r in replicas(&cluster, *key) {
                assert_eq!(
                    cell(&cluster, &r, *key).as_ref(),
                    Some(w),
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
        assert_eq!(cluster.coverage("apply:read-repair"), 0);
        assert_eq!(cluster.coverage("apply:hint"), 0);
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
    let mut cluster = cluster(4, true);
    let depth = cluster.config().anti_entropy.depth;
    acked(write_all(
        &mut cluster,
        "n2",
        (0..40).map(|k| (k, k)).collect(),
    ));
    step_until(&mut cluster, Duration::from_secs(10), |c| c.roots_agree())
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
    let [(_, ref w)] = acked(write_all(&mut cluster, &coordinator, vec![(key, 1000)]))[..] else {
        unreachable!()
    };
    isolate(&mut cluster, VICTIM, false);
    let took = step_until(&mut cluster, Duration::from_secs(10), |c| {
        cell(c, VICTIM, key).as_ref() == Some(w) && c.roots_agree()
    })
    .expect("the stale key did not converge");
    step_for(&mut cluster, Duration::from_secs(2));
    let after = totals(&cluster);
    let streamed = after.streamed - before.streamed;
    // What one exchange of the victim with one fresh peer may stream: the peer's cells of the
    // key's bucket in the range they share (in or out), plus the one newer cell (out or in). Two
    // fresh peers may each run one before the victim is repaired.
    let victim = cluster.ring().id(VICTIM).unwrap();
    let bucket_cells = |peer: &str| {
        let peer_id = cluster.ring().id(peer).unwrap();
        (0..40)
            .filter(|&k| bucket_of(k, depth) == bucket_of(key, depth))
            .filter(|&k| is_shared(cluster.ring(), victim, peer_id, k))
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
