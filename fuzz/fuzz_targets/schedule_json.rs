#![no_main]
//! `cargo +nightly fuzz run schedule_json`: see `src/lib.rs` for what a finding is.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| quorumlab_fuzz::schedule_json(data));
