//! The final replica snapshot (`final.json`): what every replica held after heal and quiesce, and
//! what reached the replicas during the run.
//!
//! The harness writes it after the final reads; `convergence`, `lost-writes`, `phantom` and
//! `resurrection` read it. Collections are sorted vectors (not maps) so that the file is
//! byte-identical for the same run and keys stay integers.
//!
//! Cells and versions. A cell is a value with its write timestamp `ts`, or a tombstone — `"value":
//! null`, the key was deleted at `ts`. Cells are ordered as the store's last-write-wins rule
//! orders them, by `(ts, is_tombstone, value)`: a tombstone wins a tie with a value of the same
//! `ts` ([`ReplicaCell::version`]). A tombstone and no cell at all mean the same to a reader (the
//! key is absent; the store may purge tombstones).
//!
//! `reached` (optional; absent in files written before it existed, and then nothing is checked
//! against it): for each key, sorted by key, the maximum cell in that order that ANY replica
//! applied at any time during the run, as recorded by the harness.
//!
//! Reading never panics: a problem is an [`InputError`] at its line (invalid UTF-8 included).

use crate::error::{json_message, InputError};
use serde::{Deserialize, Deserializer, Serialize};
use std::path::Path;

/// `null` or an integer, and the field must be present (a missing `value` is an error, not a
/// tombstone).
fn nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Option::<i64>::deserialize(d)
}

/// One cell held by one replica.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReplicaCell {
    /// The node holding the cell.
    pub node: String,
    /// The key.
    pub key: i64,
    /// The value; `None` (JSON `null`) is a tombstone.
    #[serde(deserialize_with = "nullable")]
    pub value: Option<i64>,
    /// The cell's write timestamp (coordinator clock, µs); a tombstone's is its delete's.
    pub ts: u64,
}

impl ReplicaCell {
    /// Whether this cell is a tombstone (the key was deleted).
    pub fn is_tombstone(&self) -> bool {
        self.value.is_none()
    }

    /// The cell's place in last-write-wins order: `(ts, is_tombstone, value)`.
    pub fn version(&self) -> (u64, bool, Option<i64>) {
        (self.ts, self.is_tombstone(), self.value)
    }
}

/// The newest cell of one key that any replica applied during the run.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReachedCell {
    /// The key.
    pub key: i64,
    /// The value; `None` (JSON `null`) is a tombstone.
    #[serde(deserialize_with = "nullable")]
    pub value: Option<i64>,
    /// Its write timestamp.
    pub ts: u64,
}

impl ReachedCell {
    /// The cell's place in last-write-wins order: `(ts, is_tombstone, value)`.
    pub fn version(&self) -> (u64, bool, Option<i64>) {
        (self.ts, self.value.is_none(), self.value)
    }
}

/// A cell as people read it: `5@1201`, `tombstone@1300`.
pub fn show_cell(value: Option<i64>, ts: u64) -> String {
    match value {
        Some(v) => format!("{v}@{ts}"),
        None => format!("tombstone@{ts}"),
    }
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
    /// Every cell of every available replica, sorted by (node, key); tombstones included.
    pub cells: Vec<ReplicaCell>,
    /// How quiesce ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiesce: Option<Quiesce>,
    /// Per key, the newest cell any replica applied during the run, sorted by key; `None` when
    /// the file does not record it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reached: Option<Vec<ReachedCell>>,
}

impl FinalState {
    /// Parse the text of `final.json`; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<FinalState, InputError> {
        serde_json::from_str(text).map_err(|e| InputError::new(file, e.line(), json_message(&e)))
    }

    /// Read `final.json` (any readable path), reporting problems as `file:line: problem`.
    pub fn read(path: &Path) -> Result<FinalState, InputError> {
        let name = path.display().to_string();
        let text = crate::text::decode(&name, crate::text::read(&name, path)?)?;
        FinalState::parse(&name, &text)
    }

    /// The cell `node` holds for `key`, if any.
    pub fn cell(&self, node: &str, key: i64) -> Option<&ReplicaCell> {
        self.cells.iter().find(|c| c.node == node && c.key == key)
    }

    /// The newest cell of `key` that reached a replica during the run: `None` when the file does
    /// not record `reached`, `Some(None)` when it does and nothing of `key` reached any replica.
    /// Should a key be listed twice, the newest of its entries counts.
    pub fn reached(&self, key: i64) -> Option<Option<&ReachedCell>> {
        let reached = self.reached.as_ref()?;
        Some(
            reached
                .iter()
                .filter(|r| r.key == key)
                .max_by_key(|r| r.version()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = r#"{"nodes":["n1"],"placement":[{"key":1,"replicas":["n1"]}],
"cells":[{"node":"n1","key":1,"value":5,"ts":7}]}"#;

    #[test]
    fn files_without_tombstones_or_reached_read_as_before() {
        let fs = FinalState::parse("final.json", OLD).unwrap();
        assert_eq!(fs.cells[0].value, Some(5));
        assert_eq!(fs.reached, None);
        assert_eq!(fs.reached(1), None);
        let back = serde_json::to_string(&fs).unwrap();
        assert!(!back.contains("reached"), "{back}");
    }

    #[test]
    fn a_null_value_is_a_tombstone_and_serialises_as_null_in_field_order() {
        let text = r#"{"nodes":["n1"],"placement":[],
"cells":[{"node":"n1","key":3,"value":null,"ts":1300}],
"reached":[{"key":3,"value":null,"ts":1300},{"key":4,"value":9,"ts":1}]}"#;
        let fs = FinalState::parse("final.json", text).unwrap();
        assert!(fs.cells[0].is_tombstone());
        assert_eq!(fs.reached(3).flatten().map(|r| r.value), Some(None));
        assert_eq!(fs.reached(5), Some(None));
        let cell = serde_json::to_string(&fs.cells[0]).unwrap();
        assert_eq!(cell, r#"{"node":"n1","key":3,"value":null,"ts":1300}"#);
        assert_eq!(show_cell(None, 1300), "tombstone@1300");
    }

    #[test]
    fn a_tombstone_wins_a_tie_in_version_order() {
        let cell = |value, ts| ReplicaCell {
            node: "n1".into(),
            key: 1,
            value,
            ts,
        };
        assert!(cell(None, 10).version() > cell(Some(99), 10).version());
        assert!(cell(None, 9).version() < cell(Some(1), 10).version());
        assert!(cell(Some(2), 10).version() > cell(Some(1), 10).version());
    }

    #[test]
    fn a_missing_value_is_an_error_not_a_tombstone() {
        let text =
            "{\"nodes\":[],\"placement\":[],\n\"cells\":[{\"node\":\"n1\",\"key\":3,\"ts\":1}]}";
        let e = FinalState::parse("final.json", text).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("value"), "{e}");
    }
}
