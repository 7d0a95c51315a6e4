//! The detection matrix: every planted bug of the catalogue (`quorumlab mutants`) is found by a
//! campaign over its row's faults and configuration, reported by one of the row's checkers, while
//! the correct store on the same seeds keeps every promise of that configuration.
//!
//! The default suite searches each row within a CI-sized budget; the full matrix (every row's
//! budget, and the correct store on the same number of seeds) is `#[ignore]`d and prints the table
//! of the issue note: `cargo test --release --test detection -- --ignored --nocapture`.

use quorumlab::lab::Experiment;
use quorumlab::sim::mutants::{catalogue, Row};
use quorumlab::store::config::Mutant;

/// Seeds the default suite tries per row before declaring the bug missed.
const CI_SEEDS: u64 = 12;

/// Search seeds `1..=budget` for a violation of the row's checkers with its bug planted; returns
/// the first seed and the checkers that reported it.
fn first_detection(row: &Row, budget: u64) -> Option<(u64, Vec<String>)> {
    let report = Experiment::from_plan(
        &format!("detect-{}", row.mutant),
        row.plan(Some(row.mutant)),
    )
    .seeds(1..=budget)
    .search(row.checkers);
    let hit = report
        .seeds
        .iter()
        .find(|o| row.checkers.iter().any(|c| o.violates(c)))?;
    assert!(
        row.caught_by.iter().any(|c| hit.violates(c)),
        "{}: seed {} was caught, but by none of {:?}:\n{}",
        row.mutant,
        hit.seed,
        row.caught_by,
        hit.explain()
    );
    let by = row
        .checkers
        .iter()
        .filter(|c| hit.violates(c))
        .map(|c| c.to_string())
        .collect();
    Some((hit.seed, by))
}

/// The correct store on seeds `1..=n` of the row: every promised checker valid.
fn correct_store_is_valid(row: &Row, n: u64) {
    Experiment::from_plan(&format!("correct-{}", row.mutant), row.plan(None))
        .seeds(1..=n)
        .run()
        .assert_valid();
}

fn ci_row(mutant: Mutant) {
    let row = catalogue()
        .into_iter()
        .find(|r| r.mutant == mutant)
        .expect("every mutant has a row");
    let budget = row.budget.min(CI_SEEDS);
    match first_detection(&row, budget) {
        Some((seed, by)) => {
            println!("{mutant}: found at seed {seed} by {}", by.join(", "));
            correct_store_is_valid(&row, seed);
        }
        None => panic!("{mutant}: not found in {budget} seeds ({})", row.setup),
    }
}

macro_rules! ci_rows {
    ($($test:ident => $mutant:ident),* $(,)?) => {$(
        #[test]
        fn $test() {
            ci_row(Mutant::$mutant);
        }
    )*};
}

ci_rows! {
    repair_that_does_not_wait_is_caught => RepairNoWait,
    ignored_repair_acks_are_caught => RepairAckIgnored,
    ack_before_fsync_is_caught => AckBeforeFsync,
    quorum_floor_is_caught => QuorumFloor,
    sloppy_quorum_is_caught => SloppyQuorum,
    hint_replay_without_lww_is_caught => HintNoLww,
    log_truncation_ignoring_a_down_peer_is_caught => LogTruncateIgnoresDown,
    a_log_fallback_never_taken_is_caught => LogNoFallback,
}

/// The whole matrix with every row's budget; prints the table.
#[test]
#[ignore]
fn full_detection_matrix() {
    // `QUORUMLAB_ROWS=a,b` limits the matrix to those rows (to iterate on one).
    let only: Option<Vec<String>> = std::env::var("QUORUMLAB_ROWS")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    let mut table = Vec::new();
    for row in catalogue() {
        if only
            .as_ref()
            .is_some_and(|o| !o.contains(&row.mutant.to_string()))
        {
            continue;
        }
        let found = first_detection(&row, row.budget);
        let cell = match &found {
            Some((seed, by)) => format!("{seed:>5} | {}", by.join(", ")),
            None => format!("  >{} | not found", row.budget),
        };
        println!("{:<22} | {cell} | {}", row.mutant, row.faults);
        table.push((row, found));
    }
    let mut failures = Vec::new();
    for (row, found) in &table {
        let n = found.as_ref().map_or(row.budget, |(seed, _)| *seed).max(20);
        let report = Experiment::from_plan(&format!("correct-{}", row.mutant), row.plan(None))
            .seeds(1..=n)
            .run();
        println!(
            "correct store, {} row, {n} seeds: {} not valid",
            row.mutant,
            report.failures().len()
        );
        if !report.failures().is_empty() {
            failures.push(row.mutant);
        }
    }
    let missed: Vec<Mutant> = table
        .iter()
        .filter(|(r, f)| f.is_none() && r.known_miss.is_none())
        .map(|(r, _)| r.mutant)
        .collect();
    for (r, f) in &table {
        if let (Some(why), Some(_)) = (r.known_miss, f) {
            panic!(
                "{} was caught although documented as missed ({why}): update the row",
                r.mutant
            );
        }
    }
    assert!(
        missed.is_empty() && failures.is_empty(),
        "missed {missed:?}; correct store failed {failures:?}"
    );
}

/// The correct store keeps every promise over many swarm seeds (faults and workload drawn per
/// seed): `QUORUMLAB_SEEDS=2000 cargo test --release --test detection -- --ignored correct_store`.
#[test]
#[ignore]
fn correct_store_over_swarm_seeds() {
    use quorumlab::sim::schedule::FaultKind;
    let n: u64 = std::env::var("QUORUMLAB_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let report = Experiment::new("correct-swarm")
        .ops(1000)
        .nemesis(&FaultKind::SAFE)
        .swarm()
        .seeds(1..=n)
        .run();
    println!(
        "correct store, {n} swarm seeds: {} not valid; coverage: {} digest mismatches, {} repairs, \
         {} hints replayed, {} anti-entropy exchanges with differences, {} restarts, {} purges",
        report.failures().len(),
        report.counter("digest-mismatch"),
        report.counter("repair-sent"),
        report.counter("hint-replayed"),
        report.counter("ae-exchange-differing"),
        report.counter("restart"),
        report.counter("purge"),
    );
    report.assert_valid();
}
