//! The text log of Jepsen's etcd test (the histories Knossos ships as `*.log`).
//!
//! An operation line contains `jepsen.util`, optionally followed by `-` or `:`, then four
//! tab-separated fields (whitespace-separated when the line has no tab; the value is the rest of
//! the line): process, type, function, value, e.g.
//! `INFO  jepsen.util - 2⇥:invoke⇥:cas⇥[3 0]` (⇥ is a tab). Every other line (timings, stack traces, other
//! loggers) is skipped. A line is an operation line iff its process field looks like a process —
//! an integer (of any sign) or a keyword — and its type field is a keyword. An operation line is
//! never skipped: a process that is not a non-negative integer or `:nemesis`, a type other than
//! `:invoke`, `:ok`, `:fail` or `:info`, a missing function or a value that is not EDN is an error
//! at that line (so the blame never moves to a later line; nemesis values that are not EDN are kept
//! as text). A missing value is `nil`.
//!
//! Rules, following Knossos's reading of these logs:
//! - a completion whose value is `:timed-out` (the etcd client's `:fail :read :timed-out`) does not
//!   say whether or when the operation happened: it becomes `info` (the read's result is unknown,
//!   the operation stays open), with `error = "timed-out"`;
//! - `:info` leaves an operation open until the end of the history (Jepsen's meaning);
//! - the register starts absent and a read of `nil` means absent (`NilRead::Literal`);
//! - the log has no times: the order of the lines is the real-time order.
//!
//! The parser never panics on any text; independent tuples are split by the dispatcher
//! ([`crate::format::parse`]).

use crate::edn::convert::to_value;
use crate::edn::parse_one;
use crate::error::{excerpt, quoted, InputError};
use crate::history::{Event, EventType, Process};
use crate::parsed::ParsedHistory;
use crate::value::Value;

/// Parse a Jepsen etcd log; `file` names the source in errors.
pub fn parse_jepsen_log(file: &str, text: &str) -> Result<ParsedHistory, InputError> {
    let mut out = ParsedHistory::new();
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        if let Some(event) = op_line(file, lineno, line, out.len() as u64)? {
            out.push(event, lineno);
        }
    }
    Ok(out)
}

/// Whether a field looks like a process (`3`, `-1`, `:nemesis`, `:x`): then the line is an
/// operation line and its problems are errors.
fn looks_like_process(p: &str) -> bool {
    let digits = p.strip_prefix(['-', '+']).unwrap_or(p);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        || (p.len() > 1 && p.starts_with(':'))
}

/// The four fields after `jepsen.util`, or `None` when the line holds no operation.
fn fields(line: &str) -> Option<[&str; 4]> {
    let at = line.find("jepsen.util")?;
    let mut rest = line[at + "jepsen.util".len()..].trim_start();
    for sep in ["- ", "-\t", ": ", ":\t"] {
        if let Some(r) = rest.strip_prefix(sep) {
            rest = r.trim_start();
            break;
        }
    }
    if rest.contains('\t') {
        let mut it = rest.splitn(4, '\t').map(str::trim);
        Some([
            it.next()?,
            it.next()?,
            it.next().unwrap_or(""),
            it.next().unwrap_or(""),
        ])
    } else {
        let mut rest = rest.trim();
        let mut take = || {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let (tok, r) = rest.split_at(end);
            rest = r.trim_start();
            tok
        };
        let (p, t, f) = (take(), take(), take());
        Some([p, t, f, rest.trim_end()])
    }
}

fn op_line(file: &str, lineno: usize, line: &str, index: u64) -> Result<Option<Event>, InputError> {
    let Some([p, t, f, v]) = fields(line) else {
        return Ok(None);
    };
    if !looks_like_process(p) || !t.starts_with(':') {
        return Ok(None);
    }
    let err = |m: String| InputError::new(file, lineno, m);
    let process = match p {
        ":nemesis" => Process::Nemesis,
        _ => match p.strip_prefix('+').unwrap_or(p).parse::<u64>() {
            Ok(n) => Process::Client(n),
            Err(_) => {
                return Err(err(format!(
                    "the process must be a non-negative integer or :nemesis, found {}",
                    excerpt(p)
                )))
            }
        },
    };
    let mut kind = match t {
        ":invoke" => EventType::Invoke,
        ":ok" => EventType::Ok,
        ":fail" => EventType::Fail,
        ":info" => EventType::Info,
        _ => {
            return Err(err(format!(
                "the type must be :invoke, :ok, :fail or :info, found {}",
                excerpt(t)
            )))
        }
    };
    let f = match f.strip_prefix(':') {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => {
            return Err(err(format!(
                "expected the operation's function (:read, :write, :cas…) after {t}, found {}",
                quoted(f)
            )))
        }
    };
    let mut value = if v.is_empty() {
        Value::Null
    } else {
        let parsed = parse_one(file, v).and_then(|form| to_value(file, &form));
        match (parsed, process) {
            (Ok(value), _) => value,
            (Err(_), Process::Nemesis) => Value::Str(v.to_string()),
            (Err(e), _) => return Err(err(format!("value {}: {}", quoted(v), e.message))),
        }
    };
    let mut error = None;
    if kind != EventType::Invoke && value == Value::Str("timed-out".into()) {
        kind = EventType::Info;
        value = Value::Null;
        error = Some("timed-out".to_string());
    }
    Ok(Some(Event {
        index,
        time: None,
        process,
        kind,
        f,
        key: None,
        value,
        ts: None,
        node: None,
        error,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "2014-07-02 INFO  jepsen.core - Worker 2 starting\n\
INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0]\n\
INFO  jepsen.util - 4\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 2\t:fail\t:cas\t[3 0]\n\
INFO  jepsen.util - 4\t:fail\t:read\t:timed-out\n\
INFO  jepsen.util - :nemesis\t:info\t:start\t{\"n1\" #{\"n2\"}} partitioned\n\
INFO  jepsen.util - 1\t:invoke\t:write\t4\n\
INFO  jepsen.util - 1\t:ok\t:write\t4\n\
INFO  jepsen.util - Timing: 12ms\n";

    #[test]
    fn reads_operation_lines_and_skips_the_rest() {
        let h = parse_jepsen_log("etcd.log", LOG).unwrap();
        let ev = h.events();
        assert_eq!(ev.len(), 7);
        assert_eq!(h.lines(), [2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(ev[0].f, "cas");
        assert_eq!(ev[0].value, Value::List(vec![Value::Int(3), Value::Int(0)]));
        assert_eq!(ev[2].kind, EventType::Fail);
        assert_eq!(ev[4].process, Process::Nemesis);
        assert!(matches!(ev[4].value, Value::Str(_)));
        assert_eq!(ev[6].value, Value::Int(4));
    }

    #[test]
    fn a_timed_out_read_becomes_info() {
        let h = parse_jepsen_log("etcd.log", LOG).unwrap();
        assert_eq!(h.events()[3].kind, EventType::Info);
        assert_eq!(h.events()[3].error.as_deref(), Some("timed-out"));
        let ops = h.pair("etcd.log").unwrap();
        let read = ops.iter().find(|o| o.f == "read").unwrap();
        assert_eq!(read.outcome, crate::ops::Outcome::Info);
        assert_eq!(read.ret, None);
    }

    #[test]
    fn whitespace_separated_lines_are_read_too() {
        let h = parse_jepsen_log("l", "INFO jepsen.util - 3 :invoke :cas [1 2]\n").unwrap();
        assert_eq!(h.events()[0].process, Process::Client(3));
        assert_eq!(h.events()[0].value.as_list().map(<[Value]>::len), Some(2));
    }

    #[test]
    fn a_bad_client_value_names_its_line() {
        let e = parse_jepsen_log("etcd.log", "x\nINFO  jepsen.util - 1\t:ok\t:read\t[1 2\n")
            .unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("etcd.log:2: "), "{e}");
        let e = parse_jepsen_log("etcd.log", "INFO  jepsen.util - 1\t:ok\t\t3\n").unwrap_err();
        assert!(e.message.contains("function"), "{e}");
    }

    #[test]
    fn an_operation_line_with_a_bad_process_or_type_is_blamed_not_skipped() {
        let text = "INFO  jepsen.util - 1\t:invoke\t:write\t3\n\
                    INFO  jepsen.util - -1\t:ok\t:write\t3\n\
                    INFO  jepsen.util - 2\t:ok\t:write\t3\n";
        let e = parse_jepsen_log("etcd.log", text).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("process"), "{e}");
        let text = "INFO  jepsen.util - 1\t:invoke\t:write\t3\n\
                    INFO  jepsen.util - 1\t:done\t:write\t3\n\
                    INFO  jepsen.util - 1\t:ok\t:read\t3\n";
        let e = parse_jepsen_log("etcd.log", text).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains(":done"), "{e}");
        // Other jepsen.util lines are still skipped.
        let h = parse_jepsen_log(
            "l",
            "INFO jepsen.util - Timing: 12ms\nINFO jepsen.util - Relative time begins now\n",
        )
        .unwrap();
        assert!(h.is_empty());
    }
}
