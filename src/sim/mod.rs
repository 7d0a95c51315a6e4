//! The harness (being built: issue 3).
