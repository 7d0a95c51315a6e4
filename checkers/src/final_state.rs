//! The final replica snapshot (`final.json`): what every replica held after heal and quiesce.
//!
//! The harness writes it after the final reads; the `convergence` and `lost-writes` checkers read
//! it. Collections are sorted vectors (not maps) so that the file is byte-identical for the same
//! run and keys stay integers.

use crate::error::InputError;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One cell held by one replica.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReplicaCell {
    /// The node holding the cell.
    pub node: String,
    /// The key.
    pub key: i64,
    /// The value's id; `null` is a tombstone (the key was deleted at `ts`).
    pub value: Option<i64>,
    /// The cell's write timestamp (coordinator clock, µs).
    pub ts: u64,
}

/// Which nodes replicate a key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// The key.
    pub key: i64,
    /// Its replicas, in ring order.
    pub replicas: Vec<String>,
}

/// How the quiesce phase ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quiesce {
    /// Whether every replica set agreed (all Merkle roots equal) before the deadline.
    pub converged: bool,
    /// Simulated nanoseconds from the end of heal until agreement (or the deadline).
    pub duration_ns: u64,
}

/// The newest cell any replica applied for a key during the run.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReachedCell {
    /// The key.
    pub key: i64,
    /// The value's id; `null` is a tombstone.
    pub value: Option<i64>,
    /// Its timestamp.
    pub ts: u64,
}

/// The content of `final.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalState {
    /// Every node of the cluster.
    pub nodes: Vec<String>,
    /// Nodes whose state could not be read (e.g. still down); their cells are absent.
    #[serde(default)]
    pub unavailable: Vec<String>,
    /// Placement of every key the workload used, sorted by key.
    pub placement: Vec<Placement>,
    /// Every cell of every available replica, sorted by (node, key).
    pub cells: Vec<ReplicaCell>,
    /// Per key, the last-write-wins maximum any replica ever applied (absent in older files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reached: Option<Vec<ReachedCell>>,
    /// How quiesce ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiesce: Option<Quiesce>,
}

impl FinalState {
    /// Read `final.json`, reporting problems as `file:line: problem`.
    pub fn read(path: &Path) -> Result<FinalState, InputError> {
        let name = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| InputError::new(&name, 0, e.to_string()))?;
        serde_json::from_str(&text).map_err(|e| InputError::new(&name, e.line(), e.to_string()))
    }

    /// The cell `node` holds for `key`, if any.
    pub fn cell(&self, node: &str, key: i64) -> Option<&ReplicaCell> {
        self.cells.iter().find(|c| c.node == node && c.key == key)
    }
}
