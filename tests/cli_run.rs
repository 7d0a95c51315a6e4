//! `quorumlab run` from the outside: the summary, the run directory, and clear errors for bad flags.

use std::process::Command;

fn quorumlab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_quorumlab"))
        .args(args)
        .output()
        .expect("binary runs")
}

#[test]
fn run_prints_a_summary_and_writes_the_run_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let out = quorumlab(&["run", "--seed", "3", "--ops", "300", "--out", out_dir]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in [
        "seed 3",
        "read",
        "write",
        "digest mismatches",
        "repairs sent",
        "simulated",
        "wall",
        "simulated ops per wall second",
    ] {
        assert!(
            stdout.contains(needle),
            "summary lacks {needle:?}:\n{stdout}"
        );
    }
    let run = dir.path().join("rquorum-wquorum-blocking").join("3");
    for file in ["run.json", "history.jsonl", "final.json"] {
        let meta = std::fs::metadata(run.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(meta.len() > 10, "{file} is empty");
    }
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(record["config"]["seed"], 3);
    assert!(record["replay"].as_str().unwrap().contains("--seed 3"));
    assert!(dir.path().join("latest").exists());
}

#[test]
fn bad_flags_get_one_clear_line_and_exit_2() {
    for (args, needle) in [
        (vec!["run", "--read-cl", "two"], "two"),
        (vec!["run", "--rf", "4", "--nodes", "3"], "--rf 4"),
        (vec!["run", "--read-repair", "lazy"], "lazy"),
        (vec!["run", "--seed", "x"], "x"),
        (vec!["run", "--read-fraction", "1.5"], "1.5"),
        (vec!["run", "--nosuchflag"], "nosuchflag"),
    ] {
        let out = quorumlab(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "{args:?}: not one line: {stderr}"
        );
    }
}
