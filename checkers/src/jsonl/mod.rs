//! JSON Lines reader and writer for histories (`history.jsonl`).
//!
//! The reader accepts one JSON object per line, skips blank lines, ignores unknown fields, and
//! reports the first malformed line as `file:line: problem` (echoed input cut, see
//! [`crate::error`]). It never panics. A missing `index` is filled with the event's position;
//! indices must strictly increase. Each event keeps its line ([`ParsedHistory`]). The order of the
//! lines is the history's real-time order; `time` is only an annotation (see [`crate::ops`]).
//! The writer emits the exact field order of [`Event`], so equal events give byte-identical files.
//!
//! Reading is one pass over a stream ([`read_jsonl_from`]; [`parse_jsonl`] is the same pass over
//! a text): lines as quorumlab writes them are read in place by a reader of our own shape, anything
//! else by serde_json (`line`, which keeps every meaning and message serde's), and the errors come
//! in the order of a file decoded whole (`stream`): a read error, then invalid UTF-8, then the
//! first malformed line.

mod cursor;
mod line;
mod stream;

use crate::error::{json_message, InputError};
use crate::history::Event;
use crate::ops::EventRef;
use crate::parsed::ParsedHistory;
use std::io::{self, BufRead, Write};
use std::path::Path;

/// Parse a history from JSON Lines text; `file` names the source in errors.
pub fn parse_jsonl(file: &str, text: &str) -> Result<ParsedHistory, InputError> {
    // One event per line: reserving once avoids regrowing (and copying) a vector of millions.
    let mut out = ParsedHistory::with_capacity(newlines(text.as_bytes()) + 1);
    each_event(file, text.as_bytes(), |_, line, e| {
        out.push(e.to_event(), line)
    })?;
    Ok(out)
}

/// Read a history file in JSON Lines format.
pub fn read_jsonl(path: &Path) -> Result<ParsedHistory, InputError> {
    let name = path.display().to_string();
    read_jsonl_from(&name, crate::text::open(&name, path)?)
}

/// Read a history in JSON Lines format from a stream, parsing while reading (the text is never
/// held whole); `file` names the source in errors. The result, and every error, is the one
/// [`parse_jsonl`] gives on the whole text: a read error comes first, then the first invalid UTF-8
/// (at its line), then the first malformed line.
pub fn read_jsonl_from<R: BufRead>(file: &str, reader: R) -> Result<ParsedHistory, InputError> {
    let mut out = ParsedHistory::new();
    each_event(file, reader, |_, line, e| out.push(e.to_event(), line))?;
    Ok(out)
}

/// The number of line feeds in `bytes`.
pub(crate) fn newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// Read the events of `reader` (see [`read_jsonl_from`]) and hand each to `sink` with its position
/// in the history and its line, in order; returns how many there were. The events are views into
/// the line being read ([`EventRef`]): a sink copies the strings it keeps, and may take the values.
pub(crate) fn each_event<R: BufRead>(
    file: &str,
    reader: R,
    mut sink: impl FnMut(usize, usize, &mut EventRef<'_>),
) -> Result<usize, InputError> {
    let mut count = 0usize;
    let mut prev: Option<u64> = None;
    stream::each_line(file, reader, |lineno, read| {
        let mut accept = |index: Option<u64>, event: &mut EventRef<'_>| {
            let index = index.unwrap_or(count as u64);
            if let Some(prev) = prev.filter(|&p| index <= p) {
                return Err(InputError::new(
                    file,
                    lineno,
                    format!("index {index} does not increase (previous event has index {prev})"),
                ));
            }
            prev = Some(index);
            event.index = index;
            sink(count, lineno, event);
            count += 1;
            Ok(())
        };
        match read {
            stream::Line::Read(index, event) => accept(index, event),
            stream::Line::Text(text) => {
                let mut event = EventRef::new();
                match line::fast(text.as_bytes(), &mut event) {
                    Some((used, index)) if used == text.len() => accept(index, &mut event),
                    _ => {
                        let (index, slow) = line::slow(text)
                            .map_err(|e| InputError::new(file, lineno, json_message(&e)))?;
                        accept(index, &mut EventRef::of(&slow))
                    }
                }
            }
        }
    })?;
    Ok(count)
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
    use crate::history::{EventType, Process};
    use crate::value::Value;

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
