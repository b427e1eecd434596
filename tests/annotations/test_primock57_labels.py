"""Checks of the hand-made PriMock57 label files in ``data/annotated/primock57``.

Format checks run everywhere. Coverage checks against the transcripts need ``../shared`` and skip
when it is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

CODES = (
    "information_gathering",
    "clarifying_question",
    "restating",
    "humour",
    "transition",
    "pain_education",
    "education",
    "touch",
    "empathy",
    "listening",
)
COLUMNS = ("transcript_id", "utterance_id", "coder", *CODES)
DOUBLE_CODED = ("day1_consultation08", "day3_consultation04", "day5_consultation02")


@pytest.fixture(scope="module")
def labels_dir(root: Path) -> Path:
    return root / "data" / "annotated" / "primock57"


def _read_all(folder: Path) -> pd.DataFrame:
    files = sorted(folder.glob("*.csv"))
    return pd.concat([pd.read_csv(f, dtype={"coder": str}) for f in files], ignore_index=True)


def test_at_least_18_consultations_over_all_five_days(labels_dir: Path) -> None:
    ids = sorted(p.stem for p in labels_dir.glob("*.csv"))
    assert len(ids) >= 18
    assert {i.split("_")[0] for i in ids} == {"day1", "day2", "day3", "day4", "day5"}


@pytest.mark.parametrize("sub, coder", [("", "coder_a"), ("double", "coder_b")])
def test_every_file_has_the_fixed_columns_and_binary_codes(
    labels_dir: Path, sub: str, coder: str
) -> None:
    for path in sorted((labels_dir / sub).glob("*.csv")):
        frame = pd.read_csv(path, dtype={"coder": str})
        assert tuple(frame.columns) == COLUMNS, path.name
        assert (frame["transcript_id"] == path.stem).all(), path.name
        assert (frame["coder"] == coder).all(), path.name
        assert frame["utterance_id"].is_unique, path.name
        assert frame["utterance_id"].str.fullmatch(rf"{path.stem}-\d{{4}}").all(), path.name
        assert frame[list(CODES)].isin([0, 1]).all().all(), path.name


def test_double_coded_subset_matches_first_pass_units(labels_dir: Path) -> None:
    assert sorted(p.stem for p in (labels_dir / "double").glob("*.csv")) == list(DOUBLE_CODED)
    for tid in DOUBLE_CODED:
        first = pd.read_csv(labels_dir / f"{tid}.csv")
        second = pd.read_csv(labels_dir / "double" / f"{tid}.csv")
        assert first["utterance_id"].tolist() == second["utterance_id"].tolist()


def test_readme_count_table_matches_the_files(labels_dir: Path) -> None:
    labels = _read_all(labels_dir)
    readme = (labels_dir / "README.md").read_text(encoding="utf-8")
    table = dict(
        re.findall(r"^\| `(\w+)` \| (\d+) \| [\d.]+ \| \d+ \|$", readme, flags=re.MULTILINE)
    )
    assert table == {code: str(int(labels[code].sum())) for code in CODES}
    assert (
        f"coder_a, {len(labels)} doctor units in {labels['transcript_id'].nunique()} consultations"
        in readme
    )


@pytest.mark.shared
def test_labels_cover_every_doctor_utterance_and_no_held_out_consultation(
    labels_dir: Path, primock_dir: Path
) -> None:
    held_out = set((primock_dir / "HELD_OUT.txt").read_text(encoding="utf-8").split())
    utterances = pd.read_csv(primock_dir / "utterances.csv")
    doctor = utterances[utterances["speaker"] == "doctor"]
    labelled = sorted(p.stem for p in labels_dir.rglob("*.csv"))
    assert not held_out.intersection(labelled)
    for path in sorted(labels_dir.rglob("*.csv")):
        expected = doctor.loc[doctor["transcript_id"] == path.stem, "utterance_id"].tolist()
        assert pd.read_csv(path)["utterance_id"].tolist() == expected, path.name


@pytest.mark.shared
def test_no_transcript_text_is_stored_with_the_labels(labels_dir: Path, primock_dir: Path) -> None:
    texts = pd.read_csv(primock_dir / "utterances.csv")["text"]
    long_texts = {t for t in texts if isinstance(t, str) and len(t) >= 40}
    for path in sorted(labels_dir.rglob("*.csv")):
        content = path.read_text(encoding="utf-8")
        assert not any(t in content for t in long_texts), path.name
