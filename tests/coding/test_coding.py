"""Batch coding: outputs, counts, resume, workers, errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ta_nlp.codes import CODES
from ta_nlp.coding import CODED_COLUMNS, code, count_codes
from ta_nlp.errors import TaNlpError


class QuestionCoder:
    """A transparent stand-in coder: '?' -> information_gathering, 'mm-hmm' -> listening."""

    name = "question-test"

    def __init__(self, tag: str = "v1"):
        self.config = {"tag": tag}
        self.coded: list[str] = []   # transcripts coded (code() may pass several in one call)

    @property
    def calls(self) -> int:
        return len(self.coded)

    def code_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        self.coded.extend(frame["transcript_id"].drop_duplicates().tolist())
        out = pd.DataFrame(0, index=frame.index, columns=list(CODES))
        evidence = []
        for idx, row in frame.iterrows():
            ev = {}
            text = str(row["clean_text"])
            if row["role"] == "clinician" and text.rstrip().endswith("?"):
                out.loc[idx, "information_gathering"] = 1
                ev["information_gathering"] = [{"pattern": "test.q", "start": len(text) - 1,
                                                "end": len(text)}]
            if row["role"] == "clinician" and text.lower().startswith("mm-hmm"):
                out.loc[idx, "listening"] = 1
            evidence.append(json.dumps(ev))
        out["evidence"] = evidence
        return out


def _write_transcripts(folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(
        "Therapist: Hi, what brings you in today?\n"
        "Patient: My knee has been sore for a month.\n"
        "Therapist: Mm-hmm.\n"
        "Patient: Mostly on stairs.\n"
        "Therapist: Does it wake you at night?\n"
        "Patient: No.\n", encoding="utf-8")
    (folder / "b.txt").write_text(
        "Therapist: Let's get started. How is your shoulder?\n"
        "Patient: Better, thanks.\n", encoding="utf-8")
    return folder


def test_code_writes_contract_tables(tmp_path):
    src = _write_transcripts(tmp_path / "in")
    result = code(src, out=tmp_path / "out", coder=QuestionCoder())
    utt = pd.read_csv(tmp_path / "out" / "utterances.csv")
    assert tuple(utt.columns) == CODED_COLUMNS
    assert set(utt.loc[utt.role == "patient", list(CODES)].to_numpy().ravel()) == {0}
    enc = result.encounters.set_index("transcript_id")
    assert enc.loc["a", "information_gathering_n"] == 2
    assert enc.loc["a", "listening_n"] == 1
    assert enc.loc["a", "information_gathering_per100"] == pytest.approx(200 / 3)
    assert enc.loc["b", "listening_present"] == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["coder"]["name"] == "question-test"
    assert {entry["sha256"] is not None for entry in manifest["inputs"]} == {True}
    assert len(manifest["inputs"]) == 2


def test_resume_skips_coded_transcripts_and_detects_config_change(tmp_path):
    src = _write_transcripts(tmp_path / "in")
    coder = QuestionCoder()
    first = code(src, out=tmp_path / "out", coder=coder)
    assert coder.calls == 2 and first.n_reused == 0
    again = QuestionCoder()
    second = code(src, out=tmp_path / "out", coder=again)
    assert again.calls == 0 and second.n_reused == 2
    pd.testing.assert_frame_equal(first.utterances, second.utterances)
    # An edited transcript is coded again; the other is reused.
    (src / "b.txt").write_text("Therapist: Any questions for me?\nPatient: No.\n")
    third_coder = QuestionCoder()
    third = code(src, out=tmp_path / "out", coder=third_coder)
    assert third_coder.calls == 1 and third.n_reused == 1
    with pytest.raises(TaNlpError, match="E306"):
        code(src, out=tmp_path / "out", coder=QuestionCoder(tag="v2"))
    forced = code(src, out=tmp_path / "out", coder=QuestionCoder(tag="v2"), force=True)
    assert forced.n_reused == 0


def test_count_codes_rates_with_timing():
    coded = pd.DataFrame({
        "transcript_id": ["t"] * 4, "role": ["clinician", "patient", "clinician", "clinician"],
        **{c: [0, 0, 0, 0] for c in CODES}})
    coded.loc[[0, 2], "humour"] = 1
    enc = pd.DataFrame({"transcript_id": ["t"], "duration_s": [300.0]})
    counts = count_codes(coded, enc).iloc[0]
    assert counts["humour_n"] == 2
    assert counts["humour_per100"] == pytest.approx(200 / 3)
    assert counts["humour_per10min"] == pytest.approx(4.0)
    assert counts["humour_present"] == 1
    assert np.isnan(count_codes(coded, pd.DataFrame({"transcript_id": ["t"],
                                                      "duration_s": [np.nan]}))
                    .iloc[0]["touch_per10min"])


def test_bad_file_does_not_stop_the_batch(tmp_path):
    src = _write_transcripts(tmp_path / "in")
    (src / "broken.vtt").write_text("WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nPT: hi\n")
    result = code(src, out=tmp_path / "out", coder=QuestionCoder())
    assert set(result.utterances["transcript_id"]) == {"a", "b"}
    errors = pd.read_csv(tmp_path / "out" / "errors.csv")
    assert len(errors) == 1 and "broken.vtt" in errors.iloc[0]["file"]


def test_unknown_coder_is_clear_error(tmp_path):
    with pytest.raises(TaNlpError, match="E302"):
        code(_write_transcripts(tmp_path / "in"), coder="magic")


def test_workers_give_identical_output(tmp_path):
    pytest.importorskip("spacy")
    src = _write_transcripts(tmp_path / "in")
    for i in range(4):
        (src / f"c{i}.txt").write_text(
            "PT: So what's been going on with your back?\nPatient: It hurts when I bend.\n"
            f"PT: So bending hurts. [laughs] Number {i}.\nPatient: Yes [laughs].\n")
    one = code(src, out=tmp_path / "one", coder="rules", workers=1)
    two = code(src, out=tmp_path / "two", coder="rules", workers=2)
    pd.testing.assert_frame_equal(one.utterances, two.utterances)
    assert (tmp_path / "one" / "utterances.csv").read_bytes() == \
        (tmp_path / "two" / "utterances.csv").read_bytes()
    # a loaded rule coder object is shared with forked workers
    from ta_nlp.rules import RuleCoder

    obj = code(src, out=tmp_path / "obj", coder=RuleCoder(), workers=2)
    pd.testing.assert_frame_equal(one.utterances, obj.utterances)


def test_batches_keep_whole_transcripts_in_order():
    from ta_nlp.coding import batches

    frames = [pd.DataFrame({"x": range(n)}) for n in (3, 5, 1, 4, 2)]
    groups = batches(frames, rows=6)
    assert [[len(f) for f in g] for g in groups] == [[3, 5], [1, 4, 2]]
    assert [len(f) for g in batches(frames, rows=1) for f in g] == [3, 5, 1, 4, 2]


def test_cli_code_reports_failed_inputs(tmp_path, capsys):
    from ta_nlp.cli import run_app

    src = _write_transcripts(tmp_path / "in")
    (src / "empty.srt").write_text("")
    rc = run_app(["code", str(src), "--out", str(tmp_path / "out"), "--coder", "rules"])
    captured = capsys.readouterr()
    assert rc == 1
    assert "failed" in captured.err and "Traceback" not in captured.err
    assert (tmp_path / "out" / "utterances.csv").exists()
