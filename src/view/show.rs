//! `quorumlab show`: a run (or a bare history) summarised for a person in the terminal — the
//! configuration, the fault timeline, each checker's verdict, and for each anomaly the operations
//! around it as a per-process timeline (simulated times, values, timestamps, coordinators) and,
//! where `events.jsonl` exists, what each replica of the key held at those moments.
//!
//! Guarantees: [`render`] is a pure function of its inputs (same run, same text); it prints at
//! most [`ANOMALIES_PER_CHECKER`] anomalies per checker and [`OPS_PER_ANOMALY`] operations per
//! timeline, saying how many it left out. Operations "around" an anomaly are those on its key whose
//! lifetime overlaps the span from the first to the last operation the checker named; the named
//! ones are marked `*`. Replica states are shown at the completion of the last named reads (and
//! of the last named operation; at most [`MOMENTS_PER_ANOMALY`]), for the key's replicas
//! (`final.json` placement, else every node that ever held the key).

use super::show_faults::bands;
use super::show_replicas::ReplicaLog;
use quorumlab_checkers::final_state::Placement;
use quorumlab_checkers::format::Format;
use quorumlab_checkers::ops::{Op, Outcome};
use quorumlab_checkers::{fmt_time, Anomaly, Event, Results, Validity, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// At most this many anomalies are shown per checker.
pub const ANOMALIES_PER_CHECKER: usize = 3;
/// At most this many operations are shown per anomaly.
pub const OPS_PER_ANOMALY: usize = 30;

/// Replica states are shown at most at this many moments per anomaly (the last ones).
pub const MOMENTS_PER_ANOMALY: usize = 2;

/// Everything `show` knows about a run.
pub struct Inputs<'a> {
    /// The history's name (its path).
    pub name: &'a str,
    /// Its format.
    pub format: Format,
    /// The events.
    pub events: &'a [Event],
    /// The paired client operations.
    pub ops: &'a [Op],
    /// `run.json`, when there is one.
    pub config: Option<&'a serde_json::Value>,
    /// The verdicts.
    pub results: &'a Results,
    /// Where the verdicts come from (`results.json`, or "checked now").
    pub results_from: &'a str,
    /// `events.jsonl`, when there is one.
    pub replicas: Option<&'a ReplicaLog>,
    /// The keys' replicas (`final.json`), when known.
    pub placement: Option<&'a [Placement]>,
}

/// The whole summary.
pub fn render(i: &Inputs<'_>) -> String {
    let mut out = String::new();
    let clients = i.events.iter().filter(|e| e.is_client()).count();
    let _ = writeln!(
        out,
        "{}: {} events ({} client, {} nemesis), {} operations ({})",
        i.name,
        i.events.len(),
        clients,
        i.events.len() - clients,
        i.ops.len(),
        i.format
    );
    out.push_str(&configuration(i.config));
    out.push_str(&faults(i.events));
    out.push_str(&verdicts(i.results, i.results_from));
    for v in &i.results.checkers {
        for (n, a) in v.anomalies.iter().enumerate() {
            if n == ANOMALIES_PER_CHECKER {
                let _ = writeln!(
                    out,
                    "\n({} more {} anomalies not shown: quorumlab check --json)",
                    v.anomalies.len() - n,
                    v.checker
                );
                break;
            }
            out.push_str(&anomaly(i, &v.checker, a));
        }
    }
    out
}

fn get<'v>(v: &'v serde_json::Value, path: &[&str]) -> Option<&'v serde_json::Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

fn show_json(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "-".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(a)) => a.len().to_string(),
        Some(other) => other.to_string(),
    }
}

/// The configuration lines (from `run.json`).
pub fn configuration(config: Option<&serde_json::Value>) -> String {
    let Some(c) = config else {
        return "configuration: unknown (no run.json beside the history)\n".into();
    };
    let s = |p: &[&str]| show_json(get(c, p));
    let system = get(c, &["system"]).and_then(|v| v.as_str());
    let mut out = match system {
        // Another system under test: the built-in store's options in run.json do not apply.
        Some(name) => format!(
            "configuration: seed {}, system under test {}, {} nodes",
            s(&["seed"]),
            crate::sim::show::text(name),
            s(&["store", "nodes"]),
        ),
        None => store_line(c),
    };
    let _ = writeln!(
        out,
        "\nworkload: {} clients, {} keys, {} ops, duration {} ms, read fraction {}, delete fraction {}",
        s(&["workload", "clients"]),
        s(&["workload", "keys"]),
        s(&["workload", "ops"]),
        s(&["workload", "duration_ms"]),
        s(&["workload", "read_fraction"]),
        s(&["workload", "delete_fraction"]),
    );
    out
}

/// The built-in store's configuration line.
fn store_line(c: &serde_json::Value) -> String {
    let s = |p: &[&str]| show_json(get(c, p));
    let mut out = format!(
        "configuration: seed {}, {} nodes, rf {}, read {} / write {}, read repair {}, digest reads {}, hints {}, anti-entropy {}",
        s(&["seed"]),
        s(&["store", "nodes"]),
        s(&["store", "rf"]),
        s(&["store", "read_cl"]),
        s(&["store", "write_cl"]),
        s(&["store", "read_repair"]),
        s(&["store", "digest_reads"]),
        s(&["store", "hints", "enabled"]),
        s(&["store", "anti_entropy", "enabled"]),
    );
    if let Some(m) = get(c, &["store", "mutant"]).filter(|m| !m.is_null()) {
        let _ = write!(out, ", PLANTED BUG {}", show_json(Some(m)));
    }
    out
}

/// The fault timeline.
pub fn faults(events: &[Event]) -> String {
    let b = bands(events);
    if b.is_empty() {
        return "faults: none\n".into();
    }
    let mut out = format!("faults ({}):\n", b.len());
    for band in b {
        let _ = writeln!(
            out,
            "  {:>9} .. {:<9} {:<11} {}",
            fmt_time(band.start),
            fmt_time(band.end),
            band.lane,
            band.what.join("; ")
        );
    }
    out
}

fn validity(v: Validity) -> &'static str {
    match v {
        Validity::Valid => "valid",
        Validity::Invalid => "INVALID",
        Validity::Unknown => "unknown",
    }
}

/// One line per checker, then the overall verdict.
pub fn verdicts(r: &Results, from: &str) -> String {
    let mut out = format!("verdicts ({from}):\n");
    for v in &r.checkers {
        let n = v.anomalies.len();
        let extra = match (n, v.notes.first()) {
            (0, Some(note)) => format!(" ({note})"),
            (0, None) => String::new(),
            (1, _) => ", 1 anomaly".into(),
            (n, _) => format!(", {n} anomalies"),
        };
        let _ = writeln!(out, "  {:<16} {}{extra}", v.checker, validity(v.valid));
    }
    let _ = writeln!(out, "  verdict: {}", validity(r.valid));
    out
}

fn op_text(o: &Op) -> String {
    let arg = match (o.f.as_str(), o.outcome) {
        ("read", Outcome::Ok) => format!("read → {}", o.value),
        ("read", _) => "read".to_string(),
        ("delete", _) => "delete".to_string(),
        (f, _) => format!("{f} {}", o.invoke_value),
    };
    let t = |x: Option<u64>| x.map_or("-".to_string(), |t| fmt_time(t).replace(" s", ""));
    let outcome = match o.outcome {
        Outcome::Ok => "ok",
        Outcome::Fail => "fail",
        Outcome::Info => "info",
    };
    let mut s = format!(
        "{} → {} s  {:<14} {:<4}",
        t(o.invoke_time),
        t(o.complete_time),
        arg,
        outcome
    );
    if let Some(ts) = o.ts {
        let _ = write!(s, " ts {ts}");
    }
    if let Some(n) = &o.node {
        let _ = write!(s, " via {n}");
    }
    if let Some(e) = &o.error {
        let _ = write!(s, " ({})", quorumlab_checkers::error::excerpt(e));
    }
    s
}

/// The operations on the anomaly's key around it: named ones first in priority, then the others
/// in the span, at most [`OPS_PER_ANOMALY`], in invocation order; and how many were left out.
pub fn around<'o>(ops: &'o [Op], a: &Anomaly) -> (Vec<(&'o Op, bool)>, usize) {
    let named = |o: &Op| {
        a.ops.contains(&o.invoke_index) || o.complete_index.is_some_and(|c| a.ops.contains(&c))
    };
    let (Some(lo), Some(hi)) = (a.ops.iter().min(), a.ops.iter().max()) else {
        return (Vec::new(), 0);
    };
    let in_span = |o: &Op| {
        o.invoke_index <= *hi && o.complete_index.is_none_or(|c| c >= *lo) && o.key == a.key
    };
    let mut chosen: Vec<(&Op, bool)> = ops.iter().filter(|o| named(o)).map(|o| (o, true)).collect();
    let others: Vec<&Op> = ops.iter().filter(|o| !named(o) && in_span(o)).collect();
    let room = OPS_PER_ANOMALY.saturating_sub(chosen.len());
    let left_out = others.len().saturating_sub(room);
    chosen.extend(others.into_iter().take(room).map(|o| (o, false)));
    chosen.sort_by_key(|(o, _)| o.invoke_index);
    (chosen, left_out)
}

fn anomaly(i: &Inputs<'_>, checker: &str, a: &Anomaly) -> String {
    let key = a
        .key
        .as_ref()
        .map(|k| format!(", key {k}"))
        .unwrap_or_default();
    let mut out = format!("\n{checker} / {}{key}\n", a.kind);
    let _ = writeln!(out, "  {}", a.explanation);
    let (ops, left_out) = around(i.ops, a);
    if ops.is_empty() {
        return out;
    }
    let _ = writeln!(out, "  operations around it (* named by the checker):");
    let mut by_process: BTreeMap<u64, Vec<(&Op, bool)>> = BTreeMap::new();
    for (o, mark) in &ops {
        by_process.entry(o.process).or_default().push((o, *mark));
    }
    for (p, list) in &by_process {
        let _ = writeln!(out, "    process {p}");
        for (o, mark) in list {
            let star = if *mark { "*" } else { " " };
            let _ = writeln!(out, "     {star}#{:<6} {}", o.invoke_index, op_text(o));
        }
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "    ({left_out} more operations in the span not shown)"
        );
    }
    if let (Some(log), Some(k)) = (i.replicas, &a.key) {
        out.push_str(&replica_states(i, log, k, &ops));
    }
    out
}

fn replica_states(i: &Inputs<'_>, log: &ReplicaLog, key: &Value, ops: &[(&Op, bool)]) -> String {
    let replicas = i
        .placement
        .and_then(|p| p.iter().find(|p| Some(p.key) == key.as_int()))
        .map(|p| p.replicas.clone())
        .unwrap_or_else(|| log.nodes_of(key));
    let last = ops
        .iter()
        .rev()
        .find(|(_, m)| *m)
        .map(|(o, _)| o.invoke_index);
    let mut moments: Vec<&Op> = ops
        .iter()
        .filter(|(o, m)| *m && (o.f == "read" || Some(o.invoke_index) == last))
        .map(|(o, _)| *o)
        .collect();
    let skip = moments.len().saturating_sub(MOMENTS_PER_ANOMALY);
    moments.drain(..skip);
    let mut out = String::new();
    for o in moments {
        let Some(t) = o.complete_time.or(o.invoke_time) else {
            continue;
        };
        let _ = writeln!(
            out,
            "  replicas of key {key} when #{} {} completed at {}:",
            o.invoke_index,
            o.f,
            fmt_time(t)
        );
        for r in &replicas {
            let _ = writeln!(out, "    {}", log.describe_at(r, key, t));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::configuration;
    use crate::sim::config::RunConfig;

    #[test]
    fn another_system_is_named_and_the_store_options_are_not_shown() {
        let mut cfg = RunConfig::new(3);
        let ours = serde_json::to_value(&cfg).unwrap();
        assert!(configuration(Some(&ours)).contains("read repair"));
        cfg.system = Some("leader-register".into());
        let theirs = serde_json::to_value(&cfg).unwrap();
        let text = configuration(Some(&theirs));
        assert!(text.contains("system under test leader-register"), "{text}");
        assert!(
            !text.contains("read repair") && text.contains("workload:"),
            "{text}"
        );
    }
}
