//! [`RunConfig::validate`]: the single check of a configuration, whatever built it. Every bound it
//! enforces is in [`limits`] and named in its message; for a `run.json`, the field at fault is
//! named too (`workload.keys`), and [`line_of_field`] finds its line, so a file's error reads
//! `run.json:40: workload.keys: …`.

use super::{limits, InvalidConfig, RunConfig};

impl RunConfig {
    /// Check every bound and rule (see [`limits`]); the message names the field and the limit.
    pub fn validate(&self) -> Result<(), InvalidConfig> {
        self.check().map_err(|(_, e)| e)
    }

    /// [`RunConfig::validate`], with the `run.json` field at fault (`workload.keys`).
    pub(super) fn check(&self) -> Result<(), (&'static str, InvalidConfig)> {
        let w = &self.workload;
        let at = |field: &'static str| move |e: InvalidConfig| (field, e);
        let over = |what: &str, got: u128, max: u128, why: &str| {
            if got > max {
                Err(InvalidConfig(format!(
                    "{what} {got} is above the limit of {max} ({why})"
                )))
            } else {
                Ok(())
            }
        };
        let nodes = self.store.nodes.len();
        if nodes == 0 {
            return Err((
                "store.nodes",
                InvalidConfig("the cluster needs at least one node".into()),
            ));
        }
        over(
            "nodes",
            nodes as u128,
            limits::NODES as u128,
            "each node is a simulated host",
        )
        .map_err(at("store.nodes"))?;
        check_node_names(&self.store.nodes).map_err(at("store.nodes"))?;
        over(
            "replication factor",
            self.store.rf as u128,
            limits::RF as u128,
            "replicas per key",
        )
        .map_err(at("store.rf"))?;
        if self.store.rf == 0 || self.store.rf > nodes {
            return Err((
                "store.rf",
                InvalidConfig(format!(
                    "replication factor {} needs between 1 and {nodes} nodes (the cluster has \
                     {nodes})",
                    self.store.rf
                )),
            ));
        }
        if self.store.vnodes == 0 {
            return Err((
                "store.vnodes",
                InvalidConfig("a node needs at least one token on the ring".into()),
            ));
        }
        over(
            "vnodes",
            self.store.vnodes as u128,
            limits::VNODES as u128,
            "tokens per node on the ring",
        )
        .map_err(at("store.vnodes"))?;
        if self.store.port == 0 {
            return Err((
                "store.port",
                InvalidConfig("port 0 is not a port a node can listen on".into()),
            ));
        }
        over(
            "Merkle tree depth",
            self.store.anti_entropy.depth as u128,
            limits::MERKLE_DEPTH as u128,
            "2^depth buckets per tree",
        )
        .map_err(at("store.anti_entropy.depth"))?;
        let store_times = [
            ("store.connect_timeout_ms", self.store.connect_timeout_ms),
            ("store.rpc_timeout_ms", self.store.rpc_timeout_ms),
            ("store.request_timeout_ms", self.store.request_timeout_ms),
            (
                "store.async_repair_delay_ms",
                self.store.async_repair_delay_ms,
            ),
            ("store.hints.window_ms", self.store.hints.window_ms),
            (
                "store.hints.replay_interval_ms",
                self.store.hints.replay_interval_ms,
            ),
            (
                "store.anti_entropy.interval_ms",
                self.store.anti_entropy.interval_ms,
            ),
            ("store.tombstones.grace_ms", self.store.tombstones.grace_ms),
            (
                "store.tombstones.check_interval_ms",
                self.store.tombstones.check_interval_ms,
            ),
        ];
        for (field, ms) in store_times {
            let name = field.rsplit('.').next().unwrap_or(field);
            over(
                name,
                ms as u128,
                limits::STORE_MS as u128,
                "one simulated day",
            )
            .map_err(at(field))?;
        }
        if w.clients == 0 {
            return Err((
                "workload.clients",
                InvalidConfig("the workload needs at least one client".into()),
            ));
        }
        over(
            "clients",
            w.clients as u128,
            limits::CLIENTS as u128,
            "each client is a concurrent session bound to a coordinator",
        )
        .map_err(at("workload.clients"))?;
        if w.keys == 0 {
            return Err((
                "workload.keys",
                InvalidConfig("the workload needs at least one key".into()),
            ));
        }
        over(
            "keys",
            w.keys as u128,
            limits::KEYS as u128,
            "every key is read and snapshotted at the end",
        )
        .map_err(at("workload.keys"))?;
        if w.ops.is_none() && w.duration_ms.is_none() {
            return Err((
                "workload.ops",
                InvalidConfig("the main phase needs an operation count or a duration".into()),
            ));
        }
        if let Some(ops) = w.ops {
            over(
                "ops",
                ops as u128,
                limits::OPS as u128,
                "operations of the main phase",
            )
            .map_err(at("workload.ops"))?;
        }
        if let Some(d) = w.duration_ms {
            over(
                "duration (ms)",
                d as u128,
                limits::DURATION_MS as u128,
                "one simulated hour",
            )
            .map_err(at("workload.duration_ms"))?;
        }
        over(
            "think time (ms)",
            w.think_ms_max as u128,
            limits::THINK_MS as u128,
            "one simulated minute",
        )
        .map_err(at("workload.think_ms_max"))?;
        over(
            "value bytes",
            w.value_bytes as u128,
            limits::VALUE_BYTES as u128,
            "anti-entropy sends a bucket in one frame",
        )
        .map_err(at("workload.value_bytes"))?;
        over(
            "client timeout (ms)",
            w.client_timeout_ms as u128,
            limits::CLIENT_TIMEOUT_MS as u128,
            "ten simulated minutes",
        )
        .map_err(at("workload.client_timeout_ms"))?;
        over(
            "quiesce (ms)",
            self.phases.quiesce_max_ms as u128,
            limits::DURATION_MS as u128,
            "one simulated hour",
        )
        .map_err(at("phases.quiesce_max_ms"))?;
        over(
            "max latency (ms)",
            self.net.max_latency_ms as u128,
            limits::LATENCY_MS as u128,
            "ten simulated seconds",
        )
        .map_err(at("net.max_latency_ms"))?;
        let fraction = |what: &str, x: f64| {
            if (0.0..=1.0).contains(&x) {
                Ok(())
            } else {
                Err(InvalidConfig(format!("{what} {x} is not between 0 and 1")))
            }
        };
        fraction("read fraction", w.read_fraction).map_err(at("workload.read_fraction"))?;
        fraction("delete fraction", w.delete_fraction).map_err(at("workload.delete_fraction"))?;
        if w.read_fraction + w.delete_fraction > 1.0 + 1e-9 {
            return Err((
                "workload.delete_fraction",
                InvalidConfig(format!(
                    "read fraction {} plus delete fraction {} exceed 1",
                    w.read_fraction, w.delete_fraction
                )),
            ));
        }
        if let crate::sim::workload::KeyDist::Hot { share } = w.key_dist {
            fraction("hot-key share", share).map_err(at("workload.key_dist"))?;
        }
        if w.coordinators > nodes {
            return Err((
                "workload.coordinators",
                InvalidConfig(format!(
                    "{} coordinators asked but the cluster has {nodes} nodes",
                    w.coordinators
                )),
            ));
        }
        if self.net.min_latency_ms < 1 || self.net.max_latency_ms < self.net.min_latency_ms {
            return Err((
                "net.min_latency_ms",
                InvalidConfig(format!(
                    "network latency must satisfy 1 ≤ min ({}) ≤ max ({}) ms",
                    self.net.min_latency_ms, self.net.max_latency_ms
                )),
            ));
        }
        if self.phases.quiesce_min_ms > self.phases.quiesce_max_ms {
            return Err((
                "phases.quiesce_min_ms",
                InvalidConfig(format!(
                    "quiesce minimum {} ms exceeds its maximum {} ms",
                    self.phases.quiesce_min_ms, self.phases.quiesce_max_ms
                )),
            ));
        }
        self.store
            .validate()
            .map_err(|e| ("store", InvalidConfig(e.to_string())))?;
        if let Some(names) = &self.checkers {
            crate::sim::judge::resolve_checkers(names)
                .map_err(|e| ("checkers", InvalidConfig(e.to_string())))?;
        }
        self.faults
            .schedule
            .validate(&self.store.nodes)
            .map_err(|e| {
                (
                    "faults.schedule",
                    InvalidConfig(format!("fault schedule: {e}")),
                )
            })
    }
}

/// Node names are host names in the simulation and appear in messages and schedules: distinct,
/// 1 to 32 ASCII letters, digits, `-`, `_` or `.`.
fn check_node_names(nodes: &[String]) -> Result<(), InvalidConfig> {
    let mut seen = std::collections::BTreeSet::new();
    for n in nodes {
        let ok = !n.is_empty()
            && n.len() <= 32
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !ok {
            return Err(InvalidConfig(format!(
                "node name {} must be 1 to 32 ASCII letters, digits, `-`, `_` or `.`",
                quorumlab_checkers::error::quoted(n)
            )));
        }
        if !seen.insert(n.as_str()) {
            return Err(InvalidConfig(format!("node {n} is listed twice")));
        }
    }
    Ok(())
}

/// The 1-based line of the field `path` (`workload.keys`) in a JSON document that parsed: each
/// key of the path is looked up after the previous one; the line of the deepest key found (1 when
/// none is).
pub(super) fn line_of_field(text: &str, path: &str) -> usize {
    let mut from = 0;
    let mut found = 0;
    for key in path.split('.') {
        let quoted = format!("\"{key}\"");
        let mut search = from;
        let hit = loop {
            let Some(i) = text[search..].find(&quoted) else {
                break None;
            };
            let end = search + i + quoted.len();
            if text[end..].trim_start().starts_with(':') {
                break Some(search + i);
            }
            search = end;
        };
        match hit {
            Some(i) => {
                found = i;
                from = i + quoted.len();
            }
            None => break,
        }
    }
    text[..found].bytes().filter(|&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::config::StoreConfig;

    /// Regression (issue 8): `run.json` values no flag can set (tokens per node, Merkle depth,
    /// port, node names, store timeouts) were unbounded: a huge `vnodes` hung building the ring.
    #[test]
    fn store_values_of_run_json_are_bounded() {
        let mut cfg = RunConfig::new(1);
        cfg.store.vnodes = usize::MAX;
        assert!(cfg.validate().unwrap_err().to_string().contains("vnodes"));
        let mut cfg = RunConfig::new(1);
        cfg.store.anti_entropy.depth = 64;
        assert!(cfg.validate().unwrap_err().to_string().contains("Merkle"));
        let mut cfg = RunConfig::new(1);
        cfg.store.port = 0;
        assert!(cfg.validate().is_err());
        let mut cfg = RunConfig::new(1);
        cfg.store.rpc_timeout_ms = u64::MAX;
        assert!(cfg
            .validate()
            .unwrap_err()
            .to_string()
            .contains("rpc_timeout_ms"));
        for bad in ["", "a\nb", "n1"] {
            let mut cfg = RunConfig::new(1);
            cfg.store.nodes[1] = bad.to_string();
            assert!(cfg.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn absurd_values_are_refused_naming_the_limit() {
        let mut cfg = RunConfig::new(1);
        cfg.workload.keys = 1_000_000;
        let e = cfg.validate().unwrap_err().to_string();
        assert!(e.contains("keys 1000000") && e.contains("10000"), "{e}");

        let mut cfg = RunConfig::new(1);
        cfg.workload.think_ms_max = u64::MAX;
        assert!(cfg
            .validate()
            .unwrap_err()
            .to_string()
            .contains("think time"));

        let mut cfg = RunConfig::new(1);
        cfg.store.nodes = StoreConfig::node_names(64);
        cfg.store.rf = 64;
        assert!(cfg.validate().unwrap_err().to_string().contains("nodes 64"));

        let mut cfg = RunConfig::new(1);
        cfg.workload.clients = 10_000;
        assert!(cfg
            .validate()
            .unwrap_err()
            .to_string()
            .contains("clients 10000"));

        let mut cfg = RunConfig::new(1);
        cfg.workload.ops = None;
        assert!(cfg.validate().is_err());
    }
}
