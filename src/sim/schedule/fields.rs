//! Meaning for one `[[fault]]` table: which keys each kind takes, what each value must look like,
//! and the one-line error (`FILE:LINE: field `NAME`: PROBLEM`) when it does not. The result is an
//! [`Entry`]: a fault that may still say `random`, `halves` or `bridge` (resolved by `resolve`).

use super::raw::{self, At};
use super::value::Value;
use super::values::{duration, groups, node_names, node_sel, offset, show, Sign};
use super::{Fault, NodeSel, PartitionSpec, ScheduleError};
use std::time::Duration;

/// The text being loaded and the cluster it is for.
pub(super) struct Ctx<'a> {
    /// The name errors start with.
    pub file: &'a str,
    pub text: &'a str,
    pub nodes: &'a [String],
}

impl Ctx<'_> {
    /// The 1-based line holding byte `offset` (clamped to the text's last line).
    pub fn line(&self, offset: usize) -> usize {
        let bytes = self.text.as_bytes();
        let newlines = bytes[..offset.min(bytes.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        (newlines + 1).min(self.text.lines().count().max(1))
    }

    /// An error at byte `offset`.
    pub fn err(&self, offset: usize, message: impl AsRef<str>) -> ScheduleError {
        self.err_line(self.line(offset), message)
    }

    /// An error on `line`.
    pub fn err_line(&self, line: usize, message: impl AsRef<str>) -> ScheduleError {
        ScheduleError::Invalid {
            file: self.file.to_string(),
            line,
            message: raw::one_line(message.as_ref()),
        }
    }

    pub fn node_list(&self) -> String {
        self.nodes.join(" ")
    }
}

/// A validated `[[fault]]` before `random`, `halves` and `bridge` are resolved.
#[derive(Debug)]
pub(super) struct Entry {
    pub at: Duration,
    /// Line of the `[[fault]]` header.
    pub line: usize,
    pub fault: Fault,
    /// Line and name of the field blamed when resolving or checking the fault fails (its `node`
    /// or `how`).
    pub target: (usize, &'static str),
    /// The lift's time and the line of `duration`, when `duration` was given.
    pub lift: Option<(Duration, usize)>,
}

const KEYS: [&str; 11] = [
    "at", "kind", "how", "groups", "node", "from", "to", "rate", "max", "offset", "duration",
];
const KINDS: &str =
    "partition, heal, crash, restart, loss, latency, clock-skew, pause, resume, heal-all";
const HOWS: &str = "groups, halves, isolate, one-way, bridge";

/// One table's fields with their offsets.
pub(super) struct Table<'a, 'c> {
    pub ctx: &'c Ctx<'a>,
    header: usize,
    fields: &'c [(At<String>, At<Value>)],
}

impl Table<'_, '_> {
    pub fn get(&self, key: &str) -> Option<(usize, &Value)> {
        self.fields
            .iter()
            .find(|(k, _)| k.value == key)
            .map(|(k, v)| (k.offset, &v.value))
    }

    /// The field `key`; missing is an error on the line at `blame`.
    pub fn require(
        &self,
        key: &str,
        blame: usize,
        why: &str,
    ) -> Result<(usize, &Value), ScheduleError> {
        self.get(key).ok_or_else(|| {
            self.ctx
                .err(blame, format!("field `{key}`: missing ({why})"))
        })
    }

    pub fn field_err(&self, offset: usize, key: &str, problem: impl AsRef<str>) -> ScheduleError {
        self.ctx
            .err(offset, format!("field `{key}`: {}", problem.as_ref()))
    }

    pub fn string<'v>(
        &self,
        offset: usize,
        key: &str,
        v: &'v Value,
        what: &str,
    ) -> Result<&'v str, ScheduleError> {
        v.as_str()
            .ok_or_else(|| self.field_err(offset, key, format!("must be {what} (got {})", show(v))))
    }
}

/// The schedule's `name`: a non-empty string.
pub(super) fn schedule_name(ctx: &Ctx, v: &At<Value>) -> Result<String, ScheduleError> {
    match v.value.as_str() {
        Some(s) if !s.trim().is_empty() => Ok(s.to_string()),
        _ => Err(ctx.err(
            v.offset,
            format!(
                "field `name`: must be a non-empty string (got {})",
                show(&v.value)
            ),
        )),
    }
}

/// Validates one `[[fault]]` table.
pub(super) fn entry(ctx: &Ctx, raw: &raw::Entry) -> Result<Entry, ScheduleError> {
    let Some(fields) = &raw.fields else {
        return Err(ctx.err(
            raw.offset,
            "field `fault`: every element must be a table (write `[[fault]]`)",
        ));
    };
    let t = Table {
        ctx,
        header: raw.offset,
        fields,
    };
    for (k, _) in fields {
        if !KEYS.contains(&k.value.as_str()) {
            let hint =
                suggestion(&k.value).map_or(String::new(), |s| format!("; did you mean `{s}`?"));
            let msg = format!("unknown key (valid keys: {}){hint}", KEYS.join(", "));
            return Err(t.field_err(k.offset, &k.value, msg));
        }
    }
    let (at_off, at_v) = t.require("at", t.header, "every fault needs `at`")?;
    let at = duration(&t, at_off, "at", at_v, Sign::NonNegative)?;
    let (kind_off, kind_v) = t.require("kind", t.header, &format!("valid kinds: {KINDS}"))?;
    let kind = t.string(kind_off, "kind", kind_v, &format!("one of {KINDS}"))?;
    let built = build(&t, kind, kind_off)?;
    for (k, _) in fields {
        let key = k.value.as_str();
        if !["at", "kind"].contains(&key) && !built.uses.contains(&key) {
            return Err(t.field_err(k.offset, key, format!("not used by {}", built.label)));
        }
    }
    let lift = match t.get("duration") {
        None => None,
        Some((off, v)) => {
            let d = duration(&t, off, "duration", v, Sign::Positive)?;
            let lift_at = at
                .checked_add(d)
                .ok_or_else(|| t.field_err(off, "duration", "`at` + `duration` is too large"))?;
            Some((lift_at, ctx.line(off)))
        }
    };
    Ok(Entry {
        at,
        line: ctx.line(t.header),
        fault: built.fault,
        target: (ctx.line(built.target.0), built.target.1),
        lift,
    })
}

/// A parsed fault, the keys its kind uses besides `at` and `kind`, and what to blame.
struct Built {
    fault: Fault,
    uses: Vec<&'static str>,
    label: String,
    target: (usize, &'static str),
}

fn build(t: &Table, kind: &str, kind_off: usize) -> Result<Built, ScheduleError> {
    let label = format!("kind `{kind}`");
    let done = |fault, uses: &[&'static str], target| Built {
        fault,
        uses: uses.to_vec(),
        label: label.clone(),
        target,
    };
    let needs = format!("required by kind `{kind}`");
    let node = |t: &Table| -> Result<(NodeSel, (usize, &'static str)), ScheduleError> {
        let (off, v) = t.require("node", kind_off, &needs)?;
        Ok((node_sel(t, off, "node", v)?, (off, "node")))
    };
    Ok(match kind {
        "partition" => return partition(t, kind_off),
        "heal" => done(Fault::Heal, &[], (kind_off, "kind")),
        "heal-all" => done(Fault::HealAll, &[], (kind_off, "kind")),
        "crash" => node(t).map(|(n, o)| done(Fault::Crash(n), &["node", "duration"], o))?,
        "restart" => node(t).map(|(n, o)| done(Fault::Restart(n), &["node"], o))?,
        "pause" => node(t).map(|(n, o)| done(Fault::Pause(n), &["node", "duration"], o))?,
        "resume" => node(t).map(|(n, o)| done(Fault::Resume(n), &["node"], o))?,
        "loss" => {
            let (off, v) = t.require("rate", kind_off, &needs)?;
            let rate = match v {
                Value::Float(f) if *f == 0.0 => 0.0, // -0.0 too
                Value::Float(f) => *f,
                Value::Integer(i) => *i as f64,
                _ => f64::NAN,
            };
            if !(0.0..=1.0).contains(&rate) {
                return Err(t.field_err(
                    off,
                    "rate",
                    format!("must be between 0 and 1 (got {})", show(v)),
                ));
            }
            done(Fault::Loss { rate }, &["rate", "duration"], (off, "rate"))
        }
        "latency" => {
            let (off, v) = t.require("max", kind_off, &needs)?;
            if v.as_str() == Some("default") {
                let mut reset = done(Fault::LatencyReset, &["max"], (off, "max"));
                reset.label = "kind `latency` with max \"default\" (nothing to lift)".to_string();
                reset
            } else {
                let max = duration(t, off, "max", v, Sign::Positive)?;
                done(Fault::Latency { max }, &["max", "duration"], (off, "max"))
            }
        }
        "clock-skew" => {
            let (node, target) = node(t)?;
            let (off, v) = t.require("offset", kind_off, &needs)?;
            let offset_us = offset(t, off, v)?;
            let uses = ["node", "offset", "duration"];
            done(Fault::ClockSkew { node, offset_us }, &uses, target)
        }
        other => {
            return Err(t.field_err(
                kind_off,
                "kind",
                format!("unknown kind {other:?} (valid: {KINDS})"),
            ))
        }
    })
}

fn partition(t: &Table, kind_off: usize) -> Result<Built, ScheduleError> {
    let (how_off, how_v) = t.require("how", kind_off, &format!("partition needs `how`: {HOWS}"))?;
    let how = t.string(how_off, "how", how_v, &format!("one of {HOWS}"))?;
    let n = t.ctx.nodes.len();
    let needs = format!("required by how `{how}`");
    let too_few = |min: usize| {
        t.field_err(
            how_off,
            "how",
            format!("`{how}` needs at least {min} nodes (the cluster has {n})"),
        )
    };
    let (spec, uses): (PartitionSpec, &[&'static str]) = match how {
        "groups" => {
            let (off, v) = t.require("groups", how_off, &needs)?;
            (PartitionSpec::Groups(groups(t, off, v)?), &["groups"])
        }
        "halves" if n < 2 => return Err(too_few(2)),
        "halves" => (PartitionSpec::Halves, &[]),
        "bridge" if n < 3 => return Err(too_few(3)),
        "bridge" => (PartitionSpec::Bridge, &[]),
        "isolate" if n < 2 => return Err(too_few(2)),
        "isolate" => {
            let (off, v) = t.require("node", how_off, &needs)?;
            let node = node_sel(t, off, "node", v)?;
            return Ok(Built {
                fault: Fault::Partition(PartitionSpec::Isolate(node)),
                uses: vec!["how", "node", "duration"],
                label: "partition how `isolate`".to_string(),
                target: (off, "node"),
            });
        }
        "one-way" => {
            let (from_off, from_v) = t.require("from", how_off, &needs)?;
            let (to_off, to_v) = t.require("to", how_off, &needs)?;
            let from = node_names(t, from_off, "from", from_v)?;
            let to = node_names(t, to_off, "to", to_v)?;
            if let Some(both) = from.iter().find(|x| to.contains(x)) {
                return Err(t.field_err(
                    to_off,
                    "to",
                    format!("{both} is in both `from` and `to`"),
                ));
            }
            (PartitionSpec::OneWay { from, to }, &["from", "to"])
        }
        other => {
            return Err(t.field_err(
                how_off,
                "how",
                format!("unknown how {other:?} (valid: {HOWS})"),
            ))
        }
    };
    let mut all = vec!["how", "duration"];
    all.extend_from_slice(uses);
    Ok(Built {
        fault: Fault::Partition(spec),
        uses: all,
        label: format!("partition how `{how}`"),
        target: (how_off, "how"),
    })
}

/// The valid key closest to a mistyped one (edit distance at most 2; ties go to a key with the
/// same first letter, so `rat` suggests `rate`, not `at`).
fn suggestion(key: &str) -> Option<&'static str> {
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
