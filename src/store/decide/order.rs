//! Which replicas a read tries, in what order.
//!
//! The coordinator itself comes first when it is one of the key's replicas (a local read costs no
//! message); the others follow in an order drawn from the coordinator's seeded RNG (a stand-in for
//! a dynamic snitch), so reads spread over the replicas and a run is reproducible from its seed.
//! The read contacts the first replicas of this order that it can reach, as many as its
//! consistency level needs.
//!
//! Draw order (part of the determinism contract): exactly one `shuffle` of the other replicas, in
//! ring order, per read.

use crate::store::ring::NodeId;
use rand::seq::SliceRandom;
use rand::Rng;

/// The order in which a read coordinated by `me` tries the key's `replicas` (in ring order).
pub fn read_order<R: Rng + ?Sized>(
    mut replicas: Vec<NodeId>,
    me: NodeId,
    rng: &mut R,
) -> Vec<NodeId> {
    let own = replicas.iter().position(|&r| r == me);
    if let Some(pos) = own {
        replicas.remove(pos);
    }
    replicas.shuffle(rng);
    if own.is_some() {
        replicas.insert(0, me);
    }
    replicas
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn rng(seed: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(seed)
    }

    fn sorted(mut v: Vec<NodeId>) -> Vec<NodeId> {
        v.sort_unstable();
        v
    }

    #[test]
    fn the_coordinator_comes_first_when_it_is_a_replica() {
        for seed in 0..20 {
            let order = read_order(vec![4, 1, 2], 1, &mut rng(seed));
            assert_eq!(order[0], 1, "seed {seed}");
            assert_eq!(sorted(order), vec![1, 2, 4]);
        }
    }

    #[test]
    fn a_coordinator_that_is_not_a_replica_is_not_tried() {
        for seed in 0..20 {
            let order = read_order(vec![4, 1, 2], 0, &mut rng(seed));
            assert!(!order.contains(&0), "seed {seed}");
            assert_eq!(sorted(order), vec![1, 2, 4]);
        }
    }

    #[test]
    fn the_others_are_shuffled_by_the_rng_alone() {
        let a = read_order(vec![0, 1, 2, 3, 4], 2, &mut rng(7));
        let b = read_order(vec![0, 1, 2, 3, 4], 2, &mut rng(7));
        assert_eq!(a, b, "same RNG state, same order");
        let orders: std::collections::BTreeSet<Vec<NodeId>> = (0..40)
            .map(|seed| read_order(vec![0, 1, 2, 3, 4], 2, &mut rng(seed)))
            .collect();
        assert!(orders.len() > 1, "different seeds spread the reads");
        assert!(orders.iter().all(|o| o[0] == 2));
    }

    #[test]
    fn one_shuffle_of_the_others_in_ring_order_is_drawn() {
        // The draw contract: the RNG sees exactly what `shuffle` of the other replicas draws.
        let mut expected = [0, 3, 4];
        let mut r = rng(11);
        expected.shuffle(&mut r);
        let mut s = rng(11);
        let order = read_order(vec![0, 3, 1, 4], 1, &mut s);
        assert_eq!(order[1..], expected[..]);
        assert_eq!(s.random::<u64>(), r.random::<u64>(), "no other draw");
    }
}
