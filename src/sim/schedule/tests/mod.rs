//! Loading in memory: the documented example, each TOML rule with its exact message, the
//! resolution of `random`/`halves`/`bridge` (`toml`); the one validator on schedules built in code
//! and read from JSON (`concrete`); and that no input makes the loaders panic (`fuzz`).

use super::*;

mod concrete;
mod fuzz;
mod generate;
mod toml;

fn nodes() -> Vec<String> {
    (1..=5).map(|i| format!("n{i}")).collect()
}

fn load_str(text: &str) -> Result<Schedule, ScheduleError> {
    Schedule::from_toml_str("s.toml", text, &nodes(), 7)
}

fn err(text: &str) -> String {
    match load_str(text) {
        Ok(s) => panic!("expected an error, loaded {s:?}"),
        Err(e) => e.to_string(),
    }
}

fn named(n: &str) -> NodeSel {
    NodeSel::Named(n.to_string())
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn step(at_ms: u64, fault: Fault) -> Step {
    Step {
        at: Duration::from_millis(at_ms),
        fault,
        line: 0,
    }
}

/// Regression (issue 8): a schedule file without `name` whose file name held a control character
/// (or was very long) got that stem as its name, and was then refused for a bad `name` the file
/// does not contain.
#[test]
fn a_file_name_makes_a_valid_default_name() {
    let tmp = std::env::temp_dir().join(format!("ql-default-name-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for stem in [
        "a\nb\u{1b}[31m\tc".to_string(),
        "x".repeat(250),
        " ".to_string(),
    ] {
        let path = tmp.join(format!("{stem}.toml"));
        std::fs::write(
            &path,
            "[[fault]]\nat = \"1s\"\nkind = \"crash\"\nnode = \"n1\"\nduration = \"1s\"\n",
        )
        .unwrap();
        let s = load(&path, &nodes(), 1).unwrap_or_else(|e| panic!("{stem:?}: {e}"));
        assert!(!s.name.chars().any(char::is_control) && s.name.chars().count() <= 100);
        let _ = std::fs::remove_file(&path);
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
