//! A run directory is replaced as a whole: `kill -9` a `quorumlab run` at many points (during the
//! simulation, around the write of the directory) and the target is always either the old complete
//! run or the new complete run — never a mix — and `latest` always resolves. Leftovers of killed
//! runs are cleared by the next run of the seed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

fn run_args(out: &Path, ops: u64) -> Vec<String> {
    [
        "run", "--seed", "1", "--name", "x", "--events", "on", "--ops",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([ops.to_string(), "--out".into(), out.display().to_string()])
    .collect()
}

/// The run directory holds one complete run: its files parse, and the history has exactly the
/// operations its `run.json` asked for (plus one final read per key).
fn assert_whole(dir: &Path, context: &str) -> u64 {
    let read =
        |f: &str| std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{context}: {f}: {e}"));
    let cfg: serde_json::Value = serde_json::from_slice(&read("run.json"))
        .unwrap_or_else(|e| panic!("{context}: run.json: {e}"));
    let ops = cfg["workload"]["ops"].as_u64().expect("ops");
    let keys = cfg["workload"]["keys"].as_u64().expect("keys");
    let history = String::from_utf8(read("history.jsonl")).unwrap();
    let invokes = history
        .lines()
        .filter(|l| l.contains("\"type\":\"invoke\""))
        .count() as u64;
    assert_eq!(
        invokes,
        ops + keys,
        "{context}: history does not match run.json"
    );
    for f in ["final.json", "results.json"] {
        let _: serde_json::Value =
            serde_json::from_slice(&read(f)).unwrap_or_else(|e| panic!("{context}: {f}: {e}"));
    }
    assert!(read("events.jsonl").len() > 100, "{context}: events.jsonl");
    ops
}

#[test]
fn a_killed_run_leaves_the_old_or_the_new_run_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let target = out.join("x").join("1");
    let bin = env!("CARGO_BIN_EXE_quorumlab");
    // A first complete run, timed, so the kills spread over a whole run.
    let started = Instant::now();
    let first = Command::new(bin).args(run_args(out, 150)).output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let full = started.elapsed();
    assert_eq!(assert_whole(&target, "first run"), 150);
    let kills = 24u32;
    let mut completed = 0;
    for i in 0..kills {
        let ops = if i % 2 == 0 { 157 } else { 150 };
        let mut child = Command::new(bin)
            .args(run_args(out, ops))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // From early in the simulation to past the end of the run (the write itself).
        std::thread::sleep(full.mul_f64(0.05 + 1.1 * f64::from(i) / f64::from(kills)));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() {
            completed += 1;
        }
        let got = assert_whole(&target, &format!("kill {i} at run {ops} ops"));
        assert!(got == 150 || got == 157, "kill {i}: {got} ops");
        let latest = std::fs::canonicalize(out.join("latest")).expect("latest resolves");
        assert!(
            latest.join("run.json").exists(),
            "kill {i}: latest points at {latest:?}"
        );
    }
    // One more complete run clears what the killed ones left behind.
    let last = Command::new(bin).args(run_args(out, 150)).output().unwrap();
    assert!(last.status.success());
    assert_whole(&target, "last run");
    let leftovers: Vec<String> = std::fs::read_dir(out.join("x"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "1")
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
    println!(
        "{kills} kills over a {full:?} run ({completed} finished before their kill); \
         the directory was whole every time"
    );
}

#[test]
fn two_runs_of_one_seed_at_once_never_trip_over_each_other() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_quorumlab");
    let children: Vec<_> = (0..4)
        .map(|i| {
            Command::new(bin)
                .args(run_args(tmp.path(), 100 + i))
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let ops = assert_whole(&tmp.path().join("x").join("1"), "after concurrent runs");
    assert!((100..104).contains(&ops));
}
