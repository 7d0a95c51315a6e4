//! Token ring placement (pure).
//!
//! Every node owns `vnodes` tokens, `xxh3("<node>#<i>")`; a key's token is `xxh3(key)`. A key's
//! replicas are the owners of the first tokens at or after the key's token, walking clockwise and
//! skipping nodes already chosen, until RF distinct nodes are found (Cassandra's SimpleStrategy).
//! Placement depends only on the node names, RF and vnodes, so it is the same on every node, in every
//! run and across restarts.

use super::cell::Key;
use xxhash_rust::xxh3::xxh3_64;

/// Index of a node in the ring's node list.
pub type NodeId = usize;

/// Why a ring cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RingError {
    /// RF must be between 1 and the number of nodes.
    #[error("replication factor {rf} needs between 1 and {nodes} nodes (the cluster has {nodes})")]
    BadReplicationFactor {
        /// Requested RF.
        rf: usize,
        /// Number of nodes.
        nodes: usize,
    },
    /// Node names must be unique.
    #[error("node name {0:?} appears twice")]
    DuplicateNode(String),
}

/// The placement of keys on nodes.
#[derive(Debug, Clone)]
pub struct Ring {
    nodes: Vec<String>,
    tokens: Vec<(u64, NodeId)>,
    rf: usize,
}

impl Ring {
    /// Build a ring over `nodes` with replication factor `rf` and `vnodes` tokens per node.
    pub fn new(nodes: &[String], rf: usize, vnodes: usize) -> Result<Ring, RingError> {
        if rf == 0 || rf > nodes.len() {
            return Err(RingError::BadReplicationFactor {
                rf,
                nodes: nodes.len(),
            });
        }
        for (i, n) in nodes.iter().enumerate() {
            if nodes[..i].contains(n) {
                return Err(RingError::DuplicateNode(n.clone()));
            }
        }
        let mut tokens: Vec<(u64, NodeId)> = nodes
            .iter()
            .enumerate()
            .flat_map(|(id, name)| {
                (0..vnodes.max(1)).map(move |v| (xxh3_64(format!("{name}#{v}").as_bytes()), id))
            })
            .collect();
        tokens.sort_unstable();
        Ok(Ring {
            nodes: nodes.to_vec(),
            tokens,
            rf,
        })
    }

    /// The token of a key.
    pub fn key_token(key: Key) -> u64 {
        xxh3_64(&key.to_le_bytes())
    }

    /// The replicas of `key`, in ring order (the first is the key's primary owner).
    pub fn replicas(&self, key: Key) -> Vec<NodeId> {
        let token = Self::key_token(key);
        self.walk(self.tokens.partition_point(|&(t, _)| t < token))
    }

    /// The replica set of every token range, one per token in token order: entry `i` serves the
    /// keys whose token lies in `(token[i-1], token[i]]` (entry 0 also takes the wrap-around arc).
    /// Every key's [`Ring::replicas`] is one of these sets (a range is empty only if two tokens
    /// coincide).
    pub fn range_replicas(&self) -> Vec<Vec<NodeId>> {
        (0..self.tokens.len()).map(|i| self.walk(i)).collect()
    }

    /// The first RF distinct owners of the tokens from index `start` on, clockwise.
    fn walk(&self, start: usize) -> Vec<NodeId> {
        let mut out = Vec::with_capacity(self.rf);
        for i in 0..self.tokens.len() {
            let (_, node) = self.tokens[(start + i) % self.tokens.len()];
            if !out.contains(&node) {
                out.push(node);
                if out.len() == self.rf {
                    break;
                }
            }
        }
        out
    }

    /// Whether `node` replicates `key`.
    pub fn is_replica(&self, node: NodeId, key: Key) -> bool {
        self.replicas(key).contains(&node)
    }

    /// The replication factor.
    pub fn rf(&self) -> usize {
        self.rf
    }

    /// All node names, indexed by [`NodeId`].
    pub fn nodes(&self) -> &[String] {
        &self.nodes
    }

    /// The name of a node.
    pub fn name(&self, id: NodeId) -> &str {
        &self.nodes[id]
    }

    /// The id of a node by name.
    pub fn id(&self, name: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| n == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("n{i}")).collect()
    }

    #[test]
    fn every_key_gets_rf_distinct_nodes() {
        for (n, rf) in [(5, 3), (3, 3), (7, 2), (1, 1), (5, 5)] {
            let ring = Ring::new(&names(n), rf, 8).unwrap();
            for key in -50..500 {
                let r = ring.replicas(key);
                assert_eq!(r.len(), rf, "key {key}");
                let mut dedup = r.clone();
                dedup.sort();
                dedup.dedup();
                assert_eq!(dedup.len(), rf, "replicas of {key} not distinct: {r:?}");
                assert!(r.iter().all(|&id| id < n));
            }
        }
    }

    #[test]
    fn placement_is_stable_across_builds_and_pinned() {
        let a = Ring::new(&names(5), 3, 8).unwrap();
        let b = Ring::new(&names(5), 3, 8).unwrap();
        for key in 0..200 {
            assert_eq!(a.replicas(key), b.replicas(key));
        }
        // Pinned: placement must not drift between versions (a hash or walk change would make old
        // run directories replay differently).
        let pinned: Vec<Vec<NodeId>> = (0..4).map(|k| a.replicas(k)).collect();
        assert_eq!(
            pinned,
            vec![vec![2, 0, 4], vec![4, 3, 0], vec![2, 4, 3], vec![0, 4, 3]]
        );
    }

    #[test]
    fn every_key_is_served_by_one_of_the_range_replica_sets() {
        let ring = Ring::new(&names(5), 3, 8).unwrap();
        let sets = ring.range_replicas();
        assert_eq!(sets.len(), 5 * 8);
        for key in -100..1000 {
            assert!(sets.contains(&ring.replicas(key)), "key {key}");
        }
    }

    #[test]
    fn load_is_spread_over_all_nodes() {
        let ring = Ring::new(&names(5), 3, 8).unwrap();
        let mut primaries = [0usize; 5];
        for key in 0..5000 {
            primaries[ring.replicas(key)[0]] += 1;
        }
        for (node, &count) in primaries.iter().enumerate() {
            assert!(
                count > 300,
                "node {node} is primary for only {count} of 5000 keys"
            );
        }
    }

    #[test]
    fn bad_configurations_are_rejected() {
        assert!(matches!(
            Ring::new(&names(2), 3, 8),
            Err(RingError::BadReplicationFactor { rf: 3, nodes: 2 })
        ));
        assert!(Ring::new(&names(2), 0, 8).is_err());
        let dup = vec!["a".to_string(), "a".to_string()];
        assert_eq!(
            Ring::new(&dup, 1, 8).unwrap_err(),
            RingError::DuplicateNode("a".into())
        );
    }
}
