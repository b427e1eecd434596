"""pain_education: how pain works (alarm, hurt is not harm, sensitisation, scans vs pain)."""

from __future__ import annotations

import pytest
from rules_helpers import describe, last_codes

CODE = "pain_education"

FIRES = [
    # codebook examples
    "Pain is your body's alarm system, and right now the alarm is a bit too sensitive.",
    "Hurting doesn't mean you're doing damage.",
    "Lots of people without pain have discs that look like that on a scan.",
    # more ways of saying it
    "Hurt doesn't always equal harm.",
    "The nerves in that area have become sensitised, so they fire off more easily.",
    "Your nervous system has turned the volume up on that knee.",
    "When you're stressed and not sleeping, the pain tends to get louder.",
    "Stress can really dial the pain up.",
    "Feeling it during the exercise doesn't mean you're wearing the joint out.",
    "It's your brain deciding how much protection that area needs.",
    "Those changes on the MRI are like grey hair on the inside, they come with age.",
    "The tissue has healed, but the system is still a bit overprotective.",
    "It's very real pain, it's not in your head.",
    "Think of it as a smoke alarm that goes off when you make toast.",
]

NEAR_MISSES = [
    # codebook: anatomy, diagnosis or plan without pain-mechanism content
    "This looks like a muscle strain, which usually settles in a few weeks.",
    "The rotator cuff is a group of four muscles around the shoulder.",
    "I'll refer you for an ultrasound.",
    # other senses of the same words
    "Your skin is quite sensitive to that cream, so stop using it.",
    "Set an alarm on your phone to remind you.",
    "Have you ever had irritable bowel syndrome?",
    # a question about mechanisms is not an explanation
    "Does stress make the pain worse?",
]


@pytest.mark.parametrize("case", FIRES, ids=describe)
def test_fires(case):
    assert CODE in last_codes(case)


@pytest.mark.parametrize("case", NEAR_MISSES, ids=describe)
def test_near_misses(case):
    assert CODE not in last_codes(case)


def test_pain_mechanism_words_are_not_also_education():
    assert "education" not in last_codes("Hurting doesn't mean you're doing damage.")


def test_advice_in_the_same_sentence_stays_education():
    codes = last_codes("A bit of soreness doesn't mean you're harming it, so keep doing the exercises.")
    assert {"pain_education", "education"} <= codes
