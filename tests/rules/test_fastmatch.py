"""The compiled batch matcher and the fast path of the rule coder agree with spaCy.

- ``FastMatcher.match`` on many docs at once gives spaCy's ``Matcher`` results (greedy LONGEST)
  for the package patterns on the team-written PT transcripts (data/annotated/pt), and for random
  patterns on random token sequences (hypothesis);
- ``sentence_starts`` is spaCy's ``sentencizer`` rule;
- coding several transcripts in one ``code_frame`` call (as ``ta_nlp.code`` does) and the lean
  tokenizer change no output.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rules_helpers import frame, spacy_matcher
from spacy.attrs import IS_PUNCT, ORTH

from ta_nlp.rules.coder import sentence_starts
from ta_nlp.rules.fastmatch import FastMatcher

ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=1)
def _blank():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def _table(docs, attrs):
    """The attribute table of several docs, one after the other (as the coder builds it)."""
    if not attrs:
        return {}, [len(d) for d in docs]
    arrays = [doc.to_array(list(attrs)).reshape(len(doc), -1) for doc in docs if len(doc)]
    table = np.concatenate(arrays) if arrays else np.zeros((0, len(attrs)), dtype=np.uint64)
    return {attr: table[:, k] for k, attr in enumerate(attrs)}, [len(d) for d in docs]


def _pt_units(limit: int) -> list[str]:
    from ta_nlp.corpus import read_annotated

    texts: list[str] = []
    for path in sorted((ROOT / "data" / "annotated" / "pt").glob("*.txt")):
        units = read_annotated(path)
        texts.extend(units.loc[units["role"] == "clinician", "clean_text"].tolist())
        if len(texts) >= limit:
            break
    return texts[:limit]


def test_batch_matches_are_spacys_on_the_pt_transcripts(rule_coder):
    nlp = rule_coder.nlp
    ruler = rule_coder.ruler
    matcher = spacy_matcher(rule_coder)
    texts = _pt_units(700)
    assert len(texts) == 700
    docs = [nlp(text) for text in texts]
    table, lengths = _table(docs, ruler.fast.attrs)
    found = ruler.fast.match(table, lengths)
    strings = nlp.vocab.strings
    total = 0
    for doc, got in zip(docs, found):
        expected = sorted((strings[k], s, e) for k, s, e in matcher(doc))
        assert sorted(got) == expected, doc.text
        total += len(expected)
    assert total > 500


_WORDS = ["a", "b", "c", "so", "you", "Yes", ".", ",", "?"]
_token = st.fixed_dictionaries(
    {},
    optional={
        "LOWER": st.one_of(st.sampled_from(["a", "b", "c", "so", "you", "yes"]),
                           st.fixed_dictionaries({"IN": st.lists(st.sampled_from(_WORDS),
                                                                 min_size=1, max_size=3)}),
                           st.fixed_dictionaries({"NOT_IN": st.lists(st.sampled_from(_WORDS),
                                                                     min_size=1, max_size=2)}),
                           st.just({"REGEX": "^[ab]$"})),
        "ORTH": st.sampled_from(["Yes", "you", "?"]),
        "IS_PUNCT": st.booleans(),
        "IS_SENT_START": st.booleans(),
        "IS_TITLE": st.booleans(),
        "OP": st.sampled_from(["?", "*", "+", "{0,2}", "{1,2}", "{2}"]),
    })


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patterns=st.lists(st.lists(_token, min_size=1, max_size=4), min_size=1, max_size=4),
       sentences=st.lists(st.lists(st.sampled_from(_WORDS), min_size=0, max_size=12),
                          min_size=1, max_size=4))
def test_random_patterns_match_like_spacy(patterns, sentences):
    from spacy.matcher import Matcher
    from spacy.tokens import Doc

    nlp = _blank()
    matcher, fast = Matcher(nlp.vocab), FastMatcher(nlp.vocab.strings)
    for number, pattern in enumerate(patterns):
        if all(t.get("OP") in ("?", "*", "{0,2}") for t in pattern):
            continue   # spaCy rejects patterns that can match nothing in different ways
        matcher.add(f"p{number}", [pattern], greedy="LONGEST")
        fast.add(f"p{number}", pattern)
    if not len(fast):
        return
    docs = [nlp(Doc(nlp.vocab, words=words)) if words else Doc(nlp.vocab, words=[])
            for words in sentences]
    table, lengths = _table(docs, fast.attrs)
    found = fast.match(table, lengths)
    strings = nlp.vocab.strings
    for doc, got in zip(docs, found):
        expected = sorted((strings[k], s, e) for k, s, e in matcher(doc))
        assert sorted(got) == expected, (doc.text, patterns)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab .?!,;…\n'\"-", max_size=40), min_size=1, max_size=5))
def test_sentence_starts_are_the_sentencizers(texts):
    nlp = _blank()
    sentencizer = nlp.get_pipe("sentencizer")
    docs = [nlp.make_doc(t) for t in texts]
    punct = np.array(sorted(nlp.vocab.strings.add(c) for c in sentencizer.punct_chars),
                     dtype=np.uint64)
    table, lengths = _table(docs, [ORTH, IS_PUNCT])
    got = sentence_starts(table[ORTH], table[IS_PUNCT] == 1, punct, lengths).tolist()
    expected: list[int] = []
    for doc in docs:
        doc = sentencizer(doc)
        expected.extend(1 if token.is_sent_start else 0 for token in doc)
    assert got == expected


def test_one_call_for_several_transcripts_codes_each_as_alone(rule_coder):
    import pandas as pd

    from ta_nlp.rules import RuleCoder

    pairs = [("p", "My knee hurts when I go down the stairs, sharp, like a stab."),
             ("c", "So going down the stairs is the sharp one?"),
             ("p", "Yeah [laughs] always."),
             ("c", "Mm-hmm. And how long has it been like that?"),
             ("p", "About, um, three weeks."),
             ("c", "Three weeks. OK, now I'd like to have a look at the knee, if that's OK.")]
    frames = [frame(pairs[k:], transcript_id=f"t{k}") for k in range(3)]
    alone = [rule_coder.code_frame(f).reset_index(drop=True) for f in frames]
    together = RuleCoder().code_frame(pd.concat(frames, ignore_index=True))
    pd.testing.assert_frame_equal(together, pd.concat(alone, ignore_index=True))


def test_the_fast_tokenizer_gives_the_pipelines_tokens(rule_coder):
    texts = _pt_units(300) + ["e-mail me at a.b@c.com, or www.example.org!", "It's 5:30pm -- O.K.?",
                              "£20… don't, can't, won't; y'all’re", "  two  spaces\tand a tab  "]
    fast = rule_coder._fast_tokenizer
    for text in texts:
        mine = fast(text)
        theirs = rule_coder.nlp.tokenizer(text)
        assert [(t.text, t.idx, t.norm_, t.is_punct, t.is_title, t.is_space) for t in mine] == \
            [(t.text, t.idx, t.norm_, t.is_punct, t.is_title, t.is_space) for t in theirs]
