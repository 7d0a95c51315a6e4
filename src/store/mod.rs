//! The store under test (being built: issue 3).
