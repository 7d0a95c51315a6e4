//! What every fuzz target checks: the run-side parsers `quorumlab run` uses — TOML schedules
//! ([`Schedule::from_toml_str`]), concrete JSON schedules ([`Schedule::from_json_str`]) and
//! `run.json` ([`RunConfig::from_json_bytes`]) — never panic on any bytes, and an error is one
//! `file:line: problem` line, short, without control characters, with the line inside the input.
//! Whatever parses is validated again (a loaded schedule for its cluster; a loaded `run.json`
//! through [`Plan::for_seed`], which rebuilds nothing but re-checks every bound), so a value that
//! slips past the parser but breaks a later rule is a finding too.

use quorumlab::sim::config::{ConfigFileError, RunConfig};
use quorumlab::sim::plan::{FaultPlan, Plan};
use quorumlab::sim::schedule::{Schedule, ScheduleError};

/// The longest message any of these errors may print.
pub const MAX_MESSAGE_BYTES: usize = 600;

fn nodes(n: u8) -> Vec<String> {
    (1..=(n % 7 + 1)).map(|i| format!("n{i}")).collect()
}

/// Panic (a finding) unless `shown` is a well-formed message about `file` at a line of `bytes`.
fn assert_well_formed(shown: &str, file: &str, line: Option<usize>, bytes: &[u8]) {
    let max_line = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    assert!(shown.starts_with(&format!("{file}:")), "{shown}");
    if let Some(line) = line {
        assert!(
            (1..=max_line).contains(&line),
            "line {line} outside 1..={max_line}: {shown}"
        );
    }
    assert!(
        !shown.chars().any(char::is_control),
        "control character: {shown:?}"
    );
    assert!(
        shown.len() < MAX_MESSAGE_BYTES,
        "message of {} bytes",
        shown.len()
    );
}

fn schedule_error(e: &ScheduleError, file: &str, bytes: &[u8]) {
    let line = match e {
        ScheduleError::Invalid { line, .. } => Some(*line),
        other => panic!("not a file:line error: {other}"),
    };
    assert_well_formed(&e.to_string(), file, line, bytes);
}

fn utf8(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Any bytes as a TOML schedule; the first byte picks the cluster size and the seed.
pub fn schedule_toml(data: &[u8]) {
    let Some((&n, bytes)) = data.split_first() else {
        return;
    };
    let Some(text) = utf8(bytes) else { return };
    let nodes = nodes(n);
    match Schedule::from_toml_str("s.toml", text, &nodes, u64::from(n)) {
        Ok(s) => s.validate(&nodes).expect("a loaded schedule validates"),
        Err(e) => schedule_error(&e, "s.toml", bytes),
    }
}

/// Any bytes as a concrete JSON schedule; the first byte picks the cluster size.
pub fn schedule_json(data: &[u8]) {
    let Some((&n, bytes)) = data.split_first() else {
        return;
    };
    let Some(text) = utf8(bytes) else { return };
    let nodes = nodes(n);
    match Schedule::from_json_str("s.json", text, &nodes) {
        Ok(s) => s.validate(&nodes).expect("a loaded schedule validates"),
        Err(e) => schedule_error(&e, "s.json", bytes),
    }
}

/// Any bytes as `run.json`.
pub fn run_json(data: &[u8]) {
    match RunConfig::from_json_bytes("run.json", data) {
        Ok(cfg) => {
            let plan = Plan {
                faults: FaultPlan::Schedule(cfg.faults.schedule.clone()),
                ..Plan::new(cfg.clone())
            };
            plan.for_seed(cfg.seed)
                .expect("a loaded run.json re-validates");
        }
        Err(e) => {
            let line = match &e {
                ConfigFileError::Utf8 { line, .. }
                | ConfigFileError::Shape { line, .. }
                | ConfigFileError::Invalid { line, .. } => *line,
            };
            assert_well_formed(&e.to_string(), "run.json", Some(line), data);
        }
    }
}
