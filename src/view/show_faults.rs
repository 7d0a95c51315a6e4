//! The fault timeline of a history: its nemesis events turned into bands `[start, end)` of
//! simulated time, one per stretch during which a kind of fault was in force (for `show` and the
//! plots' fault bands).
//!
//! Guarantees: a pure function of the events, in a fixed order (by start, then lane). A fault is
//! recognised by its event's `f` and value as our nemesis writes them (`crash n1` … `restart n1`,
//! `partition …` … `heal`, `loss 9%` … `loss 0%`, `slow n2 ≤ 761ms` … `slow n2 default`,
//! `clock-skew n4 -1.6s` … `clock-skew n4 0s`, `pause n3` … `resume n3`, `heal-all` ends every
//! fault); Jepsen's `:start` … `:stop` is one lane; any other function is a lane that a value ending
//! in `off`, `default`, `0%` or `0s` ends. A fault still in force at the end of the history ends
//! at the last time the history records.

use quorumlab_checkers::{Event, Process};
use std::collections::{BTreeMap, BTreeSet};

/// One stretch of simulated time during which a kind of fault was in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Band {
    /// The kind of fault (`partition`, `crash`, `loss`, …).
    pub lane: String,
    /// Start, simulated ns.
    pub start: u64,
    /// End, simulated ns (exclusive).
    pub end: u64,
    /// The values of the nemesis events that began or changed the fault, in order.
    pub what: Vec<String>,
}

/// The lane of a nemesis function: a fault and the event that ends it share one.
fn lane(f: &str) -> &str {
    match f {
        "restart" => "crash",
        "heal" => "partition",
        "resume" => "pause",
        "stop" => "start",
        other => other,
    }
}

/// Whether the event ends its fault (on its nodes, or everywhere).
fn ends(f: &str, value: &str) -> bool {
    matches!(f, "restart" | "heal" | "resume" | "stop")
        || value
            .split_whitespace()
            .last()
            .is_some_and(|w| matches!(w, "off" | "default" | "0%" | "0s"))
}

/// Node names in a nemesis value (`crash n1 n3` → `n1`, `n3`); empty for cluster-wide faults.
fn targets(f: &str, value: &str) -> Vec<String> {
    if !matches!(
        lane(f),
        "crash" | "pause" | "slow" | "slow-disk" | "clock-skew"
    ) {
        return Vec::new();
    }
    value
        .split_whitespace()
        .skip(1)
        .filter(|w| w.starts_with('n') && w.len() > 1 && w[1..].chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

/// The fault bands of a history (see the module doc).
pub fn bands(events: &[Event]) -> Vec<Band> {
    let last = events.iter().filter_map(|e| e.time).max().unwrap_or(0);
    // Per lane: the nodes affected ("*" for cluster-wide) and the open band.
    let mut open: BTreeMap<String, (BTreeSet<String>, Band)> = BTreeMap::new();
    let mut done = Vec::new();
    for e in events.iter().filter(|e| e.process == Process::Nemesis) {
        let t = e.time.unwrap_or(last);
        let value = match e.value.as_str() {
            Some(s) => s.to_string(),
            None => e.value.to_string(),
        };
        if e.f == "heal-all" {
            for (_, (_, mut b)) in std::mem::take(&mut open) {
                b.end = t;
                done.push(b);
            }
            continue;
        }
        let name = lane(&e.f).to_string();
        let nodes = targets(&e.f, &value);
        let stop = ends(&e.f, &value);
        let entry = open.remove(&name);
        let (mut set, mut band) = entry.unwrap_or_else(|| {
            (
                BTreeSet::new(),
                Band {
                    lane: name.clone(),
                    start: t,
                    end: t,
                    what: Vec::new(),
                },
            )
        });
        match (stop, nodes.is_empty()) {
            (true, true) => set.clear(),
            (true, false) => nodes.iter().for_each(|n| {
                set.remove(n);
            }),
            (false, true) => {
                set.insert("*".into());
            }
            (false, false) => set.extend(nodes),
        }
        if !stop {
            band.what.push(value);
        }
        if set.is_empty() {
            if !band.what.is_empty() {
                band.end = t;
                done.push(band);
            }
        } else {
            open.insert(name, (set, band));
        }
    }
    for (_, (_, mut b)) in open {
        b.end = last.max(b.start);
        done.push(b);
    }
    done.sort_by(|a, b| (a.start, &a.lane, a.end).cmp(&(b.start, &b.lane, b.end)));
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorumlab_checkers::{EventType, Value};

    fn nem(time: u64, f: &str, value: &str) -> Event {
        Event {
            index: time,
            time: Some(time),
            process: Process::Nemesis,
            kind: EventType::Info,
            f: f.into(),
            key: None,
            value: Value::from(value),
            ts: None,
            node: None,
            error: None,
        }
    }

    #[test]
    fn faults_open_and_close_per_lane_and_per_node() {
        let h = vec![
            nem(10, "crash", "crash n1 n2"),
            nem(20, "loss", "loss 9%"),
            nem(30, "restart", "restart n1"),
            nem(40, "loss", "loss 0%"),
            nem(50, "restart", "restart n2"),
            nem(60, "partition", "partition n1 | n2"),
            nem(70, "slow", "slow n2 ≤ 761ms"),
            nem(80, "heal-all", "heal-all"),
            nem(90, "pause", "pause n3"),
            nem(95, "clock-skew", "clock-skew n4 0s"),
        ];
        let got: Vec<(String, u64, u64)> = bands(&h)
            .into_iter()
            .map(|b| (b.lane, b.start, b.end))
            .collect();
        let want = [
            ("crash", 10, 50),
            ("loss", 20, 40),
            ("partition", 60, 80),
            ("slow", 70, 80),
            ("pause", 90, 95),
        ];
        let want: Vec<(String, u64, u64)> = want
            .iter()
            .map(|(l, s, e)| (l.to_string(), *s, *e))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn no_nemesis_no_bands() {
        assert!(bands(&[]).is_empty());
        assert!(bands(&[nem(5, "loss", "loss 0%")]).is_empty());
    }
}
