//! Meaning for one `[[fault]]` table, kind by kind: which keys each kind takes (a key the kind
//! does not use is an error), which it requires (a missing one is reported on the line of the
//! `kind` or `how` that requires it), and the typed fault they make — still in input form.

use super::input::Entry;
use super::lines::echo;
use super::values::{self, Sign};
use super::{Fault, PartitionSpec};
use toml::Value;

const KINDS: &str = "partition, heal, crash, restart, loss, latency, slow, slow-disk, \
                     reply-loss, clock-skew, pause, resume, heal-all";
const HOWS: &str = "groups, halves, isolate, one-way, bridge";

/// The keys of one table with their lines, in file order.
pub(super) struct Fields<'t> {
    pub header: usize,
    pub keys: Vec<(&'static str, usize, &'t Value)>,
}

impl<'t> Fields<'t> {
    fn get(&self, key: &str) -> Option<(usize, &'t Value)> {
        self.keys
            .iter()
            .find(|(k, ..)| *k == key)
            .map(|&(_, l, v)| (l, v))
    }

    /// The value of `key`, or an error on line `blame` saying why it is needed.
    fn require(
        &self,
        key: &str,
        blame: usize,
        why: &str,
    ) -> Result<(usize, &'t Value), (usize, String)> {
        self.get(key)
            .ok_or_else(|| (blame, format!("field `{key}`: missing ({why})")))
    }

    /// The value of `key` read by `read`; its problems become `field `KEY`: …` on its line.
    fn read<T>(
        &self,
        key: &'static str,
        blame: usize,
        why: &str,
        read: impl FnOnce(&'t Value) -> Result<T, String>,
    ) -> Result<T, (usize, String)> {
        let (line, v) = self.require(key, blame, why)?;
        read(v).map_err(|m| (line, format!("field `{key}`: {m}")))
    }
}

/// The typed entry of a table whose keys are all known.
pub(super) fn typed(f: &Fields) -> Result<Entry, (usize, String)> {
    let at = f.read("at", f.header, "every fault needs `at`", |v| {
        values::duration(v, Sign::NonNegative)
    })?;
    let (kind_line, kind_v) = f.require("kind", f.header, &format!("valid kinds: {KINDS}"))?;
    let kind = values::string(kind_v, &format!("one of {KINDS}"))
        .map_err(|m| (kind_line, format!("field `kind`: {m}")))?;
    let built = build(f, kind, kind_line)?;
    for &(key, line, _) in &f.keys {
        if !["at", "kind"].contains(&key) && !built.uses.contains(&key) {
            return Err((line, format!("field `{key}`: not used by {}", built.label)));
        }
    }
    let lift = match f.get("duration") {
        None => None,
        Some((line, v)) => {
            let d = values::duration(v, Sign::Positive)
                .map_err(|m| (line, format!("field `duration`: {m}")))?;
            let lift_at = at.checked_add(d).ok_or((
                line,
                "field `duration`: `at` + `duration` is too large".to_string(),
            ))?;
            Some((lift_at, line))
        }
    };
    Ok(Entry {
        at,
        line: f.header,
        fault: built.fault,
        lift,
        keys: f.keys.iter().map(|&(k, l, _)| (k, l)).collect(),
        implied: built.implied,
    })
}

/// A typed fault, the keys it uses besides `at` and `kind`, and how to name it in messages.
struct Built {
    fault: Fault,
    uses: &'static [&'static str],
    label: String,
    implied: usize,
}

fn build(f: &Fields, kind: &str, kind_line: usize) -> Result<Built, (usize, String)> {
    let needs = format!("required by kind `{kind}`");
    let built = |fault, uses| Built {
        fault,
        uses,
        label: format!("kind `{kind}`"),
        implied: kind_line,
    };
    let node = || f.read("node", kind_line, &needs, values::node_sel);
    Ok(match kind {
        "partition" => return partition(f, kind_line),
        "heal" => built(Fault::Heal, &[]),
        "heal-all" => built(Fault::HealAll, &[]),
        "crash" | "restart" => {
            let crash = kind == "crash";
            let uses: &[&str] = if crash {
                &["node", "nodes", "duration"]
            } else {
                &["node", "nodes"]
            };
            let fault = match (f.get("node"), f.get("nodes")) {
                (Some(_), Some((line, _))) => {
                    return Err((
                        line,
                        "field `nodes`: give `node` or `nodes`, not both".to_string(),
                    ))
                }
                (_, Some(_)) => {
                    let nodes = f.read("nodes", kind_line, &needs, values::names)?;
                    if crash {
                        Fault::CrashSet(nodes)
                    } else {
                        Fault::RestartSet(nodes)
                    }
                }
                _ => {
                    let why = format!("{needs}; or `nodes` for several");
                    let n = f.read("node", kind_line, &why, values::node_sel)?;
                    if crash {
                        Fault::Crash(n)
                    } else {
                        Fault::Restart(n)
                    }
                }
            };
            built(fault, uses)
        }
        "pause" => built(Fault::Pause(node()?), &["node", "duration"]),
        "resume" => built(Fault::Resume(node()?), &["node"]),
        "loss" => {
            let rate = f.read("rate", kind_line, &needs, |v| {
                values::number(v, "a number between 0 and 1")
            })?;
            built(Fault::Loss { rate }, &["rate", "duration"])
        }
        "latency" | "slow" => {
            let slow = kind == "slow";
            let target = if slow { Some(node()?) } else { None };
            let max = f.read("max", kind_line, &needs, |v| match v.as_str() {
                Some("default") => Ok(None),
                _ => values::duration(v, Sign::NonNegative).map(Some),
            })?;
            let (fault, uses): (Fault, &'static [&'static str]) = match (target, max) {
                (None, Some(max)) => (Fault::Latency { max }, &["max", "duration"]),
                (None, None) => (Fault::LatencyReset, &["max"]),
                (Some(node), Some(max)) => {
                    (Fault::Slow { node, max }, &["node", "max", "duration"])
                }
                (Some(node), None) => (Fault::SlowReset(node), &["node", "max"]),
            };
            let mut b = built(fault, uses);
            if !uses.contains(&"duration") {
                b.label = format!("kind `{kind}` with max \"default\" (nothing to lift)");
            }
            b
        }
        "slow-disk" => {
            let node = node()?;
            let delay = f.read("delay", kind_line, &needs, |v| match v.as_str() {
                Some("default") => Ok(None),
                _ => values::duration(v, Sign::NonNegative).map(Some),
            })?;
            match delay {
                Some(delay) => built(
                    Fault::SlowDisk { node, delay },
                    &["node", "delay", "duration"],
                ),
                None => {
                    let mut b = built(Fault::SlowDiskReset(node), &["node", "delay"]);
                    b.label =
                        "kind `slow-disk` with delay \"default\" (nothing to lift)".to_string();
                    b
                }
            }
        }
        "reply-loss" => {
            let rate = f.read("rate", kind_line, &needs, |v| {
                values::number(v, "a number between 0 and 1")
            })?;
            if rate == 0.0 {
                let mut b = built(Fault::ReplyLossOff, &["rate"]);
                b.label = "kind `reply-loss` with rate 0 (it turns reply loss off)".to_string();
                b
            } else {
                let from = f.read("from", kind_line, &needs, values::names)?;
                let to = f.read("to", kind_line, &needs, values::names)?;
                built(
                    Fault::ReplyLoss { from, to, rate },
                    &["from", "to", "rate", "duration"],
                )
            }
        }
        "clock-skew" => {
            let node = node()?;
            let offset_us = f.read("offset", kind_line, &needs, values::offset)?;
            built(
                Fault::ClockSkew { node, offset_us },
                &["node", "offset", "duration"],
            )
        }
        other => {
            return Err((
                kind_line,
                format!(
                    "field `kind`: unknown kind {} (valid: {KINDS})",
                    echo(other)
                ),
            ))
        }
    })
}

fn partition(f: &Fields, kind_line: usize) -> Result<Built, (usize, String)> {
    let why = format!("partition needs `how`: {HOWS}");
    let (how_line, how_v) = f.require("how", kind_line, &why)?;
    let how = values::string(how_v, &format!("one of {HOWS}"))
        .map_err(|m| (how_line, format!("field `how`: {m}")))?;
    let needs = format!("required by how `{how}`");
    let (spec, uses): (PartitionSpec, &'static [&'static str]) = match how {
        "groups" => {
            let groups = f.read("groups", how_line, &needs, values::groups)?;
            (
                PartitionSpec::Groups(groups),
                &["how", "groups", "duration"],
            )
        }
        "halves" => (PartitionSpec::Halves, &["how", "duration"]),
        "bridge" => (PartitionSpec::Bridge, &["how", "duration"]),
        "isolate" => {
            let node = f.read("node", how_line, &needs, values::node_sel)?;
            (PartitionSpec::Isolate(node), &["how", "node", "duration"])
        }
        "one-way" => {
            let from = f.read("from", how_line, &needs, values::names)?;
            let to = f.read("to", how_line, &needs, values::names)?;
            (
                PartitionSpec::OneWay { from, to },
                &["how", "from", "to", "duration"],
            )
        }
        other => {
            return Err((
                how_line,
                format!("field `how`: unknown how {} (valid: {HOWS})", echo(other)),
            ))
        }
    };
    Ok(Built {
        fault: Fault::Partition(spec),
        uses,
        label: format!("partition how `{how}`"),
        implied: how_line,
    })
}
