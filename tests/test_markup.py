"""Transcription markup is separated from speech into clean text and events."""

import pytest

from ta_nlp.markup import EVENTS, clean, has_speech


@pytest.mark.parametrize("text, clean_text, events", [
    # PriMock57 tags
    ("<UNIN/> Sorry to hear that.", "Sorry to hear that.", ["inaudible"]),
    ("<UNSURE>Oh</UNSURE> <UNSURE>hey</UNSURE>, um, I've", "Oh hey, um, I've", ["unsure", "unsure"]),
    ("<INAUDIBLE_SPEECH/>", "", ["inaudible"]),
    ("Do you <UNIN/>", "Do you", ["inaudible"]),
    # common transcription services
    ("Well [laughs] we'll get you dancing.", "Well we'll get you dancing.", ["laughter"]),
    ("[laughter] Yes.", "Yes.", ["laughter"]),
    ("(laughs) That's true.", "That's true.", ["laughter"]),
    ("*chuckles* fine", "fine", ["laughter"]),
    ("[both laugh] Okay.", "Okay.", ["laughter"]),
    ("It was [inaudible] yesterday.", "It was yesterday.", ["inaudible"]),
    ("Mm-hmm [inaudible 00:02:03].", "Mm-hmm.", ["inaudible"]),
    ("I said (inaudible), sorry", "I said, sorry", ["inaudible"]),
    ("So I (crosstalk) no, go on.", "So I no, go on.", ["crosstalk"]),
    ("[crosstalk]", "", ["crosstalk"]),
    ("[pause] Take your time.", "Take your time.", ["pause"]),
    ("So (.) then (2.5) yes", "So then yes", ["pause", "pause"]),
    ("[long pause] okay", "okay", ["pause"]),
    ("[00:01:23] Hi there", "Hi there", []),
    ("sorry, [coughs] right", "sorry, right", ["nonspeech"]),
    ("It's [unclear: swollen] now", "It's swollen now", ["unsure"]),
    # not markup
    ("the (left) knee, the [right] one?", "the (left) knee, the one?", ["nonspeech"]),
    ("plain  text\twith   spaces", "plain text with spaces", []),
    ("", "", []),
])
def test_clean(text, clean_text, events):
    assert clean(text) == (clean_text, events)


def test_events_are_from_the_documented_vocabulary():
    _, events = clean("[laughs] <UNIN/> <UNSURE>a</UNSURE> (crosstalk) [pause] [sighs]")
    assert events == ["laughter", "inaudible", "unsure", "crosstalk", "pause", "nonspeech"]
    assert set(events) == set(EVENTS)


def test_has_speech():
    assert has_speech("Okay.") and not has_speech("") and not has_speech(" . ,")
