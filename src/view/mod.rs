//! Views of a run for people (pages and pictures built from a run's files).

pub mod timeline;
