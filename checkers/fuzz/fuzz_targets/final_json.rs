#![no_main]
//! `cargo +nightly fuzz run final_json`: any bytes as final.json, checked against a small history.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| quorumlab_checkers_fuzz::final_json(data));
