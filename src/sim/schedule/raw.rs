//! The schedule file as TOML, before any meaning is given to it: the top-level keys and each
//! `[[fault]]` table's keys and values, every one with the byte offset it was written at (from
//! `toml::Spanned`), so later errors can name a line. Parsing never fails on anything but TOML
//! syntax; shapes that are wrong for a schedule are kept and judged by `fields`.

use super::value::{humanise, Value};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use toml::Spanned;

/// A key or value and the byte offset where it starts.
#[derive(Clone, Debug)]
pub(super) struct At<T> {
    pub offset: usize,
    pub value: T,
}

impl<T> From<Spanned<T>> for At<T> {
    fn from(s: Spanned<T>) -> Self {
        let offset = s.span().start;
        At {
            offset,
            value: s.into_inner(),
        }
    }
}

/// The whole document.
#[derive(Debug, Default)]
pub(super) struct Doc {
    /// The `name` value, if given.
    pub name: Option<At<Value>>,
    /// The `[[fault]]` tables in file order.
    pub faults: Vec<Entry>,
}

/// One element of the `fault` array.
#[derive(Debug)]
pub(super) struct Entry {
    /// Where the table starts (its `[[fault]]` header).
    pub offset: usize,
    /// Its keys and values in file order; `None` when the element is not a table.
    pub fields: Option<Vec<(At<String>, At<Value>)>>,
}

/// A parse failure: a byte offset and a one-line message.
#[derive(Debug)]
pub(super) struct RawError {
    pub offset: usize,
    pub message: String,
}

/// Parses `text` as TOML and collects the schedule's raw shape. Errors: TOML syntax, an unknown
/// top-level key, or `fault` that is not an array of tables.
pub(super) fn parse(text: &str) -> Result<Doc, RawError> {
    let top: TopLevel = toml::from_str(text).map_err(|e| RawError {
        offset: e.span().map_or(0, |s| s.start),
        message: humanise(e.message())
            .unwrap_or_else(|| format!("invalid TOML: {}", one_line(e.message()))),
    })?;
    let mut doc = Doc::default();
    for (key, value) in top.0 {
        match (key.value.as_str(), value) {
            ("name", TopValue::Other(v)) => doc.name = Some(v),
            ("fault", TopValue::Faults(Some(list))) => doc.faults = list,
            ("fault", _) => {
                return Err(RawError {
                    offset: key.offset,
                    message: "field `fault`: must be an array of tables (write `[[fault]]`)"
                        .to_string(),
                })
            }
            (other, _) => {
                let hint = if other == "faults" {
                    "; write `[[fault]]`"
                } else {
                    ""
                };
                return Err(RawError {
                    offset: key.offset,
                    message: format!(
                        "field `{other}`: unknown key (valid top-level keys: name, fault){hint}"
                    ),
                });
            }
        }
    }
    Ok(doc)
}

/// Collapses a multi-line message (toml's messages can span lines) into one line.
pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The top-level table: keys with their values, `fault`'s value read as a list of tables.
struct TopLevel(Vec<(At<String>, TopValue)>);

enum TopValue {
    /// The value of `fault`: `Some` when it is an array.
    Faults(Option<Vec<Entry>>),
    Other(At<Value>),
}

impl<'de> Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(TopVisitor)
    }
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a table")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let key = At::from(key);
            let value = if key.value == "fault" {
                TopValue::Faults(map.next_value::<FaultList>()?.0)
            } else {
                TopValue::Other(At::from(map.next_value::<Spanned<Value>>()?))
            };
            out.push((key, value));
        }
        Ok(TopLevel(out))
    }
}

/// The `fault` value: `Some(entries)` for an array, `None` for anything else.
struct FaultList(Option<Vec<Entry>>);

impl<'de> Deserialize<'de> for FaultList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FaultListVisitor)
    }
}

struct FaultListVisitor;

/// Visitor methods that accept every scalar TOML value as `$other` (the shape is judged later).
macro_rules! accept_anything {
    ($other:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($other)
        }
    };
}

impl<'de> Visitor<'de> for FaultListVisitor {
    type Value = FaultList;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of tables")
    }

    accept_anything!(FaultList(None));

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FaultList, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(FaultList(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FaultList, A::Error> {
        let mut entries = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<EntryFields>>()? {
            let offset = item.span().start;
            entries.push(Entry {
                offset,
                fields: item.into_inner().0,
            });
        }
        Ok(FaultList(Some(entries)))
    }
}

/// One element of the `fault` array: `Some(fields)` for a table, `None` otherwise.
struct EntryFields(Option<Vec<(At<String>, At<Value>)>>);

impl<'de> Deserialize<'de> for EntryFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EntryVisitor)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = EntryFields;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a table")
    }

    accept_anything!(EntryFields(None));

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<EntryFields, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(EntryFields(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EntryFields, A::Error> {
        let mut fields = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value::<Spanned<Value>>()?;
            fields.push((At::from(key), At::from(value)));
        }
        Ok(EntryFields(Some(fields)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(text: &str, offset: usize) -> usize {
        1 + text.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
    }

    #[test]
    fn keys_and_tables_carry_their_lines() {
        let text = "name = \"x\"\n\n[[fault]]\nat = \"1s\"\nkind = \"heal\"\n\n[[fault]]\nkind = \"crash\"\n";
        let doc = parse(text).unwrap();
        assert_eq!(line_of(text, doc.name.unwrap().offset), 1);
        assert_eq!(doc.faults.len(), 2);
        assert_eq!(line_of(text, doc.faults[0].offset), 3);
        assert_eq!(line_of(text, doc.faults[1].offset), 7);
        let f0 = doc.faults[0].fields.as_ref().unwrap();
        assert_eq!(f0[0].0.value, "at");
        assert_eq!(line_of(text, f0[0].0.offset), 4);
        assert_eq!(line_of(text, f0[1].1.offset), 5);
    }

    #[test]
    fn wrong_shapes_are_kept_for_later_judgement() {
        let doc = parse("fault = [1, {at = \"1s\"}]\n").unwrap();
        assert!(doc.faults[0].fields.is_none());
        assert_eq!(doc.faults[1].fields.as_ref().unwrap().len(), 1);
        let e = parse("\n[fault]\nat = 1\n").unwrap_err();
        assert!(e.message.contains("array of tables"), "{}", e.message);
        assert_eq!(line_of("\n[fault]\nat = 1\n", e.offset), 2);
    }

    #[test]
    fn unknown_top_level_keys_and_syntax_errors_name_their_line() {
        let text = "name = \"x\"\n[[faults]]\nat = \"1s\"\n";
        let e = parse(text).unwrap_err();
        assert_eq!(line_of(text, e.offset), 2);
        assert!(
            e.message.contains("field `faults`: unknown key"),
            "{}",
            e.message
        );
        for (text, want) in [
            ("fault = [1979-05-27]\n", "a date-time is not allowed here"),
            ("[[fault]]\nat.x = 1\n", "a dotted key is not allowed here"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.message.starts_with(want), "{}", e.message);
        }
        let text = "[[fault]]\nat = \"1s\nkind = \"heal\"\n";
        let e = parse(text).unwrap_err();
        assert_eq!(line_of(text, e.offset), 2);
        assert!(e.message.starts_with("invalid TOML: "), "{}", e.message);
    }
}
