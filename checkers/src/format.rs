//! History formats and the one entry point that reads any of them.
//!
//! - `jsonl`: our own `history.jsonl` ([`crate::jsonl`]);
//! - `jepsen-edn`: a Knossos/Jepsen EDN history ([`crate::edn::history`]);
//! - `jepsen-log`: the text log of Jepsen's etcd test ([`crate::jepsen_log`]).
//!
//! Every parser returns a [`ParsedHistory`]: the events and, for each, the 1-based line it came
//! from, so that problems found after parsing (an orphan completion when pairing operations) are
//! still reported as `file:line: problem`.

use crate::error::InputError;
use crate::history::Event;
use crate::ops::{self, Op};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// A history file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// quorumlab's JSON Lines history.
    Jsonl,
    /// A Knossos/Jepsen EDN history.
    JepsenEdn,
    /// The text log of Jepsen's etcd test.
    JepsenLog,
}

impl Format {
    /// The format a file name suggests: `.jsonl` → jsonl, `.edn` → jepsen-edn, `.log`/`.txt` →
    /// jepsen-log; anything else → jsonl.
    pub fn from_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("edn") => Format::JepsenEdn,
            Some("log") | Some("txt") => Format::JepsenLog,
            _ => Format::Jsonl,
        }
    }

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::JepsenEdn => "jepsen-edn",
            Format::JepsenLog => "jepsen-log",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "jsonl" => Ok(Format::Jsonl),
            "jepsen-edn" | "edn" => Ok(Format::JepsenEdn),
            "jepsen-log" | "log" => Ok(Format::JepsenLog),
            other => Err(format!(
                "unknown format {other:?} (expected jsonl, jepsen-edn or jepsen-log)"
            )),
        }
    }
}

/// Events with the source line of each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedHistory {
    /// The events, in history order.
    pub events: Vec<Event>,
    /// `lines[i]` is the 1-based line of `events[i]`.
    pub lines: Vec<usize>,
}

impl ParsedHistory {
    /// Pair the events into operations; a pairing problem is reported at its event's line.
    pub fn pair(&self, file: &str) -> Result<Vec<Op>, InputError> {
        ops::pair(&self.events).map_err(|e| {
            let line = self.lines.get(e.position).copied().unwrap_or(0);
            InputError::new(file, line, e.message)
        })
    }
}

/// Parse `text` in `format`; `file` names the source in errors.
pub fn parse(format: Format, file: &str, text: &str) -> Result<ParsedHistory, InputError> {
    match format {
        Format::Jsonl => {
            let events = crate::jsonl::parse_jsonl(file, text)?;
            // parse_jsonl reads one event per non-blank line, in order.
            let lines = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, _)| i + 1)
                .collect();
            Ok(ParsedHistory { events, lines })
        }
        Format::JepsenEdn => crate::edn::parse_jepsen_edn(file, text),
        Format::JepsenLog => crate::jepsen_log::parse_jepsen_log(file, text),
    }
}

/// Read and parse a history file. Invalid UTF-8 is an error at its line, except in logs, where
/// only operation lines matter and other bytes are replaced.
pub fn read(format: Format, path: &Path) -> Result<ParsedHistory, InputError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| InputError::new(&name, 0, e.to_string()))?;
    let text = match (format, String::from_utf8(bytes)) {
        (_, Ok(t)) => t,
        (Format::JepsenLog, Err(e)) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        (_, Err(e)) => {
            let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
            return Err(InputError::new(&name, line, "invalid UTF-8"));
        }
    };
    parse(format, &name, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_the_extension() {
        assert_eq!(Format::from_path(Path::new("a/h.edn")), Format::JepsenEdn);
        assert_eq!(Format::from_path(Path::new("etcd.log")), Format::JepsenLog);
        assert_eq!(Format::from_path(Path::new("x.txt")), Format::JepsenLog);
        assert_eq!(Format::from_path(Path::new("history.jsonl")), Format::Jsonl);
        assert_eq!(Format::from_path(Path::new("noext")), Format::Jsonl);
        assert_eq!("jepsen-log".parse::<Format>(), Ok(Format::JepsenLog));
        assert!("xml".parse::<Format>().is_err());
    }

    #[test]
    fn pairing_errors_point_at_the_event_line() {
        let text = "\n{\"index\":0,\"process\":1,\"type\":\"invoke\",\"f\":\"read\"}\n\n{\"index\":1,\"process\":2,\"type\":\"ok\",\"f\":\"read\"}\n";
        let h = parse(Format::Jsonl, "h.jsonl", text).unwrap();
        assert_eq!(h.lines, vec![2, 4]);
        let e = h.pair("h.jsonl").unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.to_string().starts_with("h.jsonl:4: "), "{e}");
    }
}
