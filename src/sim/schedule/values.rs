//! Reading one TOML value of a `[[fault]]` table into the type its key calls for: human
//! durations, signed clock offsets, numbers, node names and partition groups. Only the *shape* is
//! judged here (a string where a string belongs, a duration that parses); whether a node exists,
//! a rate is in range or groups overlap is the validator's business (`check`), which serves every
//! kind of input alike. Problems come back as text for `field `KEY`: …`.

use super::lines::echo;
use super::NodeSel;
use humantime::DurationError;
use std::time::Duration;
use toml::Value;

/// A short one-line rendering for "(got …)".
pub(super) fn show(v: &Value) -> String {
    match v {
        Value::String(s) => echo(s),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) if f.is_nan() => "nan".to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::Boolean(b) => b.to_string(),
        Value::Datetime(d) => format!("the date-time {d}"),
        Value::Array(_) => "an array".to_string(),
        Value::Table(_) => "a table".to_string(),
    }
}

fn expected(what: &str, v: &Value) -> String {
    format!("must be {what} (got {})", show(v))
}

/// A string.
pub(super) fn string<'v>(v: &'v Value, what: &str) -> Result<&'v str, String> {
    v.as_str().ok_or_else(|| expected(what, v))
}

/// A number (integer or float); `-0.0` is plain 0.
pub(super) fn number(v: &Value, what: &str) -> Result<f64, String> {
    match v {
        Value::Float(f) if *f == 0.0 => Ok(0.0),
        Value::Float(f) => Ok(*f),
        Value::Integer(i) => Ok(*i as f64),
        _ => Err(expected(what, v)),
    }
}

/// `"random"` or a node name.
pub(super) fn node_sel(v: &Value) -> Result<NodeSel, String> {
    let name = string(v, "a node name or \"random\"")?;
    Ok(if name == "random" {
        NodeSel::Random
    } else {
        NodeSel::Named(name.to_string())
    })
}

const NAMES: &str = "an array of node names, such as [\"n1\", \"n2\"]";
const GROUPS: &str = "an array of arrays of node names, such as [[\"n1\", \"n2\"], [\"n3\"]]";

/// An array of node names.
pub(super) fn names(v: &Value) -> Result<Vec<String>, String> {
    let list = v.as_array().ok_or_else(|| expected(NAMES, v))?;
    list.iter()
        .map(|n| {
            n.as_str()
                .map(str::to_string)
                .ok_or_else(|| expected(NAMES, v))
        })
        .collect()
}

/// An array of arrays of node names.
pub(super) fn groups(v: &Value) -> Result<Vec<Vec<String>>, String> {
    let outer = v.as_array().ok_or_else(|| expected(GROUPS, v))?;
    outer
        .iter()
        .map(|g| names(g).map_err(|_| expected(GROUPS, v)))
        .collect()
}

/// Whether a duration may be zero.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Sign {
    NonNegative,
    Positive,
}

/// A human duration string (humantime: "1.5s", "200ms", "2m").
pub(super) fn duration(v: &Value, sign: Sign) -> Result<Duration, String> {
    let text = string(v, "a duration such as \"1.5s\" or \"200ms\"")?.trim();
    let rule = match sign {
        Sign::NonNegative => "must not be negative",
        Sign::Positive => "must be positive",
    };
    if text.starts_with('-') {
        return Err(format!("{rule} (got {})", show(v)));
    }
    let d = parse(text).map_err(|e| {
        format!(
            "cannot parse {} as a duration: {e} (write e.g. \"1.5s\" or \"200ms\")",
            show(v)
        )
    })?;
    if sign == Sign::Positive && d.is_zero() {
        return Err(format!("{rule} (got {})", show(v)));
    }
    Ok(d)
}

/// A signed duration ("-500ms", "+2s", "0s") in whole microseconds.
pub(super) fn offset(v: &Value) -> Result<i64, String> {
    let text = string(v, "a signed duration such as \"-500ms\" or \"+2s\"")?.trim();
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let d = parse(body.trim_start()).map_err(|e| {
        format!(
            "cannot parse {} as a signed duration: {e} (write e.g. \"-500ms\")",
            show(v)
        )
    })?;
    if d.as_nanos() % 1000 != 0 {
        return Err(format!(
            "must be a whole number of microseconds (got {})",
            show(v)
        ));
    }
    let us = i64::try_from(d.as_micros())
        .map_err(|_| format!("must be at most 1 day either way (got {})", show(v)))?;
    Ok(if negative { -us } else { us })
}

/// humantime's parser with our own one-line messages (its own quote the input uncut).
pub(super) fn parse(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| match e {
        DurationError::InvalidCharacter(at) => format!("invalid character at {at}"),
        DurationError::NumberExpected(at) => format!("expected a number at {at}"),
        DurationError::UnknownUnit { unit, .. } => format!(
            "unknown time unit {} (units: ns, us, ms, s, m, h, d and longer names)",
            echo(&unit)
        ),
        DurationError::NumberOverflow => "the number is too large".to_string(),
        DurationError::Empty => "it is empty".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Value {
        text.parse::<toml::Table>().unwrap().remove("v").unwrap()
    }

    #[test]
    fn durations_and_offsets_parse_or_say_why() {
        assert_eq!(
            duration(&v("v = \"1.5s\""), Sign::Positive),
            Ok(Duration::from_millis(1500))
        );
        assert_eq!(
            duration(&v("v = \"0s\""), Sign::Positive),
            Err("must be positive (got \"0s\")".to_string())
        );
        assert_eq!(
            duration(&v("v = \"0s\""), Sign::NonNegative),
            Ok(Duration::ZERO)
        );
        assert_eq!(
            duration(&v("v = 3"), Sign::Positive),
            Err("must be a duration such as \"1.5s\" or \"200ms\" (got 3)".to_string())
        );
        assert_eq!(offset(&v("v = \"-500ms\"")), Ok(-500_000));
        assert_eq!(offset(&v("v = \"+2s\"")), Ok(2_000_000));
        let e = offset(&v(&format!("v = \"1 {}\"", "y".repeat(10_000)))).unwrap_err();
        assert!(e.len() < 300, "{e}");
    }

    #[test]
    fn shapes_are_judged_with_the_value_shown() {
        assert_eq!(number(&v("v = -0.0"), "x"), Ok(0.0));
        assert_eq!(number(&v("v = 1"), "x"), Ok(1.0));
        assert_eq!(
            number(&v("v = 1979-05-27"), "x"),
            Err("must be x (got the date-time 1979-05-27)".into())
        );
        assert_eq!(
            names(&v("v = [\"a\", \"b\"]")),
            Ok(vec!["a".into(), "b".into()])
        );
        assert!(names(&v("v = [1]"))
            .unwrap_err()
            .ends_with("(got an array)"));
        assert!(groups(&v("v = [\"a\"]")).is_err());
        assert_eq!(node_sel(&v("v = \"random\"")), Ok(NodeSel::Random));
        assert_eq!(show(&v("v = {a = 1}")), "a table");
        assert_eq!(show(&v("v = nan")), "nan");
    }
}
