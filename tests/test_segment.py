"""Segmentation: markup, roles, turn merging, timing figures (hand-computed), outputs, CLI."""

import math

import pandas as pd
import pytest

from ta_nlp.cli import run_app
from ta_nlp.errors import TaNlpError
from ta_nlp.model import UTTERANCE_COLUMNS, Transcript, Utterance
from ta_nlp.segment import (
    ENCOUNTER_COLUMNS,
    ERROR_COLUMNS,
    is_backchannel,
    merge_turns,
    segment,
    segment_transcripts,
    timing_metrics,
)


def timed(*units, tid="t"):
    """Units (role, start, end, text); role doubles as the speaker label."""
    utts = [Utterance(id=f"{tid}-{i:04d}", speaker=role, role=role, start=s, end=e, text=text,
                      clean_text=text)
            for i, (role, s, e, text) in enumerate(units)]
    return Transcript(id=tid, sources=[f"{tid}.csv"], utterances=utts)


# Worked example; every figure below is computed by hand from these eight units.
EXAMPLE = timed(
    ("clinician", 0.0, 2.0, "Hi, what brings you in?"),                          # 5 words
    ("patient", 2.5, 10.0, "My knee has been sore for three weeks now."),         # 9 words
    ("clinician", 5.0, 5.5, "Mm-hmm."),                                          # backchannel, overlap
    ("clinician", 11.0, 14.0, "So three weeks of knee pain. When is it worst?"),  # 10 words
    ("patient", 14.2, 20.0, "Mornings mostly, and going down stairs."),          # 6 words
    ("clinician", 18.0, 22.0, "Okay, I'm going to press here."),                 # 6 words, interrupts
    ("patient", 22.4, 23.0, "Ow."),                                              # 1 word
    ("clinician", 23.5, 25.0, "That's the sore spot then."),                     # 5 words
)


def test_timing_metrics_worked_example():
    m = timing_metrics(EXAMPLE)
    assert list(m) == list(ENCOUNTER_COLUMNS[3:20])
    assert (m["n_utterances"], m["n_clinician_units"], m["n_patient_units"]) == (8, 5, 3)
    assert m["has_timing"] is True
    assert m["duration_s"] == 25.0
    assert m["clinician_talk_s"] == pytest.approx(2.0 + 0.5 + 3.0 + 4.0 + 1.5)       # 11.0
    assert m["patient_talk_s"] == pytest.approx(7.5 + 5.8 + 0.6)                     # 13.9
    assert m["patient_talk_share"] == pytest.approx(13.9 / 24.9)
    assert (m["clinician_words"], m["patient_words"]) == (27, 16)
    assert m["patient_word_share"] == pytest.approx(16 / 43)
    # latencies: 11.0-10.0 = 1.0; 18.0-20.0 = -2.0; 23.5-23.0 = 0.5 (the backchannel is no reply)
    assert m["latency_median_s"] == pytest.approx(0.5)
    # numpy linear percentiles of [-2, 0.5, 1]: q25 = -0.75, q75 = 0.75
    assert m["latency_iqr_s"] == pytest.approx(1.5)
    assert (m["n_overlaps"], m["n_backchannel_overlaps"], m["n_interruptions"]) == (2, 1, 1)
    # stretches: 2.5..10 (the backchannel does not break it) = 7.5; 14.2..18.0 = 3.8; 22.4..23 = 0.6
    assert m["longest_patient_stretch_s"] == pytest.approx(7.5)


def test_short_overlap_at_the_end_of_a_patient_unit_is_a_turn_transition():
    m = timing_metrics(timed(("patient", 0.0, 5.0, "It hurts on the stairs."),
                             ("clinician", 4.7, 6.0, "Which stairs hurt most?")))
    assert m["n_overlaps"] == 0 and m["latency_median_s"] == pytest.approx(-0.3)


def test_start_only_units_last_until_the_next_start():
    t = timed(("clinician", 0.0, None, "Hello, how can I help?"),
              ("patient", 5.0, None, "My back hurts."),
              ("clinician", 12.0, None, "Since when?"),
              ("patient", 15.0, None, "Monday."))
    m = timing_metrics(t)
    assert m["has_timing"] is True and m["duration_s"] == 15.0
    assert (m["clinician_talk_s"], m["patient_talk_s"]) == (5.0 + 3.0, 7.0)
    assert m["longest_patient_stretch_s"] == 7.0
    for key in ("latency_median_s", "latency_iqr_s", "n_overlaps", "n_interruptions"):
        assert math.isnan(m[key])


def test_untimed_transcript_has_words_but_nan_timing():
    t = timed(("clinician", None, None, "Hello there."), ("patient", None, None, "Hi."))
    m = timing_metrics(t)
    assert m["has_timing"] is False and (m["clinician_words"], m["patient_words"]) == (2, 1)
    assert m["patient_word_share"] == pytest.approx(1 / 3)
    assert all(math.isnan(m[k]) for k in ("duration_s", "patient_talk_share", "n_overlaps",
                                          "longest_patient_stretch_s"))


@pytest.mark.parametrize("text, expected", [
    ("Mm-hmm.", True), ("Yeah, okay.", True), ("Right, I see.", True), ("", True),
    ("Okay, and when did it start?", False), ("Sure, sure, sure, sure, sure.", False),
])
def test_backchannel(text, expected):
    assert is_backchannel(text) is expected


def test_merge_turns_of_free_text():
    t = Transcript(id="v", sources=["v.vtt"], metadata={"merge_turns": True}, utterances=[
        Utterance("v-0000", "A", "Hi [laughs]", 0.0, 1.0),
        Utterance("v-0001", "A", "come in.", 1.2, 2.0),
        Utterance("v-0002", "B", "Thanks.", 2.5, 3.0),
        Utterance("v-0003", "A", "Sit down.", 3.5, 4.0),
    ])
    [out] = segment_transcripts([t], roles={"A": "clinician", "B": "patient"})
    assert [(u.id, u.speaker, u.start, u.end, u.text, u.clean_text, u.events)
            for u in out.utterances] == [
        ("v-0000", "A", 0.0, 2.0, "Hi [laughs] come in.", "Hi come in.", ["laughter"]),
        ("v-0001", "B", 2.5, 3.0, "Thanks.", "Thanks.", []),
        ("v-0002", "A", 3.5, 4.0, "Sit down.", "Sit down.", [])]


def test_table_rows_are_not_merged(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("speaker,text\nPT,Hello.\nPT,Come in.\nPatient,Hi.\n", encoding="utf-8")
    result = segment(path)
    assert list(result.utterances["text"]) == ["Hello.", "Come in.", "Hi."]


def test_merge_turns_keeps_order_and_ids():
    t = Transcript(id="x", sources=[], utterances=[Utterance("x-0000", "A", "a", role="clinician"),
                                                    Utterance("x-0001", "A", "b", role="clinician")])
    assert [u.text for u in merge_turns(t).utterances] == ["a b"]


VTT = ("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nPT: Hi, what brings you in?\n\n"
       "00:00:04.000 --> 00:00:08.000\nPatient: My ankle [laughs].\n\n"
       "00:00:09.000 --> 00:00:10.000\nPT: Okay, which ankle?\n")


def test_segment_writes_outputs_and_lists_failures(tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    (data / "a.vtt").write_text(VTT, encoding="utf-8")
    (data / "b.vtt").write_text(VTT + "\n00:00:11.000 --> 00:00:1", encoding="utf-8")
    (data / "c.txt").write_text("Alex: Hello.\nJo: Hi.\nAlex: Hm.\nJo: Ok.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = segment(data, out=out)
    assert list(result.encounters["transcript_id"]) == ["a"]
    assert list(result.errors.columns) == list(ERROR_COLUMNS)
    assert [e.split("]")[0] for e in result.errors["error"]] == ["[E103", "[E201"]
    assert result.errors["line"].tolist() == [12, ""]  # line of the cut timing line
    utterances = pd.read_csv(out / "utterances.csv")
    assert tuple(utterances.columns) == UTTERANCE_COLUMNS
    assert utterances["clean_text"].tolist() == ["Hi, what brings you in?", "My ankle.",
                                           "Okay, which ankle?"]
    assert utterances["role"].tolist() == ["clinician", "patient", "clinician"]
    encounters = pd.read_csv(out / "encounters.csv")
    assert tuple(encounters.columns) == ENCOUNTER_COLUMNS
    assert encounters.loc[0, "latency_median_s"] == pytest.approx(1.0)
    errors = pd.read_csv(out / "errors.csv", keep_default_na=False)
    assert errors["file"].tolist() == [str(data / "b.vtt"), str(data / "c.txt")]
    # a clean rerun removes the stale errors.csv
    segment(data / "a.vtt", out=out)
    assert not (out / "errors.csv").exists()


def test_duplicate_transcript_ids_are_refused(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "x" / "visit.vtt").write_text(VTT, encoding="utf-8")
    (tmp_path / "y" / "visit.vtt").write_text(VTT, encoding="utf-8")
    result = segment(tmp_path)
    assert len(result.encounters) == 1
    assert result.errors["error"].str.startswith("[E107]").tolist() == [True]


def test_bad_batch_options_raise():
    with pytest.raises(TaNlpError) as info:
        segment([], roles="nobody")
    assert info.value.code == "E204"
    with pytest.raises(TaNlpError) as info:
        segment([], format="pdf")
    assert info.value.code == "E003"


def test_cli_exit_codes_and_outputs(tmp_path, capsys):
    good = tmp_path / "good.vtt"
    good.write_text(VTT, encoding="utf-8")
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:05,000 --> 00:00:06,000\nPT: a\n\n2\n00:00:01,000 --> 00:00:02,000\n"
                   "Patient: b\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_app(["segment", str(good), str(bad), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "E102" in captured.err and "Error [E109] 1 input(s) failed" in captured.err
    assert "Segmented 1 transcripts (1 timed), 3 utterances" in captured.out
    assert (out / "utterances.csv").exists() and (out / "errors.csv").exists()
    assert run_app(["segment", str(good), str(bad), "--out", str(out), "--allow-unordered"]) == 0
    assert not (out / "errors.csv").exists()
    assert len(pd.read_csv(out / "encounters.csv")) == 2


def test_cli_roles_and_columns_options(tmp_path, capsys):
    table = tmp_path / "mi.csv"
    table.write_text("id,who,said\nv1,Alex,How are you?\nv1,Jo,Fine.\n", encoding="utf-8")
    out = tmp_path / "out"
    code = run_app(["segment", str(table), "--out", str(out), "--columns",
                    "transcript_id=id,speaker=who,text=said", "--roles", "Alex=clinician,Jo=patient"])
    assert code == 0, capsys.readouterr().err
    assert pd.read_csv(out / "utterances.csv")["role"].tolist() == ["clinician", "patient"]
    assert run_app(["segment", str(table), "--out", str(out), "--roles", "Alex"]) == 1
    assert "E204" in capsys.readouterr().err


def test_examples_segment_completely(examples_dir, tmp_path):
    result = segment(examples_dir / "transcripts", out=tmp_path,
                     roles_file=examples_dir / "roles.csv")
    assert result.errors.empty
    enc = result.encounters.set_index("transcript_id")
    assert len(enc) == 12
    assert enc.loc["ex08_knee_warm", "source"].count(";") == 1  # two channel files
    assert not enc.loc["ex10_wrist_rushed", "has_timing"]
    assert enc["n_utterances"].between(18, 40).all()
    # warm clinicians wait longer before replying than rushed ones (simulated timing)
    warm = enc.loc[["ex03_neck_warm", "ex05_ankle_warm", "ex08_knee_warm", "ex09_plantar_warm",
                    "ex11_elbow_warm"], "latency_median_s"]
    rushed = enc.loc[["ex04_shoulder_rushed", "ex07_lowback_rushed", "ex12_neck_rushed"],
                     "latency_median_s"]
    assert warm.min() > rushed.max()
    assert enc.loc[["ex04_shoulder_rushed", "ex07_lowback_rushed"], "n_interruptions"].min() >= 1
    # without the roles file only ex12 (two SPEAKER_xx, no introduction) cannot be resolved
    result = segment(examples_dir / "transcripts")
    assert result.errors["file"].str.endswith("ex12_neck_rushed.json").tolist() == [True]


def test_workers_read_and_segment_the_same(tmp_path):
    from pathlib import Path

    from ta_nlp.segment import segment

    examples = Path(__file__).resolve().parents[1] / "data" / "examples"
    (tmp_path / "bad.srt").write_text("1\nnot a time line\nhello\n", encoding="utf-8")
    paths = [examples / "transcripts", tmp_path / "bad.srt"]
    kwargs = {"roles_file": examples / "roles.csv"}
    one = segment(paths, workers=1, **kwargs)
    two = segment(paths, workers=2, **kwargs)
    pd.testing.assert_frame_equal(one.utterances, two.utterances)
    pd.testing.assert_frame_equal(one.encounters, two.encounters)
    pd.testing.assert_frame_equal(one.errors, two.errors)
    assert len(one.errors) == 1 and one.utterances["transcript_id"].nunique() >= 12
