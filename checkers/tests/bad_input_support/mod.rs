//! Inputs for `bad_input.rs`: the hand-made histories under `histories/` as seeds, the mutations
//! that break them (truncation, byte flips, deleted, duplicated and swapped lines, huge numbers,
//! deep nesting and chained `#_`, invalid UTF-8, huge strings, grammar fragments), and grammar-based
//! garbage (JSON Lines events, EDN operation maps, Jepsen log lines, final.json documents with
//! fields of every type). Guarantee: every strategy is deterministic given the test runner's RNG.
#![allow(dead_code)]

use proptest::prelude::*;
use quorumlab_checkers::format::Format;
use quorumlab_checkers::lin::ModelKind;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The models a history may be checked under.
pub const MODELS: [ModelKind; 5] = [
    ModelKind::Register,
    ModelKind::CasRegister,
    ModelKind::Kv,
    ModelKind::MultiRegister,
    ModelKind::Mutex,
];

/// A hand-made history to mutate.
pub struct Seed {
    pub format: Format,
    pub model: ModelKind,
    pub bytes: Vec<u8>,
    pub final_json: Option<Vec<u8>>,
}

fn history_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            history_files(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("jsonl" | "edn" | "log")
        ) {
            out.push(p);
        }
    }
}

/// Every history under `histories/` with its model and final.json.
pub fn seeds() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../histories");
        let mut files = Vec::new();
        history_files(&root, &mut files);
        assert!(
            files.len() >= 20,
            "histories/ not found at {}",
            root.display()
        );
        files
            .iter()
            .map(|p| {
                let args = std::fs::read_to_string(p.with_extension("args")).unwrap_or_default();
                let words: Vec<&str> = args.split_whitespace().collect();
                let model = words
                    .iter()
                    .position(|w| *w == "--model")
                    .and_then(|i| words.get(i + 1))
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(ModelKind::Register);
                Seed {
                    format: Format::from_path(p),
                    model,
                    bytes: std::fs::read(p).expect("read a history"),
                    final_json: std::fs::read(p.with_extension("final.json")).ok(),
                }
            })
            .collect()
    })
}

/// Seeds small enough for the default run.
pub fn small_seeds() -> Vec<usize> {
    (0..seeds().len())
        .filter(|&i| seeds()[i].bytes.len() <= 8_192)
        .collect()
}

pub fn all_seeds() -> Vec<usize> {
    (0..seeds().len()).collect()
}

/// One way to break an input.
#[derive(Clone, Debug)]
pub enum Mutation {
    Truncate(usize),
    Flip(usize, u8),
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    HugeNumber(usize),
    Nest(usize, &'static str, usize),
    InvalidUtf8(usize, u8),
    HugeString(usize, usize),
    Insert(usize, &'static str),
}

pub const FRAGMENTS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    "#{",
    "#_",
    "#_ #_",
    "#:ns{",
    "#inst \"x\"",
    "##Inf",
    "\"",
    "\\",
    "\\u00",
    "\\newline",
    ":",
    "::a",
    ":type",
    ":process",
    ":invoke",
    ":ok",
    ":fail",
    ":info",
    ":nemesis",
    ":f",
    ":value",
    ":time",
    ":index",
    ":key",
    "nil",
    "null",
    "true",
    "-1",
    "0",
    "007",
    "1.5",
    "1/2",
    "1N",
    "99999999999999999999",
    ",",
    ";",
    "\n",
    "\t",
    " ",
    "\"process\"",
    "\"type\"",
    "\"f\"",
    "\"value\"",
    "\"index\"",
    "\"time\"",
    "\"key\"",
    "\"ts\"",
    "\"read\"",
    "\"write\"",
    "\"delete\"",
    "\"cas\"",
    "\"txn\"",
    "\"invoke\"",
    "\"ok\"",
    "\"info\"",
    "\"fail\"",
    "\"nemesis\"",
    "jepsen.util",
    "INFO jepsen.util - ",
    ":read",
    ":write",
    ":cas",
    ":txn",
    ":append",
    ":acquire",
    "[:r :x 1]",
    "[:w :x 2]",
    "[1 nil]",
    "[1 [2 3]]",
    "\"cells\"",
    "\"node\"",
    "\"reached\"",
    "\"placement\"",
    "\"replicas\"",
    "\"nodes\"",
    "\u{1F600}",
    "\0",
];

pub fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<prop::sample::Index>().prop_map(|i| i.index(usize::MAX));
    prop_oneof![
        at.clone().prop_map(Mutation::Truncate),
        (at.clone(), any::<u8>()).prop_map(|(a, b)| Mutation::Flip(a, b)),
        at.clone().prop_map(Mutation::DeleteLine),
        at.clone().prop_map(Mutation::DuplicateLine),
        (at.clone(), at.clone()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        at.clone().prop_map(Mutation::HugeNumber),
        (
            at.clone(),
            prop::sample::select(vec!["[", "{", "(", "#{", "#_ ", "#t ", "[[", "{\"a\":"]),
            prop_oneof![Just(150usize), Just(250), Just(5_000), Just(200_000)]
        )
            .prop_map(|(a, s, n)| Mutation::Nest(a, s, n)),
        (
            at.clone(),
            prop::sample::select(vec![0xffu8, 0xc3, 0x80, 0xe2, 0xf0])
        )
            .prop_map(|(a, b)| Mutation::InvalidUtf8(a, b)),
        (
            at.clone(),
            prop_oneof![Just(100usize), Just(10_000), Just(300_000)]
        )
            .prop_map(|(a, n)| Mutation::HugeString(a, n)),
        (at, prop::sample::select(FRAGMENTS.to_vec())).prop_map(|(a, f)| Mutation::Insert(a, f)),
    ]
}

fn line_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            spans.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < bytes.len() {
        spans.push((start, bytes.len()));
    }
    spans
}

pub fn apply(mut bytes: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let len = bytes.len();
        let pos = |p: usize| if len == 0 { 0 } else { p % (len + 1) };
        let spans = line_spans(&bytes);
        let line = |p: usize| spans.get(p % spans.len().max(1)).copied();
        match m {
            Mutation::Truncate(p) => bytes.truncate(pos(*p)),
            Mutation::Flip(p, b) => {
                if len > 0 {
                    bytes[p % len] = *b;
                }
            }
            Mutation::DeleteLine(p) => {
                if let Some((a, b)) = line(*p) {
                    bytes.drain(a..b);
                }
            }
            Mutation::DuplicateLine(p) => {
                if let Some((a, b)) = line(*p) {
                    let copy = bytes[a..b].to_vec();
                    bytes.splice(b..b, copy);
                }
            }
            Mutation::SwapLines(p, q) => {
                if let (Some(x), Some(y)) = (line(*p), line(*q)) {
                    let (first, second) = if x.0 <= y.0 { (x, y) } else { (y, x) };
                    if first != second {
                        let mut out = bytes[..first.0].to_vec();
                        out.extend_from_slice(&bytes[second.0..second.1]);
                        out.extend_from_slice(&bytes[first.1..second.0]);
                        out.extend_from_slice(&bytes[first.0..first.1]);
                        out.extend_from_slice(&bytes[second.1..]);
                        bytes = out;
                    }
                }
            }
            Mutation::HugeNumber(p) => {
                // Replace the first digit run at or after p by a number far beyond 64 bits.
                let start = pos(*p);
                if let Some(d) = bytes[start..].iter().position(u8::is_ascii_digit) {
                    let a = start + d;
                    let b = a + bytes[a..].iter().take_while(|c| c.is_ascii_digit()).count();
                    bytes.splice(a..b, b"18446744073709551616999".iter().copied());
                }
            }
            Mutation::Nest(p, s, n) => {
                let at = pos(*p);
                bytes.splice(at..at, s.repeat(*n).into_bytes());
            }
            Mutation::InvalidUtf8(p, b) => {
                let at = pos(*p);
                bytes.insert(at, *b);
            }
            Mutation::HugeString(p, n) => {
                let at = pos(*p);
                let s = format!("\"{}\"", "x".repeat(*n));
                bytes.splice(at..at, s.into_bytes());
            }
            Mutation::Insert(p, f) => {
                let at = pos(*p);
                bytes.splice(at..at, f.bytes());
            }
        }
    }
    bytes
}

// Strategies: mutations of the hand-made histories, and grammar-based garbage.

pub fn mutated_seed(pool: Vec<usize>) -> impl Strategy<Value = (usize, Vec<Mutation>, usize)> {
    (
        prop::sample::select(pool),
        prop::collection::vec(mutation(), 1..4),
        0..MODELS.len(),
    )
}

pub fn json_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        any::<i64>().prop_map(|i| i.to_string()),
        Just("18446744073709551616".to_string()),
        Just("-0".to_string()),
        Just("1.5".to_string()),
        Just("1e400".to_string()),
        prop::sample::select(vec![
            "invoke", "ok", "fail", "info", "done", "read", "write", "delete", "cas", "nemesis",
            "", "x",
        ])
        .prop_map(|s| format!("{s:?}")),
        (0usize..3).prop_map(|n| format!("\"{}\"", "y".repeat([3, 200, 70_000][n]))),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec(
                (
                    prop::sample::select(vec!["a", "value", "ts", "process"]),
                    inner
                ),
                0..3
            )
            .prop_map(|kv| {
                let body: Vec<String> = kv.iter().map(|(k, v)| format!("{k:?}:{v}")).collect();
                format!("{{{}}}", body.join(","))
            }),
        ]
    })
}

pub fn jsonl_garbage() -> impl Strategy<Value = Vec<u8>> {
    let field = (
        prop::sample::select(vec![
            "index", "time", "process", "type", "f", "key", "value", "ts", "node", "error", "zz",
        ]),
        json_value(),
    );
    let event = prop::collection::vec(field, 0..9).prop_map(|fields| {
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k:?}:{v}")).collect();
        format!("{{{}}}", body.join(","))
    });
    let line = prop_oneof![
        8 => event,
        1 => prop::sample::select(FRAGMENTS.to_vec()).prop_map(str::to_string),
        1 => Just(String::new()),
    ];
    prop::collection::vec(line, 0..12).prop_map(|l| l.join("\n").into_bytes())
}

pub fn edn_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        prop::sample::select(vec![
            "nil",
            "true",
            "0",
            "-1",
            "7",
            "1N",
            "99999999999999999999",
            "1.5",
            "1/2",
            "\\a",
            "\\newline",
            ":read",
            ":write",
            ":cas",
            ":txn",
            ":ok",
            ":invoke",
            ":info",
            ":nemesis",
            ":x",
            "sym",
            "\"s\"",
            "#inst \"2024\"",
            "##NaN",
            "[:r :x 1]",
            "[:w :x nil]",
        ])
        .prop_map(str::to_string),
        any::<i64>().prop_map(|i| i.to_string()),
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(" "))),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("({})", v.join(" "))),
            prop::collection::vec(inner.clone(), 0..3)
                .prop_map(|v| format!("#{{{}}}", v.join(" "))),
            inner.clone().prop_map(|v| format!("#_ {v} {v}")),
            inner
                .clone()
                .prop_map(|v| format!("#jepsen.history.Op{{:value {v}}}")),
            prop::collection::vec((inner.clone(), inner), 0..3).prop_map(|kv| {
                let body: Vec<String> = kv.iter().map(|(k, v)| format!("{k} {v}")).collect();
                format!("{{{}}}", body.join(", "))
            }),
        ]
    })
}

pub fn edn_garbage() -> impl Strategy<Value = Vec<u8>> {
    let key = prop::sample::select(vec![
        ":process", ":type", ":f", ":value", ":time", ":index", ":key", ":error", ":other",
    ]);
    let op = prop::collection::vec((key, edn_value()), 0..8).prop_map(|kv| {
        let body: Vec<String> = kv.iter().map(|(k, v)| format!("{k} {v}")).collect();
        format!("{{{}}}", body.join(" "))
    });
    let line = prop_oneof![
        8 => op,
        1 => prop::sample::select(FRAGMENTS.to_vec()).prop_map(str::to_string),
        1 => Just("; a comment".to_string()),
    ];
    (prop::collection::vec(line, 0..10), any::<bool>()).prop_map(|(lines, vector)| {
        let body = lines.join("\n ");
        if vector {
            format!("[{body}]").into_bytes()
        } else {
            body.into_bytes()
        }
    })
}

pub fn log_garbage() -> impl Strategy<Value = Vec<u8>> {
    let process = prop::sample::select(vec![
        "0",
        "1",
        "7",
        "-1",
        ":nemesis",
        ":x",
        "+3",
        "99999999999999999999999",
    ]);
    let kind = prop::sample::select(vec![":invoke", ":ok", ":fail", ":info", ":done", "ok", ""]);
    let f = prop::sample::select(vec![":read", ":write", ":cas", ":txn", ":", "", "read"]);
    let sep = prop::sample::select(vec!["\t", " "]);
    let op = (process, kind, f, edn_value(), sep)
        .prop_map(|(p, t, f, v, s)| format!("INFO  jepsen.util - {p}{s}{t}{s}{f}{s}{v}"));
    let line = prop_oneof![
        8 => op,
        1 => Just("2014-07-02 INFO jepsen.core - Worker 2 starting".to_string()),
        1 => prop::sample::select(FRAGMENTS.to_vec()).prop_map(str::to_string),
    ];
    prop::collection::vec(line, 0..12).prop_map(|l| l.join("\n").into_bytes())
}

pub fn final_garbage() -> impl Strategy<Value = Vec<u8>> {
    let cell = (json_value(), json_value(), json_value(), json_value())
        .prop_map(|(n, k, v, t)| format!("{{\"node\":{n},\"key\":{k},\"value\":{v},\"ts\":{t}}}"));
    let good_cell = (0i64..3, prop::option::of(0i64..5), 0u64..10).prop_map(|(k, v, t)| {
        let v = v.map_or("null".to_string(), |v| v.to_string());
        format!("{{\"node\":\"n1\",\"key\":{k},\"value\":{v},\"ts\":{t}}}")
    });
    let cells = prop::collection::vec(prop_oneof![3 => good_cell.clone(), 1 => cell], 0..5);
    let reached = prop::option::of(prop::collection::vec(good_cell, 0..3));
    (cells, reached, json_value(), any::<bool>()).prop_map(|(cells, reached, extra, pretty)| {
        let reached = reached
            .map(|r| {
                let r: Vec<String> = r.iter().map(|c| c.replace("\"node\":\"n1\",", "")).collect();
                format!(",\"reached\":[{}]", r.join(","))
            })
            .unwrap_or_default();
        let sep = if pretty { ",\n" } else { "," };
        format!(
            "{{\"nodes\":[\"n1\",\"n2\"]{sep}\"placement\":[{{\"key\":0,\"replicas\":[\"n1\",\"n2\"]}},{{\"key\":1,\"replicas\":{extra}}}]{sep}\"cells\":[{}]{reached}}}",
            cells.join(sep)
        )
        .into_bytes()
    })
}
