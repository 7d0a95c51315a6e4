//! The lines of `events.jsonl` a timeline shows: every change of a replica's cell (`apply`,
//! `purge`) and the mechanisms that act on replicas (read repair, hinted handoff, anti-entropy
//! exchanges, log replays), and any kind another system under test reports. The built-in store's
//! coordinator decisions are skipped: the operations show them.
//!
//! Guarantees: parsing is a pure function of one line; a line that is not a JSON object with
//! `time`, `node` and `kind` is one [`InputError`] naming the file and line; kinds this module
//! does not know are shown with their fields as detail (fields are added, never renamed).

use quorumlab_checkers::{InputError, Value};
use serde_json::{Map, Value as Json};

/// One store event worth a mark on a replica lane or a node row.
#[derive(Clone, Debug, PartialEq)]
pub struct StoreEvent {
    /// Simulated nanoseconds.
    pub time: u64,
    /// The node that did it.
    pub node: String,
    /// `apply`, `purge`, `repair-sent`, `hint-stored`, `ae-exchange`, …
    pub kind: String,
    /// The key, when the event concerns one.
    pub key: Option<Value>,
    /// The node acted upon (`to` of repairs and hints, `peer` of anti-entropy).
    pub peer: Option<String>,
    /// The history index of the client operation that caused it.
    pub index: Option<u64>,
    /// For `apply`: the new cell (`None` for `purge`: the cell is gone).
    pub cell: Option<Cell>,
    /// For `apply`: why (`write`, `read-repair`, `hint`, `anti-entropy`).
    pub cause: Option<String>,
    /// The other fields, as compact JSON with sorted keys (empty when none).
    pub detail: String,
}

/// A replica's cell: a value (`Null`: tombstone) and its timestamp.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The value; `Null` is a tombstone.
    pub value: Value,
    /// The cell's timestamp.
    pub ts: u64,
}

/// The built-in store's coordinator decisions, skipped (the operations show them); every other
/// kind is shown — the built-in store's replica changes and mechanisms, and whatever another
/// system under test reports (as a plain mark on its node's row, or its key's lane).
const HIDDEN: &[&str] = &[
    "digest-mismatch",
    "read-replied",
    "write-acked",
    "write-timeout",
    "unavailable",
    "synced",
    "log-exchange",
];

/// Fields that have their own place in [`StoreEvent`].
const OWN: &[&str] = &[
    "time", "node", "kind", "key", "to", "peer", "index", "new", "old", "cause",
];

/// Parse line `line` (1-based) of `file`; `Ok(None)` for blank lines and kinds not shown.
pub fn parse_line(file: &str, line: usize, text: &str) -> Result<Option<StoreEvent>, InputError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = |m: String| InputError::new(file, line, m);
    let json: Json = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    let Json::Object(map) = json else {
        return Err(bad("expected a JSON object".into()));
    };
    let kind = str_field(&map, "kind").ok_or_else(|| bad("missing string field `kind`".into()))?;
    let time = map
        .get("time")
        .and_then(Json::as_u64)
        .ok_or_else(|| bad("missing non-negative integer field `time`".into()))?;
    let node = str_field(&map, "node").ok_or_else(|| bad("missing string field `node`".into()))?;
    if HIDDEN.contains(&kind) {
        return Ok(None);
    }
    let key = match map.get("key") {
        None | Some(Json::Null) => None,
        Some(k) => Some(
            serde_json::from_value::<Value>(k.clone())
                .map_err(|e| bad(format!("field `key`: {e}")))?,
        ),
    };
    let cell = match map.get("new") {
        Some(Json::Object(c)) => Some(Cell {
            value: serde_json::from_value::<Value>(c.get("value").cloned().unwrap_or(Json::Null))
                .map_err(|e| bad(format!("field `new`: {e}")))?,
            ts: c
                .get("ts")
                .and_then(Json::as_u64)
                .ok_or_else(|| bad("field `new`: missing integer `ts`".into()))?,
        }),
        _ => None,
    };
    if kind == "apply" && cell.is_none() {
        return Err(bad("an `apply` needs a cell in `new`".into()));
    }
    let detail: Map<String, Json> = map
        .iter()
        .filter(|(k, _)| !OWN.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let detail = if detail.is_empty() {
        String::new()
    } else {
        Json::Object(detail).to_string()
    };
    Ok(Some(StoreEvent {
        time,
        node: node.to_string(),
        kind: kind.to_string(),
        key,
        peer: str_field(&map, "to")
            .or_else(|| str_field(&map, "peer"))
            .map(str::to_string),
        index: map.get("index").and_then(Json::as_u64),
        cell,
        cause: str_field(&map, "cause").map(str::to_string),
        detail,
    }))
}

/// Parse every line of an `events.jsonl` text.
pub fn parse(file: &str, text: &str) -> Result<Vec<StoreEvent>, InputError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(e) = parse_line(file, i + 1, line)? {
            out.push(e);
        }
    }
    Ok(out)
}

fn str_field<'a>(map: &'a Map<String, Json>, name: &str) -> Option<&'a str> {
    map.get(name).and_then(Json::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_apply_keeps_its_cell_cause_and_operation() {
        let line = r#"{"cause":"hint","durable":true,"index":7,"key":3,"kind":"apply","new":{"ts":730000,"value":17},"node":"n4","old":{"ts":350000,"value":16},"time":802000000}"#;
        let e = parse_line("events.jsonl", 1, line).unwrap().unwrap();
        assert_eq!(e.kind, "apply");
        assert_eq!(e.key, Some(Value::Int(3)));
        assert_eq!(e.index, Some(7));
        assert_eq!(e.cause.as_deref(), Some("hint"));
        assert_eq!(
            e.cell,
            Some(Cell {
                value: Value::Int(17),
                ts: 730000
            })
        );
        assert_eq!(e.detail, r#"{"durable":true}"#);
    }

    #[test]
    fn marks_name_their_peer_and_other_kinds_are_skipped() {
        let hint = r#"{"index":500,"key":5,"kind":"hint-stored","node":"n1","time":563,"to":"n4"}"#;
        let e = parse_line("e", 1, hint).unwrap().unwrap();
        assert_eq!(e.peer.as_deref(), Some("n4"));
        let ae = r#"{"applied":0,"buckets":1,"completed":true,"kind":"ae-exchange","node":"n2","peer":"n3","received":1,"sent":1,"time":205}"#;
        let e = parse_line("e", 1, ae).unwrap().unwrap();
        assert_eq!((e.peer.as_deref(), e.key), (Some("n3"), None));
        assert!(e.detail.contains("\"buckets\":1"), "{}", e.detail);
        let acked = r#"{"answered":2,"key":1,"kind":"write-acked","node":"n1","time":5}"#;
        assert_eq!(parse_line("e", 1, acked).unwrap(), None);
        assert_eq!(parse_line("e", 1, "  ").unwrap(), None);
        // Another system's own kind is shown, its fields kept as detail.
        let theirs = r#"{"kind":"catch-up","node":"n1","peer":"n3","from":7,"time":9}"#;
        let e = parse_line("e", 1, theirs).unwrap().unwrap();
        assert_eq!(
            (e.kind.as_str(), e.peer.as_deref()),
            ("catch-up", Some("n3"))
        );
        assert!(e.detail.contains("\"from\":7"), "{}", e.detail);
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        let text = "{\"kind\":\"purge\",\"node\":\"n1\",\"time\":1,\"key\":1}\n{\"kind\":\"apply\"";
        let e = parse("events.jsonl", text).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("events.jsonl", 2));
        let e = parse("e", "{\"kind\":\"apply\",\"node\":\"n1\",\"time\":1}").unwrap_err();
        assert!(e.message.contains("new"), "{e}");
        assert!(parse("e", "[1]").is_err());
        assert!(parse("e", "{\"kind\":\"apply\",\"node\":\"n1\",\"time\":-1}").is_err());
    }
}
