"""Create or extend ``data/annotated/splits.csv`` (transcript_id, split).

Usage: ``python scripts/make_splits.py [--data data/annotated] [--seed 0] [--check]``

Every transcript of the annotated corpus gets a split (train/dev/test, ~70/15/15 of transcripts
within each source, seeded). Assignments already in the file are never changed, so adding
transcripts later leaves the existing train/dev/test sets as they were. PriMock57 label files are
listed from ``data/annotated/primock57/*.csv`` (their transcript ids), so the script works without
../shared. ``--check`` exits 1 if a transcript has no split, without writing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from ta_nlp.corpus import assign_splits, read_annotated, read_splits
from ta_nlp.io import atomic_write_csv


def corpus_transcripts(data_dir: Path) -> pd.DataFrame:
    rows = [(p.stem, "pt") for p in sorted((data_dir / "pt").glob("*.txt"))]
    for path in sorted((data_dir / "primock57").glob("*.csv")):
        for tid in pd.unique(read_annotated(path)["transcript_id"]):
            rows.append((str(tid), "primock57"))
    return pd.DataFrame(rows, columns=["transcript_id", "source"]).drop_duplicates("transcript_id")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/annotated"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true", help="only check; do not write")
    args = parser.parse_args(argv)
    path = args.data / "splits.csv"
    existing = read_splits(path) if path.is_file() else None
    transcripts = corpus_transcripts(args.data)
    splits = assign_splits(transcripts, existing, seed=args.seed)
    new = len(splits) - (0 if existing is None else len(existing))
    if args.check:
        if new:
            print(f"{new} transcript(s) have no split; run scripts/make_splits.py", file=sys.stderr)
            return 1
        return 0
    atomic_write_csv(path, splits)
    merged = splits.merge(transcripts, on="transcript_id", how="left")
    table = merged.groupby(["source", "split"]).size().unstack(fill_value=0)
    print(f"wrote {path}: {len(splits)} transcripts, {new} newly assigned\n{table}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
