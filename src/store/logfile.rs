//! Append-only log files on a node's simulated disk (turmoil's file system).
//!
//! Guarantees: a new log is durable from creation (file and directory entry synced), so a crash
//! never loses a log that was written to; [`LogFile::append`] returns only after the record is
//! synced (`fsync = always`). Replay is the owner's business: `open` hands back every byte on
//! disk, and the owner says how long the valid prefix is (a torn tail is overwritten by the next
//! append).

use std::io;
use std::os::unix::fs::FileExt;
use turmoil::fs::shim::std::fs::{self, File, OpenOptions};

/// An append-only, always-synced log.
pub struct LogFile {
    file: File,
    len: u64,
}

impl LogFile {
    /// Open (or durably create) the log at `path`; returns it with its whole content.
    pub fn open(path: &str) -> io::Result<(LogFile, Vec<u8>)> {
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
        let len = file.metadata()?.len() as usize;
        let mut bytes = vec![0u8; len];
        let mut read = 0;
        while read < len {
            let n = file.read_at(&mut bytes[read..], read as u64)?;
            if n == 0 {
                break;
            }
            read += n;
        }
        bytes.truncate(read);
        let len = read as u64;
        Ok((LogFile { file, len }, bytes))
    }

    /// Appends go after the first `valid` bytes (drops a torn tail found by replay).
    pub fn keep_prefix(&mut self, valid: u64) {
        self.len = valid.min(self.len);
    }

    /// Append `record` and sync it before returning.
    pub fn append(&mut self, record: &[u8]) -> io::Result<()> {
        self.file.write_all_at(record, self.len)?;
        self.file.sync_all()?;
        self.len += record.len() as u64;
        Ok(())
    }
}
