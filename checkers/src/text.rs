//! Input bytes → text, for every file the checkers read as text (histories, `final.json`).
//!
//! Guarantees: invalid UTF-8 is an [`InputError`] at the line of its first bad byte (never line 0,
//! never a panic); [`read`] reads any readable path to its end — regular files, pipes, FIFOs,
//! `/dev/stdin` — so it never relies on a file size.

use crate::error::InputError;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// Decode `bytes` as UTF-8; invalid UTF-8 is an error at its line of `file`.
pub fn decode(file: &str, bytes: Vec<u8>) -> Result<String, InputError> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let upto = e.as_bytes().get(..valid).unwrap_or_default();
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        InputError::new(file, line, "invalid UTF-8")
    })
}

/// Decode `bytes`, replacing invalid UTF-8 with U+FFFD (for logs, where only some lines matter).
pub fn decode_lossy(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Read everything from `path` (a regular file or a stream); `file` names it in errors.
pub fn read(file: &str, path: &Path) -> Result<Vec<u8>, InputError> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| InputError::unreadable(file, e.to_string()))?;
    Ok(bytes)
}

/// Open `path` (a regular file or a stream) to be read in 1 MiB chunks, for parsers that read
/// while they parse; `file` names it in errors, as [`read`] does.
pub fn open(file: &str, path: &Path) -> Result<BufReader<File>, InputError> {
    File::open(path)
        .map(|f| BufReader::with_capacity(1 << 20, f))
        .map_err(|e| InputError::unreadable(file, e.to_string()))
}

/// Read everything from standard input; `file` names it in errors.
pub fn read_stdin(file: &str) -> Result<Vec<u8>, InputError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::new(file, 0, e.to_string()))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_names_its_line() {
        let e = decode("f.json", b"{\n\"a\":\n\"\xff\"}".to_vec()).unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (3, "invalid UTF-8"));
        let e = decode("f.json", b"\xc3".to_vec()).unwrap_err();
        assert_eq!(e.line, 1);
        assert_eq!(decode("f", b"ok".to_vec()).unwrap(), "ok");
        assert_eq!(decode_lossy(b"a\xffb".to_vec()), "a\u{fffd}b");
    }
}
