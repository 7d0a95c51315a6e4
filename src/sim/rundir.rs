//! The run directory (Jepsen's `store/` idea): `store/<name>/<seed>/` with `run.json` (enough to
//! replay), `history.jsonl`, `final.json`, `results.json`, and `store/latest` pointing at the newest
//! run. Files are written whole to a temporary name and renamed, so a crash mid-write never leaves a
//! truncated file behind and nothing already written is lost.

use super::run::{RunConfig, RunOutput, RunStats};
use quorumlab_checkers::{jsonl, Results};
use serde::Serialize;
use std::io;
use std::path::{Path, PathBuf};

/// The content of `run.json`.
#[derive(Serialize)]
pub struct RunRecord<'a> {
    /// quorumlab version that produced the run.
    pub version: &'a str,
    /// The command that replays it.
    pub replay: String,
    /// The configuration.
    pub config: &'a RunConfig,
    /// Timings and counters.
    pub stats: &'a RunStats,
}

/// Where a run's files go: `<base>/<name>/<seed>`.
pub fn run_dir(base: &Path, name: &str, seed: u64) -> PathBuf {
    base.join(name).join(seed.to_string())
}

/// Write `run.json`, `history.jsonl`, `final.json` and (when given) `results.json` into `dir`, and
/// point `<base>/latest` at it.
pub fn write_run(
    dir: &Path,
    base: &Path,
    out: &RunOutput,
    replay: String,
    results: Option<&Results>,
) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let record = RunRecord {
        version: env!("CARGO_PKG_VERSION"),
        replay,
        config: &out.config,
        stats: &out.stats,
    };
    write_atomic(&dir.join("run.json"), &to_json(&record)?)?;
    let mut history = Vec::new();
    jsonl::write_jsonl(&mut history, &out.history)?;
    write_atomic(&dir.join("history.jsonl"), &history)?;
    write_atomic(&dir.join("final.json"), &to_json(&out.final_state)?)?;
    if let Some(results) = results {
        write_atomic(&dir.join("results.json"), &to_json(results)?)?;
    }
    point_latest(base, dir)
}

/// Pretty JSON with a trailing newline.
pub fn to_json<T: Serialize>(value: &T) -> io::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Write a file whole: to `<path>.tmp`, then rename over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Point `<base>/latest` at `dir`, atomically: the link is made under a unique temporary name and
/// renamed over the old one, so concurrent runs (one thread per seed) never trip over each other.
fn point_latest(base: &Path, dir: &Path) -> io::Result<()> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let link = base.join("latest");
    let target = dir.strip_prefix(base).unwrap_or(dir);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = base.join(format!(".latest.{}.{n}", std::process::id()));
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, &tmp)?;
    #[cfg(not(unix))]
    std::fs::write(&tmp, target.display().to_string())?;
    std::fs::rename(&tmp, &link)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: seeds run on parallel threads all repoint `latest`; remove-then-link raced
    /// and failed with "File exists".
    #[test]
    fn latest_can_be_repointed_from_many_threads_at_once() {
        let base = tempfile::tempdir().unwrap();
        std::thread::scope(|s| {
            for t in 0..8 {
                let base = base.path();
                s.spawn(move || {
                    for i in 0..50 {
                        let dir = base.join(format!("run/{t}-{i}"));
                        point_latest(base, &dir).expect("repointing latest");
                    }
                });
            }
        });
        let target = std::fs::read_link(base.path().join("latest")).unwrap();
        assert!(target.starts_with("run"), "{target:?}");
    }
}
