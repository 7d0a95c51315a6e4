//! Jepsen/Knossos EDN histories → events.
//!
//! Accepted layouts (Knossos's `knossos.cli` and Jepsen's `history.edn`): one vector or list of
//! operation maps, or one operation map per top-level form (usually one per line). An operation map
//! has `:process` (a non-negative integer or `:nemesis`), `:type` (`:invoke`, `:ok`, `:fail`,
//! `:info`), `:f`, and optionally `:value` (default `nil`), `:time` (ns), `:index`, `:error`,
//! `:key`, and quorumlab's own `:ts` (an integer), `:node` (a string) and `:delete true` (on a
//! `:write`: a delete); other keys are ignored. Records printed as `#jepsen.history.Op{…}` are read as maps.
//! A missing `:index` is the operation's position; indices must increase. Values of client
//! operations must convert to [`crate::Value`] (no floats); a nemesis value that does not is kept
//! as `null`. The order of the operations is the history's real-time order; `:time` is kept for
//! display only (see [`crate::ops`]). Independent-key tuples (`[key value]`) are split later, by the
//! dispatcher ([`crate::format::parse`]).

use super::convert::{render, to_value};
use super::{Form, FormKind};
use crate::error::{excerpt, InputError};
use crate::history::{Event, EventType, Process};
use crate::parsed::ParsedHistory;
use crate::value::Value;

/// Parse a Jepsen/Knossos EDN history; `file` names the source in errors.
pub fn parse_jepsen_edn(file: &str, text: &str) -> Result<ParsedHistory, InputError> {
    let forms = super::parse_all(file, text)?;
    let items: Vec<Form> = match forms.as_slice() {
        [one] if one.seq().is_some() => one.seq().map(<[Form]>::to_vec).unwrap_or_default(),
        _ => forms,
    };
    let mut out = ParsedHistory::new();
    for form in &items {
        let event = op_event(file, form, out.len() as u64)?;
        if let Some(prev) = out.events().last() {
            if event.index <= prev.index {
                return Err(InputError::new(
                    file,
                    form.line,
                    format!(
                        "index {} does not increase (previous operation has index {})",
                        event.index, prev.index
                    ),
                ));
            }
        }
        out.push(event, form.line);
    }
    Ok(out)
}

fn op_event(file: &str, form: &Form, position: u64) -> Result<Event, InputError> {
    let err = |m: String| InputError::new(file, form.line, m);
    let Some(entries) = form.map_entries() else {
        return Err(err(format!(
            "expected an operation map like {{:process 0, :type :invoke, :f :read, :value nil}}, found {}",
            form.kind_name()
        )));
    };
    let get = |name: &str| {
        entries
            .iter()
            .rev()
            .find(|(k, _)| matches!(&k.kind, FormKind::Keyword(n) if n == name))
            .map(|(_, v)| v)
    };
    let process = match get("process") {
        None => return Err(err("operation has no :process".into())),
        Some(p) => match &p.kind {
            FormKind::Int(i) if *i >= 0 => Process::Client(*i as u64),
            _ if p.name() == Some("nemesis") => Process::Nemesis,
            _ => {
                return Err(err(format!(
                    ":process must be a non-negative integer or :nemesis, found {}",
                    excerpt(&render(p))
                )))
            }
        },
    };
    let kind = match get("type").and_then(Form::name) {
        Some("invoke") => EventType::Invoke,
        Some("ok") => EventType::Ok,
        Some("fail") => EventType::Fail,
        Some("info") => EventType::Info,
        Some(other) => {
            return Err(err(format!(
                ":type must be :invoke, :ok, :fail or :info, found :{}",
                excerpt(other)
            )))
        }
        None => return Err(err("operation has no :type keyword".into())),
    };
    let mut f = match get("f") {
        Some(f) => f.name().map(str::to_string).unwrap_or_else(|| render(f)),
        None => return Err(err("operation has no :f".into())),
    };
    // quorumlab's export writes a delete as Knossos's write of nil marked `:delete true`.
    if f == "write" && get("delete").is_some_and(|d| d.kind == FormKind::Bool(true)) {
        f = "delete".to_string();
    }
    let value = match get("value") {
        None => Value::Null,
        Some(v) if process == Process::Nemesis => to_value(file, v).unwrap_or(Value::Null),
        Some(v) => to_value(file, v)?,
    };
    let key = get("key").map(|k| to_value(file, k)).transpose()?;
    Ok(Event {
        index: non_negative(file, get("index"), "index")?.unwrap_or(position),
        time: non_negative(file, get("time"), "time")?,
        process,
        kind,
        f,
        key,
        value,
        // Extra keys of quorumlab's export; ignored when they are not what we write.
        ts: match get("ts").map(|t| &t.kind) {
            Some(FormKind::Int(t)) if *t >= 0 => Some(*t as u64),
            _ => None,
        },
        node: get("node").and_then(|n| match &n.kind {
            FormKind::Str(s) => Some(s.clone()),
            _ => None,
        }),
        error: get("error").map(render),
    })
}

fn non_negative(file: &str, form: Option<&Form>, what: &str) -> Result<Option<u64>, InputError> {
    match form.map(|f| (f, &f.kind)) {
        None | Some((_, FormKind::Nil)) => Ok(None),
        Some((_, FormKind::Int(i))) if *i >= 0 => Ok(Some(*i as u64)),
        Some((f, _)) => Err(InputError::new(
            file,
            f.line,
            format!(
                ":{what} must be a non-negative integer, found {}",
                excerpt(&render(f))
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_vector_of_maps_and_one_map_per_line_alike() {
        let a = "[{:process 0, :type :invoke, :f :write, :value 3}\n {:process 0, :type :ok, :f :write, :value 3}\n {:process :nemesis, :type :info, :f :start, :value 1.5}]";
        let b = "{:process 0, :type :invoke, :f :write, :value 3}\n{:process 0, :type :ok, :f :write, :value 3}\n{:process :nemesis, :type :info, :f :start, :value 1.5}";
        let ha = parse_jepsen_edn("a", a).unwrap();
        let hb = parse_jepsen_edn("b", b).unwrap();
        assert_eq!(ha.events(), hb.events());
        assert_eq!(ha.lines(), [1, 2, 3]);
        assert_eq!(ha.events()[1].kind, EventType::Ok);
        assert_eq!(ha.events()[1].f, "write");
        assert_eq!(ha.events()[2].process, Process::Nemesis);
        assert_eq!(ha.events()[2].index, 2);
    }

    #[test]
    fn bad_operations_name_their_line() {
        let e = parse_jepsen_edn(
            "h.edn",
            "{:process 0 :type :invoke :f :read}\n{:process 0 :type :done :f :read}",
        )
        .unwrap_err();
        assert_eq!((e.line, e.file.as_str()), (2, "h.edn"));
        assert!(e.message.contains(":type"), "{e}");
        let e = parse_jepsen_edn("h.edn", "{:process 0 :type :invoke :f :write :value 1.5}")
            .unwrap_err();
        assert!(e.message.contains("floating-point"), "{e}");
        let e = parse_jepsen_edn("h.edn", "[1 2]").unwrap_err();
        assert!(e.message.contains("operation map"), "{e}");
        let e = parse_jepsen_edn("h.edn", "{:index 3 :process 0 :type :invoke :f :read}\n{:index 3 :process 0 :type :ok :f :read}").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn error_and_time_fields_are_kept() {
        let h = parse_jepsen_edn(
            "h",
            "{:process 1 :type :invoke :f :read :time 5}\n{:process 1 :type :info :f :read :time 9 :error :timeout}",
        )
        .unwrap();
        assert_eq!(h.events()[1].time, Some(9));
        assert_eq!(h.events()[1].error.as_deref(), Some("timeout"));
    }
}
