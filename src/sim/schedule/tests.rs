//! Loading in memory: the documented example, each validation rule with its exact message, the
//! resolution of `random`/`halves`/`bridge`, and that no input makes the loader panic.

use super::*;
use proptest::prelude::*;

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

/// The TOML example in the module doc, without its `//! ` prefixes.
fn doc_example() -> String {
    let source = include_str!("mod.rs");
    let body: Vec<&str> = source
        .lines()
        .map(|l| l.strip_prefix("//!").unwrap_or(l))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .skip_while(|l| *l != "```toml")
        .skip(1)
        .take_while(|l| *l != "```")
        .collect();
    body.join("\n")
}

#[test]
fn the_documented_example_loads() {
    let text = doc_example();
    assert!(text.contains("kind = \"heal-all\""), "example not found");
    let s = load_str(&text).unwrap();
    assert_eq!(s.name, "example");
    assert!(s.steps.windows(2).all(|w| w[0].at <= w[1].at));
    // 10 faults, 7 of them with a duration.
    assert_eq!(s.steps.len(), 17);
}

#[test]
fn a_fault_with_a_duration_gets_its_lift_and_steps_are_sorted_stably() {
    let s = load_str(
        "[[fault]]\nat = \"2s\"\nkind = \"loss\"\nrate = 0.5\n\
         [[fault]]\nat = \"1s\"\nkind = \"crash\"\nnode = \"n3\"\nduration = \"1s\"\n",
    )
    .unwrap();
    let got: Vec<(u64, String, usize)> = s
        .steps
        .iter()
        .map(|st| (st.at.as_millis() as u64, st.fault.describe(), st.line))
        .collect();
    let want = [
        (1000, "crash n3".to_string(), 5),
        (2000, "loss 50%".to_string(), 1),
        (2000, "restart n3".to_string(), 9),
    ];
    assert_eq!(got, want);
    assert_eq!(s.name, "s");
}

#[test]
fn random_nodes_are_drawn_from_the_seed_and_lifts_follow_them() {
    let text = "[[fault]]\nat = \"1s\"\nkind = \"crash\"\nnode = \"random\"\nduration = \"1s\"\n\
                [[fault]]\nat = \"1s\"\nkind = \"pause\"\nnode = \"random\"\nduration = \"2s\"\n";
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..20 {
        let s = Schedule::from_toml_str("s.toml", text, &nodes(), seed).unwrap();
        let again = Schedule::from_toml_str("s.toml", text, &nodes(), seed).unwrap();
        assert_eq!(s, again, "seed {seed} is not deterministic");
        let Fault::Crash(NodeSel::Named(c)) = &s.steps[0].fault else {
            panic!("{s:?}")
        };
        let Fault::Pause(NodeSel::Named(p)) = &s.steps[1].fault else {
            panic!("{s:?}")
        };
        assert_ne!(c, p, "a random pause picks a running node");
        assert_eq!(s.steps[2].fault, Fault::Restart(named(c)));
        assert_eq!(s.steps[3].fault, Fault::Resume(named(p)));
        seen.insert(c.clone());
    }
    assert!(seen.len() >= 3, "random crash always hit {seen:?}");
}

#[test]
fn halves_and_bridge_resolve_to_explicit_groups() {
    let text =
        "[[fault]]\nat = \"1s\"\nkind = \"partition\"\nhow = \"halves\"\nduration = \"1s\"\n\
                [[fault]]\nat = \"3s\"\nkind = \"partition\"\nhow = \"bridge\"\n";
    let s = load_str(text).unwrap();
    let Fault::Partition(PartitionSpec::Groups(h)) = &s.steps[0].fault else {
        panic!("{s:?}")
    };
    let mut sizes: Vec<usize> = h.iter().map(Vec::len).collect();
    sizes.sort();
    assert_eq!(sizes, [2, 3]);
    let mut all: Vec<String> = h.iter().flatten().cloned().collect();
    all.sort();
    assert_eq!(all, nodes());
    assert_eq!(s.steps[1].fault, Fault::Heal);
    let Fault::Partition(PartitionSpec::Groups(b)) = &s.steps[2].fault else {
        panic!("{s:?}")
    };
    assert_eq!(b.len(), 2);
    let shared: Vec<&String> = b[0].iter().filter(|n| b[1].contains(n)).collect();
    assert_eq!(shared.len(), 1, "a bridge shares exactly one node: {b:?}");
    assert_eq!(b[0].len() + b[1].len(), 6);
}

#[test]
fn explicit_groups_gain_the_unlisted_nodes_as_one_more_group() {
    let s = load_str("[[fault]]\nat = \"1s\"\nkind = \"partition\"\nhow = \"groups\"\ngroups = [[\"n4\", \"n1\"]]\n").unwrap();
    assert_eq!(s.steps[0].fault.describe(), "partition n4 n1 | n2 n3 n5");
}

#[test]
fn each_rule_gives_its_one_line_message() {
    let f = "[[fault]]\nat = \"1s\"\n";
    let cases: Vec<(String, &str)> = vec![
        (format!("{f}kind = \"loss\"\nrat = 0.2\n"), "s.toml:4: field `rat`: unknown key (valid keys: at, kind, how, groups, node, from, to, rate, max, offset, duration); did you mean `rate`?"),
        (format!("{f}kind = \"loss\"\nrate = 1.5\n"), "s.toml:4: field `rate`: must be between 0 and 1 (got 1.5)"),
        (format!("{f}kind = \"loss\"\n"), "s.toml:3: field `rate`: missing (required by kind `loss`)"),
        (format!("{f}kind = \"crsh\"\n"), "s.toml:3: field `kind`: unknown kind \"crsh\" (valid: partition, heal, crash, restart, loss, latency, clock-skew, pause, resume, heal-all)"),
        ("\n[[fault]]\nkind = \"heal\"\n".to_string(), "s.toml:2: field `at`: missing (every fault needs `at`)"),
        (format!("{f}kind = \"crash\"\nnode = \"n9\"\n"), "s.toml:4: field `node`: unknown node \"n9\" (nodes: n1 n2 n3 n4 n5)"),
        (format!("{f}kind = \"crash\"\nnode = \"n1\"\nrate = 0.1\n"), "s.toml:5: field `rate`: not used by kind `crash`"),
        (format!("{f}kind = \"restart\"\nnode = \"n2\"\n"), "s.toml:4: field `node`: n2 is not crashed at 1s (a restart needs an earlier crash)"),
        (format!("{f}kind = \"restart\"\nnode = \"random\"\n"), "s.toml:4: field `node`: no node is crashed at 1s (a restart needs an earlier crash)"),
        (format!("{f}kind = \"crash\"\nnode = \"n2\"\nduration = \"0s\"\n"), "s.toml:5: field `duration`: must be positive (got \"0s\")"),
        (format!("{f}kind = \"crash\"\nnode = \"n2\"\nduration = \"-1s\"\n"), "s.toml:5: field `duration`: must be positive (got \"-1s\")"),
        ("[[fault]]\nat = \"-1s\"\nkind = \"heal\"\n".to_string(), "s.toml:2: field `at`: must not be negative (got \"-1s\")"),
        ("[[fault]]\nat = 1\nkind = \"heal\"\n".to_string(), "s.toml:2: field `at`: must be a duration such as \"1.5s\" or \"200ms\" (got 1)"),
        (format!("{f}kind = \"partition\"\nhow = \"groups\"\ngroups = [[\"n1\"], []]\n"), "s.toml:5: field `groups`: group 2 is empty"),
        (format!("{f}kind = \"partition\"\nhow = \"groups\"\ngroups = [[\"n1\", \"n2\"], [\"n2\"]]\n"), "s.toml:5: field `groups`: n2 is listed more than once"),
        (format!("{f}kind = \"partition\"\nhow = \"groups\"\ngroups = [[\"n1\", \"n2\", \"n3\", \"n4\", \"n5\"]]\n"), "s.toml:5: field `groups`: must split the cluster into at least two sides"),
        (format!("{f}kind = \"partition\"\nhow = \"halfs\"\n"), "s.toml:4: field `how`: unknown how \"halfs\" (valid: groups, halves, isolate, one-way, bridge)"),
        (format!("{f}kind = \"partition\"\nhow = \"one-way\"\nfrom = [\"n1\"]\nto = [\"n1\"]\n"), "s.toml:6: field `to`: n1 is in both `from` and `to`"),
        (format!("{f}kind = \"heal\"\nduration = \"1s\"\n"), "s.toml:4: field `duration`: not used by kind `heal`"),
        (format!("{f}kind = \"clock-skew\"\nnode = \"n1\"\noffset = \"-5 parsecs\"\n"), "s.toml:5: field `offset`: cannot parse \"-5 parsecs\" as a signed duration: unknown time unit \"parsecs\", supported units: ns, us/µs, ms, sec, min, hours, days, weeks, months, years (and few variations) (write e.g. \"-500ms\")"),
        ("name = \"x\"\n[[faults]]\nat = \"1s\"\n".to_string(), "s.toml:2: field `faults`: unknown key (valid top-level keys: name, fault); write `[[fault]]`"),
        ("name = \"\"\n".to_string(), "s.toml:1: field `name`: must be a non-empty string (got \"\")"),
    ];
    for (text, want) in cases {
        assert_eq!(err(&text), want, "for:\n{text}");
    }
}

#[test]
fn a_lift_that_cannot_happen_is_blamed_on_its_duration() {
    let text = "[[fault]]\nat = \"1s\"\nkind = \"crash\"\nnode = \"n1\"\nduration = \"2s\"\n\
                [[fault]]\nat = \"2s\"\nkind = \"restart\"\nnode = \"n1\"\n";
    assert_eq!(
        err(text),
        "s.toml:5: field `duration`: the lift at 3s (restart n1): n1 is not crashed at 3s (a restart needs an earlier crash)"
    );
    let double = "[[fault]]\nat = \"1s\"\nkind = \"pause\"\nnode = \"n1\"\n\
                  [[fault]]\nat = \"2s\"\nkind = \"pause\"\nnode = \"n1\"\n";
    assert_eq!(
        err(double),
        "s.toml:8: field `node`: n1 is already paused at 2s"
    );
}

#[test]
fn a_negative_zero_rate_is_plain_zero() {
    let s = load_str("[[fault]]\nat = \"1s\"\nkind = \"loss\"\nrate = -0.0\n").unwrap();
    assert_eq!(s.steps[0].fault.describe(), "loss 0%");
}

#[test]
fn heal_all_restarts_and_resumes_everything() {
    let text = "[[fault]]\nat = \"1s\"\nkind = \"crash\"\nnode = \"n1\"\n\
                [[fault]]\nat = \"1s\"\nkind = \"pause\"\nnode = \"n2\"\n\
                [[fault]]\nat = \"2s\"\nkind = \"heal-all\"\n\
                [[fault]]\nat = \"3s\"\nkind = \"crash\"\nnode = \"n1\"\n";
    assert_eq!(load_str(text).unwrap().steps.len(), 4);
}

#[test]
fn syntax_errors_and_clamped_lines() {
    let e = err("[[fault]]\nat = \"1s\nkind = \"heal\"\n");
    assert!(e.starts_with("s.toml:2: invalid TOML: "), "{e}");
    assert!(!e.contains('\n'));
    let e = err("[[fault]]\nat = \n");
    assert!(e.starts_with("s.toml:2: invalid TOML: "), "{e}");
}

#[test]
fn fault_kinds_parse_from_their_cli_names() {
    for k in FaultKind::ALL {
        assert_eq!(k.name().parse::<FaultKind>(), Ok(k));
    }
    assert_eq!(
        FaultKind::parse_list("loss, partition,loss").unwrap(),
        [FaultKind::Partition, FaultKind::Loss]
    );
    assert_eq!(
        "crashh".parse::<FaultKind>().unwrap_err().to_string(),
        "unknown fault kind `crashh` (valid: partition, crash, loss, latency, clock-skew, pause)"
    );
}

/// Checks the contract of an error: `s.toml:LINE: ` with LINE inside the text, one line.
fn well_formed(text: &str, e: &ScheduleError) -> Result<(), TestCaseError> {
    let msg = e.to_string();
    let rest = msg.strip_prefix("s.toml:");
    prop_assert!(rest.is_some(), "{msg}");
    let (line, _) = rest.unwrap().split_once(": ").unwrap_or(("", ""));
    let line: usize = line.parse().map_err(|_| TestCaseError::fail(msg.clone()))?;
    prop_assert!(line >= 1 && line <= text.lines().count().max(1), "{msg}");
    prop_assert!(!msg.contains('\n'), "{msg}");
    Ok(())
}

/// Lines from which mostly-valid schedules are assembled, so the search reaches deep rules.
const VOCAB: &[&str] = &[
    "[[fault]]",
    "at = \"1s\"",
    "at = \"2.5s\"",
    "at = \"-1s\"",
    "at = 3",
    "kind = \"crash\"",
    "kind = \"restart\"",
    "kind = \"partition\"",
    "kind = \"loss\"",
    "kind = \"latency\"",
    "kind = \"clock-skew\"",
    "kind = \"pause\"",
    "kind = \"resume\"",
    "kind = \"heal-all\"",
    "kind = \"heal\"",
    "how = \"halves\"",
    "how = \"bridge\"",
    "how = \"isolate\"",
    "how = \"groups\"",
    "how = \"one-way\"",
    "groups = [[\"n1\"], [\"n2\", \"n1\"]]",
    "groups = [[\"n2\"]]",
    "node = \"random\"",
    "node = \"n3\"",
    "node = \"n7\"",
    "from = [\"n1\"]",
    "to = [\"n2\"]",
    "to = []",
    "rate = 0.3",
    "rate = nan",
    "max = \"default\"",
    "max = \"20ms\"",
    "offset = \"-1s\"",
    "offset = \"+1ns\"",
    "duration = \"1s\"",
    "duration = \"0s\"",
    "name = \"x\"",
    "fault = 3",
    "[fault]",
    "x = 1",
    "at = \"1s\" # c",
    "at.x = 1",
    "fault = [1979-05-27]",
    "at = 1979-05-27",
    "[[fault.x]]",
    "node = [\"n1\"]",
];

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        if let Err(e) = load_str(&text) {
            well_formed(&text, &e)?;
        }
    }

    #[test]
    fn assembled_schedules_load_or_fail_well(picks in prop::collection::vec(0..VOCAB.len(), 0..30), seed in any::<u64>()) {
        let text: String = picks.iter().map(|&i| format!("{}\n", VOCAB[i])).collect();
        match Schedule::from_toml_str("s.toml", &text, &nodes(), seed) {
            Err(e) => well_formed(&text, &e)?,
            Ok(s) => {
                prop_assert!(s.steps.windows(2).all(|w| w[0].at <= w[1].at));
                let json = serde_json::to_string(&s).unwrap();
                prop_assert_eq!(serde_json::from_str::<Schedule>(&json).unwrap(), s);
            }
        }
    }
}
