//! The durable watermarks of log-based anti-entropy ([`super::log_exchange`]): how far this node
//! pulled each peer's update log.
//!
//! Guarantees: a watermark is on disk (synced) before [`Watermarks::set`] returns; after a restart
//! the last record of each peer wins; a torn or short record is ignored. Record:
//! `[peer u32 LE][seq u64 LE]`.

use super::logfile::LogFile;
use super::ring::NodeId;
use std::collections::BTreeMap;
use std::io;

/// The durable watermarks: record `[peer u32 LE][seq u64 LE]`, the last record of a peer wins.
pub struct Watermarks {
    log: LogFile,
    map: BTreeMap<NodeId, u64>,
}

impl Watermarks {
    /// Open (or create) the watermark log at `path`.
    pub fn open(path: &str) -> io::Result<Watermarks> {
        let (log, records) = LogFile::open(path)?;
        let map = records
            .iter()
            .map(Vec::as_slice)
            .filter_map(decode)
            .collect();
        Ok(Watermarks { log, map })
    }

    /// How far this node pulled `peer`'s log (0: never).
    pub fn get(&self, peer: NodeId) -> u64 {
        self.map.get(&peer).copied().unwrap_or(0)
    }

    /// Durably record that this node pulled `peer`'s log through `seq`.
    pub fn set(&mut self, peer: NodeId, seq: u64) -> io::Result<()> {
        if self.map.get(&peer) == Some(&seq) {
            return Ok(());
        }
        let mut body = (peer as u32).to_le_bytes().to_vec();
        body.extend_from_slice(&seq.to_le_bytes());
        self.log.append(&body)?;
        self.map.insert(peer, seq);
        Ok(())
    }
}

fn decode(record: &[u8]) -> Option<(NodeId, u64)> {
    let peer = u32::from_le_bytes(record.get(0..4)?.try_into().ok()?);
    let seq = u64::from_le_bytes(record.get(4..12)?.try_into().ok()?);
    Some((peer as NodeId, seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watermark_records_decode_and_reject_short_ones() {
        let mut body = 3u32.to_le_bytes().to_vec();
        body.extend_from_slice(&77u64.to_le_bytes());
        assert_eq!(decode(&body), Some((3, 77)));
        assert_eq!(decode(&body[..11]), None);
    }
}
