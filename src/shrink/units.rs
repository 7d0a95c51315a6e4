//! A concrete schedule seen as units for delta debugging, and its fault windows.
//!
//! A **unit** is a fault step together with the step that lifts it — the first later step, not
//! yet taken by another unit, whose fault is the fault's `Fault::lift` (partition → heal,
//! crash → restart of the same node, pause → resume, loss → rate 0, …) — or a lone step (a lift
//! whose fault is gone, a `heal-all`, a fault the main phase ended before lifting). Keeping or
//! dropping a fault with its lift keeps node states consistent, so almost every subset of units
//! is a valid schedule; the few that are not (a restart whose crash was part of a crash set) are
//! caught by the schedule validator and skipped by the shrinker.
//!
//! A **window** is a unit whose lift comes later than its fault; shortening it moves the lift
//! earlier. Guarantees: [`select`] keeps the steps of the chosen units in schedule order;
//! [`with_window`] changes only the lift's time and keeps the steps sorted by time (stably).

use crate::sim::schedule::{Schedule, Step};
use std::time::Duration;

/// The step indices of one unit: the fault, then its lift when it has one.
pub type Unit = Vec<usize>;

/// The units of `schedule`, ordered by their first step.
pub fn units(schedule: &Schedule) -> Vec<Unit> {
    let steps = &schedule.steps;
    let mut taken = vec![false; steps.len()];
    let mut out = Vec::new();
    for i in 0..steps.len() {
        if taken[i] {
            continue;
        }
        taken[i] = true;
        let mut unit = vec![i];
        if let Some(lift) = steps[i].fault.lift() {
            if let Some(j) = (i + 1..steps.len()).find(|&j| !taken[j] && steps[j].fault == lift) {
                taken[j] = true;
                unit.push(j);
            }
        }
        out.push(unit);
    }
    out
}

/// The schedule made of the steps of `chosen` units (in schedule order), same name.
pub fn select(schedule: &Schedule, chosen: &[Unit]) -> Schedule {
    let mut idx: Vec<usize> = chosen.iter().flatten().copied().collect();
    idx.sort_unstable();
    idx.dedup();
    Schedule {
        name: schedule.name.clone(),
        steps: idx
            .into_iter()
            .filter_map(|i| schedule.steps.get(i).cloned())
            .collect(),
    }
}

/// The number of fault steps (steps that are not only lifts).
pub fn fault_count(schedule: &Schedule) -> usize {
    schedule.steps.iter().filter(|s| !s.fault.is_lift()).count()
}

/// A fault and the later step that lifts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// The fault's step index.
    pub fault: usize,
    /// The lift's step index.
    pub lift: usize,
    /// How long the fault lasts.
    pub length: Duration,
}

/// The windows of `schedule`, in the order of their faults.
pub fn windows(schedule: &Schedule) -> Vec<Window> {
    units(schedule)
        .into_iter()
        .filter_map(|u| match u[..] {
            [fault, lift] => {
                let length = schedule.steps[lift]
                    .at
                    .saturating_sub(schedule.steps[fault].at);
                (!length.is_zero()).then_some(Window {
                    fault,
                    lift,
                    length,
                })
            }
            _ => None,
        })
        .collect()
}

/// `schedule` with `window`'s lift moved to `length` after its fault (steps re-sorted stably by
/// time, the moved lift after the steps it now shares a time with).
pub fn with_window(schedule: &Schedule, window: Window, length: Duration) -> Schedule {
    let mut steps: Vec<(usize, Step)> = schedule.steps.iter().cloned().enumerate().collect();
    if let (Some(start), Some(lift)) = (
        schedule.steps.get(window.fault).map(|s| s.at),
        steps.get_mut(window.lift),
    ) {
        lift.1.at = start + length;
    }
    steps.sort_by(|a, b| a.1.at.cmp(&b.1.at).then(a.0.cmp(&b.0)));
    Schedule {
        name: schedule.name.clone(),
        steps: steps.into_iter().map(|(_, s)| s).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::schedule::{Fault, NodeSel, PartitionSpec};

    fn step(ms: u64, fault: Fault) -> Step {
        Step {
            at: Duration::from_millis(ms),
            fault,
            line: 0,
        }
    }

    fn n(s: &str) -> NodeSel {
        NodeSel::Named(s.to_string())
    }

    fn sample() -> Schedule {
        let groups = vec![vec!["n1".to_string()], vec!["n2".into(), "n3".into()]];
        Schedule {
            name: "s".into(),
            steps: vec![
                step(100, Fault::Crash(n("n2"))),                           // 0
                step(200, Fault::Partition(PartitionSpec::Groups(groups))), // 1
                step(300, Fault::Restart(n("n2"))),                         // 2
                step(400, Fault::Crash(n("n2"))),                           // 3
                step(500, Fault::Heal),                                     // 4
                step(600, Fault::Loss { rate: 0.2 }),                       // 5
                step(700, Fault::Restart(n("n2"))),                         // 6
                step(800, Fault::HealAll),                                  // 7
            ],
        }
    }

    #[test]
    fn faults_pair_with_their_own_lifts() {
        let u = units(&sample());
        assert_eq!(
            u,
            vec![vec![0, 2], vec![1, 4], vec![3, 6], vec![5], vec![7]]
        );
        assert_eq!(fault_count(&sample()), 4);
    }

    #[test]
    fn every_subset_of_units_of_a_valid_schedule_is_valid() {
        let nodes: Vec<String> = ["n1", "n2", "n3"].map(String::from).to_vec();
        let s = sample();
        s.validate(&nodes).unwrap();
        let u = units(&s);
        for mask in 0u32..(1 << u.len()) {
            let chosen: Vec<Unit> = (0..u.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| u[i].clone())
                .collect();
            let sub = select(&s, &chosen);
            sub.validate(&nodes)
                .unwrap_or_else(|e| panic!("mask {mask:b}: {e}"));
            assert!(sub.steps.windows(2).all(|w| w[0].at <= w[1].at));
        }
    }

    #[test]
    fn shortening_a_window_moves_only_its_lift_and_keeps_order() {
        let s = sample();
        let w = windows(&s);
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].length, Duration::from_millis(200));
        // The crash at 400 ms lifted at 700 ms: lift it 50 ms later instead, past the loss.
        let short = with_window(&s, w[2], Duration::from_millis(50));
        let times: Vec<u64> = short
            .steps
            .iter()
            .map(|s| s.at.as_millis() as u64)
            .collect();
        assert_eq!(times, vec![100, 200, 300, 400, 450, 500, 600, 800]);
        assert_eq!(short.steps[4].fault, Fault::Restart(n("n2")));
        assert_eq!(short.steps.len(), s.steps.len());
        // A lift moved onto another step's time goes after it.
        let same = with_window(&s, w[2], Duration::from_millis(100));
        assert_eq!(same.steps[4].fault, Fault::Heal);
        assert_eq!(same.steps[5].fault, Fault::Restart(n("n2")));
    }
}
