//! The update log of one replica: every key the replica's storage changed (client write, read
//! repair, hint replay, anti-entropy), in write-ahead-log order, numbered by the record's position
//! in the write-ahead log (its local sequence number). It is the write-ahead log itself seen from
//! anti-entropy: durable because the WAL is, and rebuilt from the WAL's tail after a restart.
//!
//! Peers pull from it ("what changed after my watermark W?") and are answered with the *current*
//! cell of every changed key, never a historical one, so an answer can never carry a cell older
//! than what this replica holds (nor resurrect a purged tombstone).
//!
//! Guarantees, all pure decisions unit-tested below:
//! - [`UpdateLog::answer`]: after `W`, the keys changed in `(W, through]`, oldest first, at most
//!   `page` entries scanned; or [`Answer::TooOld`] when entries after `W` some peer may need were
//!   dropped (`W` below the floor) or `W` is beyond this log's head (the asker must fall back to a
//!   Merkle exchange).
//! - [`UpdateLog::truncate`]: the oldest entries go once every other replica of their key has
//!   pulled past them; a peer that has not pulled holds truncation back — until the log exceeds its
//!   bound, when the oldest entries go anyway and the floor rises past them.
//! - a restart rebuilds the last `limit` entries and sets the floor below them: nothing older may
//!   be served.

use super::cell::Key;
use super::ring::NodeId;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// One change: the WAL record's sequence number and the key it changed.
pub type Entry = (u64, Key);

/// A replica's update log (sequence numbers and keys only; cells are read from storage).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateLog {
    entries: VecDeque<Entry>,
    /// Entries at or below this sequence number may have been dropped before every peer pulled
    /// them: a pull from below it is answered [`Answer::TooOld`].
    floor: u64,
    /// The highest sequence number issued so far (the WAL's length in records).
    head: u64,
    limit: usize,
}

/// What a pull after a watermark gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The keys changed in `(after, through]`, oldest first, each once; `more` when entries after
    /// `through` remain.
    Keys {
        /// The new watermark for the asker.
        through: u64,
        /// Keys to send (their current cells).
        keys: Vec<Key>,
        /// Whether the asker should pull again.
        more: bool,
    },
    /// The log no longer reaches back to the watermark (or the watermark is from a future this
    /// log never reached): fall back to a Merkle exchange, then resume from `head`.
    TooOld {
        /// This log's head when answering.
        head: u64,
    },
}

/// Who must have pulled past an entry before it may go, and how to ignore someone.
pub struct Pullers<'a> {
    /// The highest watermark each peer sent in a pull (since this node's boot).
    pub pulled: &'a BTreeMap<NodeId, u64>,
    /// The other replicas of a key.
    pub peers_of: &'a dyn Fn(Key) -> Vec<NodeId>,
    /// Peers left out of the decision (planted bug: a peer that is down is ignored).
    pub ignored: &'a BTreeSet<NodeId>,
}

impl UpdateLog {
    /// An empty log over a WAL of `head` records, keeping at most `limit` entries.
    pub fn new(head: u64, limit: usize) -> UpdateLog {
        UpdateLog {
            entries: VecDeque::new(),
            floor: head,
            head,
            limit: limit.max(1),
        }
    }

    /// The log rebuilt after a restart from the WAL's changes (`(seq, key)` in order) and its
    /// length in records: the last `limit` changes are kept, anything older is below the floor.
    pub fn rebuilt(changes: &[Entry], head: u64, limit: usize) -> UpdateLog {
        let mut log = UpdateLog::new(0, limit);
        log.head = head;
        let keep = changes.len().saturating_sub(log.limit);
        log.floor = match keep {
            0 => 0,
            n => changes[n - 1].0,
        };
        log.entries = changes[keep..].iter().copied().collect();
        log
    }

    /// Record that WAL record `seq` changed `key`; beyond the bound the oldest entry goes.
    pub fn push(&mut self, seq: u64, key: Key) {
        self.head = self.head.max(seq);
        self.entries.push_back((seq, key));
        while self.entries.len() > self.limit {
            if let Some((s, _)) = self.entries.pop_front() {
                self.floor = self.floor.max(s);
            }
        }
    }

    /// Record that WAL record `seq` changed nothing anti-entropy sends (a purge).
    pub fn skip(&mut self, seq: u64) {
        self.head = self.head.max(seq);
    }

    /// The highest sequence number issued.
    pub fn head(&self) -> u64 {
        self.head
    }

    /// Below this, entries may be gone.
    pub fn floor(&self) -> u64 {
        self.floor
    }

    /// Entries kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// What a peer pulling after `after` gets: at most `page` entries scanned, keeping only keys
    /// for which `shared` holds (the range both replicate).
    pub fn answer(&self, after: u64, page: usize, shared: impl Fn(Key) -> bool) -> Answer {
        if after < self.floor || after > self.head {
            return Answer::TooOld { head: self.head };
        }
        let mut through = after;
        let mut keys = Vec::new();
        let mut seen = BTreeSet::new();
        let mut more = false;
        let newer = self.entries.iter().filter(|(s, _)| *s > after);
        for (scanned, &(seq, key)) in newer.enumerate() {
            if scanned == page.max(1) {
                more = true;
                break;
            }
            through = seq;
            if shared(key) && seen.insert(key) {
                keys.push(key);
            }
        }
        if !more {
            // Nothing newer is kept: the asker is up to date with every record issued.
            through = self.head;
        }
        Answer::Keys {
            through,
            keys,
            more,
        }
    }

    /// Drop the oldest entries every other replica of their key has pulled past (a peer with no
    /// pull holds its keys' entries back). Returns how many went. The floor does not move: no peer
    /// can ask for them again, since a watermark never goes back.
    pub fn truncate(&mut self, who: &Pullers<'_>) -> usize {
        let mut dropped = 0;
        while let Some(&(seq, key)) = self.entries.front() {
            let all_past = (who.peers_of)(key)
                .iter()
                .filter(|p| !who.ignored.contains(p))
                .all(|p| who.pulled.get(p).is_some_and(|&w| w >= seq));
            if !all_past {
                break;
            }
            self.entries.pop_front();
            dropped += 1;
        }
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_of(keys: &[Key], limit: usize) -> UpdateLog {
        let mut log = UpdateLog::new(0, limit);
        for (i, &k) in keys.iter().enumerate() {
            log.push(i as u64 + 1, k);
        }
        log
    }

    #[test]
    fn an_answer_sends_each_changed_shared_key_once_in_order_and_pages() {
        let log = log_of(&[5, 6, 5, 7, 8], 100);
        let all = log.answer(0, 100, |_| true);
        assert_eq!(
            all,
            Answer::Keys {
                through: 5,
                keys: vec![5, 6, 7, 8],
                more: false
            }
        );
        let after_two = log.answer(2, 2, |k| k != 7);
        assert_eq!(
            after_two,
            Answer::Keys {
                through: 4,
                keys: vec![5],
                more: true
            }
        );
        assert_eq!(
            log.answer(5, 10, |_| true),
            Answer::Keys {
                through: 5,
                keys: vec![],
                more: false
            }
        );
    }

    #[test]
    fn a_purge_moves_the_head_so_an_up_to_date_asker_skips_it() {
        let mut log = log_of(&[1, 2], 10);
        log.skip(3);
        assert_eq!(
            log.answer(2, 10, |_| true),
            Answer::Keys {
                through: 3,
                keys: vec![],
                more: false
            }
        );
    }

    #[test]
    fn the_bound_drops_the_oldest_and_raises_the_floor_so_a_late_asker_falls_back() {
        let log = log_of(&[1, 2, 3, 4, 5], 3);
        assert_eq!(log.len(), 3);
        assert_eq!(log.floor(), 2);
        assert_eq!(log.answer(1, 10, |_| true), Answer::TooOld { head: 5 });
        assert!(matches!(log.answer(2, 10, |_| true), Answer::Keys { .. }));
        assert_eq!(
            log.answer(9, 10, |_| true),
            Answer::TooOld { head: 5 },
            "a watermark beyond the head"
        );
    }

    #[test]
    fn truncation_waits_for_every_replica_of_the_key_unless_one_is_ignored() {
        let mut log = log_of(&[10, 20, 10], 100);
        let peers_of = |k: Key| if k == 10 { vec![1, 2] } else { vec![2, 3] };
        let mut pulled = BTreeMap::from([(1, 3), (2, 1)]);
        let none = BTreeSet::new();
        let who = |pulled: &BTreeMap<NodeId, u64>, ignored: &BTreeSet<NodeId>| {
            let mut l = log.clone();
            let n = l.truncate(&Pullers {
                pulled,
                peers_of: &peers_of,
                ignored,
            });
            (n, l)
        };
        assert_eq!(who(&pulled, &none).0, 1, "seq 1 (key 10) pulled by 1 and 2");
        assert_eq!(who(&pulled, &none).0, 1, "3 never pulled: key 20 held back");
        pulled.insert(3, 0);
        pulled.insert(2, 3);
        assert_eq!(who(&pulled, &none).0, 1, "3 is behind seq 2");
        pulled.insert(3, 2);
        let (n, l) = who(&pulled, &none);
        assert_eq!(n, 3);
        assert_eq!(l.floor(), 0, "consensus truncation leaves the floor");
        assert!(matches!(l.answer(3, 10, |_| true), Answer::Keys { .. }));
        // A peer ignored (planted bug) no longer holds anything back.
        let only_one = BTreeMap::from([(2, 3)]);
        let ignored = BTreeSet::from([1, 3]);
        assert_eq!(who(&only_one, &ignored).0, 3);
        log.truncate(&Pullers {
            pulled: &only_one,
            peers_of: &peers_of,
            ignored: &none,
        });
        assert_eq!(log.len(), 3);
    }

    #[test]
    fn a_rebuilt_log_keeps_the_last_entries_and_serves_nothing_older() {
        let changes = [(1, 4), (2, 5), (4, 6), (5, 7)];
        let log = UpdateLog::rebuilt(&changes, 6, 2);
        assert_eq!(log.len(), 2);
        assert_eq!(log.floor(), 2);
        assert_eq!(log.head(), 6);
        assert_eq!(log.answer(1, 10, |_| true), Answer::TooOld { head: 6 });
        assert_eq!(
            log.answer(2, 10, |_| true),
            Answer::Keys {
                through: 6,
                keys: vec![6, 7],
                more: false
            }
        );
        let all = UpdateLog::rebuilt(&changes, 6, 10);
        assert_eq!(all.floor(), 0);
    }
}
