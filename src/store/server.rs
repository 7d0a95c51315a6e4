//! The listening side of the RPC layer: accept connections, read request frames, run the handler for
//! each request in its own task (so a slow coordinator operation never blocks the connection), and
//! write the responses back tagged with the request id.
//!
//! A malformed frame closes the connection; it never panics the node.

use super::metrics::Metrics;
use super::proto::{Frame, Request, Response};
use super::wire::{decode, encode, read_frame};
use std::future::Future;
use std::rc::Rc;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use turmoil::net::tcp::OwnedWriteHalf;
use turmoil::net::{TcpListener, TcpStream};

/// Serve requests on `listener` forever with `handler`.
pub async fn serve<H, Fut>(listener: TcpListener, handler: Rc<H>, metrics: Rc<Metrics>)
where
    H: Fn(Request) -> Fut + 'static,
    Fut: Future<Output = Response> + 'static,
{
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                tokio::task::spawn_local(connection(stream, handler.clone(), metrics.clone()));
            }
            Err(e) => tracing::debug!("accept failed: {e}"),
        }
    }
}

async fn connection<H, Fut>(stream: TcpStream, handler: Rc<H>, metrics: Rc<Metrics>)
where
    H: Fn(Request) -> Fut + 'static,
    Fut: Future<Output = Response> + 'static,
{
    let (mut rd, wr) = stream.into_split();
    let (tx, rx) = mpsc::unbounded_channel::<Vec<u8>>();
    tokio::task::spawn_local(write_loop(wr, rx));
    while let Ok(Some(payload)) = read_frame(&mut rd).await {
        let Ok(frame) = decode::<Frame<Request>>(&payload) else {
            tracing::debug!("malformed request frame; closing connection");
            break;
        };
        let handler = handler.clone();
        let tx = tx.clone();
        let metrics = metrics.clone();
        tokio::task::spawn_local(async move {
            let body = handler(frame.body).await;
            let bytes = encode(&Frame { id: frame.id, body });
            Metrics::inc(&metrics.frames_sent);
            Metrics::add(&metrics.bytes_sent, bytes.len() as u64);
            let _ = tx.send(bytes);
        });
    }
}

/// Write queued frames in order until every sender is gone or the stream breaks.
pub(crate) async fn write_loop(mut wr: OwnedWriteHalf, mut rx: mpsc::UnboundedReceiver<Vec<u8>>) {
    while let Some(bytes) = rx.recv().await {
        if wr.write_all(&bytes).await.is_err() {
            break;
        }
    }
}
