#![no_main]
//! `cargo +nightly fuzz run jepsen_edn`: any bytes as a jepsen_edn history (first byte: the model).

use libfuzzer_sys::fuzz_target;
use quorumlab_checkers::format::Format;

fuzz_target!(|data: &[u8]| quorumlab_checkers_fuzz::history(Format::JepsenEdn, data));
