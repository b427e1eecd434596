"""Benchmark: batch rule coding (`ta_nlp.code`) of the 57 PriMock57 consultations, --workers 1 vs 2.

    python scripts/bench_code.py [--coder rules] [--repeat 2]

Times the whole batch as `ta-nlp code` runs it (read + segment + code + count, no output folder),
in fresh processes (worker start-up and coder loading included), and reports clinician units per
second with the ratio of workers=2 to workers=1 measured in the same run. Skips with a message when
../shared/data/primock57 is absent.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRIMOCK = ROOT.parent / "shared" / "data" / "primock57" / "transcripts"

CHILD = """
import sys, time
from ta_nlp.coding import code
t = time.perf_counter()
r = code([sys.argv[1]], coder=sys.argv[2], workers=int(sys.argv[3]))
print(time.perf_counter() - t, int((r.utterances["role"] == "clinician").sum()))
"""


def run_once(coder: str, workers: int) -> tuple[float, int]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(PRIMOCK), coder, str(workers)],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coder", default="rules")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if not PRIMOCK.is_dir():
        print(f"skipped: {PRIMOCK} is absent (needs the shared PriMock57 data)")
        return
    times: dict[int, list[float]] = {1: [], 2: []}
    units = 0
    for _ in range(args.repeat):
        for workers in (1, 2):  # alternate, so load changes hit both alike
            seconds, units = run_once(args.coder, workers)
            times[workers].append(seconds)
    med = {w: statistics.median(v) for w, v in times.items()}
    print(f"coder={args.coder}, {units} clinician units in 57 consultations, "
          f"median of {args.repeat} fresh processes")
    for w in (1, 2):
        print(f"  workers={w}: {med[w]:.2f} s  {units / med[w]:,.0f} clinician units/s")
    print(f"  speed-up workers=2 / workers=1: {med[1] / med[2]:.2f}x")


if __name__ == "__main__":
    main()
