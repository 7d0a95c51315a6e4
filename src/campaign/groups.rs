//! Grouping a campaign's failures by signature, and the report a person reads (pure).
//!
//! A campaign with 300 failing seeds usually shows a handful of distinct problems. Failures are
//! grouped by the checker and anomaly kind of their [`Signature`]; the mechanisms that touched the
//! anomaly's key vary from seed to seed for one bug, so a group counts them (`via hint ×18,
//! read-repair ×11`) instead of splitting on them. Within a group the seeds are ordered smallest
//! first (fewest operations in the main phase), then fastest failing (earliest simulated time at
//! which the violation was complete), then by seed — so the first seed of a group is the one to
//! open. The order of everything is a function of the
//! failures alone: shards merged in any order give the same groups.

use crate::sim::outcome::Signature;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write;

/// One failing seed, as the campaign records it (`failures/<seed>/failure.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The seed.
    pub seed: u64,
    /// How it failed.
    pub signature: Signature,
    /// Operations in the main phase.
    pub ops: u64,
    /// Simulated time (ns) at which the first anomaly was complete.
    pub fail_time_ns: u64,
    /// Its run directory, relative to the campaign directory.
    pub dir: String,
}

impl Failure {
    fn order(&self) -> (u64, u64, u64) {
        (self.ops, self.fail_time_ns, self.seed)
    }
}

/// Failures of one checker and anomaly kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The checker that reported them.
    pub checker: String,
    /// The anomaly kind.
    pub kind: String,
    /// How many of them each mechanism touched (by name, sorted).
    pub mechanisms: BTreeMap<String, u64>,
    /// Its failures, smallest and fastest first.
    pub failures: Vec<Failure>,
}

impl Group {
    /// `checker/kind via m ×n, …`.
    pub fn describe(&self) -> String {
        let sig = format!("{}/{}", self.checker, self.kind);
        if self.mechanisms.is_empty() {
            return sig;
        }
        let mut ms: Vec<(&String, &u64)> = self.mechanisms.iter().collect();
        ms.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let via: Vec<String> = ms.iter().map(|(m, n)| format!("{m} ×{n}")).collect();
        format!("{sig} via {}", via.join(", "))
    }
}

/// Group failures by checker and anomaly kind: groups by decreasing size, then by name.
pub fn group(failures: &[Failure]) -> Vec<Group> {
    let mut by_sig: BTreeMap<(&str, &str), Vec<Failure>> = BTreeMap::new();
    for f in failures {
        let key = (f.signature.checker.as_str(), f.signature.kind.as_str());
        by_sig.entry(key).or_default().push(f.clone());
    }
    let mut groups: Vec<Group> = by_sig
        .into_iter()
        .map(|((checker, kind), mut fs)| {
            fs.sort_by_key(Failure::order);
            fs.dedup_by_key(|f| f.seed);
            let mut mechanisms = BTreeMap::new();
            for m in fs.iter().flat_map(|f| &f.signature.mechanisms) {
                *mechanisms.entry(m.clone()).or_insert(0) += 1;
            }
            Group {
                checker: checker.to_string(),
                kind: kind.to_string(),
                mechanisms,
                failures: fs,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.failures
            .len()
            .cmp(&a.failures.len())
            .then_with(|| (&a.checker, &a.kind).cmp(&(&b.checker, &b.kind)))
    });
    groups
}

/// The report's table: one line per group with its count and first seeds.
pub fn render(groups: &[Group], seeds_run: u64) -> String {
    let failing: usize = groups.iter().map(|g| g.failures.len()).sum();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{failing} failing seed(s) of {seeds_run}, in {} group(s)",
        groups.len()
    );
    if groups.is_empty() {
        return s;
    }
    let _ = writeln!(s, "{:>6}  {:>8}  {:<20} failure", "seeds", "open", "more");
    for g in groups {
        let first = &g.failures[0];
        let more: Vec<String> = g
            .failures
            .iter()
            .skip(1)
            .take(8)
            .map(|f| f.seed.to_string())
            .collect();
        let more = format!(
            "{}{}",
            more.join(" "),
            if g.failures.len() > 9 { " …" } else { "" }
        );
        let _ = writeln!(
            s,
            "{:>6}  {:>8}  {:<20} {}",
            g.failures.len(),
            first.seed,
            more,
            g.describe()
        );
    }
    let _ = writeln!(
        s,
        "each group's first seed is the one to open: <campaign>/{} (replay: quorumlab run --config \
         <campaign>/{}/run.json; reduce: quorumlab shrink <campaign>/{})",
        groups[0].failures[0].dir, groups[0].failures[0].dir, groups[0].failures[0].dir
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(seed: u64, checker: &str, ops: u64, t: u64) -> Failure {
        Failure {
            seed,
            signature: Signature {
                checker: checker.into(),
                kind: "k".into(),
                mechanisms: if seed % 2 == 0 {
                    vec!["hint".into()]
                } else {
                    vec![]
                },
            },
            ops,
            fail_time_ns: t,
            dir: format!("failures/{seed}"),
        }
    }

    #[test]
    fn failures_group_by_signature_smallest_and_fastest_first_in_any_input_order() {
        let fs = vec![
            f(9, "a", 500, 9),
            f(3, "b", 100, 1),
            f(4, "a", 300, 7),
            f(7, "a", 300, 2),
        ];
        let mut rev = fs.clone();
        rev.reverse();
        let g = group(&fs);
        assert_eq!(g, group(&rev));
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].checker, "a");
        assert_eq!(
            g[0].describe(),
            "a/k via hint ×1",
            "mechanisms are counted, not split on"
        );
        let order: Vec<u64> = g[0].failures.iter().map(|f| f.seed).collect();
        assert_eq!(order, vec![7, 4, 9]);
        let text = render(&g, 40);
        assert!(
            text.starts_with("4 failing seed(s) of 40, in 2 group(s)"),
            "{text}"
        );
        assert!(text.contains("a/k"), "{text}");
    }
}
