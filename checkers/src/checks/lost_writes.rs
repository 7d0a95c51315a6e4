//! `lost-writes`: every acknowledged write is in the final state or superseded by a newer write.
//!
//! The guarantee (DESIGN.md; Jepsen's "lost updates"): an `ok` write `w` of value `v` to key `k`
//! survives to the end. The final state of `k` is
//! - with `final.json`: the last-write-wins winner among `k`'s replicas, the maximum cell by
//!   `(ts, value)` (what a reconciling read would return);
//! - without it: the ok reads of `k` that began after every write of `k` had completed (failed
//!   writes excepted). If a write never completed (`info`) or no read followed all writes, `k` is
//!   undecided (verdict unknown unless another key is invalid). `w` counts as lost only if EVERY
//!   such final read shows it lost; a final read that misses it while another sees it is a stale
//!   read, reported by `stale-read`.
//!
//! `w` is lost iff the final value is `null` (absent), or the final value's write is older than `w`
//! in real time (it completed before `w` was invoked), or, when both timestamps are known, the final
//! cell's `(ts, value)` is below `w`'s — a last-write-wins store under clock skew loses writes this
//! way. If `w` looks lost but a replica of `k` was unavailable when the snapshot was taken, the key
//! is undecided instead (the write may live on that replica). One pass over the writes: O(n).

use super::index::{by_key, written_value, KeyOps};
use super::{began, ended, events_of, key_name, shown, Report};
use crate::final_state::{FinalState, ReplicaCell};
use crate::ops::Op;
use crate::value::Value;
use crate::verdict::Verdict;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// The checker's name.
pub const NAME: &str = "lost-writes";

/// What the end of the history shows for one key.
enum Final<'a> {
    /// The LWW winner among the replicas (`None`: no replica holds the key).
    Snapshot {
        winner: Option<&'a ReplicaCell>,
        unavailable: Vec<&'a str>,
    },
    /// Ok reads that began after every write completed.
    Reads(Vec<u32>),
}

/// Check that no acknowledged write is lost; uses `final.json` when given.
pub fn check(ops: &[Op], final_state: Option<&FinalState>) -> Verdict {
    let mut report = Report::new(NAME);
    let cells = final_state.map(cells_by_key).unwrap_or_default();
    let keys = by_key(ops);
    let mut acked_total = 0u64;
    for k in &keys {
        let acked = k.acked_writes(ops);
        if acked.is_empty() {
            continue;
        }
        acked_total += acked.len() as u64;
        let fin = match final_state {
            Some(fs) => snapshot(fs, &cells, k),
            None => final_reads(ops, k),
        };
        match fin {
            Ok(fin) => {
                for &w in &acked {
                    judge(ops, k, w, &fin, &mut report);
                }
            }
            Err(why) => report.undecided(why),
        }
    }
    report.stat("acknowledged-writes", acked_total);
    report.stat("keys", keys.len() as u64);
    super::note_ambiguous(&mut report, &keys);
    if final_state.is_none() {
        report.note(
            "no final.json: the final state is taken from reads that followed every write".into(),
        );
    }
    report.finish()
}

fn cells_by_key(fs: &FinalState) -> BTreeMap<i64, Vec<&ReplicaCell>> {
    let mut m: BTreeMap<i64, Vec<&ReplicaCell>> = BTreeMap::new();
    for c in &fs.cells {
        m.entry(c.key).or_default().push(c);
    }
    m
}

fn snapshot<'a>(
    fs: &'a FinalState,
    cells: &BTreeMap<i64, Vec<&'a ReplicaCell>>,
    k: &KeyOps<'_>,
) -> Result<Final<'a>, String> {
    let Some(key) = k.key.and_then(Value::as_int) else {
        return Err(format!(
            "{} cannot be looked up in final.json, whose keys are integers",
            key_name(k.key)
        ));
    };
    let replicas: Option<&Vec<String>> = fs
        .placement
        .iter()
        .find(|p| p.key == key)
        .map(|p| &p.replicas);
    let held = cells.get(&key).map(Vec::as_slice).unwrap_or_default();
    let winner = held
        .iter()
        .copied()
        .filter(|c| replicas.is_none_or(|r| r.contains(&c.node)))
        .max_by(|a, b| (a.ts, a.value).cmp(&(b.ts, b.value)));
    let unavailable = fs
        .unavailable
        .iter()
        .filter(|n| replicas.is_none_or(|r| r.contains(n)))
        .map(String::as_str)
        .collect();
    Ok(Final::Snapshot {
        winner,
        unavailable,
    })
}

fn final_reads(ops: &[Op], k: &KeyOps<'_>) -> Result<Final<'static>, String> {
    let mut last_ret = 0;
    for &w in &k.writes {
        let op = &ops[w as usize];
        match op.ret {
            Some(ret) => last_ret = last_ret.max(ret),
            None => {
                return Err(format!(
                    "{}: write #{} never completed, so no read is known to follow every write",
                    key_name(k.key),
                    op.invoke_index
                ))
            }
        }
    }
    let reads: Vec<u32> = k
        .reads
        .iter()
        .copied()
        .filter(|&r| ops[r as usize].call > last_ret)
        .collect();
    if reads.is_empty() {
        return Err(format!(
            "{}: no ok read began after every write had completed",
            key_name(k.key)
        ));
    }
    Ok(Final::Reads(reads))
}

/// Whether a final value (with its ts) is older than acknowledged write `w`, and why.
fn older(ops: &[Op], k: &KeyOps<'_>, value: &Value, ts: Option<u64>, w: u32) -> Option<String> {
    let write = &ops[w as usize];
    let wv = written_value(write)?;
    if value.is_null() {
        return Some("nothing".into());
    }
    if value == wv {
        return None;
    }
    if let (Some(t), Some(wt)) = (ts, write.ts) {
        let below = match t.cmp(&wt) {
            Ordering::Less => true,
            Ordering::Equal => value < wv,
            Ordering::Greater => false,
        };
        if below {
            return Some(format!(
                "{value} (ts {t}), a cell below the write's (ts {wt}, value {wv}) in last-write-wins order"
            ));
        }
    }
    let old = &ops[k.writer(value)? as usize];
    let ret = old.ret?;
    (ret < write.call).then(|| {
        format!(
            "{value}, whose write #{} was acknowledged at {}, before this write began at {}",
            old.invoke_index,
            ended(old),
            began(write)
        )
    })
}

fn judge(ops: &[Op], k: &KeyOps<'_>, w: u32, fin: &Final<'_>, report: &mut Report) {
    let write = &ops[w as usize];
    let head = || {
        format!(
            "write #{} of {} to {} was acknowledged at {}",
            write.invoke_index,
            written_value(write).cloned().unwrap_or_default(),
            key_name(k.key),
            ended(write)
        )
    };
    let mut evidence: Vec<u64> = events_of(write).collect();
    match fin {
        Final::Snapshot {
            winner,
            unavailable,
        } => {
            let (value, ts) = winner.map_or((Value::Null, None), |c| {
                (c.value.map_or(Value::Null, Value::Int), Some(c.ts))
            });
            let Some(why) = older(ops, k, &value, ts, w) else {
                return;
            };
            if !unavailable.is_empty() {
                report.undecided(format!(
                    "{} and the available replicas hold {why}, but {} could not be read",
                    head(),
                    unavailable.join(", ")
                ));
                return;
            }
            if let Some(old) = k.writer(&value) {
                evidence.extend(events_of(&ops[old as usize]));
            }
            report.anomaly(
                "lost-write",
                k.key,
                evidence,
                format!("{}, but the final state (final.json) holds {why}", head()),
            );
        }
        Final::Reads(reads) => {
            let mut last = None;
            for &r in reads {
                let op = &ops[r as usize];
                match older(ops, k, &op.value, op.ts, w) {
                    Some(why) => last = Some((r, why)),
                    None => return,
                }
            }
            let Some((r, why)) = last else { return };
            let read = &ops[r as usize];
            evidence.extend(events_of(read));
            if let Some(old) = k.writer(&read.value) {
                evidence.extend(events_of(&ops[old as usize]));
            }
            report.anomaly(
                "lost-write",
                k.key,
                evidence,
                format!(
                    "{}, but every read after the last write returned an older value: read #{} (began at {}) returned {}",
                    head(),
                    read.invoke_index,
                    began(read),
                    if read.value.is_null() { shown(&read.value) } else { why }
                ),
            );
        }
    }
}
