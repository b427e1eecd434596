"""RuleCoder: the output contract, evidence spans, configuration and input errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from rules_helpers import frame

from ta_nlp.codes import CODES
from ta_nlp.errors import CoderError
from ta_nlp.rules import CODE_FRAME_COLUMNS, RuleCoder


def test_output_contract(rule_coder):
    f = frame([("p", "It hurts when I lift."), ("c", "I'm sorry to hear that. When did it start?"),
               ("o", "Interpreter: she says last week."), ("c", "OK.")])
    f.index = [10, 11, 12, 13]
    out = rule_coder.code_frame(f)
    assert list(out.columns) == list(CODES) + ["evidence"] == list(CODE_FRAME_COLUMNS)
    assert list(out.index) == [10, 11, 12, 13]
    for code in CODES:
        assert out[code].dtype == "int64"
        assert set(out[code].unique()) <= {0, 1}
    # patient and other rows carry 0s and {}
    for row in (10, 12):
        assert out.loc[row, list(CODES)].sum() == 0
        assert out.loc[row, "evidence"] == "{}"
    assert out.loc[11, "empathy"] == 1 and out.loc[11, "information_gathering"] == 1
    evidence = json.loads(out.loc[11, "evidence"])
    assert list(evidence) == [c for c in CODES if out.loc[11, c] == 1]
    for items in evidence.values():
        for item in items:
            assert set(item) == {"pattern", "start", "end"}


def test_evidence_spans_point_at_the_cue(rule_coder):
    text = "Um, I'm, um, going to press along your spine. Does that make sense?"
    out = rule_coder.code_frame(frame([("c", text)]))
    evidence = json.loads(out.iloc[0]["evidence"])
    spans = {item["pattern"]: text[item["start"]:item["end"]] for item in evidence["touch"]}
    # the disfluencies are skipped for matching, the offsets point into the original text
    assert spans["touch.i_palpate"] == "I'm, um, going to press"
    assert "information_gathering" not in evidence


@pytest.mark.parametrize("text, code, pattern, expected", [
    ("I'm sorry to hear that.", "empathy", "empathy.sorry_to_hear", "sorry to hear"),
    ("Next I'm going to have a look at how you move.", "transition", "transition.now_next_ask",
     "Next I'm going to have a look"),
    ("So it's worse at night, is that right?", "clarifying_question",
     "clarifying_question.is_that_right", "is that right"),
    ("Hurting doesn't mean you're doing damage.", "pain_education",
     "pain_education.not_mean_harm", "n't mean you're doing damage"),
])
def test_cue_evidence_text(rule_coder, text, code, pattern, expected):
    evidence = json.loads(rule_coder.code_frame(frame([("c", text)])).iloc[0]["evidence"])
    found = [text[i["start"]:i["end"]] for i in evidence[code] if i["pattern"] == pattern]
    assert found == [expected]


def test_contextual_evidence_spans_the_sentence(rule_coder):
    text = "OK. How long has it been going on?"
    evidence = json.loads(rule_coder.code_frame(frame([("c", text)])).iloc[0]["evidence"])
    (item,) = evidence["information_gathering"]
    assert item["pattern"] == "information_gathering.ctx_wh_question"
    assert text[item["start"]:item["end"]] == "How long has it been going on?"


def test_unit_level_evidence_spans_the_unit(rule_coder):
    out = rule_coder.code_frame(frame([("p", "So I was"), ("c", "Mm-hmm."), ("p", "saying...")]))
    (item,) = json.loads(out.iloc[1]["evidence"])["listening"]
    assert (item["pattern"], item["start"], item["end"]) == ("listening.ctx_backchannel", 0, 7)


def test_transcripts_do_not_share_context(rule_coder):
    a = frame([("p", "My left elbow.")], transcript_id="a")
    b = frame([("c", "Left elbow.")], transcript_id="b")
    together = pd.concat([a, b], ignore_index=True)
    assert rule_coder.code_frame(together).iloc[1]["restating"] == 0
    same = frame([("p", "My left elbow."), ("c", "Left elbow.")])
    assert rule_coder.code_frame(same).iloc[1]["restating"] == 1


def test_rows_may_lack_clean_text_or_timing(rule_coder):
    f = frame([("c", "Go on.")])[["transcript_id", "role", "text"]]
    out = rule_coder.code_frame(f)
    assert out.iloc[0]["listening"] == 1


def test_empty_and_missing_texts(rule_coder):
    f = frame([("c", ""), ("p", "Yes."), ("c", "Um.")])
    f.loc[0, "text"] = None
    f.loc[0, "clean_text"] = None
    out = rule_coder.code_frame(f)
    assert out[list(CODES)].to_numpy().sum() == 0
    assert rule_coder.code_frame(f.iloc[0:0]).shape == (0, len(CODE_FRAME_COLUMNS))


def test_config_is_json_and_identifies_the_rules(rule_coder):
    config = rule_coder.config
    blob = json.dumps(config)
    assert json.loads(blob) == config
    assert config["version"] and config["factory"] == "ta_behaviour_ruler_v1"
    assert config["window"] == 3 and config["nlp_model"] is None
    assert sorted(config["patterns"]["sha256"]) == sorted(CODES)
    assert all(len(h) == 64 for h in config["patterns"]["sha256"].values())
    assert config["patterns"]["n_patterns"] > 300 and config["patterns"]["skipped"] == []
    assert RuleCoder(window=5).config["window"] == 5
    assert rule_coder.name == "rules"


@pytest.mark.parametrize("window", [0, -1, 2.5, "3", True])
def test_bad_window_is_E308(window):
    with pytest.raises(CoderError) as info:
        RuleCoder(window=window)
    assert info.value.code == "E308" and "window" in info.value.message


def test_missing_columns_are_E309(rule_coder):
    with pytest.raises(CoderError) as info:
        rule_coder.code_frame(pd.DataFrame({"text": ["Hi"]}))
    assert info.value.code == "E309"
    assert "transcript_id" in info.value.message and "role" in info.value.message


def test_a_trained_pipeline_that_is_not_installed_is_E307():
    from ta_nlp.rules import make_nlp

    with pytest.raises(CoderError) as info:
        make_nlp("en_core_web_nonexistent")
    assert info.value.code == "E307" and "en_core_web_nonexistent" in info.value.message


def test_code_text_without_context(rule_coder):
    evidence = rule_coder.code_text("Take your time.")
    assert [pid for pid, _s, _e in evidence["listening"]] == ["listening.take_your_time"]
