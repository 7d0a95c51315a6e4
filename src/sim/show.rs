//! How a message shows a path it names: one helper for every message about a file, so no message
//! ever echoes a whole 1 MB path or a raw control character (a newline in a path would split the
//! one-line message; an escape sequence would repaint the terminal).
//!
//! Guarantees: [`path`] returns at most [`PATH_CHARS`] characters plus a leading `…` when cut (the
//! *tail* is kept: the file name and its nearest directories are what identifies a file), and
//! every control character is escaped (`\n`, `\u{1b}`), so the result is one printable line.

use std::path::Path;

/// Longest path tail a message shows, in characters (before escaping).
pub const PATH_CHARS: usize = 80;

/// `path` as a message shows it: its last [`PATH_CHARS`] characters (`…` in front when cut), with
/// control characters escaped; not UTF-8 bytes become `�`.
pub fn path(path: &Path) -> String {
    text(&path.to_string_lossy())
}

/// A path already held as text (`run.json` records paths as strings), shown like [`path`].
pub fn text(s: &str) -> String {
    let count = s.chars().count();
    let (prefix, tail) = if count > PATH_CHARS {
        let at = s
            .char_indices()
            .nth(count - PATH_CHARS)
            .map_or(s.len(), |(i, _)| i);
        ("…", &s[at..])
    } else {
        ("", s)
    };
    let mut out = String::with_capacity(tail.len() + 4);
    out.push_str(prefix);
    for c in tail.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_paths_are_shown_whole() {
        assert_eq!(
            path(Path::new("tests/schedules/mixed.toml")),
            "tests/schedules/mixed.toml"
        );
    }

    #[test]
    fn long_paths_keep_their_tail() {
        let long = format!("/{}/run.json", "d".repeat(10_000));
        let shown = path(Path::new(&long));
        assert!(
            shown.starts_with('…') && shown.ends_with("/run.json"),
            "{shown}"
        );
        assert_eq!(shown.chars().count(), PATH_CHARS + 1);
    }

    #[test]
    fn control_characters_are_escaped() {
        let shown = path(Path::new("a\nb\u{1b}[31m\tc.toml"));
        assert_eq!(shown, "a\\nb\\u{1b}[31m\\tc.toml");
        assert!(!shown.chars().any(char::is_control));
    }

    #[cfg(unix)]
    #[test]
    fn invalid_utf8_is_replaced() {
        use std::os::unix::ffi::OsStrExt;
        let p = Path::new(std::ffi::OsStr::from_bytes(b"x\xffy.json"));
        assert_eq!(path(p), "x\u{fffd}y.json");
    }
}
