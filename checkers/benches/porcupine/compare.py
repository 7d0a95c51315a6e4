#!/usr/bin/env python3
"""Per-history ratio table: quorumlab vs Porcupine on Porcupine's test histories.

Usage: compare.py OURS.tsv PORCUPINE.tsv [--markdown]

Both inputs are the tab-separated output of the two timers (`name verdict microseconds` per
history, then `TOTAL - microseconds`): OURS from `cargo bench -p quorumlab-checkers --bench
porcupine`, PORCUPINE from `porcupine-bench` (this directory). Prints, worst ratio first, each
history's times, the ratio ours/Porcupine (< 1: ours is faster) and whether the verdicts agree,
then the totals, the number of histories where ours is slower, and the verdict disagreements.
A Porcupine verdict ending in `+timeout` (or `unknown`) means its timeout was reached: its time is
a lower bound (`>=`), and so the ratio is an upper bound (`<=`); the verdict before `+` is what
Porcupine had found by then."""
import sys


def read(path):
    rows, total = {}, None
    for line in open(path):
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 3:
            continue
        name, verdict, us = parts
        if name == "TOTAL":
            total = int(us)
        else:
            rows[name] = (verdict, int(us))
    return rows, total


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    md = "--markdown" in sys.argv
    if len(args) != 2:
        sys.exit(__doc__)
    ours, ours_total = read(args[0])
    theirs, theirs_total = read(args[1])
    names = [n for n in ours if n in theirs]
    missing = sorted(set(ours) ^ set(theirs))
    table = []
    for n in names:
        (ov, ot), (tv, tt) = ours[n], theirs[n]
        bound = tv == "unknown" or tv.endswith("+timeout")
        tv = tv.split("+")[0]
        table.append((ot / max(tt, 1), n, ot, tt, ov, tv, bound))
    table.sort(key=lambda r: (-r[0], r[1]))
    head = ("history", "ours µs", "Porcupine µs", "ours/Porcupine", "verdicts")
    if md:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
    else:
        print("%-14s %12s %14s %15s  %s" % head)
    slower = 0
    disagree = []
    for ratio, n, ot, tt, ov, tv, bound in table:
        agree = "agree" if ov == tv else ("Porcupine timed out" if tv == "unknown" else "DIFFER %s/%s" % (ov, tv))
        if bound:
            agree += " (Porcupine cut by its timeout)"
        if ov != tv and tv != "unknown":
            disagree.append(n)
        if ratio > 1:
            slower += 1
        tts = (">=%d" if bound else "%d") % tt
        rs = ("<=%.3f" if bound else "%.3f") % ratio
        if md:
            print("| %s | %d | %s | %s | %s |" % (n, ot, tts, rs, agree))
        else:
            print("%-14s %12d %14s %15s  %s" % (n, ot, tts, rs, agree))
    bound = any(r[6] for r in table)
    print()
    print("histories: %d (ours slower on %d)%s" % (len(table), slower,
          "; only in one input: " + ", ".join(missing) if missing else ""))
    if ours_total is not None and theirs_total is not None:
        print("total: ours %d µs, Porcupine %s%d µs, ours/Porcupine %s%.4f (Porcupine/ours %s%.1f)" % (
            ours_total, ">=" if bound else "", theirs_total, "<=" if bound else "",
            ours_total / theirs_total, ">=" if bound else "", theirs_total / ours_total))
    print("verdicts: %s" % ("all agree" if not disagree else "differ on " + ", ".join(disagree)))


main()
