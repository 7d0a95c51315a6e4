//! `quorumlab export --format jepsen-edn`: recorded runs (valid and invalid) exported as Jepsen EDN
//! and checked back give the same verdict per checker as their `history.jsonl`; output to stdout or
//! written whole with `--out`; bad input exits 2 with one line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn quorumlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quorumlab"))
        .args(args)
        .output()
        .expect("run quorumlab")
}

/// The checkers that apply to an exported history given its `final.json` (every one we compute).
const CHECKERS: &str =
    "linearizable,monotonic-reads,stale-read,lost-writes,phantom,resurrection,convergence";

/// `(checker, validity)` of `check ARGS --json`.
fn verdicts(args: &[&str]) -> Vec<(String, String)> {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.push("--json");
    let o = quorumlab(&all);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "check {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["checkers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["checker"].as_str().unwrap().to_string(),
                c["valid"].to_string(),
            )
        })
        .collect()
}

fn run(out: &Path, seed: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec![
        "run",
        "--seed",
        seed,
        "--ops",
        "400",
        "--out",
        out.to_str().unwrap(),
        "--name",
        "r",
    ];
    args.extend_from_slice(extra);
    let o = quorumlab(&args);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out.join("r").join(seed)
}

#[test]
fn exported_runs_check_back_to_the_same_verdicts() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = [
        run(
            tmp.path(),
            "1",
            &["--mutant", "repair-no-wait", "--nemesis", "all"],
        ),
        run(
            tmp.path(),
            "5",
            &["--mutant", "repair-no-wait", "--nemesis", "all"],
        ),
        run(tmp.path(), "3", &["--nemesis", "safe"]),
        run(tmp.path(), "4", &[]),
    ];
    let mut invalid = 0;
    for dir in &runs {
        let d = dir.to_str().unwrap();
        let edn = dir.join("history.edn");
        let e = edn.to_str().unwrap();
        let o = quorumlab(&["export", d, "--format", "jepsen-edn", "--out", e]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let fin = dir.join("final.json");
        let f = fin.to_str().unwrap();
        let ours = verdicts(&[&format!("{d}/history.jsonl"), "--checkers", CHECKERS]);
        let theirs = verdicts(&[e, "--final", f, "--checkers", CHECKERS]);
        assert_eq!(ours, theirs, "{d}");
        invalid += ours.iter().any(|(_, v)| v == "false") as usize;
        // By default `check` judges EDN by linearizability alone: the same verdict again.
        let plain = quorumlab(&["check", e]).status.code();
        let lin = quorumlab(&[
            "check",
            &format!("{d}/history.jsonl"),
            "--checkers",
            "linearizable",
        ]);
        assert_eq!(plain, lin.status.code(), "{d}");
    }
    assert!(
        invalid >= 2 && invalid < runs.len(),
        "valid and invalid runs: {invalid} invalid"
    );
}

#[test]
fn export_writes_to_stdout_or_whole_to_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(tmp.path(), "2", &["--nemesis", "partition"]);
    let d = dir.to_str().unwrap();
    let o = quorumlab(&["export", d, "--format", "jepsen-edn"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    let history = std::fs::read_to_string(dir.join("history.jsonl")).unwrap();
    assert_eq!(text.lines().count(), history.lines().count());
    assert!(text.starts_with("{:type :invoke, :f "), "{text}");
    assert!(
        text.contains(":process :nemesis"),
        "the partition is exported"
    );
    assert!(text.lines().all(|l| l.starts_with('{') && l.ends_with('}')));
    // --out replaces an existing file whole, with the same bytes as stdout.
    let out = tmp.path().join("out.edn");
    std::fs::write(&out, "old").unwrap();
    let o = quorumlab(&[
        "export",
        d,
        "--format",
        "jepsen-edn",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
    let leftovers = std::fs::read_dir(tmp.path()).unwrap().filter(|e| {
        e.as_ref()
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".tmp.")
    });
    assert_eq!(leftovers.count(), 0);
}

#[test]
fn bad_export_input_exits_2_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path().join("history.jsonl");
    std::fs::write(&h, "{\"process\":0,\"type\":\"ok\",\"f\":\"read\"}\n").unwrap();
    for args in [
        vec!["export", h.to_str().unwrap(), "--format", "jepsen-edn"],
        vec!["export", h.to_str().unwrap(), "--format", "xml"],
        vec!["export", "/no/such/run", "--format", "jepsen-edn"],
    ] {
        let o = quorumlab(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(o.stdout.is_empty());
    }
    let o = quorumlab(&["export", h.to_str().unwrap(), "--format", "jepsen-edn"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("history.jsonl:1:"));
}
