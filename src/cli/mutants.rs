//! `quorumlab mutants`: the catalogue of planted bugs, one row each — name, what it plants, the
//! checkers expected to catch it, the faults and configuration it needs, the seed budget.

use crate::sim::mutants::catalogue;

/// Print the catalogue; returns the exit code.
pub fn run() -> i32 {
    println!(
        "{:<22} {:>6}  {:<42} plants / faults / configuration",
        "mutant", "seeds", "caught by"
    );
    for r in catalogue() {
        println!(
            "{:<22} {:>6}  {:<42} {}",
            r.mutant.name(),
            r.budget,
            r.caught_by.join(","),
            r.plants
        );
        println!("{:<32}faults: {}; {}", "", r.faults, r.setup);
        if let Some(why) = r.known_miss {
            println!("{:<32}NOT CAUGHT: {why}", "");
        }
    }
    println!(
        "\nRun one: quorumlab run --mutant NAME --swarm --nemesis KINDS … (a planted bug is off unless named)."
    );
    0
}
