"""Transcription markup: separate what was said from notes about how it was said.

``clean(text) -> (clean_text, events)`` removes markup from speech and reports it as events, in
order of appearance (one per occurrence):

=============== ===================================================================================
event           markup
=============== ===================================================================================
``laughter``    ``[laughs]`` ``[laughter]`` ``[laughing]`` ``[chuckles]`` ``(laughs)`` ``*laughs*``
                ``<LAUGH/>`` ``[both laugh]`` …
``inaudible``   ``<UNIN/>`` ``<INAUDIBLE_SPEECH/>`` ``[inaudible]`` ``[unintelligible]``
                ``[indiscernible]`` ``[inaudible 00:01:23]`` ``(inaudible)`` ``[?]`` ``xxx``
``unsure``      ``<UNSURE>words</UNSURE>`` (the words are kept), ``[unclear: words]`` (kept)
``crosstalk``   ``(crosstalk)`` ``[crosstalk]`` ``[cross talk]`` ``[overlapping]`` ``[talking over]``
``pause``       ``[pause]`` ``(pause)`` ``[long pause]`` ``[silence]`` ``(2.5)`` ``(.)`` ``[pause 3s]``
``nonspeech``   other bracketed notes: ``[coughs]`` ``[sighs]`` ``[phone rings]`` ``<NOISE/>`` …
=============== ===================================================================================

Time stamps inside text (``[00:01:23]``, ``(1:23)``) are removed without an event. The rule coder
uses ``laughter`` as evidence of humour and ``pause`` as evidence of listening.
"""

from __future__ import annotations

import re

#: Event names, in a fixed order.
EVENTS: tuple[str, ...] = ("laughter", "inaudible", "unsure", "crosstalk", "pause", "nonspeech")

_LAUGH = r"(?:both |all |patient |clinician |pt |therapist )?(?:laughs?|laughter|laughing|chuckles?|chuckling|giggles?|giggling)"
_INAUDIBLE = r"(?:inaudible|unintelligible|indiscernible|incomprehensible|unclear|unin)(?:[\s:]+[\d:.]+)?"
_CROSSTALK = r"(?:crosstalk|cross[\s-]talk|overlapping(?: speech| talk)?|talking over(?: each other)?|simultaneous speech)"
_PAUSE = r"(?:(?:long |short |brief )?pause(?:s|d)?(?:\s+\d+(?:\.\d+)?\s*(?:s|sec|secs|seconds)?)?|silence)"
_STAMP = r"\d{1,3}:\d{1,2}(?::\d{1,3})?(?:[.,]\d+)?"

_PATTERN = re.compile(
    # the lookahead lets the engine skip ordinary characters without trying every alternative
    r"(?=[<\[(*xX])(?:" + "|".join([
        r"<UNSURE>(?P<unsure>.*?)</UNSURE>",
        r"<UNSURE>(?P<unsure_open>[^<]*)$",                       # unclosed at the end
        r"</?UNSURE/?>",                                           # stray tags
        r"(?P<inaud_tag><(?:UNIN|INAUDIBLE_SPEECH|INAUDIBLE|UNINTELLIGIBLE)\s*/?>)",
        r"(?P<laugh_tag><(?:LAUGH|LAUGHTER|LAUGHS)\s*/?>)",
        r"(?P<other_tag><[A-Z][A-Z_]*\s*/>)",
        rf"(?P<laugh>[\[(*]\s*{_LAUGH}[^\])*\n]{{0,30}}[\])*])",
        rf"(?P<inaud>[\[(]\s*(?:{_INAUDIBLE}|\?+)\s*[\])])",
        r"\[\s*unclear\s*:\s*(?P<unclear>[^\]]*)\]",
        rf"(?P<cross>[\[(]\s*{_CROSSTALK}\s*[\])])",
        rf"(?P<pause>[\[(]\s*{_PAUSE}\s*[\])]|\(\s*(?:\d*\.\d+|\.)\s*\))",
        rf"(?P<stamp>[\[(]\s*{_STAMP}\s*[\])])",
        r"(?P<nonspeech>\[[^\]\[\n]{1,40}\])",
        r"(?P<xxx>\b[xX]{3,}\b)",
    ]) + ")",
    re.IGNORECASE,
)
_GROUP_EVENT = {
    "unsure": "unsure", "unsure_open": "unsure", "unclear": "unsure", "inaud_tag": "inaudible",
    "inaud": "inaudible", "xxx": "inaudible", "laugh_tag": "laughter", "laugh": "laughter",
    "cross": "crosstalk", "pause": "pause", "other_tag": "nonspeech", "nonspeech": "nonspeech",
}
_TRIGGERS = ("<", "[", "(", "*", "xxx", "XXX")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_LEADING_PUNCT = re.compile(r"^[\s,;:]+")
_DOUBLE_PUNCT = re.compile(r"([,;])\s*(?=[,;.!?])")


def clean(text: str) -> tuple[str, list[str]]:
    """``(clean_text, events)``: ``text`` without transcription markup, and the markup events."""
    if not text or not any(t in text for t in _TRIGGERS):
        return " ".join(text.split()) if text else "", []
    events: list[str] = []

    def replace(m: re.Match) -> str:
        group = m.lastgroup
        if group is None:  # stray <UNSURE> tag
            return " "
        if group == "stamp":
            return " "
        events.append(_GROUP_EVENT[group])
        if group in ("unsure", "unsure_open", "unclear"):
            return f" {m.group(group)} "
        return " "

    out = _PATTERN.sub(replace, text)
    out = " ".join(out.split())
    if events or out != text:
        out = _SPACE_BEFORE_PUNCT.sub(r"\1", out)
        out = _DOUBLE_PUNCT.sub("", out)
        out = _LEADING_PUNCT.sub("", out)
    return out.strip(), events


def has_speech(clean_text: str) -> bool:
    """True when some word is left after cleaning."""
    return any(ch.isalnum() for ch in clean_text)
