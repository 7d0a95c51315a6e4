//! Views of a run for people and other tools: `show`, the timeline page, plots, export.

pub mod export;
pub mod plots;
pub mod show;
pub mod show_faults;
pub mod show_replicas;
pub mod timeline;
