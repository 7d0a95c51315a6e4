//! The set of linearized operations: a compact bitset with an incremental hash and a canonical
//! window.
//!
//! Guarantees:
//! - [`Bitset::hash`] is the XOR of a fixed pseudo-random 64-bit key per member (Zobrist hashing),
//!   maintained in O(1) on every insert and remove, so the search never rehashes the whole set;
//! - [`Bitset::window`] is canonical: two bitsets hold the same members iff their windows are
//!   equal. The window skips the leading words that are all ones (operations linearized long ago)
//!   and the trailing words that are all zero (operations not reached yet), so the configuration
//!   cache stores only the few words around the search frontier instead of the whole history
//!   (Lowe 2017 stores whole sets; Porcupine clones the whole bitset per cache entry).

use std::hash::{BuildHasher, Hasher};

/// SplitMix64 finaliser: a bijective 64-bit mix, used for per-member keys and to mix state hashes.
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A set of operation ids `0..len`.
#[derive(Clone, Debug)]
pub struct Bitset {
    words: Vec<u64>,
    /// Number of leading words that are all ones.
    low: usize,
    /// One past the last non-zero word.
    high: usize,
    hash: u64,
}

impl Bitset {
    /// An empty set able to hold ids `0..len`.
    pub fn new(len: usize) -> Bitset {
        Bitset {
            words: vec![0; len.div_ceil(64).max(1)],
            low: 0,
            high: 0,
            hash: 0,
        }
    }

    /// Whether `id` is a member.
    pub fn contains(&self, id: u32) -> bool {
        let i = id as usize;
        self.words[i / 64] & (1 << (i % 64)) != 0
    }

    /// Add `id` (which must not be a member).
    pub fn insert(&mut self, id: u32) {
        let (w, bit) = (id as usize / 64, 1u64 << (id % 64));
        debug_assert!(self.words[w] & bit == 0);
        self.words[w] |= bit;
        self.hash ^= mix64(u64::from(id));
        self.high = self.high.max(w + 1);
        while self.low < self.words.len() && self.words[self.low] == u64::MAX {
            self.low += 1;
        }
    }

    /// Remove `id` (which must be a member).
    pub fn remove(&mut self, id: u32) {
        let (w, bit) = (id as usize / 64, 1u64 << (id % 64));
        debug_assert!(self.words[w] & bit != 0);
        self.words[w] &= !bit;
        self.hash ^= mix64(u64::from(id));
        self.low = self.low.min(w);
        while self.high > 0 && self.words[self.high - 1] == 0 {
            self.high -= 1;
        }
    }

    /// The order-independent hash of the members.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// The canonical window: (index of its first word, the words from there to the last non-zero
    /// word). Words before are all ones, words after are all zero.
    pub fn window(&self) -> (usize, &[u64]) {
        let low = self.low.min(self.high);
        (low, &self.words[low..self.high])
    }
}

/// A fast, non-cryptographic hasher for model states (FxHash's multiply-rotate), fed into
/// [`mix64`] before use. States are hashed only to index the cache, never to order output.
#[derive(Clone, Copy, Default)]
pub struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(b));
        }
        for &b in chunks.remainder() {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.hash = (self.hash.rotate_left(5) ^ i).wrapping_mul(FX_SEED);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Hash a state with [`FxHasher`] and mix the result.
pub fn hash_state<S: std::hash::Hash>(state: &S) -> u64 {
    let mut h = FxHasher::default();
    state.hash(&mut h);
    mix64(h.finish())
}

/// A `BuildHasher` for maps keyed by values that are already well-mixed 64-bit hashes.
#[derive(Clone, Copy, Default)]
pub struct PremixedState;

/// The identity hasher behind [`PremixedState`].
#[derive(Clone, Copy, Default)]
pub struct Premixed(u64);

impl Hasher for Premixed {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b) ^ (self.0 >> 56);
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl BuildHasher for PremixedState {
    type Hasher = Premixed;
    fn build_hasher(&self) -> Premixed {
        Premixed(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_order_independent_and_returns_to_zero() {
        let mut a = Bitset::new(200);
        let mut b = Bitset::new(200);
        for id in [3, 150, 64, 7] {
            a.insert(id);
        }
        for id in [7, 64, 3, 150] {
            b.insert(id);
        }
        assert_eq!(a.hash(), b.hash());
        assert_eq!(a.window(), b.window());
        for id in [3, 150, 64, 7] {
            a.remove(id);
        }
        assert_eq!(a.hash(), 0);
        assert_eq!(a.window(), (0, &[][..]));
    }

    #[test]
    fn window_skips_full_and_empty_words() {
        let mut s = Bitset::new(300);
        for id in 0..128 {
            s.insert(id);
        }
        s.insert(200);
        let (low, words) = s.window();
        assert_eq!(low, 2);
        assert_eq!(words, &[0, 1u64 << (200 - 192)][..]);
        assert!(s.contains(200) && s.contains(5) && !s.contains(128));
        s.remove(5);
        let (low, words) = s.window();
        assert_eq!(low, 0);
        assert_eq!(words.len(), 4);
        // A different set with the same window length differs in content.
        let mut t = Bitset::new(300);
        for id in 0..128 {
            t.insert(id);
        }
        t.insert(200);
        assert_ne!(s.window(), t.window());
        t.remove(5);
        assert_eq!(s.window(), t.window());
    }

    #[test]
    fn all_ones_set_has_an_empty_window_at_its_end() {
        let mut s = Bitset::new(128);
        for id in 0..128 {
            s.insert(id);
        }
        assert_eq!(s.window(), (2, &[][..]));
        let mut t = Bitset::new(128);
        assert_ne!(s.window(), t.window());
        for id in (0..128).rev() {
            t.insert(id);
        }
        assert_eq!(s.window(), t.window());
    }
}
