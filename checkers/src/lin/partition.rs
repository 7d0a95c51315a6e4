//! P-compositionality (Horn & Kroening 2015; Herlihy & Wing's locality): a history of independent
//! objects is linearizable iff each object's sub-history is, so each is checked on its own.
//!
//! Guarantees:
//! - keyed histories are split by `key`; partitions come out in key order (`BTreeMap`), so the
//!   "first" invalid partition is well defined and independent of thread timing;
//! - multi-register histories are further split into connected components of the registers the
//!   transactions touch (a union–find over register names): a transaction touching registers in
//!   two components merges them. Components are ordered by their first operation;
//! - every operation lands in exactly one partition.

use super::models::multi_register;
use super::ModelKind;
use crate::checks::index::FastMap;
use crate::ops::Op;
use crate::value::Value;
use std::collections::BTreeMap;

/// The operations of one independent object.
#[derive(Clone, Debug, PartialEq)]
pub struct Partition {
    /// The key shared by its operations (`None` for unkeyed histories).
    pub key: Option<Value>,
    /// Indices into the checked `&[Op]` slice, in invocation order.
    pub ops: Vec<usize>,
}

/// Split `ops` into independent partitions for `model`.
pub fn partition(ops: &[Op], model: ModelKind) -> Vec<Partition> {
    // Grouped by hash, then the keys sorted once (cheaper than a tree lookup per operation).
    let mut slot: FastMap<Option<&Value>, usize> = FastMap::default();
    let mut by_key: Vec<(Option<&Value>, Vec<usize>)> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let k = op.key.as_ref();
        let s = *slot.entry(k).or_insert_with(|| {
            by_key.push((k, Vec::new()));
            by_key.len() - 1
        });
        by_key[s].1.push(i);
    }
    by_key.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::new();
    for (key, idx) in by_key {
        if model == ModelKind::MultiRegister {
            for comp in components(ops, &idx) {
                out.push(Partition {
                    key: key.cloned(),
                    ops: comp,
                });
            }
        } else {
            out.push(Partition {
                key: key.cloned(),
                ops: idx,
            });
        }
    }
    out
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Connected components of the operations `idx` by shared registers, ordered by first operation.
fn components(ops: &[Op], idx: &[usize]) -> Vec<Vec<usize>> {
    // Union-find over operation positions; registers map to the first position touching them.
    let mut parent: Vec<usize> = (0..idx.len()).collect();
    let mut owner: BTreeMap<Value, usize> = BTreeMap::new();
    for (pos, &i) in idx.iter().enumerate() {
        for reg in multi_register::registers(&ops[i]) {
            match owner.get(&reg) {
                Some(&other) => {
                    let (a, b) = (find(&mut parent, pos), find(&mut parent, other));
                    if a != b {
                        parent[a.max(b)] = a.min(b);
                    }
                }
                None => {
                    owner.insert(reg, pos);
                }
            }
        }
    }
    let mut comps: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (pos, &i) in idx.iter().enumerate() {
        let root = find(&mut parent, pos);
        comps.entry(root).or_default().push(i);
    }
    comps.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lin::models::test_op;

    #[test]
    fn keys_split_in_key_order() {
        let mut ops = Vec::new();
        for k in [3, 1, 3, 2] {
            let mut o = test_op("read", Value::Null, Value::Null);
            o.key = Some(Value::Int(k));
            ops.push(o);
        }
        let parts = partition(&ops, ModelKind::Register);
        let keys: Vec<_> = parts.iter().map(|p| p.key.clone()).collect();
        assert_eq!(keys, vec![Some(1.into()), Some(2.into()), Some(3.into())]);
        assert_eq!(parts[2].ops, vec![0, 2]);
    }

    #[test]
    fn transactions_join_components_through_shared_registers() {
        let t = |regs: &[&str]| {
            let v = Value::List(
                regs.iter()
                    .map(|r| Value::List(vec!["write".into(), (*r).into(), 1.into()]))
                    .collect(),
            );
            test_op("txn", v.clone(), v)
        };
        // {x}, {y}, {z,w}, then {x,y} joins the first two.
        let ops = vec![
            t(&["x"]),
            t(&["y"]),
            t(&["z", "w"]),
            t(&["y", "x"]),
            t(&["w"]),
        ];
        let parts = partition(&ops, ModelKind::MultiRegister);
        let groups: Vec<Vec<usize>> = parts.into_iter().map(|p| p.ops).collect();
        assert_eq!(groups, vec![vec![0, 1, 3], vec![2, 4]]);
    }
}
