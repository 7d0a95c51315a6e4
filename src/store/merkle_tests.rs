//! Unit tests of the Merkle tree and its descent (pure, no simulation).

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn cell(value: i64, ts: u64) -> Cell {
    Cell::live(ts, value.to_le_bytes().to_vec())
}

fn map(keys: impl IntoIterator<Item = Key>) -> CellMap {
    keys.into_iter().map(|k| (k, cell(k * 10, 100))).collect()
}

fn tree(cells: &CellMap, depth: u32) -> MerkleTree {
    MerkleTree::build(cells.iter().map(|(&k, c)| (k, c)), depth)
}

fn ring5() -> Ring {
    let names: Vec<String> = (1..=5).map(|i| format!("n{i}")).collect();
    Ring::new(&names, 3, 8).unwrap()
}

#[test]
fn bucket_is_the_top_bits_of_the_key_token() {
    for key in [-7i64, 0, 1, 42, 1 << 40] {
        let token = Ring::key_token(key);
        assert_eq!(bucket_of(key, 0), 0);
        assert_eq!(bucket_of(key, 1), (token >> 63) as u32);
        assert_eq!(bucket_of(key, 6), (token >> 58) as u32);
        assert!(bucket_of(key, 6) < 64);
    }
    assert_eq!(
        bucket_of(5, 40),
        bucket_of(5, MAX_DEPTH),
        "depth is clamped"
    );
}

#[test]
fn levels_have_the_right_sizes_and_empty_subtrees_hash_to_zero() {
    let t = MerkleTree::build(std::iter::empty::<(Key, Cell)>(), 4);
    assert_eq!(t.depth(), 4);
    for l in 0..=4 {
        assert_eq!(t.level(l).len(), 1 << l);
        assert!(t.level(l).iter().all(|&h| h == 0), "level {l}");
    }
    assert!(t.level(5).is_empty());
    assert_eq!(t.root(), 0);

    let one = tree(&map([3]), 4);
    let b = bucket_of(3, 4) as usize;
    assert_ne!(one.level(4)[b], 0);
    assert_eq!(one.level(4).iter().filter(|&&h| h != 0).count(), 1);
    // Exactly one node per level is non-zero: the path from the root to the bucket.
    for l in 0..=4u32 {
        assert_eq!(one.level(l).iter().filter(|&&h| h != 0).count(), 1);
        assert_ne!(one.level(l)[b >> (4 - l)], 0, "level {l}");
    }
}

#[test]
fn equal_trees_exchange_nothing_and_compare_only_the_root() {
    let cells = map(0..500);
    let (a, b) = (tree(&cells, 6), tree(&cells, 6));
    assert_eq!(a.root(), b.root());
    assert_eq!(diff_buckets(&a, &b), (vec![], 1));
    // The network form: the first answer ends the descent.
    let Step::Ask { level, positions } = Step::start() else {
        unreachable!()
    };
    let theirs = b.hashes_at(level, &positions).unwrap();
    assert_eq!(
        a.step(level, &positions, &theirs),
        Ok(Step::Buckets(vec![]))
    );
}

#[test]
fn one_differing_key_touches_one_bucket_and_compares_o_depth_nodes() {
    for depth in [1u32, 4, 6, 10] {
        let base = map(0..300);
        let mut changed = base.clone();
        changed.insert(77, cell(1, 101));
        let (a, b) = (tree(&base, depth), tree(&changed, depth));
        let (buckets, compared) = diff_buckets(&a, &b);
        assert_eq!(buckets, vec![bucket_of(77, depth)], "depth {depth}");
        assert_eq!(compared, 1 + 2 * depth as u64, "depth {depth}");
        // The same holds for a missing key.
        let mut missing = base.clone();
        missing.remove(&123);
        let (buckets, compared) = diff_buckets(&a, &tree(&missing, depth));
        assert_eq!(buckets, vec![bucket_of(123, depth)]);
        assert_eq!(compared, 1 + 2 * depth as u64);
    }
}

#[test]
fn k_differing_keys_touch_at_most_k_buckets() {
    let base = map(0..400);
    for k in [2usize, 5, 17] {
        let mut changed = base.clone();
        let keys: Vec<Key> = (0..k as i64).map(|i| i * 23 + 1).collect();
        for &key in &keys {
            changed.insert(key, cell(-1, 999));
        }
        let (buckets, compared) = diff_buckets(&tree(&base, 6), &tree(&changed, 6));
        let expected: BTreeSet<u32> = keys.iter().map(|&key| bucket_of(key, 6)).collect();
        assert_eq!(buckets, expected.into_iter().collect::<Vec<_>>());
        assert!(buckets.len() <= k);
        assert!(compared <= 1 + 2 * 6 * k as u64, "k {k}: {compared}");
    }
}

#[test]
fn empty_against_non_empty_reports_exactly_the_occupied_buckets() {
    let full = map([1, 2, 3, 1000, -5]);
    let occupied: BTreeSet<u32> = full.keys().map(|&k| bucket_of(k, 5)).collect();
    let empty = tree(&CellMap::new(), 5);
    let (buckets, _) = diff_buckets(&empty, &tree(&full, 5));
    assert_eq!(buckets, occupied.iter().copied().collect::<Vec<_>>());
    let (buckets, _) = diff_buckets(&tree(&full, 5), &empty);
    assert_eq!(buckets, occupied.into_iter().collect::<Vec<_>>());
}

#[test]
fn build_does_not_depend_on_the_order_of_the_cells() {
    let cells: Vec<(Key, Cell)> = (0..200).map(|k| (k * 7 - 50, cell(k, k as u64))).collect();
    let forward = MerkleTree::build(cells.iter().cloned(), 6);
    let backward = MerkleTree::build(cells.iter().rev().cloned(), 6);
    let mut shuffled = cells.clone();
    shuffled.sort_by_key(|(k, _)| Ring::key_token(*k));
    assert_eq!(forward, backward);
    assert_eq!(forward, MerkleTree::build(shuffled, 6));
}

#[test]
fn a_changed_timestamp_or_value_changes_the_leaf() {
    let base = map([9]);
    let b = bucket_of(9, 3) as usize;
    for other in [cell(90, 101), cell(91, 100)] {
        let mut changed = base.clone();
        changed.insert(9, other);
        assert_ne!(tree(&base, 3).level(3)[b], tree(&changed, 3).level(3)[b]);
    }
}

#[test]
fn shared_range_excludes_keys_not_replicated_by_both() {
    let ring = ring5();
    let cells = map(0..300);
    let (a, b) = (0, 1);
    let shared: CellMap = cells
        .iter()
        .filter(|(&k, _)| {
            let r = ring.replicas(k);
            r.contains(&a) && r.contains(&b)
        })
        .map(|(&k, c)| (k, c.clone()))
        .collect();
    assert!(!shared.is_empty() && shared.len() < cells.len());
    assert_eq!(shared_tree(&cells, &ring, a, b, 6), tree(&shared, 6));
    // A key outside the shared range changes nothing; a key inside it does.
    let outside = (0..300).find(|k| !shared.contains_key(k)).unwrap();
    let inside = *shared.keys().next().unwrap();
    for (key, visible) in [(outside, false), (inside, true)] {
        let mut changed = cells.clone();
        changed.insert(key, cell(5, 5000));
        let differs = shared_tree(&changed, &ring, a, b, 6) != shared_tree(&cells, &ring, a, b, 6);
        assert_eq!(differs, visible, "key {key}");
    }
    // The cells of a bucket come from the shared range only, in key order.
    let bucket = bucket_of(inside, 6);
    let got = shared_cells_in(&cells, &ring, (a, b), 6, &[bucket]);
    let want: Vec<(Key, Cell)> = shared
        .iter()
        .filter(|(&k, _)| bucket_of(k, 6) == bucket)
        .map(|(&k, c)| (k, c.clone()))
        .collect();
    assert_eq!(got, want);
    assert!(got.iter().any(|&(k, _)| k == inside));
}

#[test]
fn peers_sharing_are_exactly_the_nodes_that_co_replicate_some_key() {
    let ring = ring5();
    for me in 0..5 {
        let peers = peers_sharing(&ring, me);
        assert!(!peers.contains(&me));
        let mut seen = BTreeSet::new();
        for key in 0..5000 {
            let r = ring.replicas(key);
            if r.contains(&me) {
                seen.extend(r.into_iter().filter(|&n| n != me));
            }
        }
        assert_eq!(peers, seen.into_iter().collect::<Vec<_>>(), "node {me}");
    }
    let names: Vec<String> = (1..=4).map(|i| format!("n{i}")).collect();
    let single = Ring::new(&names, 1, 8).unwrap();
    assert!(peers_sharing(&single, 0).is_empty(), "RF 1 shares nothing");
}

#[test]
fn answers_that_do_not_fit_the_tree_are_errors() {
    let t = tree(&map(0..10), 3);
    assert_eq!(
        t.step(0, &[0], &[1, 2]),
        Err(DescentError::LengthMismatch {
            asked: 1,
            answered: 2
        })
    );
    assert_eq!(
        t.step(4, &[0], &[1]),
        Err(DescentError::LevelOutOfRange { level: 4, depth: 3 })
    );
    assert_eq!(
        t.hashes_at(2, &[4]),
        Err(DescentError::PositionOutOfRange {
            level: 2,
            position: 4
        })
    );
    // Trees of different depths are not comparable: everything is reported.
    let (buckets, compared) = diff_buckets(&t, &tree(&map(0..10), 2));
    assert_eq!((buckets.len(), compared), (8, 0));
}

/// The buckets whose cell sets differ, computed directly.
fn differing_buckets(a: &CellMap, b: &CellMap, depth: u32) -> Vec<u32> {
    let group = |m: &CellMap| {
        let mut g: BTreeMap<u32, Vec<(Key, Cell)>> = BTreeMap::new();
        for (&k, c) in m {
            g.entry(bucket_of(k, depth))
                .or_default()
                .push((k, c.clone()));
        }
        g
    };
    let (ga, gb) = (group(a), group(b));
    let all: BTreeSet<u32> = ga.keys().chain(gb.keys()).copied().collect();
    all.into_iter().filter(|x| ga.get(x) != gb.get(x)).collect()
}

fn cells_strategy() -> impl Strategy<Value = CellMap> {
    prop::collection::btree_map(-200i64..200, (0i64..4, 0u64..4), 0..80)
        .prop_map(|m| m.into_iter().map(|(k, (v, ts))| (k, cell(v, ts))).collect())
}

proptest! {
    #[test]
    fn diff_finds_exactly_the_buckets_whose_cells_differ(
        a in cells_strategy(),
        edits in prop::collection::vec((-200i64..200, prop::option::of((0i64..4, 0u64..4))), 0..12),
        depth in 0u32..8,
    ) {
        let mut b = a.clone();
        for (k, edit) in edits {
            match edit {
                Some((v, ts)) => { b.insert(k, cell(v, ts)); }
                None => { b.remove(&k); }
            }
        }
        let (buckets, compared) = diff_buckets(&tree(&a, depth), &tree(&b, depth));
        let expected = differing_buckets(&a, &b, depth);
        prop_assert!(compared <= 1 + 2 * depth as u64 * expected.len().max(1) as u64);
        prop_assert_eq!(buckets, expected);
    }
}
