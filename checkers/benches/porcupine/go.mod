module quorumlab/checkers/benches/porcupine

go 1.18

require github.com/anishathalye/porcupine v0.0.0

// Porcupine's sources are not vendored here: clone them next to this file (see README.md).
replace github.com/anishathalye/porcupine => ./porcupine
