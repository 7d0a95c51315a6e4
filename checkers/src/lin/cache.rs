//! The configuration cache of the search: every (linearized set, state) pair already explored
//! (Lowe 2017's memoisation; Porcupine's `cache`).
//!
//! Guarantees: [`Cache::insert`] returns `false` exactly when an equal configuration — equal
//! set of linearized operations and equal state — was inserted before. Hash collisions are
//! resolved by comparing the stored windows and states, so a collision can cost time but never
//! prunes a configuration that was not explored. Bitset windows live in one flat arena of words
//! and entries in one vector: inserting allocates only when those grow.

use super::bitset::{Bitset, PremixedState};
use std::collections::HashMap;

struct Entry<S> {
    /// Next entry with the same hash, or `u32::MAX`.
    next: u32,
    low: u32,
    start: usize,
    len: u32,
    state: S,
}

/// A set of explored configurations.
pub struct Cache<S> {
    heads: HashMap<u64, u32, PremixedState>,
    entries: Vec<Entry<S>>,
    words: Vec<u64>,
}

impl<S: Eq + Clone> Cache<S> {
    /// An empty cache.
    pub fn new() -> Cache<S> {
        Cache::with_capacity(0)
    }

    /// An empty cache with room for `n` configurations before it grows.
    pub fn with_capacity(n: usize) -> Cache<S> {
        Cache {
            heads: HashMap::with_capacity_and_hasher(n, PremixedState),
            entries: Vec::with_capacity(n),
            words: Vec::with_capacity(n),
        }
    }

    /// Number of configurations stored.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// About how many bytes the cache holds: its entries, bitset words and hash slots (a state's
    /// own heap data, for the models whose states have any, is not counted).
    pub fn approx_bytes(&self) -> u64 {
        let entries = self.entries.capacity() * std::mem::size_of::<Entry<S>>();
        let words = self.words.capacity() * std::mem::size_of::<u64>();
        // A hash slot: the u64 key, the u32 head and one control byte, padded.
        let slots = self.heads.capacity() * 16;
        (entries + words + slots) as u64
    }

    /// Insert the configuration (`bits`, `state`) whose combined hash is `hash`; `false` when it
    /// was already present.
    pub fn insert(&mut self, bits: &Bitset, state: &S, hash: u64) -> bool {
        let (low, window) = bits.window();
        let head = self.heads.entry(hash).or_insert(u32::MAX);
        let mut i = *head;
        while i != u32::MAX {
            let e = &self.entries[i as usize];
            if e.low as usize == low
                && e.len as usize == window.len()
                && &e.state == state
                && self.words[e.start..e.start + window.len()] == *window
            {
                return false;
            }
            i = e.next;
        }
        let start = self.words.len();
        self.words.extend_from_slice(window);
        self.entries.push(Entry {
            next: *head,
            low: low as u32,
            start,
            len: window.len() as u32,
            state: state.clone(),
        });
        *head = (self.entries.len() - 1) as u32;
        true
    }
}

impl<S: Eq + Clone> Default for Cache<S> {
    fn default() -> Self {
        Cache::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_configurations_are_found_and_collisions_are_not_confused() {
        let mut c: Cache<u32> = Cache::new();
        let mut a = Bitset::new(100);
        a.insert(3);
        assert!(c.insert(&a, &7, 42));
        assert!(!c.insert(&a, &7, 42));
        // Same hash, different state or set: distinct entries.
        assert!(c.insert(&a, &8, 42));
        let mut b = Bitset::new(100);
        b.insert(4);
        assert!(c.insert(&b, &7, 42));
        assert!(!c.insert(&b, &7, 42));
        assert_eq!(c.len(), 3);
        assert!(c.approx_bytes() >= 3 * 8);
    }
}
