//! History events: the data contract between the harness (which records) and the checkers.
//!
//! One [`Event`] is one line of `history.jsonl` (see docs/formats.md). Field order in the
//! serialised form is fixed by the struct, so the same events always serialise to the same bytes.
//! `type` has Jepsen's meaning: `invoke` starts an operation; `ok` completes it with effect; `fail`
//! completes it without effect; `info` leaves it indeterminate (open until the end of the history).
//! The order of the events is the real-time order (Jepsen/Knossos); `time` is an annotation.
//! `f` is `read`, `write`, `delete` (a write of `null`: the store's tombstone, with its own `ts`),
//! `cas`, … for clients; a read that found a tombstone returns `null` with the tombstone's `ts`.

use crate::value::Value;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Who performed an event: a client process (by number) or the nemesis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Process {
    /// A client process. A process whose operation ended `info` never invokes again.
    Client(u64),
    /// The fault injector; its events are informational and ignored by the checkers.
    Nemesis,
}

impl Process {
    /// The client number, if this is a client.
    pub fn client(self) -> Option<u64> {
        match self {
            Process::Client(p) => Some(p),
            Process::Nemesis => None,
        }
    }
}

impl fmt::Display for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Process::Client(p) => write!(f, "{p}"),
            Process::Nemesis => write!(f, "nemesis"),
        }
    }
}

impl Serialize for Process {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Process::Client(p) => s.serialize_u64(*p),
            Process::Nemesis => s.serialize_str("nemesis"),
        }
    }
}

impl<'de> Deserialize<'de> for Process {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Int(p) if p >= 0 => Ok(Process::Client(p as u64)),
            Value::Str(s) if s == "nemesis" => Ok(Process::Nemesis),
            other => Err(serde::de::Error::custom(format!(
                "process must be a non-negative integer or \"nemesis\", got {other}"
            ))),
        }
    }
}

/// The four event types of a Jepsen history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventType {
    /// The operation begins.
    Invoke,
    /// The operation completed and took effect.
    Ok,
    /// The operation completed and certainly did not take effect.
    Fail,
    /// The outcome is unknown: the operation may or may not take effect, at any later time.
    Info,
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            EventType::Invoke => "invoke",
            EventType::Ok => "ok",
            EventType::Fail => "fail",
            EventType::Info => "info",
        };
        f.write_str(s)
    }
}

/// One line of a history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the history, from 0, strictly increasing.
    pub index: u64,
    /// Simulated nanoseconds since the start of the run (absent in some third-party histories).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<u64>,
    /// Who performed it.
    pub process: Process,
    /// invoke / ok / fail / info.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// The operation's function: `read`, `write`, `cas`, … or a fault name for the nemesis.
    pub f: String,
    /// The key for keyed (independent) operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Value>,
    /// The operation's argument on invoke, its result on completion; `null` is "absent".
    #[serde(default)]
    pub value: Value,
    /// The cell timestamp reported by the store (write: assigned; read: of the returned cell).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts: Option<u64>,
    /// The coordinator that served the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Why a `fail` or `info` happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Event {
    /// Whether this event was performed by a client (not the nemesis).
    pub fn is_client(&self) -> bool {
        matches!(self.process, Process::Client(_))
    }

    /// A short human description, e.g. `write(key 3, 7) ok at 1.204 s by process 2`.
    pub fn describe(&self) -> String {
        let key = self
            .key
            .as_ref()
            .map(|k| format!("key {k}, "))
            .unwrap_or_default();
        let at = self
            .time
            .map(|t| format!(" at {}", crate::fmt_time(t)))
            .unwrap_or_default();
        format!(
            "{}({}{}) {}{} by process {} [#{}]",
            self.f, key, self.value, self.kind, at, self.process, self.index
        )
    }
}
