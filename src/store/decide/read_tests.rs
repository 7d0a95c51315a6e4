//! Unit tests of the read decisions ([`super`]).

use super::super::acks::Verdict;
use super::*;

fn c(ts: u64, v: u8) -> Option<Cell> {
    Some(Cell::live(ts, vec![v]))
}

fn data(cell: Option<Cell>) -> Response {
    Response::Data(cell)
}

fn dig(cell: Option<Cell>, coverage: Coverage) -> Response {
    Response::Digest(digest(cell.as_ref(), coverage))
}

#[test]
fn the_first_replica_gets_the_data_read_and_the_others_digests() {
    use Ask::{Data, Digest};
    assert_eq!(read_plan(3, true), vec![Data, Digest, Digest]);
    assert_eq!(read_plan(1, true), vec![Data]);
    assert!(read_plan(0, true).is_empty());
}

#[test]
fn without_digest_reads_every_replica_gets_a_data_read() {
    assert_eq!(read_plan(3, false), vec![Ask::Data; 3]);
}

#[test]
fn matching_digests_agree() {
    let w = Coverage::Whole;
    let round = first_round(vec![data(c(5, 1)), dig(c(5, 1), w), dig(c(5, 1), w)], w).unwrap();
    assert!(round.agree());
    assert!(round.unknown().is_empty());
    assert_eq!(round.first, c(5, 1));
    let absent = first_round(vec![data(None), dig(None, w)], w).unwrap();
    assert!(absent.agree());
}

#[test]
fn a_different_digest_leaves_that_replica_unknown() {
    let w = Coverage::Whole;
    let round = first_round(vec![data(c(5, 1)), dig(c(4, 1), w), dig(c(5, 1), w)], w).unwrap();
    assert!(!round.agree());
    assert_eq!(round.unknown(), vec![1]);
    assert_eq!(round.known[2], Some(c(5, 1)));
}

#[test]
fn full_data_replies_that_differ_do_not_agree_but_are_known() {
    let round = first_round(vec![data(c(5, 1)), data(c(6, 2))], Coverage::Whole).unwrap();
    assert!(!round.agree());
    assert!(round.unknown().is_empty());
}

#[test]
fn a_digest_over_the_timestamp_only_hides_a_different_value() {
    // Planted bug digest-omits-value: same timestamp, different value.
    let answers = |cov| vec![data(c(5, 1)), dig(c(5, 2), cov)];
    let whole = first_round(answers(Coverage::Whole), Coverage::Whole).unwrap();
    assert!(!whole.agree(), "the correct digest sees the difference");
    let partial = Coverage::TimestampOnly;
    let omits = first_round(answers(partial), partial).unwrap();
    assert!(
        omits.agree(),
        "the planted bug takes the replica as holding c(5, 1)"
    );
}

#[test]
fn a_missing_data_reply_or_an_odd_answer_is_no_round() {
    let w = Coverage::Whole;
    assert_eq!(first_round(vec![dig(c(5, 1), w), data(c(5, 1))], w), None);
    assert_eq!(first_round(vec![data(c(5, 1)), Response::Ack], w), None);
    assert_eq!(
        first_round(vec![data(c(5, 1)), Response::Refused("x".into())], w),
        None
    );
    assert_eq!(first_round(vec![], w), None);
}

#[test]
fn the_winner_is_the_newest_and_the_others_are_stale() {
    let r = reconcile_contacts(&[c(5, 5), c(9, 9), None], None);
    assert_eq!(r.winner, c(9, 9));
    assert_eq!(r.stale, vec![0, 2]);
    let r = reconcile_contacts(&[c(5, 5), c(5, 5)], None);
    assert_eq!(r.winner, c(5, 5));
    assert!(r.stale.is_empty());
}

#[test]
fn equal_timestamps_are_broken_by_value_and_a_tombstone_wins_a_tie() {
    let r = reconcile_contacts(&[c(5, 1), c(5, 2)], None);
    assert_eq!((r.winner, r.stale), (c(5, 2), vec![0]));
    let dead = Some(Cell::tombstone(5));
    let r = reconcile_contacts(&[dead.clone(), c(5, 200)], None);
    assert_eq!((r.winner, r.stale), (dead, vec![1]));
}

#[test]
fn no_replica_holding_the_key_is_no_winner_and_none_stale() {
    let r = reconcile_contacts(&[None, None], None);
    assert_eq!(r.winner, None);
    assert!(r.stale.is_empty());
}

#[test]
fn skipping_the_data_reply_can_pick_an_older_winner() {
    let skip = Some(Mutant::MismatchSkipsData);
    let r = reconcile_contacts(&[c(9, 9), c(5, 5)], skip);
    assert_eq!(
        r.winner,
        c(5, 5),
        "the planted bug ignores the newer data reply"
    );
    assert_eq!(r.stale, vec![0]);
    // Alone, the data reply is not skipped.
    assert_eq!(reconcile_contacts(&[c(9, 9)], skip).winner, c(9, 9));
    // Other planted bugs leave reconciliation alone.
    let r = reconcile_contacts(&[c(9, 9), c(5, 5)], Some(Mutant::TieTakesIncoming));
    assert_eq!(r.winner, c(9, 9));
}

#[test]
fn repair_modes_follow_the_configuration() {
    assert_eq!(repair_mode(ReadRepair::None, 100, None), RepairMode::Skip);
    assert_eq!(
        repair_mode(ReadRepair::Async, 100, None),
        RepairMode::Background { delay_ms: 100 }
    );
    assert_eq!(
        repair_mode(ReadRepair::Blocking, 100, None),
        RepairMode::Blocking
    );
}

#[test]
fn repair_no_wait_turns_blocking_repair_into_background_repair() {
    let nw = Some(Mutant::RepairNoWait);
    assert_eq!(
        repair_mode(ReadRepair::Blocking, 100, nw),
        RepairMode::Background { delay_ms: 0 }
    );
    assert_eq!(
        repair_mode(ReadRepair::Async, 100, nw),
        RepairMode::Background { delay_ms: 100 }
    );
    assert_eq!(repair_mode(ReadRepair::None, 100, nw), RepairMode::Skip);
}

#[test]
fn the_repair_sends_the_winner_unless_it_is_restamped() {
    let w = Cell::live(5, vec![1]);
    assert_eq!(repair_cell(w.clone(), None, 99), w);
    assert_eq!(
        repair_cell(w.clone(), Some(Mutant::RepairRestamp), 99),
        Cell::live(99, vec![1])
    );
}

#[test]
fn a_blocking_repair_needs_every_stale_replica() {
    let mut acks = repair_acks(2, None);
    assert_eq!(acks.record(true), Verdict::Wait);
    assert!(matches!(acks.record(false), Verdict::Answer(Err(_))));
    let mut ignored = repair_acks(2, Some(Mutant::RepairAckIgnored));
    ignored.record(false);
    assert_eq!(ignored.record(false), Verdict::Answer(Ok(2)));
    assert_eq!(repair_acks(0, None).verdict(), Verdict::Answer(Ok(0)));
}
