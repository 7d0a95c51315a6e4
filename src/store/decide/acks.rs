//! When to answer: an acknowledgement counter for a write (primary deliveries) or a blocking read
//! repair (repair writes).
//!
//! The coordinator knows how many answers it needs and how many it awaits; it feeds each answer
//! (acknowledged or not) to [`Acks::record`], which says [`Verdict::Wait`] or gives the answer:
//! `Ok(acks)` as soon as enough acknowledged, `Err(Timeout)` once every awaited answer came and too
//! few acknowledged. The deadline is the caller's: when it passes, [`Acks::timed_out`] is the
//! answer. A failure never answers early while answers are still outstanding (a write does not
//! give up before every delivery reported).
//!
//! Planted bugs that are decisions here, through [`Acks::counting_failures`]: `sloppy-quorum`
//! (a failed or impossible delivery, hinted instead, counts toward the write consistency level) and
//! `repair-ack-ignored` (a failed repair write counts as acknowledged).

use super::quorum::Failure;

/// What the coordinator does after an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Keep waiting: answers are outstanding and too few acknowledged.
    Wait,
    /// Answer now: `Ok(acknowledgements)` or why not.
    Answer(Result<usize, Failure>),
}

/// Acknowledgements and failures so far, out of the answers awaited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acks {
    needed: usize,
    outstanding: usize,
    acks: usize,
    failures: usize,
    failures_count: bool,
}

impl Acks {
    /// A counter that needs `needed` acknowledgements out of `outstanding` awaited answers.
    pub fn new(needed: usize, outstanding: usize) -> Acks {
        Acks {
            needed,
            outstanding,
            acks: 0,
            failures: 0,
            failures_count: false,
        }
    }

    /// Count failed answers as acknowledgements (a planted bug: `sloppy-quorum` for writes,
    /// `repair-ack-ignored` for repairs) when `yes`.
    pub fn counting_failures(mut self, yes: bool) -> Acks {
        self.failures_count = yes;
        self
    }

    /// One awaited answer came: acknowledged (`true`) or failed.
    pub fn record(&mut self, acked: bool) -> Verdict {
        self.outstanding = self.outstanding.saturating_sub(1);
        if acked || self.failures_count {
            self.acks += 1;
        } else {
            self.failures += 1;
        }
        self.verdict()
    }

    /// The verdict on the answers so far.
    pub fn verdict(&self) -> Verdict {
        if self.acks >= self.needed {
            Verdict::Answer(Ok(self.acks))
        } else if self.outstanding == 0 {
            Verdict::Answer(Err(self.timed_out()))
        } else {
            Verdict::Wait
        }
    }

    /// The answer when the deadline passed first.
    pub fn timed_out(&self) -> Failure {
        Failure::Timeout {
            answered: self.acks,
            needed: self.needed,
        }
    }

    /// Acknowledgements so far.
    pub fn acks(&self) -> usize {
        self.acks
    }

    /// Failed answers so far (not counted as acknowledgements).
    pub fn failures(&self) -> usize {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeout(answered: usize, needed: usize) -> Verdict {
        Verdict::Answer(Err(Failure::Timeout { answered, needed }))
    }

    #[test]
    fn answers_as_soon_as_enough_acknowledged() {
        let mut a = Acks::new(2, 3);
        assert_eq!(a.verdict(), Verdict::Wait);
        assert_eq!(a.record(true), Verdict::Wait);
        assert_eq!(a.record(true), Verdict::Answer(Ok(2)));
    }

    #[test]
    fn a_failure_waits_while_answers_are_outstanding() {
        let mut a = Acks::new(2, 3);
        assert_eq!(a.record(false), Verdict::Wait);
        assert_eq!(a.failures(), 1);
        assert_eq!(a.record(true), Verdict::Wait);
        assert_eq!(a.record(true), Verdict::Answer(Ok(2)));
    }

    #[test]
    fn too_few_acknowledgements_once_all_answered_is_a_timeout() {
        let mut a = Acks::new(2, 3);
        a.record(true);
        a.record(false);
        assert_eq!(a.record(false), timeout(1, 2));
        let mut none = Acks::new(1, 1);
        assert_eq!(none.record(false), timeout(0, 1));
    }

    #[test]
    fn the_deadline_reports_the_acknowledgements_so_far() {
        let mut a = Acks::new(3, 3);
        a.record(true);
        assert_eq!(
            a.timed_out(),
            Failure::Timeout {
                answered: 1,
                needed: 3
            }
        );
        assert_eq!(a.acks(), 1);
    }

    #[test]
    fn nothing_needed_is_answered_at_once() {
        assert_eq!(Acks::new(0, 0).verdict(), Verdict::Answer(Ok(0)));
        assert_eq!(Acks::new(0, 2).verdict(), Verdict::Answer(Ok(0)));
    }

    #[test]
    fn counting_failures_turns_every_answer_into_an_acknowledgement() {
        // Blocking repair of two stale replicas, one repair write lost.
        let mut correct = Acks::new(2, 2);
        correct.record(true);
        assert_eq!(correct.record(false), timeout(1, 2));
        let mut ignored = Acks::new(2, 2).counting_failures(true);
        ignored.record(true);
        assert_eq!(ignored.record(false), Verdict::Answer(Ok(2)));
        assert_eq!(ignored.failures(), 0);
    }
}
