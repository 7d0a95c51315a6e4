//! Digests of replica answers (pure): the xxh3 hash a replica returns instead of the cell on a
//! digest read. Equal answers have equal digests; the absent cell has its own digest distinct from
//! every present cell's encoding.

use super::cell::Cell;
use xxhash_rust::xxh3::xxh3_64;

/// The xxh3 digest of a replica's answer for one key.
pub fn digest(cell: Option<Cell>) -> u64 {
    match cell {
        None => xxh3_64(&[0u8]),
        Some(c) => {
            let mut buf = [0u8; 17];
            buf[0] = 1;
            buf[1..9].copy_from_slice(&c.value.to_le_bytes());
            buf[9..17].copy_from_slice(&c.ts.to_le_bytes());
            xxh3_64(&buf)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_cells_have_equal_digests() {
        let a = Some(Cell { value: 7, ts: 100 });
        assert_eq!(digest(a), digest(Some(Cell { value: 7, ts: 100 })));
        assert_eq!(digest(None), digest(None));
    }

    #[test]
    fn different_answers_have_different_digests() {
        let base = Cell { value: 7, ts: 100 };
        let others = [
            None,
            Some(Cell { value: 8, ts: 100 }),
            Some(Cell { value: 7, ts: 101 }),
            Some(Cell { value: 0, ts: 0 }),
        ];
        for o in others {
            assert_ne!(digest(Some(base)), digest(o), "{o:?}");
        }
        assert_ne!(digest(None), digest(Some(Cell { value: 0, ts: 0 })));
    }
}
