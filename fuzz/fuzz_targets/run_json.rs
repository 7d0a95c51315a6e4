#![no_main]
//! `cargo +nightly fuzz run run_json`: see `src/lib.rs` for what a finding is.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| quorumlab_fuzz::run_json(data));
