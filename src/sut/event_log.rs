//! Events a system reports through [`super::NodeContext::emit`]: counted per kind (mechanism
//! coverage) and, when the run records events, rendered as `events.jsonl` lines in the order they
//! happened (simulated time never goes back, so that order is time order).

use crate::sim::clock::sim_now_ns;
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// The run's log of reported events (shared by every node; cloning shares it).
#[derive(Clone, Default)]
pub struct EventLog {
    inner: Rc<RefCell<Inner>>,
}

#[derive(Default)]
struct Inner {
    record: bool,
    coverage: BTreeMap<String, u64>,
    lines: Vec<String>,
}

impl EventLog {
    /// A log that keeps lines when `record` is set (it always counts).
    pub fn new(record: bool) -> EventLog {
        let log = EventLog::default();
        log.inner.borrow_mut().record = record;
        log
    }

    /// Count one event and keep its line when recording.
    pub fn emit(&self, node: &str, kind: &str, key: Option<i64>, fields: Value) {
        let mut inner = self.inner.borrow_mut();
        *inner.coverage.entry(kind.to_string()).or_insert(0) += 1;
        if !inner.record {
            return;
        }
        let mut m = Map::new();
        m.insert("time".into(), json!(sim_now_ns()));
        m.insert("node".into(), json!(node));
        m.insert("kind".into(), json!(kind));
        if let Some(k) = key {
            m.insert("key".into(), json!(k));
        }
        match fields {
            Value::Object(extra) => {
                for (k, v) in extra {
                    m.entry(k).or_insert(v);
                }
            }
            Value::Null => {}
            other => {
                m.insert("detail".into(), other);
            }
        }
        inner.lines.push(Value::Object(m).to_string());
    }

    /// How often each kind was reported.
    pub fn coverage(&self) -> BTreeMap<String, u64> {
        self.inner.borrow().coverage.clone()
    }

    /// The lines kept so far, taken out of the log.
    pub fn take_lines(&self) -> Vec<String> {
        std::mem::take(&mut self.inner.borrow_mut().lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_always_and_keeps_lines_only_when_recording() {
        let quiet = EventLog::new(false);
        quiet.emit("n1", "elected", None, Value::Null);
        quiet.emit("n1", "elected", Some(3), json!({"term": 2}));
        assert_eq!(quiet.coverage().get("elected"), Some(&2));
        assert!(quiet.take_lines().is_empty());

        let loud = EventLog::new(true);
        loud.emit(
            "n2",
            "apply",
            Some(4),
            json!({"term": 2, "node": "ignored"}),
        );
        loud.emit("n2", "note", None, json!("free text"));
        let lines = loud.take_lines();
        let first: Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(
            first["node"], "n2",
            "the harness's fields win over the system's"
        );
        assert_eq!(first["key"], 4);
        assert_eq!(first["term"], 2);
        let second: Value = serde_json::from_str(&lines[1]).unwrap();
        assert_eq!(second["detail"], "free text");
        assert!(second.get("key").is_none());
    }
}
