//! What every fuzz target checks: the entry points `quorumlab check` uses never panic on any
//! bytes, and an error is one `file:line: problem` line with the line inside the input. Whatever
//! parses is run through every checker with small, deterministic search limits; a checker panic
//! that the suite caught (`suite::guarded`) is turned back into a crash so the fuzzer sees it.

use quorumlab_checkers::final_state::FinalState;
use quorumlab_checkers::format::Format;
use quorumlab_checkers::lin::{LinOptions, ModelKind, NilRead};
use quorumlab_checkers::suite::{self, SuiteOptions, CHECKERS};
use quorumlab_checkers::{load, InputError};

const MODELS: [ModelKind; 5] = [
    ModelKind::Register,
    ModelKind::CasRegister,
    ModelKind::Kv,
    ModelKind::MultiRegister,
    ModelKind::Mutex,
];

/// Panic (a finding) unless `e` is a well-formed error about `bytes` named `name`.
fn assert_well_formed(e: &InputError, name: &str, bytes: &[u8]) {
    let max_line = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    let shown = e.to_string();
    assert_eq!(e.file, name, "{shown}");
    assert!(
        (1..=max_line).contains(&e.line),
        "line outside the input: {shown}"
    );
    assert!(!shown.contains('\n'), "not one line: {shown:?}");
    assert!(shown.len() < 1_600, "message of {} bytes", shown.len());
}

fn run_suite(
    format: Format,
    model: ModelKind,
    ops: &[quorumlab_checkers::ops::Op],
    fs: Option<&FinalState>,
) {
    let opts = SuiteOptions {
        checkers: Some(CHECKERS.to_vec()),
        lin: LinOptions {
            model,
            nil_read: if format == Format::JepsenEdn {
                NilRead::Wildcard
            } else {
                NilRead::Literal
            },
            max_states: Some(10_000),
            max_cache: Some(10_000),
            threads: 1,
            ..LinOptions::default()
        },
        ..SuiteOptions::new(format)
    };
    let run = suite::run(ops, fs, &opts);
    for v in &run.results.checkers {
        assert!(
            !v.notes.iter().any(|n| n.contains("panicked")),
            "{}: {:?}",
            v.checker,
            v.notes
        );
    }
}

/// Load `data` as a history in `format`; the first byte picks the model.
pub fn history(format: Format, data: &[u8]) {
    let (model, bytes) = match data.split_first() {
        Some((m, rest)) => (MODELS[*m as usize % MODELS.len()], rest),
        None => (ModelKind::Register, data),
    };
    match load::history(format, "h", bytes.to_vec(), model) {
        Ok(loaded) => run_suite(format, model, &loaded.ops, None),
        Err(e) => assert_well_formed(&e, "h", bytes),
    }
}

/// Load `data` as final.json and check a small fixed history against it.
pub fn final_json(data: &[u8]) {
    const HISTORY: &str = concat!(
        "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":0,\"value\":1}\n",
        "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"key\":0,\"value\":1,\"ts\":3}\n",
        "{\"process\":1,\"type\":\"invoke\",\"f\":\"delete\",\"key\":1,\"value\":null}\n",
        "{\"process\":1,\"type\":\"ok\",\"f\":\"delete\",\"key\":1,\"value\":null,\"ts\":4}\n",
    );
    match load::final_state("final.json", data.to_vec()) {
        Ok(fs) => {
            let ops = load::history(Format::Jsonl, "h", HISTORY.into(), ModelKind::Register)
                .map(|l| l.ops)
                .unwrap_or_default();
            run_suite(Format::Jsonl, ModelKind::Register, &ops, Some(&fs));
        }
        Err(e) => assert_well_formed(&e, "final.json", data),
    }
}

/// Read one EDN value (as `--init` and log value columns are read).
pub fn edn_value(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = quorumlab_checkers::edn::parse_one("v", text)
        .and_then(|f| quorumlab_checkers::edn::to_value("v", &f));
    if let Err(e) = parsed {
        assert_well_formed(&e, "v", data);
    }
}
