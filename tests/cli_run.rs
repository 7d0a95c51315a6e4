//! `quorumlab run` from the outside: the summary, the run directory, replay from `run.json`, and
//! one clear line with exit 2 for every bad flag — before any simulation runs.

use std::process::Command;

fn quorumlab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_quorumlab"))
        .args(args)
        .output()
        .expect("binary runs")
}

#[test]
fn run_prints_a_summary_writes_the_run_directory_and_replays_from_it() {
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
        "read repairs sent",
        "300 operations in the main phase + 8 final reads",
        "simulated ops per wall second",
        "invariants: valid",
        "replay: quorumlab run --config ",
    ] {
        assert!(
            stdout.contains(needle),
            "summary lacks {needle:?}:\n{stdout}"
        );
    }
    let run = dir.path().join("rquorum-wquorum-blocking").join("3");
    for file in [
        "run.json",
        "history.jsonl",
        "final.json",
        "results.json",
        "events.jsonl",
        "timeline.html",
    ] {
        let meta = std::fs::metadata(run.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(meta.len() > 10, "{file} is empty");
    }
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(record["seed"], 3);
    assert_eq!(record["workload"]["ops"], 300);
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("results.json")).unwrap()).unwrap();
    assert!(
        results["stats"]["coverage"]["apply:write"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(dir.path().join("latest").exists());

    // Replay from run.json: the same history, byte for byte, in a `-replay` directory.
    let config = run.join("run.json");
    let again = quorumlab(&[
        "run",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out_dir,
    ]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let replayed = dir.path().join("rquorum-wquorum-blocking-replay").join("3");
    assert_eq!(
        std::fs::read(run.join("history.jsonl")).unwrap(),
        std::fs::read(replayed.join("history.jsonl")).unwrap(),
        "the replay's history differs"
    );
    assert_eq!(
        std::fs::read(run.join("events.jsonl")).unwrap(),
        std::fs::read(replayed.join("events.jsonl")).unwrap(),
    );
}

#[test]
fn anti_entropy_takes_a_mode_and_on_still_means_merkle() {
    let help = String::from_utf8_lossy(&quorumlab(&["run", "--help"]).stdout).to_string();
    for value in ["merkle", "log", "both", "off"] {
        assert!(help.contains(value), "--help lacks {value}:\n{help}");
    }
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    for (flag, enabled, mode) in [
        ("on", true, "merkle"),
        ("log", true, "log"),
        ("both", true, "both"),
        ("off", false, "merkle"),
    ] {
        let name = format!("ae-{flag}");
        let o = quorumlab(&[
            "run",
            "--ops",
            "100",
            "--anti-entropy",
            flag,
            "--name",
            &name,
            "--out",
            out_dir,
        ]);
        assert!(
            o.status.success(),
            "{flag}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let json =
            std::fs::read_to_string(dir.path().join(&name).join("1").join("run.json")).unwrap();
        let cfg: serde_json::Value = serde_json::from_str(&json).unwrap();
        let ae = &cfg["store"]["anti_entropy"];
        assert_eq!(ae["enabled"], enabled, "{flag}: {ae}");
        assert_eq!(ae["mode"], mode, "{flag}: {ae}");
    }
}

#[test]
fn bad_flags_get_one_clear_line_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let bad_json = tmp.path().join("bad.json");
    std::fs::write(&bad_json, "{\"seed\": 1,\n \"store\": 7}\n").unwrap();
    let huge = "9".repeat(5000);
    let a_file = tmp.path().join("a-file");
    std::fs::write(&a_file, b"not a directory").unwrap();
    let under_file = a_file.join("out");
    for (args, needle) in [
        (vec!["run", "--read-cl", "two"], "two"),
        (vec!["run", "--rf", "4", "--nodes", "3"], "--rf 4"),
        (vec!["run", "--read-repair", "lazy"], "lazy"),
        (vec!["run", "--seed", "x"], "x"),
        (vec!["run", "--read-fraction", "1.5"], "1.5"),
        (vec!["run", "--nosuchflag"], "nosuchflag"),
        (
            vec!["run", "--think-ms", "18446744073709551615"],
            "think time",
        ),
        (vec!["run", "--keys", "1000000"], "keys 1000000"),
        (vec!["run", "--clients", "10000"], "clients 10000"),
        (vec!["run", "--nodes", "64", "--rf", "64"], "--nodes 64"),
        (vec!["run", "--ops", "10000000000"], "ops"),
        (vec!["run", "--value-bytes", "100000000"], "value bytes"),
        (vec!["run", "--latency-ms", "5..1"], "latency"),
        (vec!["run", "--mutant", "nope"], "nope"),
        (vec!["run", "--anti-entropy", "sometimes"], "sometimes"),
        (vec!["run", "--duration", "0s"], "0s"),
        (
            vec!["run", "--read-fraction", "0.9", "--delete-fraction", "0.5"],
            "exceed 1",
        ),
        (vec!["run", "--name", "latest", "--out", out], "reserved"),
        (
            vec!["run", "--name", "../x", "--out", out],
            "single directory name",
        ),
        (
            vec!["run", "--name", "/abs", "--out", out],
            "single directory name",
        ),
        (
            vec!["run", "--config", "/nonexistent/run.json"],
            "/nonexistent/run.json",
        ),
        (
            vec!["run", "--config", bad_json.to_str().unwrap()],
            "bad.json:2",
        ),
        (
            vec!["run", "--config", bad_json.to_str().unwrap(), "--seed", "2"],
            "--config",
        ),
        (vec!["run", "--seed", &huge], "999"),
        (
            vec!["run", "--ops", "100", "--out", under_file.to_str().unwrap()],
            "--out",
        ),
    ] {
        let o = quorumlab(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "{args:?}: not one line: {stderr}"
        );
        assert!(
            stderr.len() < 600,
            "{args:?}: message too long: {}",
            stderr.len()
        );
        assert!(o.stdout.is_empty(), "{args:?}: simulated before refusing");
    }
    assert!(
        !tmp.path().join("latest").exists() && !tmp.path().join("x").exists(),
        "nothing is written for refused flags"
    );
}

#[cfg(unix)]
#[test]
fn an_unwritable_out_is_reported_before_simulating() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let ro = tmp.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(ro.join("probe"), b"x").is_ok() {
        eprintln!("skipped: running as a user who can write to read-only directories (root)");
        return;
    }
    let o = quorumlab(&["run", "--ops", "100", "--out", ro.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--out"), "{stderr}");
    assert!(
        o.stdout.is_empty(),
        "simulated before noticing: {}",
        String::from_utf8_lossy(&o.stdout)
    );
}

/// A run of another system under test (`Experiment::system`) cannot be replayed by the binary: it
/// says so on one line naming the file and line, exit 2, before simulating.
#[test]
fn a_run_json_of_another_system_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = quorumlab::sim::config::RunConfig::new(4);
    cfg.system = Some("leader-register".into());
    let path = dir.path().join("run.json");
    std::fs::write(&path, serde_json::to_string_pretty(&cfg).unwrap()).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text.lines().position(|l| l.contains("\"system\"")).unwrap() + 1;
    let out = quorumlab(&["run", "--config", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&format!("run.json:{line}:")), "{stderr}");
    assert!(
        stderr.contains("\"leader-register\"") && stderr.contains(".seeds([4])"),
        "{stderr}"
    );
}
