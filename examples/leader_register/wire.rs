//! The store's messages and their framing: a 4-byte big-endian length, then postcard bytes. One
//! connection carries one exchange at a time (request, then its reply).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::io;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::{timeout, Duration};
use turmoil::net::TcpStream;

/// The port every node listens on.
pub const PORT: u16 = 7100;
/// The largest frame accepted.
const MAX_FRAME: usize = 16 << 20;

/// One log entry: the write with sequence number `seq` (`value: None` deletes `key`). `op` is the
/// history index of the client operation, for events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub op: u64,
    pub key: i64,
    pub value: Option<Vec<u8>>,
}

/// A client operation (`write`: `None` reads, `Some(None)` deletes, `Some(Some(v))` writes `v`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Command {
    pub op: u64,
    pub key: i64,
    pub write: Option<Option<Vec<u8>>>,
}

/// A request: from a client (or a follower forwarding one), or from the leader to a follower.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Msg {
    /// Perform a client operation.
    Client(Command),
    /// Leader → follower: these entries, in order (empty: a probe for the follower's last seq).
    Append(Vec<Entry>),
}

/// A reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// A read: the value (`None`: absent or deleted) and the seq of the write that set it.
    Read {
        value: Option<Vec<u8>>,
        ts: Option<u64>,
    },
    /// A write or delete took effect as entry `seq`.
    Written { seq: u64 },
    /// The operation did not complete; `definite`: it certainly had no effect.
    Failed { definite: bool, why: String },
    /// A follower holds every entry up to `last` durably.
    Ack { last: u64 },
}

impl Reply {
    /// A failure; `definite`: the operation certainly had no effect.
    pub fn failed(definite: bool, why: impl std::fmt::Display) -> Reply {
        Reply::Failed {
            definite,
            why: why.to_string(),
        }
    }
}

/// Write one message as a frame.
pub async fn send<T: Serialize>(stream: &mut TcpStream, msg: &T) -> io::Result<()> {
    let body =
        postcard::to_stdvec(msg).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let mut frame = (body.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(&body);
    stream.write_all(&frame).await
}

/// Read one frame; `Ok(None)` at a clean end of stream.
pub async fn recv<T: DeserializeOwned>(stream: &mut TcpStream) -> io::Result<Option<T>> {
    let mut len = [0u8; 4];
    match stream.read_exact(&mut len).await {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "frame too large",
        ));
    }
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).await?;
    postcard::from_bytes(&body)
        .map(Some)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Dial `host` within `within`.
pub async fn dial(host: &str, within: Duration) -> io::Result<TcpStream> {
    match timeout(within, TcpStream::connect((host, PORT))).await {
        Ok(r) => r,
        Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out")),
    }
}

/// Send `msg` and wait up to `within` for the reply. An error leaves the stream unusable: the
/// caller drops it (turmoil has no retransmission, so a stream that lost a segment is wedged).
pub async fn exchange(stream: &mut TcpStream, msg: &Msg, within: Duration) -> io::Result<Reply> {
    let round = async {
        send(stream, msg).await?;
        recv::<Reply>(stream)
            .await?
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed"))
    };
    match timeout(within, round).await {
        Ok(r) => r,
        Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "no reply in time")),
    }
}
