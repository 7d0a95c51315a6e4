//! `quorumlab check PATH PATH…` or `quorumlab check DIR`: many histories judged in one process.
//!
//! Guarantees:
//! - one history (a file, a stream, `-` or a run directory) keeps the single-history output;
//!   several paths, or a directory that is not a run directory, switch to this mode;
//! - a directory is walked recursively in name order: a directory holding `history.jsonl` is one
//!   run; other files count when they end in `.jsonl`, `.edn` or `.log` (hidden names skipped);
//! - histories are judged on all cores (each history's own search gets the cores left over), and
//!   the output — a table, or `--json` an array — is in the order of the paths, whatever the
//!   timing: the same inputs give the same bytes;
//! - no history found at all is bad input (exit 2, one line);
//! - a history that is bad input is a row (and its one-line message on stderr), not the end of
//!   the batch; the exit code is the worst of the rows: bad input (2), then invalid (1), then
//!   unknown (3), then valid (0).

use super::check::{judge, CheckArgs, Flags};
use quorumlab_checkers::Validity;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The extensions of history files picked up from a directory.
const EXTENSIONS: [&str; 3] = ["jsonl", "edn", "log"];

/// The histories to check together, or `None` for the single-history mode.
pub fn batch(paths: &[PathBuf]) -> Option<Vec<PathBuf>> {
    let single = |p: &Path| !p.is_dir() || p.join("history.jsonl").is_file();
    if let [one] = paths {
        if single(one) {
            return None;
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if single(p) {
            out.push(p.clone());
        } else {
            walk(p, &mut out);
        }
    }
    Some(out)
}

/// Append the histories under `dir`, in name order.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut names: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => {
            out.push(dir.to_path_buf()); // judged as a row: its error names it
            return;
        }
    };
    names.sort();
    for p in names {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_none_or(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            if p.join("history.jsonl").is_file() {
                out.push(p);
            } else {
                walk(&p, out);
            }
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e))
        {
            out.push(p);
        }
    }
}

/// One row of the table.
struct Row {
    name: String,
    code: i32,
    events: usize,
    ops: usize,
    /// Checkers that found the history invalid (or unknown), or the bad-input message.
    detail: String,
    json: serde_json::Value,
}

/// Severity for the worst exit code: bad input, invalid, unknown, valid.
pub fn severity(code: i32) -> u8 {
    match code {
        2 => 3,
        1 => 2,
        3 => 1,
        _ => 0,
    }
}

fn row(path: &Path, flags: &Flags, threads: usize) -> Row {
    match judge(path, None, flags, threads) {
        Ok(j) => {
            let valid = j.run.results.valid;
            let detail: Vec<&str> = j
                .run
                .results
                .checkers
                .iter()
                .filter(|v| v.valid != Validity::Valid && (v.valid == valid))
                .map(|v| v.checker.as_str())
                .collect();
            let json = serde_json::json!({
                "file": j.name,
                "exit": valid.exit_code(),
                "results": serde_json::to_value(&j.run.results).unwrap_or_default(),
            });
            Row {
                code: valid.exit_code(),
                events: j.events,
                ops: j.ops,
                detail: detail.join(","),
                json,
                name: j.name,
            }
        }
        Err(e) => {
            let name = path.display().to_string();
            Row {
                code: 2,
                events: 0,
                ops: 0,
                detail: e.to_string(),
                json: serde_json::json!({"file": name, "exit": 2, "error": e.to_string()}),
                name,
            }
        }
    }
}

/// Judge `paths` on all cores and print the table; returns the worst exit code.
pub(crate) fn run(args: &CheckArgs, paths: Vec<PathBuf>, flags: &Flags) -> i32 {
    if paths.is_empty() {
        let names: Vec<String> = args.path.iter().map(|p| p.display().to_string()).collect();
        let e = quorumlab_checkers::InputError::new(
            names.join(" "),
            0,
            "no histories here (expected *.jsonl, *.edn or *.log files, or run directories)",
        );
        eprintln!("{e}");
        return 2;
    }
    if args.final_state.is_some() {
        eprintln!("quorumlab check: --final names one snapshot: give one history with it");
        return 2;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = cores.min(paths.len()).max(1);
    let inner = (cores / paths.len().max(1)).max(1);
    let next = AtomicUsize::new(0);
    let rows: Mutex<Vec<Option<Row>>> = Mutex::new((0..paths.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = paths.get(i) else { break };
                let r = row(p, flags, inner);
                if let Ok(mut rows) = rows.lock() {
                    rows[i] = Some(r);
                }
            });
        }
    });
    let rows: Vec<Row> = rows
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    let worst = rows
        .iter()
        .map(|r| r.code)
        .max_by_key(|&c| severity(c))
        .unwrap_or(0);
    for r in rows.iter().filter(|r| r.code == 2) {
        eprintln!("{}", r.detail);
    }
    let text = if args.json {
        let all: Vec<&serde_json::Value> = rows.iter().map(|r| &r.json).collect();
        format!(
            "{}\n",
            serde_json::to_string_pretty(&all).unwrap_or_default()
        )
    } else {
        table(&rows, worst)
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    worst
}

fn verdict_word(code: i32) -> &'static str {
    match code {
        0 => "valid",
        1 => "invalid",
        3 => "unknown",
        _ => "bad input",
    }
}

/// The table: one row per history, then a summary line.
fn table(rows: &[Row], worst: i32) -> String {
    let width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(4);
    let mut out = format!(
        "{:<width$}  {:<9}  {:>9}  {:>9}  DETAIL\n",
        "HISTORY", "VERDICT", "EVENTS", "OPS"
    );
    let mut counts = [0usize; 4];
    for r in rows {
        counts[usize::from(severity(r.code))] += 1;
        let detail = if r.code == 2 {
            "see stderr"
        } else {
            r.detail.as_str()
        };
        out.push_str(&format!(
            "{:<width$}  {:<9}  {:>9}  {:>9}  {}\n",
            r.name,
            verdict_word(r.code),
            r.events,
            r.ops,
            detail
        ));
    }
    out.push_str(&format!(
        "{} histories: {} valid, {} invalid, {} unknown, {} bad input; exit {}\n",
        rows.len(),
        counts[0],
        counts[2],
        counts[1],
        counts[3],
        worst
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_code_is_bad_input_then_invalid_then_unknown() {
        let worst = |codes: &[i32]| {
            codes
                .iter()
                .copied()
                .max_by_key(|&c| severity(c))
                .unwrap_or(0)
        };
        assert_eq!(worst(&[0, 3, 1, 0]), 1);
        assert_eq!(worst(&[0, 3, 0]), 3);
        assert_eq!(worst(&[1, 2, 3]), 2);
        assert_eq!(worst(&[0, 0]), 0);
    }

    #[test]
    fn one_file_keeps_the_single_mode_and_a_directory_is_walked_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::create_dir_all(d.join("b/run")).expect("mkdir");
        for f in [
            "z.jsonl",
            "a.edn",
            "notes.why",
            ".hidden.jsonl",
            "b/x.log",
            "b/run/history.jsonl",
        ] {
            std::fs::write(d.join(f), "").expect("write");
        }
        assert!(batch(&[d.join("z.jsonl")]).is_none());
        assert!(batch(&[d.join("b/run")]).is_none());
        let got = batch(&[d.to_path_buf()]).expect("a batch");
        let want: Vec<PathBuf> = ["a.edn", "b/run", "b/x.log", "z.jsonl"]
            .iter()
            .map(|f| d.join(f))
            .collect();
        assert_eq!(got, want);
        let two = batch(&[d.join("z.jsonl"), d.join("a.edn")]).expect("a batch");
        assert_eq!(two, vec![d.join("z.jsonl"), d.join("a.edn")]);
    }
}
