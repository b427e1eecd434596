"""education: explanation or advice (diagnosis, prognosis, findings, plan, self-management)."""

from __future__ import annotations

import pytest
from rules_helpers import describe, last_codes

CODE = "education"

FIRES = [
    # codebook examples
    "This looks like a muscle strain, which usually settles in a few weeks.",
    "Keep taking fluids and call us if it gets worse.",
    # diagnosis and explanation
    "I think this is coming from the tendon rather than the joint.",
    "It's called plantar fasciitis.",
    "That's really common in runners.",
    "The reason it stiffens overnight is that the joint hasn't been moving.",
    "The rotator cuff is a group of muscles that keeps the ball centred in the socket.",
    # findings
    "Your strength is good on both sides.",
    "The X-ray showed no fracture.",
    # prognosis
    "It should settle down over the next couple of weeks.",
    # plan and treatment
    "I'd recommend a course of physiotherapy.",
    "I'll prescribe something a bit stronger for the itch.",
    "I'm going to refer you to the hand clinic.",
    # self-management advice and dosage
    "You should rest it for a few days and then build up gradually.",
    "Try to keep active, little and often.",
    "Avoid heavy lifting for the next week.",
    "Take two tablets twice a day with food.",
    "Hold the stretch for thirty seconds, three times.",
    "It's worth trying an ice pack after work.",
    # safety-netting
    "If the numbness spreads or you can't pass urine, go straight to A&E.",
    "Come back and see me if it's no better in a week.",
]

NEAR_MISSES = [
    # codebook: pain-mechanism explanations are pain education
    "Pain is your body's alarm system, and right now the alarm is a bit too sensitive.",
    # questions, instructions during the examination, acknowledgements
    "Do you take anything for it?",
    "Lift your arm for me.",
    "Lie on your back with your knees bent.",
    "OK, thank you.",
    "Nice to meet you.",
    "Tell me if this hurts.",
    # restatements of the patient's history
    (("p", "I had a scan last year."), ("c", "So you had a scan last year.")),
]


@pytest.mark.parametrize("case", FIRES, ids=describe)
def test_fires(case):
    assert CODE in last_codes(case)


@pytest.mark.parametrize("case", NEAR_MISSES, ids=describe)
def test_near_misses(case):
    assert CODE not in last_codes(case)
