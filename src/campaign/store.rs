//! The campaign directory on disk: `campaign.json` (rewritten atomically at each checkpoint),
//! `failures/<seed>/` (whole run directories, each with its `failure.json`), `groups.json` and
//! `report.txt`; and the regressions a campaign reruns first. Every file is replaced whole
//! (written aside, renamed into place), so a kill at any point leaves each one old or new.

use super::groups::{self, Failure, Group};
use super::{Campaign, CampaignError, Regressions};
use crate::sim::config::RunConfig;
use crate::sim::outcome::Outcome;
use crate::sim::rundir::{to_json, write_atomic, RunDir, RunFiles};
use std::path::{Path, PathBuf};

fn io(path: &Path, e: impl std::fmt::Display) -> CampaignError {
    CampaignError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn malformed(path: &Path, line: usize, e: impl std::fmt::Display) -> CampaignError {
    let path = if line > 0 {
        format!("{}:{line}", path.display())
    } else {
        path.display().to_string()
    };
    CampaignError::Malformed {
        path,
        message: quorumlab_checkers::error::tidy(&e.to_string()),
    }
}

/// `DIR/campaign.json`.
pub fn campaign_file(dir: &Path) -> PathBuf {
    dir.join("campaign.json")
}

/// Start a campaign in `dir` (created; it must not hold a campaign already).
pub fn create(dir: &Path, campaign: &Campaign) -> Result<(), CampaignError> {
    if campaign_file(dir).exists() {
        return Err(CampaignError::Io {
            path: dir.display().to_string(),
            message:
                "already holds a campaign (continue it with --resume, or choose another --out)"
                    .to_string(),
        });
    }
    std::fs::create_dir_all(dir.join("failures")).map_err(|e| io(dir, e))?;
    checkpoint(dir, campaign)
}

/// Rewrite `campaign.json` whole.
pub fn checkpoint(dir: &Path, campaign: &Campaign) -> Result<(), CampaignError> {
    let path = campaign_file(dir);
    let bytes = to_json(campaign).map_err(|e| io(&path, e))?;
    write_atomic(&path, &bytes).map_err(|e| io(&path, e))
}

/// Read `DIR/campaign.json` (or the file given).
pub fn load(dir: &Path) -> Result<Campaign, CampaignError> {
    let path = if dir.is_dir() {
        campaign_file(dir)
    } else {
        dir.to_path_buf()
    };
    let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        malformed(&path, line, "invalid UTF-8")
    })?;
    serde_json::from_str(text).map_err(|e| malformed(&path, e.line(), e))
}

/// Write one failing run (recorded with events) as `failures/<name>/`, with its `failure.json`.
pub fn write_failure(
    dir: &Path,
    name: &str,
    outcome: &Outcome,
    failure: &Failure,
) -> Result<PathBuf, CampaignError> {
    let failures = dir.join("failures");
    let out = &outcome.output;
    let seed_dir = RunDir::prepare_named(&failures, name).map_err(|e| io(&failures, e))?;
    let record = to_json(failure).map_err(|e| io(&failures, e))?;
    std::fs::write(seed_dir.staging("failure.json"), record).map_err(|e| io(&failures, e))?;
    let files = RunFiles::of(out, Some(&outcome.results));
    seed_dir.commit(&files).map_err(|e| io(&failures, e))
}

/// Every failure recorded in `DIR/failures/*/failure.json`.
pub fn load_failures(dir: &Path) -> Result<Vec<Failure>, CampaignError> {
    let failures = dir.join("failures");
    let Ok(entries) = std::fs::read_dir(&failures) else {
        return Ok(Vec::new());
    };
    let mut names: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("failure.json").is_file())
        .collect();
    names.sort();
    let mut out = Vec::new();
    for p in names {
        let file = p.join("failure.json");
        let bytes = std::fs::read(&file).map_err(|e| io(&file, e))?;
        let f: Failure =
            serde_json::from_slice(&bytes).map_err(|e| malformed(&file, e.line(), e))?;
        out.push(f);
    }
    Ok(out)
}

/// Group the failures and write `groups.json` and `report.txt`; returns the groups and the text.
pub fn write_report(
    dir: &Path,
    failures: &[Failure],
    runs: u64,
) -> Result<(Vec<Group>, String), CampaignError> {
    let groups = groups::group(failures);
    let text = groups::render(&groups, runs);
    let gpath = dir.join("groups.json");
    write_atomic(&gpath, &to_json(&groups).map_err(|e| io(&gpath, e))?)
        .map_err(|e| io(&gpath, e))?;
    let rpath = dir.join("report.txt");
    write_atomic(&rpath, text.as_bytes()).map_err(|e| io(&rpath, e))?;
    Ok((groups, text))
}

/// Regressions from `path`: a text file of seeds (one per line; `#` starts a comment), or a
/// directory whose `**/run.json` files are recorded runs to replay exactly.
pub fn read_regressions(path: &Path) -> Result<Regressions, CampaignError> {
    if path.is_dir() {
        let mut files = Vec::new();
        collect_run_jsons(path, &mut files, 0);
        files.sort();
        let mut configs = Vec::new();
        for f in files {
            let bytes = std::fs::read(&f).map_err(|e| io(&f, e))?;
            let cfg =
                RunConfig::from_json_bytes(&f.display().to_string(), &bytes).map_err(|e| {
                    CampaignError::Malformed {
                        path: f.display().to_string(),
                        message: e.to_string(),
                    }
                })?;
            configs.push(cfg);
        }
        return Ok(Regressions {
            seeds: Vec::new(),
            configs,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
    let mut seeds = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = String::from_utf8_lossy(line);
        let text = line.split('#').next().unwrap_or("").trim();
        if text.is_empty() {
            continue;
        }
        let seed: u64 = text.parse().map_err(|_| {
            malformed(
                path,
                i + 1,
                format!("not a seed: {}", quorumlab_checkers::error::quoted(text)),
            )
        })?;
        if !seeds.contains(&seed) {
            seeds.push(seed);
        }
    }
    Ok(Regressions {
        seeds,
        configs: Vec::new(),
    })
}

fn collect_run_jsons(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 8 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() && !p.is_symlink() {
            collect_run_jsons(&p, out, depth + 1);
        } else if p.file_name().is_some_and(|n| n == "run.json") {
            out.push(p);
        }
    }
}
