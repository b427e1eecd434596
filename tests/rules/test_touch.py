"""touch: verbal evidence of the clinician's hands-on contact."""

from __future__ import annotations

import pytest
from rules_helpers import describe, last_codes

CODE = "touch"

FIRES = [
    # codebook examples
    "I'm going to press along your spine.",
    "Let me feel here.",
    "Tell me if this hurts when I push.",
    "Is it OK if I put my hand on your shoulder?",
    # palpation, passive movement, resisted tests, positioning
    "I'll just have a feel around the kneecap.",
    "I'm pressing on the outside of the ankle now.",
    "Now I'll bend your knee up towards your chest.",
    "Let it go floppy in my hands, I've got the weight.",
    "Push your foot up against my hand.",
    "Don't let me push your arm down.",
    "Does it hurt as I press here?",
    "And here?",
    "I'm going to do some gentle pushes on the joints of your lower back.",
    "Can I feel your tummy?",
    "Would it be OK if I put my hands on your shoulders?",
    "I'll tap your reflexes with the little hammer.",
]

NEAR_MISSES = [
    # codebook: the patient moving on their own
    "Lift your arm for me.",
    "Bend forward as far as you can.",
    "Stand on one leg for me.",
    # decision rule: a future examination
    "At the follow-up we can feel the joint.",
    "When you come into clinic I'll have a proper feel of the ankle.",
    "Next time I'll press on it to see if it's tender.",
    # remote consultations and the patient's own hands
    "I can't examine you over video, unfortunately.",
    "Press on the bony bit with your own fingers.",
    # other senses of the words
    "I'll be in touch with the results.",
    "How can I help you today?",
    "And there was no blood in it?",
]


@pytest.mark.parametrize("case", FIRES, ids=describe)
def test_fires(case):
    assert CODE in last_codes(case)


@pytest.mark.parametrize("case", NEAR_MISSES, ids=describe)
def test_near_misses(case):
    assert CODE not in last_codes(case)
