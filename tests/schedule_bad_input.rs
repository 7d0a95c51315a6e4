//! Bad input never panics: thousands of malformed schedule files — the shipped TOML files and
//! their JSON form mutated (bytes flipped, inserted, deleted, lines duplicated or swapped, values
//! replaced by huge numbers, 1 MB strings, deep nesting, invalid UTF-8, wrong types), garbage
//! bytes, and tables assembled from extreme values — are loaded from disk with `schedule::load`.
//! Each either loads (and then validates) or fails with one line `PATH:LINE: …` whose line lies
//! within the file and whose echoes are cut (the message stays short whatever the input).
//!
//! The default case count is sized for CI (a few seconds); `QUORUMLAB_BAD_INPUT_CASES=N` changes
//! it, and the ignored test runs 50 000 cases per generator. Each test prints how many inputs it
//! tried (`--nocapture`).

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestRunner};
use quorumlab::sim::schedule::{load, ScheduleError};
use std::path::{Path, PathBuf};

const SHIPPED: [&str; 10] = [
    "partition-halves",
    "isolate-node",
    "rolling-crash",
    "crash-majority",
    "flaky-network",
    "slow-links",
    "slow-replica",
    "reply-loss",
    "clock-skew",
    "mixed",
];

fn nodes() -> Vec<String> {
    (1..=5).map(|i| format!("n{i}")).collect()
}

fn shipped_toml(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/schedules/{name}.toml"));
    std::fs::read(path).unwrap()
}

fn shipped_json(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/schedules/{name}.toml"));
    let s = load(&path, &nodes(), 1).unwrap();
    serde_json::to_vec_pretty(&s).unwrap()
}

fn deep(open: &str, close: &str, depth: usize) -> Vec<u8> {
    format!("{}1{}", open.repeat(depth), close.repeat(depth)).into_bytes()
}

fn huge_string() -> Vec<u8> {
    format!("\"{}\"", "x".repeat(1 << 20)).into_bytes()
}

/// Values that hit the edges of TOML's and the loader's types.
fn toml_values() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = [
        "1e400",
        "99999999999999999999999",
        "-9223372036854775808",
        "nan",
        "-inf",
        "-0.0",
        "\"random\"",
        "\"584942417355y\"",
        "\"-1s\"",
        "\"0s\"",
        "\"1 zzzz\"",
        "[]",
        "[[]]",
        "[[\"n1\"], [\"n1\"]]",
        "[\"n1\", \"n9\"]",
        "{}",
        "{a = 1}",
        "1979-05-27T00:00:00Z",
        "true",
        "\"default\"",
        "0",
        "1",
        "0.5",
        "\"halves\"",
        "\"bridge\"",
        "\"reply-loss\"",
        "\"crash\"",
        "\"\\u0001\\n\"",
        "\"2h\"",
        "\"+2days\"",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    v.push(huge_string());
    v.push(deep("[", "]", 200));
    v.push(deep("{a = ", "}", 200));
    v.push(b"\"\xff\xfe\"".to_vec());
    v
}

fn json_values() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = [
        "1e400",
        "-1",
        "5.0",
        "\"0s\"",
        "\"-1s\"",
        "null",
        "{}",
        "[]",
        "\"random\"",
        "{\"named\": \"n9\"}",
        "\"halves\"",
        "18446744073709551616",
        "\"584942417355years\"",
        "{\"crash-set\": []}",
        "{\"partition\": {\"groups\": [[\"n1\"], []]}}",
        "NaN",
        "\"\"",
        "{\"loss\": {\"rate\": 5}}",
        "{\"restart\": {\"named\": \"n1\"}}",
        "\"heal\"",
        "true",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    v.push(huge_string());
    v.push(deep("[", "]", 200));
    v.push(deep("{\"a\": ", "}", 200));
    v.push(b"\"\xc3\"".to_vec());
    v
}

/// Pieces inserted as they are.
const SNIPPETS: &[&[u8]] = &[
    b"[[fault]]\n",
    b"[fault]\n",
    b"name = 1\n",
    b"kind = \"slow\"\n",
    b"nodes = [\"n1\", \"n2\", \"n3\"]\n",
    b"x = 1\n",
    b"\"\x01\" = 2\n",
    b"at.x = 1\n",
    b"[[fault.sub]]\n",
    b"=",
    b"\"",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"#",
    b"\n",
    b"\xc3",
    b"\xff",
    b"\r",
    b"\0",
];

/// One change to a file.
#[derive(Clone, Debug)]
enum Mutation {
    Flip(Index, u8),
    Insert(Index, usize),
    Delete(Index, usize),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    /// Replace the value of a `key = value` (TOML) or `"key": value` (JSON) line.
    Value(Index, usize),
    /// Insert a value from the palette anywhere.
    Raw(Index, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<Index>(), 0..SNIPPETS.len()).prop_map(|(i, s)| Mutation::Insert(i, s)),
        (any::<Index>(), 1..40usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<Index>(), any::<usize>()).prop_map(|(i, v)| Mutation::Value(i, v)),
        (any::<Index>(), any::<usize>()).prop_map(|(i, v)| Mutation::Raw(i, v)),
    ]
}

fn lines(text: &[u8]) -> Vec<Vec<u8>> {
    text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

fn mutate(mut text: Vec<u8>, m: &Mutation, values: &[Vec<u8>], json: bool) -> Vec<u8> {
    let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len) };
    match m {
        Mutation::Flip(i, b) if !text.is_empty() => {
            let p = at(i, text.len());
            text[p] = *b;
        }
        Mutation::Flip(..) => {}
        Mutation::Insert(i, s) => {
            let p = at(i, text.len() + 1);
            text.splice(p..p, SNIPPETS[*s].iter().copied());
        }
        Mutation::Delete(i, n) => {
            let p = at(i, text.len() + 1);
            text.drain(p..(p + n).min(text.len()));
        }
        Mutation::DuplicateLine(i) | Mutation::SwapLines(i, _) | Mutation::Value(i, _) => {
            let mut ls = lines(&text);
            let a = at(i, ls.len());
            match m {
                Mutation::DuplicateLine(_) => ls.insert(a, ls[a].clone()),
                Mutation::SwapLines(_, j) => {
                    let b = at(j, ls.len());
                    ls.swap(a, b);
                }
                Mutation::Value(_, v) => {
                    let sep: &[u8] = if json { b": " } else { b"= " };
                    let line = &ls[a];
                    if let Some(p) = line.windows(sep.len()).position(|w| w == sep) {
                        let comma = json && line.ends_with(b",");
                        let mut new = line[..p + sep.len()].to_vec();
                        new.extend_from_slice(&values[v % values.len()]);
                        if comma {
                            new.push(b',');
                        }
                        ls[a] = new;
                    }
                }
                _ => unreachable!(),
            }
            text = ls.join(&b'\n');
        }
        Mutation::Raw(i, v) => {
            let p = at(i, text.len() + 1);
            text.splice(p..p, values[v % values.len()].iter().copied());
        }
    }
    text
}

/// Loads `bytes` from a file named `name` in `dir` and checks the contract.
fn check(dir: &Path, name: &str, bytes: &[u8]) -> Result<bool, TestCaseError> {
    let path: PathBuf = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    match load(&path, &nodes(), 7) {
        Ok(s) => {
            prop_assert_eq!(s.validate(&nodes()), Ok(()));
            Ok(false)
        }
        Err(e) => {
            let msg = e.to_string();
            let prefix = format!("{}:", path.display());
            prop_assert!(msg.starts_with(&prefix), "{}", msg);
            prop_assert!(!msg.contains('\n') && !msg.contains('\r'), "{}", msg);
            prop_assert!(msg.chars().count() < 600, "{}", &msg[..600]);
            let ScheduleError::Invalid { line, .. } = e else {
                return Err(TestCaseError::fail(format!("not a FILE:LINE error: {msg}")));
            };
            let count = bytes.split(|&b| b == b'\n').count();
            prop_assert!(
                line >= 1 && line <= count.max(1),
                "line {} of {}: {}",
                line,
                count,
                msg
            );
            Ok(true)
        }
    }
}

fn cases(default: u32) -> u32 {
    std::env::var("QUORUMLAB_BAD_INPUT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `strategy` for `n` cases, checking each input; how many inputs were tried and rejected.
fn run<S: Strategy<Value = (Vec<u8>, bool)>>(n: u32, strategy: S) -> (usize, usize) {
    let dir = tempfile::tempdir().unwrap();
    let tried = std::cell::Cell::new(0usize);
    let rejected = std::cell::Cell::new(0usize);
    let mut runner = TestRunner::new(Config {
        cases: n,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |(bytes, json)| {
        tried.set(tried.get() + 1);
        let bad = check(dir.path(), if json { "s.json" } else { "s.toml" }, &bytes)?;
        rejected.set(rejected.get() + usize::from(bad));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    (tried.get(), rejected.get())
}

fn mutated(toml: bool) -> impl Strategy<Value = (Vec<u8>, bool)> {
    (0..SHIPPED.len(), prop::collection::vec(mutation(), 1..6)).prop_map(move |(f, ms)| {
        let (base, values) = if toml {
            (shipped_toml(SHIPPED[f]), toml_values())
        } else {
            (shipped_json(SHIPPED[f]), json_values())
        };
        let text = ms.iter().fold(base, |t, m| mutate(t, m, &values, !toml));
        (text, !toml)
    })
}

fn garbage() -> impl Strategy<Value = (Vec<u8>, bool)> {
    (prop::collection::vec(any::<u8>(), 0..600), any::<bool>())
}

/// `[[fault]]` tables whose keys get values from the TOML palette (deep rules get reached).
fn assembled() -> impl Strategy<Value = (Vec<u8>, bool)> {
    const KEYS: [&str; 12] = [
        "at", "kind", "how", "groups", "node", "nodes", "from", "to", "rate", "max", "offset",
        "duration",
    ];
    let table = prop::collection::vec((0..KEYS.len(), any::<usize>()), 1..8);
    prop::collection::vec(table, 1..5).prop_map(|tables| {
        let values = toml_values();
        let mut out = Vec::new();
        for t in tables {
            out.extend_from_slice(b"[[fault]]\n");
            let mut used = std::collections::BTreeSet::new();
            for (k, v) in t.into_iter().filter(|(k, _)| used.insert(*k)) {
                out.extend_from_slice(format!("{} = ", KEYS[k]).as_bytes());
                out.extend_from_slice(&values[v % values.len()]);
                out.push(b'\n');
            }
        }
        (out, false)
    })
}

fn all(n: u32) {
    let mut total = 0;
    for (what, (tried, rejected)) in [
        ("mutated TOML", run(n, mutated(true))),
        ("mutated JSON", run(n, mutated(false))),
        ("garbage", run(n, garbage())),
        ("assembled TOML", run(n, assembled())),
    ] {
        eprintln!("{what}: {tried} inputs, {rejected} rejected");
        // The generators do produce bad input (and the mutated files sometimes still load).
        assert!(
            rejected * 10 >= tried * 3,
            "{what}: only {rejected} of {tried} rejected"
        );
        total += tried;
    }
    eprintln!("schedule bad input: tried {total} inputs, none panicked");
}

#[test]
fn malformed_schedules_never_panic_and_name_their_file_and_line() {
    all(cases(750));
}

#[test]
#[ignore = "long: 50 000 cases per generator"]
fn malformed_schedules_never_panic_long() {
    all(cases(50_000));
}
