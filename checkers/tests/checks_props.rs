//! Property tests of the linear checkers against a model of a correct store.
//!
//! A random sequential register execution over a few keys is generated: every operation takes
//! effect atomically at its linearization point, and its invocation/completion interval is drawn
//! around that point (random but legal overlaps); processes never overlap their own operations and
//! retire after an `info`. Writes carry unique values per key; some end `info` (having taken effect
//! or not) and some `fail` (no effect); the store's `ts` is the linearization point. Such a history
//! must pass monotonic-reads, stale-read, phantom, lost-writes and convergence. Then a single read
//! is corrupted — a value nobody wrote, a value overwritten before the read began, or `null` after
//! an acknowledged write — and at least one checker must catch it.

use proptest::prelude::*;
use quorumlab_checkers::checks::{convergence, lost_writes, monotonic_reads, phantom, stale_read};
use quorumlab_checkers::final_state::{FinalState, Placement, ReplicaCell};
use quorumlab_checkers::ops::{pair, Op};
use quorumlab_checkers::{Event, EventType, Process, Validity, Value};

/// A tiny deterministic PRNG (splitmix64), so one seed is one history.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

struct Generated {
    events: Vec<Event>,
    final_state: FinalState,
}

/// Generate a legal history of `n` operations; `with_ts` adds the store's timestamps.
fn generate(seed: u64, n: usize, keys: i64, with_ts: bool) -> Generated {
    let mut rng = Rng(seed);
    let mut state: Vec<Option<(i64, u64)>> = vec![None; keys as usize]; // (value, ts) per key
    let mut next_value = vec![1i64; keys as usize];
    let mut busy_until: Vec<u64> = Vec::new(); // per process; u64::MAX = retired
    let mut raw: Vec<(u64, usize, Event)> = Vec::new();
    let mut lp = 0u64;
    for _ in 0..n {
        lp += 1 + rng.below(20);
        let key = rng.below(keys as u64) as i64;
        let start = lp.saturating_sub(rng.below(60));
        let end = lp + rng.below(60);
        let free: Vec<usize> = (0..busy_until.len())
            .filter(|&p| busy_until[p] < start)
            .collect();
        let p = if free.is_empty() || rng.below(4) == 0 {
            busy_until.push(0);
            busy_until.len() - 1
        } else {
            free[rng.below(free.len() as u64) as usize]
        };
        let slot = key as usize;
        let (f, arg, kind, result, ts) = if rng.below(2) == 0 {
            let v = next_value[slot];
            next_value[slot] += 1;
            let outcome = rng.below(10);
            // 0: fail (no effect); 1: info without effect; 2: info with effect; else ok.
            if outcome >= 2 {
                state[slot] = Some((v, lp));
            }
            let kind = match outcome {
                0 => EventType::Fail,
                1 | 2 => EventType::Info,
                _ => EventType::Ok,
            };
            ("write", Value::Int(v), kind, Value::Int(v), Some(lp))
        } else {
            let (v, ts) =
                state[slot].map_or((Value::Null, None), |(v, t)| (Value::Int(v), Some(t)));
            ("read", Value::Null, EventType::Ok, v, ts)
        };
        busy_until[p] = if kind == EventType::Info {
            u64::MAX
        } else {
            end
        };
        let ev = |kind, value, ts: Option<u64>| Event {
            index: 0,
            time: None,
            process: Process::Client(p as u64),
            kind,
            f: f.to_string(),
            key: Some(Value::Int(key)),
            value,
            ts: ts.filter(|_| with_ts),
            node: None,
            error: None,
        };
        let n = raw.len();
        raw.push((start, n, ev(EventType::Invoke, arg, None)));
        let ts = if kind == EventType::Ok { ts } else { None };
        raw.push((end, n + 1, ev(kind, result, ts)));
    }
    // Completions at equal times come after invocations, as in a recorder's log.
    raw.sort_by_key(|(t, n, e)| (*t, e.kind != EventType::Invoke, *n));
    let events = raw
        .into_iter()
        .enumerate()
        .map(|(i, (t, _, mut e))| {
            e.index = i as u64;
            e.time = Some(t);
            e
        })
        .collect();
    let replicas = vec!["n1".to_string(), "n2".to_string(), "n3".to_string()];
    let mut cells = Vec::new();
    for (k, s) in state.iter().enumerate() {
        if let Some((v, ts)) = s {
            for node in &replicas {
                cells.push(ReplicaCell {
                    node: node.clone(),
                    key: k as i64,
                    value: Some(*v),
                    ts: *ts,
                });
            }
        }
    }
    cells.sort();
    let final_state = FinalState {
        nodes: replicas.clone(),
        unavailable: Vec::new(),
        placement: (0..keys)
            .map(|key| Placement {
                key,
                replicas: replicas.clone(),
            })
            .collect(),
        cells,
        quiesce: None,
        reached: None,
    };
    Generated {
        events,
        final_state,
    }
}

fn linear_verdicts(ops: &[Op], fs: Option<&FinalState>) -> Vec<(String, Validity)> {
    [
        monotonic_reads::check(ops),
        stale_read::check(ops),
        phantom::check(ops, fs, None),
        lost_writes::check(ops, fs),
    ]
    .into_iter()
    .map(|v| (v.checker, v.valid))
    .collect()
}

proptest! {
    #[test]
    fn legal_histories_pass_every_linear_checker(
        seed in any::<u64>(), n in 1usize..150, keys in 1i64..4, with_ts in any::<bool>()
    ) {
        let g = generate(seed, n, keys, with_ts);
        let ops = pair(&g.events).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (name, valid) in linear_verdicts(&ops, Some(&g.final_state)) {
            prop_assert_eq!(valid, Validity::Valid, "{} on seed {}", name, seed);
        }
        // Without final.json lost-writes may be undecided (open writes), never invalid.
        for (name, valid) in linear_verdicts(&ops, None) {
            prop_assert_ne!(valid, Validity::Invalid, "{} without final.json, seed {}", name, seed);
        }
        prop_assert_eq!(convergence::check(Some(&g.final_state)).valid, Validity::Valid);
    }

    #[test]
    fn a_single_corrupted_read_is_caught(
        seed in any::<u64>(), n in 10usize..150, keys in 1i64..3, with_ts in any::<bool>(),
        how in 0u8..3, pick in any::<prop::sample::Index>()
    ) {
        let g = generate(seed, n, keys, with_ts);
        let mut events = g.events;
        let ops = pair(&events).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // Candidate (read, replacement value, replacement ts) pairs for the chosen corruption.
        let acked = |o: &&Op| o.f == "write" && o.ret.is_some() && o.complete_index.is_some()
            && events[o.complete_index.unwrap_or(0) as usize].kind == EventType::Ok;
        let mut candidates: Vec<(u64, Value, Option<u64>)> = Vec::new();
        for r in ops.iter().filter(|o| o.f == "read") {
            let Some(done) = r.complete_index else { continue };
            let newer_acked: Vec<&Op> = ops.iter().filter(acked)
                .filter(|w| w.key == r.key && w.ret.is_some_and(|x| x < r.call))
                .collect();
            match how {
                0 => candidates.push((done, Value::Int(1_000_000), Some(u64::MAX / 2))),
                1 => {
                    // A value whose write completed before an acknowledged write that itself
                    // completed before the read began: overwritten before the read.
                    for w_new in &newer_acked {
                        for w_old in ops.iter().filter(acked)
                            .filter(|w| w.key == r.key && w.ret.is_some_and(|x| x < w_new.call))
                        {
                            if w_old.invoke_value != r.value {
                                candidates.push((done, w_old.invoke_value.clone(), w_old.ts));
                            }
                        }
                    }
                }
                _ => if !newer_acked.is_empty() && !r.value.is_null() {
                    candidates.push((done, Value::Null, None));
                },
            }
        }
        prop_assume!(!candidates.is_empty());
        let (at, value, ts) = pick.get(&candidates).clone();
        let e = &mut events[at as usize];
        e.value = value;
        e.ts = ts.filter(|_| with_ts);
        let ops = pair(&events).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let verdicts = linear_verdicts(&ops, None);
        prop_assert!(
            verdicts.iter().any(|(_, v)| *v == Validity::Invalid),
            "corruption {} of event {} not caught (seed {}): {:?}", how, at, seed, verdicts
        );
    }
}
