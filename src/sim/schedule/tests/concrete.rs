//! The one validator on concrete schedules: built in code (messages name the step) and read from
//! JSON (messages name the line of the step), including everything the JSON path used to let
//! through to the simulator.

use super::*;

fn code(steps: Vec<Step>) -> Result<(), String> {
    let s = Schedule {
        name: "code".to_string(),
        steps,
    };
    s.validate(&nodes()).map_err(|e| e.to_string())
}

fn groups(g: &[&[&str]]) -> Fault {
    Fault::Partition(PartitionSpec::Groups(g.iter().map(|x| names(x)).collect()))
}

#[test]
fn code_built_schedules_break_rules_with_the_step_named() {
    let cases: Vec<(Vec<Step>, &str)> = vec![
        (vec![step(0, Fault::Loss { rate: 5.0 })], "schedule code, step 1 (0s loss 500%): field `rate`: must be between 0 and 1 (got 5)"),
        (vec![step(0, Fault::Loss { rate: -1.0 })], "schedule code, step 1 (0s loss -100%): field `rate`: must be between 0 and 1 (got -1)"),
        (vec![step(0, Fault::Latency { max: Duration::ZERO })], "schedule code, step 1 (0s latency ≤ 0s): field `max`: must be positive and at most 1h (got 0s)"),
        (vec![step(0, Fault::Restart(named("n1")))], "schedule code, step 1 (0s restart n1): field `node`: n1 is not crashed at 0s (a restart needs an earlier crash)"),
        (vec![step(0, Fault::Crash(named("n1"))), step(1, Fault::Crash(named("n1")))], "schedule code, step 2 (1ms crash n1): field `node`: n1 is already crashed at 1ms"),
        (vec![step(0, Fault::CrashSet(names(&["n1", "n2"]))), step(1, Fault::Crash(named("n2")))], "schedule code, step 2 (1ms crash n2): field `node`: n2 is already crashed at 1ms"),
        (vec![step(0, groups(&[&["n1"], &[]]))], "schedule code, step 1 (0s partition n1 | ): field `groups`: group 2 is empty"),
        (vec![step(0, groups(&[]))], "schedule code, step 1 (0s partition ): field `groups`: must split the cluster into at least two sides"),
        (vec![step(5, Fault::Heal), step(1, Fault::Heal)], "schedule code, step 2 (1ms heal): field `at`: steps must be sorted by time (1ms comes after 5ms)"),
        (vec![step(0, Fault::Partition(PartitionSpec::Halves))], "schedule code, step 1 (0s partition halves): field `how`: halves is not resolved (a concrete schedule lists explicit groups)"),
        (vec![step(0, Fault::Crash(NodeSel::Random))], "schedule code, step 1 (0s crash random): field `node`: \"random\" is not resolved (a concrete schedule names every node)"),
        (vec![step(0, Fault::Pause(named("n7")))], "schedule code, step 1 (0s pause n7): field `node`: unknown node \"n7\" (nodes: n1 n2 n3 n4 n5)"),
        (vec![step(0, Fault::ReplyLoss { from: names(&["n1"]), to: names(&["n2"]), rate: 0.0 })], "schedule code, step 1 (0s reply-loss 0% n1 -> n2): field `rate`: must be above 0 and at most 1 (got 0; turn reply loss off with its lift)"),
        (vec![step(0, Fault::ReplyLoss { from: names(&["n1"]), to: vec![], rate: 0.5 })], "schedule code, step 1 (0s reply-loss 50% n1 -> ): field `to`: must name at least one node"),
        (vec![step(0, Fault::Slow { node: named("n1"), max: Duration::from_secs(4000) })], "schedule code, step 1 (0s slow n1 ≤ 4000s): field `max`: must be positive and at most 1h (got 4000s)"),
        (vec![step(0, Fault::ClockSkew { node: named("n1"), offset_us: i64::MIN })], "schedule code, step 1 (0s clock-skew n1 -292271years 8days 10h 54s 775ms 808us): field `offset`: must be at most 1 day either way (got -9223372036854775808 µs)"),
    ];
    for (steps, want) in cases {
        let got = code(steps.clone()).expect_err(want);
        assert_eq!(got, want, "{steps:?}");
    }
    let nameless = Schedule {
        name: " ".to_string(),
        steps: vec![],
    };
    assert_eq!(
        nameless.validate(&nodes()).unwrap_err().to_string(),
        "schedule \" \", step 0 (name): field `name`: must be a non-empty line of text (got \" \")"
    );
}

#[test]
fn groups_share_a_node_only_as_a_bridge() {
    let bridge = groups(&[&["n1", "n2", "n3"], &["n3", "n4", "n5"]]);
    assert_eq!(code(vec![step(0, bridge)]), Ok(()));
    for not_a_bridge in [
        groups(&[&["n1", "n2", "n3"], &["n3", "n4"]]), // n5 unlisted
        groups(&[&["n1", "n2", "n3"], &["n2", "n3", "n4", "n5"]]), // two shared
        groups(&[&["n1", "n2"], &["n2", "n3"], &["n3", "n4", "n5"]]), // three groups
        groups(&[&["n1"], &["n1", "n2", "n3", "n4", "n5"]]), // a side of one
    ] {
        let e = code(vec![step(0, not_a_bridge.clone())]).unwrap_err();
        assert!(
            e.contains("is in more than one group"),
            "{not_a_bridge:?}: {e}"
        );
    }
    assert_eq!(
        code(vec![step(0, groups(&[&["n1", "n2"]]))]),
        Ok(()),
        "unlisted nodes form a side"
    );
}

#[test]
fn state_follows_sets_heal_all_and_lifts() {
    let ok = vec![
        step(0, Fault::CrashSet(names(&["n1", "n2", "n3"]))),
        step(0, Fault::Pause(named("n4"))),
        step(1, Fault::RestartSet(names(&["n1", "n2", "n3"]))),
        step(1, Fault::Crash(named("n1"))),
        step(2, Fault::HealAll),
        step(2, Fault::Crash(named("n1"))),
        step(2, Fault::Pause(named("n4"))),
        step(3, Fault::Restart(named("n1"))),
        step(3, Fault::Resume(named("n4"))),
    ];
    assert_eq!(code(ok), Ok(()));
    let partial = vec![
        step(0, Fault::Crash(named("n1"))),
        step(1, Fault::RestartSet(names(&["n1", "n2"]))),
    ];
    assert!(code(partial)
        .unwrap_err()
        .contains("n2 is not crashed at 1ms"));
}

fn json(text: &str) -> Result<Schedule, String> {
    Schedule::from_json_str("s.json", text, &nodes()).map_err(|e| e.to_string())
}

#[test]
fn json_schedules_round_trip_and_break_rules_on_their_line() {
    let good = Schedule {
        name: "g".into(),
        steps: vec![
            step(500, Fault::CrashSet(names(&["n1", "n2", "n3"]))),
            step(900, Fault::RestartSet(names(&["n1", "n2", "n3"]))),
            step(
                900,
                Fault::ReplyLoss {
                    from: names(&["n2"]),
                    to: names(&["n1"]),
                    rate: 0.1,
                },
            ),
        ],
    };
    let text = serde_json::to_string_pretty(&good).unwrap();
    assert_eq!(json(&text), Ok(good.clone()));
    // Make the third step restart a running node: its line is named.
    let mut bad = good.clone();
    bad.steps[2].fault = Fault::Restart(named("n4"));
    let text = serde_json::to_string_pretty(&bad).unwrap();
    let restart = text
        .lines()
        .position(|l| l.contains("\"restart\": {"))
        .unwrap();
    let line = restart - 3 + 1;
    assert_eq!(
        json(&text),
        Err(format!("s.json:{line}: field `node`: n4 is not crashed at 900ms (a restart needs an earlier crash)"))
    );
    assert!(
        text.lines().nth(line - 1).unwrap().trim() == "{",
        "the step opens on line {line}"
    );
}

#[test]
fn json_syntax_types_and_unknown_fields_name_their_line() {
    let cases = [
        ("{\"name\": \"x\",\n \"steps\": [\n  {\"at\": \"1s\", \"fault\": \"heal\", \"line\": 0, \"extra\": 1}\n]}", "s.json:3: invalid JSON schedule: unknown field `extra`, expected one of `at`, `fault`, `line`"),
        ("{\"name\": \"x\",\n \"steps\": [\n  {\"at\": 1, \"fault\": \"heal\", \"line\": 0}\n]}", "s.json:3: invalid JSON schedule: invalid type: integer `1`, expected a string"),
        ("{\"name\": \"x\",\n \"steps\": [\n  {\"at\": \"1s\", \"fault\": \"hael\", \"line\": 0}\n]}", "s.json:3: invalid JSON schedule: unknown variant `hael`, expected one of `partition`, `heal`, `crash`, `crash-set`, `restart`, `restart-set`, `loss`, `latency`, `latency-reset`, `slow`, `slow-reset`, `slow-disk`, `slow-disk-reset`, `reply-loss`, `reply-loss-off`, `clock-skew`, `pause`, `resume`, `heal-all`"),
        ("{\"name\": \"x\",\n\n \"steps\": [,]}", "s.json:3: invalid JSON schedule: expected value"),
        ("{\n\"name\": \"\", \"steps\": []}", "s.json:2: field `name`: must be a non-empty line of text (got \"\")"),
        ("", "s.json:1: invalid JSON schedule: EOF while parsing a value"),
    ];
    for (text, want) in cases {
        assert_eq!(json(text).unwrap_err(), want, "{text}");
    }
}
