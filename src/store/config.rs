//! Store configuration: consistency levels, read-repair mode, timeouts. Plain data, shared by every
//! node of a cluster; the harness builds it from the command line or a test.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How many replicas must answer (reads) or acknowledge (writes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsistencyLevel {
    /// One replica.
    One,
    /// A majority of the replicas: ⌊RF/2⌋+1.
    Quorum,
    /// Every replica.
    All,
}

impl ConsistencyLevel {
    /// The number of replicas this level needs out of `rf`.
    pub fn required(self, rf: usize) -> usize {
        match self {
            ConsistencyLevel::One => 1,
            ConsistencyLevel::Quorum => rf / 2 + 1,
            ConsistencyLevel::All => rf,
        }
    }
}

impl FromStr for ConsistencyLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "one" => Ok(Self::One),
            "quorum" => Ok(Self::Quorum),
            "all" => Ok(Self::All),
            _ => Err(format!(
                "unknown consistency level {s:?} (expected one, quorum or all)"
            )),
        }
    }
}

impl fmt::Display for ConsistencyLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConsistencyLevel::One => "one",
            ConsistencyLevel::Quorum => "quorum",
            ConsistencyLevel::All => "all",
        })
    }
}

/// What a coordinator does when the replicas it read disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadRepair {
    /// Send the winner to the stale replicas and reply only after they acknowledged.
    Blocking,
    /// Reply at once; repair in the background.
    Async,
    /// Never repair on reads.
    None,
}

impl FromStr for ReadRepair {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "blocking" => Ok(Self::Blocking),
            "async" => Ok(Self::Async),
            "none" => Ok(Self::None),
            _ => Err(format!(
                "unknown read-repair mode {s:?} (expected blocking, async or none)"
            )),
        }
    }
}

impl fmt::Display for ReadRepair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReadRepair::Blocking => "blocking",
            ReadRepair::Async => "async",
            ReadRepair::None => "none",
        })
    }
}

/// Configuration of the whole store (every node gets the same).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreConfig {
    /// Node names, e.g. `n1`…`n5`; they are also the turmoil host names.
    pub nodes: Vec<String>,
    /// Replication factor.
    pub rf: usize,
    /// Tokens per node on the ring.
    pub vnodes: usize,
    /// Consistency level of reads.
    pub read_cl: ConsistencyLevel,
    /// Consistency level of writes.
    pub write_cl: ConsistencyLevel,
    /// Read-repair mode.
    pub read_repair: ReadRepair,
    /// One data request plus digest requests (true), or full data from every contacted replica.
    pub digest_reads: bool,
    /// TCP port every node listens on.
    pub port: u16,
    /// Deadline for dialling a peer.
    pub connect_timeout_ms: u64,
    /// Deadline for one replica RPC.
    pub rpc_timeout_ms: u64,
    /// Deadline for a whole client operation at the coordinator (includes blocking repair).
    pub request_timeout_ms: u64,
    /// Hinted handoff (foreground anti-entropy).
    pub hints: HintConfig,
    /// Merkle-tree anti-entropy (background).
    pub anti_entropy: AntiEntropyConfig,
}

/// Hinted handoff: a coordinator keeps, durably, the writes a replica did not acknowledge, and
/// replays them when the replica is reachable again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HintConfig {
    /// Whether coordinators store and replay hints.
    pub enabled: bool,
    /// Hints older than this (ms, by the coordinator's clock) are dropped, not replayed.
    pub window_ms: u64,
    /// How often a coordinator tries to replay its hints (ms).
    pub replay_interval_ms: u64,
}

/// Merkle-tree anti-entropy between replicas that share keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AntiEntropyConfig {
    /// Whether replicas run anti-entropy exchanges.
    pub enabled: bool,
    /// Depth of the Merkle tree: 2^depth leaf buckets of key hashes.
    pub depth: u32,
    /// How often a node starts an exchange with its next peer (ms).
    pub interval_ms: u64,
}

impl StoreConfig {
    /// The default cluster: `n1`…`n5`, RF 3, QUORUM/QUORUM, blocking repair, digest reads.
    pub fn default_cluster() -> StoreConfig {
        StoreConfig {
            nodes: (1..=5).map(|i| format!("n{i}")).collect(),
            rf: 3,
            vnodes: 8,
            read_cl: ConsistencyLevel::Quorum,
            write_cl: ConsistencyLevel::Quorum,
            read_repair: ReadRepair::Blocking,
            digest_reads: true,
            port: 7000,
            connect_timeout_ms: 200,
            rpc_timeout_ms: 400,
            request_timeout_ms: 1000,
            hints: HintConfig {
                enabled: true,
                window_ms: 10_000,
                replay_interval_ms: 200,
            },
            anti_entropy: AntiEntropyConfig {
                enabled: true,
                depth: 6,
                interval_ms: 500,
            },
        }
    }

    /// Node names `n1`…`nN`.
    pub fn node_names(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("n{i}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_replicas_per_level() {
        assert_eq!(ConsistencyLevel::One.required(3), 1);
        assert_eq!(ConsistencyLevel::Quorum.required(3), 2);
        assert_eq!(ConsistencyLevel::Quorum.required(4), 3);
        assert_eq!(ConsistencyLevel::Quorum.required(5), 3);
        assert_eq!(ConsistencyLevel::All.required(3), 3);
    }

    #[test]
    fn parse_levels_and_modes() {
        assert_eq!(
            "QUORUM".parse::<ConsistencyLevel>(),
            Ok(ConsistencyLevel::Quorum)
        );
        assert!("two".parse::<ConsistencyLevel>().is_err());
        assert_eq!("async".parse::<ReadRepair>(), Ok(ReadRepair::Async));
        assert!("lazy"
            .parse::<ReadRepair>()
            .unwrap_err()
            .contains("blocking"));
    }
}
