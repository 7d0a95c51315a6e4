//! JSON Lines reader and writer for histories (`history.jsonl`).
//!
//! The reader accepts one JSON object per line, skips blank lines, ignores unknown fields, and
//! reports the first malformed line as `file:line: problem` (echoed input cut, see
//! [`crate::error`]). It never panics. A missing `index` is filled with the event's position;
//! indices must strictly increase. Each event keeps its line ([`ParsedHistory`]). The order of the
//! lines is the history's real-time order; `time` is only an annotation (see [`crate::ops`]).
//! The writer emits the exact field order of [`Event`], so equal events give byte-identical files.

use crate::error::{json_message, InputError};
use crate::history::{Event, EventType, Process};
use crate::parsed::ParsedHistory;
use crate::value::Value;
use serde::Deserialize;
use std::io::{self, Write};
use std::path::Path;

/// The on-disk form: identical to [`Event`] except that `index` may be missing and `error` may be
/// any JSON value (it is rendered to a string).
#[derive(Deserialize)]
struct RawEvent {
    index: Option<u64>,
    #[serde(default)]
    time: Option<u64>,
    process: Process,
    #[serde(rename = "type")]
    kind: EventType,
    f: String,
    #[serde(default)]
    key: Option<Value>,
    #[serde(default)]
    value: Value,
    #[serde(default)]
    ts: Option<u64>,
    #[serde(default)]
    node: Option<String>,
    #[serde(default)]
    error: Option<serde_json::Value>,
}

/// Parse a history from JSON Lines text; `file` names the source in error messages.
pub fn parse_jsonl(file: &str, text: &str) -> Result<ParsedHistory, InputError> {
    // One event per line: reserving once avoids regrowing (and copying) a vector of millions.
    let lines = text.as_bytes().iter().filter(|&&b| b == b'\n').count() + 1;
    let mut out = ParsedHistory::with_capacity(lines);
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let raw: RawEvent = serde_json::from_str(trimmed)
            .map_err(|e| InputError::new(file, lineno, json_message(&e)))?;
        let index = raw.index.unwrap_or(out.len() as u64);
        if let Some(prev) = out.events().last().map(|e| e.index) {
            if index <= prev {
                return Err(InputError::new(
                    file,
                    lineno,
                    format!("index {index} does not increase (previous event has index {prev})"),
                ));
            }
        }
        let r = raw;
        let event = Event {
            index,
            time: r.time,
            process: r.process,
            kind: r.kind,
            f: r.f,
            key: r.key,
            value: r.value,
            ts: r.ts,
            node: r.node,
            error: r.error.map(|e| match e {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            }),
        };
        out.push(event, lineno);
    }
    Ok(out)
}

/// Read a history file in JSON Lines format.
pub fn read_jsonl(path: &Path) -> Result<ParsedHistory, InputError> {
    let name = path.display().to_string();
    let text = crate::text::decode(&name, crate::text::read(&name, path)?)?;
    parse_jsonl(&name, &text)
}

/// Serialise one event as a single JSON line (without the newline).
pub fn to_line(event: &Event) -> String {
    // Serialising plain data with string keys cannot fail.
    serde_json::to_string(event).unwrap_or_default()
}

/// Write events as JSON Lines.
pub fn write_jsonl<W: Write>(mut w: W, events: &[Event]) -> io::Result<()> {
    for e in events {
        w.write_all(to_line(e).as_bytes())?;
        w.write_all(b"\n")?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"index":0,"time":1200,"process":0,"type":"invoke","f":"write","key":3,"value":1}
{"index":1,"time":1870,"process":0,"type":"ok","f":"write","key":3,"value":1,"ts":1201,"node":"n2"}
{"index":2,"time":1900,"process":1,"type":"invoke","f":"read","key":3,"value":null}
{"index":3,"time":2500,"process":1,"type":"ok","f":"read","key":3,"value":1,"ts":1201,"node":"n4"}
{"index":4,"time":3000,"process":"nemesis","type":"info","f":"partition","value":"n1 n2 | n3 n4 n5"}
"#;

    #[test]
    fn design_example_round_trips_byte_for_byte() {
        let h = parse_jsonl("h", SAMPLE).unwrap();
        assert_eq!(h.lines(), [1, 2, 3, 4, 5]);
        let events = h.events();
        assert_eq!(events.len(), 5);
        assert_eq!(events[4].process, Process::Nemesis);
        assert_eq!(events[1].kind, EventType::Ok);
        assert_eq!(events[1].ts, Some(1201));
        assert_eq!(events[2].value, Value::Null);
        let mut out = Vec::new();
        write_jsonl(&mut out, events).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), SAMPLE);
    }

    #[test]
    fn malformed_line_names_file_and_line() {
        let text = format!(
            "{}\n\n{{\"index\":9,\"process\":0}}\n",
            SAMPLE.lines().next().unwrap()
        );
        let err = parse_jsonl("hist.jsonl", &text).unwrap_err();
        assert_eq!(err.line, 3);
        let shown = err.to_string();
        assert!(shown.starts_with("hist.jsonl:3: "), "{shown}");
        assert!(shown.contains("type"), "{shown}");
    }

    #[test]
    fn bad_type_and_process_are_explained() {
        let e = parse_jsonl("x", r#"{"process":0,"type":"done","f":"read"}"#).unwrap_err();
        assert!(e.message.contains("unknown variant"), "{e}");
        let e = parse_jsonl("x", r#"{"process":-1,"type":"ok","f":"read"}"#).unwrap_err();
        assert!(e.message.contains("process must be"), "{e}");
    }

    #[test]
    fn huge_echoed_fields_are_cut() {
        let big = "t".repeat(1_000_000);
        let line = format!(r#"{{"process":0,"type":"invoke","f":"read","time":"{big}"}}"#);
        let e = parse_jsonl("x", &line).unwrap_err();
        assert!(e.to_string().len() < 200, "{}", e.to_string().len());
        assert!(e.message.contains("expected"), "{e}");
        let line = format!(r#"{{"process":0,"type":"{big}","f":"read"}}"#);
        let e = parse_jsonl("x", &line).unwrap_err();
        assert!(e.to_string().len() < 300, "{}", e.to_string().len());
    }

    #[test]
    fn indices_must_increase_and_default_to_position() {
        let ok = parse_jsonl("x", "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}\n\n{\"process\":0,\"type\":\"ok\",\"f\":\"read\"}").unwrap();
        assert_eq!(ok.events()[1].index, 1);
        assert_eq!(ok.lines(), [1, 3]);
        let text = "{\"index\":5,\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}\n{\"index\":5,\"process\":0,\"type\":\"ok\",\"f\":\"read\"}";
        let err = parse_jsonl("x", text).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("does not increase"));
    }
}
