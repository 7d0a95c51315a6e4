//! `convergence`: after heal and quiesce, all replicas of every key hold the same cell, and that
//! cell is the newest one that reached any replica during the run.
//!
//! The guarantee (Dynamo's eventual consistency, DeCandia et al. 2007): for every key in
//! `final.json`'s placement, every replica holds an identical cell — same value and same `ts` —
//! where a tombstone and no cell at all are equivalent (the key is absent either way; the store may
//! purge tombstones), so two replicas that both hold "absent" agree whatever their tombstones.
//! A replica holding nothing (or a tombstone) while another holds a value has not converged:
//! anomaly `divergent-replicas`, naming the last-write-wins winner (maximum
//! `(ts, is_tombstone, value)`).
//!
//! When `final.json` records `reached` (the newest cell any replica applied during the run), the
//! agreed cell must also BE that cell — a `reached` tombstone is satisfied by absence — otherwise
//! replicas converged on something older and a write that reached a replica was lost: anomaly
//! `lost-applied-write` ("replicas of key 3 agree on 5@1201 but 9@1300 reached a replica during the
//! run and was lost"). Without `reached` (older files) this part is skipped.
//!
//! A key with an unavailable replica is undecided (the verdict is unknown unless another key
//! diverged). Without `final.json` the checker cannot say anything: unknown. When quiesce itself
//! reports it did not converge before its deadline, a note says so. One pass over the cells:
//! O(cells · log).

use super::{key_name, Report};
use crate::final_state::{show_cell, FinalState, ReplicaCell};
use crate::value::Value;
use crate::verdict::Verdict;
use std::collections::BTreeMap;

/// The checker's name.
pub const NAME: &str = "convergence";

/// What a replica holds, as a reader sees it: a value with its ts, or absent (`None`).
fn held(c: Option<&ReplicaCell>) -> Option<(i64, u64)> {
    c.and_then(|c| c.value.map(|v| (v, c.ts)))
}

fn show_held(h: Option<(i64, u64)>) -> String {
    h.map_or_else(
        || "nothing (absent)".to_string(),
        |(v, ts)| show_cell(Some(v), ts),
    )
}

/// Check that the replicas of every key agree; needs the final snapshot.
pub fn check(final_state: Option<&FinalState>) -> Verdict {
    let Some(fs) = final_state else {
        return Verdict::unknown(NAME, "no final.json: the replicas' final state is unknown");
    };
    let mut report = Report::new(NAME);
    let cells: BTreeMap<(&str, i64), &ReplicaCell> = fs
        .cells
        .iter()
        .map(|c| ((c.node.as_str(), c.key), c))
        .collect();
    for p in &fs.placement {
        let key = Value::Int(p.key);
        let down: Vec<&str> = p
            .replicas
            .iter()
            .filter(|n| fs.unavailable.contains(n))
            .map(String::as_str)
            .collect();
        if !down.is_empty() {
            report.undecided(format!(
                "{}: replica {} could not be read",
                key_name(Some(&key)),
                down.join(", ")
            ));
            continue;
        }
        let replicas: Vec<(&str, Option<&ReplicaCell>)> = p
            .replicas
            .iter()
            .map(|n| (n.as_str(), cells.get(&(n.as_str(), p.key)).copied()))
            .collect();
        let first = replicas.first().and_then(|(_, c)| held(*c));
        if replicas.iter().all(|(_, c)| held(*c) == first) {
            if let Some(reached) = fs.reached(p.key) {
                check_reached(&mut report, &key, first, reached.map(|r| (r.value, r.ts)));
            }
            continue;
        }
        let winner = replicas
            .iter()
            .filter_map(|(_, c)| *c)
            .max_by_key(|c| c.version());
        let parts: Vec<String> = replicas
            .iter()
            .map(|(n, c)| match c {
                Some(c) if c.is_tombstone() => format!("{n} holds a tombstone (ts {})", c.ts),
                Some(c) => format!("{n} holds {} (ts {})", c.value.unwrap_or_default(), c.ts),
                None => format!("{n} holds nothing"),
            })
            .collect();
        let behind = winner.map_or(String::new(), |w| match w.value {
            Some(v) => format!("; the last-write-wins winner is {v} (ts {})", w.ts),
            None => format!("; the last-write-wins winner is a tombstone (ts {})", w.ts),
        });
        report.anomaly(
            "divergent-replicas",
            Some(&key),
            Vec::new(),
            format!(
                "the replicas of {} disagree after quiesce: {}{}",
                key_name(Some(&key)),
                parts.join(", "),
                behind
            ),
        );
    }
    if let Some(q) = fs.quiesce.as_ref().filter(|q| !q.converged) {
        report.note(format!(
            "quiesce reached its deadline after {} without all Merkle roots agreeing",
            crate::fmt_time(q.duration_ns)
        ));
    }
    if fs.reached.is_none() {
        report.note(
            "final.json records no `reached` cells: what replicas applied during the run was not compared".into(),
        );
    }
    report.stat("keys", fs.placement.len() as u64);
    report.stat("cells", fs.cells.len() as u64);
    report.finish()
}

/// The agreed cell must be the newest cell that reached a replica (`None`: nothing reached any).
fn check_reached(
    report: &mut Report,
    key: &Value,
    agreed: Option<(i64, u64)>,
    reached: Option<(Option<i64>, u64)>,
) {
    let expected = reached.and_then(|(v, ts)| v.map(|v| (v, ts)));
    if agreed == expected {
        return;
    }
    let sentence = match reached {
        Some((v, ts))
            if agreed.is_none_or(|(av, at)| (at, false, Some(av)) < (ts, v.is_none(), v)) =>
        {
            format!(
                "the replicas of {} agree on {} but {} reached a replica during the run and was lost",
                key_name(Some(key)),
                show_held(agreed),
                show_cell(v, ts)
            )
        }
        Some((v, ts)) => format!(
            "the replicas of {} agree on {}, which is not the newest cell final.json records as \
             applied during the run ({})",
            key_name(Some(key)),
            show_held(agreed),
            show_cell(v, ts)
        ),
        None => format!(
            "the replicas of {} agree on {}, but final.json records that nothing of {} reached \
             any replica during the run",
            key_name(Some(key)),
            show_held(agreed),
            key_name(Some(key))
        ),
    };
    report.anomaly("lost-applied-write", Some(key), Vec::new(), sentence);
}
