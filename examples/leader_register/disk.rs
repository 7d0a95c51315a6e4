//! A node's log on its simulated disk: records `[len u32 LE][postcard Entry][xxh3 low 32 bits]`,
//! appended at the end of the valid prefix. [`Log::append`] returns once the records are synced;
//! [`Log::open`] replays the valid prefix of contiguous sequence numbers (a torn tail, left by a
//! crash mid-append, ends it and is overwritten by the next append).

use crate::wire::Entry;
use std::io;
use std::os::unix::fs::FileExt;
use turmoil::fs::shim::std::fs::{self, File, OpenOptions};
use xxhash_rust::xxh3::xxh3_64;

/// Where every node keeps its log (each turmoil host has its own disk).
const PATH: &str = "/leader_register.log";

/// An append-only log of entries.
pub struct Log {
    file: File,
    len: u64,
}

impl Log {
    /// Open (or durably create) the log; returns it with its entries `1..=n`.
    pub fn open() -> io::Result<(Log, Vec<Entry>)> {
        let existed = fs::exists(PATH);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(PATH)?;
        if !existed {
            file.sync_all()?;
            fs::sync_dir("/")?;
        }
        let mut bytes = vec![0u8; file.metadata()?.len() as usize];
        let mut read = 0;
        while read < bytes.len() {
            match file.read_at(&mut bytes[read..], read as u64)? {
                0 => break,
                n => read += n,
            }
        }
        bytes.truncate(read);
        let (mut entries, mut pos) = (Vec::new(), 0usize);
        while let Some((entry, next)) = record_at(&bytes, pos, entries.len() as u64 + 1) {
            entries.push(entry);
            pos = next;
        }
        Ok((
            Log {
                file,
                len: pos as u64,
            },
            entries,
        ))
    }

    /// Append `entries` and sync them (a crash before this returns may lose them).
    pub fn append(&mut self, entries: &[Entry]) -> io::Result<()> {
        let mut bytes = Vec::new();
        for e in entries {
            let body = postcard::to_stdvec(e)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            let start = bytes.len();
            bytes.extend_from_slice(&(body.len() as u32).to_le_bytes());
            bytes.extend_from_slice(&body);
            let sum = xxh3_64(&bytes[start..]) as u32;
            bytes.extend_from_slice(&sum.to_le_bytes());
        }
        self.file.write_all_at(&bytes, self.len)?;
        self.file.sync_all()?;
        self.len += bytes.len() as u64;
        Ok(())
    }
}

/// The entry recorded at `pos` and where the next record starts, if a whole, intact record of
/// entry `seq` is there.
fn record_at(bytes: &[u8], pos: usize, seq: u64) -> Option<(Entry, usize)> {
    let len = u32::from_le_bytes(bytes.get(pos..pos + 4)?.try_into().ok()?) as usize;
    let framed = bytes.get(pos..pos + 4 + len)?;
    let sum = bytes.get(pos + 4 + len..pos + 8 + len)?;
    if xxh3_64(framed) as u32 != u32::from_le_bytes(sum.try_into().ok()?) {
        return None;
    }
    let entry: Entry = postcard::from_bytes(&framed[4..]).ok()?;
    (entry.seq == seq).then_some((entry, pos + 8 + len))
}
