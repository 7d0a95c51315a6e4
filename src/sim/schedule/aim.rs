//! Where a generated fault hits: the partition shapes (halves, isolate, one-way, bridge, and two
//! aimed at one key's replica set), the nodes a `crash-majority` takes down, and the directions
//! of a `reply-loss`. Every shape is concrete and valid for `check`: groups are disjoint except a
//! bridge, which covers the cluster and shares exactly one node; `from` and `to` are disjoint and
//! non-empty; every list is in cluster order.

use super::resolve::{bridge, halves, in_cluster_order};
use super::PartitionSpec;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The cluster and its usable replica sets (each non-empty, of distinct cluster nodes).
pub(super) struct Target<'a> {
    pub nodes: &'a [String],
    pub sets: &'a [Vec<String>],
}

impl Target<'_> {
    fn set(&self, rng: &mut ChaCha8Rng) -> &[String] {
        self.sets.choose(rng).map_or(self.nodes, Vec::as_slice)
    }

    fn node(&self, rng: &mut ChaCha8Rng) -> String {
        self.nodes[rng.random_range(0..self.nodes.len())].clone()
    }

    /// `k` distinct nodes of `from`, in cluster order.
    fn sample(&self, from: &[String], k: usize, rng: &mut ChaCha8Rng) -> Vec<String> {
        let mut order = from.to_vec();
        order.shuffle(rng);
        order.truncate(k);
        in_cluster_order(self.nodes, &order)
    }

    /// One partition shape the cluster allows (it has at least two nodes).
    pub fn partition(&self, rng: &mut ChaCha8Rng) -> PartitionSpec {
        let n = self.nodes.len();
        // Aimed shapes need a replica set of at least two nodes (and, for the one-way shape, a
        // third node to coordinate).
        let wide: Vec<&Vec<String>> = self.sets.iter().filter(|s| s.len() >= 2).collect();
        let mut shapes = vec![0, 1, 2];
        if n >= 3 {
            shapes.push(3);
        }
        if !wide.is_empty() {
            shapes.push(4);
            if n >= 3 {
                shapes.push(5);
            }
        }
        match *shapes.choose(rng).unwrap_or(&0) {
            0 => halves(self.nodes, rng),
            1 => PartitionSpec::Isolate(super::NodeSel::Named(self.node(rng))),
            2 => {
                let mut order = self.nodes.to_vec();
                order.shuffle(rng);
                let cut = rng.random_range(1..n);
                PartitionSpec::OneWay {
                    from: in_cluster_order(self.nodes, &order[..cut]),
                    to: in_cluster_order(self.nodes, &order[cut..]),
                }
            }
            3 => bridge(self.nodes, rng),
            4 => {
                // One key's replica set cut in two; every other node joins a side at random.
                let set = wide[rng.random_range(0..wide.len())];
                let mut order = set.clone();
                order.shuffle(rng);
                let cut = rng.random_range(1..order.len());
                let (mut a, mut b) = (order[..cut].to_vec(), order[cut..].to_vec());
                for other in self.nodes.iter().filter(|x| !set.contains(x)) {
                    if rng.random_bool(0.5) {
                        a.push(other.clone());
                    } else {
                        b.push(other.clone());
                    }
                }
                PartitionSpec::Groups(vec![
                    in_cluster_order(self.nodes, &a),
                    in_cluster_order(self.nodes, &b),
                ])
            }
            _ => {
                // One coordinator's messages to two replicas of one key are lost, while other
                // coordinators still reach them: what asynchronous read repair cannot hide.
                let set = wide[rng.random_range(0..wide.len())];
                let to = self.sample(set, 2, rng);
                let others: Vec<&String> = self.nodes.iter().filter(|x| !to.contains(x)).collect();
                let from = others[rng.random_range(0..others.len())].clone();
                PartitionSpec::OneWay {
                    from: vec![from],
                    to,
                }
            }
        }
    }

    /// A majority crashed at once: of one key's replica set, of the cluster, or every node.
    pub fn majority(&self, rng: &mut ChaCha8Rng) -> Vec<String> {
        let roll = rng.random_range(0..10);
        let pool: &[String] = if roll < 2 {
            return self.nodes.to_vec();
        } else if roll < 6 {
            self.nodes
        } else {
            self.set(rng)
        };
        self.sample(pool, pool.len() / 2 + 1, rng)
    }

    /// The directions of a reply loss: from one key's replicas to one coordinator, or from one
    /// node to all others.
    pub fn reply_loss(&self, rng: &mut ChaCha8Rng) -> (Vec<String>, Vec<String>) {
        if rng.random_bool(0.5) {
            let set = self.set(rng).to_vec();
            let coordinator = self.node(rng);
            let from: Vec<String> = set.into_iter().filter(|x| *x != coordinator).collect();
            if !from.is_empty() {
                return (in_cluster_order(self.nodes, &from), vec![coordinator]);
            }
        }
        let sender = self.node(rng);
        let to: Vec<String> = self
            .nodes
            .iter()
            .filter(|x| **x != sender)
            .cloned()
            .collect();
        (vec![sender], to)
    }
}
