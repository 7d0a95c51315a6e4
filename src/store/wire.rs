//! Length-prefixed framing (pure encode, async decode over any reader).
//!
//! A frame is a 4-byte big-endian length followed by that many bytes of postcard-encoded serde data.
//! Frames larger than [`MAX_FRAME`] are rejected rather than allocated.

use serde::{de::DeserializeOwned, Serialize};
use std::io;
use tokio::io::{AsyncRead, AsyncReadExt};

/// The largest frame accepted (bytes of payload).
pub const MAX_FRAME: u32 = 16 << 20;

/// Encode a message as one frame (length prefix included).
pub fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    // Serialising our own plain enums into a Vec cannot fail.
    let mut out = postcard::to_extend(msg, vec![0u8; 4]).unwrap_or_else(|_| vec![0u8; 4]);
    let len = (out.len() - 4) as u32;
    out[..4].copy_from_slice(&len.to_be_bytes());
    out
}

/// Decode a frame's payload.
pub fn decode<T: DeserializeOwned>(payload: &[u8]) -> io::Result<T> {
    postcard::from_bytes(payload).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Read one frame's payload; `Ok(None)` on a clean end of stream between frames.
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len).await {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_be_bytes(len);
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes exceeds the {MAX_FRAME}-byte limit"),
        ));
    }
    let mut buf = vec![0u8; len as usize];
    r.read_exact(&mut buf).await?;
    Ok(Some(buf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::cell::Cell;
    use crate::store::proto::{Frame, Request, WriteKind};

    #[test]
    fn frames_round_trip() {
        let f = Frame {
            id: 42,
            body: Request::Write {
                key: -3,
                cell: Cell::live(77, vec![9; 20]),
                kind: WriteKind::ReadRepair,
                trace: Some(5),
            },
        };
        let bytes = encode(&f);
        let len = u32::from_be_bytes(bytes[..4].try_into().unwrap()) as usize;
        assert_eq!(len, bytes.len() - 4);
        let back: Frame<Request> = decode(&bytes[4..]).unwrap();
        assert_eq!(back, f);
    }

    #[tokio::test]
    async fn reader_splits_frames_and_sees_clean_eof() {
        let mut stream = encode(&Frame { id: 1, body: 5u32 });
        stream.extend(encode(&Frame { id: 2, body: 6u32 }));
        let mut r = &stream[..];
        let a: Frame<u32> = decode(&read_frame(&mut r).await.unwrap().unwrap()).unwrap();
        let b: Frame<u32> = decode(&read_frame(&mut r).await.unwrap().unwrap()).unwrap();
        assert_eq!((a.id, a.body, b.id, b.body), (1, 5, 2, 6));
        assert!(read_frame(&mut r).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn oversized_and_garbage_frames_are_errors_not_panics() {
        let mut r = &[0xffu8, 0xff, 0xff, 0xff][..];
        assert!(read_frame(&mut r).await.is_err());
        assert!(decode::<Frame<Request>>(&[0xff, 0xff, 0xff]).is_err());
    }
}
