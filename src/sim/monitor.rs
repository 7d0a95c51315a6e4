//! The monitor: receives every event the nodes report, at the simulated moment it happens, and
//! turns them into what a run leaves behind besides the history:
//!
//! - **mechanism coverage**: how often each mechanism fired (`digest-mismatch`, `repair-sent`,
//!   `hint-replayed`, `ae-exchange-differing`, `log-fallback`, `log-replay`, `partial-write`, cells changed per
//!   cause…), so a missed bug can be explained ("no hint was ever replayed");
//! - **invariants** checked as the simulation steps ([`super::invariants`]);
//! - **reached cells**: per key, the last-write-wins maximum any replica ever applied, which the
//!   convergence checker compares the final state with;
//! - optionally the events themselves, rendered as `events.jsonl` lines.
//!
//! The monitor never influences the run: it only reads.

use super::client::read_value;
use super::clock::sim_now_ns;
use super::invariants::{self, Rules, Violation};
use crate::store::cell::{Cell, Key};
use crate::store::events::StoreEvent;
use crate::store::ring::Ring;
use crate::store::storage::CellMap;
use quorumlab_checkers::{fmt_time, Value};
use serde_json::{json, Map};
use std::collections::BTreeMap;

/// Everything the monitor has gathered.
pub struct Monitor {
    ring: Ring,
    rules: Rules,
    durable: BTreeMap<String, CellMap>,
    purged: BTreeMap<String, BTreeMap<Key, Cell>>,
    key_mechanisms: BTreeMap<Key, Vec<(u64, &'static str)>>,
    boots: BTreeMap<String, u64>,
    reached: BTreeMap<Key, Cell>,
    coverage: BTreeMap<String, u64>,
    per_node: BTreeMap<String, BTreeMap<String, u64>>,
    violations: Vec<Violation>,
    events: Option<Vec<String>>,
    hints_pending: i64,
}

impl Monitor {
    /// A monitor for a cluster placed by `ring` under `rules`; `record` keeps rendered events.
    pub fn new(ring: Ring, rules: Rules, record: bool) -> Monitor {
        Monitor {
            ring,
            rules,
            durable: BTreeMap::new(),
            purged: BTreeMap::new(),
            key_mechanisms: BTreeMap::new(),
            boots: BTreeMap::new(),
            reached: BTreeMap::new(),
            coverage: BTreeMap::new(),
            per_node: BTreeMap::new(),
            violations: Vec::new(),
            events: record.then(Vec::new),
            hints_pending: 0,
        }
    }

    fn count(&mut self, what: &str, n: u64) {
        if n > 0 {
            *at(&mut self.coverage, what) += n;
        }
    }

    fn count_at(&mut self, node: &str, what: &str, n: u64) {
        if n > 0 {
            self.count(what, n);
            *at(at(&mut self.per_node, node), what) += n;
        }
    }

    /// How often `what` happened on `node` (a coverage name, e.g. `hint-replayed`).
    pub fn count_of(&self, node: &str, what: &str) -> u64 {
        self.per_node
            .get(node)
            .and_then(|m| m.get(what))
            .copied()
            .unwrap_or(0)
    }

    fn names(&self, ids: &[usize]) -> Vec<String> {
        ids.iter().map(|&i| self.ring.name(i).to_string()).collect()
    }

    /// A node booted: `before` is what it held in memory when it went down (none at first boot),
    /// `after` what log replay gave back.
    pub fn on_boot(&mut self, node: &str, before: Option<&CellMap>, after: &CellMap) {
        let boot = self.boots.entry(node.to_string()).or_insert(0);
        *boot += 1;
        if *boot > 1 {
            self.count("restart", 1);
        }
        if let Some(before) = before {
            let lost = invariants::lost_at_restart(before, after);
            self.count("restart-cells-lost", lost.len() as u64);
            let time_ns = sim_now_ns();
            for key in lost {
                self.key_mechanisms
                    .entry(key)
                    .or_default()
                    .push((time_ns, "log-replay"));
                let (was, now) = (before.get(&key), after.get(&key));
                self.violations.push(Violation {
                    time_ns,
                    kind: "restart-lost-cells",
                    key,
                    ops: Vec::new(),
                    explanation: format!(
                        "{node} restarted at {} and its log replay gave back {} for key {key}, but \
                         before the crash it held {}",
                        fmt_time(time_ns),
                        show(key, now),
                        show(key, was)
                    ),
                });
            }
        }
        self.durable.insert(node.to_string(), after.clone());
    }

    /// One event from `node`.
    pub fn on_event(&mut self, node: &str, event: StoreEvent) {
        let time_ns = sim_now_ns();
        self.count_at(node, event.kind(), 1);
        if let Some(lines) = self.events.as_mut() {
            lines.push(render(time_ns, node, &event, &self.ring));
        }
        match event {
            StoreEvent::Apply {
                key,
                old,
                new,
                cause,
                durable,
                trace,
            } => {
                self.count_at(node, cause.coverage_name(), 1);
                if cause != crate::store::events::Cause::Write {
                    self.key_mechanisms
                        .entry(key)
                        .or_default()
                        .push((time_ns, cause.name()));
                }
                if invariants::regressed(old.as_ref(), &new) {
                    self.violations.push(Violation {
                        time_ns,
                        kind: "cell-regressed",
                        key,
                        ops: trace.into_iter().collect(),
                        explanation: format!(
                            "{node} replaced its cell for key {key} ({}) by an older one ({}) at {} \
                             (cause: {})",
                            show(key, old.as_ref()),
                            show(key, Some(&new)),
                            fmt_time(time_ns),
                            cause.name()
                        ),
                    });
                }
                if self.reached.get(&key).is_none_or(|r| &new > r) {
                    self.reached.insert(key, new.clone());
                }
                if durable {
                    self.make_durable(node, key, new);
                }
            }
            StoreEvent::HintStored { .. } => self.hints_pending += 1,
            StoreEvent::HintReplayed { .. } | StoreEvent::HintExpired { .. } => {
                self.hints_pending -= 1
            }
            StoreEvent::Synced { cells } => {
                for (key, cell) in cells {
                    self.make_durable(node, key, cell);
                }
            }
            StoreEvent::Purge { key, cell } => {
                if let Some(map) = self.durable.get_mut(node) {
                    if map.get(&key) == Some(&cell) {
                        map.remove(&key);
                    }
                }
                at(&mut self.purged, node).insert(key, cell);
                self.key_mechanisms
                    .entry(key)
                    .or_default()
                    .push((time_ns, "purge"));
            }
            StoreEvent::LogReplay { records, .. }
                if self.boots.get(node).copied().unwrap_or(0) > 1 =>
            {
                self.count("log-replay-records", records);
            }
            StoreEvent::AeExchange {
                buckets,
                received,
                sent,
                completed,
                bytes,
                messages,
                ..
            } => {
                self.count_at(node, "ae-cells-streamed", received + sent);
                self.count_at(node, "ae-bytes", bytes);
                self.count_at(node, "ae-messages", messages);
                if !completed {
                    self.count_at(node, "ae-exchange-abandoned", 1);
                }
                if buckets > 0 {
                    self.count_at(node, "ae-exchange-differing", 1);
                }
            }
            StoreEvent::LogExchange {
                received,
                fallback,
                completed,
                bytes,
                messages,
                ..
            } => {
                self.count_at(node, "ae-cells-streamed", received);
                self.count_at(node, "ae-bytes", bytes);
                self.count_at(node, "ae-messages", messages);
                self.count_at(node, "log-fallback", u64::from(fallback));
                self.count_at(node, "log-exchange-abandoned", u64::from(!completed));
            }
            StoreEvent::WriteTimeout { acks, .. } if acks > 0 => {
                self.count_at(node, "partial-write", 1)
            }
            StoreEvent::WriteAcked {
                key, cell, trace, ..
            } => self.check_ack(node, time_ns, key, &cell, trace),
            StoreEvent::ReadReplied {
                key,
                cell: Some(cell),
                contacted,
                trace,
                ..
            } if self.rules.blocking_repair => {
                self.check_repair(node, time_ns, key, &cell, &contacted, trace)
            }
            _ => {}
        }
    }

    fn make_durable(&mut self, node: &str, key: Key, cell: Cell) {
        let map = at(&mut self.durable, node);
        if map.get(&key).is_none_or(|c| &cell > c) {
            map.insert(key, cell);
        }
    }

    /// What `node` durably holds for `key`, where a purged tombstone still stands for itself (a
    /// replica that forgot a delete after the grace period did not go back).
    fn held(&self, node: &str, key: Key) -> Option<&Cell> {
        let purged = self.purged.get(node).and_then(|m| m.get(&key));
        match self.durable.get(node).and_then(|m| m.get(&key)) {
            Some(c) => Some(c.max(purged.unwrap_or(c))),
            None => purged,
        }
    }

    fn check_ack(&mut self, node: &str, time_ns: u64, key: Key, cell: &Cell, trace: Option<u64>) {
        let replicas = self.names(&self.ring.replicas(key));
        let durable = |r: &str| self.held(r, key);
        let needed = self.rules.write_acks;
        let Some(holding) = invariants::unjustified_ack(cell, &replicas, durable, needed) else {
            return;
        };
        let explanation = format!(
            "{node} acknowledged {} of key {key} at {} but it was durable on {} of the {needed} \
             replicas the write consistency level requires (replicas {}{})",
            show_write(key, cell),
            fmt_time(time_ns),
            holding.len(),
            replicas.join(" "),
            if holding.is_empty() {
                String::new()
            } else {
                format!("; durable on {}", holding.join(" "))
            }
        );
        self.violations.push(Violation {
            time_ns,
            kind: "ack-not-durable",
            key,
            ops: trace.into_iter().collect(),
            explanation,
        });
    }

    fn check_repair(
        &mut self,
        node: &str,
        time_ns: u64,
        key: Key,
        answer: &Cell,
        contacted: &[usize],
        trace: Option<u64>,
    ) {
        let contacted = self.names(contacted);
        let durable = |r: &str| self.held(r, key);
        let behind = invariants::unrepaired(answer, &contacted, durable);
        if behind.is_empty() {
            return;
        }
        let held: Vec<String> = behind
            .iter()
            .map(|r| format!("{r} held {}", show(key, durable(r))))
            .collect();
        let explanation = format!(
            "{node} answered a read of key {key} with {} at {} while replicas it contacted were \
             still behind ({}): blocking read repair must finish before the reply",
            show(key, Some(answer)),
            fmt_time(time_ns),
            held.join(", ")
        );
        self.violations.push(Violation {
            time_ns,
            kind: "repair-incomplete",
            key,
            ops: trace.into_iter().collect(),
            explanation,
        });
    }

    /// Hints stored and not yet delivered or dropped (over every coordinator).
    pub fn hints_pending(&self) -> i64 {
        self.hints_pending
    }

    /// Mechanism coverage so far.
    pub fn coverage(&self) -> &BTreeMap<String, u64> {
        &self.coverage
    }

    /// Invariant violations so far, in the order they happened.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Per key, when (simulated ns) a mechanism other than primary delivery changed one of its
    /// replicas (`read-repair`, `hint`, `anti-entropy`, `purge`, `log-replay` when a restart lost
    /// cells), in time order.
    pub fn key_mechanisms(&self) -> &BTreeMap<Key, Vec<(u64, &'static str)>> {
        &self.key_mechanisms
    }

    /// Per key, the newest cell any replica ever applied.
    pub fn reached(&self) -> &BTreeMap<Key, Cell> {
        &self.reached
    }

    /// The recorded `events.jsonl` lines (when recording).
    pub fn take_events(&mut self) -> Option<Vec<String>> {
        self.events.take()
    }
}

/// The entry of `map` under `name` (a node, a counter), allocating the name only the first time
/// (this runs for every store event).
fn at<'m, V: Default>(map: &'m mut BTreeMap<String, V>, name: &str) -> &'m mut V {
    if !map.contains_key(name) {
        map.insert(name.to_string(), V::default());
    }
    map.get_mut(name).expect("inserted above")
}

/// `7@1.204 s`, `tombstone@…`, `nothing`.
fn show(key: Key, cell: Option<&Cell>) -> String {
    match (cell, read_value(key, cell)) {
        (None, _) => "nothing".to_string(),
        (Some(c), (Value::Null, _)) => format!("tombstone@ts {}", c.ts),
        (Some(c), (v, _)) => format!("{v}@ts {}", c.ts),
    }
}

/// `write of 7 (ts 1204)` or `delete (ts 1204)`.
fn show_write(key: Key, cell: &Cell) -> String {
    match read_value(key, Some(cell)).0 {
        Value::Null => format!("the delete (ts {})", cell.ts),
        v => format!("the write of {v} (ts {})", cell.ts),
    }
}

/// One `events.jsonl` line.
fn render(time_ns: u64, node: &str, event: &StoreEvent, ring: &Ring) -> String {
    let mut m = Map::new();
    m.insert("time".into(), json!(time_ns));
    m.insert("node".into(), json!(node));
    m.insert("kind".into(), json!(event.kind()));
    let cell = |key: Key, c: &Option<Cell>| match c {
        None => serde_json::Value::Null,
        Some(c) => {
            let value = serde_json::to_value(read_value(key, Some(c)).0).unwrap_or_default();
            json!({"value": value, "ts": c.ts})
        }
    };
    let name = |id: usize| json!(ring.name(id));
    match event {
        StoreEvent::Apply {
            key,
            old,
            new,
            cause,
            durable,
            trace,
        } => {
            m.insert("key".into(), json!(key));
            m.insert("old".into(), cell(*key, old));
            m.insert("new".into(), cell(*key, &Some(new.clone())));
            m.insert("cause".into(), json!(cause.name()));
            m.insert("durable".into(), json!(durable));
            if let Some(i) = trace {
                m.insert("index".into(), json!(i));
            }
        }
        StoreEvent::Synced { cells } => {
            m.insert("cells".into(), json!(cells.len()));
        }
        StoreEvent::Purge { key, cell: c } => {
            m.insert("key".into(), json!(key));
            m.insert("old".into(), cell(*key, &Some(c.clone())));
        }
        StoreEvent::LogReplay { records, keys } => {
            m.insert("records".into(), json!(records));
            m.insert("keys".into(), json!(keys));
        }
        StoreEvent::DigestMismatch { key, trace } => {
            m.insert("key".into(), json!(key));
            if let Some(i) = trace {
                m.insert("index".into(), json!(i));
            }
        }
        StoreEvent::RepairSent { key, to, trace }
        | StoreEvent::RepairAcked { key, to, trace }
        | StoreEvent::RepairTimeout { key, to, trace }
        | StoreEvent::HintStored { key, to, trace } => {
            m.insert("key".into(), json!(key));
            m.insert("to".into(), name(*to));
            if let Some(i) = trace {
                m.insert("index".into(), json!(i));
            }
        }
        StoreEvent::HintReplayed { key, to } | StoreEvent::HintExpired { key, to } => {
            m.insert("key".into(), json!(key));
            m.insert("to".into(), name(*to));
        }
        StoreEvent::AeExchange {
            peer,
            buckets,
            received,
            sent,
            applied,
            completed,
            bytes,
            messages,
        } => {
            m.insert("peer".into(), name(*peer));
            m.insert("completed".into(), json!(completed));
            m.insert("buckets".into(), json!(buckets));
            m.insert("received".into(), json!(received));
            m.insert("sent".into(), json!(sent));
            m.insert("applied".into(), json!(applied));
            m.insert("bytes".into(), json!(bytes));
            m.insert("messages".into(), json!(messages));
        }
        StoreEvent::LogExchange {
            peer,
            after,
            through,
            received,
            applied,
            fallback,
            completed,
            bytes,
            messages,
        } => {
            m.insert("peer".into(), name(*peer));
            m.insert("completed".into(), json!(completed));
            m.insert("after".into(), json!(after));
            m.insert("through".into(), json!(through));
            m.insert("received".into(), json!(received));
            m.insert("applied".into(), json!(applied));
            m.insert("fallback".into(), json!(fallback));
            m.insert("bytes".into(), json!(bytes));
            m.insert("messages".into(), json!(messages));
        }
        StoreEvent::Unavailable {
            key,
            alive,
            needed,
            trace,
            ..
        }
        | StoreEvent::WriteTimeout {
            key,
            acks: alive,
            needed,
            trace,
        } => {
            m.insert("key".into(), json!(key));
            m.insert("answered".into(), json!(alive));
            m.insert("needed".into(), json!(needed));
            if let Some(i) = trace {
                m.insert("index".into(), json!(i));
            }
        }
        StoreEvent::WriteAcked {
            key,
            cell: c,
            acks,
            trace,
        } => {
            m.insert("key".into(), json!(key));
            m.insert("new".into(), cell(*key, &Some(c.clone())));
            m.insert("answered".into(), json!(acks));
            if let Some(i) = trace {
                m.insert("index".into(), json!(i));
            }
        }
        StoreEvent::ReadReplied {
            key,
            cell: c,
            contacted,
            trace,
            ..
        } => {
            m.insert("key".into(), json!(key));
            m.insert("new".into(), cell(*key, c));
            let names: Vec<_> = contacted.iter().map(|&i| name(i)).collect();
            m.insert("contacted".into(), json!(names));
            if let Some(i) = trace {
                m.insert("index".into(), json!(i));
            }
        }
    }
    serde_json::Value::Object(m).to_string()
}
