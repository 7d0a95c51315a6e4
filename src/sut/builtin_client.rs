//! The built-in store's client: one connection pool to one coordinator, speaking the store's RPC
//! protocol ([`crate::store::proto`]), its answers mapped onto [`Done`] and [`Failure`].
//!
//! Mapping: `ReadOk` → a read of the cell's bytes and timestamp (a tombstone reads as no value
//! with its timestamp); `WriteOk` → written with its timestamp; an error the store marks definite
//! (`Unavailable`: nothing was sent) or an unreachable coordinator → [`Failure::Definite`];
//! everything else (timeouts, lost connections, unexpected answers) → [`Failure::Indefinite`].

use super::{Client, Done, Failure, LocalBoxFuture, Op, OpKind};
use crate::store::metrics::Metrics;
use crate::store::pool::{Pool, RpcError};
use crate::store::proto::{Request, Response};
use std::rc::Rc;
use std::time::Duration;

/// A client of the built-in store bound to one coordinator.
pub struct BuiltinClient {
    pool: Pool,
    coordinator: String,
    op_timeout: Duration,
}

impl BuiltinClient {
    /// A client of `coordinator` on `port`, with a dial and an operation deadline.
    pub fn new(coordinator: &str, port: u16, connect: Duration, op_timeout: Duration) -> Self {
        BuiltinClient {
            pool: Pool::new(port, connect, Rc::new(Metrics::default())),
            coordinator: coordinator.to_string(),
            op_timeout,
        }
    }

    /// Send one request and wait for its answer (unrecorded).
    pub async fn request(&self, req: Request) -> Result<Response, RpcError> {
        self.pool
            .call(&self.coordinator, req, self.op_timeout)
            .await
    }
}

impl Client for BuiltinClient {
    fn call(&self, op: Op) -> LocalBoxFuture<'_, Result<Done, Failure>> {
        Box::pin(async move {
            let trace = Some(op.op);
            let key = op.key;
            let req = match op.kind {
                OpKind::Read => Request::ClientRead { key, trace },
                OpKind::Write(value) => Request::ClientWrite { key, value, trace },
                OpKind::Delete => Request::ClientDelete { key, trace },
            };
            outcome(self.request(req).await)
        })
    }
}

/// How an answer (or its absence) ends the operation.
fn outcome(answer: Result<Response, RpcError>) -> Result<Done, Failure> {
    match answer {
        Ok(Response::ReadOk { cell }) => Ok(Done::Read {
            ts: cell.as_ref().map(|c| c.ts),
            value: cell.and_then(|c| c.value),
        }),
        Ok(Response::WriteOk { ts }) => Ok(Done::Written { ts: Some(ts) }),
        Ok(Response::Error(e)) if e.is_definite() => Err(Failure::Definite(e.to_string())),
        Ok(Response::Error(e)) => Err(Failure::Indefinite(e.to_string())),
        Ok(other) => Err(Failure::Indefinite(format!("unexpected answer {other:?}"))),
        Err(e @ RpcError::Unreachable(_)) => Err(Failure::Definite(e.to_string())),
        Err(e) => Err(Failure::Indefinite(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::cell::Cell;
    use crate::store::proto::ClientError;

    #[test]
    fn answers_map_onto_outcomes() {
        let read = |cell| outcome(Ok(Response::ReadOk { cell }));
        assert_eq!(
            read(None),
            Ok(Done::Read {
                value: None,
                ts: None
            })
        );
        assert_eq!(
            read(Some(Cell::tombstone(7))),
            Ok(Done::Read {
                value: None,
                ts: Some(7)
            })
        );
        assert_eq!(
            read(Some(Cell::live(9, vec![1, 2]))),
            Ok(Done::Read {
                value: Some(vec![1, 2]),
                ts: Some(9)
            })
        );
        assert_eq!(
            outcome(Ok(Response::WriteOk { ts: 3 })),
            Ok(Done::Written { ts: Some(3) })
        );
        assert!(matches!(
            outcome(Err(RpcError::Unreachable("x".into()))),
            Err(Failure::Definite(_))
        ));
        assert!(matches!(
            outcome(Err(RpcError::Lost)),
            Err(Failure::Indefinite(_))
        ));
        let unavailable = ClientError::Unavailable {
            alive: 1,
            needed: 2,
        };
        assert!(matches!(
            outcome(Ok(Response::Error(unavailable))),
            Err(Failure::Definite(_))
        ));
    }
}
