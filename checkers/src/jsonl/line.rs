//! One line of `history.jsonl` → one [`Event`].
//!
//! Two readers with one meaning. [`fast`] reads the lines quorumlab writes — one flat object of
//! known fields holding integers, `null`, booleans and strings without escapes — without building
//! anything but the event. Whatever it does not recognise (an unknown field, an escape, a float, a
//! nested value, a duplicate field, a syntax error…) it declines, and serde_json reads the line
//! ([`slow`]): so every error message, and every unusual but valid line, is exactly serde's.
//! Guarantee: when [`fast`] accepts a line, its event is the one [`slow`] gives (tested on every
//! history under `histories/` and on generated near-misses).

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
    let mut c = Cursor { b: bytes, i: 0 };
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
            None => match word(c.string()?) {
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

/// A short string as one word (its bytes, little-endian, zero-padded; 0 when longer than 8
/// bytes or containing a zero byte, which no name we look for does), to match names in one
/// comparison.
const fn word(s: &[u8]) -> u64 {
    if s.len() > 8 {
        return 0;
    }
    let mut w = 0u64;
    let mut i = 0;
    while i < s.len() {
        if s[i] == 0 {
            return 0;
        }
        w |= (s[i] as u64) << (8 * i);
        i += 1;
    }
    w
}

const INDEX: u64 = word(b"index");
const TIME: u64 = word(b"time");
const PROCESS: u64 = word(b"process");
const TYPE: u64 = word(b"type");
const F: u64 = word(b"f");
const KEY: u64 = word(b"key");
const VALUE: u64 = word(b"value");
const TS: u64 = word(b"ts");
const NODE: u64 = word(b"node");
const ERROR: u64 = word(b"error");
const NEMESIS: u64 = word(b"nemesis");
const INVOKE: u64 = word(b"invoke");
const OK: u64 = word(b"ok");
const FAIL: u64 = word(b"fail");
const INFO: u64 = word(b"info");

/// Each field's name with its closing quote (`index"`, …), in our writer's order, as a
/// little-endian word and the mask of its bytes: an 8-byte load compares a name in one step.
const NAMES: [(u64, u64, usize); 10] = {
    const fn name(s: &[u8]) -> (u64, u64, usize) {
        let mut w = 0u64;
        let mut i = 0;
        while i < s.len() {
            w |= (s[i] as u64) << (8 * i);
            i += 1;
        }
        w |= (b'"' as u64) << (8 * i);
        let mask = if i + 1 >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * (i + 1))) - 1
        };
        (w, mask, i + 1)
    }
    [
        name(b"index"),
        name(b"time"),
        name(b"process"),
        name(b"type"),
        name(b"f"),
        name(b"key"),
        name(b"value"),
        name(b"ts"),
        name(b"node"),
        name(b"error"),
    ]
};

/// The value of eight ASCII digits, combined pairwise within one word (SWAR).
fn eight_digits(digits: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(digits);
    let v = u64::from_le_bytes(word) - 0x3030_3030_3030_3030;
    let v = (v * 10 + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
    let v = (v * 100 + (v >> 16)) & 0x0000_ffff_0000_ffff;
    (v * 10_000 + (v >> 32)) & 0xffff_ffff
}

/// A position in a line's bytes.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn eat(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// Skip JSON whitespace within a line (serde_json also skips `\n`, which ends our lines).
    fn ws(&mut self) {
        // Our writer puts no whitespace: one comparison when there is none.
        if self.peek().is_some_and(|b| b <= b' ') {
            while let Some(b' ' | b'\t' | b'\r') = self.peek() {
                self.i += 1;
            }
        }
    }

    /// `word` (`null`, `true`, `false`) follows.
    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word).then(|| self.i = end)
    }

    /// The 8 bytes at `at`, as a little-endian word.
    fn word_at(&self, at: usize) -> Option<u64> {
        let bytes = self.b.get(at..at + 8)?;
        Some(u64::from_le_bytes(bytes.try_into().ok()?))
    }

    /// A field name spelled as our writer spells it, tried from field `from` on (the one it
    /// writes next); `None` leaves the cursor where it was, for [`Cursor::string`].
    fn known_name(&mut self, from: usize) -> Option<u16> {
        if self.peek()? != b'"' {
            return None;
        }
        let w = self.word_at(self.i + 1)?;
        let (field, &(_, _, len)) = NAMES
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, &(name, mask, _))| w & mask == name)?;
        self.i += 1 + len;
        Some(field as u16)
    }

    /// The bytes of a string without escapes or control characters.
    fn string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.i;
        loop {
            match self.next()? {
                b'"' => break,
                b'\\' | 0..=0x1f => return None,
                _ => {}
            }
        }
        self.b.get(start..self.i - 1)
    }

    /// A string without escapes or control characters, as text (valid UTF-8).
    fn text(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.string()?).ok()
    }

    /// Decimal digits as serde_json reads them (no leading zero, no fraction, no exponent); `None`
    /// when they overflow a u64 or are not a plain integer.
    fn digits(&mut self) -> Option<u64> {
        let start = self.i;
        let rest = self.b.get(start..)?;
        let len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let digits = rest.get(..len)?;
        self.i += len;
        let n = match digits {
            [] => return None,
            [b'0', _, ..] => return None,
            // Up to 19 digits cannot overflow.
            _ if len <= 19 => {
                let mut chunks = digits.chunks_exact(8);
                let mut n = 0u64;
                for c in &mut chunks {
                    n = n * 100_000_000 + eight_digits(c);
                }
                chunks
                    .remainder()
                    .iter()
                    .fold(n, |n, d| n * 10 + u64::from(d - b'0'))
            }
            _ => digits.iter().try_fold(0u64, |n, d| {
                n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
            })?,
        };
        match self.peek() {
            Some(b'.' | b'e' | b'E') => None,
            _ => Some(n),
        }
    }

    /// An integer as [`Value`] reads it: within i64, and not `-0` (a float to serde_json).
    fn int(&mut self) -> Option<i64> {
        if self.peek()? == b'-' {
            self.i += 1;
            let n = self.digits()?;
            if n == 0 {
                return None;
            }
            0i64.checked_sub_unsigned(n)
        } else {
            i64::try_from(self.digits()?).ok()
        }
    }

    /// `null` or a non-negative integer.
    fn opt_u64(&mut self) -> Option<Option<u64>> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Some(None);
        }
        self.digits().map(Some)
    }

    /// `null` or a string.
    fn opt_text(&mut self) -> Option<Option<&'a str>> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Some(None);
        }
        self.text().map(Some)
    }

    /// A scalar value: `null`, a boolean, an integer or a string.
    fn value(&mut self) -> Option<Value> {
        match self.peek()? {
            b'n' => self.literal(b"null").map(|()| Value::Null),
            b't' => self.literal(b"true").map(|()| Value::Bool(true)),
            b'f' => self.literal(b"false").map(|()| Value::Bool(false)),
            b'"' => self.text().map(Value::from),
            _ => self.int().map(Value::Int),
        }
    }

    /// A client number (a non-negative integer within i64) or `"nemesis"`.
    fn process(&mut self) -> Option<Process> {
        if self.peek()? == b'"' {
            return (word(self.string()?) == NEMESIS).then_some(Process::Nemesis);
        }
        let p = self.digits()?;
        (p <= i64::MAX as u64).then_some(Process::Client(p))
    }

    fn kind(&mut self) -> Option<EventType> {
        match word(self.string()?) {
            INVOKE => Some(EventType::Invoke),
            OK => Some(EventType::Ok),
            FAIL => Some(EventType::Fail),
            INFO => Some(EventType::Info),
            _ => None,
        }
    }
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
    fn numbers_of_every_length_read_as_serde_reads_them() {
        let mut n: u64 = 0;
        for len in 1..=20 {
            n = n.wrapping_mul(10).wrapping_add(len % 10);
            for v in [n, u64::MAX, 10u64.saturating_pow(len as u32 - 1)] {
                let text = v.to_string();
                let mut c = Cursor {
                    b: text.as_bytes(),
                    i: 0,
                };
                assert_eq!(c.digits(), Some(v), "{text}");
                assert_eq!(c.i, text.len());
            }
        }
        for bad in [
            "",
            "x",
            "01",
            "18446744073709551616",
            "99999999999999999999",
            "1.0",
            "2e3",
        ] {
            let mut c = Cursor {
                b: bad.as_bytes(),
                i: 0,
            };
            assert_eq!(c.digits(), None, "{bad}");
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
