//! Our verdicts on Porcupine's own test histories against the ones Porcupine's test suite
//! publishes (porcupine_test.go: `checkJepsen(t, N, correct)` for `test_data/jepsen/etcd_NNN.log`,
//! `checkKv(t, name, correct)` for `test_data/kv/NAME.txt`). The data is not in this repository
//! (see `benches/porcupine/README.md`); the test is `#[ignore]`d and reads the directory in
//! `QUORUMLAB_PORCUPINE_DATA` (holding `jepsen/` and `kv/`):
//!
//! `QUORUMLAB_PORCUPINE_DATA=/tmp/porcupine-data cargo test -p quorumlab-checkers --test porcupine_verdicts -- --ignored`

use quorumlab_checkers::format::Format;
use quorumlab_checkers::lin::{LinOptions, ModelKind, NilRead};
use quorumlab_checkers::suite::{self, SuiteOptions};
use quorumlab_checkers::{load, Validity};
use std::path::Path;

/// The etcd histories Porcupine expects linearizable; every other of 000..=102 is not, and 095
/// does not exist ("etcd cluster failed to start up in test 95").
const ETCD_VALID: [u32; 23] = [
    2, 5, 7, 18, 25, 31, 38, 45, 48, 49, 51, 53, 56, 67, 75, 76, 80, 87, 92, 98, 100, 101, 102,
];

/// The kv histories and whether Porcupine expects them linearizable.
const KV: [(&str, bool); 6] = [
    ("c01-ok", true),
    ("c01-bad", false),
    ("c10-ok", true),
    ("c10-bad", false),
    ("c50-ok", true),
    ("c50-bad", false),
];

fn verdict(path: &Path, format: Format, model: ModelKind, nil_read: NilRead) -> Validity {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let loaded = load::history(format, &name, bytes, model).unwrap_or_else(|e| panic!("{e}"));
    let opts = SuiteOptions {
        lin: LinOptions {
            model,
            nil_read,
            ..LinOptions::default()
        },
        ..SuiteOptions::new(format)
    };
    suite::run(&loaded.ops, None, &opts).results.valid
}

#[test]
#[ignore = "needs Porcupine's test data in QUORUMLAB_PORCUPINE_DATA"]
fn our_verdicts_agree_with_porcupines() {
    let Some(dir) = std::env::var_os("QUORUMLAB_PORCUPINE_DATA") else {
        eprintln!(
            "skipped: set QUORUMLAB_PORCUPINE_DATA to a directory holding Porcupine's jepsen/ and \
             kv/ test data (see checkers/benches/porcupine/README.md)"
        );
        return;
    };
    let dir = Path::new(&dir);
    let mut expected: Vec<(std::path::PathBuf, Format, ModelKind, NilRead, bool)> = (0..=102)
        .filter(|&n| n != 95)
        .map(|n| {
            (
                dir.join(format!("jepsen/etcd_{n:03}.log")),
                Format::JepsenLog,
                ModelKind::CasRegister,
                NilRead::Literal,
                ETCD_VALID.contains(&n),
            )
        })
        .collect();
    expected.extend(KV.iter().map(|&(name, valid)| {
        (
            dir.join(format!("kv/{name}.txt")),
            Format::JepsenEdn,
            ModelKind::Kv,
            NilRead::Wildcard,
            valid,
        )
    }));
    assert_eq!(expected.len(), 108);
    let mut wrong = Vec::new();
    for (path, format, model, nil_read, valid) in &expected {
        let want = if *valid {
            Validity::Valid
        } else {
            Validity::Invalid
        };
        let got = verdict(path, *format, *model, *nil_read);
        if got != want {
            wrong.push(format!(
                "{}: ours {got:?}, Porcupine {want:?}",
                path.display()
            ));
        }
    }
    assert!(wrong.is_empty(), "verdicts differ:\n{}", wrong.join("\n"));
}
