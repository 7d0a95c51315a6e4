//! Names that repeat across a history: an operation's function (`read`, `write`, …) and the node
//! that served it (`n1`, …).
//!
//! A million-operation history holds a handful of distinct names, so an [`Op`](crate::ops::Op)
//! shares them instead of owning a copy: a [`Name`] is a reference-counted string, cloned by a
//! count increment, and every checker that asks "is this a read?" reads the same few bytes.
//! [`Names`] hands out one shared `Name` per distinct string. A `Name` compares, orders, hashes,
//! prints (`{}` and `{:?}`) and serialises exactly as the string it holds.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A shared, immutable string (see the module doc).
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(Arc<str>);

impl Name {
    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Name {
        Name(s.into())
    }
}

impl From<String> for Name {
    fn from(s: String) -> Name {
        Name(s.into())
    }
}

impl From<Name> for String {
    fn from(n: Name) -> String {
        n.0.as_ref().to_owned()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        &*self.0 == other.as_str()
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == &*other.0
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == &*other.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Name, D::Error> {
        String::deserialize(d).map(Name::from)
    }
}

/// At most this many distinct names are remembered; rarer ones are made afresh each time.
const REMEMBERED: usize = 32;

/// One shared [`Name`] per distinct string, for the first 32 distinct strings seen (histories
/// have a few functions and a few nodes; a history with more still works, it only shares less).
#[derive(Clone, Debug, Default)]
pub struct Names {
    seen: Vec<Name>,
}

impl Names {
    /// The shared name for `s`.
    pub fn get(&mut self, s: &str) -> Name {
        if let Some(n) = self.seen.iter().find(|n| n.as_str() == s) {
            return n.clone();
        }
        let n = Name::from(s);
        if self.seen.len() < REMEMBERED {
            self.seen.push(n.clone());
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_behaves_as_its_string() {
        let n = Name::from("read");
        let (s, owned) = ("read", String::from("read"));
        assert_eq!(n, s);
        assert_eq!(s, n);
        assert_eq!(n, *s);
        assert_eq!(n, owned);
        assert_eq!(owned, n);
        assert_eq!(format!("{n} {n:?}"), "read \"read\"");
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"read\"");
        assert_eq!(serde_json::from_str::<Name>("\"n1\"").unwrap(), "n1");
        let (a, b) = (Name::from("a"), Name::from("b"));
        assert!(a < b);
        assert_eq!(n.len(), 4);
    }

    #[test]
    fn names_share_one_copy_per_string() {
        let mut names = Names::default();
        let (a, b) = (names.get("write"), names.get("write"));
        assert!(Arc::ptr_eq(&a.0, &b.0));
        for i in 0..100 {
            assert_eq!(names.get(&format!("n{i}")), format!("n{i}"));
        }
        assert_eq!(names.seen.len(), REMEMBERED);
    }
}
