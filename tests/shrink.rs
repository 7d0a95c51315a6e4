//! `quorumlab shrink` from the outside: a planted bug's failing run shrinks to a run that replays
//! (`quorumlab run --config`) to the same checker and anomaly kind and is no larger in any
//! dimension, and smaller in at least one; shrinking is deterministic (a campaign failure
//! directory shrunk twice gives the same `run.json`, byte for byte); bad input — a missing path, a
//! directory without a run, a malformed `run.json`, a run that does not fail — is one line and
//! exit 2.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn quorumlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quorumlab"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{path:?}: {e}")))
        .unwrap()
}

/// A small run of a planted bug that fails fast (the invariants see an acknowledged write that
/// is not on disk), under crash and partition faults.
const SMALL: [&str; 12] = [
    "--ops",
    "200",
    "--keys",
    "6",
    "--clients",
    "6",
    "--nemesis",
    "crash,partition",
    "--mutant",
    "ack-before-fsync",
    "--name",
    "small",
];

/// The first violated checker and the kind of its first anomaly, from `results.json`.
fn failure(dir: &Path) -> (String, String) {
    let r = json(&dir.join("results.json"));
    let bad = r["checkers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["valid"] == Value::Bool(false))
        .unwrap_or_else(|| panic!("{dir:?} does not fail"));
    (
        bad["checker"].as_str().unwrap().to_string(),
        bad["anomalies"][0]["kind"]
            .as_str()
            .unwrap_or("invalid")
            .to_string(),
    )
}

/// faults (non-lift steps), steps, main-phase ops, clients, keys, nodes, simulated time.
fn size(dir: &Path) -> [u64; 7] {
    let cfg = json(&dir.join("run.json"));
    let r = json(&dir.join("results.json"));
    let steps = cfg["faults"]["schedule"]["steps"].as_array().unwrap();
    let lift = |f: &Value| {
        matches!(
            f.as_str(),
            Some("heal" | "heal-all" | "latency-reset" | "reply-loss-off")
        ) || f.get("restart").is_some()
            || f.get("restart-set").is_some()
            || f.get("resume").is_some()
            || f.get("slow-reset").is_some()
            || f.get("slow-disk-reset").is_some()
            || f["loss"]["rate"].as_f64() == Some(0.0)
            || f["clock-skew"]["offset_us"].as_i64() == Some(0)
    };
    [
        steps.iter().filter(|s| !lift(&s["fault"])).count() as u64,
        steps.len() as u64,
        r["stats"]["ops_main"].as_u64().unwrap(),
        cfg["workload"]["clients"].as_u64().unwrap(),
        cfg["workload"]["keys"].as_u64().unwrap(),
        cfg["store"]["nodes"].as_array().unwrap().len() as u64,
        r["stats"]["sim_time_ns"].as_u64().unwrap(),
    ]
}

/// Run seed 1 of the small plan into `tmp/runs`; returns its run directory.
fn failing_run(tmp: &Path) -> PathBuf {
    let out = tmp.join("runs").display().to_string();
    let run = quorumlab(&[&["run", "--seed", "1", "--out", &out], &SMALL[..]].concat());
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    tmp.join("runs").join("small").join("1")
}

#[test]
fn a_shrunk_run_replays_to_the_same_failure_and_is_no_larger() {
    let tmp = tempfile::tempdir().unwrap();
    let original = failing_run(tmp.path());
    let shrunk = tmp.path().join("shrunk");
    let s = shrunk.display().to_string();
    let out = quorumlab(&[
        "shrink",
        &original.display().to_string(),
        "--out",
        &s,
        "--max-runs",
        "40",
    ]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    for line in [
        "faults ",
        "ops ",
        "clients ",
        "keys ",
        "nodes ",
        "simulated time ",
    ] {
        assert!(
            said.contains(line) && said.contains(" → "),
            "{line}: {said}"
        );
    }
    let replay = format!("replay: quorumlab run --config {}/run.json", s);
    assert!(said.contains(&replay), "{said}");
    assert!(said.contains("runs used "), "{said}");

    // The reduced directory replays to the same checker and kind.
    let again = tmp.path().join("again").display().to_string();
    let config = shrunk.join("run.json").display().to_string();
    let rerun = quorumlab(&[
        "run", "--config", &config, "--out", &again, "--name", "replay",
    ]);
    assert_eq!(rerun.status.code(), Some(1), "{}", text(&rerun));
    let replayed = Path::new(&again).join("replay").join("1");
    assert_eq!(failure(&replayed), failure(&original));
    assert_eq!(failure(&shrunk), failure(&original));
    assert_eq!(
        std::fs::read(replayed.join("history.jsonl")).unwrap(),
        std::fs::read(shrunk.join("history.jsonl")).unwrap(),
        "the reduced run replays byte for byte"
    );

    // No dimension larger, at least one smaller; the seed never changes.
    let (before, after) = (size(&original), size(&shrunk));
    assert!(
        after.iter().zip(&before).all(|(a, b)| a <= b),
        "{before:?} → {after:?}"
    );
    assert!(after != before, "nothing was reduced: {before:?}");
    assert_eq!(json(&shrunk.join("run.json"))["seed"], 1);
}

#[test]
fn shrinking_a_campaign_failure_twice_gives_the_same_run() {
    let tmp = tempfile::tempdir().unwrap();
    let campaign = tmp.path().join("c").display().to_string();
    let fuzz = quorumlab(
        &[
            &[
                "fuzz",
                "--quiet",
                "--no-swarm",
                "--jobs",
                "1",
                "--seeds",
                "1..1",
                "--campaign",
                &campaign,
            ],
            &SMALL[..10],
        ]
        .concat(),
    );
    assert_eq!(fuzz.status.code(), Some(1), "{}", text(&fuzz));
    let failure_dir = Path::new(&campaign).join("failures").join("1");
    assert!(failure_dir.join("failure.json").is_file());
    let shrink = |out: &str| {
        let o = quorumlab(&[
            "shrink",
            &failure_dir.display().to_string(),
            "--out",
            out,
            "--max-runs",
            "12",
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        String::from_utf8_lossy(&o.stdout).replace(out, "OUT")
    };
    let (a, b) = (
        tmp.path().join("a").display().to_string(),
        tmp.path().join("b").display().to_string(),
    );
    let (said_a, said_b) = (shrink(&a), shrink(&b));
    assert_eq!(said_a, said_b, "the same reduction, step by step");
    assert!(said_a.contains("runs used 12/12"), "{said_a}");
    for file in ["run.json", "history.jsonl", "results.json"] {
        assert_eq!(
            std::fs::read(Path::new(&a).join(file)).unwrap(),
            std::fs::read(Path::new(&b).join(file)).unwrap(),
            "{file}"
        );
    }
    // The default output directory sits beside the input.
    let o = quorumlab(&[
        "shrink",
        "--quiet",
        "--max-runs",
        "2",
        &failure_dir.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let beside = Path::new(&campaign).join("failures").join("1-shrunk");
    assert!(beside.join("run.json").is_file(), "{}", text(&o));
}

fn bad(args: &[&str], expect: &str) {
    let out = quorumlab(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: one line: {err}"
    );
    assert!(err.contains(expect), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope").display().to_string();
    bad(&["shrink", &missing], "no such file or directory");
    let empty = tmp.path().display().to_string();
    bad(&["shrink", &empty], "no run.json");
    let broken = tmp.path().join("run.json");
    std::fs::write(&broken, "{\n  \"seed\": 1,\n  oops\n}\n").unwrap();
    bad(&["shrink", &broken.display().to_string()], "run.json:3");
    bad(&["shrink", &missing, "--max-runs", "0"], "0");

    // The correct store on the same small run passes: nothing to shrink.
    let out = tmp.path().join("runs").display().to_string();
    let run = quorumlab(
        &[
            &[
                "run",
                "--seed",
                "1",
                "--out",
                &out,
                "--nemesis",
                "crash,partition",
            ],
            &SMALL[..6],
            &["--name", "ok"],
        ]
        .concat(),
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    let ok = tmp.path().join("runs").join("ok").join("1");
    bad(&["shrink", &ok.display().to_string()], "does not fail");
    assert!(
        !tmp.path().join("runs").join("ok").join("1-shrunk").exists(),
        "nothing written for a run that passes"
    );
}
