//! Reading a timeline's inputs from files: a run directory (its `history.jsonl`, and when present
//! `results.json` and `events.jsonl`) or a history file in any format the checkers read (with
//! `results.json` and `events.jsonl` beside it when it is a run's `history.jsonl`).
//!
//! Guarantees: never panics; every problem is one [`InputError`] naming the file and line
//! (operations that do not pair included), so the CLI can exit 2 with one line.

use super::store_events::{self, StoreEvent};
use quorumlab_checkers::format::{self, Format};
use quorumlab_checkers::{text, Event, InputError, Results};
use std::path::{Path, PathBuf};

/// A timeline's inputs, owned.
#[derive(Debug)]
pub struct Files {
    /// The page's title: the path as given.
    pub title: String,
    /// The history's events.
    pub history: Vec<Event>,
    /// The verdicts, when `results.json` was found.
    pub results: Option<Results>,
    /// The store's events, when `events.jsonl` was found.
    pub store: Vec<StoreEvent>,
}

/// Read `path` (a run directory or a history file); `format` overrides the one the file name
/// suggests.
pub fn read(path: &Path, format: Option<Format>) -> Result<Files, InputError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        let m = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            _ => e.to_string(),
        };
        InputError::unreadable(&name, m)
    })?;
    let (history_path, dir): (PathBuf, Option<PathBuf>) = if meta.is_dir() {
        let h = path.join("history.jsonl");
        if !h.is_file() {
            return Err(InputError::new(
                &name,
                0,
                "is a directory without history.jsonl (expected a run directory or a history file)",
            ));
        }
        (h, Some(path.to_path_buf()))
    } else {
        let beside = (path.file_name() == Some("history.jsonl".as_ref()))
            .then(|| path.parent().map(Path::to_path_buf))
            .flatten();
        (path.to_path_buf(), beside)
    };
    let file = history_path.display().to_string();
    let format = format.unwrap_or_else(|| Format::from_path(&history_path));
    let parsed = format::parse_bytes(format, &file, text::read(&file, &history_path)?)?;
    parsed.pair(&file)?;
    let mut files = Files {
        title: name.trim_end_matches('/').to_string(),
        history: parsed.into_events(),
        results: None,
        store: Vec::new(),
    };
    if let Some(dir) = dir {
        let results = dir.join("results.json");
        if results.is_file() {
            let f = results.display().to_string();
            let text = text::decode(&f, text::read(&f, &results)?)?;
            files.results = Some(
                serde_json::from_str(&text)
                    .map_err(|e| InputError::new(&f, e.line(), e.to_string()))?,
            );
        }
        let events = dir.join("events.jsonl");
        if events.is_file() {
            let f = events.display().to_string();
            let text = text::decode(&f, text::read(&f, &events)?)?;
            files.store = store_events::parse(&f, &text)?;
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_directory_brings_its_results_and_store_events() {
        let dir = tempfile::tempdir().unwrap();
        let h = "{\"index\":0,\"time\":1,\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"key\":1,\"value\":null}\n";
        std::fs::write(dir.path().join("history.jsonl"), h).unwrap();
        std::fs::write(
            dir.path().join("results.json"),
            "{\"valid\":true,\"checkers\":[],\"stats\":{}}",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("events.jsonl"),
            "{\"kind\":\"purge\",\"node\":\"n1\",\"time\":1,\"key\":1}\n",
        )
        .unwrap();
        let files = read(dir.path(), None).unwrap();
        assert_eq!(files.history.len(), 1);
        assert!(files.results.is_some());
        assert_eq!(files.store.len(), 1);
        let bare = read(&dir.path().join("history.jsonl"), None).unwrap();
        assert!(bare.results.is_some(), "beside a run's history.jsonl");
    }

    #[test]
    fn problems_name_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let e = read(dir.path(), None).unwrap_err();
        assert!(e.message.contains("without history.jsonl"), "{e}");
        let h = dir.path().join("history.jsonl");
        std::fs::write(
            &h,
            "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":1}\n",
        )
        .unwrap();
        let e = read(&h, None).unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        std::fs::write(&h, "").unwrap();
        std::fs::write(dir.path().join("results.json"), "{\n\"valid\": 3}").unwrap();
        let e = read(dir.path(), None).unwrap_err();
        assert!(e.file.ends_with("results.json") && e.line == 2, "{e}");
        assert!(read(&dir.path().join("nope"), None).is_err());
    }
}
