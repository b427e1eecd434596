"""Benchmark: segmenting the 57 PriMock57 consultations (114 TextGrid files).

    python scripts/bench_segment.py [--repeat 5]

Times, in the same run and on the same files:
  baseline  ``ta_nlp.readers.read`` — decoding and parsing only (no markup, roles or timing);
  segment   ``ta_nlp.segment.segment`` — reading + markup cleaning + roles + encounter timing;
  + write   ``segment(..., out=tmp)`` — the above plus writing the three CSV files.
Reports the median of ``--repeat`` runs as utterances per second and as a ratio to the baseline.
Skips with a message when ../shared/data/primock57 is absent.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
FOLDER = ROOT.parent / "shared" / "data" / "primock57" / "transcripts"


def timed(func, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not FOLDER.exists():
        print(f"skipped: {FOLDER} is absent (this benchmark needs the shared PriMock57 data)")
        return 0
    from ta_nlp.readers import read
    from ta_nlp.segment import segment

    read(FOLDER)  # warm-up: imports, file cache
    t_read, transcripts = timed(lambda: read(FOLDER), args.repeat)
    n = sum(len(t) for t in transcripts)
    t_seg, result = timed(lambda: segment(FOLDER), args.repeat)
    assert len(result.utterances) == n and result.errors.empty
    with tempfile.TemporaryDirectory() as tmp:
        t_write, _ = timed(lambda: segment(FOLDER, out=tmp), args.repeat)
    print(f"PriMock57: {len(transcripts)} consultations, {n} utterances; median of {args.repeat} runs")
    print(f"{'step':<28}{'seconds':>9}{'utt/s':>10}{'x baseline time':>17}")
    for name, seconds in (("baseline: read only", t_read), ("segment (in memory)", t_seg),
                          ("segment + write CSVs", t_write)):
        print(f"{name:<28}{seconds:>9.3f}{n / seconds:>10,.0f}{seconds / t_read:>17.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
