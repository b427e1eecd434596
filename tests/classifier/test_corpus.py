"""Reading annotated files and the whole corpus (ta_nlp.corpus)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ta_nlp.codes import CODES
from ta_nlp.corpus import (
    ANNOTATED_COLUMNS,
    CORPUS_COLUMNS,
    clean_text,
    labelled_mask,
    load_corpus,
    model_text,
    read_annotated,
)
from ta_nlp.errors import AnnotationError

GOOD = """# transcript_id: t01_knee
# region: knee
# presentation: knee pain
# setting: in-person
# clinician_style: warm
# patient_temperament: calm
# clinician: PT
# patient: Pat
# author: writer-x
PT: Hi there, come through. || transition
Pat: Hello [laughs].

PT: What's brought you in? || information_gathering
Pat: My knee.
PT: Your knee, okay. Mm-hmm. || restating, listening
PT: Right. ||
"""


def _write(tmp_path, text, name="t01_knee.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_txt_units_roles_codes(tmp_path):
    frame = read_annotated(_write(tmp_path, GOOD))
    assert tuple(frame.columns) == ANNOTATED_COLUMNS
    assert list(frame["role"]) == ["clinician", "patient", "clinician", "patient", "clinician",
                                   "clinician"]
    assert list(frame["utterance_id"]) == [f"t01_knee-{i:04d}" for i in range(6)]
    assert frame.loc[0, "transition"] == 1 and frame.loc[0, "information_gathering"] == 0
    assert frame.loc[4, ["restating", "listening"]].tolist() == [1, 1]
    assert frame.loc[5, list(CODES)].sum() == 0          # '||' with no code: labelled, none
    assert frame.loc[1, list(CODES)].isna().all()        # patient units are not coded
    assert frame.loc[1, "text"] == "Hello [laughs]."
    assert frame.loc[1, "clean_text"] == "Hello."
    assert frame.loc[2, "text"] == "What's brought you in?"  # the code list is not text
    assert set(frame["coder"]) == {"writer-x"}
    assert frame.attrs["kind"] == "txt"


@pytest.mark.parametrize("edit, line, fragment", [
    (lambda t: t.replace("|| transition", "|| transitions"), 10, "Did you mean 'transition'"),
    (lambda t: t.replace("|| information_gathering", "|| info"), 13, "unknown code 'info'"),
    (lambda t: t.replace("PT: Right. ||", "Doc: Right. ||"), 16, "'PT:' or 'Pat:'"),
    (lambda t: t.replace("Pat: My knee.", "Pat: My knee. || restating"), 14, "patient unit"),
    (lambda t: t.replace("PT: Right. ||", "PT: Right."), 16, "no '||'"),
    (lambda t: t.replace("PT: Right. ||", "PT: ||"), 16, "no text"),
    (lambda t: t.replace("# author: writer-x\n", ""), 9, "author"),
    (lambda t: t.replace("# setting: in-person", "# setting: hospital"), 1, "setting"),
    (lambda t: t.replace("t01_knee", "t02_knee", 1), 1, "must match the file name"),
    (lambda t: t.replace("# region: knee", "region: knee"), 2, "lacks required key(s) region"),
    (lambda t: t.replace("# region: knee", "# region knee"), 2, "header line"),
])
def test_bad_txt_raises_e401_with_line(tmp_path, edit, line, fragment):
    path = _write(tmp_path, edit(GOOD))
    with pytest.raises(AnnotationError) as info:
        read_annotated(path)
    assert info.value.code == "E401"
    assert info.value.line == line
    assert f"{path}:{line}:" in info.value.message
    assert fragment in info.value.message


def test_labels_file_and_annotated_table(tmp_path):
    labels = tmp_path / "labels.csv"
    rows = [["c1", "c1-0001", "coder_a", *([1] + [0] * 9)],
            ["c1", "c1-0003", "coder_a", *([0, 1] + [0] * 8)]]
    pd.DataFrame(rows, columns=["transcript_id", "utterance_id", "coder", *CODES]).to_csv(
        labels, index=False)
    frame = read_annotated(labels)
    assert frame.attrs["kind"] == "labels"
    assert tuple(frame.columns) == ANNOTATED_COLUMNS
    assert list(frame["role"]) == ["clinician", "clinician"]
    assert frame["information_gathering"].tolist() == [1.0, 0.0]
    assert frame["text"].isna().all()

    table = tmp_path / "table.csv"
    pd.DataFrame({"transcript_id": ["c2"] * 2, "utterance_id": ["u1", "u2"],
                  "speaker": ["D", "P"], "role": ["clinician", "patient"],
                  "text": ["Any pain <UNIN/> today?", "Yes."],
                  **{c: [1 if c == "information_gathering" else 0, None] for c in CODES}}
                 ).to_csv(table, index=False)
    frame = read_annotated(table)
    assert frame.attrs["kind"] == "table"
    assert frame.loc[0, "clean_text"] == "Any pain today?"
    assert frame.loc[1, list(CODES)].isna().all()


def test_labels_file_bad_value_and_missing_column(tmp_path):
    path = tmp_path / "bad.csv"
    frame = pd.DataFrame([["c1", "c1-1", *([0] * 10)], ["c1", "c1-2", *([2] + [0] * 9)]],
                         columns=["transcript_id", "utterance_id", *CODES])
    frame.to_csv(path, index=False)
    with pytest.raises(AnnotationError) as info:
        read_annotated(path)
    assert info.value.code == "E401" and info.value.line == 3
    frame.drop(columns=["touch"]).to_csv(path, index=False)
    with pytest.raises(AnnotationError) as info:
        read_annotated(path)
    assert info.value.code == "E104" and "touch" in info.value.message


def test_markup_views():
    raw = "[laughs] Okay, <UNSURE>so</UNSURE> go on (crosstalk) <UNIN/>."
    assert model_text(raw) == "[laughs] Okay, so go on [crosstalk] [inaudible]."
    assert clean_text(raw) == "Okay, so go on."


# --- the whole corpus -----------------------------------------------------------------------

def _fake_primock(folder, held_out=("dayX_consultation09",)):
    """A made-up PriMock57-shaped folder (our own lines, not the data set's)."""
    folder.mkdir(parents=True)
    rows = [
        ("dayX_consultation01", "dayX_consultation01-0000", "doctor", 0.0, 2.0, "Hello, how can I help?"),
        ("dayX_consultation01", "dayX_consultation01-0001", "patient", 2.5, 5.0, "I've had a cough."),
        ("dayX_consultation01", "dayX_consultation01-0002", "doctor", 5.2, 7.0, "A cough, okay. Since when?"),
        ("dayX_consultation09", "dayX_consultation09-0000", "doctor", 0.0, 1.0, "Hi there."),
    ]
    pd.DataFrame(rows, columns=["transcript_id", "utterance_id", "speaker", "start", "end", "text"]
                 ).to_csv(folder / "utterances.csv", index=False)
    (folder / "HELD_OUT.txt").write_text("\n".join(held_out) + "\n", encoding="utf-8")
    return folder


def _labels(path, rows):
    pd.DataFrame(rows, columns=["transcript_id", "utterance_id", "coder", *CODES]).to_csv(
        path, index=False)


def test_load_corpus_joins_primock_text(tiny_data, tmp_path):
    data = tmp_path / "annotated"
    (data / "pt").mkdir(parents=True)
    for path in (tiny_data / "pt").glob("*.txt"):
        (data / "pt" / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (data / "primock57").mkdir()
    _labels(data / "primock57" / "dayX_consultation01.csv", [
        ["dayX_consultation01", "dayX_consultation01-0000", "coder_a", *([1] + [0] * 9)],
        ["dayX_consultation01", "dayX_consultation01-0002", "coder_a", *([1, 0, 1] + [0] * 7)]])
    primock = _fake_primock(tmp_path / "primock57")
    corpus = load_corpus(data, primock_dir=primock)
    assert tuple(corpus.columns) == CORPUS_COLUMNS
    assert set(corpus["source"]) == {"pt", "primock57"}
    pm = corpus[corpus["source"] == "primock57"].reset_index(drop=True)
    assert list(pm["role"]) == ["clinician", "patient", "clinician"]
    assert pm.loc[2, "text"] == "A cough, okay. Since when?"
    assert pm.loc[2, ["information_gathering", "restating"]].tolist() == [1.0, 1.0]
    assert pm.loc[1, list(CODES)].isna().all()
    assert pm.loc[0, "start"] == 0.0 and pm.loc[2, "end"] == 7.0
    assert labelled_mask(pm).tolist() == [True, False, True]

    with pytest.warns(UserWarning, match="skipping the PriMock57 labels"):
        without = load_corpus(data, primock_dir=tmp_path / "absent")
    assert set(without["source"]) == {"pt"}


def test_held_out_labels_are_refused(tmp_path):
    data = tmp_path / "annotated"
    (data / "primock57").mkdir(parents=True)
    _labels(data / "primock57" / "x.csv",
            [["dayX_consultation09", "dayX_consultation09-0000", "coder_a", *([0] * 10)]])
    with pytest.raises(AnnotationError) as info:
        load_corpus(data, primock_dir=_fake_primock(tmp_path / "primock57"))
    assert info.value.code == "E411" and "dayX_consultation09" in info.value.message


def test_double_coded_units_keep_the_primary_coder(tmp_path):
    data = tmp_path / "annotated"
    (data / "primock57").mkdir(parents=True)
    a = [["dayX_consultation01", "dayX_consultation01-0000", "coder_a", *([1] + [0] * 9)],
         ["dayX_consultation01", "dayX_consultation01-0002", "coder_a", *([1] + [0] * 9)]]
    b = [["dayX_consultation01", "dayX_consultation01-0000", "coder_b", *([0] * 10)]]
    _labels(data / "primock57" / "a.csv", a)
    _labels(data / "primock57" / "b.csv", b)
    corpus = load_corpus(data, primock_dir=_fake_primock(tmp_path / "primock57"))
    first = corpus[corpus["utterance_id"] == "dayX_consultation01-0000"]
    assert len(first) == 1 and first["information_gathering"].item() == 1.0


def test_committed_corpus_parses(root):
    """Every authored transcript in data/annotated/pt reads without error."""
    files = sorted((root / "data" / "annotated" / "pt").glob("*.txt"))
    if not files:
        pytest.skip("no authored transcripts yet")
    ids = set()
    for path in files:
        frame = read_annotated(path)
        assert (frame["role"] == "clinician").any(), path
        ids.add(frame["transcript_id"].iloc[0])
    assert len(ids) == len(files)


def test_evidence_columns_are_json_safe(tiny_corpus):
    # the frame feeds JSON/CSV writers: no objects other than str/float in it
    sample = tiny_corpus.head(3).to_dict(orient="records")
    json.dumps(sample, default=lambda v: None if isinstance(v, float) and np.isnan(v) else v)
