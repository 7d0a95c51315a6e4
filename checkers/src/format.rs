//! History formats and the one entry point that reads any of them.
//!
//! - `jsonl`: our own `history.jsonl` ([`crate::jsonl`]);
//! - `jepsen-edn`: a Knossos/Jepsen EDN history ([`crate::edn::history`]);
//! - `jepsen-log`: the text log of Jepsen's etcd test ([`crate::jepsen_log`]).
//!
//! The parsers are leaves: each turns text into a [`ParsedHistory`] (events with their lines).
//! This dispatcher is the one place where Jepsen `independent` tuples are split into keys
//! ([`crate::independent`]; our own jsonl carries keys in `key` and is never rewritten).

use crate::error::{quoted, InputError};
use crate::parsed::ParsedHistory;
use crate::text;
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

/// A format name that is not one of ours.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {0} (expected jsonl, jepsen-edn or jepsen-log)")]
pub struct UnknownFormat(String);

impl FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "jsonl" => Ok(Format::Jsonl),
            "jepsen-edn" | "edn" => Ok(Format::JepsenEdn),
            "jepsen-log" | "log" => Ok(Format::JepsenLog),
            other => Err(UnknownFormat(quoted(other))),
        }
    }
}

/// Parse `text` in `format`; `file` names the source in errors.
pub fn parse(format: Format, file: &str, text: &str) -> Result<ParsedHistory, InputError> {
    let mut history = match format {
        Format::Jsonl => crate::jsonl::parse_jsonl(file, text)?,
        Format::JepsenEdn => crate::edn::parse_jepsen_edn(file, text)?,
        Format::JepsenLog => crate::jepsen_log::parse_jepsen_log(file, text)?,
    };
    if format != Format::Jsonl {
        crate::independent::split_tuples(file, &mut history)?;
    }
    Ok(history)
}

/// Decode `bytes` and parse them in `format`. Invalid UTF-8 is an error at its line, except in
/// logs, where only operation lines matter and other bytes are replaced.
pub fn parse_bytes(
    format: Format,
    file: &str,
    bytes: Vec<u8>,
) -> Result<ParsedHistory, InputError> {
    let text = match format {
        Format::JepsenLog => text::decode_lossy(bytes),
        _ => text::decode(file, bytes)?,
    };
    parse(format, file, &text)
}

/// Read and parse a history file (any readable path, see [`crate::text::read`]).
pub fn read(format: Format, path: &Path) -> Result<ParsedHistory, InputError> {
    let name = path.display().to_string();
    parse_bytes(format, &name, text::read(&name, path)?)
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
        let long = "x".repeat(100_000);
        assert!(long.parse::<Format>().unwrap_err().to_string().len() < 200);
    }

    #[test]
    fn pairing_errors_point_at_the_event_line() {
        let text = "\n{\"index\":0,\"process\":1,\"type\":\"invoke\",\"f\":\"read\"}\n\n{\"index\":1,\"process\":2,\"type\":\"ok\",\"f\":\"read\"}\n";
        let h = parse(Format::Jsonl, "h.jsonl", text).unwrap();
        assert_eq!(h.lines(), [2, 4]);
        let e = h.pair("h.jsonl").unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.to_string().starts_with("h.jsonl:4: "), "{e}");
    }
}
