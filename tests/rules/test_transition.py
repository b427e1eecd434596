"""transition: signposting that opens, announces or closes a phase or topic."""

from __future__ import annotations

import pytest
from rules_helpers import describe, last_codes

CODE = "transition"

FIRES = [
    # codebook examples
    "Now I'd like to ask about your general health.",
    "Next I'm going to have a look at how you move.",
    "Before we finish, is there anything else?",
    "While we wait, I'll ask a few more questions.",
    # decision rules
    "Before we start your appointment, can you confirm your name?",
    "Just to summarise so far, it's mainly your right hip.",
    # other phases and topics
    "Let's move on to your medication.",
    "Moving on, how's your sleep?",
    "Going back to what you said about your work, when did that start?",
    "I'm going to ask you some questions about your bladder and bowels.",
    "OK, so in terms of the plan, I'd suggest some physio.",
    "Right, now about the scan.",
    "That's all the questions I have.",
    "Shall we get started?",
    "Come on through, take a seat.",
    "I'd like to have a look at your shoulder now.",
    "Let me explain what I think is going on.",
    "Hi, I'm Sam, one of the physiotherapists.",
    "So, your exercises.",
]

NEAR_MISSES = [
    # codebook: a bare OK / So / Right that does not announce what comes next
    "OK.",
    "So.",
    "Right.",
    "Right, OK. Um",
    # pleasantries and plans for another session
    "Nice to meet you.",
    "Next time we'll look at your balance.",
    # questions and explanations without signposting
    "How long has it been sore?",
    "The tendon is a bit irritated.",
]


@pytest.mark.parametrize("case", FIRES, ids=describe)
def test_fires(case):
    assert CODE in last_codes(case)


@pytest.mark.parametrize("case", NEAR_MISSES, ids=describe)
def test_near_misses(case):
    assert CODE not in last_codes(case)
