"""listening: minimal encouragers and invitations that give the floor back."""

from __future__ import annotations

import pytest
from rules_helpers import code, describe, last_codes

CODE = "listening"

MID_STORY = ("p", "So I was carrying the shopping up the stairs and")
GOES_ON = ("p", "and then my knee just went from under me.")

FIRES = [
    # codebook examples (a backchannel counts while the patient keeps talking)
    (MID_STORY, ("c", "Mm-hmm."), GOES_ON),
    "Go on.",
    "Take your time.",
    "Tell me more about that.",
    # more encouragers
    (MID_STORY, ("c", "OK."), GOES_ON),
    (MID_STORY, ("c", "Uh-huh."), GOES_ON),
    (MID_STORY, ("c", "Right, I see."), GOES_ON),
    (MID_STORY, ("c", "Yeah."), GOES_ON),
    (MID_STORY, ("c", "Oh dear."), GOES_ON),
    "And then what happened?",
    "Please, carry on.",
    "In your own time.",
]

NEAR_MISSES = [
    # codebook: a backchannel followed by a new question
    (MID_STORY, ("c", "Mm-hmm. And how long ago was that?"), GOES_ON),
    # decision rule: a lone acknowledgement after which the clinician keeps the floor
    (MID_STORY, ("c", "OK. Um"), GOES_ON),
    (MID_STORY, ("c", "Right, so"), GOES_ON),
    # the clinician speaks next: no floor given back
    (("p", "That's all really."), ("c", "OK."), ("c", "Now, your medication.")),
    # asking for new information rather than inviting more of the story
    "Tell me more about your job.",
    "Go on to the next exercise when that one feels easy.",
]


@pytest.mark.parametrize("case", FIRES, ids=describe)
def test_fires(case):
    pairs = (case,) if isinstance(case, str) else case
    pairs = tuple(("c", p) if isinstance(p, str) else p for p in pairs)
    out = code(pairs)
    index = max(i for i, (role, _t) in enumerate(pairs) if role == "c")
    assert out.iloc[index][CODE] == 1


@pytest.mark.parametrize("case", NEAR_MISSES, ids=describe)
def test_near_misses(case):
    pairs = (case,) if isinstance(case, str) else case
    pairs = tuple(("c", p) if isinstance(p, str) else p for p in pairs)
    out = code(pairs)
    first = min(i for i, (role, _t) in enumerate(pairs) if role == "c")
    assert out.iloc[first][CODE] == 0


def test_overlapping_backchannel_counts_with_timing():
    from rules_helpers import coder, frame

    # the clinician's "Mm" starts before the patient's unit ends (overlap), then the clinician
    # goes on: with timing the overlap shows the patient still had the floor
    f = frame([("p", "It started after the holiday, we were walking a lot"), ("c", "Mm."),
               ("c", "Was it sore on the walks?")],
              times=[(0.0, 6.0), (5.0, 5.4), (6.5, 8.0)])
    assert coder().code_frame(f).iloc[1][CODE] == 1


def test_bare_ok_before_more_clinician_talk_is_not_listening():
    assert CODE not in last_codes((("p", "No, nothing like that."), ("c", "OK.")))
