//! A new user's crate: a scratch crate that depends on quorumlab by path, with the profile
//! settings README tells users to add, runs README's test examples (`tests/readme_example.rs` and
//! `tests/readme_store.rs`, README's blocks verbatim: an experiment on the built-in store, and a
//! store of the user's own through the system-under-test interface) with a plain `cargo test`. Ignored by default (it builds
//! every dependency from scratch, minutes on 2 cores); run it with
//! `cargo test --test fresh_crate -- --ignored --nocapture`.

use std::path::Path;
use std::process::Command;

#[test]
#[ignore = "builds a scratch crate and all its dependencies from scratch (minutes)"]
fn readme_example_passes_in_a_fresh_crate() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("a scratch directory");
    let krate = dir.path().join("my-store-tests");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    std::fs::create_dir_all(krate.join("tests")).unwrap();
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let profiles = readme
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README shows the profile settings in a ```toml block");
    let manifest = format!(
        "[package]\nname = \"my-store-tests\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dev-dependencies]\nquorumlab = {{ path = {:?} }}\n\n{profiles}",
        repo.display().to_string()
    );
    std::fs::write(krate.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(krate.join("src/lib.rs"), "").unwrap();
    for test in ["readme_example.rs", "readme_store.rs"] {
        std::fs::copy(
            repo.join("tests").join(test),
            krate.join("tests").join(test),
        )
        .unwrap();
    }
    // The examples check README against their own files by `include_str!("../README.md")`.
    std::fs::write(krate.join("README.md"), &readme).unwrap();
    // Reuse the lock file, so the scratch crate builds the versions this repository is tested with.
    std::fs::copy(repo.join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();
    let status = Command::new(env!("CARGO"))
        .args(["test", "--offline"])
        .current_dir(&krate)
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .expect("cargo runs");
    assert!(status.success(), "README's examples fail in a fresh crate");
}
