//! Input errors: every problem with a history or state file names the file, the line and the
//! problem in one line (`history.jsonl:12: missing field "type"`). Parsers return these; they never
//! panic on any input.
//!
//! Guarantees: a message is one line and bounded — any piece of the input it echoes is cut to
//! [`EXCERPT_CHARS`] characters by [`excerpt`] (the one helper every message uses), messages we do
//! not word ourselves (serde's) have their quoted echoes cut by [`tidy`], and the whole message is
//! cut at [`MAX_MESSAGE_CHARS`] as a last resort.

use std::borrow::Cow;
use std::fmt;

/// At most this many characters of the input are echoed in a message.
pub const EXCERPT_CHARS: usize = 80;

/// No message is longer than this many characters.
pub const MAX_MESSAGE_CHARS: usize = 400;

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
    /// An error at `file:line`. The message is made one line and cut to [`MAX_MESSAGE_CHARS`].
    pub fn new(file: impl Into<String>, line: usize, message: impl Into<String>) -> Self {
        let message = one_line(&message.into());
        InputError {
            file: file.into(),
            line,
            message: cut(&message, MAX_MESSAGE_CHARS).into_owned(),
        }
    }
}

impl InputError {
    /// A file that could not be read at all: its name, as given, may be absurdly long (the OS
    /// refused it), so a long name is cut to its last [`EXCERPT_CHARS`] characters, the ones that
    /// tell files apart.
    pub fn unreadable(file: &str, message: impl Into<String>) -> Self {
        let name = match file.char_indices().rev().nth(EXCERPT_CHARS - 1) {
            Some((at, _)) if at > 0 => format!("…{}", &file[at..]),
            _ => file.to_string(),
        };
        InputError::new(name, 0, message)
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

/// `s` cut to at most `n` characters, with `…` appended when something was cut.
fn cut(s: &str, n: usize) -> Cow<'_, str> {
    match s.char_indices().nth(n) {
        None => Cow::Borrowed(s),
        Some((at, _)) => Cow::Owned(format!("{}…", &s[..at])),
    }
}

/// A piece of input as a message may echo it: at most [`EXCERPT_CHARS`] characters, with `…`
/// when cut. Every message that quotes input goes through this (or [`quoted`]).
pub fn excerpt(s: &str) -> Cow<'_, str> {
    cut(s, EXCERPT_CHARS)
}

/// A piece of input quoted like `{:?}` and cut like [`excerpt`]: `"abc"`, `"xxxx…"`.
pub fn quoted(s: &str) -> String {
    match s.char_indices().nth(EXCERPT_CHARS) {
        None => format!("{s:?}"),
        Some((at, _)) => format!("{:?}…", &s[..at]),
    }
}

/// Cut every quoted (`"…"`, with backslash escapes) or back-ticked (`` `…` ``) run of a message we
/// did not word ourselves (serde's `invalid type: string "…"`, ``unknown variant `…` ``) to
/// [`EXCERPT_CHARS`] characters.
pub fn tidy(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len().min(MAX_MESSAGE_CHARS + 8));
    let mut chars = msg.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '"' && c != '`' {
            continue;
        }
        let mut kept = 0usize;
        let mut closed = false;
        while let Some(d) = chars.next() {
            if d == c {
                closed = true;
                break;
            }
            let escaped = if c == '"' && d == '\\' {
                chars.next()
            } else {
                None
            };
            if kept < EXCERPT_CHARS {
                out.push(d);
                if let Some(e) = escaped {
                    out.push(e);
                }
            } else if kept == EXCERPT_CHARS {
                out.push('…');
            }
            kept += 1;
        }
        if closed {
            out.push(c);
        }
    }
    out
}

/// A serde_json error as a message: serde_json appends " at line L column C"; the line is
/// reported apart (in [`InputError::line`]), the column is kept, and echoes are cut ([`tidy`]).
pub fn json_message(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let plain = match msg.rfind(" at line ") {
        Some(pos) => {
            let (head, rest) = msg.split_at(pos);
            match rest.split("column ").nth(1).map(str::trim) {
                Some(col) if !col.is_empty() => format!("{head} (column {col})"),
                _ => head.to_string(),
            }
        }
        None => msg,
    };
    tidy(&plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_are_cut_to_eighty_characters() {
        let long = "x".repeat(1_000_000);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_CHARS + 1);
        assert!(excerpt(&long).ends_with('…'));
        assert_eq!(excerpt("short"), "short");
        assert_eq!(quoted("ab"), "\"ab\"");
        assert!(quoted(&long).len() < 100);
        let multibyte = "é".repeat(200);
        assert_eq!(excerpt(&multibyte).chars().count(), EXCERPT_CHARS + 1);
    }

    #[test]
    fn tidy_cuts_quoted_runs_and_keeps_the_rest() {
        let long = "y".repeat(10_000);
        let msg = format!("invalid type: string \"{long}\", expected u64");
        let t = tidy(&msg);
        assert!(t.chars().count() < 125, "{t}");
        assert!(t.ends_with("\", expected u64"), "{t}");
        let msg = format!("unknown variant `{long}`, expected one of `invoke`, `ok`");
        let t = tidy(&msg);
        assert!(t.ends_with("`, expected one of `invoke`, `ok`"), "{t}");
        assert_eq!(tidy("a \"b\\\"c\" d"), "a \"b\\\"c\" d");
        assert_eq!(tidy("unterminated \"abc"), "unterminated \"abc");
    }

    #[test]
    fn an_unreadable_file_keeps_the_tail_of_a_long_name() {
        let long = format!("/tmp/{}/history.jsonl", "é".repeat(10_000));
        let e = InputError::unreadable(&long, "File name too long (os error 36)");
        assert_eq!(e.file.chars().count(), EXCERPT_CHARS + 1);
        assert!(e.file.ends_with("/history.jsonl"), "{}", e.file);
        assert_eq!(InputError::unreadable("h.jsonl", "x").file, "h.jsonl");
    }

    #[test]
    fn messages_are_one_bounded_line() {
        let e = InputError::new("f", 3, format!("a\nb {}", "z".repeat(5000)));
        assert!(!e.message.contains('\n'));
        assert!(e.message.chars().count() <= MAX_MESSAGE_CHARS + 1);
        assert!(e.to_string().starts_with("f:3: a b z"));
    }
}
