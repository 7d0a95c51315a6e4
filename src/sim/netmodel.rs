//! The intended state of every network link, derived from the active faults (pure).
//!
//! turmoil keeps one state per link (healthy, partitioned, one-way partitioned, held), so
//! overlapping faults — a partition while a node is paused, a pause lifted while a partition
//! remains, reply loss on a link that a partition also cuts — cannot be applied one call at a
//! time without one undoing the other. Instead the nemesis records the faults here (which
//! directed node pairs a partition blocks, which a reply loss cuts during the current tick, which
//! nodes are paused), derives the state each link should be in, and applies only the differences.
//!
//! Rules, for hosts `x` and `y` (a client host is never blocked, only held when its node pauses):
//! both directions blocked by partitions → `Partitioned`; else either end paused → `Held`; else
//! each direction is down if a partition blocks it or a reply loss cuts it: both down →
//! `Partitioned`, one down → `OneWay(from, to)`, none → `Healthy`. So an explicit partition or a
//! pause always wins over reply loss, and lifting any of them leaves exactly what the others ask.

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

/// A link state relative to the link's two hosts `(x, y)`, `x` being the node listed first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Healthy,
    Partitioned,
    Held,
    /// `true`: x → y is dropped; `false`: y → x.
    OneWay(bool),
}

/// The faults that shape links, and the link states last applied.
#[derive(Clone, Debug, Default)]
pub struct NetModel {
    /// Hosts: the nodes (indices `0..n`), then the clients.
    hosts: Vec<String>,
    n: usize,
    /// `blocked[a * n + b]`: a partition drops messages from node `a` to node `b`.
    blocked: Vec<bool>,
    /// `cut[a * n + b]`: reply loss drops messages from node `a` to node `b` during this tick.
    cut: Vec<bool>,
    paused: Vec<bool>,
    /// Every link `(x, y)` in a fixed order, and the state last applied to it.
    links: Vec<(usize, usize)>,
    applied: Vec<State>,
}

impl NetModel {
    /// A model over store nodes and client hosts, all links healthy.
    pub fn new(nodes: &[String], clients: &[String]) -> Self {
        let n = nodes.len();
        let mut links = Vec::new();
        for a in 0..n {
            links.extend((a + 1..n).map(|b| (a, b)));
            links.extend((0..clients.len()).map(|c| (a, n + c)));
        }
        NetModel {
            hosts: nodes.iter().chain(clients).cloned().collect(),
            n,
            blocked: vec![false; n * n],
            cut: vec![false; n * n],
            paused: vec![false; n],
            applied: vec![State::Healthy; links.len()],
            links,
        }
    }

    /// The index of node `name`, if it is one.
    pub fn node(&self, name: &str) -> Option<usize> {
        self.hosts[..self.n].iter().position(|h| h == name)
    }

    fn nodes_of<'a>(&'a self, names: &'a [String]) -> impl Iterator<Item = usize> + 'a {
        names.iter().filter_map(|x| self.node(x))
    }

    /// Block messages from every node of `from` to every node of `to`.
    pub fn block(&mut self, from: &[String], to: &[String]) {
        for a in self.nodes_of(from).collect::<Vec<_>>() {
            for b in self.nodes_of(to).collect::<Vec<_>>() {
                if a != b {
                    self.blocked[a * self.n + b] = true;
                }
            }
        }
    }

    /// Replace every partition by `groups`: two nodes can exchange messages iff some group holds
    /// both (groups may share a node, as in a bridge); nodes of the cluster not listed form one
    /// more group.
    pub fn partition_groups(&mut self, groups: &[Vec<String>]) {
        self.heal();
        let n = self.n;
        // For each node, the groups it is in (the unlisted ones share group `groups.len()`).
        let mut member: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (g, group) in groups.iter().enumerate() {
            for a in self.nodes_of(group).collect::<Vec<_>>() {
                member[a].push(g);
            }
        }
        for m in member.iter_mut().filter(|m| m.is_empty()) {
            m.push(groups.len());
        }
        for a in 0..n {
            for b in 0..n {
                let together = member[a].iter().any(|g| member[b].contains(g));
                self.blocked[a * n + b] = a != b && !together;
            }
        }
    }

    /// Lift every partition.
    pub fn heal(&mut self) {
        self.blocked.fill(false);
    }

    /// Pause or resume a node.
    pub fn set_paused(&mut self, node: &str, paused: bool) {
        if let Some(a) = self.node(node) {
            self.paused[a] = paused;
        }
    }

    /// Lift every pause.
    pub fn resume_all(&mut self) {
        self.paused.fill(false);
    }

    /// The directed node pairs `(from, to)` that reply loss cuts from now on (replacing the
    /// previous tick's); whether anything changed.
    pub fn set_cuts(&mut self, cuts: &[(usize, usize)]) -> bool {
        let mut next = vec![false; self.cut.len()];
        for &(a, b) in cuts {
            if a < self.n && b < self.n && a != b {
                next[a * self.n + b] = true;
            }
        }
        let changed = next != self.cut;
        self.cut = next;
        changed
    }

    /// Whether any applied link is one-way (these need re-asserting under random message loss,
    /// which turmoil heals by making a link healthy in both directions).
    pub fn has_one_way(&self) -> bool {
        self.applied.iter().any(|s| matches!(s, State::OneWay(_)))
    }

    fn state(&self, x: usize, y: usize) -> State {
        let n = self.n;
        let paused = |h: usize| h < n && self.paused[h];
        let (xy, yx, cxy, cyx) = if y < n {
            let (a, b) = (x * n + y, y * n + x);
            (self.blocked[a], self.blocked[b], self.cut[a], self.cut[b])
        } else {
            (false, false, false, false)
        };
        if xy && yx {
            State::Partitioned
        } else if paused(x) || paused(y) {
            State::Held
        } else {
            match (xy || cxy, yx || cyx) {
                (true, true) => State::Partitioned,
                (true, false) => State::OneWay(true),
                (false, true) => State::OneWay(false),
                (false, false) => State::Healthy,
            }
        }
    }

    /// The state the link between hosts `x` and `y` should be in now (unknown hosts: healthy).
    pub fn desired(&self, x: &str, y: &str) -> LinkState {
        let host = |h: &str| self.hosts.iter().position(|x| x == h);
        let (Some(a), Some(b)) = (host(x), host(y)) else {
            return LinkState::Healthy;
        };
        let (x, y) = (a.min(b), a.max(b));
        let name = |h: usize| self.hosts[h].clone();
        match self.state(x, y) {
            State::Healthy => LinkState::Healthy,
            State::Partitioned => LinkState::Partitioned,
            State::Held => LinkState::Held,
            State::OneWay(true) => LinkState::OneWay(name(x), name(y)),
            State::OneWay(false) => LinkState::OneWay(name(y), name(x)),
        }
    }

    /// The actions that bring every link from its applied state to its desired state; records
    /// the desired states as applied.
    pub fn sync(&mut self) -> Vec<LinkAction> {
        let mut actions = Vec::new();
        for i in 0..self.links.len() {
            let (x, y) = self.links[i];
            let (want, have) = (self.state(x, y), self.applied[i]);
            if want == have {
                continue;
            }
            let (hx, hy) = (self.hosts[x].clone(), self.hosts[y].clone());
            // Leave the old state first, then enter the new one.
            match have {
                State::Held => actions.push(LinkAction::Release(hx.clone(), hy.clone())),
                State::Partitioned | State::OneWay(_) => {
                    actions.push(LinkAction::Repair(hx.clone(), hy.clone()))
                }
                State::Healthy => {}
            }
            match want {
                State::Healthy => {}
                State::Partitioned => actions.push(LinkAction::Partition(hx, hy)),
                State::Held => actions.push(LinkAction::Hold(hx, hy)),
                State::OneWay(true) => actions.push(LinkAction::PartitionOneWay(hx, hy)),
                State::OneWay(false) => actions.push(LinkAction::PartitionOneWay(hy, hx)),
            }
            self.applied[i] = want;
        }
        actions
    }

    /// Re-issue every applied one-way block (idempotent), for use under random message loss.
    pub fn reassert_one_way(&self) -> Vec<LinkAction> {
        let name = |h: usize| self.hosts[h].clone();
        self.links
            .iter()
            .zip(&self.applied)
            .filter_map(|(&(x, y), s)| match s {
                State::OneWay(true) => Some(LinkAction::PartitionOneWay(name(x), name(y))),
                State::OneWay(false) => Some(LinkAction::PartitionOneWay(name(y), name(x))),
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

    fn act(f: fn(String, String) -> LinkAction, a: &str, b: &str) -> LinkAction {
        f(a.to_string(), b.to_string())
    }

    #[test]
    fn groups_partition_across_groups_only() {
        let mut m = model();
        m.partition_groups(&[names(&["n1"])]);
        let want = [
            act(LinkAction::Partition, "n1", "n2"),
            act(LinkAction::Partition, "n1", "n3"),
        ];
        assert_eq!(m.sync(), want);
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
        let want = [
            act(LinkAction::Repair, "n1", "n2"),
            act(LinkAction::Repair, "n1", "n3"),
        ];
        assert_eq!(m.sync(), want);
    }

    #[test]
    fn pause_holds_every_link_of_the_node_and_resume_keeps_partitions() {
        let mut m = model();
        m.partition_groups(&[names(&["n1"])]);
        m.sync();
        m.set_paused("n2", true);
        // n1–n2 stays partitioned (dropping beats holding); n2–n3 and n2–c0 are held.
        let want = [
            act(LinkAction::Hold, "n2", "n3"),
            act(LinkAction::Hold, "n2", "c0"),
        ];
        assert_eq!(m.sync(), want);
        m.set_paused("n2", false);
        let want = [
            act(LinkAction::Release, "n2", "n3"),
            act(LinkAction::Release, "n2", "c0"),
        ];
        assert_eq!(m.sync(), want);
        assert_eq!(m.desired("n1", "n2"), LinkState::Partitioned);
    }

    #[test]
    fn one_way_blocks_one_direction_and_is_reasserted() {
        let mut m = model();
        m.block(&names(&["n3"]), &names(&["n1"]));
        assert_eq!(m.sync(), [act(LinkAction::PartitionOneWay, "n3", "n1")]);
        assert!(m.has_one_way());
        assert_eq!(
            m.reassert_one_way(),
            [act(LinkAction::PartitionOneWay, "n3", "n1")]
        );
        m.block(&names(&["n1"]), &names(&["n3"]));
        let want = [
            act(LinkAction::Repair, "n1", "n3"),
            act(LinkAction::Partition, "n1", "n3"),
        ];
        assert_eq!(m.sync(), want);
        assert!(!m.has_one_way());
    }

    #[test]
    fn reply_loss_cuts_compose_with_partitions_and_pauses() {
        let mut m = model();
        let (n1, n2, n3) = (0, 1, 2);
        assert!(m.set_cuts(&[(n2, n1), (n3, n1)]));
        assert!(
            !m.set_cuts(&[(n3, n1), (n2, n1)]),
            "the same cuts change nothing"
        );
        let want = [
            act(LinkAction::PartitionOneWay, "n2", "n1"),
            act(LinkAction::PartitionOneWay, "n3", "n1"),
        ];
        assert_eq!(m.sync(), want);
        // A one-way partition the other way makes n1–n2 dead both ways while both hold.
        m.block(&names(&["n1"]), &names(&["n2"]));
        assert_eq!(m.desired("n1", "n2"), LinkState::Partitioned);
        // A pause wins over a cut; an explicit partition wins over the pause.
        m.heal();
        m.set_paused("n3", true);
        assert_eq!(m.desired("n3", "n1"), LinkState::Held);
        m.partition_groups(&[names(&["n3"])]);
        assert_eq!(m.desired("n3", "n1"), LinkState::Partitioned);
        // Lifting everything but the cuts leaves exactly the cuts.
        m.heal();
        m.resume_all();
        m.sync();
        assert_eq!(
            m.desired("n1", "n3"),
            LinkState::OneWay("n3".into(), "n1".into())
        );
        assert_eq!(m.desired("n2", "n3"), LinkState::Healthy);
        m.set_cuts(&[]);
        let actions = m.sync();
        assert_eq!(
            actions,
            [
                act(LinkAction::Repair, "n1", "n2"),
                act(LinkAction::Repair, "n1", "n3")
            ]
        );
        assert!(!m.has_one_way());
    }
}
