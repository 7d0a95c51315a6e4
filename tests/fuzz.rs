//! `quorumlab fuzz` from the outside: a campaign over a planted bug finds it and groups it, its
//! saved run replays to the same verdict, the correct store on the same seeds finds nothing, a
//! killed campaign resumes with the same failures, shards cover exactly the unsharded seeds and
//! their merge equals the unsharded report, and regressions run first.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn quorumlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quorumlab"))
        .args(args)
        .output()
        .expect("binary runs")
}

/// Small, fast runs: the planted bug is seen by the invariants on the first crash or write.
const SMALL: [&str; 8] = [
    "--ops",
    "200",
    "--keys",
    "6",
    "--clients",
    "6",
    "--nemesis",
    "crash,partition",
];

fn campaign(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["fuzz", "--quiet", "--no-swarm", "--jobs", "2", "--campaign"];
    let d = dir.display().to_string();
    args.push(&d);
    args.extend(SMALL);
    args.extend(extra);
    quorumlab(&args)
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{path:?}: {e}")))
        .unwrap()
}

/// The groups of a campaign with failure directories reduced to their seed (comparable across
/// campaign directories).
fn groups(path: &Path) -> serde_json::Value {
    let mut g = json(path);
    for group in g.as_array_mut().unwrap() {
        for f in group["failures"].as_array_mut().unwrap() {
            f["dir"] = serde_json::Value::Null;
        }
    }
    g
}

fn failing_seeds(dir: &Path) -> Vec<u64> {
    let g = json(&dir.join("groups.json"));
    let mut seeds: Vec<u64> = g
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|grp| grp["failures"].as_array().unwrap().iter())
        .map(|f| f["seed"].as_u64().unwrap())
        .collect();
    seeds.sort();
    seeds
}

#[test]
fn a_campaign_finds_groups_and_saves_a_planted_bug_and_the_correct_store_passes_the_same_seeds() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad");
    let out = campaign(&bad, &["--seeds", "1..6", "--mutant", "ack-before-fsync"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("failing seed(s) of 6"), "{stdout}");
    let seeds = failing_seeds(&bad);
    assert!(!seeds.is_empty());
    let g = json(&bad.join("groups.json"));
    assert!(
        g.as_array().unwrap().len() <= 3,
        "one planted bug should give a handful of groups: {g}"
    );
    assert_eq!(g[0]["checker"], "invariants", "{g}");
    // The saved run of the group's first seed replays to the same verdict.
    let first = g[0]["failures"][0]["dir"].as_str().unwrap().to_string();
    let run_dir = bad.join(&first);
    for f in [
        "run.json",
        "history.jsonl",
        "events.jsonl",
        "results.json",
        "failure.json",
    ] {
        assert!(run_dir.join(f).is_file(), "{first}/{f} missing");
    }
    let replay = quorumlab(&[
        "run",
        "--config",
        run_dir.join("run.json").to_str().unwrap(),
        "--out",
        tmp.path().join("replays").to_str().unwrap(),
    ]);
    assert_eq!(
        replay.status.code(),
        Some(1),
        "the replay must fail the same way"
    );
    let results = json(&run_dir.join("results.json"));
    let replayed = tmp.path().join("replays/latest/results.json");
    assert_eq!(json(&replayed)["checkers"], results["checkers"]);
    // Only failing seeds are kept.
    let kept = std::fs::read_dir(bad.join("failures")).unwrap().count();
    assert_eq!(kept, seeds.len());

    let good = tmp.path().join("good");
    let out = campaign(&good, &["--seeds", "1..6"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(failing_seeds(&good).is_empty());
}

#[test]
fn shards_cover_exactly_the_unsharded_seeds_and_their_merge_equals_its_report() {
    let tmp = tempfile::tempdir().unwrap();
    let args = ["--seeds", "1..9", "--mutant", "quorum-floor"];
    let whole = tmp.path().join("whole");
    campaign(&whole, &args);
    let mut dirs = Vec::new();
    let mut done: Vec<u64> = Vec::new();
    for i in 1..=3 {
        let d = tmp.path().join(format!("shard{i}"));
        let shard = format!("{i}/3");
        campaign(&d, &[&args[..], &["--shard", &shard]].concat());
        let c = json(&d.join("campaign.json"));
        for r in c["progress"]["done"].as_array().unwrap() {
            let (lo, hi) = (r[0].as_u64().unwrap(), r[1].as_u64().unwrap());
            done.extend(lo..=hi);
        }
        dirs.push(d);
    }
    done.sort();
    assert_eq!(
        done,
        (1..=9).collect::<Vec<u64>>(),
        "shards overlap or miss seeds"
    );
    let merged = tmp.path().join("merged");
    let mut margs = vec!["fuzz".to_string(), "merge".to_string()];
    margs.extend(dirs.iter().map(|d| d.display().to_string()));
    margs.extend(["--out".to_string(), merged.display().to_string()]);
    let out = quorumlab(&margs.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.code().is_some_and(|c| c <= 1));
    assert_eq!(
        groups(&merged.join("groups.json")),
        groups(&whole.join("groups.json"))
    );
}

#[test]
fn a_killed_campaign_resumes_with_the_same_failures() {
    let tmp = tempfile::tempdir().unwrap();
    let args = ["--seeds", "1..16", "--mutant", "hint-no-lww"];
    let whole = tmp.path().join("whole");
    campaign(&whole, &args);
    let expected = failing_seeds(&whole);
    assert!(!expected.is_empty());

    let killed = tmp.path().join("killed");
    let d = killed.display().to_string();
    let mut cmd_args = vec![
        "fuzz",
        "--quiet",
        "--no-swarm",
        "--jobs",
        "2",
        "--campaign",
        &d,
    ];
    cmd_args.extend(SMALL);
    cmd_args.extend(args);
    let mut child = Command::new(env!("CARGO_BIN_EXE_quorumlab"))
        .args(&cmd_args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once it has written a checkpoint with some progress.
    let file = killed.join("campaign.json");
    let started = std::time::Instant::now();
    loop {
        std::thread::sleep(std::time::Duration::from_millis(50));
        let progressed = std::fs::read(&file)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|c| c["progress"]["runs"].as_u64().unwrap_or(0) >= 3);
        if progressed || started.elapsed().as_secs() > 120 {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let at_kill = json(&file)["progress"]["runs"].as_u64().unwrap();
    assert!(
        at_kill < 16,
        "the campaign finished before it was killed ({at_kill} runs)"
    );
    let out = quorumlab(&["fuzz", "--quiet", "--resume", &d]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(failing_seeds(&killed), expected);
    assert_eq!(
        groups(&killed.join("groups.json")),
        groups(&whole.join("groups.json"))
    );
}

#[test]
fn regressions_run_first_and_bad_flags_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let list = tmp.path().join("regressions.txt");
    std::fs::write(&list, "# seeds that once failed\n42\n\n7  # and this one\n").unwrap();
    let dir = tmp.path().join("c");
    let out = campaign(
        &dir,
        &[
            "--seeds",
            "1..2",
            "--mutant",
            "ack-before-fsync",
            "--regressions",
            list.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let seeds = failing_seeds(&dir);
    assert!(seeds.contains(&42) && seeds.contains(&7), "{seeds:?}");
    let c = json(&dir.join("campaign.json"));
    assert_eq!(c["progress"]["runs"], 4);
    assert_eq!(c["progress"]["regressions_done"], true);

    for (args, needle) in [
        (vec!["fuzz", "--seeds", "9..3"], "seeds"),
        (vec!["fuzz", "--shard", "4/3"], "shard"),
        (vec!["fuzz", "--seeds", "5.."], "--time-budget"),
        (vec!["fuzz", "--seed", "3"], "--seeds"),
        (
            vec!["fuzz", "--resume", "/nonexistent/campaign"],
            "/nonexistent",
        ),
        (vec!["fuzz", "--check-determinism", "2"], "fraction"),
    ] {
        let o = quorumlab(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
    }
    // The regression file's bad line is named.
    std::fs::write(&list, "1\nnot-a-seed\n").unwrap();
    let o = campaign(
        &tmp.path().join("d"),
        &["--regressions", list.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("regressions.txt:2"), "{stderr}");
}

#[test]
fn a_determinism_self_check_reruns_seeds_and_finds_them_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    let out = campaign(&dir, &["--seeds", "1..3", "--check-determinism", "1"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
