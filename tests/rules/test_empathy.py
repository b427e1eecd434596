"""empathy: acknowledging or validating the patient's feelings or experience."""

from __future__ import annotations

import pytest
from rules_helpers import describe, last_codes

CODE = "empathy"

FIRES = [
    # codebook examples
    "That sounds really frustrating.",
    "I'm sorry to hear that.",
    "It makes sense that you'd be worried.",
    # decision rule: naming a feeling the patient expressed
    (("p", "I'm honestly scared it's something bad."), ("c", "I can see you're quite worried.")),
    # other validating statements
    "That must have been really difficult.",
    "That's a lot to deal with on top of work.",
    "No wonder you're exhausted.",
    "That's completely understandable.",
    "I can imagine.",
    "You've been through a lot this year.",
    "Anyone would feel the same in your position.",
    "Oh no.",
    "There's no need to apologise.",
    "It's not your fault at all.",
    "Six months of broken sleep, that's a long time.",
]

NEAR_MISSES = [
    # codebook: plain acknowledgement tokens
    "OK.",
    "Right.",
    "I see.",
    # uncertainty and apologies for the clinician's own slips
    "It's hard to say without a scan.",
    "Sorry, I didn't catch that.",
    "Sorry for the wait.",
    # generic explanations that mention feelings
    "When you're worried about it, the pain can feel stronger.",
    # a restated concern without validation is restating, not empathy
    (("p", "Will it need an operation?"), ("c", "So you're worried that it might need an operation.")),
    "Nice to meet you.",
]


@pytest.mark.parametrize("case", FIRES, ids=describe)
def test_fires(case):
    assert CODE in last_codes(case)


@pytest.mark.parametrize("case", NEAR_MISSES, ids=describe)
def test_near_misses(case):
    assert CODE not in last_codes(case)


def test_naming_a_feeling_is_also_restating():
    case = (("p", "I've been so worried about it."), ("c", "I can see you're really worried."))
    assert {"empathy", "restating"} <= last_codes(case)


def test_sorry_to_hear_alone_is_not_restating():
    case = (("p", "My dad passed away last month."), ("c", "I'm sorry to hear that."))
    codes = last_codes(case)
    assert "empathy" in codes and "restating" not in codes
