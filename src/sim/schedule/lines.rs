//! Positions and echoes in error messages: byte offset → 1-based line in O(log n) after one
//! linear pass (so loading stays linear in the size of the file), the line of the first invalid
//! UTF-8 byte, and input echoed on one line, cut to about 80 characters.

/// The start of every line of a text.
pub(super) struct Lines {
    starts: Vec<usize>,
    count: usize,
}

impl Lines {
    /// One pass over `text`.
    pub fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        // As `str::lines` counts: a final newline does not open another line.
        let count = if text.ends_with('\n') {
            starts.len() - 1
        } else {
            starts.len()
        };
        Lines {
            starts,
            count: count.max(1),
        }
    }

    /// The 1-based line holding byte `offset`, clamped to the text's last line.
    pub fn line(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .clamp(1, self.count)
    }
}

/// `bytes` as text, or the line of the first invalid byte and a message.
pub(super) fn utf8(bytes: &[u8]) -> Result<&str, (usize, String)> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
        let column = at
            - bytes[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
        (
            line,
            format!(
                "invalid UTF-8 (byte 0x{:02X} at column {})",
                bytes[at],
                column + 1
            ),
        )
    })
}

/// At most `max` characters of `s`, with `…` when cut.
pub(super) fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

/// A piece of input quoted on one line (control characters escaped), cut to about 80 characters.
pub(super) fn echo(s: &str) -> String {
    let quoted = match s.char_indices().nth(76) {
        None => format!("{s:?}"),
        Some((i, _)) => format!("{:?}…", &s[..i]),
    };
    // Escapes (`\u{1}`) can make the quoted text longer than the input.
    cut(&quoted, 80)
}

/// A key as written when it is a plain word, else quoted and cut like any echo.
pub(super) fn key(s: &str) -> String {
    let plain = !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain {
        s.to_string()
    } else {
        echo(s)
    }
}

/// A name as written when it reads as one (non-empty, no control characters or surrounding
/// spaces, at most 80 characters), else quoted and cut like any echo.
pub(super) fn label(s: &str) -> String {
    let plain = !s.is_empty()
        && s.trim() == s
        && s.chars().count() <= 80
        && !s.chars().any(char::is_control);
    if plain {
        s.to_string()
    } else {
        echo(s)
    }
}

/// A message on one line (runs of whitespace, newlines included, become one space), every
/// quoted stretch (between `` ` `` or `"`) cut to about 80 characters, and at most 400 characters
/// in all: the last guard that keeps an error readable whatever it quotes (a deserializer's
/// message may quote input whole).
pub(super) fn one_line(s: &str) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    cut(&cut_quotes(&joined), 400)
}

/// `s` with every stretch inside `` ` `` or `"` quotes cut to 78 characters (`\"` does not close).
fn cut_quotes(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(1024));
    let mut quote: Option<char> = None;
    let (mut inside, mut escaped) = (0usize, false);
    for c in s.chars() {
        match quote {
            Some(q) if c == q && !escaped => {
                quote = None;
                out.push(c);
            }
            Some(_) => {
                escaped = c == '\\' && !escaped;
                inside += 1;
                if inside <= 78 {
                    out.push(c);
                } else if inside == 79 {
                    out.push('…');
                }
            }
            None => {
                if c == '`' || c == '"' {
                    quote = Some(c);
                    (inside, escaped) = (0, false);
                }
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_found_by_offset_and_clamped() {
        let l = Lines::new("a\nbb\n\nc");
        let got: Vec<usize> = (0..8).map(|o| l.line(o)).collect();
        assert_eq!(got, [1, 1, 2, 2, 2, 3, 4, 4]);
        let l = Lines::new("a\nb\n");
        assert_eq!(
            l.line(4),
            2,
            "the end of a text ending in a newline is its last line"
        );
        assert_eq!(Lines::new("").line(0), 1);
    }

    #[test]
    fn invalid_utf8_names_its_line_and_column() {
        assert_eq!(
            utf8(b"ab\ncd\xffe"),
            Err((2, "invalid UTF-8 (byte 0xFF at column 3)".to_string()))
        );
        assert_eq!(utf8(b"ok"), Ok("ok"));
    }

    #[test]
    fn echoes_are_cut_and_on_one_line() {
        let long = "x".repeat(1_000_000);
        let e = echo(&long);
        assert!(e.chars().count() <= 80, "{}", e.len());
        assert!(e.ends_with('…'));
        assert_eq!(echo("a\nb"), "\"a\\nb\"");
        assert_eq!(key("rate"), "rate");
        assert_eq!(key("a b"), "\"a b\"");
        assert_eq!(label("generated-crash+loss"), "generated-crash+loss");
        assert_eq!(label(" "), "\" \"");
        assert_eq!(one_line("a\n  b\tc"), "a b c");
        assert!(one_line(&long).chars().count() <= 401);
        let quoted = format!("unknown variant `{long}`, expected `a` or \"b\\\"{long}\"");
        let short = one_line(&quoted);
        assert!(short.chars().count() < 200, "{short}");
        assert!(short.contains("expected `a` or"), "{short}");
        assert_eq!(cut("héllo", 2), "hé…");
        assert!(echo(&"\u{1}".repeat(100)).chars().count() <= 81);
    }
}
