"""The fast paths of :mod:`ta_nlp.rules.logic` answer as the plain implementations they replace."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ta_nlp.rules import logic

# ------------------------------------------------------------------ the reference implementations

_OLD_TRAILING_RE = re.compile(
    r"(?:\b(?:u+m+|u+h+|e+r+m+|e+r|so|and|but|then|because|cos)\b|,)[\s.…-]*$", re.IGNORECASE)
_OLD_MAYBE_DISFLUENT = re.compile(r"(?<![\w'-])(?:u+[mh]+m*|e+r+m*|e+h+m+)(?![\w'-])"
                                  r"|(?<![\w'-])([\w']+)-?[,…-]*\s+\1(?![\w'-])", re.IGNORECASE)


def old_keeps_floor(text: str) -> bool:
    return _OLD_TRAILING_RE.search(text) is not None


def old_strip_disfluencies(text: str) -> tuple[str, list[int] | None]:
    if not _OLD_MAYBE_DISFLUENT.search(text):
        return text, None
    drop: list[tuple[int, int]] = []
    previous: tuple[int, int, str] | None = None
    for m in logic._WORD_RE.finditer(text):
        start, end = m.span()
        word = m.group()
        low = word.lower().rstrip("-")
        if logic._FILLER_WORD.match(low):
            left = start
            while left > 0 and text[left - 1] == " ":
                left -= 1
            if left > 0 and text[left - 1] == ",":
                left -= 1
            elif left == start and start > 0 and not text[start - 1].isspace():
                continue
            right = end
            while right < len(text) and text[right] in ",…":
                right += 1
            if text.startswith("...", right):
                right += 3
            if right < len(text) and text[right] in ".?!" and text[:left].rstrip()[-1:] in (".", "?", "!"):
                right += 1
            drop.append((left, right))
            continue
        if previous is not None and low and low == previous[2] and low not in logic._LAUGH_WORDS \
                and logic._GAP_RE.match(text, previous[1], start):
            drop.append((previous[0], start))
        previous = (start, end, low)
    if not drop:
        return text, None
    pieces: list[str] = []
    mapping: list[int] = []
    at = 0
    for start, end in sorted(drop):
        if start > at:
            pieces.append(text[at:start])
            mapping.extend(range(at, start))
        at = max(at, end)
    if at < len(text):
        pieces.append(text[at:])
        mapping.extend(range(at, len(text)))
    out = "".join(pieces)
    if not out.strip() or not any(ch.isalnum() for ch in out):
        return text, None
    mapping.append(len(text))
    return out, mapping


# ------------------------------------------------------------------ generated text

# words and separators the patterns care about, and characters whose classes or case folding
# are unusual (long s, Kelvin sign, dotted I, information separators, no-break space, ...)
_WORDS = ["um", "Um", "UMM", "uh", "uhm", "uhmh", "er", "erm", "Erm", "ehm", "eh", "so", "So",
          "and", "but", "then", "because", "cos", "I", "i", "I'm", "it's", "it", "the", "ha",
          "ha-ha", "x", "pain", "Pain", "-", "--", "'", "um-", "I-", "co-op", "ſo", "becauſe",
          "K", "İ", "ı", "_", "9", "u", "e", "uuuummm", "errr"]
_SEPS = [" ", "  ", ", ", ",", "-", "- ", "… ", "…", "...", ". ", ".", "?", "? ", "!", "\n",
         "\t", "\x1c", "\x1f", "\xa0", "\u2028", "\u3000", ",- ", " - ", "'", "(", ")"]

texts = st.lists(st.one_of(st.sampled_from(_WORDS), st.sampled_from(_SEPS),
                           st.text(alphabet="umherosandbctIK ,.-…'?!\n", max_size=6)),
                 max_size=14).map("".join)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_as_the_plain_implementations(text):
    assert logic.keeps_floor(text) == old_keeps_floor(text)
    assert logic.strip_disfluencies(text) == old_strip_disfluencies(text)
    assert bool(logic._MAYBE_DISFLUENT.search(text)) == bool(_OLD_MAYBE_DISFLUENT.search(text))


def test_examples():
    for text in ["OK. Um", "Right, so", "Right, so ...", "and the pain-", "Yes,", "So,  - ",
                 "I, I think", "I- I think", "you, um, stand", "ha ha", "check. Um. How's",
                 "um", "", "...", "x_so", "also", "So?", "and\n"]:
        assert logic.keeps_floor(text) == old_keeps_floor(text), text
        assert logic.strip_disfluencies(text) == old_strip_disfluencies(text), text


def test_character_classes_the_fast_paths_rely_on():
    # keeps_floor: str.isspace() / str.rstrip() are \s; str.isalnum() or "_" is \w
    space = re.compile(r"\s")
    word = re.compile(r"\w")
    for code in range(0x3100):   # all of the BMP up to CJK would be slow; cased scripts live here
        ch = chr(code)
        assert ch.isspace() == bool(space.match(ch)), hex(code)
        assert (ch.isalnum() or ch == "_") == bool(word.match(ch)), hex(code)
        assert (ch.rstrip() == "") == ch.isspace(), hex(code)


# ------------------------------------------------------------------ patient units

def old_patient(analyser: logic.Analyser, text: str) -> logic.PatientAnalysis:
    lowers: list[str] = []
    for m in logic._PATIENT_WORD.finditer(text.lower()):
        base, clitic = m.group(1), m.group(2)
        if clitic == "n't" and base.endswith("n"):
            base = base[:-1]
        lowers.append(base)
        if clitic:
            lowers.append(clitic)

    def lemmas(words):
        return [c for c in map(analyser.content_lemma, words) if c]

    vague = set()
    for i, word in enumerate(lowers):
        if word in logic.VAGUE_MARKERS:
            found = lemmas(lowers[i + 1:i + 4])
            if found:
                vague.add(found[0])
    return logic.PatientAnalysis(frozenset(lemmas(lowers)), frozenset(vague), len(lowers),
                                 text.rstrip().endswith("?"))


_PATIENT_WORDS = ["don't", "can't", "cannn't", "it's", "it's's", "’s", "I'm", "we'd", "some",
                  "pains", "pain", "knee", "few", "things", "x-ray", "co-op-", "3", "three",
                  "twice", "the", "and", "n't", "'s", "Knee", "PAIN", "ſome", "?", "!", "."]
patient_texts = st.lists(st.one_of(st.sampled_from(_PATIENT_WORDS), st.sampled_from(_SEPS)),
                         max_size=14).map("".join)


@settings(max_examples=300, deadline=None)
@given(patient_texts)
def test_patient_as_before(text):
    analyser = logic.Analyser({"pains": "pain", "things": "thing", "knees": "knee"}, {}, {})
    assert analyser.patient(text) == old_patient(analyser, text)
