//! The intended state of every network link, derived from the active faults (pure).
//!
//! turmoil keeps one state per link (healthy, partitioned, one-way partitioned, held), so
//! overlapping faults — a partition while a node is paused, a pause lifted while a partition
//! remains — cannot be applied one call at a time without one undoing the other. Instead the
//! nemesis records the faults here (which directed node pairs are blocked, which nodes are paused),
//! derives the state each link should be in, and applies only the differences.
//!
//! Rules, for hosts `x` and `y` (a client host is never blocked, only held when its node pauses):
//! both directions blocked → `Partitioned`; else either end paused → `Held`; else one direction
//! blocked → `OneWay(from, to)`; else `Healthy`.

use std::collections::{BTreeMap, BTreeSet};

/// What a link should be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Messages flow.
    Healthy,
    /// Messages in both directions are dropped.
    Partitioned,
    /// Messages are held until released.
    Held,
    /// Messages from the first host to the second are dropped.
    OneWay(String, String),
}

/// One change to apply to the simulated network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkAction {
    /// Repair both directions (held messages stay held).
    Repair(String, String),
    /// Release held messages and make the link healthy.
    Release(String, String),
    /// Partition both directions (in-flight messages are dropped).
    Partition(String, String),
    /// Partition one direction.
    PartitionOneWay(String, String),
    /// Hold messages in both directions.
    Hold(String, String),
}

/// The faults that shape links, and the link states last applied.
#[derive(Clone, Debug, Default)]
pub struct NetModel {
    nodes: Vec<String>,
    clients: Vec<String>,
    blocked: BTreeSet<(String, String)>,
    paused: BTreeSet<String>,
    applied: BTreeMap<(String, String), LinkState>,
}

impl NetModel {
    /// A model over store nodes and client hosts, all links healthy.
    pub fn new(nodes: &[String], clients: &[String]) -> Self {
        NetModel {
            nodes: nodes.to_vec(),
            clients: clients.to_vec(),
            ..Default::default()
        }
    }

    /// Block messages from every node of `from` to every node of `to`.
    pub fn block(&mut self, from: &[String], to: &[String]) {
        for a in from {
            for b in to {
                if a != b {
                    self.blocked.insert((a.clone(), b.clone()));
                }
            }
        }
    }

    /// Replace every partition by `groups`: two nodes can exchange messages iff some group holds
    /// both (groups may share a node, as in a bridge); nodes of the cluster not listed form one more
    /// group.
    pub fn partition_groups(&mut self, groups: &[Vec<String>]) {
        self.heal();
        let listed: BTreeSet<&String> = groups.iter().flatten().collect();
        let rest: Vec<String> = self
            .nodes
            .iter()
            .filter(|n| !listed.contains(n))
            .cloned()
            .collect();
        let mut all: Vec<Vec<String>> = groups.to_vec();
        if !rest.is_empty() {
            all.push(rest);
        }
        let nodes = self.nodes.clone();
        for (i, a) in nodes.iter().enumerate() {
            for b in nodes.iter().skip(i + 1) {
                let together = all.iter().any(|g| g.contains(a) && g.contains(b));
                if !together {
                    self.blocked.insert((a.clone(), b.clone()));
                    self.blocked.insert((b.clone(), a.clone()));
                }
            }
        }
    }

    /// Lift every partition.
    pub fn heal(&mut self) {
        self.blocked.clear();
    }

    /// Pause or resume a node.
    pub fn set_paused(&mut self, node: &str, paused: bool) {
        if paused {
            self.paused.insert(node.to_string());
        } else {
            self.paused.remove(node);
        }
    }

    /// Lift every pause.
    pub fn resume_all(&mut self) {
        self.paused.clear();
    }

    /// Nodes currently paused.
    pub fn paused(&self) -> &BTreeSet<String> {
        &self.paused
    }

    /// Whether any one-way block is active (these need re-asserting under random message loss,
    /// which turmoil heals by making a link healthy in both directions).
    pub fn has_one_way(&self) -> bool {
        self.applied
            .values()
            .any(|s| matches!(s, LinkState::OneWay(..)))
    }

    /// The state a link should be in now.
    pub fn desired(&self, x: &str, y: &str) -> LinkState {
        let xy = self.blocked.contains(&(x.to_string(), y.to_string()));
        let yx = self.blocked.contains(&(y.to_string(), x.to_string()));
        if xy && yx {
            LinkState::Partitioned
        } else if self.paused.contains(x) || self.paused.contains(y) {
            LinkState::Held
        } else if xy {
            LinkState::OneWay(x.to_string(), y.to_string())
        } else if yx {
            LinkState::OneWay(y.to_string(), x.to_string())
        } else {
            LinkState::Healthy
        }
    }

    /// Every link (node–node and node–client), in a fixed order.
    fn links(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (i, a) in self.nodes.iter().enumerate() {
            for b in self.nodes.iter().skip(i + 1) {
                out.push((a.clone(), b.clone()));
            }
            for c in &self.clients {
                out.push((a.clone(), c.clone()));
            }
        }
        out
    }

    /// The actions that bring every link from its applied state to its desired state; records
    /// the desired states as applied.
    pub fn sync(&mut self) -> Vec<LinkAction> {
        let mut actions = Vec::new();
        for (x, y) in self.links() {
            let want = self.desired(&x, &y);
            let have = self
                .applied
                .get(&(x.clone(), y.clone()))
                .cloned()
                .unwrap_or(LinkState::Healthy);
            if want == have {
                continue;
            }
            // Leave the old state first, then enter the new one.
            match &have {
                LinkState::Held => actions.push(LinkAction::Release(x.clone(), y.clone())),
                LinkState::Partitioned | LinkState::OneWay(..) => {
                    actions.push(LinkAction::Repair(x.clone(), y.clone()))
                }
                LinkState::Healthy => {}
            }
            match &want {
                LinkState::Healthy => {}
                LinkState::Partitioned => actions.push(LinkAction::Partition(x.clone(), y.clone())),
                LinkState::Held => actions.push(LinkAction::Hold(x.clone(), y.clone())),
                LinkState::OneWay(a, b) => {
                    actions.push(LinkAction::PartitionOneWay(a.clone(), b.clone()))
                }
            }
            self.applied.insert((x, y), want);
        }
        actions
    }

    /// Re-issue every active one-way block (idempotent), for use under random message loss.
    pub fn reassert_one_way(&self) -> Vec<LinkAction> {
        self.applied
            .values()
            .filter_map(|s| match s {
                LinkState::OneWay(a, b) => Some(LinkAction::PartitionOneWay(a.clone(), b.clone())),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn model() -> NetModel {
        NetModel::new(&names(&["n1", "n2", "n3"]), &names(&["c0"]))
    }

    #[test]
    fn groups_partition_across_groups_only() {
        let mut m = model();
        m.partition_groups(&[names(&["n1"])]);
        let actions = m.sync();
        assert_eq!(
            actions,
            vec![
                LinkAction::Partition("n1".into(), "n2".into()),
                LinkAction::Partition("n1".into(), "n3".into()),
            ]
        );
        assert_eq!(m.desired("n2", "n3"), LinkState::Healthy);
        assert_eq!(
            m.desired("n1", "c0"),
            LinkState::Healthy,
            "clients are never partitioned"
        );
        assert!(m.sync().is_empty(), "nothing changes twice");
    }

    #[test]
    fn a_bridge_node_talks_to_both_sides() {
        let mut m = model();
        m.partition_groups(&[names(&["n1", "n2"]), names(&["n2", "n3"])]);
        assert_eq!(m.desired("n1", "n3"), LinkState::Partitioned);
        assert_eq!(m.desired("n1", "n2"), LinkState::Healthy);
        assert_eq!(m.desired("n2", "n3"), LinkState::Healthy);
        // A new partition replaces the old one.
        m.partition_groups(&[names(&["n1", "n3"])]);
        assert_eq!(m.desired("n1", "n3"), LinkState::Healthy);
        assert_eq!(m.desired("n2", "n3"), LinkState::Partitioned);
    }

    #[test]
    fn heal_repairs_exactly_the_partitioned_links() {
        let mut m = model();
        m.partition_groups(&[names(&["n1"])]);
        m.sync();
        m.heal();
        assert_eq!(
            m.sync(),
            vec![
                LinkAction::Repair("n1".into(), "n2".into()),
                LinkAction::Repair("n1".into(), "n3".into()),
            ]
        );
    }

    #[test]
    fn pause_holds_every_link_of_the_node_and_resume_keeps_partitions() {
        let mut m = model();
        m.partition_groups(&[names(&["n1"])]);
        m.sync();
        m.set_paused("n2", true);
        let actions = m.sync();
        // n1–n2 stays partitioned (dropping beats holding); n2–n3 and n2–c0 are held.
        assert_eq!(
            actions,
            vec![
                LinkAction::Hold("n2".into(), "n3".into()),
                LinkAction::Hold("n2".into(), "c0".into()),
            ]
        );
        m.set_paused("n2", false);
        let actions = m.sync();
        assert_eq!(
            actions,
            vec![
                LinkAction::Release("n2".into(), "n3".into()),
                LinkAction::Release("n2".into(), "c0".into()),
            ]
        );
        assert_eq!(m.desired("n1", "n2"), LinkState::Partitioned);
    }

    #[test]
    fn one_way_blocks_one_direction_and_is_reasserted() {
        let mut m = model();
        m.block(&names(&["n3"]), &names(&["n1"]));
        assert_eq!(
            m.sync(),
            vec![LinkAction::PartitionOneWay("n3".into(), "n1".into())]
        );
        assert!(m.has_one_way());
        assert_eq!(
            m.reassert_one_way(),
            vec![LinkAction::PartitionOneWay("n3".into(), "n1".into())]
        );
        m.block(&names(&["n1"]), &names(&["n3"]));
        assert_eq!(
            m.sync(),
            vec![
                LinkAction::Repair("n1".into(), "n3".into()),
                LinkAction::Partition("n1".into(), "n3".into()),
            ]
        );
        assert!(!m.has_one_way());
    }
}
