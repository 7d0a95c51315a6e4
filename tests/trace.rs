//! `--trace`: every line of `trace.log` carries the simulated time and the node, two runs of one
//! seed give the same trace, and tracing changes nothing the run records.

use std::process::Command;

fn run(out: &std::path::Path, trace: bool) -> std::path::PathBuf {
    let mut args = vec![
        "run",
        "--seed",
        "7",
        "--ops",
        "200",
        "--nemesis",
        "crash,partition",
        "--name",
        "t",
        "--out",
        out.to_str().unwrap(),
    ];
    if trace {
        args.push("--trace");
    }
    let o = Command::new(env!("CARGO_BIN_EXE_quorumlab"))
        .args(&args)
        .output()
        .unwrap();
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out.join("t").join("7")
}

#[test]
fn trace_lines_carry_simulated_time_and_node_and_change_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let a = run(&tmp.path().join("a"), true);
    let b = run(&tmp.path().join("b"), true);
    let off = run(&tmp.path().join("c"), false);
    let trace = std::fs::read_to_string(a.join("trace.log")).unwrap();
    assert!(trace.lines().count() > 10, "{trace}");
    let mut nodes = std::collections::BTreeSet::new();
    for line in trace.lines() {
        let mut w = line.split_whitespace();
        let time = w.next().unwrap_or_default();
        let secs = time.strip_suffix('s').and_then(|t| t.parse::<f64>().ok());
        assert!(secs.is_some_and(|s| s >= 0.0), "no simulated time: {line}");
        let node = w.next().unwrap_or_default();
        assert!(
            node == "-" || node.starts_with('n') || node == "clients" || node == "final",
            "{line}"
        );
        nodes.insert(node.to_string());
        assert!(
            matches!(
                w.next(),
                Some("TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR")
            ),
            "{line}"
        );
    }
    assert!(nodes.contains("n1") && nodes.len() > 3, "{nodes:?}");
    assert!(
        trace.contains("quorumlab::store"),
        "the store's own lines are there"
    );
    assert_eq!(trace, std::fs::read_to_string(b.join("trace.log")).unwrap());
    assert!(!off.join("trace.log").exists());
    for f in ["history.jsonl", "events.jsonl", "final.json"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(off.join(f)).unwrap(),
            "{f} changed with --trace"
        );
    }
}
