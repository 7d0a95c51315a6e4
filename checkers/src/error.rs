//! Input errors: every problem with a history or state file names the file, the line and the
//! problem in one line (`history.jsonl:12: missing field "type"`). Parsers return these; they never
//! panic on any input.

use std::fmt;

/// A problem in an input file, located by file name and 1-based line number (0 when the problem
/// concerns the whole file, e.g. it cannot be opened).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    /// The file (or source name) that holds the problem.
    pub file: String,
    /// 1-based line; 0 for whole-file problems.
    pub line: usize,
    /// What is wrong, in one sentence without a trailing period.
    pub message: String,
}

impl InputError {
    /// An error at `file:line`.
    pub fn new(file: impl Into<String>, line: usize, message: impl Into<String>) -> Self {
        InputError {
            file: file.into(),
            line,
            message: one_line(&message.into()),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

/// Collapse a possibly multi-line message into one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
