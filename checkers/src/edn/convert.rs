//! EDN forms → [`Value`]s.
//!
//! The mapping is the one every quorumlab parser shares: `nil` → `Null`; keywords, symbols and
//! characters → strings (keywords without the colon); vectors and lists → lists; sets → lists in
//! sorted order (deterministic); maps → maps with string keys (keyword keys lose the colon, other
//! keys are rendered); tagged literals → their value. Integers outside 64 bits, floating-point
//! numbers and ratios have no [`Value`] and are rejected with the line and a reason.

use super::{Form, FormKind};
use crate::error::{excerpt, InputError};
use crate::value::Value;
use std::collections::BTreeMap;

/// Convert a form to a value; `file` names the source in errors.
pub fn to_value(file: &str, form: &Form) -> Result<Value, InputError> {
    let err = |m: String| InputError::new(file, form.line, m);
    Ok(match &form.kind {
        FormKind::Nil => Value::Null,
        FormKind::Bool(b) => Value::Bool(*b),
        FormKind::Int(i) => Value::Int(*i),
        FormKind::BigInt(s) => {
            return Err(err(format!(
                "integer {} does not fit in 64 signed bits",
                excerpt(s)
            )))
        }
        FormKind::Float(s) => {
            return Err(err(format!(
                "floating-point value {} is not supported (integers only)",
                excerpt(s)
            )))
        }
        FormKind::Ratio(s) => {
            return Err(err(format!(
                "ratio {} is not supported (integers only)",
                excerpt(s)
            )))
        }
        FormKind::Char(c) => Value::Str(c.to_string()),
        FormKind::Str(s) | FormKind::Keyword(s) | FormKind::Symbol(s) => Value::Str(s.clone()),
        FormKind::List(items) | FormKind::Vector(items) => Value::List(
            items
                .iter()
                .map(|f| to_value(file, f))
                .collect::<Result<_, _>>()?,
        ),
        FormKind::Set(items) => {
            let mut v: Vec<Value> = items
                .iter()
                .map(|f| to_value(file, f))
                .collect::<Result<_, _>>()?;
            v.sort();
            v.dedup();
            Value::List(v)
        }
        FormKind::Map(entries) => {
            let mut m = BTreeMap::new();
            for (k, v) in entries {
                let key = match k.name() {
                    Some(n) => n.to_string(),
                    None => to_value(file, k)?.to_string(),
                };
                m.insert(key, to_value(file, v)?);
            }
            Value::Map(m)
        }
        FormKind::Tagged(_, inner) => to_value(file, inner)?,
    })
}

/// Render a form as short text for messages and `error` fields (keywords keep no colon).
pub fn render(form: &Form) -> String {
    match &form.kind {
        FormKind::Str(s) | FormKind::Keyword(s) | FormKind::Symbol(s) => s.clone(),
        FormKind::BigInt(s) | FormKind::Float(s) | FormKind::Ratio(s) => s.clone(),
        _ => to_value("", form)
            .map(|v| v.to_string())
            .unwrap_or_else(|_| form.kind_name().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edn::parse_one;

    fn conv(s: &str) -> Result<Value, InputError> {
        to_value("t", &parse_one("t", s).unwrap())
    }

    #[test]
    fn keywords_lose_their_colon_and_nil_is_null() {
        assert_eq!(conv(":cas").unwrap(), Value::from("cas"));
        assert_eq!(conv("nil").unwrap(), Value::Null);
        assert_eq!(
            conv("[1 :x nil]").unwrap(),
            Value::List(vec![Value::Int(1), Value::from("x"), Value::Null])
        );
        assert_eq!(
            conv("#{3 1 2}").unwrap(),
            Value::List(vec![Value::Int(1), Value::Int(2), Value::Int(3)])
        );
        let Value::Map(m) = conv("{:a 1, \"b\" 2, 3 4}").unwrap() else {
            panic!("not a map")
        };
        assert_eq!(m.keys().collect::<Vec<_>>(), ["3", "a", "b"]);
    }

    #[test]
    fn unsupported_numbers_are_rejected_with_a_reason() {
        let e = conv("[1\n 1.5]").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("floating-point"), "{e}");
        assert!(conv("1/3").unwrap_err().message.contains("ratio"));
        assert!(conv("123456789012345678901234")
            .unwrap_err()
            .message
            .contains("64"));
    }
}
