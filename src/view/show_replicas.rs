//! What each replica held, from `events.jsonl`: the cell a node had for a key at a moment, since
//! when and why, and what replaced it next ("n3 held 9@ts 378000 until read-repair at 0.371 s").
//!
//! Guarantees: parsing never panics — a line that is not a JSON object with a `time`, `node` and
//! `kind` is one [`InputError`] naming the file and the line; other kinds than `apply`, `purge` and
//! `log-replay` are skipped (they do not change a cell). Queries are pure functions of the parsed
//! log. A `log-replay` (a restart) is shown as a change of unknown outcome: cells not yet synced may
//! have been lost there.

use quorumlab_checkers::error::excerpt;
use quorumlab_checkers::{fmt_time, InputError, Value};
use serde::Deserialize;
use std::collections::BTreeSet;

/// A replica's cell: a value (`null`: a tombstone) and its timestamp.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Cell {
    /// The value id, `null` for a tombstone.
    #[serde(default)]
    pub value: Value,
    /// The cell timestamp.
    pub ts: u64,
}

impl Cell {
    /// `9@ts 378000`, `tombstone@ts 380000`.
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Null => format!("tombstone@ts {}", self.ts),
            v => format!("{v}@ts {}", self.ts),
        }
    }
}

/// One change to what a node holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Simulated ns.
    pub time: u64,
    /// The node.
    pub node: String,
    /// The key (`None` for a restart, which concerns every key).
    pub key: Option<Value>,
    /// The cell after (`None`: purged, or unknown after a restart).
    pub new: Option<Cell>,
    /// Why: `write`, `read-repair`, `hint`, `anti-entropy`, `purge` or `restart`.
    pub cause: String,
}

#[derive(Deserialize)]
struct Line {
    time: u64,
    node: String,
    kind: String,
    #[serde(default)]
    key: Option<Value>,
    #[serde(default)]
    new: Option<Cell>,
    #[serde(default)]
    cause: Option<String>,
}

/// The cell changes of a run, in time order (the file's order).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplicaLog {
    changes: Vec<Change>,
}

impl ReplicaLog {
    /// Parse the text of `events.jsonl`; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<ReplicaLog, InputError> {
        let mut changes = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            if raw.trim().is_empty() {
                continue;
            }
            let line: Line = serde_json::from_str(raw).map_err(|e| {
                InputError::new(
                    file,
                    i + 1,
                    format!("not an event: {}", excerpt(&e.to_string())),
                )
            })?;
            let cause = match line.kind.as_str() {
                "apply" => line.cause.unwrap_or_else(|| "apply".into()),
                "purge" => "purge".into(),
                "log-replay" => "restart".into(),
                _ => continue,
            };
            changes.push(Change {
                time: line.time,
                node: line.node,
                key: line.key,
                new: if cause == "purge" { None } else { line.new },
                cause,
            });
        }
        Ok(ReplicaLog { changes })
    }

    /// The nodes that ever changed a cell of `key`, sorted.
    pub fn nodes_of(&self, key: &Value) -> Vec<String> {
        let set: BTreeSet<&str> = self
            .changes
            .iter()
            .filter(|c| c.key.as_ref() == Some(key))
            .map(|c| c.node.as_str())
            .collect();
        set.into_iter().map(str::to_string).collect()
    }

    /// What `node` held for `key` at `time` (changes at `time` included): the last change up to
    /// then (if any), and the first change after it.
    pub fn held_at(
        &self,
        node: &str,
        key: &Value,
        time: u64,
    ) -> (Option<&Change>, Option<&Change>) {
        let mine = self
            .changes
            .iter()
            .filter(|c| c.node == node && c.key.as_ref().is_none_or(|k| k == key));
        let mut before = None;
        for c in mine {
            if c.time <= time {
                before = Some(c);
            } else {
                return (before, Some(c));
            }
        }
        (before, None)
    }

    /// One line: what `node` held for `key` at `time`, since when, and until what.
    pub fn describe_at(&self, node: &str, key: &Value, time: u64) -> String {
        let (before, after) = self.held_at(node, key, time);
        let held = match before {
            None => "held nothing".to_string(),
            Some(c) if c.cause == "restart" => {
                format!(
                    "had restarted at {} (unsynced cells may be lost)",
                    fmt_time(c.time)
                )
            }
            Some(c) => match &c.new {
                Some(cell) => format!(
                    "held {} ({} at {})",
                    cell.describe(),
                    c.cause,
                    fmt_time(c.time)
                ),
                None => format!("held nothing (purged at {})", fmt_time(c.time)),
            },
        };
        let until = match after {
            None => ", unchanged to the end".to_string(),
            Some(c) => match &c.new {
                Some(cell) => format!(
                    " until {} at {} → {}",
                    c.cause,
                    fmt_time(c.time),
                    cell.describe()
                ),
                None => format!(" until {} at {}", c.cause, fmt_time(c.time)),
            },
        };
        let still = if before.is_some() && after.is_some() {
            "still "
        } else {
            ""
        };
        format!("{node} {still}{held}{until}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = r#"{"keys":0,"kind":"log-replay","node":"n1","records":0,"time":0}
{"cause":"write","durable":true,"index":3,"key":1,"kind":"apply","new":{"ts":6000,"value":1},"node":"n1","old":null,"time":6000000}
{"index":4,"key":1,"kind":"digest-mismatch","node":"n5","time":10000000}
{"cause":"write","durable":true,"index":3,"key":1,"kind":"apply","new":{"ts":6000,"value":1},"node":"n3","old":null,"time":7000000}
{"cause":"read-repair","durable":true,"index":9,"key":1,"kind":"apply","new":{"ts":9000,"value":2},"node":"n1","old":null,"time":1318000000}
{"key":1,"kind":"purge","node":"n3","old":{"ts":6000,"value":1},"time":2000000000}
"#;

    #[test]
    fn a_replica_holds_its_last_cell_until_the_next_change() {
        let log = ReplicaLog::parse("events.jsonl", LOG).unwrap();
        let k = Value::Int(1);
        assert_eq!(log.nodes_of(&k), ["n1", "n3"]);
        assert_eq!(
            log.describe_at("n1", &k, 8_000_000),
            "n1 still held 1@ts 6000 (write at 0.006 s) until read-repair at 1.318 s → 2@ts 9000"
        );
        assert_eq!(
            log.describe_at("n1", &k, 1_318_000_000),
            "n1 held 2@ts 9000 (read-repair at 1.318 s), unchanged to the end"
        );
        assert_eq!(
            log.describe_at("n3", &k, 3_000_000_000),
            "n3 held nothing (purged at 2.000 s), unchanged to the end"
        );
        assert_eq!(
            log.describe_at("n5", &k, 1),
            "n5 held nothing, unchanged to the end"
        );
        assert!(log
            .describe_at("n1", &Value::Int(2), 1)
            .starts_with("n1 had restarted at 0.000 s"));
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = ReplicaLog::parse("events.jsonl", "\n{\"time\":1}\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("events.jsonl", 2));
        assert!(ReplicaLog::parse("e", "[1,2]").is_err());
    }
}
