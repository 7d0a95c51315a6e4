//! Fault intervals from a history's nemesis events: each fault the nemesis applied, from the event
//! that applied it to the event that lifted it (or the end of the history).
//!
//! The events' text is the one `quorumlab`'s nemesis records (`crash n3`, `loss 20%`, `heal`, …;
//! see `sim::schedule::fault`); Jepsen's `start`/`stop` nemesis events open and close one band.
//! Guarantees: a pure function of the events, in their order; a fault applied again while active
//! (a new partition, a new loss rate) ends the previous band and starts a new one, except an
//! identical repeat (Jepsen records `start` on invoke and on completion), which is ignored; an
//! unknown nemesis function makes no band (it is still shown as a mark).

use std::collections::BTreeMap;

/// One nemesis event, as the timeline sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct NemesisEvent {
    /// Position in the history.
    pub pos: u64,
    /// Simulated time, when known.
    pub time: Option<u64>,
    /// The function (`partition`, `crash`, `start`, …).
    pub f: String,
    /// The recorded text.
    pub text: String,
}

/// A fault active from `start` to `end`.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// Position of the event that applied it.
    pub start: u64,
    /// Position of the event that lifted it (`None`: still active at the end).
    pub end: Option<u64>,
    /// Time it was applied.
    pub start_time: Option<u64>,
    /// Time it was lifted.
    pub end_time: Option<u64>,
    /// What was applied (`crash n3`).
    pub label: String,
    /// The fault family, for the colour (`partition`, `crash`, `loss`, …).
    pub family: String,
}

/// What one nemesis event does to the set of active faults.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Action {
    /// Start the fault `key` (ending the one under that key, unless identical).
    Open { key: String, label: String },
    /// End the fault `key`.
    Close { key: String },
    /// End every fault.
    CloseAll,
}

/// The actions of one event (`f`, recorded `text`).
fn actions(f: &str, text: &str) -> Vec<Action> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let open = |key: String| Action::Open {
        key,
        label: text.to_string(),
    };
    let node = words.get(1).copied().unwrap_or("");
    let last = words.last().copied().unwrap_or("");
    match f {
        "partition" | "loss" | "latency" | "reply-loss" => {
            let lifted = matches!(last, "0%" | "default" | "off");
            if lifted {
                vec![Action::Close { key: f.into() }]
            } else {
                vec![open(f.into())]
            }
        }
        "heal" => vec![Action::Close {
            key: "partition".into(),
        }],
        "heal-all" => vec![Action::CloseAll],
        "crash" => words
            .iter()
            .skip(1)
            .map(|n| Action::Open {
                key: format!("crash {n}"),
                label: format!("crash {n}"),
            })
            .collect(),
        "restart" => words
            .iter()
            .skip(1)
            .map(|n| Action::Close {
                key: format!("crash {n}"),
            })
            .collect(),
        "pause" => vec![open(format!("pause {node}"))],
        "resume" => vec![Action::Close {
            key: format!("pause {node}"),
        }],
        "slow" | "slow-disk" | "clock-skew" => {
            let key = format!("{f} {node}");
            if matches!(last, "default" | "0s") {
                vec![Action::Close { key }]
            } else {
                vec![open(key)]
            }
        }
        "start" => vec![open("nemesis".into())],
        "stop" => vec![Action::Close {
            key: "nemesis".into(),
        }],
        _ => Vec::new(),
    }
}

/// The bands of `events` (nemesis events in history order), sorted by start then label.
pub fn bands(events: &[NemesisEvent]) -> Vec<Band> {
    let mut open: BTreeMap<String, Band> = BTreeMap::new();
    let mut done = Vec::new();
    for e in events {
        for action in actions(&e.f, &e.text) {
            let close = |key: &str, open: &mut BTreeMap<String, Band>, done: &mut Vec<Band>| {
                if let Some(mut b) = open.remove(key) {
                    b.end = Some(e.pos);
                    b.end_time = e.time;
                    done.push(b);
                }
            };
            match action {
                Action::Open { key, label } => {
                    if open.get(&key).is_some_and(|b| b.label == label) {
                        continue;
                    }
                    close(&key, &mut open, &mut done);
                    let family = key.split(' ').next().unwrap_or("").to_string();
                    open.insert(
                        key,
                        Band {
                            start: e.pos,
                            end: None,
                            start_time: e.time,
                            end_time: None,
                            label,
                            family,
                        },
                    );
                }
                Action::Close { key } => close(&key, &mut open, &mut done),
                Action::CloseAll => {
                    let keys: Vec<String> = open.keys().cloned().collect();
                    for k in keys {
                        close(&k, &mut open, &mut done);
                    }
                }
            }
        }
    }
    done.extend(open.into_values());
    done.sort_by(|a, b| (a.start, &a.label).cmp(&(b.start, &b.label)));
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(pos: u64, f: &str, text: &str) -> NemesisEvent {
        NemesisEvent {
            pos,
            time: Some(pos * 10),
            f: f.into(),
            text: text.into(),
        }
    }

    fn spans(events: &[NemesisEvent]) -> Vec<(u64, Option<u64>, String)> {
        bands(events)
            .into_iter()
            .map(|b| (b.start, b.end, b.label))
            .collect()
    }

    #[test]
    fn faults_end_at_their_lift_or_run_to_the_end() {
        let events = [
            ev(1, "crash", "crash n4 n5"),
            ev(2, "loss", "loss 20%"),
            ev(3, "restart", "restart n4"),
            ev(4, "loss", "loss 0%"),
            ev(5, "pause", "pause n2"),
            ev(6, "clock-skew", "clock-skew n1 -500ms"),
            ev(7, "clock-skew", "clock-skew n1 0s"),
        ];
        assert_eq!(
            spans(&events),
            vec![
                (1, Some(3), "crash n4".to_string()),
                (1, None, "crash n5".to_string()),
                (2, Some(4), "loss 20%".to_string()),
                (5, None, "pause n2".to_string()),
                (6, Some(7), "clock-skew n1 -500ms".to_string()),
            ]
        );
        assert_eq!(bands(&events)[0].end_time, Some(30));
        assert_eq!(bands(&events)[0].family, "crash");
    }

    #[test]
    fn a_new_partition_replaces_the_old_and_heal_all_ends_everything() {
        let events = [
            ev(1, "partition", "partition n1 | n2 n3"),
            ev(2, "partition", "partition n1 n2 | n3"),
            ev(3, "latency", "latency ≤ 300ms"),
            ev(4, "heal-all", "heal-all"),
            ev(5, "heal", "heal"),
        ];
        assert_eq!(
            spans(&events),
            vec![
                (1, Some(2), "partition n1 | n2 n3".to_string()),
                (2, Some(4), "partition n1 n2 | n3".to_string()),
                (3, Some(4), "latency ≤ 300ms".to_string()),
            ]
        );
    }

    #[test]
    fn jepsen_start_stop_pairs_ignore_the_repeated_start_and_unknown_functions() {
        let events = [
            ev(1, "start", "start"),
            ev(2, "start", "start"),
            ev(3, "kill", "kill n1"),
            ev(4, "stop", "stop"),
        ];
        assert_eq!(spans(&events), vec![(1, Some(4), "start".to_string())]);
        assert!(bands(&[ev(1, "bogus", "")]).is_empty());
    }
}
