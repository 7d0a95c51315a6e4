//! The JSON writer of the timeline's data: interned strings, objects written field by field,
//! arrays of numbers (plain or delta-encoded), and string and value escaping that keeps `<` out
//! of the text (so no `</script>` can end the data early).
//!
//! Guarantees: output is a pure function of the calls made; strings are numbered by first use.

use quorumlab_checkers::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Strings by first use.
#[derive(Default)]
pub struct Strings {
    /// The strings, by id.
    ids: BTreeMap<String, i64>,
    pub list: Vec<String>,
}

impl Strings {
    /// The id of `s`, interning it on first use.
    pub fn id(&mut self, s: &str) -> i64 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.list.len() as i64;
        self.ids.insert(s.to_string(), i);
        self.list.push(s.to_string());
        i
    }

    /// The id of `s`, or -1 for none.
    pub fn opt(&mut self, s: Option<&str>) -> i64 {
        s.map_or(-1, |s| self.id(s))
    }
}

/// A JSON object being written field by field.
pub struct Obj {
    out: String,
    first: bool,
}

impl Obj {
    /// An empty object.
    pub fn new() -> Obj {
        Obj {
            out: String::from("{"),
            first: true,
        }
    }

    fn name(&mut self, name: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        let _ = write!(self.out, "\"{name}\":");
    }

    /// A field whose value is JSON text.
    pub fn raw(&mut self, name: &str, json: &str) {
        self.name(name);
        self.out.push_str(json);
    }

    /// A field holding an array of numbers.
    pub fn nums(&mut self, name: &str, values: impl IntoIterator<Item = i64>) {
        self.name(name);
        self.out.push('[');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            let _ = write!(self.out, "{v}");
        }
        self.out.push(']');
    }

    /// Differences from the previous value (the first from 0).
    pub fn deltas(&mut self, name: &str, values: impl IntoIterator<Item = i64>) {
        let mut prev = 0;
        self.nums(
            name,
            values.into_iter().map(|v| {
                let d = v - prev;
                prev = v;
                d
            }),
        );
    }

    /// A field holding an array of JSON texts.
    pub fn jsons(&mut self, name: &str, values: impl IntoIterator<Item = String>) {
        self.name(name);
        self.out.push('[');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.out.push_str(&v);
        }
        self.out.push(']');
    }

    /// The object's text.
    pub fn end(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// JSON text of `s`, with `<` escaped so that no `</script>` can appear.
pub fn json_str(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_else(|_| "\"\"".into())
        .replace('<', "\\u003c")
}

/// JSON text of `v`, with `<` escaped.
pub fn json_value(v: &Value) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
}
