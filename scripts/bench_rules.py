"""Benchmark: rule-coding throughput on the 57 PriMock57 consultations, one process.

Reads ``../shared/data/primock57/utterances.csv`` (doctor -> clinician, markup cleaned with
``ta_nlp.markup.clean``), then times in the same run

- baseline: spaCy tokenization alone of the clinician units (``nlp.tokenizer.pipe``, the rule
  pipeline's tokenizer, fresh);
- cold: a fresh ``RuleCoder`` (empty caches, loading not timed) coding every transcript as
  ``ta-nlp code`` does: batches of whole transcripts (``ta_nlp.coding.batches``, about 4,000
  utterances), one ``code_frame`` call per batch;
- cold, one transcript at a time: a fresh coder, one ``code_frame`` call per transcript (what a
  caller looping over transcripts gets);
- steady state: a fresh coder that has first coded the bundled annotated PT transcripts
  (``data/annotated/pt``, other texts, not timed), then the PriMock57 consultations: new texts
  with a warm vocabulary, as in the middle of a long batch;
- warm: the first coder again (analysis caches filled: repeated texts).

Figures are clinician utterances per second and ratios to the baseline measured in this run, so
they compare across machines. Usage::

    python scripts/bench_rules.py [--utterances PATH] [--repeat 3] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "primock57" / "utterances.csv"
ROLE_OF = {"doctor": "clinician", "patient": "patient"}


def load(path: Path) -> pd.DataFrame:
    from ta_nlp.markup import clean

    frame = pd.read_csv(path)
    frame["role"] = frame["speaker"].map(ROLE_OF).fillna("other")
    cleaned = [clean(t if isinstance(t, str) else "") for t in frame["text"]]
    frame["clean_text"] = [c for c, _ in cleaned]
    frame["events"] = [";".join(e) for _, e in cleaned]
    return frame


def time_tokenizer(texts: list[str]) -> float:
    from ta_nlp.rules import make_nlp

    nlp = make_nlp()
    start = time.perf_counter()
    for _ in nlp.tokenizer.pipe(texts, batch_size=256):
        pass
    return time.perf_counter() - start


def time_coder(frame: pd.DataFrame, coder=None, batched: bool = True) -> tuple[float, object]:
    from ta_nlp.coding import batches
    from ta_nlp.rules import RuleCoder

    coder = coder or RuleCoder()
    groups = [g for _, g in frame.groupby("transcript_id", sort=False)]
    start = time.perf_counter()
    for batch in batches(groups) if batched else [[g] for g in groups]:
        coder.code_frame(pd.concat(batch, ignore_index=True) if len(batch) > 1 else batch[0])
    return time.perf_counter() - start, coder


def pt_frame() -> pd.DataFrame:
    """The bundled annotated PT transcripts as one utterances table (the warm-up material)."""
    from ta_nlp.corpus import read_annotated

    frames = [read_annotated(path) for path in sorted((ROOT / "data" / "annotated" / "pt")
                                                      .glob("*.txt"))]
    return pd.concat(frames, ignore_index=True)


def time_steady(frame: pd.DataFrame, warmup: pd.DataFrame) -> float:
    from ta_nlp.rules import RuleCoder

    coder = RuleCoder()
    time_coder(warmup, coder)
    return time_coder(frame, coder)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--utterances", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the median is reported")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    if not args.utterances.exists():
        print(f"{args.utterances} not found: this benchmark needs the PriMock57 data beside the "
              f"project.", file=sys.stderr)
        return 2
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    frame = load(args.utterances)
    clinician = frame[frame["role"] == "clinician"]
    texts = clinician["clean_text"].tolist()
    n = len(texts)
    warmup = pt_frame()
    base, cold, single, steady, warm = [], [], [], [], []
    for _ in range(args.repeat):
        base.append(time_tokenizer(texts))
        seconds, coder = time_coder(frame)
        cold.append(seconds)
        warm.append(time_coder(frame, coder)[0])
        single.append(time_coder(frame, batched=False)[0])
        steady.append(time_steady(frame, warmup))
    b, c, s1, st, w = (statistics.median(x) for x in (base, cold, single, steady, warm))
    result = {
        "transcripts": int(frame["transcript_id"].nunique()),
        "clinician_utterances": n,
        "unique_clinician_texts": len(set(texts)),
        "tokenizer_utt_per_s": round(n / b),
        "rules_cold_utt_per_s": round(n / c),
        "rules_cold_one_transcript_at_a_time_utt_per_s": round(n / s1),
        "rules_steady_state_utt_per_s": round(n / st),
        "rules_warm_utt_per_s": round(n / w),
        "cold_time_over_tokenizer_time": round(c / b, 2),
        "one_at_a_time_over_batched_time": round(s1 / c, 2),
        "steady_state_time_over_tokenizer_time": round(st / b, 2),
        "warm_time_over_tokenizer_time": round(w / b, 2),
        "repeat": args.repeat,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
    }
    for key, value in result.items():
        print(f"{key:46s} {value}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
