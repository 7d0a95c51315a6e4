//! The one-screen summary of a run: operation outcomes per kind, what the store did, and how long
//! it took in simulated and wall time.

use super::run::RunOutput;
use quorumlab_checkers::fmt_time;
use quorumlab_checkers::ops::{self, Outcome};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Outcome counts of one operation kind.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcomes {
    /// Completed with effect.
    pub ok: u64,
    /// Certainly without effect.
    pub fail: u64,
    /// Indeterminate (including never completed).
    pub info: u64,
}

/// Count outcomes per operation kind (`read`, `write`); client operations only, paired under
/// Jepsen's rules (an operation that never completed counts as `info`). A history that does not
/// pair (never the case for one we recorded) counts nothing; the checkers report why.
pub fn outcomes(out: &RunOutput) -> BTreeMap<String, Outcomes> {
    let mut counts: BTreeMap<String, Outcomes> = BTreeMap::new();
    for op in ops::pair(&out.history).unwrap_or_default() {
        let c = counts.entry(op.f.into()).or_default();
        match op.outcome {
            Outcome::Ok => c.ok += 1,
            Outcome::Fail => c.fail += 1,
            Outcome::Info => c.info += 1,
        }
    }
    counts
}

/// Render the summary. `wall_s` is the wall-clock duration of the run, measured by the caller.
pub fn render(out: &RunOutput, wall_s: f64) -> String {
    let cfg = &out.config;
    let st = &cfg.store;
    let c = |k: &str| out.stats.counters.get(k).copied().unwrap_or(0);
    let m = |k: &str| out.stats.coverage.get(k).copied().unwrap_or(0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "quorumlab run: seed {}, {} nodes, RF {}, read {} / write {}, read repair {}{}, digest reads {}{}",
        cfg.seed,
        st.nodes.len(),
        st.rf,
        st.read_cl,
        st.write_cl,
        st.read_repair,
        if st.read_repair == crate::store::config::ReadRepair::Async {
            format!(" (stage delay {} ms)", st.async_repair_delay_ms)
        } else {
            String::new()
        },
        if st.digest_reads { "on" } else { "off" },
        match st.mutant {
            Some(mutant) => format!(", PLANTED BUG {mutant}"),
            None => String::new(),
        }
    );
    let w = &cfg.workload;
    let limit = match (w.ops, w.duration_ms) {
        (Some(ops), None) => format!("{ops} operations"),
        (None, Some(ms)) => format!("{} of operations", fmt_time(ms * 1_000_000)),
        (Some(ops), Some(ms)) => format!("{ops} operations or {}", fmt_time(ms * 1_000_000)),
        (None, None) => "no limit".to_string(),
    };
    let _ = writeln!(
        s,
        "workload: {} clients, {} keys, {limit}; {} operations in the main phase + {} final reads \
         (one per key)",
        w.clients, w.keys, out.stats.ops_main, out.stats.ops_final
    );
    if !cfg.swarm.is_empty() {
        let _ = writeln!(s, "swarm: {}", cfg.swarm.join(", "));
    }
    let _ = writeln!(s, "  {:<8} {:>7} {:>7} {:>7}", "op", "ok", "fail", "info");
    let mut total = 0;
    for (f, o) in outcomes(out) {
        total += o.ok + o.fail + o.info;
        let _ = writeln!(s, "  {:<8} {:>7} {:>7} {:>7}", f, o.ok, o.fail, o.info);
    }
    let _ = writeln!(
        s,
        "store: {} digest mismatches, {} read repairs sent ({} acked, {} timed out), {} partial \
         writes, {} unavailable; cells changed by read repair {}, hints {}, anti-entropy {}; \
         {} tombstones purged",
        m("digest-mismatch"),
        m("repair-sent"),
        m("repair-acked"),
        m("repair-timeout"),
        m("partial-write"),
        m("unavailable"),
        m("apply:read-repair"),
        m("apply:hint"),
        m("apply:anti-entropy"),
        m("purge"),
    );
    let schedule = cfg.schedule();
    let _ = writeln!(
        s,
        "faults: schedule {} ({} steps{}); {} restarts ({} log records replayed, {} cells lost); \
         hints {} stored, {} replayed, {} expired; anti-entropy {} exchanges ({} found differences)",
        schedule.name,
        schedule.steps.len(),
        match out.stats.faults_unreached {
            0 => String::new(),
            n => format!(", {n} not reached before the main phase ended"),
        },
        m("restart"),
        m("log-replay-records"),
        m("restart-cells-lost"),
        m("hint-stored"),
        m("hint-replayed"),
        m("hint-expired"),
        m("ae-exchange"),
        m("ae-exchange-differing"),
    );
    let _ = writeln!(
        s,
        "network: {} frames, {} bytes sent",
        c("frames_sent"),
        c("bytes_sent")
    );
    let conv = match out.stats.convergence_ns {
        Some(ns) => format!("replicas agreed {} into quiesce", fmt_time(ns)),
        None => "replicas did NOT agree by the quiesce deadline".to_string(),
    };
    let _ = writeln!(
        s,
        "time: {} simulated (main {}, quiesce {}; {}), {:.2} s wall, {:.0} simulated ops per wall second",
        fmt_time(out.stats.sim_time_ns),
        fmt_time(out.stats.main_ns),
        fmt_time(out.stats.quiesce_ns),
        conv,
        wall_s,
        if wall_s > 0.0 { total as f64 / wall_s } else { 0.0 }
    );
    s
}
