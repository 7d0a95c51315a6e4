//! How the clients turn a history value (an integer, unique per key) into the opaque bytes the
//! store keeps, and back.
//!
//! A value is `[id: 8 bytes][payload: value_bytes − 8 bytes]` (at least the 8 id bytes). The id is
//! big-endian with the sign bit flipped, so the store's byte order on values is the numeric order
//! of ids (its tie-break "larger value wins" means the same in the history). The payload is a
//! deterministic function of the key and the id (xxh3 stream), so a read can verify that the bytes
//! it got are exactly the bytes some write sent: anything else is reported as corrupt.

use crate::store::cell::Bytes;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The smallest value: the 8 id bytes.
pub const ID_BYTES: usize = 8;

/// The bytes written for value `id` of `key`, `len` bytes long (at least [`ID_BYTES`]).
pub fn encode(key: i64, id: i64, len: usize) -> Bytes {
    let len = len.max(ID_BYTES);
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&((id as u64) ^ (1 << 63)).to_be_bytes());
    let mut block = 0u64;
    while out.len() < len {
        let word = xxh3_64_with_seed(&[key.to_le_bytes(), id.to_le_bytes()].concat(), block);
        let take = (len - out.len()).min(8);
        out.extend_from_slice(&word.to_le_bytes()[..take]);
        block += 1;
    }
    out
}

/// The cell a write of value `id` (8 bytes) to `key` at timestamp `ts` leaves on a replica.
pub fn cell(key: i64, id: i64, ts: u64) -> crate::store::cell::Cell {
    crate::store::cell::Cell::live(ts, encode(key, id, ID_BYTES))
}

/// A client request writing value `id` (8 bytes) to `key`, outside any recorded history.
pub fn write_request(key: i64, id: i64) -> crate::store::proto::Request {
    crate::store::proto::Request::ClientWrite {
        key,
        value: encode(key, id, ID_BYTES),
        trace: None,
    }
}

/// Why bytes read back are not a value any client wrote.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Corrupt {
    /// Fewer than 8 bytes.
    #[error("{0} bytes, shorter than a value id")]
    TooShort(usize),
    /// The payload does not match the id.
    #[error("payload of value {id} does not match its id")]
    Payload {
        /// The id the bytes claim.
        id: i64,
    },
}

/// The id of a value read back, after checking its payload.
pub fn decode(key: i64, bytes: &[u8]) -> Result<i64, Corrupt> {
    let head: [u8; ID_BYTES] = bytes
        .get(..ID_BYTES)
        .and_then(|h| h.try_into().ok())
        .ok_or(Corrupt::TooShort(bytes.len()))?;
    let id = (u64::from_be_bytes(head) ^ (1 << 63)) as i64;
    if encode(key, id, bytes.len()) != bytes {
        return Err(Corrupt::Payload { id });
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_at_every_size() {
        for len in [0, 8, 9, 64, 1024, 1031] {
            for id in [-3, 0, 1, 7, i64::MAX] {
                let b = encode(5, id, len);
                assert_eq!(b.len(), len.max(8));
                assert_eq!(decode(5, &b), Ok(id));
            }
        }
    }

    #[test]
    fn byte_order_is_numeric_order() {
        let ids = [-100i64, -1, 0, 1, 2, 255, 256, 1 << 40];
        for w in ids.windows(2) {
            assert!(encode(1, w[0], 8) < encode(1, w[1], 8), "{w:?}");
        }
    }

    #[test]
    fn tampered_bytes_are_corrupt() {
        let mut b = encode(1, 42, 32);
        b[20] ^= 1;
        assert_eq!(decode(1, &b), Err(Corrupt::Payload { id: 42 }));
        assert_eq!(
            decode(2, &encode(1, 42, 32)),
            Err(Corrupt::Payload { id: 42 })
        );
        assert_eq!(decode(1, &[1, 2]), Err(Corrupt::TooShort(2)));
    }
}
