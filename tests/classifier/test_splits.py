"""Train/dev/test splits grouped by transcript (ta_nlp.corpus.assign_splits, load_splits) and
scripts/make_splits.py."""

from __future__ import annotations

import importlib.util

import pandas as pd
import pytest

from ta_nlp.corpus import SPLITS_COLUMNS, assign_splits, load_splits, read_splits
from ta_nlp.errors import AnnotationError


def _transcripts(n_pt: int, n_pm: int) -> pd.DataFrame:
    rows = [(f"pt{i:02d}", "pt") for i in range(n_pt)]
    rows += [(f"day{i:02d}", "primock57") for i in range(n_pm)]
    return pd.DataFrame(rows, columns=["transcript_id", "source"])


def test_assign_is_stratified_and_near_70_15_15():
    splits = assign_splits(_transcripts(40, 20), seed=0)
    assert tuple(splits.columns) == SPLITS_COLUMNS
    merged = splits.assign(source=lambda f: f["transcript_id"].str[:2])
    counts = merged.groupby(["source", "split"]).size()
    # 40 PT: 28/6/6; 20 PriMock57: 14/3/3 (greedy on the deficit from 70/15/15)
    assert counts["pt"].to_dict() == {"dev": 6, "test": 6, "train": 28}
    assert counts["da"].to_dict() == {"dev": 3, "test": 3, "train": 14}


def test_assign_is_deterministic_and_seeded():
    a = assign_splits(_transcripts(30, 10), seed=0)
    b = assign_splits(_transcripts(30, 10), seed=0)
    c = assign_splits(_transcripts(30, 10), seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_existing_assignments_stay_when_transcripts_are_added():
    first = assign_splits(_transcripts(20, 0), seed=0)
    more = assign_splits(_transcripts(42, 0), existing=first, seed=0)
    kept = more.merge(first, on="transcript_id", suffixes=("", "_before"))
    assert len(kept) == 20 and (kept["split"] == kept["split_before"]).all()
    assert more["split"].value_counts().to_dict() == {"train": 30, "dev": 6, "test": 6}


def test_bad_fractions():
    with pytest.raises(AnnotationError) as info:
        assign_splits(_transcripts(3, 0), fractions=(0.5, 0.5, 0.5))
    assert info.value.code == "E414"


def test_load_splits_no_transcript_in_two_splits(tiny_data, tiny_corpus):
    splits = load_splits(tiny_data, corpus=tiny_corpus)
    ids = {name: set(frame["transcript_id"]) for name, frame in splits.items()}
    assert ids == {"train": {"tiny01_knee", "tiny02_back", "tiny03_shoulder", "tiny04_ankle"},
                   "dev": {"tiny05_neck"}, "test": {"tiny06_hip"}}
    assert sum(len(f) for f in splits.values()) == len(tiny_corpus)


def test_unassigned_transcript_and_bad_split_file(tiny_data, tiny_corpus, tmp_path):
    partial = tmp_path / "splits.csv"
    partial.write_text("transcript_id,split\ntiny01_knee,train\n", encoding="utf-8")
    with pytest.raises(AnnotationError) as info:
        load_splits(tiny_data, splits_file=partial, corpus=tiny_corpus)
    assert info.value.code == "E416" and "tiny02_back" in info.value.message
    partial.write_text("transcript_id,split\ntiny01_knee,training\n", encoding="utf-8")
    with pytest.raises(AnnotationError) as info:
        read_splits(partial)
    assert info.value.code == "E401" and info.value.line == 2
    with pytest.raises(AnnotationError) as info:
        read_splits(tmp_path / "absent.csv")
    assert info.value.code == "E415"


def test_committed_splits_cover_the_corpus(root):
    """data/annotated/splits.csv assigns every committed transcript exactly once."""
    data = root / "data" / "annotated"
    if not (data / "splits.csv").is_file():
        pytest.skip("no splits.csv yet")
    splits = read_splits(data / "splits.csv")
    assert not splits["transcript_id"].duplicated().any()
    assigned = set(splits["transcript_id"])
    pt = {p.stem for p in (data / "pt").glob("*.txt")}
    primock = set()
    for path in (data / "primock57").glob("*.csv"):
        primock |= set(pd.read_csv(path, usecols=["transcript_id"])["transcript_id"])
    assert pt | primock <= assigned


def _script(root):
    spec = importlib.util.spec_from_file_location("make_splits", root / "scripts" / "make_splits.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_splits_script_extends_without_moving(root, tiny_data, tmp_path, capsys):
    data = tmp_path / "annotated"
    (data / "pt").mkdir(parents=True)
    files = sorted((tiny_data / "pt").glob("*.txt"))
    for path in files[:4]:
        (data / "pt" / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    script = _script(root)
    assert script.main(["--data", str(data)]) == 0
    before = read_splits(data / "splits.csv")
    for path in files[4:]:
        (data / "pt" / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert script.main(["--data", str(data), "--check"]) == 1
    assert script.main(["--data", str(data)]) == 0
    after = read_splits(data / "splits.csv")
    assert len(after) == 6
    merged = before.merge(after, on="transcript_id", suffixes=("_before", "_after"))
    assert (merged["split_before"] == merged["split_after"]).all()
    assert script.main(["--data", str(data), "--check"]) == 0
