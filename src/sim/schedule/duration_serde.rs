//! Serde form of a `Duration` in `run.json`: a human string such as `"1s 500ms"` (humantime),
//! which reads back to exactly the same `Duration`.

use serde::{Deserialize, Deserializer, Serializer};
use std::time::Duration;

/// Writes `d` as humantime text (`"1s 500ms"`).
pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&humantime::format_duration(*d))
}

/// Reads humantime text back (errors echo the text cut to about 80 characters).
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    super::values::parse(text.trim()).map_err(|e| {
        serde::de::Error::custom(format!(
            "cannot parse {} as a duration: {e}",
            super::lines::echo(&text)
        ))
    })
}
