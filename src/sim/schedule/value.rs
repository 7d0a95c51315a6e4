//! A TOML value as the schedule loader sees it. Read with our own visitor rather than
//! `toml::Value`'s, so that every shape TOML allows (date-times, dotted sub-tables) arrives
//! intact inside `toml::Spanned` and is judged by the loader with a clear message.

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The key under which the `toml` deserializer hands over a date-time (as a one-entry map).
const DATETIME_KEY: &str = "$__toml_private_datetime";

/// One TOML value; tables keep no contents because no schedule field is a table.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    Datetime(String),
    Array(Vec<Value>),
    Table,
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// A short one-line rendering for "(got …)".
    pub fn show(&self) -> String {
        match self {
            Value::String(s) if s.chars().count() > 40 => {
                format!("{:?}…", s.chars().take(40).collect::<String>())
            }
            Value::String(s) => format!("{s:?}"),
            Value::Integer(i) => i.to_string(),
            Value::Float(f) if f.is_nan() => "nan".to_string(),
            Value::Float(f) => format!("{f:?}"),
            Value::Boolean(b) => b.to_string(),
            Value::Datetime(d) => format!("the date-time {d}"),
            Value::Array(_) => "an array".to_string(),
            Value::Table => "a table".to_string(),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TOML value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Boolean(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Integer(i))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        Ok(i64::try_from(u).map_or(Value::Float(u as f64), Value::Integer))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return Ok(Value::Table);
        };
        if first == DATETIME_KEY {
            let text: String = map.next_value()?;
            return Ok(Value::Datetime(text));
        }
        map.next_value::<IgnoredAny>()?;
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Value::Table)
    }
}

/// Plain words for the two messages in which the deserializer exposes its internals: a
/// date-time where a `fault` table belongs (its private marker), and a dotted key (`at.x = 1`),
/// whose implicit table carries no position for `Spanned`. `None` for every other message.
pub(super) fn humanise(message: &str) -> Option<String> {
    if message.contains(DATETIME_KEY) {
        Some("a date-time is not allowed here (each `fault` must be a table)".to_string())
    } else if message.contains("expected a borrowed string") {
        Some("a dotted key is not allowed here (write `key = value`)".to_string())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(text: &str) -> Value {
        #[derive(serde::Deserialize)]
        struct One {
            v: Value,
        }
        toml::from_str::<One>(text).unwrap().v
    }

    #[test]
    fn every_toml_shape_is_read() {
        assert_eq!(field("v = \"a\""), Value::String("a".into()));
        assert_eq!(field("v = 3"), Value::Integer(3));
        assert_eq!(field("v = 1.5").show(), "1.5");
        assert_eq!(field("v = nan").show(), "nan");
        assert_eq!(field("v = true"), Value::Boolean(true));
        assert_eq!(field("v = 1979-05-27").show(), "the date-time 1979-05-27");
        assert_eq!(
            field("v = [1, [2]]").as_array().map(<[Value]>::len),
            Some(2)
        );
        assert_eq!(field("v.x = 1"), Value::Table);
        assert_eq!(field("v = {}"), Value::Table);
    }
}
