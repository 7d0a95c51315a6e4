//! `timeline.html`: one self-contained page showing a history — lanes per process with operations
//! as bars on simulated time (or index order), coloured by outcome (Jepsen's colours: ok blue,
//! fail pink, info orange and open to the end), faults as shaded bands, replica lanes per key
//! (which version each replica held, and the writes, repairs, hints and anti-entropy that changed
//! it), the anomalies at the top linked to their highlighted operations, hover details, zoom, pan
//! and a key filter.
//!
//! Guarantees:
//! - self-contained: inline CSS and JS, the data embedded as compact columnar JSON
//!   (`data`); no network, no external resource of any kind;
//! - deterministic: a pure function of its [`Input`] (same run → same bytes);
//! - linear: the page is a constant plus a few tens of bytes per operation and store event;
//! - fast: the page draws only the visible window on a canvas, so 100 000 operations open in
//!   well under 2 s;
//! - testable: the page writes what it drew into `<div id="selftest">` (lanes, operations, load
//!   time, errors), and `#selftest-anomaly=N` selects anomaly N through its link and records what
//!   got highlighted and whether it is in view (tests/timeline.rs drives this in Chromium).

mod bands;
mod data;
mod json;
pub mod load;
pub mod store_events;

use quorumlab_checkers::{Event, Results};
pub use store_events::StoreEvent;

/// What a timeline shows.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    /// The page's title (e.g. the run directory's `name/seed`).
    pub title: &'a str,
    /// The history, in order (client and nemesis events).
    pub history: &'a [Event],
    /// The checkers' verdicts, whose anomalies are listed and highlighted.
    pub results: Option<&'a Results>,
    /// The store's events (replica lanes); empty for a bare history.
    pub store: &'a [StoreEvent],
}

const TEMPLATE: &str = include_str!("timeline/timeline.html");
const CSS: &str = include_str!("timeline/timeline.css");
const JS: &str = include_str!("timeline/timeline.js");

/// The page.
pub fn render(input: &Input<'_>) -> String {
    let data = data::encode(input);
    let title = escape_html(input.title);
    let mut out = String::with_capacity(data.len() + TEMPLATE.len() + CSS.len() + JS.len() + 256);
    // The template's placeholders, in order; the data goes in last so nothing in it is replaced.
    let mut rest = TEMPLATE;
    for (mark, text) in [
        ("{{TITLE}}", title.as_str()),
        ("{{CSS}}", CSS),
        ("{{TITLE}}", title.as_str()),
        ("{{DATA}}", data.as_str()),
        ("{{JS}}", JS),
    ] {
        if let Some(at) = rest.find(mark) {
            out.push_str(&rest[..at]);
            out.push_str(text);
            rest = &rest[at + mark.len()..];
        }
    }
    out.push_str(rest);
    out
}

/// Text safe inside HTML elements and attributes.
fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorumlab_checkers::jsonl;

    const HISTORY: &str = r#"{"index":0,"time":1000000,"process":0,"type":"invoke","f":"write","key":3,"value":1}
{"index":1,"time":2000000,"process":1,"type":"invoke","f":"read","key":3,"value":null}
{"index":2,"time":3000000,"process":"nemesis","type":"info","f":"crash","value":"crash n1"}
{"index":3,"time":4000000,"process":0,"type":"ok","f":"write","key":3,"value":1,"ts":1201,"node":"n2"}
{"index":4,"time":5000000,"process":1,"type":"info","f":"read","key":3,"value":null,"error":"</script><b>"}"#;

    fn page(title: &str) -> String {
        let history = jsonl::parse_jsonl("h", HISTORY).unwrap().into_events();
        render(&Input {
            title,
            history: &history,
            results: None,
            store: &[],
        })
    }

    #[test]
    fn the_page_is_self_contained_and_nothing_in_the_data_closes_its_script() {
        let html = page("a <b> & c");
        assert!(html.contains("<title>a &lt;b&gt; &amp; c</title>"));
        assert_eq!(
            html.matches("</script>").count(),
            2,
            "only the page's own two scripts"
        );
        assert!(!html.contains("{{"), "every placeholder filled");
        for external in ["http://", "https://", "src=", "@import", "url("] {
            assert!(!html.contains(external), "{external}");
        }
    }

    #[test]
    fn the_data_is_columnar_with_interned_strings_and_scaled_times() {
        let html = page("t");
        let start = html.find("id=\"data\">").unwrap() + "id=\"data\">".len();
        let end = start + html[start..].find("</script>").unwrap();
        let data: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
        assert_eq!(data["procs"], serde_json::json!([0, 1]));
        assert_eq!(data["unit"], 1_000_000);
        assert_eq!(data["o"], serde_json::json!([0, 2]));
        assert_eq!(data["t0"], serde_json::json!([1, 1]));
        assert_eq!(
            data["t1"],
            serde_json::json!([3, 3]),
            "an info op's bar ends at its completion"
        );
        assert_eq!(data["bands"].as_array().unwrap().len(), 1);
        assert_eq!(
            data["ts"],
            serde_json::json!([1201, null]),
            "deltas, null for none"
        );
        assert_eq!(data["ei"], serde_json::json!([1]), "errors are sparse");
        let strs = data["strs"].as_array().unwrap();
        assert_eq!(strs.iter().filter(|s| *s == "write").count(), 1);
        assert_eq!(page("t"), html, "deterministic");
    }
}
