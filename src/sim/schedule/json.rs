//! The JSON form of a concrete schedule (what a run stores in `run.json`, and what the library
//! writes for schedules built in code), read back with the same validator as TOML. serde_json
//! names the line of a syntax error, an unknown field or a wrong type; for a step that parses but
//! breaks a rule, the line where that step starts is found by one scan of the text.

use super::check;
use super::input::invalid;
use super::lines::Lines;
use super::{Schedule, ScheduleError};

/// Parses and validates a JSON schedule.
pub(super) fn parse(file: &str, text: &str, nodes: &[String]) -> Result<Schedule, ScheduleError> {
    let schedule: Schedule = serde_json::from_str(text).map_err(|e| {
        invalid(
            file,
            e.line().max(1),
            format!("invalid JSON schedule: {}", message(&e)),
        )
    })?;
    if let Err((step, problem)) = check::validate(&schedule, nodes) {
        let at = positions(text);
        let offset = match step.checked_sub(1) {
            None => at.name,
            Some(i) => at.steps.get(i).copied(),
        };
        let line = Lines::new(text).line(offset.unwrap_or(0));
        return Err(invalid(file, line, problem.to_string()));
    }
    Ok(schedule)
}

/// serde_json's message without the position it appends (we report the line ourselves).
fn message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    full.strip_suffix(&suffix).unwrap_or(&full).to_string()
}

/// Where the top-level `name` value and each element of the top-level `steps` array start.
#[derive(Debug, Default, PartialEq)]
struct Positions {
    name: Option<usize>,
    steps: Vec<usize>,
}

/// One pass over valid JSON text: strings are skipped whole, brackets tracked by depth.
fn positions(text: &str) -> Positions {
    let bytes = text.as_bytes();
    let mut out = Positions::default();
    let mut depth = 0usize;
    // The last key read at depth 1, and whether we are inside the top-level `steps` array.
    let mut key: Option<(usize, usize)> = None;
    let mut in_steps = false;
    let mut expect_value = false;
    let mut expect_step = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if expect_value {
            expect_value = false;
            if key.is_some_and(|(s, e)| &text[s..e] == "name") {
                out.name = Some(i);
            }
        }
        if expect_step && b != b']' {
            out.steps.push(i);
        }
        expect_step = false;
        match b {
            b'"' => {
                let start = i + 1;
                i = start;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if depth == 1 && !in_steps {
                    key = Some((start, i.min(bytes.len())));
                }
            }
            b':' if depth == 1 => expect_value = true,
            b'[' | b'{' => {
                depth += 1;
                if depth == 2 && b == b'[' && key.is_some_and(|(s, e)| &text[s..e] == "steps") {
                    in_steps = true;
                    expect_step = true;
                }
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    in_steps = false;
                }
            }
            b',' if in_steps && depth == 2 => expect_step = true,
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_find_the_name_and_every_step() {
        let text = "{\n  \"name\": \"x\",\n  \"steps\": [\n    {\"at\": \"1s\", \"fault\": \"heal\", \"line\": 0},\n    {\"at\": \"2s\", \"fault\": {\"crash\": {\"named\": \"n\\\"]1\"}}, \"line\": 0}\n  ]\n}\n";
        let p = positions(text);
        let lines = Lines::new(text);
        assert_eq!(p.name.map(|o| lines.line(o)), Some(2));
        let got: Vec<usize> = p.steps.iter().map(|&o| lines.line(o)).collect();
        assert_eq!(got, [4, 5]);
        assert_eq!(positions("{\"steps\": [], \"name\": \"a\"}").steps.len(), 0);
        let compact = "{\"steps\":[{\"at\":\"1s\",\"fault\":\"heal\",\"line\":0},{\"at\":\"1s\",\"fault\":\"heal\",\"line\":0}],\"name\":\"a\"}";
        assert_eq!(positions(compact).steps.len(), 2);
    }
}
