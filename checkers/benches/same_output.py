#!/usr/bin/env python3
"""Differential check of two `quorumlab` binaries: `quorumlab check` must print the same bytes
(stdout and stderr) and exit with the same code on every history under `histories/` and on
deterministic mutants of the JSON Lines ones.

For each history (`*.jsonl`, `*.edn`, `*.log`) it runs: the file alone; with its sidecars (`.args`,
`.final.json` as `--final`), as text and as `--json`; forced to `--format jsonl` (so every other
format exercises the JSON Lines error paths); and, for `.jsonl`, from standard input (`-`). Each
`.jsonl` history also yields MUTANTS mutated copies (seeded: the same mutants on every run) —
deleted, swapped and blank lines, CRLF endings, a cut last line, flipped bytes, invalid UTF-8,
duplicate and unknown fields, escapes, floats, big and negative numbers, another function on a
completion, indices that do not increase — each checked alone and with `--model cas-register`.

Usage: python3 checkers/benches/same_output.py OLD_BINARY NEW_BINARY [MUTANTS]   (default 40)
Exit status 0 when every output is identical; otherwise the first differences are printed.
"""

import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HISTORIES = ROOT / "histories"


def run(binary, args, stdin=None):
    p = subprocess.run(
        [binary, "check", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=600,
    )
    return p.returncode, p.stdout, p.stderr


def sidecars(path):
    args = []
    a = path.with_suffix(".args")
    if a.is_file():
        args += a.read_text().split()
    fin = path.with_suffix(".final.json")
    if fin.is_file():
        args += ["--final", str(fin.relative_to(ROOT))]
    return args


def cases():
    files = sorted(
        p for p in HISTORIES.rglob("*") if p.suffix in (".jsonl", ".edn", ".log")
    )
    for p in files:
        rel = str(p.relative_to(ROOT))
        side = sidecars(p)
        yield [rel], None
        yield [rel, *side], None
        yield [rel, "--json", *side], None
        yield [rel, "--format", "jsonl"], None
        if p.suffix == ".jsonl":
            yield ["-", *side], p.read_bytes()


def mutate(lines, rng):
    """One random mutation of a list of byte lines (each without its newline)."""
    lines = list(lines)
    i = rng.randrange(len(lines))
    line = lines[i]
    kind = rng.randrange(16)
    if kind == 0:
        del lines[i]
    elif kind == 1:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == 2:
        lines.insert(i, rng.choice([b"", b"   ", b"\t", b"\r", b"\xc2\xa0"]))
    elif kind == 3 and line:
        k = rng.randrange(len(line))
        b = rng.choice(b'{}[]":,\\-0123456789.eE nulltruefalse\x00\x1f\x7f\xff\xc3')
        lines[i] = line[:k] + bytes([b]) + line[k + 1 :]
    elif kind == 4:
        k = rng.randrange(len(line) + 1)
        lines[i] = line[:k] + rng.choice([b"\xff", b"\xc3", b"\xe2\x89", b"\xed\xa0\x80"]) + line[k:]
    elif kind == 5 and line.endswith(b"}"):
        extra = rng.choice(
            [
                b',"f":"read"',
                b',"type":"ok"',
                b',"extra":{"a":[1,2]}',
                b',"error":{"code":3}',
                b',"error":7',
                b',"error":null',
                b',"node":null',
                b',"key":null',
                b',"ts":null',
                b',"time":null',
                b',"index":null',
                b',"value":1.5',
                b',"value":-0',
                b',"value":9223372036854775808',
                b',"value":-9223372036854775808',
                b',"value":"\\u0041"',
                b',"value":[2,3]',
                b',"value":true',
                b',"ts":-1',
                b',"ts":18446744073709551616',
                b',"node":"n\\"1"',
                b',"\\u0066":"x"',
                b' , "time" : 5 ',
            ]
        )
        lines[i] = line[:-1] + extra + b"}"
    elif kind == 6:
        for a, b in [
            (b'"f":"read"', b'"f":"write"'),
            (b'"f":"write"', b'"f":"wrte"'),
            (b'"type":"ok"', b'"type":"fail"'),
            (b'"type":"invoke"', b'"type":"info"'),
            (b'"process":', b'"process":-'),
            (b'"process":', b'"process":"nemesis","p":'),
            (b'"index":', b'"index":1'),
            (b'"value":', b'"value":0'),
        ]:
            if a in line and rng.random() < 0.5:
                lines[i] = line.replace(a, b, 1)
                break
    elif kind == 7:
        lines[i] = line.replace(b'"index":', b'"index": 0, "ignored":', 1)
    elif kind == 8:
        return [l + b"\r" for l in lines]
    elif kind == 9 and line:
        return lines[:i] + [line[: rng.randrange(len(line))]]
    elif kind == 10:
        lines[i] = b"  " + line + b" \t"
    elif kind == 11:
        lines[i] = line.replace(b":", b" : ").replace(b",", b" , ")
    elif kind == 12 and i > 0:
        lines[i] = lines[i - 1]
    elif kind == 13:
        lines[i] = line.replace(b'"index":', b"", 1)
    elif kind == 14:
        lines[i] = line.replace(b'"', b"'", 2)
    else:
        lines[i] = line + b" x"
    return lines


def mutants(n):
    rng = random.Random(13)
    for p in sorted(HISTORIES.rglob("*.jsonl")):
        base = p.read_bytes().split(b"\n")
        if base and base[-1] == b"":
            base.pop()
        for m in range(n):
            lines = base
            for _ in range(rng.randrange(1, 4)):
                if lines:
                    lines = mutate(lines, rng)
            text = b"\n".join(lines) + (b"\n" if rng.random() < 0.8 else b"")
            yield f"{p.stem}-m{m}.jsonl", text


def main():
    old, new = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    runs = same = 0
    diffs = []

    def compare(args, stdin=None):
        nonlocal runs, same
        runs += 1
        a, b = run(old, args, stdin), run(new, args, stdin)
        if a == b:
            same += 1
        else:
            diffs.append((args, a, b))

    for args, stdin in cases():
        compare(args, stdin)
    histories_runs = runs
    with tempfile.TemporaryDirectory(prefix="same_output.") as tmp:
        for name, text in mutants(n):
            path = Path(tmp) / name
            path.write_bytes(text)
            compare([str(path)])
            compare([str(path), "--model", "cas-register"])
    print(
        f"{runs} runs ({histories_runs} on histories/, {runs - histories_runs} on mutants): "
        f"{same} identical, {len(diffs)} different"
    )
    for args, a, b in diffs[:10]:
        print("DIFF", " ".join(args))
        print("  old:", a)
        print("  new:", b)
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
