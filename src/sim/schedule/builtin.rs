//! The shipped fault schedules, compiled into the library: usable from code by name
//! ([`crate::lab::Experiment::schedule_builtin`]), from the command line as
//! `--schedule builtin:NAME`, and as data ([`source`]: the TOML text, to copy and edit).
//!
//! They are the files of `tests/schedules/` (the repository's tests use the same files), so what
//! the README and the tests run is what a user of the crate gets.

/// The prefix that names a built-in schedule where a path is expected.
pub const PREFIX: &str = "builtin:";

/// Every built-in schedule: its name and TOML text.
pub const SCHEDULES: &[(&str, &str)] = &[
    (
        "clock-skew",
        include_str!("../../../tests/schedules/clock-skew.toml"),
    ),
    (
        "crash-majority",
        include_str!("../../../tests/schedules/crash-majority.toml"),
    ),
    (
        "flaky-network",
        include_str!("../../../tests/schedules/flaky-network.toml"),
    ),
    (
        "isolate-node",
        include_str!("../../../tests/schedules/isolate-node.toml"),
    ),
    ("mixed", include_str!("../../../tests/schedules/mixed.toml")),
    (
        "partition-halves",
        include_str!("../../../tests/schedules/partition-halves.toml"),
    ),
    (
        "reply-loss",
        include_str!("../../../tests/schedules/reply-loss.toml"),
    ),
    (
        "rolling-crash",
        include_str!("../../../tests/schedules/rolling-crash.toml"),
    ),
    (
        "slow-links",
        include_str!("../../../tests/schedules/slow-links.toml"),
    ),
    (
        "slow-replica",
        include_str!("../../../tests/schedules/slow-replica.toml"),
    ),
];

/// The names of the built-in schedules, sorted.
pub fn names() -> impl Iterator<Item = &'static str> {
    SCHEDULES.iter().map(|(name, _)| *name)
}

/// The TOML text of built-in schedule `name`.
pub fn source(name: &str) -> Option<&'static str> {
    SCHEDULES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// The built-in name a schedule path stands for: `builtin:NAME` → `NAME`.
pub fn named(path: &str) -> Option<&str> {
    path.strip_prefix(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes() -> Vec<String> {
        (1..=5).map(|i| format!("n{i}")).collect()
    }

    #[test]
    fn every_builtin_parses_and_validates_for_the_default_cluster() {
        for (name, text) in SCHEDULES {
            let s = crate::sim::schedule::Schedule::from_toml_str(name, text, &nodes(), 1)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!s.steps.is_empty(), "{name} has no steps");
        }
    }

    #[test]
    fn names_are_sorted_unique_and_match_their_files() {
        let names: Vec<_> = names().collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schedules");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                e.ok()?
                    .file_name()
                    .to_str()?
                    .strip_suffix(".toml")
                    .map(String::from)
            })
            .collect();
        files.sort();
        assert_eq!(names, files, "every shipped schedule file is built in");
    }

    #[test]
    fn prefix_names_a_builtin() {
        assert_eq!(named("builtin:mixed"), Some("mixed"));
        assert_eq!(named("tests/schedules/mixed.toml"), None);
        assert!(source("mixed").unwrap().contains("name = \"mixed\""));
        assert!(source("nope").is_none());
    }
}
