//! Generators for `tests/run_bad_input.rs`: adversarial flag values, argument vectors for `run`
//! and `fuzz`, and mutations of real input files (schedules, `run.json`).

use proptest::prelude::*;
use proptest::sample::{select, Index};

/// Values that break parsers: bad numbers, overflow, reversed ranges, unicode, control
/// characters, a 1 MB value, long quoted values with spaces.
pub fn bad_values() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        " ",
        "0",
        "-0",
        "-1",
        "1",
        "3",
        "7",
        "16",
        "17",
        "255",
        "256",
        "257",
        "10000",
        "10001",
        "1000000",
        "1000001",
        "4294967296",
        "9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999999",
        "1e400",
        "-1e400",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "0.5",
        "1.5",
        "-0.5",
        "1e-320",
        "0x10",
        "1_000",
        "+5",
        "1..",
        "..5",
        "..",
        "5..1",
        "1..10",
        "0..0",
        "1..1",
        "10000..10001",
        "1...3",
        "1..18446744073709551615",
        "0s",
        "1ms",
        "10s",
        "1h",
        "2h",
        "100000000h",
        "18446744073709551615s",
        "1 s",
        "-1s",
        "all",
        "safe",
        "none",
        "partition",
        "crash,loss",
        "partition,,crash",
        "partition,nope",
        "clock-skew",
        "pause",
        "on",
        "off",
        "yes",
        "one",
        "quorum",
        "ALL",
        "blocking",
        "async",
        "lazy",
        "1/2",
        "0/1",
        "2/2",
        "3/2",
        "1/0",
        "0/0",
        "18446744073709551615/2",
        "monotonic-reads,stale-read",
        "nope",
        "invariants",
        ",",
        "latest",
        ".hidden",
        "a/b",
        "/abs",
        "..",
        "ñandú",
        "🦀🦀",
        "\u{202e}rtl",
        "\u{0}",
        "a\nb",
        "\r",
        "\t",
        "\u{1b}[31mred\u{1b}[0m",
        "\u{7f}",
        "--ops",
        "-",
        "--",
        "=",
        "'quoted'",
        "\"dq\"",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("9".repeat(5_000));
    v.push("x".repeat(1 << 20));
    v.push("word ".repeat(20_000));
    v.push(format!("a\n{}", "line\n".repeat(1_000)));
    v.push(format!("{}..{}", "9".repeat(100), "1"));
    v.push("partition,".repeat(1_000));
    v
}

/// Flags of `run` (and of `fuzz`, which takes them all), with whether they take a value.
pub const RUN_FLAGS: [(&str, bool); 33] = [
    ("--schedule", true),
    ("--config", true),
    ("--seed", true),
    ("--name", true),
    ("--nodes", true),
    ("--rf", true),
    ("--read-cl", true),
    ("--write-cl", true),
    ("--read-repair", true),
    ("--async-repair-delay-ms", true),
    ("--digest-reads", true),
    ("--hints", true),
    ("--anti-entropy", true),
    ("--tombstone-grace-ms", true),
    ("--mutant", true),
    ("--clients", true),
    ("--coordinators", true),
    ("--keys", true),
    ("--hot-key", true),
    ("--ops", true),
    ("--duration", true),
    ("--read-fraction", true),
    ("--delete-fraction", true),
    ("--think-ms", true),
    ("--value-bytes", true),
    ("--latency-ms", true),
    ("--nemesis", true),
    ("--swarm", false),
    ("--quiesce-ms", true),
    ("--trace", false),
    ("--events", true),
    ("--checkers", true),
    ("--nosuchflag", true),
];

/// Flags only `fuzz` takes.
pub const FUZZ_FLAGS: [(&str, bool); 9] = [
    ("--resume", true),
    ("--regressions", true),
    ("--seeds", true),
    ("--time-budget", true),
    ("--jobs", true),
    ("--shard", true),
    ("--check-determinism", true),
    ("--no-swarm", false),
    ("--quiet", false),
];

/// One flag with a value: `--flag VALUE`, `--flag=VALUE`, or the flag twice.
#[derive(Clone, Debug)]
pub struct FlagCase {
    pub flag: usize,
    pub value: Index,
    pub form: u8,
}

pub fn flag_case(flags: usize) -> impl Strategy<Value = FlagCase> {
    (0..flags, any::<Index>(), 0u8..8).prop_map(|(flag, value, form)| FlagCase {
        flag,
        value,
        form,
    })
}

/// Append `c` (a flag of `table`) to `args`.
pub fn push_flag(args: &mut Vec<String>, table: &[(&str, bool)], c: &FlagCase, values: &[String]) {
    let (flag, takes) = table[c.flag];
    let value = c.value.get(values).clone();
    match (takes, c.form) {
        (false, 0) => args.push(format!("{flag}={value}")),
        (false, _) => args.push(flag.to_string()),
        (true, 0) => args.push(format!("{flag}={value}")),
        (true, 1) => args.push(flag.to_string()), // value missing (or the next flag is taken)
        (true, 2) => {
            args.push(flag.to_string());
            args.push(value.clone());
            args.push(flag.to_string());
            args.push(value);
        }
        (true, _) => {
            args.push(flag.to_string());
            args.push(value);
        }
    }
}

/// A small valid value per flag, so most vectors get past clap and reach the configuration.
pub fn good_value(flag: &str) -> Vec<&'static str> {
    match flag {
        "--nodes" => vec!["1", "3", "5", "16"],
        "--rf" => vec!["1", "2", "3"],
        "--read-cl" | "--write-cl" => vec!["one", "quorum", "all"],
        "--read-repair" => vec!["blocking", "async", "none"],
        "--digest-reads" | "--hints" | "--anti-entropy" | "--events" => vec!["on", "off"],
        "--mutant" => vec!["stale-digest", "nope"],
        "--keys" => vec!["1", "8", "10000"],
        "--clients" => vec!["1", "4", "256"],
        "--nemesis" => vec!["all", "safe", "partition,crash", "clock-skew,pause,loss"],
        "--latency-ms" => vec!["1..10", "1..10000"],
        "--duration" => vec!["1s", "1h"],
        "--hot-key" | "--read-fraction" | "--delete-fraction" => vec!["0", "0.5", "1"],
        "--checkers" => vec!["invariants", "monotonic-reads,stale-read"],
        "--seeds" => vec!["1..3", "5..5"],
        "--shard" => vec!["1/2", "2/2"],
        "--time-budget" => vec!["1s"],
        "--jobs" => vec!["1"],
        "--check-determinism" => vec!["0", "0.5"],
        "--schedule" => vec![
            "tests/schedules/mixed.toml",
            "tests/schedules/clock-skew.toml",
        ],
        "--config" => vec!["/nonexistent/run.json", "tests"],
        _ => vec!["1", "100", "3000"],
    }
}

/// How a file is broken.
#[derive(Clone, Debug)]
pub enum Mutation {
    Truncate(Index),
    FlipByte(Index, u8),
    InsertBytes(Index, Vec<u8>),
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    ReplaceNumber(Index, Index),
    ReplaceWord(Index, Index),
    Nest(Index, usize),
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::FlipByte(i, b)),
        (
            any::<Index>(),
            select(vec![
                b"\xff".to_vec(),
                b"\xc3".to_vec(),
                b"\n".to_vec(),
                b"\"".to_vec(),
                b"{".to_vec(),
                b"]".to_vec(),
                b"\\u0000".to_vec(),
                b"\\n".to_vec(),
                "é".as_bytes().to_vec(),
                b"\x00".to_vec(),
                format!("\"{}\"", "x".repeat(1 << 20)).into_bytes(),
            ])
        )
            .prop_map(|(i, b)| Mutation::InsertBytes(i, b)),
        any::<Index>().prop_map(Mutation::DeleteLine),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::ReplaceNumber(a, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::ReplaceWord(a, b)),
        (any::<Index>(), 1usize..3000).prop_map(|(i, d)| Mutation::Nest(i, d)),
    ]
}

/// Numbers that hit type edges and our limits.
const NUMBERS: [&str; 16] = [
    "0",
    "-1",
    "1",
    "2",
    "17",
    "1025",
    "100000",
    "1e400",
    "-1e400",
    "1.5",
    "0.0000001",
    "4294967296",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999",
];

/// Words (keys, names, enum values) swapped in for others.
const WORDS: [&str; 16] = [
    "n9",
    "zz",
    "",
    "crash",
    "partition",
    "unknown_field",
    "nodes",
    "seed",
    "steps",
    "at",
    "true",
    "null",
    "\\n",
    "ñ",
    "at_ms",
    "kind",
];

fn lines(text: &[u8]) -> Vec<Vec<u8>> {
    text.split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// Byte ranges of the runs of digits (numbers) or of letters and `_` (words) in `text`.
fn runs(text: &[u8], digits: bool) -> Vec<(usize, usize)> {
    let is = |b: u8| {
        if digits {
            b.is_ascii_digit()
        } else {
            b.is_ascii_alphabetic() || b == b'_'
        }
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if is(text[i]) {
            let start = i;
            while i < text.len() && is(text[i]) {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

/// `text` broken by `m` (a no-op when the mutation finds nothing to act on).
pub fn apply(mut text: Vec<u8>, m: &Mutation) -> Vec<u8> {
    match m {
        Mutation::Truncate(i) => {
            let at = i.index(text.len() + 1);
            text.truncate(at);
        }
        Mutation::FlipByte(i, b) => {
            if !text.is_empty() {
                let at = i.index(text.len());
                text[at] ^= b | 1;
            }
        }
        Mutation::InsertBytes(i, b) => {
            let at = i.index(text.len() + 1);
            text.splice(at..at, b.iter().copied());
        }
        Mutation::DeleteLine(i) | Mutation::DuplicateLine(i) => {
            let mut ls = lines(&text);
            if !ls.is_empty() {
                let at = i.index(ls.len());
                if matches!(m, Mutation::DeleteLine(_)) {
                    ls.remove(at);
                } else {
                    let l = ls[at].clone();
                    ls.insert(at, l);
                }
            }
            text = ls.concat();
        }
        Mutation::SwapLines(a, b) => {
            let mut ls = lines(&text);
            if !ls.is_empty() {
                let (a, b) = (a.index(ls.len()), b.index(ls.len()));
                ls.swap(a, b);
            }
            text = ls.concat();
        }
        Mutation::ReplaceNumber(at, v) | Mutation::ReplaceWord(at, v) => {
            let numbers = matches!(m, Mutation::ReplaceNumber(..));
            let rs = runs(&text, numbers);
            if !rs.is_empty() {
                let (s, e) = rs[at.index(rs.len())];
                let with = if numbers {
                    v.get(&NUMBERS).to_string()
                } else {
                    v.get(&WORDS).to_string()
                };
                text.splice(s..e, with.into_bytes());
            }
        }
        Mutation::Nest(i, depth) => {
            let at = i.index(text.len() + 1);
            // `[[[1]]]` nests in TOML values and in JSON alike.
            let nested = format!("{}1{}", "[".repeat(*depth), "]".repeat(*depth));
            text.splice(at..at, nested.into_bytes());
        }
    }
    text
}
