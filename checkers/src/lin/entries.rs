//! The history as a doubly linked list of call and return entries (Lowe 2017; Porcupine's
//! `entry` list), built from prepared operations.
//!
//! Guarantees:
//! - entries are in real-time order; at equal ranks calls come before returns (closed intervals);
//! - any rank order is accepted: a return ranked before its own call (which [`crate::ops::pair`]
//!   never produces, but a hand-built [`Prepared`] may) is taken at the call's rank, so every
//!   return entry follows its call entry and building never fails;
//! - operations are numbered `0..n` in call order, so the search's bitset is dense;
//! - an open operation (Jepsen `info`, or completed after the cut) has a call entry and no return
//!   entry: it may be linearized anywhere after its call, or never;
//! - open operations with equal inputs share a `class` (they are interchangeable, see
//!   [`super::search`]);
//! - [`Entries::lift`] and [`Entries::unlift`] remove and restore an operation's entries in O(1),
//!   and undoing lifts in reverse order restores the list exactly.

use super::model::{Model, Prepared};
use std::collections::HashMap;
use std::hash::Hash;

/// "No node" in `next`/`prev`/`partner`.
pub const NONE: u32 = u32::MAX;
/// The head sentinel's node index.
pub const HEAD: u32 = 0;

/// One list node.
#[derive(Clone, Copy, Debug)]
pub struct Node {
    /// Next node in the list, or [`NONE`].
    pub next: u32,
    /// Previous node (the head sentinel for the first entry).
    pub prev: u32,
    /// The operation's id.
    pub op: u32,
    /// For a call: its return node ([`NONE`] when open). For a return: its call node.
    pub partner: u32,
    /// Whether this is a call entry.
    pub is_call: bool,
}

/// One operation of the list.
#[derive(Clone, Debug)]
pub struct Item<I> {
    /// The model's input.
    pub input: I,
    /// Index into the prepared operations the list was built from.
    pub prepared: usize,
    /// Whether it must be linearized (it completed before the cut).
    pub required: bool,
    /// Whether it never changes the state ([`Model::is_pure`]).
    pub pure: bool,
    /// For an open operation, its class of interchangeable open operations (equal inputs);
    /// [`NONE`] for completed ones.
    pub class: u32,
    /// Real-time rank of its invocation.
    pub call: u64,
    /// Real-time rank of its completion; `None` when open.
    pub ret: Option<u64>,
    /// Its call node.
    pub call_node: u32,
}

/// The entry list of one partition.
#[derive(Clone, Debug)]
pub struct Entries<I> {
    /// Nodes; index 0 is the head sentinel.
    pub nodes: Vec<Node>,
    /// Operations by id (call order).
    pub items: Vec<Item<I>>,
}

impl<I: Clone + Eq + Hash> Entries<I> {
    /// Build the list from `prepared` (in any order). With `cut = Some(c)`, only the history up to
    /// real-time rank `c` is kept: operations invoked later are dropped and operations completed
    /// later become open (their reads vanish, see [`Model::open`]).
    pub fn build<M: Model<Input = I>>(
        model: &M,
        prepared: &[Prepared<I>],
        cut: Option<u64>,
    ) -> Entries<I> {
        let limit = cut.unwrap_or(u64::MAX);
        let mut chosen: Vec<(u64, Option<u64>, I, usize)> = Vec::with_capacity(prepared.len());
        for (i, p) in prepared.iter().enumerate() {
            if p.call > limit {
                continue;
            }
            match p.ret.map(|r| r.max(p.call)) {
                Some(r) if r <= limit => chosen.push((p.call, Some(r), p.input.clone(), i)),
                Some(_) => {
                    if let Some(open) = model.open(&p.input) {
                        chosen.push((p.call, None, open, i));
                    }
                }
                None => chosen.push((p.call, None, p.input.clone(), i)),
            }
        }
        chosen.sort_by_key(|c| (c.0, c.3));
        // Events: (rank, is_return, op id). Calls are already in order; sort the returns and
        // merge, calls first at equal ranks.
        let mut returns: Vec<(u64, u32)> = chosen
            .iter()
            .enumerate()
            .filter_map(|(id, c)| c.1.map(|r| (r, id as u32)))
            .collect();
        returns.sort_unstable();
        let mut events: Vec<(u64, bool, u32)> = Vec::with_capacity(chosen.len() + returns.len());
        let mut rets = returns.into_iter().peekable();
        for (id, c) in chosen.iter().enumerate() {
            while let Some(&(r, op)) = rets.peek() {
                if r >= c.0 {
                    break;
                }
                events.push((r, true, op));
                rets.next();
            }
            events.push((c.0, false, id as u32));
        }
        events.extend(rets.map(|(r, op)| (r, true, op)));
        let mut nodes = Vec::with_capacity(events.len() + 1);
        nodes.push(Node {
            next: if events.is_empty() { NONE } else { 1 },
            prev: NONE,
            op: NONE,
            partner: NONE,
            is_call: false,
        });
        let mut items: Vec<Item<I>> = chosen
            .into_iter()
            .map(|(call, ret, input, prepared)| Item {
                pure: model.is_pure(&input),
                class: NONE,
                call,
                ret,
                input,
                prepared,
                required: ret.is_some(),
                call_node: NONE,
            })
            .collect();
        let class_of: Vec<u32> = {
            let mut classes: HashMap<&I, u32> = HashMap::new();
            items
                .iter()
                .map(|item| {
                    if item.required {
                        return NONE;
                    }
                    let next = classes.len() as u32;
                    *classes.entry(&item.input).or_insert(next)
                })
                .collect()
        };
        for (item, class) in items.iter_mut().zip(class_of) {
            item.class = class;
        }
        for (k, &(_, is_return, op)) in events.iter().enumerate() {
            let idx = (k + 1) as u32;
            let next = if k + 1 < events.len() { idx + 1 } else { NONE };
            let item = &mut items[op as usize];
            let partner = if is_return {
                let call = item.call_node;
                nodes[call as usize].partner = idx;
                call
            } else {
                item.call_node = idx;
                NONE
            };
            nodes.push(Node {
                next,
                prev: idx - 1,
                op,
                partner,
                is_call: !is_return,
            });
        }
        Entries { nodes, items }
    }
}

impl<I> Entries<I> {
    /// Unlink one node (its own `next`/`prev` are kept, for [`Entries::unlink_undo`]).
    #[inline]
    fn unlink(&mut self, n: u32) {
        let Node { next, prev, .. } = self.nodes[n as usize];
        self.nodes[prev as usize].next = next;
        if next != NONE {
            self.nodes[next as usize].prev = prev;
        }
    }

    #[inline]
    fn unlink_undo(&mut self, n: u32) {
        let Node { next, prev, .. } = self.nodes[n as usize];
        self.nodes[prev as usize].next = n;
        if next != NONE {
            self.nodes[next as usize].prev = n;
        }
    }

    /// Remove the operation whose call node is `call` (and its return node) from the list.
    #[inline]
    pub fn lift(&mut self, call: u32) {
        self.unlink(call);
        let ret = self.nodes[call as usize].partner;
        if ret != NONE {
            self.unlink(ret);
        }
    }

    /// Undo [`Entries::lift`] of `call`; lifts must be undone in reverse order.
    #[inline]
    pub fn unlift(&mut self, call: u32) {
        let ret = self.nodes[call as usize].partner;
        if ret != NONE {
            self.unlink_undo(ret);
        }
        self.unlink_undo(call);
    }

    /// The first node of the list, or [`NONE`].
    pub fn first(&self) -> u32 {
        self.nodes[HEAD as usize].next
    }

    /// Number of operations that must be linearized.
    pub fn required(&self) -> usize {
        self.items.iter().filter(|i| i.required).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lin::models::register::{RegOp, Register};
    use crate::lin::NilRead;

    fn p(input: RegOp, call: u64, ret: Option<u64>) -> Prepared<RegOp> {
        Prepared {
            input,
            call,
            ret,
            op: 0,
        }
    }

    fn walk<I>(e: &Entries<I>) -> Vec<(u32, bool)> {
        let mut out = Vec::new();
        let mut n = e.first();
        while n != NONE {
            out.push((e.nodes[n as usize].op, e.nodes[n as usize].is_call));
            n = e.nodes[n as usize].next;
        }
        out
    }

    #[test]
    fn entries_follow_real_time_and_lift_round_trips() {
        let m = Register::new(None, NilRead::Literal).unwrap();
        let ops = vec![
            p(RegOp::Read(1), 2, Some(5)),
            p(RegOp::Write(1, 1), 0, Some(3)),
            p(RegOp::Write(2, 2), 4, None),
        ];
        let mut e = Entries::build(&m, &ops, None);
        // ids by call order: write(0), read(1), open write(2).
        assert_eq!(e.items[0].prepared, 1);
        assert_eq!(
            walk(&e),
            vec![(0, true), (1, true), (0, false), (2, true), (1, false)]
        );
        assert_eq!(e.required(), 2);
        let before = walk(&e);
        let (c0, c2) = (e.items[0].call_node, e.items[2].call_node);
        e.lift(c0);
        e.lift(c2);
        assert_eq!(walk(&e), vec![(1, true), (1, false)]);
        e.unlift(c2);
        e.unlift(c0);
        assert_eq!(walk(&e), before);
    }

    #[test]
    fn a_return_ranked_before_its_call_is_taken_at_the_call() {
        let m = Register::new(None, NilRead::Literal).unwrap();
        let ops = vec![
            p(RegOp::Write(1, 1), 10, Some(2)),
            p(RegOp::Read(1), 5, Some(0)),
            p(RegOp::Read(1), 20, Some(30)),
        ];
        let e = Entries::build(&m, &ops, None);
        assert_eq!(e.required(), 3);
        // Every return entry comes after its call entry.
        let order = walk(&e);
        for op in 0..3u32 {
            let call = order.iter().position(|&(o, c)| o == op && c);
            let ret = order.iter().position(|&(o, c)| o == op && !c);
            assert!(call < ret, "{order:?}");
        }
        let e = Entries::build(&m, &ops, Some(6));
        assert_eq!(e.items.len(), 1);
    }

    #[test]
    fn cut_drops_later_calls_and_opens_later_returns() {
        let m = Register::new(None, NilRead::Literal).unwrap();
        let ops = vec![
            p(RegOp::Write(1, 1), 0, Some(3)),
            p(RegOp::Read(1), 2, Some(5)),
            p(RegOp::Write(2, 2), 4, Some(6)),
        ];
        let e = Entries::build(&m, &ops, Some(4));
        // The read completes after the cut and vanishes; the write at 4 becomes open.
        assert_eq!(e.items.len(), 2);
        assert_eq!(walk(&e), vec![(0, true), (0, false), (1, true)]);
        assert!(!e.items[1].required);
    }
}
