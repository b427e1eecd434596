"""humour: jokes, playful remarks, laughing with the patient."""

from __future__ import annotations

import pytest
from rules_helpers import code, describe, last_codes

CODE = "humour"

FIRES = [
    # codebook examples
    "Well, at least the knee has good taste in weather.",
    "[laughs] We'll get you back on the dance floor.",
    # the clinician laughs (markup in the text)
    "(laughs) That's one way to get out of the washing up.",
    "Ha ha, the dog wins again.",
    # joke markers
    "Only joking, you can keep your biscuits.",
    "Don't tell my manager I said that.",
    "The stairs, your sworn enemy.",
    "That's the world's most dramatic kneecap.",
]

NEAR_MISSES = [
    # codebook: polite pleasantries without play
    "Nice to meet you.",
    "Good morning, come in.",
    "Thanks for coming in today.",
    # a plain statement or question
    "Your reflexes are normal.",
    "How's the pain today?",
    # the patient laughing at their own story after a question is not the clinician's humour
    (("c", "Have you been doing the exercises?"), ("p", "[laughs] Not really, no.")),
]


@pytest.mark.parametrize("case", FIRES, ids=describe)
def test_fires(case):
    assert CODE in last_codes(case)


@pytest.mark.parametrize("case", NEAR_MISSES, ids=describe)
def test_near_misses(case):
    assert CODE not in last_codes(case)


def test_patient_laughing_right_after_a_remark():
    out = code([("c", "Your cat clearly runs the household."), ("p", "[laughs] She does.")])
    assert out.iloc[0][CODE] == 1
    assert '"humour.ctx_patient_laughs_after"' in out.iloc[0]["evidence"]


def test_patient_laughing_late_in_a_long_answer_does_not_count():
    out = code([("c", "Tell me about the fall."),
                ("p", "I slipped on the ice outside the bakery and landed on my wrist [laughs]")])
    assert out.iloc[0][CODE] == 0


def test_events_column_is_used_when_given():
    from rules_helpers import coder, frame

    f = frame([("c", "That should keep the neighbours guessing."), ("p", "Ha.")])
    f["events"] = ["laughter", ""]
    assert coder().code_frame(f).iloc[0][CODE] == 1
