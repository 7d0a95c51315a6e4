//! EDN (extensible data notation), the format of Jepsen and Knossos histories.
//!
//! [`reader`] turns text into [`Form`]s, each carrying the 1-based line where it starts, so that a
//! history error can say `history.edn:12: …` about the operation at fault; [`convert`] turns a form
//! into the dynamic [`crate::Value`] the checkers use (keywords become strings without the colon,
//! `nil` becomes `Value::Null`); [`history`] reads a whole Jepsen/Knossos history into events.
//!
//! The reader follows the EDN specification (<https://github.com/edn-format/edn>) plus the Clojure
//! extensions that appear in Jepsen output: `;` comments, `#_` discard, sets `#{}`, tagged literals
//! (`#inst "…"`, `#jepsen.history.Op{…}` — the tag is dropped, the form kept), namespaced maps
//! `#:ns{…}`, `##Inf`/`##NaN`, big integers (`1N`), decimals (`1.5M`) and ratios (`1/2`). Numbers that
//! are not 64-bit integers are read, but rejected with a clear message when a checker would need
//! them. The reader never panics: nesting is bounded and every problem is an [`crate::InputError`].
//!
//! Why not the `edn-format` crate: in 3.3 its errors report row and column swapped, values carry no
//! position (we need one per operation), and it read a 1M-operation history in about 12 s on our
//! machine; this reader is a small byte-level recursive descent parser with line tracking.

mod atom;
pub mod convert;
pub mod history;
pub mod reader;

pub use convert::to_value;
pub use history::parse_jepsen_edn;
pub use reader::{parse_all, parse_one};

/// One EDN form and the 1-based line where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    /// The line where the form's first character is.
    pub line: usize,
    /// What the form is.
    pub kind: FormKind,
}

/// The kinds of EDN forms.
#[derive(Clone, Debug, PartialEq)]
pub enum FormKind {
    /// `nil`.
    Nil,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in 64 signed bits (`42`, `-7`, `3N`).
    Int(i64),
    /// An integer too large for 64 bits, as written.
    BigInt(String),
    /// A floating-point or decimal number, as written (`1.5`, `2e3`, `1.5M`, `##Inf`).
    Float(String),
    /// A ratio, as written (`1/2`).
    Ratio(String),
    /// A character (`\a`, `\newline`).
    Char(char),
    /// A string.
    Str(String),
    /// A keyword, without its colon (`:cas` → `cas`, `:a/b` → `a/b`).
    Keyword(String),
    /// A symbol.
    Symbol(String),
    /// `( … )`.
    List(Vec<Form>),
    /// `[ … ]`.
    Vector(Vec<Form>),
    /// `{ … }`, entries in source order.
    Map(Vec<(Form, Form)>),
    /// `#{ … }`.
    Set(Vec<Form>),
    /// `#tag form`.
    Tagged(String, Box<Form>),
}

impl Form {
    /// The name of a keyword, string or symbol form (`:read`, `"read"`, `read` → `read`).
    pub fn name(&self) -> Option<&str> {
        match &self.kind {
            FormKind::Keyword(s) | FormKind::Str(s) | FormKind::Symbol(s) => Some(s),
            _ => None,
        }
    }

    /// The elements of a list or vector.
    pub fn seq(&self) -> Option<&[Form]> {
        match &self.kind {
            FormKind::List(v) | FormKind::Vector(v) => Some(v),
            _ => None,
        }
    }

    /// The entries of a map, looking through a tag (`#jepsen.history.Op{…}`).
    pub fn map_entries(&self) -> Option<&[(Form, Form)]> {
        match &self.kind {
            FormKind::Map(m) => Some(m),
            FormKind::Tagged(_, inner) => inner.map_entries(),
            _ => None,
        }
    }

    /// A word for the form's kind, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            FormKind::Nil => "nil",
            FormKind::Bool(_) => "a boolean",
            FormKind::Int(_) | FormKind::BigInt(_) => "an integer",
            FormKind::Float(_) => "a floating-point number",
            FormKind::Ratio(_) => "a ratio",
            FormKind::Char(_) => "a character",
            FormKind::Str(_) => "a string",
            FormKind::Keyword(_) => "a keyword",
            FormKind::Symbol(_) => "a symbol",
            FormKind::List(_) => "a list",
            FormKind::Vector(_) => "a vector",
            FormKind::Map(_) => "a map",
            FormKind::Set(_) => "a set",
            FormKind::Tagged(..) => "a tagged literal",
        }
    }
}
