"""The spaCy pipeline of the rule coder: :func:`make_nlp`."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

from ta_nlp.errors import CoderError
from ta_nlp.rules.component import FACTORY_NAME

#: Name of the behaviour ruler inside the pipeline.
RULER_NAME = "ta_behaviour_ruler"
_SENT_PROVIDERS = ("parser", "senter", "sentencizer")


@lru_cache(maxsize=1)
def _lookups(name: str):
    from spacy.lookups import load_lookups

    return load_lookups("en", [name]).get_table(name)


def lemma_table():
    """spacy-lookups-data's English lemma lookup table (a spaCy ``Table``: ``.get(word, default)``
    hashes the word)."""
    return _lookups("lemma_lookup")


def _norm_table():
    return _lookups("lexeme_norm")


def make_nlp(model: str | None = None, patterns_dir: str | None = None) -> Language:
    """The rule coder's pipeline.

    ``model`` None: a blank English pipeline with ``sentencizer`` and a lookup ``lemmatizer``
    (spacy-lookups-data), token norms mapping British to American spellings; no trained
    pipeline needed. ``model`` a name or path: that installed trained pipeline (its tagger and
    parser let POS/DEP patterns run), with a sentencizer added when it has no parser or senter.
    The behaviour ruler (``ta_behaviour_ruler_v1``) is added last.
    """
    if model is None:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        from spacy.lookups import Lookups

        lookups = Lookups()
        lookups.add_table("lemma_lookup", lemma_table())
        nlp.get_pipe("lemmatizer").initialize(lookups=lookups)
    else:
        try:
            nlp = spacy.load(model, exclude=["ner"])
        except (OSError, ImportError, ValueError) as exc:
            raise CoderError.make("E307", found=model,
                                  reason=str(exc).splitlines()[0][:200]) from None
        if not any(name in nlp.pipe_names for name in _SENT_PROVIDERS):
            nlp.add_pipe("sentencizer", first=True)
    if "lexeme_norm" not in nlp.vocab.lookups.tables:
        # assigning the Lookups (not adding a table) makes the vocab use them for NORM
        from spacy.lookups import Lookups

        lookups = Lookups()
        for name in nlp.vocab.lookups.tables:
            lookups.set_table(name, nlp.vocab.lookups.get_table(name))
        lookups.add_table("lexeme_norm", _norm_table())
        nlp.vocab.lookups = lookups
    nlp.add_pipe(FACTORY_NAME, name=RULER_NAME, config={"patterns_dir": patterns_dir})
    return nlp
