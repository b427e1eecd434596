"""clarifying_question: questions that check or refine what the patient already said."""

from __future__ import annotations

import pytest
from rules_helpers import describe, last_codes

CODE = "clarifying_question"

FIRES = [
    # codebook examples
    (("p", "It's a sharp pain in the knee."), ("c", "When you say sharp, is it stabbing or burning?")),
    (("p", "Sometimes it just gives way."), ("c", "What do you mean by 'gives way'?")),
    (("p", "It's worst first thing, when I get up in the morning."),
     ("c", "So it's mainly in the morning, is that right?")),
    (("p", "It was after the fall, my left knee."), ("c", "Did you say the left knee?")),
    # decision rule: narrowing something vague the patient just said
    (("p", "It goes numb in some of my fingers."), ("c", "Which fingers?")),
    (("p", "I only have a few drinks at the weekend."), ("c", "What drinks are we talking about?")),
    # declarative questions that reuse the patient's words
    (("p", "The pain is mostly at night, lying on that side."), ("c", "Lying on that side at night?")),
    (("p", "I've stopped going to the gym because of it."), ("c", "So you've stopped the gym completely?")),
    # explicit checks
    (("p", "It started about a month ago, after I moved house."),
     ("c", "Have I got that right, it started after the move?")),
    (("p", "It kind of catches."), ("c", "Catches how?")),
    (("p", "It feels funny down the leg."), ("c", "Funny in what way?")),
    "Just to check, was that before or after the operation?",
    "How do you mean?",
    # a fronted echo refined by a choice
    (("p", "It throbs at night and wakes me up."),
     ("c", "Throbs at night, is that a dull throb or more of a pulsing feeling?")),
]

NEAR_MISSES = [
    # codebook: a new topic is information gathering
    (("p", "My knee hurts when I go downstairs."), ("c", "Do you have any problems with your hips?")),
    "What brings you in today?",
    # codebook: asking only to hear again
    "Sorry?",
    "Pardon?",
    "Sorry, could you repeat that?",
    # checks of identity are not checks of what the patient said
    "Just to confirm your date of birth?",
    # statements
    (("p", "I've had it for three weeks."), ("c", "Three weeks, OK.")),
    "That makes sense.",
    # comprehension checks after an explanation
    "Does that make sense?",
]


@pytest.mark.parametrize("case", FIRES, ids=describe)
def test_fires(case):
    assert CODE in last_codes(case)


@pytest.mark.parametrize("case", NEAR_MISSES, ids=describe)
def test_near_misses(case):
    assert CODE not in last_codes(case)


def test_restatement_with_a_check_is_both():
    # decision rule: a declarative restatement with "is that right?" is also clarifying
    case = (("p", "I've been taking ibuprofen twice a day for two weeks."),
            ("c", "So you've been taking ibuprofen twice a day, is that right?"))
    assert {"restating", "clarifying_question"} <= last_codes(case)
