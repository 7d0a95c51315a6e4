//! Append-only logs of framed records on a node's simulated disk (turmoil's file system).
//!
//! A record on disk is `[len u32 LE][body: len bytes][xxh3(len ‖ body) low 32 bits LE]`.
//!
//! Guarantees: a new log is durable from creation (file and directory entry synced), so a crash
//! never loses a log that was written to; [`LogFile::append`] returns only after the record is
//! synced (`fsync = always`), while [`LogFile::append_unsynced`] leaves it pending until the next
//! [`LogFile::sync`] (a crash in between loses it, as turmoil drops un-synced writes). [`LogFile::open`]
//! hands back the bodies of the valid prefix: reading stops at the first torn or corrupt record (a
//! crash mid-append), which the next append overwrites.

use std::io;
use std::os::unix::fs::FileExt;
use turmoil::fs::shim::std::fs::{self, File, OpenOptions};
use xxhash_rust::xxh3::xxh3_64;

/// The largest record body accepted on replay (a longer length field is corruption).
pub const MAX_RECORD: usize = 16 << 20;

/// An append-only log of framed records.
pub struct LogFile {
    file: File,
    len: u64,
}

impl LogFile {
    /// Open (or durably create) the log at `path`; returns it with the bodies of its valid records.
    pub fn open(path: &str) -> io::Result<(LogFile, Vec<Vec<u8>>)> {
        let existed = fs::exists(path);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        if !existed {
            file.sync_all()?;
            let parent = std::path::Path::new(path)
                .parent()
                .and_then(|p| p.to_str())
                .filter(|p| !p.is_empty())
                .unwrap_or("/");
            fs::sync_dir(parent)?;
        }
        let size = file.metadata()?.len() as usize;
        let mut bytes = vec![0u8; size];
        let mut read = 0;
        while read < size {
            let n = file.read_at(&mut bytes[read..], read as u64)?;
            if n == 0 {
                break;
            }
            read += n;
        }
        bytes.truncate(read);
        let (records, valid) = unframe(&bytes);
        Ok((
            LogFile {
                file,
                len: valid as u64,
            },
            records,
        ))
    }

    /// Append `body` as one record and sync it before returning.
    pub fn append(&mut self, body: &[u8]) -> io::Result<()> {
        self.append_unsynced(body)?;
        self.sync()
    }

    /// Append `body` as one record without syncing: durable only after the next [`Self::sync`].
    pub fn append_unsynced(&mut self, body: &[u8]) -> io::Result<()> {
        let record = frame(body);
        self.file.write_all_at(&record, self.len)?;
        self.len += record.len() as u64;
        Ok(())
    }

    /// Make every record appended so far durable.
    pub fn sync(&mut self) -> io::Result<()> {
        self.file.sync_all()
    }
}

/// One record as it lies on disk.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
    let sum = xxh3_64(&out) as u32;
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// The bodies of the valid prefix of `bytes`, and that prefix's length.
pub fn unframe(bytes: &[u8]) -> (Vec<Vec<u8>>, usize) {
    let mut records = Vec::new();
    let mut pos = 0;
    while let Some(head) = bytes.get(pos..pos + 4) {
        let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
        if len > MAX_RECORD {
            break;
        }
        let Some(framed) = bytes.get(pos..pos + 4 + len) else {
            break;
        };
        let Some(sum) = bytes.get(pos + 4 + len..pos + 8 + len) else {
            break;
        };
        if xxh3_64(framed) as u32 != u32::from_le_bytes([sum[0], sum[1], sum[2], sum[3]]) {
            break;
        }
        records.push(framed[4..].to_vec());
        pos += 8 + len;
    }
    (records, pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_a_torn_or_corrupt_tail_ends_the_prefix() {
        let mut log = Vec::new();
        log.extend(frame(b"one"));
        log.extend(frame(b""));
        log.extend(frame(&[7u8; 300]));
        let whole = log.len();
        log.extend(&frame(b"torn")[..5]);
        let (records, valid) = unframe(&log);
        assert_eq!(records, vec![b"one".to_vec(), vec![], vec![7u8; 300]]);
        assert_eq!(valid, whole);

        let mut bad = frame(b"first");
        let mut second = frame(b"second");
        second[6] ^= 0xff;
        bad.extend(second);
        bad.extend(frame(b"third"));
        let (records, valid) = unframe(&bad);
        assert_eq!(records, vec![b"first".to_vec()]);
        assert_eq!(valid, frame(b"first").len());
    }

    #[test]
    fn an_absurd_length_is_corruption_not_an_allocation() {
        let mut log = frame(b"ok");
        log.extend_from_slice(&u32::MAX.to_le_bytes());
        log.extend_from_slice(&[0; 16]);
        let (records, _) = unframe(&log);
        assert_eq!(records.len(), 1);
    }
}
