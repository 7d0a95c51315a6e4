//! The run directory (Jepsen's `store/` idea): `<out>/<name>/<seed>/` with `run.json` (the
//! [`RunConfig`], enough to replay), `history.jsonl`, `final.json`, `results.json`, the plots
//! (`latency-raw.svg`, `latency-quantiles.svg`, `rate.svg`), `timeline.html` (the history drawn,
//! see [`crate::view::timeline`]), optionally `events.jsonl` and `trace.log`; `<out>/latest` points
//! at the newest run.
//!
//! Guarantees:
//! - a run directory is replaced **as a whole**: the new run is written into a fresh temporary
//!   directory beside its target (`.<seed>.tmp.<pid>.<n>`) and swapped into place in one step
//!   (`renameat2(RENAME_EXCHANGE)` on Linux), so at every instant the target is either the old
//!   complete run or the new complete run — a `kill -9` at any point never leaves a mix;
//! - concurrent runs of the same seed never share a temporary name (pid + counter);
//! - the directory is prepared (and `--out` proven writable) before the simulation starts;
//! - `latest` is repointed atomically (a link made under a unique name, renamed over the old one);
//! - leftovers of killed runs (temporary directories of processes that no longer exist) are
//!   removed when the next run of the same seed prepares its directory.

use super::config::RunConfig;
use super::run::RunStats;
use crate::view::timeline::{self, store_events, StoreEvent};
use quorumlab_checkers::final_state::FinalState;
use quorumlab_checkers::{jsonl, Event, Results};
use serde::Serialize;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Why `--name` cannot name a run directory.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("run name {shown:?} {problem}")]
pub struct BadName {
    /// The name (cut to 80 characters).
    pub shown: String,
    /// What is wrong with it.
    pub problem: &'static str,
}

/// Check a run name: one plain path component, not `latest`, not hidden, at most 100 bytes.
pub fn check_name(name: &str) -> Result<(), BadName> {
    let bad = |problem| {
        Err(BadName {
            shown: name.chars().take(80).collect(),
            problem,
        })
    };
    if name.is_empty() {
        return bad("is empty");
    }
    if name.len() > 100 {
        return bad("is longer than 100 bytes");
    }
    if name == "latest" {
        return bad("is reserved (`latest` points at the newest run)");
    }
    if name.contains(['/', '\\', '\0']) || Path::new(name).is_absolute() {
        return bad("must be a single directory name (no `/`), inside --out");
    }
    if name.starts_with('.') {
        return bad("must not start with `.` (hidden and temporary names are reserved)");
    }
    if name.chars().any(char::is_control) {
        return bad("contains control characters");
    }
    Ok(())
}

/// A run directory being written: files go into `tmp` until [`RunDir::commit`] swaps it in.
#[derive(Debug)]
pub struct RunDir {
    base: PathBuf,
    target: PathBuf,
    tmp: PathBuf,
    latest: bool,
}

static NEXT: AtomicU64 = AtomicU64::new(0);

impl RunDir {
    /// Prepare `<base>/<name>/<seed>`: check the name, create the parents and a fresh temporary
    /// directory (which proves `base` writable), and clear leftovers of killed runs.
    pub fn prepare(base: &Path, name: &str, seed: u64) -> io::Result<RunDir> {
        check_name(name).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let mut dir = Self::prepare_at(&base.join(name), &seed.to_string())?;
        dir.base = base.to_path_buf();
        dir.latest = true;
        Ok(dir)
    }

    /// Prepare `<parent>/<leaf>` the same way, without a `latest` link (campaign failures,
    /// shrunk runs).
    pub fn prepare_named(parent: &Path, leaf: &str) -> io::Result<RunDir> {
        check_name(leaf).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        Self::prepare_at(parent, leaf)
    }

    fn prepare_at(parent: &Path, leaf: &str) -> io::Result<RunDir> {
        std::fs::create_dir_all(parent)?;
        clear_leftovers(parent, leaf);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let tmp = parent.join(format!(".{leaf}.tmp.{}.{n}", std::process::id()));
        std::fs::create_dir(&tmp)?;
        Ok(RunDir {
            base: parent.to_path_buf(),
            target: parent.join(leaf),
            tmp,
            latest: false,
        })
    }

    /// Where a file of the run is written before the commit (e.g. `trace.log`).
    pub fn staging(&self, file: &str) -> PathBuf {
        self.tmp.join(file)
    }

    /// The directory the run will be in.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Write the run's files and swap the directory into place; point `latest` at it.
    pub fn commit(self, files: &RunFiles<'_>) -> io::Result<PathBuf> {
        std::fs::write(self.tmp.join("run.json"), to_json(files.config)?)?;
        let mut history = Vec::new();
        jsonl::write_jsonl(&mut history, files.history)?;
        std::fs::write(self.tmp.join("history.jsonl"), history)?;
        crate::view::plots::write_all(&self.tmp, files.history)?;
        if let Some(f) = files.final_state {
            std::fs::write(self.tmp.join("final.json"), to_json(f)?)?;
        }
        if let Some(results) = files.results {
            let record = ResultsRecord {
                results,
                stats: files.stats,
            };
            std::fs::write(self.tmp.join("results.json"), to_json(&record)?)?;
        }
        if let Some(lines) = files.events {
            let mut text = lines.join("\n");
            if !text.is_empty() {
                text.push('\n');
            }
            std::fs::write(self.tmp.join("events.jsonl"), text)?;
        }
        std::fs::write(self.tmp.join("timeline.html"), self.timeline(files))?;
        swap_into_place(&self.tmp, &self.target)?;
        if self.latest {
            point_latest(&self.base, &self.target)?;
        }
        Ok(self.target.clone())
    }
}

impl RunDir {
    /// `timeline.html` of the run, titled `<name>/<seed>` (the target's last two components, so
    /// the page does not depend on `--out`).
    fn timeline(&self, files: &RunFiles<'_>) -> String {
        let store: Vec<StoreEvent> = files
            .events
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .filter_map(|(i, line)| store_events::parse_line("events.jsonl", i + 1, line).ok())
            .flatten()
            .collect();
        let title: Vec<String> = self
            .target
            .iter()
            .rev()
            .take(2)
            .map(|c| c.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        timeline::render(&timeline::Input {
            title: &title.join("/"),
            history: files.history,
            results: files.results,
            store: &store,
        })
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        // After a commit the temporary path holds the old run (or nothing): remove it either way.
        let _ = std::fs::remove_dir_all(&self.tmp);
    }
}

/// What a run directory holds.
pub struct RunFiles<'a> {
    /// `run.json`.
    pub config: &'a RunConfig,
    /// `history.jsonl`.
    pub history: &'a [Event],
    /// `final.json` (not written when the system cannot show its replicas).
    pub final_state: Option<&'a FinalState>,
    /// `results.json` (with the run's statistics and coverage).
    pub results: Option<&'a Results>,
    /// Timings, counters and coverage.
    pub stats: &'a RunStats,
    /// `events.jsonl` lines.
    pub events: Option<&'a [String]>,
}

impl<'a> RunFiles<'a> {
    /// Everything a run left, with its verdicts (events when they were recorded).
    pub fn of(out: &'a crate::sim::run::RunOutput, results: Option<&'a Results>) -> RunFiles<'a> {
        RunFiles {
            config: &out.config,
            history: &out.history,
            final_state: out.final_state.as_ref(),
            results,
            stats: &out.stats,
            events: out.events.as_deref(),
        }
    }
}

/// The content of `results.json`: the verdicts, then what the run did.
#[derive(Serialize)]
struct ResultsRecord<'a> {
    #[serde(flatten)]
    results: &'a Results,
    stats: &'a RunStats,
}

/// Pretty JSON with a trailing newline.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> io::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Write a file whole: to a unique temporary name beside it, then rename over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = path.file_name().and_then(|s| s.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.tmp.{}.{n}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Move `tmp` to `target` in one step: a plain rename when `target` does not exist, an atomic
/// exchange when it does (after which `tmp` holds the old run, removed by the caller).
fn swap_into_place(tmp: &Path, target: &Path) -> io::Result<()> {
    for _ in 0..8 {
        match std::fs::rename(tmp, target) {
            Ok(()) => return Ok(()),
            Err(_) if target.exists() => match exchange(tmp, target) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            },
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "{}: replaced concurrently too many times",
        target.display()
    )))
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let cb = CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    // No atomic exchange: move the old run aside, then the new one in (a short window without it).
    let aside = a.with_extension("old");
    std::fs::rename(b, &aside)?;
    std::fs::rename(a, b)?;
    std::fs::rename(&aside, a)
}

/// Remove temporary directories of this leaf left by processes that no longer exist.
fn clear_leftovers(parent: &Path, leaf: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefix = format!(".{leaf}.tmp.");
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let pid = rest.split('.').next().and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists());
        if !alive && Path::new("/proc/self").exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Point `<base>/latest` at `dir`, atomically: the link is made under a unique temporary name and
/// renamed over the old one, so concurrent runs (one thread per seed) never trip over each other.
fn point_latest(base: &Path, dir: &Path) -> io::Result<()> {
    let link = base.join("latest");
    let target = dir.strip_prefix(base).unwrap_or(dir);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let tmp = base.join(format!(".latest.{}.{n}", std::process::id()));
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, &tmp)?;
    #[cfg(not(unix))]
    std::fs::write(&tmp, target.display().to_string())?;
    std::fs::rename(&tmp, &link)
}

/// Where a run's files go: `<base>/<name>/<seed>`.
pub fn run_dir(base: &Path, name: &str, seed: u64) -> PathBuf {
    base.join(name).join(seed.to_string())
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

    #[test]
    fn bad_names_are_refused() {
        for name in ["", "latest", "../x", "/abs", "a/b", ".hidden", "x\ny"] {
            assert!(check_name(name).is_err(), "{name:?}");
        }
        let long = "n".repeat(101);
        assert!(check_name(&long).is_err());
        for name in ["rquorum-wquorum-blocking", "my run", "ü"] {
            assert!(check_name(name).is_ok(), "{name:?}");
        }
    }

    #[test]
    fn a_directory_is_swapped_whole_and_the_old_one_disappears() {
        let base = tempfile::tempdir().unwrap();
        let target = base.path().join("t");
        for round in 0..3 {
            let tmp = base.path().join(format!("tmp{round}"));
            std::fs::create_dir(&tmp).unwrap();
            std::fs::write(tmp.join("a"), format!("{round}")).unwrap();
            swap_into_place(&tmp, &target).unwrap();
            assert_eq!(
                std::fs::read_to_string(target.join("a")).unwrap(),
                format!("{round}")
            );
            let _ = std::fs::remove_dir_all(&tmp);
        }
    }
}
