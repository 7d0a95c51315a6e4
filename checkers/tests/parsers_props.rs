//! Property tests of the parsers: they never panic, every error names the source and a line inside
//! the input, and histories rendered in Jepsen's EDN and log layouts read back as the same events.

use proptest::prelude::*;
use quorumlab_checkers::format::{parse, Format};
use quorumlab_checkers::{edn, Event, EventType, InputError, Process, Value};

const FORMATS: [Format; 3] = [Format::Jsonl, Format::JepsenEdn, Format::JepsenLog];

/// The error is `name:line: problem` with the line inside the text.
fn well_formed(e: &InputError, name: &str, text: &str) -> Result<(), TestCaseError> {
    let max_line = text.matches('\n').count() + 1;
    prop_assert_eq!(&e.file, name);
    prop_assert!(
        (1..=max_line).contains(&e.line),
        "line {} outside 1..={} for {:?}: {}",
        e.line,
        max_line,
        text,
        e
    );
    let shown = e.to_string();
    let prefix = format!("{name}:{}: ", e.line);
    prop_assert!(shown.starts_with(&prefix), "{}", shown);
    prop_assert!(!shown.contains('\n'), "{}", shown);
    prop_assert!(!e.message.is_empty());
    Ok(())
}

fn check_all_formats(text: &str) -> Result<(), TestCaseError> {
    for f in FORMATS {
        match parse(f, "h", text) {
            Ok(h) => prop_assert_eq!(h.events().len(), h.lines().len()),
            Err(e) => well_formed(&e, "h", text)?,
        }
    }
    match edn::parse_all("h", text) {
        Ok(_) => {}
        Err(e) => well_formed(&e, "h", text)?,
    }
    Ok(())
}

/// Text made of EDN/JSON/log fragments, to reach deep into the parsers.
fn fragments() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "[",
        "]",
        "{",
        "}",
        "(",
        ")",
        "#{",
        "#_",
        "#:ns{",
        "#inst",
        "##Inf",
        "\"",
        "\\",
        "\\u00",
        ":",
        ";",
        "\n",
        "\t",
        " ",
        ",",
        "nil",
        "1",
        "-2",
        "3N",
        "1.5",
        "1/2",
        "007",
        ":process",
        "0",
        ":type",
        ":invoke",
        ":ok",
        ":fail",
        ":info",
        ":f",
        ":read",
        ":write",
        ":cas",
        ":value",
        ":nemesis",
        ":time",
        ":index",
        ":key",
        "[1 2]",
        "{\"index\":0,",
        "\"process\":1,",
        "\"type\":\"ok\",",
        "\"f\":\"read\"}",
        "INFO  jepsen.util - ",
        ":timed-out",
        "é",
        "\u{0}",
    ]);
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn parsers_never_panic_on_arbitrary_strings(text in ".{0,200}") {
        check_all_formats(&text)?;
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        check_all_formats(&text)?;
    }

    #[test]
    fn parsers_never_panic_on_near_miss_histories(text in fragments()) {
        check_all_formats(&text)?;
    }
}

/// A small random history of client and nemesis events.
fn events() -> impl Strategy<Value = Vec<Event>> {
    let value = prop_oneof![
        Just(Value::Null),
        (-5i64..50).prop_map(Value::Int),
        ((0i64..9), (0i64..9)).prop_map(|(a, b)| Value::List(vec![Value::Int(a), Value::Int(b)])),
    ];
    let event = (
        prop_oneof![(0u64..6).prop_map(Process::Client), Just(Process::Nemesis)],
        prop::sample::select(vec![
            EventType::Invoke,
            EventType::Ok,
            EventType::Fail,
            EventType::Info,
        ]),
        prop::sample::select(vec!["read", "write", "cas", "start"]),
        value,
    );
    // A leading read invocation of nil keeps the history from being a Jepsen `independent` one
    // (whose tuple splitting has its own tests).
    let first = (Process::Client(0), EventType::Invoke, "read", Value::Null);
    prop::collection::vec(event, 0..30).prop_map(move |evs| {
        std::iter::once(first.clone())
            .chain(evs)
            .enumerate()
            .map(|(i, (process, kind, f, value))| Event {
                index: i as u64,
                time: None,
                process,
                kind,
                f: f.to_string(),
                key: None,
                value,
                ts: None,
                node: None,
                error: None,
            })
            .collect()
    })
}

fn edn_value(v: &Value) -> String {
    match v {
        Value::Null => "nil".into(),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(edn_value).collect::<Vec<_>>().join(" ")
        ),
        other => other.to_string(),
    }
}

fn edn_process(p: Process) -> String {
    match p {
        Process::Client(n) => n.to_string(),
        Process::Nemesis => ":nemesis".into(),
    }
}

proptest! {
    #[test]
    fn edn_histories_read_back_as_written(evs in events(), vector in any::<bool>()) {
        let maps: Vec<String> = evs
            .iter()
            .map(|e| format!(
                "{{:process {}, :type :{}, :f :{}, :value {}}} ; op {}",
                edn_process(e.process), e.kind, e.f, edn_value(&e.value), e.index
            ))
            .collect();
        let text = if vector {
            format!("[{}\n]", maps.join("\n "))
        } else {
            maps.join("\n")
        };
        let h = parse(Format::JepsenEdn, "h.edn", &text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(h.events(), &evs[..]);
        prop_assert_eq!(h.lines().to_vec(), (1..=evs.len()).collect::<Vec<_>>());
    }

    #[test]
    fn jepsen_logs_read_back_as_written(evs in events()) {
        let mut text = String::from("2014-07-02 INFO jepsen.core - starting\n");
        for e in &evs {
            text.push_str(&format!(
                "INFO  jepsen.util - {}\t:{}\t:{}\t{}\n",
                edn_process(e.process), e.kind, e.f, edn_value(&e.value)
            ));
        }
        let h = parse(Format::JepsenLog, "h.log", &text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(h.events().len(), evs.len());
        prop_assert_eq!(h.lines().to_vec(), (2..=evs.len() + 1).collect::<Vec<_>>());
        for (got, want) in h.events().iter().zip(&evs) {
            prop_assert_eq!(got.process, want.process);
            prop_assert_eq!(&got.f, &want.f);
            prop_assert_eq!(&got.value, &want.value);
            prop_assert_eq!(got.kind, want.kind);
        }
    }
}
