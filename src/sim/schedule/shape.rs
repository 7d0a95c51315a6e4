//! What the generator aims at: the cluster's nodes and the distinct replica sets of the keys the
//! workload uses, so that faults can hit one key's replicas (a majority of them crashed, a
//! coordinator's writes to two of them lost, the set cut in two) instead of random nodes only.

use crate::store::config::StoreConfig;
use crate::store::ring::Ring;
use std::collections::BTreeSet;

/// A cluster as the generator sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Every node, in cluster order.
    pub nodes: Vec<String>,
    /// The distinct replica sets of the workload's keys, each in ring order (the first is the
    /// primary), in order of their first key.
    pub replica_sets: Vec<Vec<String>>,
}

impl Shape {
    /// A cluster whose replica sets are unknown: aimed faults treat the whole cluster as one set.
    pub fn of_nodes(nodes: &[String]) -> Shape {
        Shape {
            nodes: nodes.to_vec(),
            replica_sets: Vec::new(),
        }
    }

    /// The shape of the store `config` for keys `0..keys` (placement as the store computes it).
    pub fn of_cluster(config: &StoreConfig, keys: u64) -> Result<Shape, String> {
        let ring = Ring::new(&config.nodes, config.rf, config.vnodes).map_err(|e| e.to_string())?;
        let mut seen = BTreeSet::new();
        let mut replica_sets = Vec::new();
        for key in 0..keys.min(i64::MAX as u64) as i64 {
            let set: Vec<String> = ring
                .replicas(key)
                .into_iter()
                .map(|r| ring.name(r).to_string())
                .collect();
            if seen.insert(set.clone()) {
                replica_sets.push(set);
            }
        }
        Ok(Shape {
            nodes: config.nodes.clone(),
            replica_sets,
        })
    }

    /// The replica sets the generator may use: those naming only distinct nodes of the cluster;
    /// the whole cluster when none is left.
    pub(super) fn usable_sets(&self) -> Vec<Vec<String>> {
        let sets: Vec<Vec<String>> = self
            .replica_sets
            .iter()
            .filter(|s| {
                let distinct: BTreeSet<&String> = s.iter().collect();
                !s.is_empty()
                    && distinct.len() == s.len()
                    && s.iter().all(|n| self.nodes.contains(n))
            })
            .cloned()
            .collect();
        if sets.is_empty() && !self.nodes.is_empty() {
            vec![self.nodes.clone()]
        } else {
            sets
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_shape_lists_distinct_replica_sets_of_the_keys() {
        let mut config = StoreConfig::default_cluster();
        config.rf = 3;
        let shape = Shape::of_cluster(&config, 100).unwrap();
        assert_eq!(shape.nodes, config.nodes);
        assert!(shape.replica_sets.len() > 1);
        let distinct: BTreeSet<&Vec<String>> = shape.replica_sets.iter().collect();
        assert_eq!(distinct.len(), shape.replica_sets.len());
        assert!(shape.replica_sets.iter().all(|s| s.len() == 3));
        let one = Shape::of_cluster(&config, 1).unwrap();
        assert_eq!(one.replica_sets.len(), 1);
        assert_eq!(one.usable_sets(), one.replica_sets);
    }

    #[test]
    fn unusable_sets_fall_back_to_the_cluster() {
        let nodes: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let shape = Shape {
            nodes: nodes.clone(),
            replica_sets: vec![vec!["a".into(), "z".into()], vec!["b".into(), "b".into()]],
        };
        assert_eq!(shape.usable_sets(), vec![nodes.clone()]);
        assert_eq!(Shape::of_nodes(&nodes).usable_sets(), vec![nodes]);
    }
}
