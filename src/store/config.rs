//! Store configuration: consistency levels, read-repair mode, timeouts. Plain data, shared by every
//! node of a cluster; the harness builds it from the command line or a test.

pub use super::mutant::Mutant;
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

/// A name that is not one of an option's values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{got}` (expected {expected})")]
pub struct UnknownValue {
    /// What was being parsed.
    pub what: &'static str,
    /// The input (cut to 80 characters).
    pub got: String,
    /// The valid values.
    pub expected: &'static str,
}

impl UnknownValue {
    fn new(what: &'static str, got: &str, expected: &'static str) -> Self {
        UnknownValue {
            what,
            got: got.chars().take(80).collect(),
            expected,
        }
    }
}

impl FromStr for ConsistencyLevel {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s.to_ascii_lowercase().as_str() {
            "one" => Ok(Self::One),
            "quorum" => Ok(Self::Quorum),
            "all" => Ok(Self::All),
            _ => Err(UnknownValue::new(
                "consistency level",
                s,
                "one, quorum or all",
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
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s.to_ascii_lowercase().as_str() {
            "blocking" => Ok(Self::Blocking),
            "async" => Ok(Self::Async),
            "none" => Ok(Self::None),
            _ => Err(UnknownValue::new(
                "read-repair mode",
                s,
                "blocking, async or none",
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
    /// Asynchronous read repair runs on a background stage: each repair waits this long (ms) in
    /// its queue before it is sent ("a task executed after the results are returned").
    #[serde(default = "default_async_repair_delay_ms")]
    pub async_repair_delay_ms: u64,
    /// Tombstone garbage collection.
    #[serde(default)]
    pub tombstones: TombstoneConfig,
    /// A planted bug (off by default): see [`Mutant`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutant: Option<Mutant>,
}

fn default_async_repair_delay_ms() -> u64 {
    100
}

/// Tombstone garbage collection: a tombstone is purged once it is older than the grace period
/// (by its timestamp and the replica's clock) **and** the replica has completed an anti-entropy
/// exchange with every other replica of the key since it applied the tombstone, so every replica
/// holds the delete (or something newer) before anyone forgets it. The grace period must exceed
/// the hint window, so a hint older than a tombstone never arrives after the purge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TombstoneConfig {
    /// Minimum age (ms) of a tombstone before it may be purged.
    pub grace_ms: u64,
    /// How often a node looks for purgeable tombstones (ms).
    pub check_interval_ms: u64,
}

impl Default for TombstoneConfig {
    fn default() -> Self {
        TombstoneConfig {
            grace_ms: 30_000,
            check_interval_ms: 250,
        }
    }
}

/// A store configuration that cannot run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("store configuration: {0}")]
pub struct ConfigError(pub String);

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

/// Background anti-entropy between replicas that share keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AntiEntropyConfig {
    /// Whether replicas run anti-entropy exchanges.
    pub enabled: bool,
    /// Which exchanges run (when enabled): Merkle trees, update logs, or both.
    #[serde(default)]
    pub mode: AeMode,
    /// Depth of the Merkle tree: 2^depth leaf buckets of key hashes.
    pub depth: u32,
    /// How often a node starts an exchange with its next peer (ms).
    pub interval_ms: u64,
    /// Most entries a replica's update log keeps (log mode); a peer away longer than the log
    /// reaches falls back to a Merkle exchange.
    #[serde(default = "default_log_limit")]
    pub log_limit: usize,
    /// Most update-log entries one pull scans.
    #[serde(default = "default_log_page")]
    pub log_page: usize,
}

fn default_log_limit() -> usize {
    4096
}

fn default_log_page() -> usize {
    256
}

/// Which background anti-entropy exchanges run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AeMode {
    /// Merkle-tree exchanges (Cassandra, Riak).
    #[default]
    Merkle,
    /// Update-log pulls after a per-peer watermark, Merkle only as a fallback.
    Log,
    /// Both, independently.
    Both,
}

impl AeMode {
    /// Every mode, in order.
    pub const ALL: [AeMode; 3] = [AeMode::Merkle, AeMode::Log, AeMode::Both];

    /// Whether Merkle exchanges run on their own schedule.
    pub fn merkle(self) -> bool {
        self != AeMode::Log
    }

    /// Whether update-log pulls run.
    pub fn log(self) -> bool {
        self != AeMode::Merkle
    }
}

impl fmt::Display for AeMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AeMode::Merkle => "merkle",
            AeMode::Log => "log",
            AeMode::Both => "both",
        })
    }
}

impl FromStr for AeMode {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s.to_ascii_lowercase().as_str() {
            "merkle" | "on" => Ok(Self::Merkle),
            "log" => Ok(Self::Log),
            "both" => Ok(Self::Both),
            _ => Err(UnknownValue::new(
                "anti-entropy mode",
                s,
                "merkle, log or both",
            )),
        }
    }
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
                mode: AeMode::Merkle,
                depth: 6,
                interval_ms: 500,
                log_limit: default_log_limit(),
                log_page: default_log_page(),
            },
            async_repair_delay_ms: default_async_repair_delay_ms(),
            tombstones: TombstoneConfig::default(),
            mutant: None,
        }
    }

    /// Why this configuration cannot run, if it cannot: RF within the cluster, positive timeouts
    /// and intervals, a tombstone grace period longer than the hint window.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |what: &str| Err(ConfigError(what.to_string()));
        if self.rf == 0 || self.rf > self.nodes.len() {
            return bad(&format!(
                "replication factor {} needs between 1 and {} nodes",
                self.rf,
                self.nodes.len()
            ));
        }
        if self.rpc_timeout_ms == 0 || self.request_timeout_ms == 0 || self.connect_timeout_ms == 0
        {
            return bad("timeouts must be positive");
        }
        if self.hints.replay_interval_ms == 0
            || self.anti_entropy.interval_ms == 0
            || self.tombstones.check_interval_ms == 0
        {
            return bad("intervals must be positive");
        }
        if self.anti_entropy.log_limit == 0 || self.anti_entropy.log_page == 0 {
            return bad("the update log's limit and page must be positive");
        }
        if self.hints.enabled && self.tombstones.grace_ms <= self.hints.window_ms {
            return bad(&format!(
                "tombstone grace ({} ms) must exceed the hint window ({} ms), or a late hint \
                 resurrects deleted data",
                self.tombstones.grace_ms, self.hints.window_ms
            ));
        }
        Ok(())
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
        assert_eq!("on".parse::<AeMode>(), Ok(AeMode::Merkle));
        assert_eq!("Log".parse::<AeMode>(), Ok(AeMode::Log));
        assert!("off".parse::<AeMode>().is_err());
        assert!("lazy"
            .parse::<ReadRepair>()
            .unwrap_err()
            .to_string()
            .contains("blocking"));
    }
}
