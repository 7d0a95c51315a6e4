#![no_main]
//! `cargo +nightly fuzz run edn_value`: any bytes as one EDN value (`--init`, log value columns).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| quorumlab_checkers_fuzz::edn_value(data));
