//! Where a library run keeps failing runs: `<target>/quorumlab`, beside the user's build.

use std::path::{Path, PathBuf};

/// `<target>/quorumlab`: `CARGO_TARGET_DIR` when set; else the target directory the running binary
/// was built into (a test binary lives in `<target>/<profile>/deps/`, an example in
/// `<target>/<profile>/examples/`); else `target/`.
pub(super) fn default_out() -> PathBuf {
    let exe = std::env::current_exe().ok();
    target_dir(
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from),
        exe.as_deref(),
    )
    .join("quorumlab")
}

/// The target directory, from `CARGO_TARGET_DIR` or from the running binary's path.
fn target_dir(env: Option<PathBuf>, exe: Option<&Path>) -> PathBuf {
    if let Some(dir) = env.filter(|d| !d.as_os_str().is_empty()) {
        return dir;
    }
    exe.and_then(|exe| {
        let dir = exe.parent()?;
        let profile = match dir.file_name()?.to_str()? {
            "deps" | "examples" => dir.parent()?,
            _ => dir,
        };
        Some(profile.parent()?.to_path_buf())
    })
    .unwrap_or_else(|| PathBuf::from("target"))
}

#[cfg(test)]
mod target_tests {
    use super::target_dir;
    use std::path::{Path, PathBuf};

    #[test]
    fn cargo_target_dir_wins() {
        let exe = Path::new("/w/target/debug/deps/t-123");
        assert_eq!(
            target_dir(Some("/tmp/t".into()), Some(exe)),
            PathBuf::from("/tmp/t")
        );
    }

    #[test]
    fn else_the_binary_tells_where_target_is() {
        let exe = Path::new("/w/crate/target/debug/deps/t-123");
        assert_eq!(
            target_dir(None, Some(exe)),
            PathBuf::from("/w/crate/target")
        );
        let exe = Path::new("/elsewhere/build/release/examples/ex");
        assert_eq!(
            target_dir(None, Some(exe)),
            PathBuf::from("/elsewhere/build")
        );
        assert_eq!(target_dir(Some("".into()), None), PathBuf::from("target"));
    }
}
