"""restating: repeating, paraphrasing or summarising what the patient expressed."""

from __future__ import annotations

import pytest
from rules_helpers import describe, last_codes

CODE = "restating"

FIRES = [
    # codebook examples, in the context that makes them restatements
    (("p", "I lifted a heavy box at work and the pain started straight after."),
     ("c", "So the pain started after you lifted the box.")),
    (("p", "Walking's fine, but the stairs are the worst, I dread them."),
     ("c", "It sounds like stairs are the hardest part.")),
    (("p", "I still can't move it properly."), ("c", "You still can't move it.")),
    "Let me make sure I've got this: it started in June and it's worse at night.",
    # decision rule: short echoes with content
    (("p", "Twice."), ("c", "Twice, OK.")),
    (("p", "My left elbow."), ("c", "Left elbow.")),
    (("p", "About three months now."), ("c", "Three months.")),
    # decision rule: naming a feeling the patient expressed
    (("p", "I'm really worried it's something serious."), ("c", "I can see you're quite worried.")),
    # decision rule: a declarative restatement without a question
    (("p", "No, I haven't had any other partner since then."),
     ("c", "So you've had no other partner since then.")),
    # decision rule: announcing a summary
    "Just to summarise so far, the pain is in your lower back and it's worse when you sit.",
    # reflective stems and summaries in other words
    "You mentioned the tablets upset your stomach.",
    "What I'm hearing is that work is the biggest worry.",
    "From your point of view, it's all been quite slow, so you're saying nothing has helped.",
    (("p", "Sitting at my desk all day makes my neck stiff and sore."),
     ("c", "Sitting at your desk all day, the neck gets stiff and sore.")),
    (("p", "I've had to give up netball and it's really getting me down."),
     ("c", "So you've given up netball, and that's been hard.")),
    (("p", "It clicks when I squat, and then it aches for the rest of the day."),
     ("c", "So squatting sets off the click, and the ache lasts all day?")),
]

NEAR_MISSES = [
    # codebook: bare acknowledgements
    (("p", "It's been sore since Monday."), ("c", "OK.")),
    (("p", "It's been sore since Monday."), ("c", "Right, I see.")),
    # decision rule: an echoed "No" or "Yeah"
    (("p", "No."), ("c", "No, OK.")),
    (("p", "Yeah."), ("c", "Yeah.")),
    # codebook: repeating the clinician's own earlier words
    (("c", "Try the stretches twice a day."), ("p", "OK."), ("c", "Twice a day, the stretches.")),
    # advice and explanation that reuse a patient's word are not restatements
    (("p", "My knee is sore."), ("c", "You'll need to rest the knee for a few days.")),
    (("p", "What if it hurts at a four?"), ("c", "A four is fine.")),
    (("p", "My back aches at night."), ("c", "When you're tired, pain often feels worse.")),
    # a new question is not a restatement
    (("p", "My back aches at night."), ("c", "Does it ache in the morning too?")),
    "From what you've told me, this looks like a muscle strain.",
]


@pytest.mark.parametrize("case", FIRES, ids=describe)
def test_fires(case):
    assert CODE in last_codes(case)


@pytest.mark.parametrize("case", NEAR_MISSES, ids=describe)
def test_near_misses(case):
    assert CODE not in last_codes(case)


def test_summary_announcement_is_also_a_transition():
    codes = last_codes("Just to recap, you've had the pain for six weeks and it's getting worse.")
    assert {"restating", "transition"} <= codes


def test_window_limits_how_far_back_restating_looks():
    from rules_helpers import frame

    from ta_nlp.rules import RuleCoder

    pairs = [("p", "My granddaughter's wedding is in May."), ("c", "Lovely."),
             ("p", "Yes."), ("c", "OK."), ("p", "Fine."), ("c", "Good."), ("p", "Thanks."),
             ("c", "Your granddaughter's wedding in May.")]
    near = RuleCoder(window=4).code_frame(frame(pairs))
    far = RuleCoder(window=1).code_frame(frame(pairs))
    assert near.iloc[-1]["restating"] == 1
    assert far.iloc[-1]["restating"] == 0
