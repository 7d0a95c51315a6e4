//! Loading inputs exactly as `quorumlab check` does: bytes of a history → its events (with lines)
//! and operations ([`history`]); a stream of a history → its operations alone ([`paired`], what
//! `quorumlab check` runs: a `jsonl` history is parsed and paired while it is read, in one pass,
//! without holding its text or its events); bytes of `final.json` → the final state.
//!
//! These are the entry points the CLI calls, and the ones the bad-input tests and fuzz targets
//! drive. [`history`] and [`paired`] give the same operations and the same errors on the same
//! bytes. Guarantees: they never panic; every problem is one
//! [`InputError`] naming the file and, when a line is at fault, that line (within the input):
//! invalid UTF-8 (except in logs), syntax, an event whose function the model does not know (the
//! error lists the model's functions, [`ModelKind::functions`]), and operations that do not pair.

use crate::error::InputError;
use crate::final_state::FinalState;
use crate::format::{self, Format};
use crate::lin::ModelKind;
use crate::ops::{Op, Pairing};
use crate::parsed::{knows_function, unknown_function, ParsedHistory};
use std::io::BufRead;

/// A history ready to be checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The events, with their lines.
    pub history: ParsedHistory,
    /// The client operations ([`crate::ops::pair`]).
    pub ops: Vec<Op>,
}

/// A history's size and operations, without its events: what a checker needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Paired {
    /// How many events the history has.
    pub events: usize,
    /// The client operations ([`crate::ops::pair`]).
    pub ops: Vec<Op>,
}

/// Decode, parse, validate and pair a history; `file` names it in errors.
pub fn history(
    format: Format,
    file: &str,
    bytes: Vec<u8>,
    model: ModelKind,
) -> Result<Loaded, InputError> {
    if format == Format::Jsonl {
        let lines = crate::jsonl::newlines(&bytes) + 1;
        let mut history = ParsedHistory::with_capacity(lines);
        let ops = jsonl_pass(file, &bytes[..], model, lines / 2 + 1, Some(&mut history))?.ops;
        return Ok(Loaded { history, ops });
    }
    let history = format::parse_bytes(format, file, bytes)?;
    history.check_functions(file, model.name(), model.functions())?;
    let ops = history.pair(file)?;
    Ok(Loaded { history, ops })
}

/// [`history`] of a stream, keeping only what the checkers need: a `jsonl` history is parsed,
/// validated and paired while it is read, and neither its text nor its events are held (each
/// event's strings move into its operation); other formats are read to their end first. The
/// operations and the errors are those of [`history`] on the stream's bytes; a read error is
/// reported as [`InputError::unreadable`].
pub fn paired<R: BufRead>(
    format: Format,
    file: &str,
    mut reader: R,
    model: ModelKind,
) -> Result<Paired, InputError> {
    if format == Format::Jsonl {
        return jsonl_pass(file, reader, model, 0, None);
    }
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::unreadable(file, e.to_string()))?;
    let loaded = history(format, file, bytes, model)?;
    Ok(Paired {
        events: loaded.history.len(),
        ops: loaded.ops,
    })
}

/// One pass over a `jsonl` stream: parse each event, check its function, pair it, and append it to
/// `keep` if given (`capacity`: room for that many operations). The errors keep [`history`]'s
/// precedence: reading, decoding and parsing first (see [`crate::jsonl::read_jsonl_from`]), then
/// the first unknown function, then the first pairing problem.
fn jsonl_pass<R: BufRead>(
    file: &str,
    reader: R,
    model: ModelKind,
    capacity: usize,
    mut keep: Option<&mut ParsedHistory>,
) -> Result<Paired, InputError> {
    let known = model.functions();
    let mut unknown: Option<InputError> = None;
    let mut unpaired: Option<InputError> = None;
    let mut pairing = Pairing::with_capacity(capacity);
    let events = crate::jsonl::each_event(file, reader, |pos, line, e| {
        let client = e.process.client().is_some();
        if unknown.is_none() && !knows_function(client, e.f, known) {
            unknown = Some(unknown_function(file, line, e.f, model.name(), known));
        }
        if let Some(h) = keep.as_mut() {
            h.push(e.to_event(), line);
        }
        if unpaired.is_none() {
            if let Err(problem) = pairing.event(pos, e) {
                unpaired = Some(InputError::new(file, line, problem.to_string()));
            }
        }
    })?;
    match unknown.or(unpaired) {
        Some(e) => Err(e),
        None => Ok(Paired {
            events,
            ops: pairing.finish(),
        }),
    }
}

/// Decode and parse `final.json`; `file` names it in errors.
pub fn final_state(file: &str, bytes: Vec<u8>) -> Result<FinalState, InputError> {
    FinalState::parse(file, &crate::text::decode(file, bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_function_is_bad_input_at_its_line() {
        let text = "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n\n\
                    {\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n\
                    {\"process\":1,\"type\":\"invoke\",\"f\":\"wrte\",\"value\":2}\n";
        let e = history(Format::Jsonl, "h.jsonl", text.into(), ModelKind::Register).unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        assert!(e.message.contains("\"wrte\""), "{e}");
        assert!(e.message.contains("read, write, delete, cas"), "{e}");
        let e = history(Format::Jsonl, "h.jsonl", text.into(), ModelKind::Mutex).unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        assert!(e.message.contains("acquire"), "{e}");
        // Nemesis events may have any function.
        let ok = "{\"process\":\"nemesis\",\"type\":\"info\",\"f\":\"partition\"}\n";
        assert!(history(Format::Jsonl, "h", ok.into(), ModelKind::Register).is_ok());
    }

    /// The loader as three passes over a text decoded whole: parse, check functions, pair.
    fn three_passes(bytes: &[u8], model: ModelKind) -> Result<(usize, Vec<Op>), InputError> {
        let h = format::parse_bytes(Format::Jsonl, "h", bytes.to_vec())?;
        h.check_functions("h", model.name(), model.functions())?;
        Ok((h.len(), h.pair("h")?))
    }

    /// `history` and `paired` against [`three_passes`] on `bytes`.
    fn agree(bytes: &[u8], model: ModelKind) -> Result<(), String> {
        let want = three_passes(bytes, model);
        let kept =
            history(Format::Jsonl, "h", bytes.to_vec(), model).map(|l| (l.history.len(), l.ops));
        let streamed = paired(Format::Jsonl, "h", bytes, model).map(|p| (p.events, p.ops));
        match (kept == want, streamed == want) {
            (true, true) => Ok(()),
            _ => Err(format!("want {want:?}")),
        }
    }

    #[test]
    fn the_first_problem_wins_in_the_order_of_three_passes() {
        let ok = |p: u64, t: &str, f: &str| format!(r#"{{"process":{p},"type":"{t}","f":"{f}"}}"#);
        // An orphan completion (pairing) before an unknown function: the function is reported.
        let text = [ok(0, "ok", "read"), ok(1, "invoke", "wrte")].join("\n");
        let e = paired(Format::Jsonl, "h", text.as_bytes(), ModelKind::Register).unwrap_err();
        assert!(e.message.contains("unknown function") && e.line == 2, "{e}");
        // An unknown function before a syntax error: the syntax error.
        let text = [ok(1, "invoke", "wrte"), "{".to_string()].join("\n");
        let e = paired(Format::Jsonl, "h", text.as_bytes(), ModelKind::Register).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        // A syntax error before invalid UTF-8: the invalid UTF-8.
        let mut bytes = "{\n".as_bytes().to_vec();
        bytes.extend(b"\xff\n");
        let e = paired(Format::Jsonl, "h", &bytes[..], ModelKind::Register).unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (2, "invalid UTF-8"));
        for text in [text.as_bytes(), &bytes] {
            agree(text, ModelKind::Register).unwrap();
        }
    }

    proptest::proptest! {
        #[test]
        fn one_pass_loading_agrees_with_three_passes(
            edits in proptest::collection::vec((0usize..5000, 0u8..8, proptest::sample::select(vec![
                "\u{ff}", "wrte", "cas", "nemesis", "\"", "{", "9", " ", "-", "\\u0041",
            ])), 0..4),
            model in proptest::sample::select(vec![ModelKind::Register, ModelKind::Kv]),
            invalid in proptest::option::weighted(0.2, 0usize..200_000),
        ) {
            let source = include_str!("../../histories/valid/recorded-quorum-mixed.jsonl");
            let mut lines: Vec<String> = source.lines().map(str::to_string).collect();
            for (at, what, piece) in edits {
                let i = at % lines.len();
                match what {
                    0 => { lines.remove(i); }
                    1 => {
                        let j = (i * 7 + 1) % lines.len();
                        lines.swap(i, j)
                    }
                    2 => lines[i] = lines[i].replacen("read", piece, 1),
                    3 => lines[i] = lines[i].replacen("ok", "fail", 1),
                    4 => lines[i] = lines[i].replacen("invoke", "info", 1),
                    5 => lines[i] = lines[i].replacen("\"index\":", "\"i\":", 1),
                    6 => {
                        let at = lines[i].len() / 2;
                        if lines[i].is_char_boundary(at) {
                            lines[i].insert_str(at, piece)
                        }
                    }
                    _ => lines.insert(i, String::new()),
                }
            }
            let mut bytes = lines.join("\n").into_bytes();
            if let Some(at) = invalid {
                let at = at.min(bytes.len());
                bytes.insert(at, 0xff);
            }
            if let Err(why) = agree(&bytes, model) {
                proptest::prop_assert!(false, "{}", why);
            }
        }
    }

    #[test]
    fn invalid_utf8_in_final_json_names_its_line() {
        let e = final_state("final.json", b"{\"nodes\":\n[\"\xff\"]}".to_vec()).unwrap_err();
        assert_eq!((e.line, e.file.as_str()), (2, "final.json"));
    }
}
