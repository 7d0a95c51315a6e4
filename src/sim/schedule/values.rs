//! Reading one value of a `[[fault]]` table: human durations, signed clock offsets, node names
//! and partition groups, each checked against the cluster, and the short "(got …)" rendering
//! used in error messages.

use super::fields::Table;
use super::value::Value;
use super::NodeSel;
use super::ScheduleError;
use std::time::Duration;

/// Explicit groups: non-empty, known, disjoint; the unlisted nodes become one more group, and
/// the result must have at least two sides.
pub(super) fn groups(t: &Table, off: usize, v: &Value) -> Result<Vec<Vec<String>>, ScheduleError> {
    let shape = || {
        t.field_err(off, "groups", format!(
            "must be an array of arrays of node names, such as [[\"n1\", \"n2\"], [\"n3\"]] (got {})",
            show(v)
        ))
    };
    let outer = v.as_array().ok_or_else(shape)?;
    let mut out: Vec<Vec<String>> = Vec::new();
    for (i, g) in outer.iter().enumerate() {
        let names = g.as_array().ok_or_else(shape)?;
        if names.is_empty() {
            return Err(t.field_err(off, "groups", format!("group {} is empty", i + 1)));
        }
        let mut group = Vec::new();
        for name in names {
            let name = name.as_str().ok_or_else(shape)?;
            known(t, off, "groups", name)?;
            if out
                .iter()
                .chain([&group])
                .any(|g| g.iter().any(|x| x == name))
            {
                return Err(t.field_err(off, "groups", format!("{name} is listed more than once")));
            }
            group.push(name.to_string());
        }
        out.push(group);
    }
    let rest: Vec<String> = t
        .ctx
        .nodes
        .iter()
        .filter(|n| !out.iter().flatten().any(|x| x == *n))
        .cloned()
        .collect();
    if !rest.is_empty() {
        out.push(rest);
    }
    if out.len() < 2 {
        return Err(t.field_err(
            off,
            "groups",
            "must split the cluster into at least two sides",
        ));
    }
    Ok(out)
}

/// A non-empty list of distinct known node names.
pub(super) fn node_names(
    t: &Table,
    off: usize,
    key: &str,
    v: &Value,
) -> Result<Vec<String>, ScheduleError> {
    let shape = || {
        t.field_err(
            off,
            key,
            format!(
                "must be a non-empty array of node names, such as [\"n1\"] (got {})",
                show(v)
            ),
        )
    };
    let list = v.as_array().filter(|l| !l.is_empty()).ok_or_else(shape)?;
    let mut out: Vec<String> = Vec::new();
    for name in list {
        let name = name.as_str().ok_or_else(shape)?;
        known(t, off, key, name)?;
        if out.iter().any(|x| x == name) {
            return Err(t.field_err(off, key, format!("{name} is listed more than once")));
        }
        out.push(name.to_string());
    }
    Ok(out)
}

pub(super) fn known(t: &Table, off: usize, key: &str, name: &str) -> Result<(), ScheduleError> {
    if t.ctx.nodes.iter().any(|n| n == name) {
        Ok(())
    } else {
        Err(t.field_err(
            off,
            key,
            format!("unknown node {name:?} (nodes: {})", t.ctx.node_list()),
        ))
    }
}

/// `"random"` or a known node name.
pub(super) fn node_sel(
    t: &Table,
    off: usize,
    key: &str,
    v: &Value,
) -> Result<NodeSel, ScheduleError> {
    let name = t.string(off, key, v, "a node name or \"random\"")?;
    if name == "random" {
        return Ok(NodeSel::Random);
    }
    known(t, off, key, name)?;
    Ok(NodeSel::Named(name.to_string()))
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Sign {
    NonNegative,
    Positive,
}

/// A human duration string (humantime: "1.5s", "200ms", "2m").
pub(super) fn duration(
    t: &Table,
    off: usize,
    key: &str,
    v: &Value,
    sign: Sign,
) -> Result<Duration, ScheduleError> {
    let text = t
        .string(off, key, v, "a duration such as \"1.5s\" or \"200ms\"")?
        .trim();
    let rule = match sign {
        Sign::NonNegative => "must not be negative",
        Sign::Positive => "must be positive",
    };
    if text.starts_with('-') {
        return Err(t.field_err(off, key, format!("{rule} (got {})", show(v))));
    }
    let d = humantime::parse_duration(text).map_err(|e| {
        t.field_err(
            off,
            key,
            format!(
                "cannot parse {} as a duration: {e} (write e.g. \"1.5s\" or \"200ms\")",
                show(v)
            ),
        )
    })?;
    if sign == Sign::Positive && d.is_zero() {
        return Err(t.field_err(off, key, format!("{rule} (got {})", show(v))));
    }
    Ok(d)
}

/// A signed duration ("-500ms", "+2s", "0s") in whole microseconds.
pub(super) fn offset(t: &Table, off: usize, v: &Value) -> Result<i64, ScheduleError> {
    let text = t
        .string(
            off,
            "offset",
            v,
            "a signed duration such as \"-500ms\" or \"+2s\"",
        )?
        .trim();
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let d = humantime::parse_duration(body.trim_start()).map_err(|e| {
        t.field_err(
            off,
            "offset",
            format!(
                "cannot parse {} as a signed duration: {e} (write e.g. \"-500ms\")",
                show(v)
            ),
        )
    })?;
    if d.as_nanos() % 1000 != 0 {
        return Err(t.field_err(
            off,
            "offset",
            format!("must be a whole number of microseconds (got {})", show(v)),
        ));
    }
    let us = i64::try_from(d.as_micros())
        .map_err(|_| t.field_err(off, "offset", format!("is too large (got {})", show(v))))?;
    Ok(if negative { -us } else { us })
}

/// A short one-line rendering of a TOML value for "(got …)".
pub(super) fn show(v: &Value) -> String {
    v.show()
}
