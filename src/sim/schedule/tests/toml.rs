//! The TOML format: the documented example, lifts and stable order, resolution from the seed,
//! the new kinds, and one exact message per rule.

use super::*;

/// The TOML example in the module doc, without its `//! ` prefixes.
fn doc_example() -> String {
    let source = include_str!("../mod.rs");
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
    // 14 faults, 11 of them with a duration.
    assert_eq!(s.steps.len(), 25);
    let texts: Vec<String> = s.steps.iter().map(|st| st.fault.describe()).collect();
    for want in [
        "crash n1 n2 n4",
        "restart n1 n2 n4",
        "slow n4 ≤ 800ms",
        "slow n4 default",
        "reply-loss 20% n2 n3 -> n1",
        "reply-loss off",
    ] {
        assert!(texts.iter().any(|t| t == want), "{want} not in {texts:?}");
    }
    assert_eq!(s.validate(&nodes()), Ok(()));
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
                [[fault]]\nat = \"1s\"\nkind = \"pause\"\nnode = \"random\"\nduration = \"2s\"\n\
                [[fault]]\nat = \"1s\"\nkind = \"slow\"\nnode = \"random\"\nmax = \"1s\"\nduration = \"2s\"\n";
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
        let Fault::Slow { node: slow, .. } = &s.steps[2].fault else {
            panic!("{s:?}")
        };
        assert_ne!(c, p, "a random pause picks a running node");
        assert_eq!(s.steps[3].fault, Fault::Restart(named(c)));
        assert_eq!(s.steps[4].fault, Fault::Resume(named(p)));
        assert_eq!(s.steps[5].fault, Fault::SlowReset(slow.clone()));
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
fn several_nodes_crash_and_restart_together() {
    let s = load_str(
        "[[fault]]\nat = \"1s\"\nkind = \"crash\"\nnodes = [\"n1\", \"n2\", \"n3\"]\nduration = \"1s\"\n\
         [[fault]]\nat = \"3s\"\nkind = \"crash\"\nnodes = [\"n4\", \"n5\"]\n\
         [[fault]]\nat = \"4s\"\nkind = \"restart\"\nnodes = [\"n5\", \"n4\"]\n",
    )
    .unwrap();
    let texts: Vec<String> = s.steps.iter().map(Step::describe).collect();
    assert_eq!(
        texts,
        [
            "1s crash n1 n2 n3",
            "2s restart n1 n2 n3",
            "3s crash n4 n5",
            "4s restart n5 n4"
        ]
    );
}

#[test]
fn slow_and_reply_loss_take_their_fields_and_lifts() {
    let s = load_str(
        "[[fault]]\nat = \"1s\"\nkind = \"slow\"\nnode = \"n2\"\nmax = \"900ms\"\n\
         [[fault]]\nat = \"2s\"\nkind = \"slow\"\nnode = \"n2\"\nmax = \"default\"\n\
         [[fault]]\nat = \"1s\"\nkind = \"reply-loss\"\nfrom = [\"n2\", \"n3\"]\nto = [\"n1\"]\nrate = 0.1\n\
         [[fault]]\nat = \"3s\"\nkind = \"reply-loss\"\nrate = 0\n",
    )
    .unwrap();
    let texts: Vec<String> = s.steps.iter().map(Step::describe).collect();
    assert_eq!(
        texts,
        [
            "1s slow n2 ≤ 900ms",
            "1s reply-loss 10% n2 n3 -> n1",
            "2s slow n2 default",
            "3s reply-loss off"
        ]
    );
}

#[test]
fn each_rule_gives_its_one_line_message() {
    let f = "[[fault]]\nat = \"1s\"\n";
    let cases: Vec<(String, &str)> = vec![
        (format!("{f}kind = \"loss\"\nrat = 0.2\n"), "s.toml:4: field `rat`: unknown key (valid keys: at, kind, how, groups, node, nodes, from, to, rate, max, delay, offset, duration); did you mean `rate`?"),
        (format!("{f}kind = \"loss\"\nrate = 1.5\n"), "s.toml:4: field `rate`: must be between 0 and 1 (got 1.5)"),
        (format!("{f}kind = \"loss\"\nrate = nan\n"), "s.toml:4: field `rate`: must be between 0 and 1 (got NaN)"),
        (format!("{f}kind = \"loss\"\nrate = \"x\"\n"), "s.toml:4: field `rate`: must be a number between 0 and 1 (got \"x\")"),
        (format!("{f}kind = \"loss\"\n"), "s.toml:3: field `rate`: missing (required by kind `loss`)"),
        (format!("{f}kind = \"crsh\"\n"), "s.toml:3: field `kind`: unknown kind \"crsh\" (valid: partition, heal, crash, restart, loss, latency, slow, slow-disk, reply-loss, clock-skew, pause, resume, heal-all)"),
        ("\n[[fault]]\nkind = \"heal\"\n".to_string(), "s.toml:2: field `at`: missing (every fault needs `at`)"),
        (format!("{f}kind = \"crash\"\nnode = \"n9\"\n"), "s.toml:4: field `node`: unknown node \"n9\" (nodes: n1 n2 n3 n4 n5)"),
        (format!("{f}kind = \"crash\"\nnode = \"n1\"\nrate = 0.1\n"), "s.toml:5: field `rate`: not used by kind `crash`"),
        (format!("{f}kind = \"crash\"\n"), "s.toml:3: field `node`: missing (required by kind `crash`; or `nodes` for several)"),
        (format!("{f}kind = \"crash\"\nnode = \"n1\"\nnodes = [\"n2\"]\n"), "s.toml:5: field `nodes`: give `node` or `nodes`, not both"),
        (format!("{f}kind = \"crash\"\nnodes = []\n"), "s.toml:4: field `nodes`: must name at least one node"),
        (format!("{f}kind = \"crash\"\nnodes = [\"n1\", \"n1\"]\n"), "s.toml:4: field `nodes`: n1 is listed more than once"),
        (format!("{f}kind = \"restart\"\nnode = \"n2\"\n"), "s.toml:4: field `node`: n2 is not crashed at 1s (a restart needs an earlier crash)"),
        (format!("{f}kind = \"restart\"\nnodes = [\"n2\"]\n"), "s.toml:4: field `nodes`: n2 is not crashed at 1s (a restart needs an earlier crash)"),
        (format!("{f}kind = \"restart\"\nnode = \"random\"\n"), "s.toml:4: field `node`: no node is crashed at 1s (a restart needs an earlier crash)"),
        (format!("{f}kind = \"crash\"\nnode = \"n2\"\nduration = \"0s\"\n"), "s.toml:5: field `duration`: must be positive (got \"0s\")"),
        (format!("{f}kind = \"crash\"\nnode = \"n2\"\nduration = \"-1s\"\n"), "s.toml:5: field `duration`: must be positive (got \"-1s\")"),
        ("[[fault]]\nat = \"-1s\"\nkind = \"heal\"\n".to_string(), "s.toml:2: field `at`: must not be negative (got \"-1s\")"),
        ("[[fault]]\nat = 1\nkind = \"heal\"\n".to_string(), "s.toml:2: field `at`: must be a duration such as \"1.5s\" or \"200ms\" (got 1)"),
        ("[[fault]]\nat = 1979-05-27\nkind = \"heal\"\n".to_string(), "s.toml:2: field `at`: must be a duration such as \"1.5s\" or \"200ms\" (got the date-time 1979-05-27)"),
        (format!("{f}kind = \"partition\"\nhow = \"groups\"\ngroups = [[\"n1\"], []]\n"), "s.toml:5: field `groups`: group 2 is empty"),
        (format!("{f}kind = \"partition\"\nhow = \"groups\"\ngroups = [[\"n1\", \"n2\"], [\"n2\"]]\n"), "s.toml:5: field `groups`: n2 is in more than one group (only a bridge — two groups sharing one node, each with another node, covering the cluster — may share a node)"),
        (format!("{f}kind = \"partition\"\nhow = \"groups\"\ngroups = [[\"n1\", \"n2\", \"n3\", \"n4\", \"n5\"]]\n"), "s.toml:5: field `groups`: must split the cluster into at least two sides"),
        (format!("{f}kind = \"partition\"\nhow = \"groups\"\ngroups = [\"n1\"]\n"), "s.toml:5: field `groups`: must be an array of arrays of node names, such as [[\"n1\", \"n2\"], [\"n3\"]] (got an array)"),
        (format!("{f}kind = \"partition\"\nhow = \"halfs\"\n"), "s.toml:4: field `how`: unknown how \"halfs\" (valid: groups, halves, isolate, one-way, bridge)"),
        (format!("{f}kind = \"partition\"\nhow = \"one-way\"\nfrom = [\"n1\"]\nto = [\"n1\"]\n"), "s.toml:6: field `to`: n1 is in both `from` and `to`"),
        (format!("{f}kind = \"partition\"\nhow = \"one-way\"\nfrom = []\nto = [\"n1\"]\n"), "s.toml:5: field `from`: must name at least one node"),
        (format!("{f}kind = \"heal\"\nduration = \"1s\"\n"), "s.toml:4: field `duration`: not used by kind `heal`"),
        (format!("{f}kind = \"latency\"\nmax = \"0s\"\n"), "s.toml:4: field `max`: must be positive and at most 1h (got 0s)"),
        (format!("{f}kind = \"slow\"\nnode = \"n1\"\nmax = \"2h\"\n"), "s.toml:5: field `max`: must be positive and at most 1h (got 7200s)"),
        (format!("{f}kind = \"slow\"\nmax = \"1s\"\n"), "s.toml:3: field `node`: missing (required by kind `slow`)"),
        (format!("{f}kind = \"reply-loss\"\nrate = 0.2\nto = [\"n1\"]\n"), "s.toml:3: field `from`: missing (required by kind `reply-loss`)"),
        (format!("{f}kind = \"reply-loss\"\nrate = 1.2\nfrom = [\"n2\"]\nto = [\"n1\"]\n"), "s.toml:4: field `rate`: must be above 0 and at most 1 (got 1.2; turn reply loss off with its lift)"),
        (format!("{f}kind = \"reply-loss\"\nrate = 0\nfrom = [\"n2\"]\n"), "s.toml:5: field `from`: not used by kind `reply-loss` with rate 0 (it turns reply loss off)"),
        (format!("{f}kind = \"clock-skew\"\nnode = \"n1\"\noffset = \"-5 parsecs\"\n"), "s.toml:5: field `offset`: cannot parse \"-5 parsecs\" as a signed duration: unknown time unit \"parsecs\" (units: ns, us, ms, s, m, h, d and longer names) (write e.g. \"-500ms\")"),
        (format!("{f}kind = \"clock-skew\"\nnode = \"n1\"\noffset = \"+2days\"\n"), "s.toml:5: field `offset`: must be at most 1 day either way (got 172800000000 µs)"),
        ("name = \"x\"\n[[faults]]\nat = \"1s\"\n".to_string(), "s.toml:2: field `faults`: unknown key (valid top-level keys: name, fault); write `[[fault]]`"),
        ("name = \"\"\n".to_string(), "s.toml:1: field `name`: must be a non-empty line of text (got \"\")"),
        ("name = 3\n".to_string(), "s.toml:1: field `name`: must be a non-empty string (got 3)"),
        ("fault = 3\n".to_string(), "s.toml:1: field `fault`: must be an array of tables (write `[[fault]]`)"),
        ("\n[fault]\nat = 1\n".to_string(), "s.toml:2: field `fault`: must be an array of tables (write `[[fault]]`)"),
        ("fault = [1979-05-27]\n".to_string(), "s.toml:1: field `fault`: every element must be a table (write `[[fault]]`)"),
        ("[[fault]]\nat.x = 1\n".to_string(), "s.toml:2: field `at`: must be a duration such as \"1.5s\" or \"200ms\" (got a table)"),
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
fn long_input_is_echoed_cut() {
    let long = "z".repeat(100_000);
    for text in [
        format!("[[fault]]\nat = \"1s\"\nkind = \"{long}\"\n"),
        format!("[[fault]]\nat = \"1s\"\nkind = \"crash\"\nnode = \"{long}\"\n"),
        format!("[[fault]]\nat = \"1s\"\n\"{long}\" = 1\n"),
        format!("[[fault]]\nat = \"1 {long}\"\n"),
        format!("name = \"\\n{long}\"\n"),
    ] {
        let e = err(&text);
        // At most two echoes of about 80 characters each.
        assert!(e.chars().count() < 400, "{e}");
        assert!(e.starts_with("s.toml:") && !e.contains('\n'), "{e}");
    }
}

/// Thousands of steps load, each with its own line (loading time is measured by the
/// `schedule_files` integration test).
#[test]
fn a_long_schedule_loads() {
    let mut text = String::new();
    for i in 0..2000 {
        text.push_str(&format!(
            "[[fault]]\nat = \"{i}ms\"\nkind = \"crash\"\nnode = \"n{}\"\nduration = \"1ms\"\n",
            i % 5 + 1
        ));
    }
    let s = load_str(&text).unwrap();
    assert_eq!(s.steps.len(), 4000);
    assert_eq!(s.steps[3999].line, 10000);
}
