//! The EDN reader: text → [`Form`]s with line numbers.
//!
//! Guarantees: never panics on any `&str`; always makes progress; every recursion is bounded:
//! nesting deeper than [`MAX_DEPTH`] — collections, tags and `#_` discards all count, so 50 000
//! chained `#_` are an error, not a stack overflow — is an error; every error is
//! `file:line: problem` with the line where the problem was detected, except for unterminated
//! strings and collections, blamed on the line where they open (also when another closing
//! delimiter comes first: `[{:a 1 ]` blames the `{`). Echoed input is cut
//! ([`crate::error::excerpt`]).

use super::atom::{atom, valid_symbol};
use super::{Form, FormKind};
use crate::error::{excerpt, quoted, InputError};

/// The deepest nesting of collections, tags and `#_` discards accepted.
pub const MAX_DEPTH: usize = 200;

/// Read every top-level form of `text`.
pub fn parse_all(file: &str, text: &str) -> Result<Vec<Form>, InputError> {
    let mut r = Reader::new(file, text);
    let mut forms = Vec::new();
    while let Some(f) = r.next_form(None)? {
        forms.push(f);
    }
    Ok(forms)
}

/// Read exactly one form from `text` (e.g. a value column or a command-line value).
pub fn parse_one(file: &str, text: &str) -> Result<Form, InputError> {
    let mut r = Reader::new(file, text);
    let Some(form) = r.next_form(None)? else {
        return Err(r.err("expected a value, found nothing"));
    };
    if r.next_form(None)?.is_some() {
        return Err(r.err("unexpected text after the value"));
    }
    Ok(form)
}

struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    src: &'a [u8],
    pos: usize,
    line: usize,
    depth: usize,
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'"' | b';' | b',' | b'\\'
    ) || b.is_ascii_whitespace()
        || b == 0x0b
}

impl<'a> Reader<'a> {
    fn new(file: &'a str, text: &'a str) -> Self {
        Reader {
            file,
            text,
            src: text.as_bytes(),
            pos: 0,
            line: 1,
            depth: 0,
        }
    }

    fn err(&self, msg: impl Into<String>) -> InputError {
        InputError::new(self.file, self.line, msg)
    }

    fn err_at(&self, line: usize, msg: impl Into<String>) -> InputError {
        InputError::new(self.file, line, msg)
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn bump(&mut self) {
        if self.src.get(self.pos) == Some(&b'\n') {
            self.line += 1;
        }
        self.pos += 1;
    }

    /// Skip whitespace, commas and `;` comments.
    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            if b == b';' {
                while let Some(c) = self.peek() {
                    if c == b'\n' {
                        break;
                    }
                    self.pos += 1;
                }
            } else if b.is_ascii_whitespace() || b == b',' || b == 0x0b {
                self.bump();
            } else {
                break;
            }
        }
    }

    /// The next form, or `None` at `closer` (consumed) or, when `closer` is `None`, at the end.
    /// `#_` discards are handled here so that `[1 #_ 2]` ends cleanly.
    /// `closer` is the closing byte and the line where the collection opened.
    fn next_form(&mut self, closer: Option<(u8, usize)>) -> Result<Option<Form>, InputError> {
        loop {
            self.skip_ws();
            match (self.peek(), closer) {
                (None, None) => return Ok(None),
                (None, Some((c, line))) => {
                    return Err(self.err_at(
                        line,
                        format!("'{}' opened here is never closed", open_of(c)),
                    ))
                }
                (Some(b), Some((c, _))) if b == c => {
                    self.bump();
                    return Ok(None);
                }
                (Some(b @ (b')' | b']' | b'}')), Some((c, line))) => {
                    return Err(self.err_at(
                        line,
                        format!(
                            "'{}' opened here is never closed (found '{}' on line {})",
                            open_of(c),
                            b as char,
                            self.line
                        ),
                    ))
                }
                (Some(b'#'), _) if self.src.get(self.pos + 1) == Some(&b'_') => {
                    self.pos += 2;
                    self.enter()?;
                    let discarded = self.next_form(None)?;
                    self.depth -= 1;
                    if discarded.is_none() {
                        return Err(self.err("#_ is not followed by a form to discard"));
                    }
                }
                _ => return self.read_form().map(Some),
            }
        }
    }

    fn read_form(&mut self) -> Result<Form, InputError> {
        let line = self.line;
        let Some(b) = self.peek() else {
            return Err(self.err("unexpected end of input, expected a value"));
        };
        let kind = match b {
            b'(' => FormKind::List(self.read_seq(b')')?),
            b'[' => FormKind::Vector(self.read_seq(b']')?),
            b'{' => FormKind::Map(self.read_map(None)?),
            b')' | b']' | b'}' => {
                return Err(self.err(format!("unexpected '{}'", b as char)));
            }
            b'"' => FormKind::Str(self.read_string()?),
            b'\\' => FormKind::Char(self.read_char()?),
            b'#' => self.read_dispatch()?,
            b':' => self.read_keyword()?,
            _ => {
                let tok = self.token();
                if tok.is_empty() {
                    let c = self.text.get(self.pos..).and_then(|s| s.chars().next());
                    return Err(self.err(format!(
                        "unexpected character {}",
                        quoted(&c.unwrap_or('?').to_string())
                    )));
                }
                atom(tok).map_err(|m| self.err_at(line, m.to_string()))?
            }
        };
        Ok(Form { line, kind })
    }

    /// A run of non-delimiter bytes; always ends on a char boundary (delimiters are ASCII).
    fn token(&mut self) -> &'a str {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if is_delimiter(b) {
                break;
            }
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    fn enter(&mut self) -> Result<(), InputError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!(
                "nesting deeper than {MAX_DEPTH} levels (collections, tags and #_ discards count)"
            )));
        }
        Ok(())
    }

    fn read_seq(&mut self, closer: u8) -> Result<Vec<Form>, InputError> {
        let start = self.line;
        self.enter()?;
        self.bump();
        let mut items = Vec::new();
        while let Some(f) = self.next_form(Some((closer, start)))? {
            items.push(f);
        }
        self.depth -= 1;
        Ok(items)
    }

    /// `{…}`; with `ns`, keyword and symbol keys without a namespace get it (`#:ns{…}`).
    fn read_map(&mut self, ns: Option<&str>) -> Result<Vec<(Form, Form)>, InputError> {
        let start = self.line;
        let items = self.read_seq(b'}')?;
        if items.len() % 2 != 0 {
            return Err(self.err_at(start, "map literal has an odd number of forms"));
        }
        let mut entries = Vec::with_capacity(items.len() / 2);
        let mut it = items.into_iter();
        while let (Some(mut k), Some(v)) = (it.next(), it.next()) {
            if let Some(ns) = ns {
                if let FormKind::Keyword(name) | FormKind::Symbol(name) = &mut k.kind {
                    if let Some(rest) = name.strip_prefix("_/") {
                        *name = rest.to_string();
                    } else if !name.contains('/') {
                        *name = format!("{ns}/{name}");
                    }
                }
            }
            entries.push((k, v));
        }
        Ok(entries)
    }

    fn read_string(&mut self) -> Result<String, InputError> {
        let start = self.line;
        self.bump();
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(self.err_at(start, "string starting here is never closed"));
            };
            match b {
                b'"' => {
                    self.bump();
                    break;
                }
                b'\\' => {
                    self.bump();
                    let Some(e) = self.peek() else {
                        return Err(self.err_at(start, "string starting here is never closed"));
                    };
                    self.bump();
                    let c = match e {
                        b't' => '\t',
                        b'r' => '\r',
                        b'n' => '\n',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'\\' => '\\',
                        b'"' => '"',
                        b'u' => self.read_hex4()?,
                        other => {
                            return Err(self.err(format!(
                                "invalid escape \\{} in string",
                                excerpt(&(other as char).to_string())
                            )))
                        }
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                _ => {
                    out.push(b);
                    self.bump();
                }
            }
        }
        // Bytes were copied from valid UTF-8 split only at ASCII positions, so this cannot fail;
        // a lossy conversion keeps the reader panic-free regardless.
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn read_hex4(&mut self) -> Result<char, InputError> {
        let hex = self.src.get(self.pos..self.pos + 4).unwrap_or(&[]);
        let s = std::str::from_utf8(hex).unwrap_or("");
        let code = (s.len() == 4)
            .then(|| u32::from_str_radix(s, 16).ok())
            .flatten()
            .and_then(char::from_u32)
            .ok_or_else(|| self.err("invalid \\u escape (expected 4 hex digits of a character)"))?;
        self.pos += 4;
        Ok(code)
    }

    fn read_char(&mut self) -> Result<char, InputError> {
        self.bump();
        let Some(first) = self.text.get(self.pos..).and_then(|s| s.chars().next()) else {
            return Err(self.err("a backslash at the end of the input is not a character"));
        };
        if first.is_whitespace() {
            return Err(self.err("a backslash followed by whitespace is not a character"));
        }
        self.pos += first.len_utf8();
        let rest = self.token();
        if rest.is_empty() {
            return Ok(first);
        }
        let name = format!("{first}{rest}");
        match name.as_str() {
            "newline" => Ok('\n'),
            "space" => Ok(' '),
            "tab" => Ok('\t'),
            "return" => Ok('\r'),
            "formfeed" => Ok('\u{c}'),
            "backspace" => Ok('\u{8}'),
            n if n.len() == 5 && n.starts_with('u') => n
                .get(1..)
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .and_then(char::from_u32)
                .ok_or_else(|| self.err(format!("invalid character \\{}", excerpt(n)))),
            n => Err(self.err(format!("invalid character \\{}", excerpt(n)))),
        }
    }

    fn read_keyword(&mut self) -> Result<FormKind, InputError> {
        self.bump();
        let tok = self.token();
        if tok.starts_with(':') {
            return Err(self.err(format!(
                "auto-resolved keyword :{} is Clojure, not EDN",
                excerpt(tok)
            )));
        }
        if tok.is_empty() || !valid_symbol(tok) {
            return Err(self.err(format!("invalid keyword :{}", excerpt(tok))));
        }
        Ok(FormKind::Keyword(tok.to_string()))
    }

    fn read_dispatch(&mut self) -> Result<FormKind, InputError> {
        self.bump();
        match self.peek() {
            Some(b'{') => Ok(FormKind::Set(self.read_seq(b'}')?)),
            Some(b'#') => {
                self.bump();
                let tok = self.token();
                match tok {
                    "Inf" | "-Inf" | "NaN" => Ok(FormKind::Float(format!("##{tok}"))),
                    _ => Err(self.err(format!("unknown symbolic value ##{}", excerpt(tok)))),
                }
            }
            Some(b':') => {
                self.bump();
                let ns = self.token();
                if ns.is_empty() || !valid_symbol(ns) || self.peek() != Some(b'{') {
                    return Err(self.err("expected a namespaced map #:ns{…}"));
                }
                Ok(FormKind::Map(self.read_map(Some(ns))?))
            }
            Some(b) if b.is_ascii_alphabetic() => {
                let tag = self.token();
                if !valid_symbol(tag) {
                    return Err(self.err(format!("invalid tag #{}", excerpt(tag))));
                }
                self.enter()?;
                let Some(inner) = self.next_form(None)? else {
                    return Err(
                        self.err(format!("tag #{} is not followed by a value", excerpt(tag)))
                    );
                };
                self.depth -= 1;
                Ok(FormKind::Tagged(tag.to_string(), Box::new(inner)))
            }
            Some(b'"') => Err(self.err("regular expressions (#\"…\") are not EDN")),
            _ => Err(self.err("invalid dispatch '#'")),
        }
    }
}

fn open_of(closer: u8) -> char {
    match closer {
        b')' => '(',
        b']' => '[',
        _ => '{',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> FormKind {
        parse_one("t", s).unwrap().kind
    }

    #[test]
    fn reads_scalars() {
        assert_eq!(one("nil"), FormKind::Nil);
        assert_eq!(one("-42"), FormKind::Int(-42));
        assert_eq!(one("+7N"), FormKind::Int(7));
        assert_eq!(
            one("99999999999999999999"),
            FormKind::BigInt("99999999999999999999".into())
        );
        assert_eq!(one("1.5M"), FormKind::Float("1.5M".into()));
        assert_eq!(one("1/2"), FormKind::Ratio("1/2".into()));
        assert_eq!(one(":cas"), FormKind::Keyword("cas".into()));
        assert_eq!(one("\"a\\n\\u0041\""), FormKind::Str("a\nA".into()));
        assert_eq!(one("\\newline"), FormKind::Char('\n'));
        assert_eq!(one("foo.bar/baz"), FormKind::Symbol("foo.bar/baz".into()));
    }

    #[test]
    fn reads_collections_comments_and_discards() {
        let forms = parse_all("t", "; a comment\n[1 #_ 2 3] ;x\n#{:a}\n{:k nil}\n").unwrap();
        assert_eq!(forms.len(), 3);
        assert_eq!(forms[0].line, 2);
        assert_eq!(forms[0].seq().map(|s| s.len()), Some(2));
        assert_eq!(forms[2].line, 4);
        let k = one("#:jepsen{:type :ok, :_/plain 1}");
        let FormKind::Map(m) = k else { panic!() };
        assert_eq!(m[0].0.name(), Some("jepsen/type"));
        assert_eq!(m[1].0.name(), Some("plain"));
        let t = parse_one("t", "#jepsen.history.Op{:index 1}").unwrap();
        assert_eq!(t.map_entries().map(|m| m.len()), Some(1));
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_all("h.edn", "[1\n2\n").unwrap_err();
        assert_eq!(
            e.to_string().split(':').take(2).collect::<Vec<_>>(),
            ["h.edn", "1"]
        );
        let e = parse_all("h.edn", "1\n2\n)").unwrap_err();
        assert_eq!(e.line, 3);
        let e = parse_all("h.edn", "{:a\n\n 1 :b}").unwrap_err();
        assert!(e.message.contains("odd number"), "{e}");
        let e = parse_all("h.edn", "\n\"abc").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(parse_all("h", "007").is_err());
        assert!(parse_all("h", "::a").is_err());
        assert!(parse_all("h", "#\"re\"").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let s = "[".repeat(100_000);
        let e = parse_all("t", &s).unwrap_err();
        assert!(e.message.contains("nesting"), "{e}");
        // Chained discards nest too (each waits for the form it discards).
        let s = format!("{}1", "#_ ".repeat(50_000));
        let e = parse_all("t", &s).unwrap_err();
        assert!(e.message.contains("nesting"), "{e}");
        let s = format!("[{} 1]", "#_ ".repeat(50_000));
        assert!(parse_one("t", &s).is_err());
        // A few discards are fine: `#_ #_ a b c` discards a and b.
        let forms = parse_all("t", "#_ #_ 1 2 3").unwrap();
        assert_eq!(forms.len(), 1);
        assert_eq!(forms[0].kind, FormKind::Int(3));
    }

    #[test]
    fn an_unterminated_collection_is_blamed_where_it_opens() {
        let e = parse_all("h.edn", "[{:a 1\n{:b 2}\n]\n").unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        assert!(e.message.contains("'{' opened here is never closed"), "{e}");
        assert!(e.message.contains("']' on line 3"), "{e}");
        let e = parse_all("h.edn", "\n(1 2\n]").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = parse_all("h.edn", "1\n]").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn huge_tokens_are_cut_in_messages() {
        let big = format!(":{}", "!".repeat(1_000) + &"a".repeat(1_000_000));
        let e = parse_all("t", &format!("#{big}")).unwrap_err();
        assert!(e.to_string().len() < 200, "{}", e.to_string().len());
        let e = parse_all("t", &format!("1{}", "x".repeat(1_000_000))).unwrap_err();
        assert!(e.to_string().len() < 200, "{}", e.to_string().len());
    }
}
