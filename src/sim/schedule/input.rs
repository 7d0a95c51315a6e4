//! The TOML input: one derived serde type ([`Document`]: `name`, and each `[[fault]]` table's keys
//! with their positions via `toml::Spanned`), then each table's keys checked and the table read
//! (by `by_kind`) into an [`Entry`] — a fault in input form (it may still say `random`, `halves`
//! or `bridge`) with the line of every key, so that any later error (resolution, validation)
//! names the right line.
//!
//! Values are kept as `toml::Value` until their key is known, so a wrong type is reported as
//! `field `KEY`: must be … (got …)` rather than in the deserializer's words. When the document
//! does not even have the shape of a schedule (`fault = 3`, an unknown top-level key), it is read
//! again as a plain table of keys to say which key is wrong; only TOML syntax errors are worded
//! by the parser.

use super::by_kind::{self, Fields};
use super::check::check_name;
use super::lines::{key, one_line, Lines};
use super::values;
use super::{Fault, ScheduleError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;
use toml::{Spanned, Value};

/// One `[[fault]]` table: its keys (with their positions) and values.
type Table = BTreeMap<Spanned<String>, Value>;

/// A schedule file as TOML gives it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    name: Option<Spanned<String>>,
    #[serde(default)]
    fault: Vec<Spanned<Table>>,
}

/// A parsed file: its name, if given, and its faults in file order.
pub(super) struct Doc {
    pub file: String,
    pub name: Option<String>,
    pub entries: Vec<Entry>,
}

impl Doc {
    /// An error on `line` of the file.
    pub fn err(&self, line: usize, message: impl AsRef<str>) -> ScheduleError {
        invalid(&self.file, line, message)
    }
}

/// A `[[fault]]` table read and typed, before `random`, `halves` and `bridge` are resolved.
pub(super) struct Entry {
    pub at: Duration,
    /// Line of the `[[fault]]` header.
    pub line: usize,
    pub fault: Fault,
    /// The lift's time and the line of `duration`, when `duration` was given.
    pub lift: Option<(Duration, usize)>,
    /// Each key given and its line.
    pub keys: Vec<(&'static str, usize)>,
    /// The line to blame for a field that is not written but implied (`how`, else `kind`).
    pub implied: usize,
}

impl Entry {
    /// The line of `field`, or of the key that implies it when it is not written.
    pub fn line_of(&self, field: &str) -> usize {
        self.keys
            .iter()
            .find(|(k, _)| *k == field)
            .map_or(self.implied, |&(_, l)| l)
    }
}

/// `FILE:LINE: MESSAGE`, the message on one line.
pub(super) fn invalid(file: &str, line: usize, message: impl AsRef<str>) -> ScheduleError {
    ScheduleError::Invalid {
        file: file.to_string(),
        line,
        message: one_line(message.as_ref()),
    }
}

const KEYS: [&str; 13] = [
    "at", "kind", "how", "groups", "node", "nodes", "from", "to", "rate", "max", "delay", "offset",
    "duration",
];

/// Parses `text` into a [`Doc`]; every error names `file` and a line.
pub(super) fn parse(file: &str, text: &str) -> Result<Doc, ScheduleError> {
    let lines = Lines::new(text);
    let doc: Document = toml::from_str(text).map_err(|e| shape_error(file, text, &lines, e))?;
    let name = match doc.name {
        None => None,
        Some(n) => {
            let line = lines.line(n.span().start);
            check_name(n.get_ref()).map_err(|p| invalid(file, line, p.to_string()))?;
            Some(n.into_inner())
        }
    };
    let entries = doc
        .fault
        .iter()
        .map(|t| entry(file, &lines, t))
        .collect::<Result<_, _>>()?;
    Ok(Doc {
        file: file.to_string(),
        name,
        entries,
    })
}

/// Why `text` does not deserialize as a [`Document`]: a top-level key that is unknown or of the
/// wrong shape (found by reading the text as a plain table), else a TOML syntax error.
fn shape_error(file: &str, text: &str, lines: &Lines, e: toml::de::Error) -> ScheduleError {
    let at = |span: Option<std::ops::Range<usize>>| lines.line(span.map_or(0, |s| s.start));
    let top: BTreeMap<Spanned<String>, Value> = match toml::from_str(text) {
        Ok(top) => top,
        Err(syntax) => {
            let message = format!("invalid TOML: {}", syntax.message());
            return invalid(file, at(syntax.span()), message);
        }
    };
    let mut keys: Vec<_> = top.iter().collect();
    keys.sort_by_key(|(k, _)| k.span().start);
    for (k, v) in keys {
        let line = lines.line(k.span().start);
        let problem = match (k.get_ref().as_str(), v) {
            ("name", Value::String(_)) => continue,
            ("name", v) => format!("must be a non-empty string (got {})", values::show(v)),
            ("fault", Value::Array(items)) if items.iter().all(Value::is_table) => continue,
            ("fault", Value::Array(_)) => {
                "every element must be a table (write `[[fault]]`)".to_string()
            }
            ("fault", _) => "must be an array of tables (write `[[fault]]`)".to_string(),
            (other, _) => {
                let hint = if other == "faults" {
                    "; write `[[fault]]`"
                } else {
                    ""
                };
                let message = format!("unknown key (valid top-level keys: name, fault){hint}");
                return invalid(file, line, format!("field `{}`: {message}", key(other)));
            }
        };
        return invalid(file, line, format!("field `{}`: {problem}", k.get_ref()));
    }
    // Not expected: every shape a plain table can have is judged above.
    invalid(
        file,
        at(e.span()),
        format!("not a schedule: {}", e.message()),
    )
}

/// Reads one `[[fault]]` table.
fn entry(file: &str, lines: &Lines, table: &Spanned<Table>) -> Result<Entry, ScheduleError> {
    let header = lines.line(table.span().start);
    let mut written: Vec<_> = table.get_ref().iter().collect();
    written.sort_by_key(|(k, _)| k.span().start);
    let mut keys = Vec::with_capacity(written.len());
    for (k, v) in written {
        let line = lines.line(k.span().start);
        let Some(&known) = KEYS.iter().find(|&&x| x == k.get_ref()) else {
            let hint =
                suggestion(k.get_ref()).map_or(String::new(), |s| format!("; did you mean `{s}`?"));
            let message = format!("unknown key (valid keys: {}){hint}", KEYS.join(", "));
            return Err(invalid(
                file,
                line,
                format!("field `{}`: {message}", key(k.get_ref())),
            ));
        };
        keys.push((known, line, v));
    }
    let fields = Fields { header, keys };
    by_kind::typed(&fields).map_err(|(line, message)| invalid(file, line, message))
}

/// The valid key closest to a mistyped one (edit distance at most 2; ties go to a key with the
/// same first letter, so `rat` suggests `rate`, not `at`).
fn suggestion(key: &str) -> Option<&'static str> {
    if key.chars().count() > 12 {
        return None;
    }
    let first = key.chars().next();
    KEYS.iter()
        .map(|k| (edit_distance(key, k), k.chars().next() != first, *k))
        .filter(|(d, _, _)| *d <= 2)
        .min()
        .map(|(_, _, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
