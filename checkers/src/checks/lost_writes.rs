//! `lost-writes`: every acknowledged write or delete is in the final state or superseded by a
//! newer write.
//!
//! The guarantee (Jepsen's "lost updates"): an `ok` write `w` of value `v` to key `k`,
//! or an `ok` delete of `k` (a write of `null`, "absent"), survives to the end. The final state of
//! `k` is
//! - with `final.json`: the last-write-wins winner among `k`'s replicas, the maximum cell by
//!   `(ts, is_tombstone, value)` (what a reconciling read would return); a tombstone (`null` cell)
//!   or no cell at all both mean "absent";
//! - without it: the ok reads of `k` that began after every write and delete of `k` had completed
//!   (failed ones excepted); a read of `null` with a `ts` returned a tombstone. If a write never
//!   completed (`info`) or no read followed all writes, `k` is undecided (verdict unknown unless
//!   another key is invalid). `w` counts as lost only if EVERY such final read shows it lost; a
//!   final read that misses it while another sees it is a stale read, reported by `stale-read`.
//!
//! A write `w` of `v` is lost iff the final state is not `v` and is older than `w`:
//! - when both timestamps are known, the final cell's `(ts, is_tombstone, value)` is below `w`'s —
//!   a last-write-wins store under clock skew loses writes this way;
//! - or in real time: the final value's write completed before `w` was invoked; a final "absent"
//!   (tombstone or nothing) is older iff every delete of `k` completed before `w` was invoked
//!   (always, when `k` has no delete).
//!
//! A delete `d` is lost iff the final state holds a value (not a tombstone, not nothing) that is
//! older than `d`: by timestamps, the value's cell is below the delete's tombstone (a tombstone wins
//! a tie), or in real time, the value's write completed before `d` was invoked. A final value
//! written after `d` supersedes it.
//!
//! If something looks lost but a replica of `k` was unavailable when the snapshot was taken, the
//! key is undecided instead (it may live on that replica). One pass over the writes: O(n log n).

use super::index::{by_key, is_delete, written_value, Explainers, KeyOps};
use super::{began, ended, events_of, key_name, shown, Report};
use crate::final_state::{FinalState, ReplicaCell};
use crate::ops::Op;
use crate::value::Value;
use crate::verdict::Verdict;
use std::collections::BTreeMap;

/// The checker's name.
pub const NAME: &str = "lost-writes";

/// Why a key cannot be judged.
#[derive(Debug, thiserror::Error)]
enum Undecided {
    #[error("{key} cannot be looked up in final.json, whose keys are integers")]
    KeyNotInteger { key: String },
    #[error("{key}: {what} #{index} never completed, so no read is known to follow every write")]
    NeverCompleted {
        key: String,
        what: &'static str,
        index: u64,
    },
    #[error("{key}: no ok read began after every write had completed")]
    NoFinalRead { key: String },
}

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
    check_keys(ops, &by_key(ops), final_state)
}

/// [`check`] on the per-key index of `ops` ([`by_key`]), shared by the suite's checkers.
pub(crate) fn check_keys(
    ops: &[Op],
    keys: &[KeyOps<'_>],
    final_state: Option<&FinalState>,
) -> Verdict {
    let mut report = Report::new(NAME);
    let cells = final_state.map(cells_by_key).unwrap_or_default();
    let (mut acked_total, mut deletes_total) = (0u64, 0u64);
    for k in keys {
        let acked = k.acked_writes(ops);
        if acked.is_empty() {
            continue;
        }
        let deletes = acked
            .iter()
            .filter(|&&w| is_delete(&ops[w as usize]))
            .count() as u64;
        deletes_total += deletes;
        acked_total += acked.len() as u64 - deletes;
        let fin = match final_state {
            Some(fs) => snapshot(fs, &cells, k),
            None => final_reads(ops, k),
        };
        let ex = k.explainers(ops);
        match fin {
            Ok(fin) => {
                for &w in &acked {
                    judge(ops, k, &ex, w, &fin, &mut report);
                }
            }
            Err(why) => report.undecided(why.to_string()),
        }
    }
    report.stat("acknowledged-writes", acked_total);
    report.stat("acknowledged-deletes", deletes_total);
    report.stat("keys", keys.len() as u64);
    super::note_ambiguous(&mut report, keys);
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
) -> Result<Final<'a>, Undecided> {
    let Some(key) = k.key.and_then(Value::as_int) else {
        return Err(Undecided::KeyNotInteger {
            key: key_name(k.key),
        });
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
        .max_by_key(|c| c.version());
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

fn final_reads(ops: &[Op], k: &KeyOps<'_>) -> Result<Final<'static>, Undecided> {
    let mut last_ret = 0;
    for &w in &k.writes {
        let op = &ops[w as usize];
        match op.ret {
            Some(ret) => last_ret = last_ret.max(ret),
            None => {
                return Err(Undecided::NeverCompleted {
                    key: key_name(k.key),
                    what: if is_delete(op) { "delete" } else { "write" },
                    index: op.invoke_index,
                })
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
        return Err(Undecided::NoFinalRead {
            key: key_name(k.key),
        });
    }
    Ok(Final::Reads(reads))
}

/// A final state in words: `7 (ts 1201)`, `a tombstone (ts 1300)`, `nothing`.
fn final_words(value: &Value, ts: Option<u64>) -> String {
    match (value.is_null(), ts) {
        (true, Some(t)) => format!("a tombstone (ts {t})"),
        (true, None) => "nothing".to_string(),
        (false, Some(t)) => format!("{} (ts {t})", shown(value)),
        (false, None) => shown(value),
    }
}

/// Whether a final state — `value` with its `ts`; `null` with a ts is a tombstone, without one
/// nothing — is older than acknowledged write or delete `w`, and why.
fn older(
    ops: &[Op],
    k: &KeyOps<'_>,
    ex: &Explainers,
    value: &Value,
    ts: Option<u64>,
    w: u32,
) -> Option<String> {
    let write = &ops[w as usize];
    let wv = written_value(write)?;
    if value == wv {
        return None; // the same value, or absent after a delete
    }
    let shown_final = final_words(value, ts);
    if let (Some(t), Some(wt)) = (ts, write.ts) {
        if (t, value.is_null(), value) < (wt, wv.is_null(), wv) {
            let mine = if wv.is_null() {
                format!("its tombstone (ts {wt})")
            } else {
                format!("the write's (ts {wt}, value {})", shown(wv))
            };
            return Some(format!(
                "{shown_final}, a cell below {mine} in last-write-wins order"
            ));
        }
    }
    if value.is_null() {
        // Absent: the initial state or some delete. Older iff every delete completed before `w`.
        return ex.all_before(u64::MAX, write.call).then(|| {
            if k.deletes.is_empty() {
                shown_final
            } else {
                format!(
                    "{shown_final}, though every delete of {} had completed before it began",
                    key_name(k.key)
                )
            }
        });
    }
    let old = &ops[k.writer(value)? as usize];
    let ret = old.ret?;
    (ret < write.call).then(|| {
        format!(
            "{shown_final}, whose write #{} was acknowledged at {}, before it began at {}",
            old.invoke_index,
            ended(old),
            began(write)
        )
    })
}

fn judge(
    ops: &[Op],
    k: &KeyOps<'_>,
    ex: &Explainers,
    w: u32,
    fin: &Final<'_>,
    report: &mut Report,
) {
    let write = &ops[w as usize];
    let deleting = is_delete(write);
    let kind = if deleting {
        "lost-delete"
    } else {
        "lost-write"
    };
    let head = || {
        if deleting {
            format!(
                "delete #{} of {} was acknowledged at {}",
                write.invoke_index,
                key_name(k.key),
                ended(write)
            )
        } else {
            format!(
                "write #{} of {} to {} was acknowledged at {}",
                write.invoke_index,
                shown(written_value(write).unwrap_or(&Value::Null)),
                key_name(k.key),
                ended(write)
            )
        }
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
            let Some(why) = older(ops, k, ex, &value, ts, w) else {
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
                kind,
                k.key,
                evidence,
                format!("{}, but the final state (final.json) holds {why}", head()),
            );
        }
        Final::Reads(reads) => {
            let mut last = None;
            for &r in reads {
                let op = &ops[r as usize];
                match older(ops, k, ex, &op.value, op.ts, w) {
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
                kind,
                k.key,
                evidence,
                format!(
                    "{}, but every read after the last write returned an older value: read #{} (began at {}) returned {why}",
                    head(),
                    read.invoke_index,
                    began(read),
                ),
            );
        }
    }
}
