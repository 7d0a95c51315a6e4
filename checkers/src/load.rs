//! Loading inputs exactly as `quorumlab check` does: bytes of a history → its events (with lines)
//! and operations; bytes of `final.json` → the final state.
//!
//! These are the entry points the CLI calls once it has read a file or a stream, and the ones the
//! bad-input tests and fuzz targets drive. Guarantees: they never panic; every problem is one
//! [`InputError`] naming the file and, when a line is at fault, that line (within the input):
//! invalid UTF-8 (except in logs), syntax, an event whose function the model does not know (the
//! error lists the model's functions, [`ModelKind::functions`]), and operations that do not pair.

use crate::error::InputError;
use crate::final_state::FinalState;
use crate::format::{self, Format};
use crate::lin::ModelKind;
use crate::ops::Op;
use crate::parsed::ParsedHistory;

/// A history ready to be checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The events, with their lines.
    pub history: ParsedHistory,
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
    let history = format::parse_bytes(format, file, bytes)?;
    history.check_functions(file, model.name(), model.functions())?;
    let ops = history.pair(file)?;
    Ok(Loaded { history, ops })
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

    #[test]
    fn invalid_utf8_in_final_json_names_its_line() {
        let e = final_state("final.json", b"{\"nodes\":\n[\"\xff\"]}".to_vec()).unwrap_err();
        assert_eq!((e.line, e.file.as_str()), (2, "final.json"));
    }
}
