//! One line of `history.jsonl` → one [`Event`].
//!
//! Two readers with one meaning. [`fast`] reads the lines quorumlab writes — one flat object of
//! known fields holding integers, `null`, booleans and strings without escapes — without building
//! anything but the event. Whatever it does not recognise (an unknown field, an escape, a float, a
//! nested value, a duplicate field, a syntax error…) it declines, and serde_json reads the line
//! ([`slow`]): so every error message, and every unusual but valid line, is exactly serde's.
//! Guarantee: when [`fast`] accepts a line, its event is the one [`slow`] gives (tested on every
//! history under `histories/` and on generated near-misses).

use super::cursor::{Cursor, ERROR, F, INDEX, KEY, NODE, PROCESS, TIME, TS, TYPE, VALUE};
use crate::history::{Event, EventType, Process};
use crate::ops::EventRef;
use crate::value::Value;
use serde::Deserialize;
use std::borrow::Cow;

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

/// The general reader of one trimmed, non-empty line: serde_json, with its errors. Returns the
/// event and the index as written (`None` when absent; the event's own `index` is then 0).
pub(super) fn slow(line: &str) -> Result<(Option<u64>, Event), serde_json::Error> {
    let r: RawEvent = serde_json::from_str(line)?;
    let event = Event {
        index: 0,
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
    Ok((r.index, event))
}

/// The reader of our own lines, on raw bytes that start a line: it fills `event` (fresh, from
/// [`EventRef::new`]) and returns the bytes it used (the object, JSON whitespace around it, and the
/// line feed that ends the line, or the end of `bytes`) and the index as written; `None` declines
/// (see the module doc), leaving `event` half filled. Non-ASCII bytes are only
/// accepted inside strings, as valid UTF-8, so an accepted line is valid UTF-8.
pub(super) fn fast<'a>(bytes: &'a [u8], event: &mut EventRef<'a>) -> Option<(usize, Option<u64>)> {
    let mut c = Cursor::new(bytes);
    let mut index = None;
    // One bit per field, to decline duplicates (serde_json's error) and missing required ones.
    let mut seen = 0u16;
    c.ws();
    c.eat(b'{')?;
    c.ws();
    // The field our writer puts next, to try first.
    let mut next = 0;
    loop {
        let field: u16 = match c.known_name(next) {
            Some(field) => field,
            None => match super::cursor::word(c.string()?) {
                INDEX => 0,
                TIME => 1,
                PROCESS => 2,
                TYPE => 3,
                F => 4,
                KEY => 5,
                VALUE => 6,
                TS => 7,
                NODE => 8,
                ERROR => 9,
                _ => return None,
            },
        };
        next = field as usize + 1;
        if seen & (1 << field) != 0 {
            return None;
        }
        seen |= 1 << field;
        c.ws();
        c.eat(b':')?;
        c.ws();
        match field {
            0 => index = c.opt_u64()?,
            1 => event.time = c.opt_u64()?,
            2 => event.process = c.process()?,
            3 => event.kind = c.kind()?,
            4 => event.f = c.text()?,
            5 => event.key = Some(c.value()?).filter(|v| !v.is_null()).map(Cow::Owned),
            6 => event.value = Cow::Owned(c.value()?),
            7 => event.ts = c.opt_u64()?,
            8 => event.node = c.opt_text()?,
            _ => event.error = c.opt_text()?,
        }
        c.ws();
        match c.next()? {
            b',' => c.ws(),
            b'}' => break,
            _ => return None,
        }
    }
    // `process`, `type` and `f` are required; nothing but whitespace may follow the object.
    let required = 0b1_1100;
    if seen & required != required {
        return None;
    }
    c.ws();
    match c.next() {
        None => {}
        Some(b'\n') => {}
        Some(_) => return None,
    }
    Some((c.i, index))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Lines the fast reader must accept, each with the event serde_json reads.
    const OURS: [&str; 8] = [
        r#"{"index":0,"time":1200,"process":0,"type":"invoke","f":"write","key":3,"value":1}"#,
        r#"{"index":1,"time":1870,"process":0,"type":"ok","f":"write","key":3,"value":1,"ts":1201,"node":"n2"}"#,
        r#"{"index":4,"time":3000,"process":"nemesis","type":"info","f":"partition","value":"n1 n2 | n3 n4 n5"}"#,
        r#"{"index":258,"time":908000000,"process":7,"type":"info","f":"write","key":6,"value":9,"node":"n3","error":"timeout: 1 of 2 needed replicas answered"}"#,
        r#"{ "process" : 9223372036854775807 , "type":"fail","f":"read","key":null,"value":-9223372036854775808,"node":null,"error":null,"ts":null,"time":null,"index":null }"#,
        r#"{"process":1,"type":"ok","f":"réad","key":"k","value":true}"#,
        r#"{"f":"x","type":"invoke","process":0,"value":false,"key":-1}"#,
        "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":0}",
    ];

    /// Lines it must decline (serde_json reads them, or explains why not).
    const DECLINED: [&str; 24] = [
        r#"{"process":0,"type":"ok","f":"read","extra":1}"#,
        r#"{"process":0,"type":"ok","f":"re\"ad"}"#,
        r#"{"process":0,"type":"ok","f":"read","value":1.5}"#,
        r#"{"process":0,"type":"ok","f":"read","value":1e3}"#,
        r#"{"process":0,"type":"ok","f":"read","value":-0}"#,
        r#"{"process":0,"type":"ok","f":"read","value":01}"#,
        r#"{"process":0,"type":"ok","f":"read","value":[1,2]}"#,
        r#"{"process":0,"type":"ok","f":"read","value":{"a":1}}"#,
        r#"{"process":0,"type":"ok","f":"read","value":9223372036854775808}"#,
        r#"{"process":0,"type":"ok","f":"read","value":-9223372036854775809}"#,
        r#"{"process":0,"type":"ok","f":"read","error":{"code":3}}"#,
        r#"{"process":0,"type":"ok","f":"read","error":7}"#,
        r#"{"process":-1,"type":"ok","f":"read"}"#,
        r#"{"process":"n1","type":"ok","f":"read"}"#,
        r#"{"process":0,"type":"done","f":"read"}"#,
        r#"{"process":0,"type":"ok","f":"read","f":"write"}"#,
        r#"{"process":0,"type":"ok"}"#,
        r#"{"process":0,"type":"ok","f":"read",}"#,
        r#"{"process":0,"type":"ok","f":"read"} x"#,
        r#"{"process":0,"type":"ok","f":"read","time":-3}"#,
        r#"{"process":0,"type":"ok","f":"read","ts":18446744073709551616}"#,
        r#"{"process":0,"type":"ok","f":"read","value":nul}"#,
        "{\"process\":0,\"type\":\"ok\",\"f\":\"re\u{1}ad\"}",
        r#"{}"#,
    ];

    #[test]
    fn our_lines_take_the_fast_path_and_read_as_serde_reads_them() {
        for line in OURS {
            let mut event = EventRef::new();
            let (used, index) = fast(line.as_bytes(), &mut event).expect(line);
            assert_eq!(used, line.len());
            assert_eq!((index, event.to_event()), slow(line).unwrap(), "{line}");
        }
    }

    #[test]
    fn anything_unusual_is_left_to_serde() {
        for line in DECLINED {
            assert!(
                fast(line.as_bytes(), &mut EventRef::new()).is_none(),
                "accepted {line}"
            );
        }
        // Declined lines keep serde's meaning: an unknown field is ignored, an error of any
        // JSON type becomes its text.
        let (_, e) = slow(DECLINED[0]).unwrap();
        assert_eq!(e.f, "read");
        let (_, e) = slow(DECLINED[10]).unwrap();
        assert_eq!(e.error.as_deref(), Some(r#"{"code":3}"#));
        assert!(slow(DECLINED[2])
            .unwrap_err()
            .to_string()
            .contains("floating-point"));
    }

    #[test]
    fn every_line_of_the_collected_histories_reads_alike() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../histories");
        let mut stack = vec![std::path::PathBuf::from(dir)];
        let mut fast_lines = 0;
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let p = entry.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|e| e == "jsonl") {
                    for line in std::fs::read_to_string(&p).unwrap().lines() {
                        let mut event = EventRef::new();
                        if let Some((_, index)) = fast(line.as_bytes(), &mut event) {
                            assert_eq!(Some((index, event.to_event())), slow(line).ok(), "{line}");
                            fast_lines += 1;
                        }
                    }
                }
            }
        }
        assert!(fast_lines > 1000, "{fast_lines}");
    }

    /// A line of our fields (the required ones first, mostly as we write them, some odd), with
    /// odd spacing, and sometimes a fragment spliced in.
    fn near_miss() -> impl Strategy<Value = String> {
        let ours = prop::sample::select(vec![
            r#""index":7"#,
            r#""index":null"#,
            r#""time":1200"#,
            r#""time":null"#,
            r#""key":3"#,
            r#""key":null"#,
            r#""key":"k""#,
            r#""value":-9223372036854775808"#,
            r#""value":true"#,
            r#""value":"x é""#,
            r#""value":null"#,
            r#""ts":5"#,
            r#""ts":null"#,
            r#""node":"n1""#,
            r#""node":null"#,
            r#""error":"timeout""#,
            r#""error":null"#,
        ]);
        let odd = prop::sample::select(vec![
            r#""index":-1"#,
            r#""time":1.5"#,
            r#""time":01"#,
            r#""process":0"#,
            r#""process":9223372036854775808"#,
            r#""type":"Ok""#,
            r#""f":"wr\u0069te""#,
            r#""f":null"#,
            r#""key":[1]"#,
            r#""value":-0"#,
            r#""value":1e2"#,
            r#""value":{"a":null}"#,
            r#""node":1"#,
            r#""error":[1,"a"]"#,
            r#""other":{"x":[]}"#,
            r#""\u0066":"read""#,
        ]);
        let field = prop_oneof![6 => ours, 1 => odd];
        let required = (
            prop::sample::select(vec![
                r#""process":3"#,
                r#""process":"nemesis""#,
                r#""process":-3"#,
            ]),
            prop::sample::select(vec![
                r#""type":"ok""#,
                r#""type":"invoke""#,
                r#""type":"done""#,
            ]),
            prop::sample::select(vec![r#""f":"write""#, r#""f":"cas""#, r#""f":"\u0041""#]),
        );
        let gap = prop::sample::select(vec!["", "", "", " ", "\t", "\r"]);
        let splice = prop_oneof![
            6 => Just(""),
            1 => prop::sample::select(vec![",", "}", "{", "\"", ":", " x", "\u{0}", "\u{a0}", "1"]),
        ];
        (
            required,
            prop::collection::vec((field, gap.clone()), 0..4),
            gap,
            splice,
            any::<prop::sample::Index>(),
        )
            .prop_map(|((p, t, f), extra, pad, splice, at)| {
                let mut fields = vec![p.to_string(), t.to_string(), f.to_string()];
                fields.extend(extra.iter().map(|(f, g)| format!("{g}{f}{g}")));
                let mut line = format!("{pad}{{{}}}{pad}", fields.join(","));
                let at = at.index(line.len() + 1);
                if line.is_char_boundary(at) {
                    line.insert_str(at, splice);
                }
                line
            })
    }

    proptest::proptest! {
        #[test]
        fn the_fast_reader_agrees_with_serde_on_near_misses(line in near_miss()) {
            let trimmed = line.trim();
            let mut event = EventRef::new();
            if let Some((used, index)) = fast(trimmed.as_bytes(), &mut event) {
                proptest::prop_assert_eq!(used, trimmed.len());
                proptest::prop_assert_eq!(
                    Some((index, event.to_event())),
                    slow(trimmed).ok(),
                    "{}",
                    trimmed
                );
            }
        }
    }
}
