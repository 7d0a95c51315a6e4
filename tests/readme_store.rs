//! README's "Your own store" example, verbatim (`readme_still_shows_this_store` fails when the two
//! drift apart): a system under test of the user's own, run through the same harness.

use quorumlab::lab::Experiment;
use quorumlab::sim::schedule::FaultKind;
use quorumlab::sut::{
    Client, Done, Failure, LocalBoxFuture, NodeContext, NodeSoftware, Op, OpKind, System,
};
use quorumlab::tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use quorumlab::turmoil::net::{TcpListener, TcpStream};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

struct OneNode;

impl System for OneNode {
    fn nodes(&self) -> Vec<String> {
        vec!["solo".into()]
    }

    fn boot(&self, _ctx: NodeContext) -> NodeSoftware {
        Box::pin(async move {
            let listener = TcpListener::bind("0.0.0.0:9000").await?;
            let map: Rc<RefCell<BTreeMap<String, String>>> = Rc::default();
            loop {
                let (socket, _) = listener.accept().await?;
                let map = map.clone();
                quorumlab::tokio::task::spawn_local(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let words: Vec<&str> = line.split(' ').collect();
                        let answer = match words.as_slice() {
                            ["get", k] => map.borrow().get(*k).cloned().unwrap_or("-".into()),
                            ["put", k, v] => {
                                map.borrow_mut().insert(k.to_string(), v.to_string());
                                "ok".into()
                            }
                            ["del", k] => {
                                map.borrow_mut().remove(*k);
                                "ok".into()
                            }
                            _ => "?".into(),
                        };
                        if write
                            .write_all(format!("{answer}\n").as_bytes())
                            .await
                            .is_err()
                        {
                            break;
                        }
                    }
                });
            }
        })
    }

    fn client(&self, coordinator: &str) -> Box<dyn Client> {
        Box::new(LineClient(format!("{coordinator}:9000")))
    }
}

struct LineClient(String);

impl Client for LineClient {
    fn call(&self, op: Op) -> LocalBoxFuture<'_, Result<Done, Failure>> {
        Box::pin(async move {
            let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
            let line = match &op.kind {
                OpKind::Read => format!("get {}\n", op.key),
                OpKind::Write(v) => format!("put {} {}\n", op.key, hex(v)),
                OpKind::Delete => format!("del {}\n", op.key),
            };
            // Nothing sent yet: a refused connection is a definite failure.
            let socket = TcpStream::connect(self.0.as_str())
                .await
                .map_err(|e| Failure::Definite(e.to_string()))?;
            let (read, mut write) = socket.into_split();
            let unsure = |e: std::io::Error| Failure::Indefinite(e.to_string());
            write.write_all(line.as_bytes()).await.map_err(unsure)?;
            let answer = BufReader::new(read)
                .lines()
                .next_line()
                .await
                .map_err(unsure)?;
            match (op.kind, answer.as_deref()) {
                (OpKind::Read, Some("-")) => Ok(Done::Read {
                    value: None,
                    ts: None,
                }),
                (OpKind::Read, Some(h)) => {
                    let byte = |i: usize| u8::from_str_radix(h.get(i..i + 2)?, 16).ok();
                    let value = Some((0..h.len()).step_by(2).filter_map(byte).collect());
                    Ok(Done::Read { value, ts: None })
                }
                (_, Some("ok")) => Ok(Done::Written { ts: None }),
                (_, other) => Err(Failure::Indefinite(format!("answer {other:?}"))),
            }
        })
    }
}

#[test]
fn one_node_is_linearizable() {
    Experiment::new("one-node")
        .system("one-node", |_cfg| OneNode)
        .seeds(1..=5)
        .run()
        .assert_valid();
}

/// It keeps its map in memory: a crash forgets every acknowledged write, and the harness says so.
#[test]
fn a_crash_makes_it_forget_acknowledged_writes() {
    let checkers = ["linearizable", "lost-writes"];
    Experiment::new("one-node-crash")
        .system("one-node", |_cfg| OneNode)
        .nemesis(&[FaultKind::CrashMajority]) // a majority of one node: the node
        .seeds(1..=10)
        .search(&checkers)
        .assert_found(&checkers);
}
/// The README's store block is this file's code, line for line.
#[test]
fn readme_still_shows_this_store() {
    let readme = include_str!("../README.md");
    let block = readme
        .split("```rust\n")
        .find(|b| b.contains("struct OneNode"))
        .and_then(|rest| rest.split("```").next())
        .expect("README has the one-node store block");
    assert!(
        include_str!("readme_store.rs").contains(block),
        "README's store example and tests/readme_store.rs differ: copy one onto the other"
    );
}

/// Determinism holds for any system that draws nothing from outside the simulation: the same seed
/// and configuration give byte-identical histories, crashes included.
#[test]
fn the_one_node_store_replays_byte_for_byte() {
    use quorumlab::sim::outcome::history_hash;
    use quorumlab::sim::run::run_system;
    let cfg = Experiment::new("one-node-crash")
        .system("one-node", |_cfg| OneNode)
        .nemesis(&[FaultKind::CrashMajority])
        .config_for(3)
        .unwrap();
    let once = || run_system(&cfg, Rc::new(OneNode), true).unwrap();
    let (a, b) = (once(), once());
    assert_eq!(history_hash(&a.history), history_hash(&b.history));
    assert_eq!(a.config, b.config);
    assert!(a
        .history
        .iter()
        .any(|e| e.f == "crash-set" || e.f.starts_with("crash")));
}
