//! `quorumlab show` and the plots of a run directory: a failing run's anomaly explained in context
//! (checker, kind, the operations named, what the replicas held), a bare history, a Jepsen EDN
//! fixture, bad input; the SVG plots exist, are well-formed, deterministic and shade the faults.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn quorumlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quorumlab"))
        .args(args)
        .output()
        .expect("run quorumlab")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A run of the planted `repair-no-wait` bug under every fault kind; seed 1 is caught (by the
/// `invariants` repair check and by linearizability).
fn failing_run(out: &Path) -> PathBuf {
    let o = quorumlab(&[
        "run",
        "--seed",
        "1",
        "--mutant",
        "repair-no-wait",
        "--nemesis",
        "all",
        "--ops",
        "400",
        "--out",
        out.to_str().unwrap(),
        "--name",
        "rnw",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out.join("rnw").join("1")
}

#[test]
fn show_explains_a_failing_run_with_operations_and_replica_states() {
    let tmp = tempfile::tempdir().unwrap();
    let run = failing_run(tmp.path());
    let o = quorumlab(&["show", run.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = stdout(&o);
    for needle in [
        "configuration: seed 1, 5 nodes, rf 3",
        "PLANTED BUG repair-no-wait",
        "faults (",
        "verdicts (results.json):",
        "linearizable     INVALID",
        "invariants / repair-incomplete, key ",
        "operations around it (* named by the checker):",
        "    process ",
        " still held ",
        "replicas of key ",
    ] {
        assert!(text.contains(needle), "show lacks {needle:?}:\n{text}");
    }
    // The named operations are marked, with times, timestamps and coordinators.
    let marked: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("*#"))
        .collect();
    assert!(!marked.is_empty(), "{text}");
    assert!(
        marked
            .iter()
            .all(|l| l.contains(" s ") && l.contains(" via n")),
        "{marked:?}"
    );
    assert!(marked.iter().any(|l| l.contains(" ts ")), "{marked:?}");
    // Deterministic.
    assert_eq!(stdout(&quorumlab(&["show", run.to_str().unwrap()])), text);
}

#[test]
fn show_on_a_bare_history_runs_the_checkers() {
    let tmp = tempfile::tempdir().unwrap();
    let run = failing_run(tmp.path());
    let bare = tmp.path().join("bare.jsonl");
    std::fs::copy(run.join("history.jsonl"), &bare).unwrap();
    let o = quorumlab(&["show", bare.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    for needle in [
        "configuration: unknown",
        "verdicts (checked now):",
        "linearizable / nonlinearizable, key ",
        "*#",
    ] {
        assert!(text.contains(needle), "show lacks {needle:?}:\n{text}");
    }
    assert!(
        !text.contains("replicas of key"),
        "no events.jsonl, no replica states"
    );
}

#[test]
fn show_reads_jepsen_edn_both_ways() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("histories");
    let bad = root.join("invalid/linearizable/independent-register-one-key-bad.edn");
    let o = quorumlab(&["show", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.contains("(jepsen-edn)"), "{text}");
    assert!(
        text.contains("linearizable / nonlinearizable, key 2"),
        "{text}"
    );
    assert!(text.contains("*#6 "), "{text}");
    let good = root.join("valid/independent-register.edn");
    let o = quorumlab(&["show", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("verdict: valid"));
}

#[test]
fn bad_input_is_one_line_naming_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path().join("h.jsonl");
    std::fs::write(
        &h,
        "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}\nnot json\n",
    )
    .unwrap();
    let o = quorumlab(&["show", h.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("h.jsonl:2:"), "{err}");
    // A broken events.jsonl beside a history is named too.
    let dir = tmp.path().join("run");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("history.jsonl"),
        "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"key\":1}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("events.jsonl"),
        "{\"time\":1,\"node\":\"n1\",\"kind\":\"apply\"}\n[\n",
    )
    .unwrap();
    let o = quorumlab(&["show", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("events.jsonl:2:"), "{err}");
    let o = quorumlab(&["show", tmp.path().join("missing").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

/// A minimal well-formedness check: one `<svg …>` root, every element closed in order.
fn assert_well_formed_svg(name: &str, svg: &str) {
    assert!(svg.starts_with("<svg "), "{name} does not start with <svg");
    assert!(
        svg.trim_end().ends_with("</svg>"),
        "{name} does not end with </svg>"
    );
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("unclosed tag") + start;
        let tag = &rest[start + 1..end];
        if let Some(closing) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(closing.trim()),
                "{name}: mismatched </{closing}>"
            );
        } else if !tag.ends_with('/') && !tag.starts_with('?') && !tag.starts_with('!') {
            stack.push(tag.split_whitespace().next().unwrap_or("").to_string());
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "{name}: unclosed {stack:?}");
}

const PLOTS: [&str; 3] = ["latency-raw.svg", "latency-quantiles.svg", "rate.svg"];

#[test]
fn every_run_directory_has_well_formed_deterministic_plots_with_fault_bands() {
    let tmp = tempfile::tempdir().unwrap();
    let a = failing_run(&tmp.path().join("a"));
    let b = failing_run(&tmp.path().join("b"));
    for p in PLOTS {
        let svg = std::fs::read_to_string(a.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
        assert_well_formed_svg(p, &svg);
        assert!(svg.contains("<text"), "{p} has no text");
        assert!(svg.contains("simulated time (s)"), "{p} has no axis title");
        // Fault bands: translucent rectangles, and their kind written on them.
        assert!(
            svg.matches("opacity=\"0.15\"").count() >= 1,
            "{p} has no fault band"
        );
        assert!(svg.contains("clock-skew"), "{p} names no fault");
        assert_eq!(
            svg,
            std::fs::read_to_string(b.join(p)).unwrap(),
            "{p} differs between two runs"
        );
    }
    // Points for every completed operation in the raw plot.
    let raw = std::fs::read_to_string(a.join(PLOTS[0])).unwrap();
    assert!(raw.matches("<circle").count() > 300, "too few points");
    // A run without faults has no band.
    let o = quorumlab(&[
        "run",
        "--seed",
        "2",
        "--ops",
        "100",
        "--out",
        tmp.path().join("c").to_str().unwrap(),
        "--name",
        "quiet",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for p in PLOTS {
        let svg = std::fs::read_to_string(tmp.path().join("c/quiet/2").join(p)).unwrap();
        assert_well_formed_svg(p, &svg);
        assert_eq!(
            svg.matches("opacity=\"0.15\"").count(),
            0,
            "{p}: a band without faults"
        );
    }
}

/// `show --html OUT` draws any history as the timeline page (the same as `quorumlab timeline`).
#[test]
fn show_html_writes_the_timeline_page_of_any_history() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("page.html");
    let edn =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("histories/valid/independent-register.edn");
    let o = quorumlab(&[
        "show",
        edn.to_str().unwrap(),
        "--html",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(
        page.contains("<canvas") && page.contains("id=\"data\""),
        "not a timeline page"
    );
    let again = tmp.path().join("again.html");
    let o = quorumlab(&[
        "timeline",
        edn.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        page,
        std::fs::read_to_string(&again).unwrap(),
        "same page as `timeline`"
    );
}
