//! No text makes the TOML loader panic: arbitrary text, and schedules assembled from lines that
//! are mostly valid (so the search reaches the deep rules). Every error is one line naming a line
//! of the text; every schedule that loads validates, is sorted and survives JSON. (The bigger
//! bad-input search over files, JSON and bytes is `tests/schedule_bad_input.rs`.)

use super::*;
use proptest::prelude::*;

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

/// Lines from which mostly-valid schedules are assembled.
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
    "kind = \"slow\"",
    "kind = \"reply-loss\"",
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
    "groups = [[\"n1\", \"n2\", \"n3\"], [\"n3\", \"n4\", \"n5\"]]",
    "node = \"random\"",
    "node = \"n3\"",
    "node = \"n7\"",
    "nodes = [\"n1\", \"n2\", \"n3\"]",
    "nodes = []",
    "from = [\"n1\"]",
    "to = [\"n2\"]",
    "to = []",
    "rate = 0.3",
    "rate = 0",
    "rate = nan",
    "rate = 1e308",
    "max = \"default\"",
    "max = \"20ms\"",
    "max = \"0s\"",
    "offset = \"-1s\"",
    "offset = \"+1ns\"",
    "duration = \"1s\"",
    "duration = \"0s\"",
    "duration = \"584942417355y\"",
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
                prop_assert_eq!(s.validate(&nodes()), Ok(()));
                let json = serde_json::to_string(&s).unwrap();
                prop_assert_eq!(Schedule::from_json_str("s.json", &json, &nodes()).unwrap(), s);
            }
        }
    }
}
