//! Loading in memory: the documented example, each TOML rule with its exact message, the
//! resolution of `random`/`halves`/`bridge` (`toml`); the one validator on schedules built in code
//! and read from JSON (`concrete`); and that no input makes the loaders panic (`fuzz`).

use super::*;

mod concrete;
mod fuzz;
mod generate;
mod toml;

fn nodes() -> Vec<String> {
    (1..=5).map(|i| format!("n{i}")).collect()
}

fn load_str(text: &str) -> Result<Schedule, ScheduleError> {
    Schedule::from_toml_str("s.toml", text, &nodes(), 7)
}

fn err(text: &str) -> String {
    match load_str(text) {
        Ok(s) => panic!("expected an error, loaded {s:?}"),
        Err(e) => e.to_string(),
    }
}

fn named(n: &str) -> NodeSel {
    NodeSel::Named(n.to_string())
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn step(at_ms: u64, fault: Fault) -> Step {
    Step {
        at: Duration::from_millis(at_ms),
        fault,
        line: 0,
    }
}
