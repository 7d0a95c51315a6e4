//! The peer side of an exchange, asked directly.

use crate::support::*;
use quorumlab::store::merkle::{shared_cells_in, shared_tree};
use quorumlab::store::proto::{Request, Response};
use quorumlab::sut::builtin_client::BuiltinClient;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

#[test]
fn the_peer_side_answers_its_shared_tree_and_refuses_what_does_not_fit() {
    let mut cluster = cluster(3, false);
    acked(write_all(
        &mut cluster,
        "n2",
        (0..30).map(|k| (k, k)).collect(),
    ));
    step_for(&mut cluster, Duration::from_millis(500));
    let depth = cluster.config().anti_entropy.depth;
    let (n1, n2) = (
        cluster.ring().id("n1").unwrap(),
        cluster.ring().id("n2").unwrap(),
    );
    let cells = cluster.observed().borrow()["n2"].borrow().clone();
    let expected = shared_tree(&cells, cluster.ring(), n2, n1, depth);
    let leaves: Vec<u32> = (0..1u32 << depth).collect();
    let asks = vec![
        Request::MerkleLevel {
            from: "n1".into(),
            level: 0,
            positions: vec![0],
        },
        Request::MerkleCells {
            from: "n1".into(),
            buckets: leaves.clone(),
        },
        Request::MerkleLevel {
            from: "n9".into(),
            level: 0,
            positions: vec![0],
        },
        Request::MerkleLevel {
            from: "n1".into(),
            level: 1,
            positions: vec![2],
        },
        Request::MerkleCells {
            from: "n1".into(),
            buckets: vec![1 << depth],
        },
    ];
    let out: Rc<RefCell<Option<Vec<Response>>>> = Rc::default();
    let (sink, port) = (out.clone(), cluster.config().port);
    cluster.sim.client("asker", async move {
        let s = BuiltinClient::new(
            "n2",
            port,
            Duration::from_millis(200),
            Duration::from_secs(2),
        );
        let mut answers = Vec::new();
        for req in asks {
            answers.push(s.request(req).await?);
        }
        sink.replace(Some(answers));
        Ok(())
    });
    step_until(&mut cluster, Duration::from_secs(10), |_| {
        out.borrow().is_some()
    })
    .expect("asker stuck");
    let answers = out.borrow_mut().take().unwrap();
    assert_ne!(expected.root(), 0, "n1 and n2 share some of the 30 keys");
    assert_eq!(answers[0], Response::MerkleLevel(vec![expected.root()]));
    let shared = shared_cells_in(&cells, cluster.ring(), (n2, n1), depth, &leaves);
    assert_eq!(answers[1], Response::MerkleCells(shared.clone()));
    assert!(
        shared.len() < cells.len(),
        "keys n1 does not replicate are not sent"
    );
    for (i, answer) in answers.iter().enumerate().skip(2) {
        assert!(
            matches!(answer, Response::Refused(_)),
            "request {i}: {answer:?}"
        );
    }
}
