//! Merkle trees over key-hash buckets, and the descent that compares two of them (pure: no I/O,
//! no async).
//!
//! A key falls in the bucket given by the top `depth` bits of its ring token
//! ([`Ring::key_token`]), so a tree of depth `d` has `2^d` leaf buckets. A leaf is the xxh3 hash
//! of its bucket's cells in key order (each cell as `key, value, ts`, little-endian), or 0 for an
//! empty bucket; an inner node is `xxh3(left ‖ right)`, except that two empty children give 0, so an
//! empty subtree hashes to 0 at every level. Level 0 is the root, level `depth` the leaves.
//!
//! Guarantees (up to 64-bit hash collisions):
//! - two trees of the same depth have equal nodes exactly where the cells under them are equal, so
//!   equal roots mean equal cell sets, whatever order the cells were given in;
//! - [`MerkleTree::step`] descends only into children of nodes that differ, so when `k` keys differ
//!   a full descent compares at most `1 + 2·k·depth` nodes and reports at most `k` buckets; when
//!   nothing differs it compares the root alone.
//!
//! Two replicas compare the **shared range** only ([`shared_tree`]): the keys both of them
//! replicate, which is what both should hold identically. This is the anti-entropy scheme of
//! Dynamo (DeCandia et al., SOSP 2007) and Cassandra's repair, after Merkle (CRYPTO 1987).

use super::cell::{Cell, Key};
use super::ring::{NodeId, Ring};
use super::storage::CellMap;
use std::borrow::Borrow;
use std::collections::BTreeSet;
use xxhash_rust::xxh3::xxh3_64;

/// The deepest tree built: larger depths are clamped to this (`2^16` leaf buckets).
pub const MAX_DEPTH: u32 = 16;

/// The leaf bucket of `key` in a tree of `depth` (clamped to [`MAX_DEPTH`]): the top `depth` bits of
/// the key's ring token.
pub fn bucket_of(key: Key, depth: u32) -> u32 {
    let depth = depth.min(MAX_DEPTH);
    if depth == 0 {
        0
    } else {
        (Ring::key_token(key) >> (64 - depth)) as u32
    }
}

/// The hash of an inner node from its children; two empty children (0, 0) give 0.
fn inner(left: u64, right: u64) -> u64 {
    if left == 0 && right == 0 {
        return 0;
    }
    let mut buf = [0u8; 16];
    buf[..8].copy_from_slice(&left.to_le_bytes());
    buf[8..].copy_from_slice(&right.to_le_bytes());
    xxh3_64(&buf)
}

/// Why a peer's answer does not fit the descent of a tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DescentError {
    /// The level is deeper than the tree.
    #[error("level {level} is below the leaves of a depth-{depth} tree")]
    LevelOutOfRange {
        /// Level asked.
        level: u32,
        /// The tree's depth.
        depth: u32,
    },
    /// A position is outside its level.
    #[error("position {position} does not exist at level {level}")]
    PositionOutOfRange {
        /// Level asked.
        level: u32,
        /// Position asked.
        position: u32,
    },
    /// The peer answered a different number of hashes than positions were asked.
    #[error("{asked} positions asked but {answered} hashes answered")]
    LengthMismatch {
        /// Positions asked.
        asked: usize,
        /// Hashes answered.
        answered: usize,
    },
}

/// What a leaf hash covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeafHash {
    /// Every cell of the bucket with its key (correct).
    WithKeys,
    /// The cells without their keys (planted bug).
    WithoutKeys,
}

/// What to do next in a descent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Ask the peer for its hashes at these positions of `level`.
    Ask {
        /// Tree level (0 = root).
        level: u32,
        /// Positions within the level, ascending.
        positions: Vec<u32>,
    },
    /// The descent is over: these leaf buckets differ (ascending; empty = the trees agree).
    Buckets(Vec<u32>),
}

impl Step {
    /// The first step of every descent: compare the roots.
    pub fn start() -> Step {
        Step::Ask {
            level: 0,
            positions: vec![0],
        }
    }
}

/// A Merkle tree over the buckets of a set of cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerkleTree {
    depth: u32,
    /// `levels[l]` holds the `2^l` node hashes of level `l`.
    levels: Vec<Vec<u64>>,
}

impl MerkleTree {
    /// Build the tree of `depth` (clamped to [`MAX_DEPTH`]) over `cells`, given in any order.
    /// Keys are expected to be distinct (as in a [`CellMap`]).
    pub fn build<C: Borrow<Cell>>(
        cells: impl IntoIterator<Item = (Key, C)>,
        depth: u32,
    ) -> MerkleTree {
        Self::build_with(cells, depth, LeafHash::WithKeys)
    }

    /// [`Self::build`] with a choice of leaf hash (the planted bug `merkle-leaf-omits-key` hashes
    /// the cells of a bucket without their keys).
    pub fn build_with<C: Borrow<Cell>>(
        cells: impl IntoIterator<Item = (Key, C)>,
        depth: u32,
        leaf: LeafHash,
    ) -> MerkleTree {
        let depth = depth.min(MAX_DEPTH);
        let mut entries: Vec<(u32, Key, C)> = cells
            .into_iter()
            .map(|(key, cell)| (bucket_of(key, depth), key, cell))
            .collect();
        entries.sort_unstable_by_key(|&(bucket, key, _)| (bucket, key));
        let mut leaves = vec![0u64; 1usize << depth];
        let mut buf = Vec::new();
        for chunk in entries.chunk_by(|a, b| a.0 == b.0) {
            buf.clear();
            for (_, key, cell) in chunk {
                let cell = cell.borrow();
                if leaf == LeafHash::WithKeys {
                    buf.extend_from_slice(&key.to_le_bytes());
                }
                buf.extend_from_slice(&cell.ts.to_le_bytes());
                match &cell.value {
                    None => buf.push(0),
                    Some(v) => {
                        buf.push(1);
                        buf.extend_from_slice(&(v.len() as u64).to_le_bytes());
                        buf.extend_from_slice(v);
                    }
                }
            }
            leaves[chunk[0].0 as usize] = xxh3_64(&buf);
        }
        let mut levels = vec![leaves];
        while levels[levels.len() - 1].len() > 1 {
            let below = &levels[levels.len() - 1];
            let up = below.chunks(2).map(|p| inner(p[0], p[1])).collect();
            levels.push(up);
        }
        levels.reverse();
        MerkleTree { depth, levels }
    }

    /// The tree's depth: levels `0..=depth`, `2^depth` leaf buckets.
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// The root hash (0 for an empty tree).
    pub fn root(&self) -> u64 {
        self.levels[0][0]
    }

    /// The `2^l` node hashes of level `l` (0 = root, `depth` = leaves); empty beyond the leaves.
    pub fn level(&self, l: u32) -> &[u64] {
        self.levels.get(l as usize).map_or(&[], |v| v.as_slice())
    }

    /// This tree's hashes at `positions` of `level`, in the order asked (what a peer answers).
    pub fn hashes_at(&self, level: u32, positions: &[u32]) -> Result<Vec<u64>, DescentError> {
        let nodes = self
            .levels
            .get(level as usize)
            .ok_or(DescentError::LevelOutOfRange {
                level,
                depth: self.depth,
            })?;
        positions
            .iter()
            .map(|&p| {
                nodes
                    .get(p as usize)
                    .copied()
                    .ok_or(DescentError::PositionOutOfRange { level, position: p })
            })
            .collect()
    }

    /// One step of the descent: given the positions asked at `level` and the peer's hashes there
    /// (`theirs`, same order), the positions that differ lead to their children at the next level,
    /// or, at the leaves, are the differing buckets. Nothing differing ends the descent at once.
    pub fn step(&self, level: u32, asked: &[u32], theirs: &[u64]) -> Result<Step, DescentError> {
        if asked.len() != theirs.len() {
            return Err(DescentError::LengthMismatch {
                asked: asked.len(),
                answered: theirs.len(),
            });
        }
        let mine = self.hashes_at(level, asked)?;
        let mut differing: Vec<u32> = asked
            .iter()
            .zip(mine.iter().zip(theirs))
            .filter(|(_, (m, t))| m != t)
            .map(|(&p, _)| p)
            .collect();
        differing.sort_unstable();
        differing.dedup();
        if level == self.depth || differing.is_empty() {
            // At the leaves the differing positions are the buckets; above them, nothing
            // differing means the subtrees asked agree.
            return Ok(Step::Buckets(differing));
        }
        let positions = differing.iter().flat_map(|&p| [2 * p, 2 * p + 1]).collect();
        Ok(Step::Ask {
            level: level + 1,
            positions,
        })
    }
}

/// Run the whole descent of `a` against `b` locally: the differing leaf buckets (ascending) and
/// the number of node pairs compared. Trees of different depths cannot be compared: every bucket of
/// `a` is reported, with 0 nodes compared.
pub fn diff_buckets(a: &MerkleTree, b: &MerkleTree) -> (Vec<u32>, u64) {
    let everything = || ((0..a.level(a.depth).len() as u32).collect(), 0);
    if a.depth != b.depth {
        return everything();
    }
    let mut compared = 0u64;
    let mut step = Step::start();
    loop {
        match step {
            Step::Buckets(buckets) => return (buckets, compared),
            Step::Ask { level, positions } => {
                compared += positions.len() as u64;
                let next = b
                    .hashes_at(level, &positions)
                    .and_then(|theirs| a.step(level, &positions, &theirs));
                match next {
                    Ok(s) => step = s,
                    Err(_) => return everything(),
                }
            }
        }
    }
}

/// Whether `key` is in the range shared by `a` and `b` (both replicate it).
pub fn is_shared(ring: &Ring, a: NodeId, b: NodeId, key: Key) -> bool {
    let replicas = ring.replicas(key);
    replicas.contains(&a) && replicas.contains(&b)
}

/// The tree of `depth` over the cells of `cells` whose key both `a` and `b` replicate.
pub fn shared_tree(cells: &CellMap, ring: &Ring, a: NodeId, b: NodeId, depth: u32) -> MerkleTree {
    shared_tree_with(cells, ring, (a, b), depth, LeafHash::WithKeys)
}

/// [`shared_tree`] with a choice of leaf hash.
pub fn shared_tree_with(
    cells: &CellMap,
    ring: &Ring,
    (a, b): (NodeId, NodeId),
    depth: u32,
    leaf: LeafHash,
) -> MerkleTree {
    let shared = cells
        .iter()
        .filter(|(&key, _)| is_shared(ring, a, b, key))
        .map(|(&key, cell)| (key, cell));
    MerkleTree::build_with(shared, depth, leaf)
}

/// The cells of the range shared by `a` and `b` that fall in `buckets` of a depth-`depth` tree, in
/// key order.
pub fn shared_cells_in(
    cells: &CellMap,
    ring: &Ring,
    (a, b): (NodeId, NodeId),
    depth: u32,
    buckets: &[u32],
) -> Vec<(Key, Cell)> {
    let wanted: BTreeSet<u32> = buckets.iter().copied().collect();
    cells
        .iter()
        .filter(|(&key, _)| wanted.contains(&bucket_of(key, depth)) && is_shared(ring, a, b, key))
        .map(|(&key, cell)| (key, cell.clone()))
        .collect()
}

/// The nodes other than `me` that share at least one token range with it (ascending): the peers
/// `me` exchanges with. Computed from the ring's token ranges, so it does not depend on the data.
pub fn peers_sharing(ring: &Ring, me: NodeId) -> Vec<NodeId> {
    let peers: BTreeSet<NodeId> = ring
        .range_replicas()
        .into_iter()
        .filter(|set| set.contains(&me))
        .flatten()
        .filter(|&n| n != me)
        .collect();
    peers.into_iter().collect()
}

#[cfg(test)]
#[path = "merkle_tests.rs"]
mod tests;
