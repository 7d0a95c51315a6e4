//! `quorumlab check` as a user runs it: inputs, flags, output and exit codes (0 valid, 1 invalid,
//! 2 bad input with one `file:line: problem` line on stderr, 3 unknown).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "quorumlab-cli-check-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write file");
    p
}

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quorumlab"))
        .arg("check")
        .args(args)
        .output()
        .expect("run quorumlab")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn checker_names(v: &serde_json::Value) -> Vec<String> {
    v["checkers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["checker"].as_str().map(str::to_string))
        .collect()
}

/// One event line of our jsonl format.
fn ev(i: u64, t_ms: u64, p: u64, kind: &str, f: &str, value: &str) -> String {
    format!(
        "{{\"index\":{i},\"time\":{},\"process\":{p},\"type\":\"{kind}\",\"f\":\"{f}\",\"key\":1,\"value\":{value}}}\n",
        t_ms * 1_000_000
    )
}

const GOOD: &str = concat!(
    "{\"index\":0,\"time\":1000000,\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":1,\"value\":5}\n",
    "{\"index\":1,\"time\":2000000,\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"key\":1,\"value\":5,\"ts\":1001}\n",
    "{\"index\":2,\"time\":3000000,\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":1,\"value\":null}\n",
    "{\"index\":3,\"time\":4000000,\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":1,\"value\":5,\"ts\":1001}\n",
);

const FINAL: &str = r#"{"nodes":["n1","n2","n3"],"placement":[{"key":1,"replicas":["n1","n2","n3"]}],
"cells":[{"node":"n1","key":1,"value":5,"ts":1001},{"node":"n2","key":1,"value":5,"ts":1001},
{"node":"n3","key":1,"value":5,"ts":1001}]}"#;

#[test]
fn a_run_directory_uses_history_and_final_state() {
    let dir = scratch("rundir");
    write(&dir, "history.jsonl", GOOD);
    write(&dir, "final.json", FINAL);
    let o = check(&[dir.to_str().unwrap(), "--json"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let names = checker_names(&json(&o));
    assert_eq!(names.len(), 7, "{names:?}");
    assert!(names.contains(&"resurrection".to_string()));
    assert!(names.contains(&"convergence".to_string()));
}

#[test]
fn without_final_json_convergence_is_skipped_with_a_note() {
    let dir = scratch("nofinal");
    let h = write(&dir, "history.jsonl", GOOD);
    let o = check(&[h.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("convergence: skipped"), "{out}");
    assert!(out.contains("lost-writes: valid"), "{out}");
    assert!(out.trim_end().ends_with("verdict: valid"), "{out}");
}

#[test]
fn an_invalid_history_exits_1_and_explains_each_anomaly() {
    let dir = scratch("invalid");
    let text = [
        ev(0, 1000, 0, "invoke", "write", "7"),
        ev(1, 1100, 0, "ok", "write", "7"),
        ev(2, 1150, 0, "invoke", "write", "9"),
        ev(3, 1204, 0, "ok", "write", "9"),
        ev(4, 1310, 1, "invoke", "read", "null"),
        ev(5, 1400, 1, "ok", "read", "7"),
    ]
    .concat();
    let h = write(&dir, "h.jsonl", &text);
    let o = check(&[h.to_str().unwrap(), "--checkers", "stale-read"]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("stale-read: INVALID, 1 anomaly"), "{out}");
    assert!(
        out.contains("returned 7, but write #2 of 9 was acknowledged at 1.204 s, before this read began at 1.310 s"),
        "{out}"
    );
}

#[test]
fn the_read_your_writes_alias_runs_stale_read() {
    let dir = scratch("alias");
    let h = write(&dir, "h.jsonl", GOOD);
    let o = check(&[
        h.to_str().unwrap(),
        "--checkers",
        "read-your-writes",
        "--json",
    ]);
    assert_eq!(code(&o), 0);
    assert_eq!(checker_names(&json(&o)), vec!["stale-read"]);
}

#[test]
fn a_checker_without_its_data_is_unknown_exit_3() {
    let dir = scratch("unknown");
    let h = write(&dir, "h.jsonl", GOOD);
    let o = check(&[h.to_str().unwrap(), "--checkers", "convergence", "--json"]);
    assert_eq!(code(&o), 3);
    assert_eq!(json(&o)["valid"], "unknown");
}

#[test]
fn malformed_input_is_one_line_with_file_and_line_exit_2() {
    let dir = scratch("bad");
    let h = write(
        &dir,
        "h.jsonl",
        &format!("{GOOD}\n{{\"index\":9,\"process\":0}}\n"),
    );
    let o = check(&[h.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.starts_with(&format!("{}:6: ", h.display())), "{err}");

    let e = write(&dir, "h.edn", "; comment\n[{:process 0 :type :invoke :f :read}\n {:process 0 :type :ok :f :read :value 1.5}]\n");
    let o = check(&[e.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).starts_with(&format!("{}:3: ", e.display())),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("floating-point"), "{}", stderr(&o));
}

#[test]
fn a_pairing_error_is_reported_at_the_events_line() {
    let dir = scratch("pairing");
    let log = write(
        &dir,
        "etcd.log",
        "INFO  jepsen.util - 1\t:invoke\t:write\t3\nnoise\nINFO  jepsen.util - 2\t:ok\t:write\t3\n",
    );
    let o = check(&[log.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.starts_with(&format!("{}:3: ", log.display())), "{err}");
    assert!(err.contains("no pending invocation"), "{err}");
}

#[test]
fn format_follows_the_extension_unless_given() {
    let dir = scratch("format");
    let edn = "[{:process 0 :type :invoke :f :write :value 1}\n {:process 0 :type :ok :f :write :value 1}\n {:process 1 :type :invoke :f :read :value nil}\n {:process 1 :type :ok :f :read :value nil}]\n";
    let as_txt = write(&dir, "h.txt", edn);
    // .txt means jepsen-log: no operation lines at all, so nothing to judge.
    let o = check(&[as_txt.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("0 events"), "{}", stdout(&o));
    let o = check(&[as_txt.to_str().unwrap(), "--format", "jepsen-edn"]);
    assert!(stdout(&o).contains("4 events"), "{}", stdout(&o));
    let o = check(&[as_txt.to_str().unwrap(), "--format", "xml"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn init_sets_the_initial_value() {
    let dir = scratch("init");
    let text = [
        ev(0, 1, 1, "invoke", "read", "null"),
        ev(1, 2, 1, "ok", "read", "0"),
    ]
    .concat();
    let h = write(&dir, "h.jsonl", &text);
    let o = check(&[h.to_str().unwrap(), "--checkers", "phantom"]);
    assert_eq!(code(&o), 1, "a read of 0 that nobody wrote: {}", stdout(&o));
    let o = check(&[h.to_str().unwrap(), "--checkers", "phantom", "--init", "0"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let o = check(&[h.to_str().unwrap(), "--init", "1.5"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn bad_flags_and_paths_exit_2() {
    let dir = scratch("flags");
    let h = write(&dir, "h.jsonl", GOOD);
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    for args in [
        vec![h.to_str().unwrap(), "--time-limit", "3 parsecs"],
        vec![h.to_str().unwrap(), "--checkers", "bogus"],
        vec![h.to_str().unwrap(), "--model", "queue"],
        vec!["/nonexistent/quorumlab/history.jsonl"],
        vec![empty.to_str().unwrap()],
        vec![
            h.to_str().unwrap(),
            h.to_str().unwrap(),
            "--final",
            "f.json",
        ],
    ] {
        let o = check(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert_eq!(
            stderr(&o).trim_end().lines().count(),
            1,
            "{args:?}: {}",
            stderr(&o)
        );
    }
    let o = check(&[h.to_str().unwrap(), "--time-limit", "500ms"]);
    assert_eq!(code(&o), 0);
}

#[test]
fn many_anomalies_are_capped_in_text_but_all_in_json() {
    let dir = scratch("cap");
    let mut text = String::new();
    for i in 0..15u64 {
        text.push_str(&ev(2 * i, 2 * i + 1, i, "invoke", "read", "null"));
        text.push_str(&ev(
            2 * i + 1,
            2 * i + 2,
            i,
            "ok",
            "read",
            &(100 + i).to_string(),
        ));
    }
    let h = write(&dir, "h.jsonl", &text);
    let o = check(&[h.to_str().unwrap(), "--checkers", "phantom"]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert_eq!(out.matches("  - phantom-read").count(), 10, "{out}");
    assert!(out.contains("and 5 more"), "{out}");
    let o = check(&[h.to_str().unwrap(), "--checkers", "phantom", "--json"]);
    assert_eq!(
        json(&o)["checkers"][0]["anomalies"]
            .as_array()
            .map(Vec::len),
        Some(15)
    );
}

#[test]
fn invalid_utf8_is_reported_at_its_line_except_in_logs() {
    let dir = scratch("utf8");
    let mut bytes = GOOD.as_bytes().to_vec();
    bytes.extend_from_slice(
        b"{\"index\":4,\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":\"\xff\"}\n",
    );
    let h = dir.join("h.jsonl");
    std::fs::write(&h, &bytes).expect("write");
    let o = check(&[h.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).starts_with(&format!("{}:5: invalid UTF-8", h.display())),
        "{}",
        stderr(&o)
    );

    let log = dir.join("etcd.log");
    std::fs::write(&log, b"\xff\xfe garbage\nINFO  jepsen.util - 1\t:invoke\t:write\t3\nINFO  jepsen.util - 1\t:ok\t:write\t3\n").expect("write");
    let o = check(&[log.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("2 events"), "{}", stdout(&o));
}

/// Run `quorumlab check` with `input` on its standard input.
fn check_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_quorumlab"))
        .arg("check")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run quorumlab");
    if let Some(mut stdin) = child.stdin.take() {
        // It may exit (bad flags) before reading: a closed pipe is fine.
        let _ = stdin.write_all(input);
    }
    child.wait_with_output().expect("wait for quorumlab")
}

/// Exit 2 with one line `prefix…` on stderr, at most `max` bytes long.
fn bad_input(o: &Output, prefix: &str, max: usize) {
    let err = stderr(o);
    assert_eq!(code(o), 2, "{}{err}", stdout(o));
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.starts_with(prefix), "expected {prefix:?}: {err}");
    assert!(
        err.len() <= max,
        "{} bytes: {}",
        err.len(),
        &err[..200.min(err.len())]
    );
}

#[test]
fn standard_input_and_streams_are_read_to_the_end() {
    let o = check_stdin(&["-"], GOOD.as_bytes());
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).starts_with("<stdin>: 4 events"),
        "{}",
        stdout(&o)
    );
    let o = check_stdin(&["/dev/stdin", "--checkers", "stale-read"], GOOD.as_bytes());
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).starts_with("/dev/stdin: 4 events"),
        "{}",
        stdout(&o)
    );
    let edn = b"{:process 0 :type :invoke :f :write :value 1}\n{:process 0 :type :ok :f :write :value 1}\n";
    let o = check_stdin(&["-", "--format", "jepsen-edn"], edn);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    // Errors name the stream.
    let o = check_stdin(&["-"], b"{\"process\":0}\n");
    bad_input(&o, "<stdin>:1: ", 300);
}

#[test]
fn an_unknown_function_is_bad_input_listing_the_models_functions() {
    let dir = scratch("unknown-f");
    let text = [
        ev(0, 1, 0, "invoke", "write", "1"),
        ev(1, 2, 0, "ok", "write", "1"),
        ev(2, 3, 1, "invoke", "wrte", "2"),
        ev(3, 4, 1, "ok", "wrte", "2"),
        ev(4, 5, 2, "invoke", "read", "null"),
        ev(5, 6, 2, "ok", "read", "2"),
    ]
    .concat();
    let h = write(&dir, "h.jsonl", &text);
    let o = check(&[h.to_str().unwrap()]);
    bad_input(&o, &format!("{}:3: ", h.display()), 300);
    assert!(stderr(&o).contains("\"wrte\""), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("read, write, delete, cas"),
        "{}",
        stderr(&o)
    );
    let o = check(&[h.to_str().unwrap(), "--model", "mutex"]);
    bad_input(&o, &format!("{}:1: ", h.display()), 300);
    assert!(stderr(&o).contains("acquire, release"), "{}", stderr(&o));
}

#[test]
fn echoed_input_is_cut_in_every_message() {
    let dir = scratch("echo");
    let big = "x".repeat(1_000_000);
    let h = write(
        &dir,
        "f.jsonl",
        &format!("{{\"process\":0,\"type\":\"invoke\",\"f\":\"{big}\"}}\n"),
    );
    bad_input(
        &check(&[h.to_str().unwrap()]),
        &format!("{}:1: ", h.display()),
        400,
    );
    let h = write(
        &dir,
        "t.jsonl",
        &format!("{{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"time\":\"{big}\"}}\n"),
    );
    bad_input(
        &check(&[h.to_str().unwrap()]),
        &format!("{}:1: ", h.display()),
        400,
    );
    let e = write(
        &dir,
        "s.edn",
        &format!("{{:process 0 :type :{big} :f :read}}\n"),
    );
    bad_input(
        &check(&[e.to_str().unwrap()]),
        &format!("{}:1: ", e.display()),
        400,
    );
    let g = write(&dir, "g.jsonl", GOOD);
    // A path the OS refuses (too long) is cut to its tail.
    let long_path = format!("{}/{}.jsonl", dir.display(), "\u{e9}".repeat(10_000));
    bad_input(&check(&[&long_path]), "…", 300);
    bad_input(
        &check(&[g.to_str().unwrap(), "--final", &long_path]),
        "…",
        300,
    );
    let huge_flag = format!("\"{}", "m".repeat(100_000));
    for flag in [
        "--model",
        "--format",
        "--checkers",
        "--init",
        "--time-limit",
    ] {
        bad_input(
            &check(&[g.to_str().unwrap(), flag, &huge_flag]),
            "quorumlab check: --",
            400,
        );
    }
}

#[test]
fn every_text_input_names_the_line_of_invalid_utf8() {
    let dir = scratch("final-utf8");
    let h = write(&dir, "history.jsonl", GOOD);
    let f = dir.join("final.json");
    std::fs::write(
        &f,
        b"{\"nodes\":[\"n1\"],\n\"placement\":[],\n\"cells\":[\"\xff\"]}",
    )
    .expect("write");
    let o = check(&[h.to_str().unwrap()]);
    bad_input(&o, &format!("{}:3: invalid UTF-8", f.display()), 300);
}

#[test]
fn chained_discards_are_bad_input_not_a_crash() {
    let dir = scratch("discards");
    let e = write(&dir, "d.edn", &format!("{}1\n", "#_ ".repeat(50_000)));
    bad_input(
        &check(&[e.to_str().unwrap()]),
        &format!("{}:1: ", e.display()),
        300,
    );
    assert!(stderr(&check(&[e.to_str().unwrap()])).contains("nesting"));
    let l = write(
        &dir,
        "d.log",
        &format!(
            "INFO  jepsen.util - 1\t:invoke\t:write\t3\nINFO  jepsen.util - 1\t:ok\t:write\t{}3\n",
            "#_ ".repeat(50_000)
        ),
    );
    bad_input(
        &check(&[l.to_str().unwrap()]),
        &format!("{}:2: ", l.display()),
        400,
    );
}

#[test]
fn lines_stay_exact_for_skipped_looking_and_unterminated_forms() {
    let dir = scratch("blame");
    let log = write(
        &dir,
        "etcd.log",
        "INFO  jepsen.util - 1\t:invoke\t:write\t3\nINFO  jepsen.util - -1\t:ok\t:write\t3\nINFO  jepsen.util - 2\t:ok\t:write\t3\n",
    );
    bad_input(
        &check(&[log.to_str().unwrap()]),
        &format!("{}:2: ", log.display()),
        300,
    );
    let e = write(
        &dir,
        "h.edn",
        "[{:process 0 :type :invoke :f :write :value 1}\n {:process 0 :type :ok :f :write :value 1\n]\n",
    );
    let o = check(&[e.to_str().unwrap()]);
    bad_input(&o, &format!("{}:2: ", e.display()), 300);
    assert!(stderr(&o).contains("never closed"), "{}", stderr(&o));
}

#[test]
fn times_going_backwards_never_panic_in_any_format_or_model() {
    let dir = scratch("backwards");
    let cases: [(&str, &str, &str); 5] = [
        ("register", "write", "1"),
        ("cas-register", "cas", "[null, 1]"),
        ("kv", "append", "\"a\""),
        ("multi-register", "txn", "[[\"write\", \"x\", 1]]"),
        ("mutex", "acquire", "null"),
    ];
    for (model, f, value) in cases {
        let jsonl = format!(
            "{{\"index\":0,\"time\":100,\"process\":0,\"type\":\"invoke\",\"f\":\"{f}\",\"value\":{value}}}\n\
             {{\"index\":1,\"time\":50,\"process\":0,\"type\":\"ok\",\"f\":\"{f}\",\"value\":{value}}}\n"
        );
        let h = write(&dir, &format!("{model}.jsonl"), &jsonl);
        let o = check(&[
            h.to_str().unwrap(),
            "--model",
            model,
            "--checkers",
            "linearizable",
        ]);
        assert_eq!(code(&o), 0, "{model}: {}{}", stdout(&o), stderr(&o));
        let edn_value = value.replace(',', "").replace("null", "nil");
        let edn = format!(
            "{{:process 0 :type :invoke :f :{f} :value {edn_value} :time 100}}\n\
             {{:process 0 :type :ok :f :{f} :value {edn_value} :time 50}}\n"
        );
        let e = write(&dir, &format!("{model}.edn"), &edn);
        let o = check(&[e.to_str().unwrap(), "--model", model]);
        assert_eq!(code(&o), 0, "{model} edn: {}{}", stdout(&o), stderr(&o));
    }
}

#[test]
fn the_default_time_limit_is_stated_and_can_be_lifted() {
    let o = Command::new(env!("CARGO_BIN_EXE_quorumlab"))
        .args(["check", "--help"])
        .output()
        .expect("run quorumlab");
    let help = stdout(&o);
    assert!(help.contains("[default: 60s]"), "{help}");
    assert!(help.contains("`0` or `none` for no limit"), "{help}");
    let dir = scratch("limit");
    let h = write(&dir, "h.jsonl", GOOD);
    for limit in ["0", "none", "2m"] {
        let o = check(&[h.to_str().unwrap(), "--time-limit", limit]);
        assert_eq!(code(&o), 0, "{limit}: {}", stderr(&o));
    }
}

#[test]
fn invariants_without_a_run_is_unknown_and_resurrection_runs_by_default() {
    let dir = scratch("invariants");
    let h = write(&dir, "h.jsonl", GOOD);
    let o = check(&[h.to_str().unwrap(), "--checkers", "invariants", "--json"]);
    assert_eq!(code(&o), 3, "{}", stdout(&o));
    let v = json(&o);
    assert_eq!(v["checkers"][0]["checker"], "invariants");
    assert!(
        v["checkers"][0]["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("checked during a run")),
        "{v}"
    );
    let o = check(&[h.to_str().unwrap(), "--json"]);
    let names = checker_names(&json(&o));
    assert!(names.contains(&"resurrection".to_string()), "{names:?}");
    assert!(!names.contains(&"invariants".to_string()), "{names:?}");
}

/// Random flags (valid, garbage, huge) over a random small history, given as a file or on stdin:
/// the exit code is 0, 1, 2 or 3 (never a panic or a signal), and exit 2 comes with exactly one
/// short stderr line.
fn random_invocations(cases: u32) {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let value = prop_oneof![
        prop::sample::select(vec![
            "jsonl",
            "jepsen-edn",
            "jepsen-log",
            "edn",
            "xml",
            "register",
            "cas-register",
            "kv",
            "multi-register",
            "mutex",
            "queue",
            "0",
            "none",
            "10ms",
            "1e400s",
            "-1s",
            "nil",
            "null",
            ":a",
            "[1 2",
            "1.5",
            "linearizable,invariants",
            "resurrection",
            "bogus",
            ",",
            "",
        ])
        .prop_map(str::to_string),
        (1usize..3).prop_map(|n| "\u{e9}".repeat(10usize.pow(n as u32 * 2))),
    ];
    let flag = prop::sample::select(vec![
        "--format",
        "--model",
        "--init",
        "--checkers",
        "--time-limit",
        "--final",
        "--json",
    ]);
    let history = prop::sample::select(vec![
        GOOD.to_string(),
        String::new(),
        "{\"process\":0,\"type\":\"invoke\",\"f\":\"delete\",\"key\":1,\"value\":null}\n".into(),
        "[{:process 0 :type :invoke :f :write :value 1}]".into(),
        "INFO jepsen.util - 1\t:invoke\t:write\t3\n".into(),
        "\u{0}\u{ff}garbage\n".into(),
    ]);
    let strategy = (
        prop::collection::vec((flag, value), 0..4),
        history,
        any::<bool>(),
    );
    let dir = scratch("random-flags");
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let result = runner.run(&strategy, |(flags, history, stdin)| {
        let mut args: Vec<String> = Vec::new();
        let path = write(&dir, "h.jsonl", &history);
        args.push(if stdin {
            "-".into()
        } else {
            path.display().to_string()
        });
        for (f, v) in flags {
            args.push(f.to_string());
            if f != "--json" {
                args.push(v);
            }
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = if stdin {
            check_stdin(&refs, history.as_bytes())
        } else {
            check(&refs)
        };
        let c = code(&o);
        prop_assert!(
            [0, 1, 2, 3].contains(&c),
            "exit {:?} for {:?}: {}",
            o.status,
            args.iter()
                .map(|a| a.chars().take(40).collect::<String>())
                .collect::<Vec<_>>(),
            stderr(&o)
        );
        if c == 2 {
            let err = stderr(&o);
            prop_assert_eq!(err.trim_end().lines().count(), 1, "{}", err);
            prop_assert!(err.len() < 1_000, "{} bytes", err.len());
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{}", e.to_string().chars().take(3_000).collect::<String>());
    }
}

#[test]
fn random_flags_and_inputs_exit_0_to_3_with_one_line_errors() {
    random_invocations(40);
}

#[test]
#[ignore]
fn many_random_flags_and_inputs() {
    random_invocations(2_000);
}

#[test]
fn a_search_cut_by_the_time_limit_is_unknown_and_names_the_limit() {
    let dir = scratch("time-limit");
    let events = quorumlab::checkers::lin::synth::hard_history(16);
    let mut text = Vec::new();
    quorumlab::checkers::jsonl::write_jsonl(&mut text, &events).expect("serialise");
    let h = dir.join("hard.jsonl");
    std::fs::write(&h, text).expect("write");
    let o = check(&[
        h.to_str().unwrap(),
        "--checkers",
        "linearizable",
        "--time-limit",
        "1ns",
    ]);
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("linearizability search stopped after 1ns (--time-limit)"),
        "{}",
        stdout(&o)
    );
}
