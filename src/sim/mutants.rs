//! The catalogue of planted bugs: for each [`Mutant`], what it plants, the checkers expected to
//! catch it, the faults and configuration that reach it, and the seed budget within which a
//! campaign must find it. Each row yields two plans on the same seeds: the mutant's and the
//! correct store's ([`Row::plan`]); the detection matrix (`tests/detection.rs`) asserts that the
//! first finds a violation of the row's checkers and the second none.
//!
//! A row restricts its checkers to what its configuration promises: W = ONE with R = QUORUM keeps
//! quorum reads monotonic (with blocking repair) but is not linearizable, a store without read
//! repair is not linearizable either, a single-coordinator workload keeps last-write-wins sound
//! under clock steps.

use super::config::RunConfig;
use super::plan::{FaultPlan, Plan};
use super::schedule::{Fault, FaultKind, NodeSel, Schedule, Step};
use crate::store::config::{AeMode, ConsistencyLevel, Mutant, ReadRepair};
use std::collections::BTreeSet;
use std::time::Duration;

/// One planted bug and how the harness reaches it.
#[derive(Clone, Debug)]
pub struct Row {
    /// The bug.
    pub mutant: Mutant,
    /// What it plants (one line).
    pub plants: &'static str,
    /// The checkers its campaign runs (what its configuration promises; any violation counts).
    pub checkers: &'static [&'static str],
    /// The checkers measured to report it first (the detection matrix asserts one of them does).
    pub caught_by: &'static [&'static str],
    /// Why a campaign cannot catch it, when it cannot (reported, never hidden).
    pub known_miss: Option<&'static str>,
    /// The fault kinds of its campaign.
    pub faults: &'static str,
    /// The configuration it needs, for a person.
    pub setup: &'static str,
    /// Seeds within which a campaign must find it.
    pub budget: u64,
    configure: fn(&mut RunConfig),
    fault_plan: fn() -> FaultPlan,
    fixed: &'static [&'static str],
}

/// Every fault kind under which the correct store keeps all its promises.
fn safe_kinds() -> FaultPlan {
    FaultPlan::Kinds(FaultKind::SAFE.to_vec())
}

/// Messages lost in one direction: repair writes that never arrive while reads still do.
fn reply_loss() -> FaultPlan {
    FaultPlan::Kinds(vec![FaultKind::ReplyLoss, FaultKind::Partition])
}

fn partition_and_loss() -> FaultPlan {
    FaultPlan::Kinds(vec![FaultKind::Partition, FaultKind::Loss])
}

fn crash_kinds() -> FaultPlan {
    FaultPlan::Kinds(vec![
        FaultKind::Crash,
        FaultKind::CrashMajority,
        FaultKind::Partition,
    ])
}

/// `n1`'s clock steps back by 800 ms for a second, every 2.5 s, for ten minutes (the run keeps
/// what its main phase reached).
fn clock_steps_on_n1() -> FaultPlan {
    let mut steps = Vec::new();
    let mut t = Duration::from_millis(500);
    while t < Duration::from_secs(600) {
        let node = NodeSel::Named("n1".to_string());
        steps.push(Step {
            at: t,
            fault: Fault::ClockSkew {
                node: node.clone(),
                offset_us: -800_000,
            },
            line: 0,
        });
        steps.push(Step {
            at: t + Duration::from_secs(1),
            fault: Fault::ClockSkew { node, offset_us: 0 },
            line: 0,
        });
        t += Duration::from_millis(2500);
    }
    FaultPlan::Schedule(Schedule {
        name: "clock-steps-back-on-n1".to_string(),
        steps,
    })
}

fn default_store(_: &mut RunConfig) {}

fn write_one(c: &mut RunConfig) {
    c.store.write_cl = ConsistencyLevel::One;
}

/// Hinted handoff is the only repair: a long hint window, so that the correct store converges
/// even when a replica stays cut off for many seconds.
fn hints_only(c: &mut RunConfig) {
    c.store.anti_entropy.enabled = false;
    c.store.read_repair = ReadRepair::None;
    c.store.hints.window_ms = 60_000;
    c.store.tombstones.grace_ms = 120_000;
    // Hints are the only way back, and replay is one round trip per hint: a few hundred hints
    // owed after the faults take several seconds (correct store, row seed 18: 299 hints, replicas
    // agreed 9.3 s into quiesce), longer than the default 5 s deadline. Quiesce ends as soon as
    // no hint is pending and the replicas agree, so a long deadline costs only failing runs.
    c.phases.quiesce_max_ms = 30_000;
}

/// Faults hint delivery outlives (a slow or reply-losing replica times every delivery out).
fn partitions_loss_pauses() -> FaultPlan {
    FaultPlan::Kinds(vec![
        FaultKind::Partition,
        FaultKind::Loss,
        FaultKind::Pause,
    ])
}

fn anti_entropy_only(c: &mut RunConfig) {
    c.store.hints.enabled = false;
    c.store.read_repair = ReadRepair::None;
}

/// Update-log anti-entropy is the only repair, on two replicas per key (so no third replica
/// re-delivers through its own log what one pull skipped), writes at ONE.
fn log_only(c: &mut RunConfig) {
    anti_entropy_only(c);
    c.store.anti_entropy.mode = AeMode::Log;
    c.store.rf = 2;
    c.store.write_cl = ConsistencyLevel::One;
}

/// As [`log_only`], with update logs of 32 entries: a replica away for a few hundred writes is
/// behind what its peers' logs reach.
fn short_log_only(c: &mut RunConfig) {
    log_only(c);
    c.store.anti_entropy.log_limit = 32;
}

fn crash_and_slow_disk() -> FaultPlan {
    FaultPlan::Kinds(vec![
        FaultKind::Crash,
        FaultKind::SlowDisk,
        FaultKind::Partition,
    ])
}

fn one_hot_key(c: &mut RunConfig) {
    c.store.write_cl = ConsistencyLevel::One;
    c.workload.keys = 1;
    c.workload.clients = 40;
    c.workload.think_ms_max = 0;
    c.workload.ops = Some(2000);
    c.net.max_latency_ms = 10;
}

fn single_coordinator(c: &mut RunConfig) {
    c.workload.coordinators = 1;
    c.workload.value_order = super::workload::ValueOrder::Shuffled;
}

/// Every checker the default configuration promises.
const ALL: &[&str] = &[
    "linearizable",
    "monotonic-reads",
    "stale-read",
    "lost-writes",
    "phantom",
    "convergence",
    "invariants",
];

/// What W = ONE, R = QUORUM with blocking repair promises.
const MONOTONIC: &[&str] = &[
    "monotonic-reads",
    "lost-writes",
    "phantom",
    "convergence",
    "invariants",
];

/// What a store without read repair promises (with anti-entropy or hints to converge).
const CONVERGENT: &[&str] = &["lost-writes", "phantom", "convergence", "invariants"];

/// The catalogue, in [`Mutant::ALL`] order.
pub fn catalogue() -> Vec<Row> {
    use Mutant::*;
    let row = |mutant,
               plants,
               checkers,
               faults,
               setup,
               budget,
               configure: fn(&mut RunConfig),
               fault_plan: fn() -> FaultPlan,
               fixed: &'static [&'static str]| Row {
        mutant,
        plants,
        checkers,
        caught_by: expected(mutant).0,
        known_miss: expected(mutant).1,
        faults,
        setup,
        budget,
        configure,
        fault_plan,
        fixed,
    };
    vec![
        row(
            RepairNoWait,
            "blocking read repair replies before the repairs are acknowledged",
            ALL,
            "every kind but clock-skew",
            "default store, swarm workload",
            20,
            default_store,
            safe_kinds,
            &[],
        ),
        row(
            RepairAckIgnored,
            "a failed or timed-out repair counts as acknowledged",
            MONOTONIC,
            "reply-loss,partition",
            "W=ONE R=QUORUM blocking, swarm workload",
            100,
            write_one,
            reply_loss,
            &[],
        ),
        row(
            DigestOmitsValue,
            "digests cover the timestamp but not the value",
            MONOTONIC,
            "partition,loss",
            "W=ONE, one key, 40 clients, no think time, latency ≤ 10 ms",
            30,
            one_hot_key,
            partition_and_loss,
            &["keys", "clients", "think-ms", "latency-ms", "hot-key", "rf"],
        ),
        row(
            MismatchSkipsData,
            "after a digest mismatch the data reply is left out of the reconciliation",
            ALL,
            "every kind but clock-skew",
            "default store, swarm workload",
            20,
            default_store,
            safe_kinds,
            &[],
        ),
        row(
            TieTakesIncoming,
            "at equal timestamps the incoming cell replaces the stored one",
            ALL,
            "every kind but clock-skew",
            "default store, swarm workload",
            30,
            default_store,
            safe_kinds,
            &[],
        ),
        row(
            TsMillis,
            "write timestamps truncated to milliseconds",
            ALL,
            "clock steps back on the coordinator",
            "one coordinator, shuffled values, swarm workload",
            100,
            single_coordinator,
            clock_steps_on_n1,
            &["coordinators"],
        ),
        row(
            HintRestamp,
            "hint replay re-stamps the cell with the replay time",
            ALL,
            "every kind but clock-skew",
            "default store, swarm workload",
            20,
            default_store,
            safe_kinds,
            &[],
        ),
        row(
            RepairRestamp,
            "read repair re-stamps the winner with the repair time",
            ALL,
            "every kind but clock-skew",
            "default store, swarm workload",
            30,
            default_store,
            safe_kinds,
            &[],
        ),
        row(
            HintDropQueue,
            "one failed hint delivery drops every hint queued for the replica",
            CONVERGENT,
            "partition,loss,pause",
            "hints only (no anti-entropy, no read repair), hint window 60 s",
            30,
            hints_only,
            partitions_loss_pauses,
            &["tombstone-grace-ms"],
        ),
        row(
            MerkleLeafOmitsKey,
            "Merkle leaf hashes omit the keys of the bucket's cells",
            CONVERGENT,
            "every kind but clock-skew",
            "anti-entropy only (no hints, no read repair)",
            100,
            anti_entropy_only,
            safe_kinds,
            &["anti-entropy"],
        ),
        row(
            AeRangeOffByOne,
            "the Merkle descent never compares the last leaf bucket",
            CONVERGENT,
            "every kind but clock-skew",
            "anti-entropy only (no hints, no read repair)",
            50,
            anti_entropy_only,
            safe_kinds,
            &["anti-entropy"],
        ),
        row(
            SloppyQuorum,
            "a stored hint counts toward the write consistency level",
            ALL,
            "every kind but clock-skew",
            "default store, swarm workload",
            10,
            default_store,
            safe_kinds,
            &[],
        ),
        row(
            AckBeforeFsync,
            "replicas acknowledge before the log record is synced",
            ALL,
            "partition,crash",
            "default store, swarm workload",
            10,
            default_store,
            crash_kinds,
            &[],
        ),
        row(
            QuorumFloor,
            "QUORUM computed as ⌊RF/2⌋",
            ALL,
            "every kind but clock-skew",
            "default store, swarm workload",
            10,
            default_store,
            safe_kinds,
            &[],
        ),
        row(
            TombstoneGcUnsafe,
            "tombstones purged after the grace period without waiting for anti-entropy",
            &["resurrection", "stale-read", "convergence", "invariants"],
            "every kind but clock-skew",
            "default store, deletes, swarm workload (short grace)",
            100,
            default_store,
            safe_kinds,
            &[],
        ),
        row(
            HintNoLww,
            "hint replay overwrites without last-write-wins",
            ALL,
            "every kind but clock-skew",
            "default store, swarm workload",
            10,
            default_store,
            safe_kinds,
            &[],
        ),
        row(
            AeNoLww,
            "anti-entropy applies the peer's cells without last-write-wins",
            ALL,
            "every kind but clock-skew",
            "default store, swarm workload",
            20,
            default_store,
            safe_kinds,
            &[],
        ),
        row(
            ReplayDropsTail,
            "log replay drops the last record",
            ALL,
            "partition,crash",
            "default store, swarm workload",
            30,
            default_store,
            crash_kinds,
            &[],
        ),
        row(
            LogWatermarkEarly,
            "log anti-entropy saves the watermark before applying the pulled cells",
            CONVERGENT,
            "crash,slow-disk,partition",
            "update-log anti-entropy only (no hints, no read repair), RF 2, W=ONE",
            100,
            log_only,
            crash_and_slow_disk,
            &["rf", "anti-entropy"],
        ),
        row(
            LogTruncateIgnoresDown,
            "update-log truncation ignores a peer that has not pulled lately",
            CONVERGENT,
            "every kind but clock-skew",
            "update-log anti-entropy only (no hints, no read repair), RF 2, W=ONE",
            100,
            log_only,
            safe_kinds,
            &["rf", "anti-entropy"],
        ),
        row(
            LogNoFallback,
            "a peer whose log no longer reaches the watermark is skipped, not Merkle-exchanged",
            CONVERGENT,
            "every kind but clock-skew",
            "update-log anti-entropy only, logs of 32 entries, RF 2, W=ONE",
            100,
            short_log_only,
            safe_kinds,
            &["rf", "anti-entropy"],
        ),
    ]
}

/// Which checkers report each bug (measured by the full detection matrix), and why the ones no
/// campaign catches are missed.
fn expected(m: Mutant) -> (&'static [&'static str], Option<&'static str>) {
    use Mutant::*;
    match m {
        RepairNoWait | RepairAckIgnored | TieTakesIncoming | AckBeforeFsync | HintNoLww
        | ReplayDropsTail => (&["invariants", "monotonic-reads"], None),
        DigestOmitsValue => (&["invariants", "monotonic-reads"], None),
        MismatchSkipsData => (&["linearizable", "monotonic-reads", "stale-read"], None),
        TsMillis | HintRestamp | RepairRestamp => {
            (&["linearizable", "stale-read", "lost-writes"], None)
        }
        HintDropQueue | AeRangeOffByOne => (&["convergence", "lost-writes"], None),
        SloppyQuorum | QuorumFloor => (&["invariants", "linearizable", "stale-read"], None),
        TombstoneGcUnsafe => (&["convergence", "resurrection", "stale-read"], None),
        AeNoLww => (&["invariants", "convergence"], None),
        LogWatermarkEarly | LogTruncateIgnoresDown | LogNoFallback => {
            (&["convergence", "lost-writes"], None)
        }
        MerkleLeafOmitsKey => (
            &["convergence"],
            Some(
                "with values unique per key and a timestamp per write, two replicas never hold \
                 the same cell under two keys of one bucket, so leaves that omit keys never hide a \
                 difference: the bug is harmless in every workload this harness generates (batch \
                 writes of one value to several keys at one timestamp would expose it)",
            ),
        ),
    }
}

impl Row {
    /// The row's campaign plan: `mutant` planted or not (`None` = the correct store), the row's
    /// configuration and faults, swarm workloads except the dimensions the row fixes.
    pub fn plan(&self, mutant: Option<Mutant>) -> Plan {
        let mut base = RunConfig::new(0);
        base.workload.ops = Some(1000);
        (self.configure)(&mut base);
        base.store.mutant = mutant;
        base.checkers = Some(self.promised().iter().map(|s| s.to_string()).collect());
        let fixed: BTreeSet<String> = self.fixed.iter().map(|s| s.to_string()).collect();
        Plan {
            base,
            faults: (self.fault_plan)(),
            swarm: Some(fixed),
        }
    }

    /// The checkers this row's configuration promises (what the correct store must pass).
    pub fn promised(&self) -> &'static [&'static str] {
        if self.checkers == ALL || self.mutant == Mutant::TombstoneGcUnsafe {
            &[
                "linearizable",
                "monotonic-reads",
                "stale-read",
                "lost-writes",
                "phantom",
                "convergence",
                "resurrection",
                "invariants",
            ]
        } else {
            self.checkers
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mutant_has_one_row_in_order_and_its_plans_are_valid() {
        let rows = catalogue();
        let names: Vec<Mutant> = rows.iter().map(|r| r.mutant).collect();
        assert_eq!(names, Mutant::ALL.to_vec());
        for r in &rows {
            for m in [None, Some(r.mutant)] {
                let cfg = r.plan(m).for_seed(1).unwrap();
                assert_eq!(cfg.store.mutant, m);
                assert!(r.budget <= 100, "{}", r.mutant);
            }
        }
    }
}
