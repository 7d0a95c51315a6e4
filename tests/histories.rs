//! Runs `quorumlab check` on every hand-made history under `histories/` and compares the verdict
//! with the directory it lives in: `histories/valid/…` must exit 0; `histories/invalid/<checker>/…`
//! must exit 1 with `<checker>` among the failing checkers (read from `--json`). Sidecars:
//! `<name>.args` (extra CLI arguments, one line) and `<name>.final.json` (passed as `--final`).
//! It also pins the collection's coverage: every checker has an invalid example, every model a
//! valid and an invalid one, a valid history has `time`s that go backwards (real time is the
//! order of the history), a valid history deletes and reads a tombstone, and every history says
//! why (a `.why` file or a leading comment).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every checker the suite computes (`invariants` is supplied by the harness during a run, so a
/// recorded history cannot show it failing).
const CHECKERS: [&str; 7] = [
    "linearizable",
    "monotonic-reads",
    "stale-read",
    "lost-writes",
    "phantom",
    "resurrection",
    "convergence",
];
const MODELS: [&str; 5] = ["register", "cas-register", "kv", "multi-register", "mutex"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("histories")
}

fn history_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            history_files(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("jsonl" | "edn" | "log")
        ) {
            out.push(p);
        }
    }
}

struct Case {
    path: PathBuf,
    /// `None` for valid histories, the checker that must fail otherwise.
    failing: Option<String>,
    args: Vec<String>,
}

fn case(path: &Path) -> Case {
    let rel = path.strip_prefix(root()).expect("under histories/");
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let failing = match parts.first().map(String::as_str) {
        Some("valid") => None,
        Some("invalid") if parts.len() == 3 => Some(parts[1].clone()),
        _ => panic!(
            "{}: histories live in valid/ or invalid/<checker>/",
            rel.display()
        ),
    };
    let mut args = Vec::new();
    if let Ok(line) = std::fs::read_to_string(path.with_extension("args")) {
        args.extend(line.split_whitespace().map(str::to_string));
    }
    let fin = path.with_extension("final.json");
    if fin.is_file() {
        args.push("--final".into());
        args.push(fin.display().to_string());
    }
    Case {
        path: path.to_path_buf(),
        failing,
        args,
    }
}

/// Run one case; `Err` describes how it went wrong.
fn run(c: &Case) -> Result<(), String> {
    let out = Command::new(env!("CARGO_BIN_EXE_quorumlab"))
        .arg("check")
        .arg(&c.path)
        .args(&c.args)
        .arg("--json")
        .output()
        .map_err(|e| format!("cannot run quorumlab: {e}"))?;
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = if c.failing.is_some() { 1 } else { 0 };
    let results: serde_json::Value = serde_json::from_str(&stdout)
        .map_err(|e| format!("exit {code}, no JSON results ({e}); stderr: {stderr}"))?;
    let failing: Vec<&str> = results["checkers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["valid"] != serde_json::Value::Bool(true))
        .filter_map(|v| v["checker"].as_str())
        .collect();
    if code != expected {
        return Err(format!(
            "exit {code}, expected {expected}; not valid: {failing:?}"
        ));
    }
    if let Some(name) = &c.failing {
        let invalid = results["checkers"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|v| v["checker"] == name.as_str() && v["valid"] == false);
        if !invalid {
            return Err(format!(
                "{name} did not find it invalid; not valid: {failing:?}"
            ));
        }
    }
    Ok(())
}

fn says_why(path: &Path) -> bool {
    if path.with_extension("why").is_file() {
        return true;
    }
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let first = text.lines().next().unwrap_or("");
    first.starts_with(';') || first.starts_with('#')
}

#[test]
fn every_history_gets_the_verdict_of_its_directory() {
    let mut files = Vec::new();
    history_files(&root(), &mut files);
    assert!(files.len() >= 20, "only {} histories", files.len());
    let failures: Vec<String> = files
        .iter()
        .map(|p| case(p))
        .filter_map(|c| run(&c).err().map(|e| format!("{}: {e}", c.path.display())))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} histories got the wrong verdict:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn the_collection_covers_every_checker_and_model_and_says_why() {
    let mut files = Vec::new();
    history_files(&root(), &mut files);
    let mut invalid_checkers = BTreeSet::new();
    let mut models = (BTreeSet::new(), BTreeSet::new());
    for p in &files {
        let c = case(p);
        assert!(
            says_why(p),
            "{}: no .why file or leading comment",
            p.display()
        );
        let model = c
            .args
            .iter()
            .position(|a| a == "--model")
            .and_then(|i| c.args.get(i + 1))
            .map_or("register".to_string(), String::clone);
        match c.failing {
            Some(name) => {
                assert!(
                    CHECKERS.contains(&name.as_str()),
                    "unknown checker dir {name}"
                );
                invalid_checkers.insert(name);
                models.1.insert(model);
            }
            None => {
                models.0.insert(model);
            }
        }
    }
    for name in CHECKERS {
        assert!(
            invalid_checkers.contains(name),
            "no invalid history for {name}"
        );
    }
    for m in MODELS {
        assert!(models.0.contains(m), "no valid history for model {m}");
        assert!(models.1.contains(m), "no invalid history for model {m}");
    }
    // Real time is the order of the history: some valid history's `time` goes backwards.
    let times_go_back = |p: &PathBuf| {
        let text = std::fs::read_to_string(p).unwrap_or_default();
        let times: Vec<u64> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["time"].as_u64())
            .collect();
        times.windows(2).any(|w| w[1] < w[0])
    };
    assert!(
        files
            .iter()
            .filter(|p| p.strip_prefix(root()).is_ok_and(|r| r.starts_with("valid")))
            .any(times_go_back),
        "no valid history whose times go backwards"
    );
    // Deletes: a valid history with a delete and a read of a tombstone (null with a ts).
    assert!(
        files.iter().any(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            p.strip_prefix(root()).is_ok_and(|r| r.starts_with("valid"))
                && text.contains("\"f\":\"delete\"")
                && text.lines().any(|l| {
                    l.contains("\"type\":\"ok\",\"f\":\"read\"")
                        && l.contains("\"value\":null,\"ts\":")
                })
        }),
        "no valid history with a delete and a tombstone read"
    );
    for ext in ["jsonl", "edn", "log"] {
        for dir in ["valid", "invalid"] {
            assert!(
                files.iter().any(|p| {
                    p.extension().and_then(|e| e.to_str()) == Some(ext)
                        && p.strip_prefix(root()).is_ok_and(|r| r.starts_with(dir))
                }),
                "no {dir} history in the {ext} format"
            );
        }
    }
}
