//! The harness's client of one node: one connection, re-dialled after any failure.
//!
//! Outcomes: a reply maps onto [`Done`] or [`Failure`] as the node said; a node that cannot be
//! dialled, or any failed read, is [`Failure::Definite`] (nothing was sent, or nothing was
//! changed); a write whose request may have left is [`Failure::Indefinite`].

use crate::wire::{dial, exchange, Command, Msg, Reply};
use quorumlab::sut::{Client, Done, Failure, LocalBoxFuture, Op, OpKind};
use std::cell::RefCell;
use tokio::time::Duration;
use turmoil::net::TcpStream;

const CONNECT: Duration = Duration::from_millis(200);

pub struct LeaderClient {
    node: String,
    op_timeout: Duration,
    stream: RefCell<Option<TcpStream>>,
}

impl LeaderClient {
    pub fn new(node: &str, op_timeout: Duration) -> LeaderClient {
        LeaderClient {
            node: node.to_string(),
            op_timeout,
            stream: RefCell::new(None),
        }
    }
}

impl Client for LeaderClient {
    fn call(&self, op: Op) -> LocalBoxFuture<'_, Result<Done, Failure>> {
        Box::pin(async move {
            let write = match op.kind {
                OpKind::Read => None,
                OpKind::Write(value) => Some(Some(value)),
                OpKind::Delete => Some(None),
            };
            let read = write.is_none();
            // Taken out for the call: a call the harness abandons drops the connection with it.
            let taken = self.stream.borrow_mut().take();
            let mut stream = match taken {
                Some(s) => s,
                None => dial(&self.node, CONNECT)
                    .await
                    .map_err(|e| Failure::Definite(format!("{}: {e}", self.node)))?,
            };
            let cmd = Command {
                op: op.op,
                key: op.key,
                write,
            };
            let reply = exchange(&mut stream, &Msg::Client(cmd), self.op_timeout).await;
            // A read changes nothing, so a failed read is always definite.
            let failed = |definite: bool, why: String| match definite || read {
                true => Failure::Definite(why),
                false => Failure::Indefinite(why),
            };
            let reply = reply.map_err(|e| failed(false, e.to_string()))?;
            *self.stream.borrow_mut() = Some(stream);
            match reply {
                Reply::Read { value, ts } => Ok(Done::Read { value, ts }),
                Reply::Written { seq } => Ok(Done::Written { ts: Some(seq) }),
                Reply::Failed { definite, why } => Err(failed(definite, why)),
                Reply::Ack { .. } => Err(failed(false, "unexpected ack".into())),
            }
        })
    }
}
