//! The recorder: turns what clients and the nemesis did into history events, in the order they
//! happened in the simulation, with consecutive indices from 0. It is shared (single-threaded) by
//! every client host of one run.

use quorumlab_checkers::{Event, EventType, Process, Value};

/// Collects the history of one run.
#[derive(Default)]
pub struct Recorder {
    events: Vec<Event>,
}

/// The completion of an operation, as the client saw it.
pub struct Completion {
    /// ok / fail / info.
    pub kind: EventType,
    /// The result value (reads) or the written value (writes).
    pub value: Value,
    /// The cell timestamp reported by the store.
    pub ts: Option<u64>,
    /// The coordinator that answered.
    pub node: Option<String>,
    /// The reason of a fail or info.
    pub error: Option<String>,
}

impl Recorder {
    /// Record an invocation at `time` (ns); returns its history index.
    pub fn invoke(&mut self, time: u64, process: u64, f: &str, key: i64, value: Value) -> u64 {
        self.push(Event {
            index: 0,
            time: Some(time),
            process: Process::Client(process),
            kind: EventType::Invoke,
            f: f.to_string(),
            key: Some(Value::Int(key)),
            value,
            ts: None,
            node: None,
            error: None,
        })
    }

    /// Record the completion of `process`'s pending operation.
    pub fn complete(&mut self, time: u64, process: u64, f: &str, key: i64, c: Completion) {
        let _ = self.push(Event {
            index: 0,
            time: Some(time),
            process: Process::Client(process),
            kind: c.kind,
            f: f.to_string(),
            key: Some(Value::Int(key)),
            value: c.value,
            ts: c.ts,
            node: c.node,
            error: c.error,
        });
    }

    /// Record a nemesis event (a fault applied or lifted, or a phase change).
    pub fn nemesis(&mut self, time: u64, f: &str, value: &str) {
        let _ = self.push(Event {
            index: 0,
            time: Some(time),
            process: Process::Nemesis,
            kind: EventType::Info,
            f: f.to_string(),
            key: None,
            value: Value::Str(value.to_string()),
            ts: None,
            node: None,
            error: None,
        });
    }

    /// The events recorded so far.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Take the recorded events.
    pub fn into_events(self) -> Vec<Event> {
        self.events
    }

    fn push(&mut self, mut e: Event) -> u64 {
        let index = self.events.len() as u64;
        e.index = index;
        self.events.push(e);
        index
    }
}
