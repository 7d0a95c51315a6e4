//! Planted bugs: a runtime switch (`--mutant NAME`), off by default, that weakens one mechanism
//! of the store the way a real bug of its class does. They exist so that the harness can show it
//! catches each class: a test that still passes with the mechanism weakened is not testing it.
//!
//! Every variant names the real bug class it mirrors. The store consults the switch at exactly the
//! one place the bug lives: a decision of [`super::decide`] that takes the planted bug as an input,
//! or a path that asks `Node::planted` ([`super::state`]); with `None` the store is the correct
//! one. The catalogue of what each needs to be caught (checker, faults, configuration, seed
//! budget) is the harness's business (`crate::sim::mutants`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One planted bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mutant {
    /// Blocking read repair replies before the repairs are acknowledged (it behaves as
    /// asynchronous repair). Class: repair that does not wait (a future never awaited).
    RepairNoWait,
    /// A failed or timed-out repair write counts as acknowledged (`repair(..) || true`). Class:
    /// ignored acknowledgements.
    RepairAckIgnored,
    /// Digests cover the timestamp but not the value, so two cells with equal timestamps and
    /// different values look equal. Class: digest over part of the cell.
    DigestOmitsValue,
    /// After a digest mismatch, reconciliation uses only the full re-reads of the digest replicas
    /// and skips the data reply it already had. Class: mismatch check skipping the data reply.
    MismatchSkipsData,
    /// At equal timestamps the incoming cell replaces the stored one (no deterministic tie-break),
    /// so replicas keep whichever arrived last. Class: equal-timestamp tie-break.
    TieTakesIncoming,
    /// Write timestamps are truncated to milliseconds, so the strictly increasing microsecond
    /// sequence of one coordinator collapses when its clock stalls or steps back. Class:
    /// timestamp precision loss.
    TsMillis,
    /// Hint replay re-stamps the hinted cell with the replay time. Class: replay re-stamped with
    /// "now" (an old value then beats newer writes).
    HintRestamp,
    /// Read repair re-stamps the winner with the repair time. Class: repair re-stamped with "now".
    RepairRestamp,
    /// One failed hint delivery drops every hint queued for that replica. Class: a failed send
    /// dropping the queue.
    HintDropQueue,
    /// Merkle leaf hashes cover the cells of a bucket but not their keys, so two replicas that
    /// hold the same cell under different keys of one bucket look equal. Class: Merkle leaf hash
    /// that omits the key.
    MerkleLeafOmitsKey,
    /// The Merkle descent never compares the last leaf bucket of a range. Class: anti-entropy
    /// range edge off by one.
    AeRangeOffByOne,
    /// A hint stored for an unreachable replica counts toward the write consistency level.
    /// Class: sloppy quorum counted as a strict one.
    SloppyQuorum,
    /// A replica acknowledges a write before its log record is synced; the sync follows a little
    /// later (group commit gone wrong). Class: acknowledgement before fsync.
    AckBeforeFsync,
    /// QUORUM is computed as ⌊RF/2⌋ instead of ⌊RF/2⌋+1. Class: quorum arithmetic.
    QuorumFloor,
    /// Tombstones are purged once the grace period passed, without waiting until anti-entropy
    /// has reached every replica. Class: tombstone GC before repair (deleted data resurrects).
    TombstoneGcUnsafe,
    /// Hint replay overwrites the replica's cell without last-write-wins. Class: hint replay
    /// regressing a cell.
    HintNoLww,
    /// Anti-entropy applies the peer's cells without last-write-wins. Class: anti-entropy LWW.
    AeNoLww,
    /// Log replay after a restart drops the last record of the write-ahead log. Class: log
    /// replay off by one.
    ReplayDropsTail,
    /// Log-based anti-entropy makes the new watermark durable before it has applied the updates
    /// it pulled, so a crash in between skips them for good. Class: progress recorded before the
    /// work it stands for.
    LogWatermarkEarly,
    /// Update-log truncation ignores a peer that has not pulled for a while (considered down), and
    /// the entries it drops are treated as pulled by everyone. Class: log truncation ignoring a
    /// lagging consumer.
    LogTruncateIgnoresDown,
    /// A peer whose update log no longer reaches the watermark is not caught up by a Merkle
    /// exchange: the asker jumps its watermark to the peer's head. Class: fallback never taken.
    LogNoFallback,
}

impl Mutant {
    /// Every planted bug, in catalogue order.
    pub const ALL: [Mutant; 21] = [
        Mutant::RepairNoWait,
        Mutant::RepairAckIgnored,
        Mutant::DigestOmitsValue,
        Mutant::MismatchSkipsData,
        Mutant::TieTakesIncoming,
        Mutant::TsMillis,
        Mutant::HintRestamp,
        Mutant::RepairRestamp,
        Mutant::HintDropQueue,
        Mutant::MerkleLeafOmitsKey,
        Mutant::AeRangeOffByOne,
        Mutant::SloppyQuorum,
        Mutant::AckBeforeFsync,
        Mutant::QuorumFloor,
        Mutant::TombstoneGcUnsafe,
        Mutant::HintNoLww,
        Mutant::AeNoLww,
        Mutant::ReplayDropsTail,
        Mutant::LogWatermarkEarly,
        Mutant::LogTruncateIgnoresDown,
        Mutant::LogNoFallback,
    ];

    /// The command-line name (`repair-no-wait`, …).
    pub fn name(self) -> &'static str {
        match self {
            Mutant::RepairNoWait => "repair-no-wait",
            Mutant::RepairAckIgnored => "repair-ack-ignored",
            Mutant::DigestOmitsValue => "digest-omits-value",
            Mutant::MismatchSkipsData => "mismatch-skips-data",
            Mutant::TieTakesIncoming => "tie-takes-incoming",
            Mutant::TsMillis => "ts-millis",
            Mutant::HintRestamp => "hint-restamp",
            Mutant::RepairRestamp => "repair-restamp",
            Mutant::HintDropQueue => "hint-drop-queue",
            Mutant::MerkleLeafOmitsKey => "merkle-leaf-omits-key",
            Mutant::AeRangeOffByOne => "ae-range-off-by-one",
            Mutant::SloppyQuorum => "sloppy-quorum",
            Mutant::AckBeforeFsync => "ack-before-fsync",
            Mutant::QuorumFloor => "quorum-floor",
            Mutant::TombstoneGcUnsafe => "tombstone-gc-unsafe",
            Mutant::HintNoLww => "hint-no-lww",
            Mutant::AeNoLww => "ae-no-lww",
            Mutant::ReplayDropsTail => "replay-drops-tail",
            Mutant::LogWatermarkEarly => "log-watermark-early",
            Mutant::LogTruncateIgnoresDown => "log-truncate-ignores-down",
            Mutant::LogNoFallback => "log-no-fallback",
        }
    }
}

impl fmt::Display for Mutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown planted-bug name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown mutant `{got}` (`quorumlab mutants` lists them: {})", Mutant::ALL.map(Mutant::name).join(", "))]
pub struct UnknownMutant {
    /// The name given.
    pub got: String,
}

impl FromStr for Mutant {
    type Err = UnknownMutant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mutant::ALL
            .into_iter()
            .find(|m| m.name() == s.trim())
            .ok_or_else(|| UnknownMutant {
                got: s.chars().take(80).collect(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut names: Vec<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
        for m in Mutant::ALL {
            assert_eq!(m.name().parse::<Mutant>(), Ok(m));
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.name()));
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Mutant::ALL.len());
        let err = "nope".parse::<Mutant>().unwrap_err().to_string();
        assert!(err.contains("repair-no-wait"), "{err}");
    }
}
