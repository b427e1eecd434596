"""information_gathering: questions and requests that seek new information about the patient."""

from __future__ import annotations

import pytest
from rules_helpers import describe, last_codes

CODE = "information_gathering"

FIRES = [
    # codebook examples
    "What brings you in today?",
    "How long has your back been bothering you?",
    "Does it wake you at night?",
    "Tell me about your job.",
    # decision rule: asking for the patient's concerns
    "Any questions for me?",
    # open and closed questions, with and without inversion
    "Where exactly does it hurt when you climb the stairs?",
    "How are you sleeping at the moment?",
    "Have you had any numbness in your feet?",
    "Do you smoke at all?",
    "Are you taking anything for the pain?",
    "Any tingling down the arm?",
    "No fevers or night sweats?",
    "And your appetite, has that changed?",
    "What do you do for a living?",
    "Is there any history of arthritis in the family?",
    "What would you like to get back to doing?",
    "What do you think is causing it?",
    "So how has your mood been with all this?",
    # requests phrased as statements or embedded questions
    "I was wondering whether you've noticed any swelling.",
    "I'd like to know a bit about your work.",
    "Walk me through a normal day at the moment.",
    "Tell me what happens when you try to run.",
    "In your own words, what's been going on?",
    # disfluent speech
    "Um, and, uh, do you, um, drive at all?",
    "How, how often do you get the headaches?",
    # after the patient has spoken
    (("p", "It's been sore for a while now."), ("c", "Does anything ease it?")),
    (("p", "I work in a warehouse."), ("c", "OK. And how many hours a week are you on your feet?")),
]

NEAR_MISSES = [
    # codebook: permission checks and instructions phrased as questions
    "Is that OK?",
    "Can you bend forward for me?",
    "Could you lift your arm up for me?",
    "Would you mind popping your jumper off?",
    "Do you mind if I have a look at your knee?",
    "Are you happy for me to examine your shoulder?",
    # decision rule: comprehension checks carry no code
    "Does that make sense?",
    "How does that sound?",
    "Does that sound like a plan?",
    # decision rule: identity, privacy and administrative checks
    "Can you confirm your name and date of birth?",
    "Are you somewhere private where you can talk?",
    "Can you hear me OK?",
    "Is now a good time to talk?",
    # offers and repairs
    "Would you like me to print the exercises for you?",
    "Shall I send you a link to the video?",
    "Sorry, could you say that again?",
    "Pardon?",
    # statements, fragments and tag questions
    "Your knee looks a little swollen today.",
    "Do you",
    "Have you been",
    "It's a tricky one, isn't it?",
    # a check of what the patient already said is a clarifying question instead
    (("p", "It goes numb in some of my fingers."), ("c", "Which fingers?")),
    (("p", "It's sharp when I bend."), ("c", "When you say sharp, is it stabbing or more of a burn?")),
]


@pytest.mark.parametrize("case", FIRES, ids=describe)
def test_fires(case):
    assert CODE in last_codes(case)


@pytest.mark.parametrize("case", NEAR_MISSES, ids=describe)
def test_near_misses(case):
    assert CODE not in last_codes(case)
