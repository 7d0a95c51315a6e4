//! How a coordinator reaches a key's replicas: itself directly (no network, through
//! [`super::replica::serve`]), others through the connection pool. A [`Target`] is a replica known
//! to be reachable at the moment it was chosen. This is all the network the coordinator paths
//! ([`super::read_path`], [`super::write_path`], [`super::handoff`]) use.

use super::pool::{Conn, RpcError};
use super::proto::{Request, Response};
use super::ring::NodeId;
use super::state::Node;
use std::rc::Rc;
use tokio::task::JoinHandle;

/// A reachable replica.
#[derive(Clone)]
pub enum Target {
    /// The coordinator itself.
    Local,
    /// A peer with a live connection.
    Remote(Rc<Conn>),
}

/// Make sure `replica` is reachable (dial it if needed).
pub async fn reach(node: &Rc<Node>, replica: NodeId) -> Result<Target, RpcError> {
    if replica == node.id() {
        return Ok(Target::Local);
    }
    let conn = node.connect(replica).await?;
    Ok(Target::Remote(conn))
}

/// Try to reach every replica in `replicas` concurrently; results in the same order.
pub async fn reach_all(node: &Rc<Node>, replicas: &[NodeId]) -> Vec<Result<Target, RpcError>> {
    let handles: Vec<JoinHandle<Result<Target, RpcError>>> = replicas
        .iter()
        .map(|&r| {
            let node = node.clone();
            tokio::task::spawn_local(async move { reach(&node, r).await })
        })
        .collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.unwrap_or(Err(RpcError::Lost)));
    }
    out
}

/// Send a replica request to a reachable replica and wait for its answer.
pub async fn send(node: &Rc<Node>, target: &Target, req: Request) -> Result<Response, RpcError> {
    match target {
        Target::Local => Ok(super::replica::serve(node, req).await),
        Target::Remote(conn) => node.call_on(conn, req).await,
    }
}

/// Spawn [`send`] as its own task, so the caller can wait on several replicas at once.
pub fn spawn_send(
    node: &Rc<Node>,
    target: &Target,
    req: Request,
) -> JoinHandle<Result<Response, RpcError>> {
    let node = node.clone();
    let target = target.clone();
    tokio::task::spawn_local(async move { send(&node, &target, req).await })
}
