//! Verdicts: what every checker returns, and how verdicts compose.
//!
//! A checker never prints or panics; it returns a [`Verdict`]: valid, invalid or unknown, plus the
//! anomalies that justify it. Verdicts compose Jepsen-style — invalid beats unknown beats valid —
//! into [`Results`], which is what `results.json` holds. Exit codes follow docs/formats.md: 0 valid,
//! 1 invalid, 3 unknown (2 is reserved for bad input).

use crate::value::Value;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The three outcomes of a check. Serialised as `true`, `false` or `"unknown"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Validity {
    /// No anomaly exists.
    Valid,
    /// At least one anomaly was found.
    Invalid,
    /// The checker could not decide (search budget or time limit reached, or missing data).
    Unknown,
}

impl Validity {
    /// Jepsen's composition: invalid beats unknown beats valid.
    pub fn and(self, other: Validity) -> Validity {
        use Validity::*;
        match (self, other) {
            (Invalid, _) | (_, Invalid) => Invalid,
            (Unknown, _) | (_, Unknown) => Unknown,
            _ => Valid,
        }
    }

    /// The process exit code for this outcome: 0 valid, 1 invalid, 3 unknown.
    pub fn exit_code(self) -> i32 {
        match self {
            Validity::Valid => 0,
            Validity::Invalid => 1,
            Validity::Unknown => 3,
        }
    }
}

impl fmt::Display for Validity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Validity::Valid => "valid",
            Validity::Invalid => "INVALID",
            Validity::Unknown => "unknown",
        })
    }
}

impl Serialize for Validity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Validity::Valid => s.serialize_bool(true),
            Validity::Invalid => s.serialize_bool(false),
            Validity::Unknown => s.serialize_str("unknown"),
        }
    }
}

impl<'de> Deserialize<'de> for Validity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(true) => Ok(Validity::Valid),
            Value::Bool(false) => Ok(Validity::Invalid),
            Value::Str(s) if s == "unknown" => Ok(Validity::Unknown),
            other => Err(serde::de::Error::custom(format!(
                "valid must be true, false or \"unknown\", got {other}"
            ))),
        }
    }
}

/// One thing that went wrong, with the operations that show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anomaly {
    /// The anomaly's kind, e.g. `nonlinearizable`, `non-monotonic-read`, `lost-write`.
    pub kind: String,
    /// The key it concerns, when keyed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Value>,
    /// History indices of the events that show it, in history order.
    pub ops: Vec<u64>,
    /// One sentence a person understands.
    pub explanation: String,
}

/// The verdict of one checker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The checker's name, e.g. `linearizable`.
    pub checker: String,
    /// The outcome.
    pub valid: Validity,
    /// What justifies an `Invalid` outcome (empty when valid).
    #[serde(default)]
    pub anomalies: Vec<Anomaly>,
    /// Why the outcome is `Unknown`, or other remarks worth showing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Counters describing the work done (operations checked, states explored…).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stats: BTreeMap<String, u64>,
}

impl Verdict {
    /// A verdict from a list of anomalies: valid when empty, invalid otherwise.
    pub fn from_anomalies(checker: &str, anomalies: Vec<Anomaly>) -> Verdict {
        let valid = if anomalies.is_empty() {
            Validity::Valid
        } else {
            Validity::Invalid
        };
        Verdict {
            checker: checker.to_string(),
            valid,
            anomalies,
            notes: Vec::new(),
            stats: BTreeMap::new(),
        }
    }

    /// An unknown verdict with the reason.
    pub fn unknown(checker: &str, reason: impl Into<String>) -> Verdict {
        Verdict {
            checker: checker.to_string(),
            valid: Validity::Unknown,
            anomalies: Vec::new(),
            notes: vec![reason.into()],
            stats: BTreeMap::new(),
        }
    }
}

/// The composed verdict of several checkers: the content of `results.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// The conjunction of every checker's outcome.
    pub valid: Validity,
    /// Each checker's verdict, in the order they ran.
    pub checkers: Vec<Verdict>,
}

impl Results {
    /// Compose verdicts: invalid beats unknown beats valid; no verdicts at all is valid.
    pub fn compose(checkers: Vec<Verdict>) -> Results {
        let valid = checkers
            .iter()
            .fold(Validity::Valid, |acc, v| acc.and(v.valid));
        Results { valid, checkers }
    }

    /// Every anomaly of every checker, with the checker's name.
    pub fn anomalies(&self) -> impl Iterator<Item = (&str, &Anomaly)> {
        self.checkers
            .iter()
            .flat_map(|v| v.anomalies.iter().map(move |a| (v.checker.as_str(), a)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_beats_unknown_beats_valid() {
        use Validity::*;
        assert_eq!(Valid.and(Valid), Valid);
        assert_eq!(Valid.and(Unknown), Unknown);
        assert_eq!(Unknown.and(Invalid), Invalid);
        assert_eq!(Invalid.and(Valid), Invalid);
        let r = Results::compose(vec![
            Verdict::from_anomalies("a", vec![]),
            Verdict::unknown("b", "time limit"),
        ]);
        assert_eq!(r.valid, Unknown);
        assert_eq!(Results::compose(vec![]).valid, Valid);
    }

    #[test]
    fn validity_serialises_as_design_says() {
        let s = serde_json::to_string(&[Validity::Valid, Validity::Invalid, Validity::Unknown])
            .unwrap();
        assert_eq!(s, r#"[true,false,"unknown"]"#);
        let back: Vec<Validity> = serde_json::from_str(&s).unwrap();
        assert_eq!(
            back,
            vec![Validity::Valid, Validity::Invalid, Validity::Unknown]
        );
    }
}
