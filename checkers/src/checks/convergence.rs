//! `convergence`: after heal and quiesce, all replicas of every key hold the same cell.
//!
//! The guarantee (Dynamo's eventual consistency, DeCandia et al. 2007; DESIGN.md): for every key in
//! `final.json`'s placement, every replica holds an identical cell — same value and same `ts` —
//! which is then the last-write-wins winner (maximum `(ts, value)`) among them; a replica holding
//! nothing while another holds a cell has not converged. A key with an unavailable replica is
//! undecided (the verdict is unknown unless another key diverged). Without `final.json` the
//! checker cannot say anything: unknown. When quiesce itself reports it did not converge before its
//! deadline, a note says so. One pass over the cells: O(cells · log).

use super::{key_name, Report};
use crate::final_state::{FinalState, ReplicaCell};
use crate::value::Value;
use crate::verdict::Verdict;
use std::collections::BTreeMap;

/// The checker's name.
pub const NAME: &str = "convergence";

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
        let held: Vec<(&str, Option<&ReplicaCell>)> = p
            .replicas
            .iter()
            .map(|n| (n.as_str(), cells.get(&(n.as_str(), p.key)).copied()))
            .collect();
        let first = held.first().and_then(|(_, c)| *c);
        let same = |c: Option<&ReplicaCell>| match (c, first) {
            (None, None) => true,
            (Some(a), Some(b)) => (a.value, a.ts) == (b.value, b.ts),
            _ => false,
        };
        if held.iter().all(|(_, c)| same(*c)) {
            continue;
        }
        let winner = held
            .iter()
            .filter_map(|(_, c)| *c)
            .max_by_key(|c| (c.ts, c.value));
        let parts: Vec<String> = held
            .iter()
            .map(|(n, c)| match c {
                Some(c) => format!("{n} holds {} (ts {})", show(c.value), c.ts),
                None => format!("{n} holds nothing"),
            })
            .collect();
        let behind = winner.map_or(String::new(), |w| {
            format!(
                "; the last-write-wins winner is {} (ts {})",
                show(w.value),
                w.ts
            )
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
    report.stat("keys", fs.placement.len() as u64);
    report.stat("cells", fs.cells.len() as u64);
    report.finish()
}

/// A replica's value for a person: the id, or `a tombstone`.
fn show(value: Option<i64>) -> String {
    value.map_or_else(|| "a tombstone".to_string(), |v| v.to_string())
}
