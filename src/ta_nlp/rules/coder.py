"""The rule coder: :class:`RuleCoder` codes the clinician units of an utterances table.

``RuleCoder(patterns_dir=None, nlp_model=None, window=3).code_frame(frame)`` returns one 0/1
column per code (in :data:`ta_nlp.codes.CODES` order) and ``evidence`` (JSON: code -> list of
``{"pattern", "start", "end"}`` with character offsets into ``clean_text``), on the input's index.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import re
from collections import deque
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from spacy.attrs import IS_PUNCT, ORTH, SENT_START

from ta_nlp.codes import CODES
from ta_nlp.errors import CoderError
from ta_nlp.rules.component import FACTORY_NAME, BehaviourRuler
from ta_nlp.rules.logic import (
    _TOKEN_ATTRS,
    Analyser,
    Context,
    PatientAnalysis,
    UnitAnalysis,
    decide,
    keeps_floor,
    strip_disfluencies,
)
from ta_nlp.rules.nlp import RULER_NAME, lemma_table, make_nlp

#: Version of the rule coder (patterns + logic). Bump it when a change alters any output.
RULES_VERSION = "1.0.0"
#: Output columns of :meth:`RuleCoder.code_frame`, in order.
CODE_FRAME_COLUMNS: tuple[str, ...] = CODES + ("evidence",)
#: Input columns :meth:`RuleCoder.code_frame` needs (``events`` and timing are optional).
REQUIRED_COLUMNS: tuple[str, ...] = ("transcript_id", "role", "text")

_LAUGH = re.compile(
    r"\[(?:laugh|laughs|laughter|laughing|chuckle|chuckles|chuckling|giggles?|giggling)\b[^\]]*\]"
    r"|\((?:laugh|laughs|laughter|laughing|chuckles?|giggles?)\b[^)]*\)"
    r"|<LAUGH[^>]*>|\b(?:ha\s*){2,}\b|\bhehe+\b", re.IGNORECASE)
_MARKUP = re.compile(r"\[[^\]]*\]|\([^)]*\)|<[^>]*>")
_WORD = re.compile(r"[A-Za-z0-9]+")
_CACHE_LIMIT = 100_000
# Unit texts analysed per batch by the fast path (one attribute table, one matcher pass).
_BATCH = 2048


def sentence_starts(orth: np.ndarray, is_punct: np.ndarray, punct: np.ndarray,
                    lengths: list[int]) -> np.ndarray:
    """spaCy's ``sentencizer`` rule on the concatenated tokens of several docs: 1 where a
    sentence starts, else 0.

    A doc's first token starts a sentence; so does every other token that is neither
    punctuation nor a sentence-final character (``orth`` in ``punct``) when such a character
    occurs between it and the previous token of that kind (or the doc's start).
    """
    n = len(orth)
    out = np.zeros(n, dtype=np.uint64)
    if not n:
        return out
    final = np.isin(orth, punct)
    plain = np.flatnonzero(~(is_punct | final))
    counts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(final, out=counts[1:])
    offsets = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    doc_start = np.repeat(offsets, lengths)
    if len(plain):
        previous = np.empty_like(plain)
        previous[0] = -1
        previous[1:] = plain[:-1]
        first = doc_start[plain]
        since = np.where(previous >= first, previous + 1, first)
        out[plain[counts[plain] - counts[since] > 0]] = 1
    nonempty = np.asarray(lengths) > 0
    out[offsets[nonempty]] = 1
    return out


def _isna(value: Any) -> bool:
    if type(value) is float:
        return math.isnan(value)
    return bool(pd.isna(value))


def _may_laugh(text: str) -> bool:
    """False when :data:`_LAUGH` cannot match ``text`` (a cheap look before the regex)."""
    if "[" in text or "(" in text or "<" in text:
        return True
    low = text.lower()
    return "he" in low or "ha" in low


def _opens_with_laughter(text: str, clean: str, laughter: bool) -> bool:
    """The patient's unit starts with laughter (at most two words before it), or is only that.
    ``laughter``: the unit's markup holds laughter."""
    match = _LAUGH.search(text) if _may_laugh(text) else None
    if match is not None:
        before = _MARKUP.sub(" ", text[:match.start()])
        return len(_WORD.findall(before)) == 0
    if laughter:
        return len(_WORD.findall(clean)) <= 4
    return False


class _Events:
    """Whether a row's markup holds laughter, read on demand: from the ``events`` column
    (``;``-joined names) when there is one, else from the raw text (``ta_nlp.markup.clean``)."""

    _WORDS = ("laugh", "chuckl", "giggl")   # every laughter markup names one of these

    def __init__(self, frame: pd.DataFrame, texts: list[str]):
        self._raw = _values(frame["events"]) if "events" in frame.columns else None
        self._texts = texts

    def laughter(self, i: int) -> bool:
        if self._raw is not None:
            value = self._raw[i]
            return (isinstance(value, str) and "laughter" in value
                    and "laughter" in value.split(";"))
        text = self._texts[i]
        low = text.lower()
        if not any(word in low for word in self._WORDS):
            return False
        from ta_nlp.markup import clean as markup_clean  # the segmenter's markup reader

        return "laughter" in markup_clean(text)[1]


_EMPTY: frozenset[str] = frozenset()
_QUOTED: dict[str, str] = {}


def _quoted(text: str) -> str:
    """``json.dumps`` of a pattern id, cached."""
    out = _QUOTED.get(text)
    if out is None:
        out = _QUOTED[text] = json.dumps(text, ensure_ascii=False)
    return out


def _span_order(item: tuple[str, int, int]) -> tuple[int, int]:
    return item[1], item[2]


def _lean_tokenizer(nlp, attrs: list[int]):
    """A copy of ``nlp``'s tokenizer (same rules, affixes and special cases: the same tokens)
    whose own vocabulary computes only the lexeme attributes in ``attrs``. A new word's lexeme
    then costs a few of spaCy's attribute functions instead of all of them (shape, URL, e-mail,
    number, ...), a good part of tokenizing new text; ``nlp``'s vocabulary is left alone."""
    from spacy.tokenizer import Tokenizer
    from spacy.vocab import Vocab

    base = nlp.tokenizer
    getters = {attr: func for attr, func in nlp.vocab.lex_attr_getters.items() if attr in attrs}
    vocab = Vocab(lex_attr_getters=getters)
    return Tokenizer(vocab, rules=base.rules, prefix_search=base.prefix_search,
                     suffix_search=base.suffix_search, infix_finditer=base.infix_finditer,
                     token_match=base.token_match, url_match=base.url_match,
                     faster_heuristics=base.faster_heuristics)


def _texts(utterances: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """The ``text``, clean text (``clean_text``, else ``text``) and lower-case ``role`` of every
    row ("" for missing texts)."""
    texts = _values(utterances["text"])
    if "clean_text" in utterances.columns:
        cleans = [c if isinstance(c, str) else (t if isinstance(t, str) else "")
                  for c, t in zip(_values(utterances["clean_text"]), texts)]
    else:
        cleans = [t if isinstance(t, str) else "" for t in texts]
    texts = [t if isinstance(t, str) else "" for t in texts]
    roles = [r if r in _ROLE_WORDS else str(r).strip().lower()
             for r in _values(utterances["role"])]
    return texts, cleans, roles


_ROLE_WORDS = frozenset({"clinician", "patient", "other"})


def _values(column: pd.Series) -> list:
    """A column's values as a Python list (object conversion first: faster for Arrow strings)."""
    return column.to_numpy(dtype=object).tolist()


class RuleCoder:
    """Rule-based behaviour coder: spaCy cue patterns plus contextual logic.

    ``patterns_dir``: a folder of ``<code>.jsonl`` files (None: the package's patterns).
    ``nlp_model``: an installed trained spaCy pipeline to use for POS/dependency patterns (None:
    a blank English pipeline with sentencizer and lookup lemmatizer). ``window``: how many
    preceding patient units ``restating`` compares against.
    """

    name = "rules"

    def __init__(self, patterns_dir: str | None = None, nlp_model: str | None = None,
                 window: int = 3):
        if isinstance(window, bool) or not isinstance(window, int) or window < 1:
            raise CoderError.make("E308", name="window", found=window,
                                  expected="a whole number of patient units, at least 1")
        self.patterns_dir = None if patterns_dir is None else str(patterns_dir)
        self.nlp_model = nlp_model
        self.window = window
        self.nlp = make_nlp(nlp_model, patterns_dir=self.patterns_dir)
        self.ruler: BehaviourRuler = self.nlp.get_pipe(RULER_NAME)
        kinds = {r.id: r.kind for r in self.ruler.records}
        labels = {r.id: r.label for r in self.ruler.records}
        self.analyser = Analyser(lemma_table(), kinds, labels)
        self._units: dict[str, UnitAnalysis] = {}
        self._patients: dict[str, PatientAnalysis] = {}
        # the lookup lemmatizer only matters to patterns that read LEMMA; the content lemmas of the
        # contextual logic come from the same lookup table directly
        uses_lemma = any(key.upper() == "LEMMA" for r in self.ruler.records if r.pattern
                         for token in r.pattern for key in token)
        self._disable = ([] if uses_lemma or "lemmatizer" not in self.nlp.pipe_names
                         else ["lemmatizer"])
        # the default pipeline (sentencizer, unused lemmatizer, ruler) has a direct fast path
        self._fast_sentencizer = None
        active = [n for n in self.nlp.pipe_names if n not in self._disable]
        if nlp_model is None and active == ["sentencizer", RULER_NAME]:
            sentencizer = self.nlp.get_pipe("sentencizer")
            if not sentencizer.overwrite:
                self._fast_sentencizer = sentencizer
                strings = self.nlp.vocab.strings
                self._sent_punct = np.array(sorted(strings.add(ch)
                                                   for ch in sentencizer.punct_chars),
                                            dtype=np.uint64)
                # one attribute table per batch; SENT_START is computed from it
                wanted = [ORTH, IS_PUNCT, *self.ruler.fast.attrs, *_TOKEN_ATTRS]
                self._fast_attrs = [a for a in dict.fromkeys(wanted) if a != SENT_START]
                self._fast_where = {a: k for k, a in enumerate(self._fast_attrs)}
                # spaCy's own matchers (phrases, unsupported patterns) need the pipeline's vocab
                slow = len(self.ruler.matcher) or self.ruler.phrase_matchers
                self._fast_tokenizer = (self.nlp.tokenizer if slow
                                        else _lean_tokenizer(self.nlp, self._fast_attrs))

    # ------------------------------------------------------------------ configuration
    @property
    def config(self) -> dict[str, Any]:
        """JSON-able description of everything that determines the output."""
        import spacy

        logic = hashlib.sha256()
        for module in ("logic.py", "lexicon.py"):
            logic.update(resources.files("ta_nlp.rules").joinpath(module).read_bytes())
        return {
            "version": RULES_VERSION,
            "factory": FACTORY_NAME,
            "window": self.window,
            "nlp_model": self.nlp_model,
            "pipeline": list(self.nlp.pipe_names),
            "spacy_version": spacy.__version__,
            "patterns": {
                "origin": self.ruler.origin,
                "sha256": dict(self.ruler.hashes),
                "n_patterns": len(self.ruler.records),
                "skipped": list(self.ruler.skipped),
            },
            "logic_sha256": logic.hexdigest(),
        }

    # ------------------------------------------------------------------ analysis with caches
    def _analyse_units(self, texts: list[str]) -> None:
        todo = list(dict.fromkeys(t for t in texts if t not in self._units))
        if not todo:
            return
        if len(self._units) + len(todo) > _CACHE_LIMIT:
            self._units.clear()
        find = self.ruler.find
        unit = self.analyser.unit
        stripped = [strip_disfluencies(text) for text in todo]
        shorts = [s for s, _ in stripped]
        if self._fast_sentencizer is not None:
            # the default pipeline, run directly on batches: tokenizer, sentence starts, then the
            # ruler's matcher on all docs at once (the same annotations and matches as nlp.pipe,
            # without the per-component and per-span overhead)
            for lo in range(0, len(todo), _BATCH):
                hi = lo + _BATCH
                self._analyse_fast(todo[lo:hi], stripped[lo:hi])
            return
        # the ruler runs inside the pipeline; its matches are read back from doc.spans
        key = self.ruler.spans_key
        docs = self.nlp.pipe(shorts, batch_size=256, disable=self._disable)
        for text, (short, mapping), doc in zip(todo, stripped, docs):
            spans = doc.spans.get(key)
            matches = ([(s.id_, s.start, s.end) for s in spans] if spans is not None
                       else find(doc))
            analysis = unit(doc, matches, mapping, len(text), short)
            analysis.keeps_floor = keeps_floor(text)
            self._units[text] = analysis

    def _analyse_fast(self, texts: list[str], stripped: list[tuple[str, list[int] | None]]
                      ) -> None:
        """Analyse ``texts`` (their disfluency-stripped forms ``stripped``) with the default
        pipeline's fast path: one attribute table for the whole batch, the sentencizer's rule
        computed on it (see :func:`sentence_starts`), the ruler's matches for all docs at once."""
        shorts = [short for short, _ in stripped]
        tokenizer = self._fast_tokenizer
        docs = list(tokenizer.pipe(shorts, batch_size=256))
        lengths = [len(doc) for doc in docs]
        attrs = self._fast_attrs
        where = self._fast_where
        tables = [doc.to_array(attrs) for doc, n in zip(docs, lengths) if n]
        if tables:
            table = np.concatenate(tables)
        else:
            table = np.zeros((0, len(attrs)), dtype=np.uint64)
        starts = sentence_starts(table[:, where[ORTH]], table[:, where[IS_PUNCT]] == 1,
                                 self._sent_punct, lengths)
        columns = {attr: (starts if attr == SENT_START else table[:, where[attr]])
                   for attr in self.ruler.fast.attrs}
        found = self.ruler.find_many(docs, columns, lengths, tokenizer.vocab.strings)
        row_table = np.column_stack([starts if attr == SENT_START else table[:, where[attr]]
                                     for attr in _TOKEN_ATTRS]).tolist()
        unit = self.analyser.unit
        at = 0
        for text, (short, mapping), doc, n, matches in zip(texts, stripped, docs, lengths, found):
            rows = row_table[at:at + n] if n else None
            at += n
            analysis = unit(doc, matches, mapping, len(text), short, rows)
            analysis.keeps_floor = keeps_floor(text)
            self._units[text] = analysis

    def _analyse_patients(self, texts: list[str]) -> None:
        todo = list(dict.fromkeys(t for t in texts if t not in self._patients))
        if not todo:
            return
        if len(self._patients) + len(todo) > _CACHE_LIMIT:
            self._patients.clear()
        patient = self.analyser.patient
        for text in todo:
            self._patients[text] = patient(text)

    def code_text(self, text: str, context: Context | None = None) -> dict[str, list]:
        """Evidence of one clinician unit's clean text in a given context (default: none)."""
        self._analyse_units([text])
        return decide(self._units[text], context or Context())


    # ------------------------------------------------------------------ the table
    def code_frame(self, utterances: pd.DataFrame) -> pd.DataFrame:
        """Code every clinician row of ``utterances``; see the module docstring."""
        # the analysis allocates many small, long-lived objects (tokens, cues, sentences): the
        # cyclic garbage collector would rescan them over and over without freeing anything
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._code_frame(utterances)
        finally:
            if enabled:
                gc.enable()

    def _code_frame(self, utterances: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in REQUIRED_COLUMNS if c not in utterances.columns]
        if missing:
            raise CoderError.make("E309", missing=", ".join(missing),
                                  found=", ".join(map(str, utterances.columns)))
        n = len(utterances)
        texts, cleans, roles = _texts(utterances)
        tids = utterances["transcript_id"].tolist()
        starts = (utterances["start"].tolist() if "start" in utterances.columns else [None] * n)
        ends = (utterances["end"].tolist() if "end" in utterances.columns else [None] * n)
        events = _Events(utterances, texts)

        self._analyse_units([c for c, r in zip(cleans, roles) if r == "clinician"])
        self._analyse_patients([c for c, r in zip(cleans, roles) if r == "patient"])

        values = np.zeros((n, len(CODES)), dtype=np.int64)
        evidence = ["{}"] * n
        codes = list(enumerate(CODES))
        window: deque[PatientAnalysis] = deque(maxlen=self.window)
        window_content: frozenset[str] = frozenset()   # the union of the window's lemmas
        units = self._units
        patients = self._patients
        current = object()
        n_patient = 0
        for i in range(n):
            if tids[i] != current:
                current = tids[i]
                window.clear()
                window_content = frozenset()
                n_patient = 0
            role = roles[i]
            if role == "patient":
                window.append(patients[cleans[i]])
                window_content = (window[0].content if len(window) == 1
                                  else frozenset().union(*(p.content for p in window)))
                n_patient += 1
                continue
            if role != "clinician":
                continue
            nxt = i + 1
            patient_next = nxt < n and tids[nxt] == current and roles[nxt] == "patient"
            overlaps = False
            prev = i - 1
            if prev >= 0 and tids[prev] == current and roles[prev] == "patient":
                s, e = starts[i], ends[prev]
                if s is not None and e is not None and not (_isna(s) or _isna(e)):
                    overlaps = float(s) < float(e) - 0.05
            last = window[-1] if window else None
            ctx = Context(
                window=window_content,
                last=last.content if last is not None else _EMPTY,
                vague=last.vague if last is not None else _EMPTY,
                patient_asked=last.asks if last is not None else False,
                patient_next=patient_next,
                patient_laughs_next=patient_next and _opens_with_laughter(
                    texts[nxt], cleans[nxt], events.laughter(nxt)),
                own_laughter=events.laughter(i),
                overlaps_patient=overlaps,
                opening=n_patient < 2)
            found = decide(units[cleans[i]], ctx)
            if not found:
                continue
            row = values[i]
            parts = []
            for k, code in codes:
                items = found.get(code)
                if items:
                    row[k] = 1
                    spans = ", ".join(
                        f'{{"pattern": {_quoted(pid)}, "start": {int(s0)}, "end": {int(e0)}}}'
                        for pid, s0, e0 in sorted(items, key=_span_order))
                    parts.append(f'"{code}": [{spans}]')
            evidence[i] = "{" + ", ".join(parts) + "}"
        columns: dict[str, Any] = {code: values[:, k] for k, code in codes}
        columns["evidence"] = np.array(evidence, dtype=object)
        result = pd.DataFrame(columns, index=utterances.index, copy=False)
        return result
