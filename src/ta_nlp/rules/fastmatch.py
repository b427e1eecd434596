"""A compiled executor for spaCy token-Matcher patterns.

spaCy's ``Matcher`` tries every pattern at every token and runs set predicates (``IN``,
``NOT_IN``, ``REGEX``) as Python callbacks; with a few hundred cue patterns that costs about a
millisecond per utterance. This executor turns each token pattern into one regular expression over
an *encoded* token stream and lets the ``re`` engine (C code) do the matching:

- every token becomes a fixed-width row of characters: one character per string attribute the
  patterns test (``NORM``, ``ORTH``, ``LOWER``), chosen from that attribute's own private range
  (each value a pattern names gets its own character, every other value one shared "other"
  character), and, when patterns test flags or regular expressions, one character whose code
  point carries those bits;
- a token dict becomes a row of character classes, operators become regex quantifiers over the
  row, and because every column has its own code-point range a match can only start and end on
  token boundaries;
- many documents are encoded into one string (a row of newlines between documents, which no
  class matches), so a batch of utterances is matched with one ``search`` loop per pattern, and
  only patterns whose required values occur somewhere in the batch are run.

It supports the part of the Matcher language the pattern files use -- attributes ``ORTH``/
``TEXT``, ``NORM``, ``LOWER`` and the flags ``IS_PUNCT``, ``IS_SENT_START``, ``IS_TITLE``,
``IS_ALPHA``, ``IS_DIGIT``, ``IS_LOWER``, ``IS_UPPER``, ``LIKE_NUM``, ``IS_SPACE``, ``IS_STOP``;
predicates ``IN``, ``NOT_IN``, ``REGEX``, ``==``, ``!=``; operators ``?``, ``*``, ``+``,
``{n}``, ``{n,m}``, ``{n,}``, ``{,m}`` -- with the results of ``Matcher.add(key, [pattern],
greedy="LONGEST")``: for each key, the longest non-overlapping matches (longest first, the
earlier start on ties). ``re`` returns the first match of its backtracking order, which is the
longest one when a pattern has at most one variable-length token; for patterns with more, the
longest end of every match found is searched for explicitly, and when a key matches at several
starts of a document, the shorter ends of each start are added before the greedy choice, as
spaCy does. :func:`supported` says whether a
pattern can run here; others run on spaCy's own ``Matcher``. The equivalence is tested in
``tests/rules/test_patterns.py``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import chain, repeat
from operator import sub
from typing import Any

import numpy as np
import pandas as pd
from spacy import attrs as A
from spacy.strings import hash_string

_STR_ATTRS = {"ORTH": A.ORTH, "TEXT": A.ORTH, "NORM": A.NORM, "LOWER": A.LOWER}
_FLAG_ATTRS = {
    "IS_PUNCT": A.IS_PUNCT, "IS_SENT_START": A.SENT_START, "IS_TITLE": A.IS_TITLE,
    "IS_ALPHA": A.IS_ALPHA, "IS_DIGIT": A.IS_DIGIT, "IS_LOWER": A.IS_LOWER,
    "IS_UPPER": A.IS_UPPER, "LIKE_NUM": A.LIKE_NUM, "IS_SPACE": A.IS_SPACE, "IS_STOP": A.IS_STOP,
}
_PREDICATES = {"IN", "NOT_IN", "REGEX", "==", "!="}
_OP_RE = re.compile(r"^\{(\d*)(,?)(\d*)\}$")
_INF = 1 << 30

# Code-point ranges (base, size) of the string columns, in this order: in the Basic Multilingual
# Plane when the values fit (the regex engine tests those classes with bitmaps), else in the
# supplementary planes. The stream never holds real text, so any block will do.
_BMP_RANGES = ((0x4E00, 0x5200), (0xAC00, 0x2BA4), (0x3400, 0x19C0))
_WIDE_RANGES = ((0xF0000, 0xFFFD), (0x100000, 0xFFFD), (0x20000, 0xFFFD))
_FLAG_BASE = 0xE000     # the flag column: _FLAG_BASE + bit mask
_MAX_FLAG_BITS = 12
_SEP = 10  # "\n": the separator rows between documents


def _op_range(op: str | None) -> tuple[int, int] | None:
    if op is None:
        return 1, 1
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, _INF
    if op == "+":
        return 1, _INF
    m = _OP_RE.match(op)
    if not m:
        return None  # "!" and anything else: not supported here
    low, comma, high = m.groups()
    if not comma:
        return int(low), int(low)
    return (int(low) if low else 0), (int(high) if high else _INF)


def supported(pattern: Sequence[dict]) -> bool:
    """True when every token dict uses only what this executor implements."""
    for token in pattern:
        for key, value in token.items():
            key_u = key.upper()
            if key_u == "OP":
                if not isinstance(value, str) or _op_range(value) is None:
                    return False
            elif key_u in _STR_ATTRS:
                if isinstance(value, dict):
                    if not value or not set(value) <= _PREDICATES:
                        return False
                    for pred, arg in value.items():
                        if pred in ("IN", "NOT_IN"):
                            if not isinstance(arg, list) or not all(isinstance(v, str) for v in arg):
                                return False
                        elif not isinstance(arg, str):
                            return False
                elif not isinstance(value, str):
                    return False
            elif key_u in _FLAG_ATTRS:
                if not isinstance(value, bool):
                    return False
            else:
                return False
    return True


def _char_class(chars: Iterable[int]) -> str:
    """A regex character class of the given code points (as ranges)."""
    points = sorted(set(chars))
    if not points:
        return "(?!)"
    parts: list[str] = []
    start = prev = points[0]
    for p in points[1:] + [None]:  # type: ignore[operator]
        if p is not None and p == prev + 1:
            prev = p
            continue
        if start == prev:
            parts.append(re.escape(chr(start)))
        else:
            parts.append(f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
        if p is not None:
            start = prev = p
    if len(points) == 1:
        return parts[0]
    return "[" + "".join(parts) + "]"


def _negated_class(excluded: Iterable[int]) -> str:
    """A class of any character but the separator and the ``excluded`` code points."""
    excluded = list(excluded)
    if not excluded:
        return "."
    inner = _char_class(excluded)
    if inner.startswith("["):
        inner = inner[1:-1]
    return "[^\\n" + inner + "]"


class _Compiled:
    """One pattern as a regex over the encoded stream."""

    __slots__ = ("ambiguous", "anchors", "key", "max_len", "regex", "required")

    def __init__(self, key: str, regex: re.Pattern, required: list[frozenset[str]],
                 ambiguous: bool, max_len: int,
                 anchors: list[tuple[int, frozenset[str], int]]):
        self.key = key
        # [(column, characters, offset)]: the token ``offset`` tokens after the start of every
        # match has one of these characters in that column (empty: scan the whole stream);
        # the rarest of them in a batch gives the places to try
        self.anchors = anchors
        self.regex = regex
        self.required = required      # per required token: the characters one of which it needs
        self.ambiguous = ambiguous    # more than one variable-length token: search the longest
        self.max_len = max_len        # most tokens a match can span (_INF: unbounded)


def _scan(regex: re.Pattern, stream: str, width: int):
    """Every match of ``regex`` in ``stream`` that starts on a token, one per start token
    (overlapping)."""
    m = regex.search(stream)
    while m is not None:
        start = m.start()
        if start % width:
            # not a token start; an aligned match can only come after it
            m = regex.search(stream, start + 1)
            continue
        yield m
        m = regex.search(stream, start + width)


class FastMatcher:
    """Run many token patterns on docs: ``__call__(doc) -> [(key, start, end)]``, or
    :meth:`match` on the attribute table of many docs at once."""

    def __init__(self, strings, common: frozenset[str] = frozenset()):
        """``strings``: the vocab's StringStore; ``common``: frequent words (a document is only
        searched for a pattern when it contains the pattern's required token with the fewest
        frequent words)."""
        self._strings = strings
        self._common = frozenset(hash_string(w) for w in common)
        self._patterns: list[tuple[str, list[dict]]] = []
        self._compiled: list[_Compiled] | None = None
        self._attrs: list[int] = []
        # string columns: attr -> (column index, {hash: code point}, other code point)
        self._columns: dict[int, tuple[int, dict[int, int], int]] = {}
        # flag bits: (attr, wanted value or regex pattern) -> bit
        self._flag_bits: dict[tuple[int, Any], int] = {}
        # per attribute: value hash -> bit mask of the regular expressions it matches
        self._regex_cache: dict[int, dict[int, int]] = {}
        self._width = 0
        self._flag_column = False
        self._regexes_of: dict[str, list[re.Pattern]] = {}
        self._by_char: dict[str, list[int]] = {}
        self._unanchored: list[int] = []
        self._ranges: tuple[tuple[int, int], ...] = _BMP_RANGES
        self._indexed: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._patterns)

    def add(self, key: str, pattern: Sequence[dict]) -> None:
        if not supported(pattern):
            raise ValueError(f"pattern {key} uses features FastMatcher does not support")
        if not pattern:
            raise ValueError(f"pattern {key} is empty")
        self._patterns.append((key, [dict(t) for t in pattern]))
        for token in pattern:
            for k in token:
                k_u = k.upper()
                attr = _STR_ATTRS.get(k_u, _FLAG_ATTRS.get(k_u))
                if attr is not None and attr not in self._attrs:
                    self._attrs.append(attr)
        self._compiled = None

    def compile(self) -> None:
        """Compile the patterns now (otherwise the first match does it)."""
        if self._compiled is None:
            self._compile()

    @property
    def attrs(self) -> tuple[int, ...]:
        """The token attribute ids the patterns read (the columns :meth:`match` needs)."""
        return tuple(self._attrs)

    # ------------------------------------------------------------------ compilation
    def _compile(self) -> list[_Compiled]:
        # which string attributes are tested by value (columns), which bits the flags need
        value_attrs: list[int] = []
        bits: dict[tuple[int, Any], int] = {}
        values: dict[int, set[str]] = {}
        for _key, pattern in self._patterns:
            for token in pattern:
                for k, v in token.items():
                    k_u = k.upper()
                    if k_u in _STR_ATTRS:
                        attr = _STR_ATTRS[k_u]
                        preds = {"==": v} if isinstance(v, str) else v
                        for pred, arg in preds.items():
                            if pred == "REGEX":
                                bits.setdefault((attr, arg), len(bits))
                                continue
                            if attr not in value_attrs:
                                value_attrs.append(attr)
                            words = arg if isinstance(arg, list) else [arg]
                            values.setdefault(attr, set()).update(words)
                    elif k_u in _FLAG_ATTRS:
                        bits.setdefault((_FLAG_ATTRS[k_u], True), len(bits))
        if len(bits) > _MAX_FLAG_BITS:
            raise ValueError(f"the patterns test {len(bits)} flags and regular expressions; "
                             f"FastMatcher supports at most {_MAX_FLAG_BITS}")
        order = [A.NORM, A.ORTH, A.LOWER]
        value_attrs.sort(key=order.index)
        fits = all(len(values[attr]) + 1 <= size
                   for attr, (_base, size) in zip(value_attrs, _BMP_RANGES))
        ranges = _BMP_RANGES if fits else _WIDE_RANGES
        if any(len(values[attr]) + 1 > size for attr, (_b, size) in zip(value_attrs, ranges)):
            raise ValueError("too many distinct values for FastMatcher")
        self._ranges = ranges
        columns: dict[int, tuple[int, dict[int, int], int]] = {}
        for index, attr in enumerate(value_attrs):
            base, _size = ranges[index]
            words = sorted(values[attr])
            table = {hash_string(w): base + 1 + i for i, w in enumerate(words)}
            columns[attr] = (index, table, base)
        self._columns = columns
        self._flag_bits = bits
        n_cols = len(columns)
        # the flag column exists when a pattern tests flags, or when nothing else would
        self._flag_column = bool(bits) or not n_cols
        self._width = n_cols + (1 if self._flag_column else 0)
        # a pattern with leading optional tokens runs as variants that start with a required one
        compiled = [self._compile_one(key, variant) for key, pattern in self._patterns
                    for variant in _variants(pattern)]
        # the characters of every anchor, per column: where they occur is indexed per batch
        indexed: dict[int, set[int]] = {}
        for pattern in compiled:
            for column, chars, _offset in pattern.anchors:
                indexed.setdefault(column, set()).update(ord(c) for c in chars)
            for chars in pattern.required:
                for c in chars:
                    indexed.setdefault(self._column_of(c), set()).add(ord(c))
        self._indexed = {column: np.array(sorted(points), dtype=np.uint32)
                         for column, points in indexed.items()}
        # candidates of a batch: a pattern is tried only when a value of its first anchor occurs
        self._by_char = {}
        self._unanchored = []
        for number, pattern in enumerate(compiled):
            if pattern.anchors:
                for c in pattern.anchors[0][1]:
                    self._by_char.setdefault(c, []).append(number)
            else:
                self._unanchored.append(number)
        self._regexes_of = {}
        for pattern in compiled:
            self._regexes_of.setdefault(pattern.key, []).append(pattern.regex)
        self._compiled = compiled
        return compiled

    def _column_of(self, char: str) -> int:
        point = ord(char)
        for index in range(len(self._columns)):
            base, size = self._ranges[index]
            if base <= point < base + size:
                return index
        return len(self._columns)   # the flag column

    def _any_of_column(self, index: int) -> str:
        # matches start on token boundaries and every row has the same width, so the column is
        # known from the position: "any value" needs no class (and "\n", the separator, is
        # never matched)
        return "."

    def _token_regex(self, token: dict
                     ) -> tuple[str, frozenset[str] | None, list[tuple[tuple, int, frozenset[str]]]]:
        """The regex row of one token dict; the characters of its first positive column test
        (one of which a document must contain for the token to match), if any; and every
        positive test as ``(cost, column, characters)`` (cost: a guess of how often it holds)."""
        cols: list[str | None] = [None] * len(self._columns)
        required: frozenset[str] | None = None
        tests: list[tuple[tuple, int, frozenset[str]]] = []
        want_on = 0
        want_off = 0
        for k, v in token.items():
            k_u = k.upper()
            if k_u == "OP":
                continue
            if k_u in _FLAG_ATTRS:
                bit = 1 << self._flag_bits[(_FLAG_ATTRS[k_u], True)]
                if v:
                    want_on |= bit
                else:
                    want_off |= bit
                continue
            attr = _STR_ATTRS[k_u]
            preds = {"==": v} if isinstance(v, str) else v
            allowed: set[int] | None = None
            excluded: set[int] = set()
            for pred, arg in preds.items():
                if pred == "REGEX":
                    want_on |= 1 << self._flag_bits[(attr, arg)]
                    continue
                index, table, _other = self._columns[attr]
                words = arg if isinstance(arg, list) else [arg]
                points = {table[hash_string(w)] for w in words}
                if pred in ("IN", "=="):
                    allowed = points if allowed is None else allowed & points
                    common = sum(1 for w in words if hash_string(w) in self._common)
                else:
                    excluded |= points
            if allowed is None and not excluded:
                continue  # only regular expressions on this attribute
            index, _table, _other = self._columns[attr]
            if allowed is not None:
                allowed -= excluded
                cls = _char_class(allowed)
                chars = frozenset(chr(p) for p in allowed)
                if required is None:
                    required = chars
                tests.append(((0, common, len(chars)), index, chars))
            else:
                cls = _negated_class(excluded)
            previous = cols[index]
            # two tests on the same column (e.g. ORTH and TEXT): both must hold
            cols[index] = cls if previous is None else f"(?={previous}){cls}"
        parts = [c if c is not None else self._any_of_column(i) for i, c in enumerate(cols)]
        if self._flag_column:
            if want_on & want_off:
                parts.append("(?!)")
            else:
                masks = [m for m in range(1 << len(self._flag_bits))
                         if m & want_on == want_on and not m & want_off]
                parts.append(_char_class(_FLAG_BASE + m for m in masks)
                             if want_on or want_off else ".")
                if want_on or want_off:
                    tests.append(((1, 0, len(masks)), len(self._columns),
                                  frozenset(chr(_FLAG_BASE + m) for m in masks)))
        return "".join(parts), required, tests

    def _compile_one(self, key: str, pattern: list[dict]) -> _Compiled:
        pieces: list[str] = []
        required: list[frozenset[str]] = []
        variable = 0
        max_len = 0
        anchors = []     # the tests of tokens at a fixed offset from the start
        offset: int | None = 0
        for token in pattern:
            low, high = _op_range(token.get("OP"))  # type: ignore[misc]
            row, need, tests = self._token_regex(token)
            if offset is not None and low >= 1:
                anchors.extend((cost, column, chars, offset) for cost, column, chars in tests)
            if offset is not None:
                offset = offset + 1 if low == high == 1 else None
            if low == high == 1:
                pieces.append(row)
            else:
                if high >= _INF:
                    quant = "*" if low == 0 else ("+" if low == 1 else f"{{{low},}}")
                elif low == high:
                    quant = f"{{{low}}}"
                elif (low, high) == (0, 1):
                    quant = "?"
                else:
                    quant = f"{{{low},{high}}}"
                pieces.append(f"(?:{row}){quant}")
            if low != high:
                variable += 1
            max_len = min(_INF, max_len + high)
            if low >= 1 and need is not None:
                required.append(need)
        regex = re.compile("".join(pieces))
        # string tests, most selective first; flag tests only when there is nothing else
        strings = sorted(a for a in anchors if a[0][0] == 0)
        chosen = strings or sorted(anchors)[:1]
        return _Compiled(key, regex, required, variable > 1, max_len,
                         [(column, chars, at) for _cost, column, chars, at in chosen])

    # ------------------------------------------------------------------ encoding
    def _encode(self, table: dict[int, np.ndarray], lengths: Sequence[int], strings
                ) -> tuple[str, np.ndarray]:
        """The stream of ``len(lengths)`` docs whose attribute columns are ``table`` (attr ->
        values of all their tokens, concatenated), and its code points as rows x columns."""
        width = self._width
        n_tok = int(sum(lengths))
        n_docs = len(lengths)
        codes = np.full((n_tok + n_docs, width), _SEP, dtype=np.uint32)
        if n_tok:
            doc_of = np.repeat(np.arange(n_docs), lengths)
            rows = np.arange(n_tok) + doc_of
            factorized: dict[int, tuple[np.ndarray, list[int]]] = {}

            def factorize(attr: int) -> tuple[np.ndarray, list[int]]:
                # (index of each token's value among the distinct values, the distinct values)
                done = factorized.get(attr)
                if done is None:
                    values = np.asarray(table[attr], dtype=np.uint64)
                    index, distinct = pd.factorize(values)
                    done = factorized[attr] = (index, distinct.tolist())
                return done

            for attr, (index, mapping, other) in self._columns.items():
                inverse, distinct = factorize(attr)
                points = np.fromiter((mapping.get(h, other) for h in distinct),
                                     dtype=np.uint32, count=len(distinct))
                codes[rows, index] = points[inverse]
            if self._flag_column:
                mask = np.zeros(n_tok, dtype=np.uint32)
                regexes: dict[int, list[tuple[int, Any]]] = {}
                for (attr, what), bit in self._flag_bits.items():
                    if what is True:
                        values = np.asarray(table[attr], dtype=np.uint64)
                        mask |= (values == 1).astype(np.uint32) << bit
                    else:
                        regexes.setdefault(attr, []).append((bit, what))
                for attr, tests in regexes.items():
                    # all regular-expression bits of one attribute: per distinct value, cached
                    cache = self._regex_cache.setdefault(attr, {})
                    if len(cache) > 200_000:
                        cache.clear()
                    compiled = [(bit, re.compile(what)) for bit, what in tests]
                    inverse, distinct = factorize(attr)
                    bits = []
                    for h in distinct:
                        found = cache.get(h)
                        if found is None:
                            text = strings[h]
                            found = cache[h] = sum(1 << bit for bit, rx in compiled
                                                   if rx.search(text) is not None)
                        bits.append(found)
                    mask |= np.asarray(bits, dtype=np.uint32)[inverse]
                codes[rows, width - 1] = _FLAG_BASE + mask
        return codes.tobytes().decode("utf-32-le"), codes

    # ------------------------------------------------------------------ matching
    def match(self, table: dict[int, Any], lengths: Sequence[int], strings=None
              ) -> list[list[tuple[str, int, int]]]:
        """Matches in many docs at once.

        ``table``: attr id -> the values of that attribute for every token of the docs, one doc
        after the other (``Doc.to_array`` values; for ``SENT_START`` only whether a value is 1
        matters); ``lengths``: the docs' token counts; ``strings``: the StringStore of the
        docs' values when it is not the one the matcher was made with. Returns, per doc,
        ``(key, start, end)`` of every match in document order.
        """
        compiled = self._compiled if self._compiled is not None else self._compile()
        out: list[list[tuple[str, int, int]]] = [[] for _ in lengths]
        if not compiled or not sum(lengths):
            return out
        stream, codes = self._encode(table, lengths, strings or self._strings)
        width = self._width
        # the first row of every doc (rows count the separator rows between docs)
        firsts: list[int] = []
        row = 0
        for n in lengths:
            firsts.append(row)
            row += n + 1
        # where each anchor character occurs: character -> positions of its rows
        rows_of: dict[str, list[int]] = {}
        for column, points in self._indexed.items():
            values = codes[:, column]
            rows = np.flatnonzero(np.isin(values, points))
            if not len(rows):
                continue
            values = values[rows]
            order = np.argsort(values, kind="stable")
            values = values[order]
            row_list = (rows[order] * width).tolist()   # as character positions
            cuts = [0, *(np.flatnonzero(values[1:] != values[:-1]) + 1).tolist(), len(row_list)]
            for lo, hi, point in zip(cuts, cuts[1:], values[cuts[:-1]].tolist()):
                rows_of[chr(point)] = row_list[lo:hi]
        present = rows_of.keys()
        found: dict[tuple[int, str], list[tuple[int, int]]] = {}
        by_char = self._by_char
        numbers = set(self._unanchored)
        for c in rows_of:
            hit = by_char.get(c)
            if hit is not None:
                numbers.update(hit)
        for number in sorted(numbers):
            pattern = compiled[number]
            if pattern.anchors:
                # the anchor with the fewest places in this batch; none: no match possible
                # (``required`` tokens without a fixed offset are checked the same way)
                best: list[list[int]] | None = None
                best_n = 0
                offset = 0
                for _column, chars, at in pattern.anchors:
                    lists = [rows_of[c] for c in (chars & present if len(chars) > 4 else chars)
                             if c in rows_of]
                    n = sum(map(len, lists))
                    if not n:
                        best = None
                        break
                    if best is None or n < best_n:
                        best, best_n, offset = lists, n, at
                if best is None:
                    continue
            if pattern.required and not all(not present.isdisjoint(need)
                                            for need in pattern.required):
                continue
            regex = pattern.regex
            if not pattern.anchors:
                matches = _scan(regex, stream, width)
            else:
                # (in any order: the spans are sorted below; a negative position is read as 0,
                # a real start, so every match found is a true one)
                starts = best[0] if len(best) == 1 else chain.from_iterable(best)
                if offset:
                    starts = map(sub, starts, repeat(offset * width))
                matches = filter(None, map(regex.match, repeat(stream), starts))
            for m in matches:
                s_char, e_char = m.span()
                if e_char <= s_char:
                    continue
                start_row = s_char // width
                end_row = e_char // width
                doc = bisect_right(firsts, start_row) - 1
                first = firsts[doc]
                if pattern.ambiguous:
                    # the longest end among all matches at this start
                    limit = first + lengths[doc]
                    if pattern.max_len < _INF:
                        limit = min(limit, start_row + pattern.max_len)
                    for end in range(limit, end_row, -1):
                        if regex.fullmatch(stream, s_char, end * width) is not None:
                            end_row = end
                            break
                found.setdefault((doc, pattern.key), []).append(
                    (start_row - first, end_row - first))
        flat: list[tuple[int, int, int, str]] = []
        for (doc, key), spans in found.items():
            if len(spans) == 1:
                start, end = spans[0]
                flat.append((doc, start, end, key))
                continue
            # greedy LONGEST over every match of the key (each start's shorter ends too):
            # longest first, the earlier start on ties, no overlaps within a key
            first = firsts[doc]
            regexes = self._regexes_of[key]
            every = set()
            for start, end in set(spans):
                every.add((start, end))
                at = (first + start) * width
                for shorter in range(start + 1, end):
                    if any(rx.fullmatch(stream, at, (first + shorter) * width) is not None
                           for rx in regexes):
                        every.add((start, shorter))
            taken: list[tuple[int, int]] = []
            for start, end in sorted(every, key=lambda se: (se[0] - se[1], se[0])):
                if all(end <= s or start >= e for s, e in taken):
                    taken.append((start, end))
            flat.extend((doc, s, e, key) for s, e in taken)
        flat.sort()   # by doc, then document order (start, end, key)
        for doc, start, end, key in flat:
            out[doc].append((key, start, end))
        return out

    def __call__(self, doc, cols: dict[int, list[int]] | None = None
                 ) -> list[tuple[str, int, int]]:
        """Matches in one doc. ``cols``: the doc's attribute values, attr id -> per-token ints,
        when the caller already has them (see :meth:`match`)."""
        n = len(doc)
        if n == 0 or not self._patterns:
            return []
        if cols is None:
            table = doc.to_array(self._attrs)
            if table.ndim == 1:
                table = table.reshape(-1, 1)
            cols = dict(zip(self._attrs, table.T))
        return self.match(cols, [n])[0]


def _variants(pattern: list[dict], depth: int = 0) -> list[list[dict]]:
    """Expand leading optional tokens so that every variant starts with a required one (the
    union of the variants' matches is the pattern's)."""
    if not pattern:
        return []
    first = pattern[0]
    low, high = _op_range(first.get("OP"))  # type: ignore[misc]
    if low >= 1 or depth > 3 or len(pattern) == 1:
        return [pattern]
    with_it = dict(first)
    with_it.pop("OP", None)
    if high >= _INF:
        with_it["OP"] = "+"
    elif high > 1:
        with_it["OP"] = f"{{1,{high}}}"
    return [[with_it] + pattern[1:], *_variants(pattern[1:], depth + 1)]

