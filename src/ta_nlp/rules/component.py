"""The spaCy component ``ta_behaviour_ruler_v1``: lexical cues of the behaviour codes.

It matches every pattern of the pattern files (token patterns with the ``Matcher``, phrases with
the ``PhraseMatcher``) and stores the matches in ``doc.spans[spans_key]``: one span per match, with
``label_`` the code and ``id_`` the pattern id. Deciding codes from the cues and the conversation
context is the job of :mod:`ta_nlp.rules.logic`; the component only finds the cues, so a saved
pipeline (``nlp.to_disk``) reloads with the same patterns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, SpanGroup

from ta_nlp.errors import CoderError
from ta_nlp.rules.fastmatch import FastMatcher, supported
from ta_nlp.rules.lexicon import ACK_WORDS, FUNCTION_WORDS
from ta_nlp.rules.patterns import PatternRecord, PatternSet, load_patterns, parse_pattern_lines

FACTORY_NAME = "ta_behaviour_ruler_v1"
# Frequent words: the fast matcher avoids indexing patterns by them.
_COMMON_WORDS = frozenset(STOP_WORDS) | FUNCTION_WORDS | ACK_WORDS | frozenset(
    {"'s", "'m", "'re", "'ve", "'d", "'ll", "not", ".", ",", "?", "!", "-", "..."})
DEFAULT_SPANS_KEY = "ta_cues"
_PATTERNS_FILE = "patterns.jsonl"
_CFG_FILE = "cfg.json"

# Pipeline components that provide the annotations trained-attribute patterns need.
_PROVIDERS = {
    "POS": ("tagger", "morphologizer", "attribute_ruler"),
    "TAG": ("tagger",),
    "MORPH": ("morphologizer",),
    "DEP": ("parser",),
    "ENT_TYPE": ("ner", "entity_ruler"),
    "ENT_IOB": ("ner", "entity_ruler"),
    "ENT_ID": ("ner", "entity_ruler"),
}


def _available(record: PatternRecord, pipe_names: Iterable[str]) -> bool:
    if not record.needs_trained:
        return True
    names = set(pipe_names)
    for token in record.pattern or ():
        for key in token:
            providers = _PROVIDERS.get(key.upper())
            if providers and not names.intersection(providers):
                return False
    return True


class BehaviourRuler:
    """Find the lexical cues of the behaviour codes; see the module docstring."""

    def __init__(self, nlp: Language, name: str = "ta_behaviour_ruler",
                 patterns_dir: str | None = None, spans_key: str = DEFAULT_SPANS_KEY,
                 load: bool = True):
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.patterns_dir = patterns_dir
        self.records: tuple[PatternRecord, ...] = ()
        self._source_records: tuple[PatternRecord, ...] = ()
        self._label: dict[str, str] = {}
        self.skipped: tuple[str, ...] = ()
        self.hashes: dict[str, str] = {}
        self.origin = "package" if patterns_dir is None else str(patterns_dir)
        self.matcher = Matcher(nlp.vocab, validate=True)   # patterns FastMatcher cannot run
        self.fast = FastMatcher(nlp.vocab.strings, common=_COMMON_WORDS)
        self.phrase_matchers: dict[str, PhraseMatcher] = {}
        if load:
            self.set_patterns(load_patterns(patterns_dir))

    # ------------------------------------------------------------------ patterns
    def set_patterns(self, patterns: PatternSet) -> None:
        """Replace the patterns (the pipeline's earlier components decide which are usable)."""
        self.matcher = Matcher(self.nlp.vocab, validate=True)
        self.fast = FastMatcher(self.nlp.vocab.strings, common=_COMMON_WORDS)
        self.phrase_matchers = {}
        checker = Matcher(self.nlp.vocab, validate=True)   # spaCy validates every token pattern
        self.hashes = dict(patterns.hashes)
        self.origin = patterns.origin
        # every record, skipped ones included, so that a saved pipeline keeps them all
        self._source_records = patterns.records
        pipe_names = [n for n in self.nlp.pipe_names if n != self.name]
        used: list[PatternRecord] = []
        skipped: list[str] = []
        phrases: dict[str, dict[str, list[Doc]]] = {}
        for record in patterns.records:
            if not _available(record, pipe_names):
                skipped.append(record.id)
                continue
            if record.pattern is not None:
                try:
                    checker.add(record.id, [list(record.pattern)], greedy="LONGEST")
                except (ValueError, KeyError, TypeError) as exc:  # spaCy's pattern validation
                    file, line = record.source.rsplit(":", 1)
                    first = str(exc).strip().splitlines()
                    raise CoderError.make(
                        "E301", path=file, line=int(line),
                        message=f"spaCy rejected the token pattern of '{record.id}': "
                                f"{' '.join(first)[:300]}. Fix the token dicts (see the spaCy "
                                f"Matcher docs).") from None
                if supported(record.pattern):
                    self.fast.add(record.id, record.pattern)
                else:
                    self.matcher.add(record.id, [list(record.pattern)], greedy="LONGEST")
            else:
                doc = self.nlp.make_doc(record.phrase)
                phrases.setdefault(record.attr, {}).setdefault(record.id, []).append(doc)
            used.append(record)
        for attr, by_id in phrases.items():
            matcher = PhraseMatcher(self.nlp.vocab, attr=attr)
            for pid, docs in by_id.items():
                matcher.add(pid, docs)
            self.phrase_matchers[attr] = matcher
        self.fast.compile()
        self.records = tuple(used)
        self.skipped = tuple(skipped)
        self._label = {r.id: r.label for r in used}

    # ------------------------------------------------------------------ matching
    def find(self, doc: Doc, cols: dict[int, list[int]] | None = None
             ) -> list[tuple[str, int, int]]:
        """``(pattern_id, start_token, end_token)`` of every match, in document order.

        ``cols``: the doc's attribute values for the fast matcher when the caller has them (see
        :meth:`FastMatcher.__call__`)."""
        return self._add_slow(doc, self.fast(doc, cols))

    def find_many(self, docs: list[Doc], table: dict[int, Any], lengths: list[int],
                  strings=None) -> list[list[tuple[str, int, int]]]:
        """:meth:`find` for many docs at once; ``table``: attr id -> the values of
        :attr:`FastMatcher.attrs` for all their tokens, one doc after the other (see
        :meth:`FastMatcher.match`); ``lengths``: the docs' token counts; ``strings``: the
        docs' StringStore when it is not the pipeline's."""
        found = self.fast.match(table, lengths, strings)
        if len(self.matcher) or self.phrase_matchers:
            found = [self._add_slow(doc, matches) for doc, matches in zip(docs, found)]
        return found

    def _add_slow(self, doc: Doc, found: list[tuple[str, int, int]]
                  ) -> list[tuple[str, int, int]]:
        """Add the matches of spaCy's own matchers (patterns the fast one cannot run)."""
        if not len(self.matcher) and not self.phrase_matchers:
            return found
        strings = self.nlp.vocab.strings
        if len(self.matcher):
            found.extend((strings[m], s, e) for m, s, e in self.matcher(doc))
        for matcher in self.phrase_matchers.values():
            found.extend((strings[m], s, e) for m, s, e in matcher(doc))
        found.sort(key=lambda item: (item[1], item[2], item[0]))
        return found

    def __call__(self, doc: Doc) -> Doc:
        label = self._label
        spans = [Span(doc, s, e, label=label[pid], span_id=pid) for pid, s, e in self.find(doc)]
        doc.spans[self.spans_key] = SpanGroup(doc, name=self.spans_key, spans=spans)
        return doc

    # ------------------------------------------------------------------ serialisation
    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        lines = [json.dumps(r.to_json(), ensure_ascii=False) for r in self._source_records]
        (path / _PATTERNS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
        (path / _CFG_FILE).write_text(json.dumps({"spans_key": self.spans_key,
                                                  "hashes": self.hashes}), encoding="utf-8")

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> BehaviourRuler:
        path = Path(path)
        cfg = json.loads((path / _CFG_FILE).read_text(encoding="utf-8"))
        file = path / _PATTERNS_FILE
        records = parse_pattern_lines(file.read_text(encoding="utf-8"), str(file))
        self.spans_key = cfg.get("spans_key", self.spans_key)
        self.set_patterns(PatternSet(records=tuple(records), hashes=cfg.get("hashes", {}),
                                     origin=str(path)))
        return self



@Language.factory(
    FACTORY_NAME,
    default_config={"patterns_dir": None, "spans_key": DEFAULT_SPANS_KEY},
)
def make_behaviour_ruler(nlp: Language, name: str, patterns_dir: str | None,
                         spans_key: str) -> BehaviourRuler:
    """Factory of the behaviour ruler: patterns from ``patterns_dir`` (None: the package's)."""
    return BehaviourRuler(nlp, name=name, patterns_dir=patterns_dir, spans_key=spans_key)
