#!/usr/bin/env python3
"""Write h1m.jsonl, the 1M-operation history of BENCHMARKS.md ("1M-operation JSONL").

histories/valid/recorded-quorum-mixed.jsonl (1 232 events, 608 operations, keys 0-7, processes
0-69, times up to 6.334 s) is repeated BLOCKS times; block b shifts every key by 16*b, every client
process by 1000*b and every time by b*(last time + 1 us), and indices run on through the file.
Store timestamps (`ts`), values, nodes and nemesis events are copied as they are; non-ASCII
characters are written as `\\uXXXX` escapes (json.dumps' default). With the default 1 645 blocks:
2 026 640 events, 1 000 160 operations, 13 160 keys, 241 001 266 bytes. The output is deterministic
(the same bytes on every run), and the same as `h1m_text` in checkers/benches/load.rs writes
(`H1M_OUT=h1m.jsonl cargo bench -p quorumlab-checkers --bench load`).

Usage: python3 checkers/benches/gen_h1m.py [OUT [BLOCKS]]   (default: h1m.jsonl 1645)
"""

import json
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "histories/valid/recorded-quorum-mixed.jsonl"
KEY_STRIDE = 16
PROCESS_STRIDE = 1000


def blocks(n):
    events = [json.loads(line) for line in SOURCE.read_text().splitlines() if line.strip()]
    period = max(e.get("time", 0) for e in events) + 1000
    index = 0
    for b in range(n):
        for e in events:
            out = {}
            for k, v in e.items():
                if k == "index":
                    v = index
                elif k == "time":
                    v = v + b * period
                elif k == "process" and isinstance(v, int):
                    v = v + b * PROCESS_STRIDE
                elif k == "key" and isinstance(v, int):
                    v = v + b * KEY_STRIDE
                out[k] = v
            index += 1
            yield json.dumps(out, separators=(",", ":"))


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "h1m.jsonl")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1645
    with out.open("w") as f:
        for line in blocks(n):
            f.write(line)
            f.write("\n")


if __name__ == "__main__":
    main()
