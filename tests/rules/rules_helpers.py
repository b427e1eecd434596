"""Helpers for the rule tests: build an utterances frame from (role, text) pairs and code it.

A context is a tuple of ``(role, text)`` pairs in order; roles are ``"c"`` (clinician) or ``"p"``
(patient). The unit under test is the last clinician unit of the context.
"""

from __future__ import annotations

import json
from functools import lru_cache

import pandas as pd

from ta_nlp.codes import CODES

ROLE = {"c": "clinician", "p": "patient", "o": "other",
        "clinician": "clinician", "patient": "patient", "other": "other"}


@lru_cache(maxsize=1)
def coder():
    from ta_nlp.rules import RuleCoder

    return RuleCoder()


def frame(pairs, transcript_id: str = "t1", times=None) -> pd.DataFrame:
    """An utterances table (the columns of ``ta-nlp segment``) from ``(role, text)`` pairs."""
    rows = []
    for i, (role, text) in enumerate(pairs):
        start, end = times[i] if times else (float("nan"), float("nan"))
        rows.append({"transcript_id": transcript_id, "utterance_id": f"{transcript_id}-{i:04d}",
                     "speaker": ROLE[role].upper(), "role": ROLE[role], "start": start,
                     "end": end, "text": text, "clean_text": text})
    return pd.DataFrame(rows)


def code(pairs, **kwargs) -> pd.DataFrame:
    return coder().code_frame(frame(pairs, **kwargs))


def as_context(case) -> tuple:
    """A bare string is a clinician unit with no context."""
    if isinstance(case, str):
        return (("c", case),)
    return tuple(case)


def last_codes(case) -> set[str]:
    """The codes of the last clinician unit of a context."""
    pairs = as_context(case)
    out = code(pairs)
    last = max(i for i, (role, _t) in enumerate(pairs) if ROLE[role] == "clinician")
    return {c for c in CODES if out.iloc[last][c] == 1}


def last_evidence(case) -> dict:
    pairs = as_context(case)
    out = code(pairs)
    last = max(i for i, (role, _t) in enumerate(pairs) if ROLE[role] == "clinician")
    return json.loads(out.iloc[last]["evidence"])


def describe(case) -> str:
    pairs = as_context(case)
    return " | ".join(f"{r}: {t}" for r, t in pairs)


def spacy_matcher(rule_coder):
    """spaCy's own ``Matcher`` with every token pattern of a rule coder (greedy LONGEST): the
    reference the compiled matcher is tested against."""
    from spacy.matcher import Matcher

    matcher = Matcher(rule_coder.nlp.vocab)
    for record in rule_coder.ruler.records:
        if record.pattern is not None:
            matcher.add(record.id, [list(record.pattern)], greedy="LONGEST")
    return matcher
