//! Digests of replica answers (pure): the xxh3 hash a replica returns instead of the cell on a
//! digest read. Equal answers have equal digests; the absent cell, a tombstone and every live
//! value have distinct encodings. A digest travels as 8 fixed bytes (not a varint), so a digest
//! answer is smaller than a data answer as soon as the value is larger than a few bytes.

use super::cell::Cell;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

/// The digest of one replica's answer for one key: 8 bytes on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Digest(pub [u8; 8]);

/// Which parts of the cell a digest covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// Timestamp, tombstone flag and value: the correct digest.
    Whole,
    /// Timestamp and tombstone flag only (a planted bug: cells that differ only in their value
    /// look equal).
    TimestampOnly,
}

/// The xxh3 digest of a replica's answer for one key.
pub fn digest(cell: Option<&Cell>, coverage: Coverage) -> Digest {
    let mut h = Xxh3::new();
    match cell {
        None => h.update(&[0u8]),
        Some(c) => {
            h.update(&[if c.is_tombstone() { 2 } else { 1 }]);
            h.update(&c.ts.to_le_bytes());
            if let (Some(v), Coverage::Whole) = (&c.value, coverage) {
                h.update(&(v.len() as u64).to_le_bytes());
                h.update(v);
            }
        }
    }
    Digest(h.digest().to_le_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(cell: Option<Cell>) -> Digest {
        digest(cell.as_ref(), Coverage::Whole)
    }

    #[test]
    fn equal_cells_have_equal_digests() {
        assert_eq!(
            d(Some(Cell::live(100, vec![7]))),
            d(Some(Cell::live(100, vec![7])))
        );
        assert_eq!(d(None), d(None));
        assert_eq!(d(Some(Cell::tombstone(3))), d(Some(Cell::tombstone(3))));
    }

    #[test]
    fn different_answers_have_different_digests() {
        let base = Cell::live(100, vec![7]);
        let others = [
            None,
            Some(Cell::live(100, vec![8])),
            Some(Cell::live(101, vec![7])),
            Some(Cell::live(0, vec![])),
            Some(Cell::tombstone(100)),
            Some(Cell::live(100, vec![7, 0])),
        ];
        for o in others {
            assert_ne!(d(Some(base.clone())), d(o.clone()), "{o:?}");
        }
        assert_ne!(d(None), d(Some(Cell::live(0, vec![]))));
        assert_ne!(d(None), d(Some(Cell::tombstone(0))));
    }

    #[test]
    fn a_timestamp_only_digest_misses_value_differences() {
        let a = Cell::live(100, vec![1]);
        let b = Cell::live(100, vec![2]);
        assert_eq!(
            digest(Some(&a), Coverage::TimestampOnly),
            digest(Some(&b), Coverage::TimestampOnly)
        );
        assert_ne!(
            digest(Some(&a), Coverage::Whole),
            digest(Some(&b), Coverage::Whole)
        );
    }

    #[test]
    fn a_digest_is_eight_bytes_on_the_wire() {
        let bytes = postcard::to_allocvec(&d(Some(Cell::live(u64::MAX, vec![1; 100])))).unwrap();
        assert_eq!(bytes.len(), 8);
    }
}
