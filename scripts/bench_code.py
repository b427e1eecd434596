"""Benchmark: batch coding (`ta_nlp.code`) of the PriMock57 consultations, --workers 1 vs 2.

    python scripts/bench_code.py [--coder rules] [--copies 8] [--repeat 2]

The 57 consultations are copied ``--copies`` times under new names into a temporary folder (so
the batch is big enough for worker processes to matter), every text of copy k ending in the word
``zq<k>`` so that no copy repeats another's texts (the coder caches analyses by text; caches
start empty in every run). Each run is a fresh process that loads the coder
once, then times ``code(folder, coder=..., workers=N)`` as ``ta-nlp code`` runs it (read +
segment + code + count, no output folder; workers are forked with the loaded rule coder). Reports
clinician units per second for workers=1 and 2, the ratio measured in the same run, and the
one-off start-up (imports + loading the coder) separately. Skips with a message when
../shared/data/primock57 is absent.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRIMOCK = ROOT.parent / "shared" / "data" / "primock57" / "transcripts"

CHILD = """
import sys, time
t0 = time.perf_counter()
from ta_nlp.coding import code, make_coder
coder = make_coder(sys.argv[2])
t1 = time.perf_counter()
r = code([sys.argv[1]], coder=coder, workers=int(sys.argv[3]))
t2 = time.perf_counter()
print(t1 - t0, t2 - t1, int((r.utterances["role"] == "clinician").sum()),
      r.utterances["transcript_id"].nunique())
"""


def run_once(folder: Path, coder: str, workers: int) -> tuple[float, float, int, int]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(folder), coder, str(workers)],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2]), int(out[3])


_TEXT_LINE = re.compile(r'^(\s*text = ")(.+)("\s*)$')


def make_copies(target: Path, copies: int) -> None:
    """``copies`` copies of every TextGrid, each non-empty interval of copy k ending in the word
    ``zq<k>``: every copy's texts are new to the coder's caches (its words are not)."""
    for k in range(copies):
        for source in sorted(PRIMOCK.glob("*.TextGrid")):
            lines = source.read_text(encoding="utf-8").splitlines()
            marked = [_TEXT_LINE.sub(rf"\g<1>\g<2> zq{k}\g<3>", line) for line in lines]
            (target / f"copy{k:02d}_{source.name}").write_text("\n".join(marked) + "\n",
                                                              encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coder", default="rules")
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if not PRIMOCK.is_dir():
        print(f"skipped: {PRIMOCK} is absent (needs the shared PriMock57 data)")
        return
    startup: list[float] = []
    times: dict[int, list[float]] = {1: [], 2: []}
    units = transcripts = 0
    with tempfile.TemporaryDirectory(prefix="ta_nlp_bench_") as tmp:
        folder = Path(tmp)
        make_copies(folder, args.copies)
        for _ in range(args.repeat):
            for workers in (1, 2):  # alternate, so load changes hit both alike
                start, seconds, units, transcripts = run_once(folder, args.coder, workers)
                startup.append(start)
                times[workers].append(seconds)
    med = {w: statistics.median(v) for w, v in times.items()}
    print(f"coder={args.coder}: {units:,} clinician units in {transcripts} transcripts "
          f"({args.copies} copies of PriMock57), median of {args.repeat} fresh processes")
    print(f"  start-up (imports + loading the coder, once per process): "
          f"{statistics.median(startup):.2f} s")
    for w in (1, 2):
        print(f"  code(), workers={w}: {med[w]:.2f} s  {units / med[w]:,.0f} clinician units/s "
              f"(read + segment + code + count)")
    print(f"  speed-up workers=2 / workers=1: {med[1] / med[2]:.2f}x")


if __name__ == "__main__":
    main()
