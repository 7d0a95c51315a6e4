//! The name of a run directory when `--name` is not given: derived from the configuration
//! (`rquorum-wquorum-blocking-safe-swarm`). Guarantee: whatever went into it (a schedule file's
//! stem, a list of fault kinds, a mutant, a replayed directory's name), the result is a valid run
//! name (`rundir::check_name`): at most 100 bytes, plain characters, one path component.

use crate::sim::config::RunConfig;
use crate::sim::schedule::FaultKind;

/// `r<cl>-w<cl>-<repair>[-nodigest][-<faults>][-<mutant>]`.
pub fn derived_name(cfg: &RunConfig) -> String {
    use crate::sim::config::FaultSource;
    let s = &cfg.store;
    let mut name = format!("r{}-w{}-{}", s.read_cl, s.write_cl, s.read_repair);
    if !s.digest_reads {
        name.push_str("-nodigest");
    }
    match &cfg.faults.source {
        FaultSource::File { path } => {
            let path = crate::sim::schedule::builtin::named(path).unwrap_or(path);
            let stem = std::path::Path::new(path)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("schedule");
            name.push('-');
            name.push_str(stem);
        }
        FaultSource::Generated { kinds } => {
            name.push('-');
            name.push_str(&kinds_name(kinds));
        }
        FaultSource::Code => name.push_str("-schedule"),
        FaultSource::None => {}
    }
    if !cfg.swarm.is_empty() {
        name.push_str("-swarm");
    }
    if let Some(m) = s.mutant {
        name.push('-');
        name.push_str(m.name());
    }
    fit_name(&name)
}

/// Longest derived run name, in bytes (the limit of `rundir::check_name`).
const NAME_BYTES: usize = 100;

/// A derived name made a valid run directory name whatever went into it (a schedule file's stem
/// may hold any character; `--nemesis` lists and mutants add up): characters other than ASCII
/// letters, digits and `-_+.` become `_`, and a name longer than [`NAME_BYTES`] keeps its head
/// and ends in a hash of the whole, so different long names stay different.
pub(super) fn fit_name(raw: &str) -> String {
    let clean: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_+.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.len() <= NAME_BYTES {
        return clean;
    }
    let hash = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(raw.as_bytes()));
    format!("{}-{hash}", &clean[..NAME_BYTES - hash.len() - 1])
}

/// A short name for a set of fault kinds: `safe`, `all`, or the kinds joined by `+`.
fn kinds_name(kinds: &[FaultKind]) -> String {
    let mut sorted = kinds.to_vec();
    sorted.sort();
    sorted.dedup();
    if sorted == FaultKind::ALL {
        return "all".to_string();
    }
    if sorted == FaultKind::SAFE {
        return "safe".to_string();
    }
    let names: Vec<&str> = sorted.iter().map(|k| k.name()).collect();
    names.join("+")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::FaultSource;
    use crate::sim::rundir::check_name;
    use crate::store::config::Mutant;

    /// Regression (issue 8): a derived name (`--nemesis` with many kinds, a mutant, a long or
    /// odd schedule file name) could exceed the 100-byte limit or hold `/`, control characters or
    /// a leading `.`, and the run was refused as if `--name` were bad.
    #[test]
    fn derived_names_are_always_valid_run_names() {
        let mut cfg = RunConfig::new(1);
        cfg.store.digest_reads = false;
        cfg.store.mutant = Mutant::ALL.last().copied();
        let mut kinds = FaultKind::ALL.to_vec();
        kinds.pop();
        cfg.faults.source = FaultSource::Generated { kinds };
        let long = derived_name(&cfg);
        check_name(&long).unwrap();
        for stem in [
            "x".repeat(300),
            "a\nb\u{1b}".to_string(),
            "..".to_string(),
            "sp ace/dir".to_string(),
            "ü".repeat(60),
        ] {
            cfg.faults.source = FaultSource::File {
                path: format!("/tmp/{stem}.toml"),
            };
            let name = derived_name(&cfg);
            check_name(&name).unwrap_or_else(|e| panic!("{stem:?}: {e}"));
        }
    }

    #[test]
    fn long_names_that_differ_stay_different() {
        let a = fit_name(&format!("{}a", "x".repeat(200)));
        let b = fit_name(&format!("{}b", "x".repeat(200)));
        assert_ne!(a, b);
        assert_eq!(a.len(), NAME_BYTES);
        assert_eq!(
            fit_name("rquorum-wquorum-blocking"),
            "rquorum-wquorum-blocking"
        );
    }
}
