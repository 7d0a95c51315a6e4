//! The `quorumlab` binary: parses the command line and hands over to [`quorumlab::cli`].

fn main() {
    std::process::exit(quorumlab::cli::main());
}
