//! Lines of a stream, one at a time, with the error rules of a file decoded whole.
//!
//! A history used to be read to its end, decoded as UTF-8, then parsed; streaming keeps every
//! error as it was: a read error comes first, then the first invalid UTF-8 (at its line), then the
//! first problem the caller finds in a line. So after a line's problem the rest of the stream is
//! still read (not parsed) to see whether one of the first two comes later.

use super::line;
use crate::error::InputError;
use crate::ops::EventRef;
use std::io::BufRead;

/// A line as the reader hands it over.
pub(super) enum Line<'a, 'b> {
    /// Read by [`line::fast`] straight from the stream's buffer: the index as written and the event.
    Read(Option<u64>, &'b mut EventRef<'a>),
    /// Any other line that is not blank: its text, trimmed of whitespace.
    Text(&'a str),
}

/// Call `each(line_number, line)` on every line of `reader` that is not blank (lines are split at
/// `\n` and trimmed of whitespace, as [`str::lines`] then [`str::trim`] would); stop at the first
/// error (see the module doc for which one is reported).
pub(super) fn each_line<R: BufRead>(
    file: &str,
    mut reader: R,
    mut each: impl FnMut(usize, Line<'_, '_>) -> Result<(), InputError>,
) -> Result<(), InputError> {
    let unreadable = |e: std::io::Error| InputError::unreadable(file, e.to_string());
    let mut buf = Vec::with_capacity(512);
    let mut lineno = 0;
    loop {
        let chunk = reader.fill_buf().map_err(unreadable)?;
        if chunk.is_empty() {
            return Ok(());
        }
        lineno += 1;
        // Our own lines are read in place; a line the fast reader declines, or one that does not
        // end inside the buffer, is copied out whole and read as text.
        let mut event = EventRef::new();
        let problem = match line::fast(chunk, &mut event) {
            Some((used, index)) if chunk.get(used.wrapping_sub(1)) == Some(&b'\n') => {
                let done = each(lineno, Line::Read(index, &mut event));
                reader.consume(used);
                match done {
                    Ok(()) => continue,
                    Err(e) => Problem::Line(e),
                }
            }
            _ => {
                buf.clear();
                reader.read_until(b'\n', &mut buf).map_err(unreadable)?;
                match std::str::from_utf8(&buf) {
                    Ok(line) => match line.trim() {
                        "" => continue,
                        text => match each(lineno, Line::Text(text)) {
                            Ok(()) => continue,
                            Err(e) => Problem::Line(e),
                        },
                    },
                    Err(_) => Problem::Utf8(invalid_utf8(file, lineno)),
                }
            }
        };
        return Err(drain(file, reader, buf, lineno, problem));
    }
}

/// The first problem found so far.
enum Problem {
    Utf8(InputError),
    Line(InputError),
}

fn invalid_utf8(file: &str, line: usize) -> InputError {
    InputError::new(file, line, "invalid UTF-8")
}

/// Read the rest of the stream after `problem` at line `lineno`: a read error, or invalid UTF-8
/// after a line's problem, takes its place.
fn drain<R: BufRead>(
    file: &str,
    mut reader: R,
    mut buf: Vec<u8>,
    mut lineno: usize,
    mut problem: Problem,
) -> InputError {
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Err(e) => return InputError::unreadable(file, e.to_string()),
            Ok(0) => break,
            Ok(_) => {}
        }
        lineno += 1;
        if matches!(problem, Problem::Line(_)) && std::str::from_utf8(&buf).is_err() {
            problem = Problem::Utf8(invalid_utf8(file, lineno));
        }
    }
    match problem {
        Problem::Utf8(e) | Problem::Line(e) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{self, Read};

    fn lines(input: &[u8], bad: usize) -> Result<Vec<(usize, String)>, InputError> {
        let mut seen = Vec::new();
        each_line("f", input, |n, line| {
            if n == bad {
                return Err(InputError::new("f", n, "bad line"));
            }
            let Line::Text(text) = line else {
                panic!("not JSON, yet read fast");
            };
            seen.push((n, text.to_string()));
            Ok(())
        })
        .map(|()| seen)
    }

    #[test]
    fn lines_are_numbered_from_one_trimmed_and_blank_ones_skipped() {
        let got = lines(b" a \r\n\n\t\nb\rc\nlast", 0).unwrap();
        let want = [(1, "a"), (4, "b\rc"), (5, "last")];
        assert_eq!(got, want.map(|(n, s)| (n, s.to_string())));
    }

    #[test]
    fn invalid_utf8_anywhere_beats_a_bad_line_before_it() {
        let e = lines(b"a\nb\nc\n\xff\n", 2).unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (4, "invalid UTF-8"));
        let e = lines(b"a\n\xc3\nc\n", 3).unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (2, "invalid UTF-8"));
        let e = lines(b"a\nb\nc\n", 2).unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (2, "bad line"));
    }

    /// A stream that fails after its bytes.
    struct Broken<'a>(&'a [u8]);

    impl Read for Broken<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::other("device gone"));
            }
            let n = self.0.read(out)?;
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_beats_every_problem_in_the_text() {
        let reader = io::BufReader::new(Broken(b"a\n\xff\nc\n"));
        let e = each_line("f", reader, |_, _| Err(InputError::new("f", 1, "bad"))).unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (0, "device gone"));
    }
}
