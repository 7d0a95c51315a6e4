//! A parsed history: the events in file order, each with the 1-based line it came from.
//!
//! Every parser ([`crate::jsonl`], [`crate::edn::history`], [`crate::jepsen_log`]) returns one, so
//! that problems found after parsing (an orphan completion, an unknown function) are reported as
//! `file:line: problem` at the line of the event at fault. Guarantees: there is exactly one line
//! per event (the type keeps the two in step), lines never decrease, and the event order is the
//! file order — which is the real-time order of the history (see [`crate::ops`]).

use crate::error::{quoted, InputError};
use crate::history::Event;
use crate::ops::{self, Op};

/// Events with the source line of each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedHistory {
    events: Vec<Event>,
    lines: Vec<usize>,
}

impl ParsedHistory {
    /// An empty history.
    pub fn new() -> ParsedHistory {
        ParsedHistory::default()
    }

    /// An empty history with room for `n` events (a parser's estimate: no regrowth, no copies).
    pub fn with_capacity(n: usize) -> ParsedHistory {
        ParsedHistory {
            events: Vec::with_capacity(n),
            lines: Vec::with_capacity(n),
        }
    }

    /// Append `event`, read from 1-based `line`.
    pub fn push(&mut self, event: Event, line: usize) {
        self.events.push(event);
        self.lines.push(line);
    }

    /// The events, in file order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The events, to rewrite in place (e.g. independent keys); their lines do not change.
    pub fn events_mut(&mut self) -> &mut [Event] {
        &mut self.events
    }

    /// `lines()[i]` is the 1-based line of `events()[i]`.
    pub fn lines(&self) -> &[usize] {
        &self.lines
    }

    /// The line of event `i` (0 when there is no such event).
    pub fn line_of(&self, i: usize) -> usize {
        self.lines.get(i).copied().unwrap_or(0)
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether there are no events.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The events alone.
    pub fn into_events(self) -> Vec<Event> {
        self.events
    }

    /// Pair the events into operations ([`ops::pair`]); a pairing problem is reported at its
    /// event's line.
    pub fn pair(&self, file: &str) -> Result<Vec<Op>, InputError> {
        ops::pair(&self.events)
            .map_err(|e| InputError::new(file, self.line_of(e.position()), e.to_string()))
    }

    /// Every client event's function must be one of `known` (the model's functions, see
    /// [`crate::lin::ModelKind::functions`]); the first that is not is an error at its line.
    pub fn check_functions(
        &self,
        file: &str,
        model: &str,
        known: &[&str],
    ) -> Result<(), InputError> {
        for (i, e) in self.events.iter().enumerate() {
            if !knows_function(e.is_client(), &e.f, known) {
                return Err(unknown_function(file, self.line_of(i), &e.f, model, known));
            }
        }
        Ok(())
    }
}

/// Whether an event is a nemesis event (`client` false) or a client event of one of the `known`
/// functions.
pub(crate) fn knows_function(client: bool, f: &str, known: &[&str]) -> bool {
    !client || known.contains(&f)
}

/// The error for an event at `line` whose function `f` `model` does not know.
pub(crate) fn unknown_function(
    file: &str,
    line: usize,
    f: &str,
    model: &str,
    known: &[&str],
) -> InputError {
    InputError::new(
        file,
        line,
        format!(
            "unknown function {} for model {model} (known: {})",
            quoted(f),
            known.join(", ")
        ),
    )
}
