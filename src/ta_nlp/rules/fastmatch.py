"""An indexed executor for spaCy token-Matcher patterns.

spaCy's ``Matcher`` tries every pattern at every token and runs set predicates (``IN``,
``NOT_IN``, ``REGEX``) as Python callbacks; with a few hundred cue patterns that costs about a
millisecond per utterance. This executor works on the document's attribute hashes
(``Doc.to_array``), skips a pattern unless every one of its required tokens can be satisfied by
some token of the document, and only tries it where its first token matches. It supports the part
of the Matcher language the pattern files use -- attributes ``ORTH``/``TEXT``, ``NORM``,
``LOWER`` and the flags ``IS_PUNCT``, ``IS_SENT_START``, ``IS_TITLE``, ``IS_ALPHA``,
``IS_DIGIT``, ``IS_LOWER``, ``IS_UPPER``, ``LIKE_NUM``, ``IS_SPACE``, ``IS_STOP``; predicates
``IN``, ``NOT_IN``, ``REGEX``, ``==``, ``!=``; operators ``?``, ``*``, ``+``, ``{n}``,
``{n,m}``, ``{n,}``, ``{,m}`` -- with the results of ``Matcher.add(key, [pattern],
greedy="LONGEST")`` (per key, the longest non-overlapping matches). :func:`supported` says whether
a pattern can run here; others run on spaCy's own ``Matcher``. The equivalence is tested in
``tests/rules/test_patterns.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

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
                    if not set(value) <= _PREDICATES:
                        return False
                elif not isinstance(value, str):
                    return False
            elif key_u in _FLAG_ATTRS:
                if not isinstance(value, bool):
                    return False
            else:
                return False
    return True


# A test reads the attribute table of a doc: cols[attr_id][token_index] (ints).
Test = Callable[[dict, int], bool]


def _compile_test(attr_name: str, value: Any, strings) -> Test:
    if attr_name in _FLAG_ATTRS:
        attr = _FLAG_ATTRS[attr_name]
        if attr == A.SENT_START:
            return (lambda c, i: c[attr][i] == 1) if value else (lambda c, i: c[attr][i] != 1)
        want = 1 if value else 0
        return lambda c, i: c[attr][i] == want
    attr = _STR_ATTRS[attr_name]
    if not isinstance(value, dict):
        h = hash_string(value)
        return lambda c, i: c[attr][i] == h
    tests: list[Test] = []
    for pred, arg in value.items():
        if pred in ("IN", "NOT_IN"):
            hashes = frozenset(hash_string(v) for v in arg)
            if pred == "IN":
                tests.append(lambda c, i, hs=hashes: c[attr][i] in hs)
            else:
                tests.append(lambda c, i, hs=hashes: c[attr][i] not in hs)
        elif pred in ("==", "!="):
            h = hash_string(arg)
            if pred == "==":
                tests.append(lambda c, i, h=h: c[attr][i] == h)
            else:
                tests.append(lambda c, i, h=h: c[attr][i] != h)
        else:  # REGEX, with a cache of results per string hash
            rx = re.compile(arg)
            cache: dict[int, bool] = {}

            def regex(c, i, rx=rx, cache=cache, attr=attr):
                h = c[attr][i]
                hit = cache.get(h)
                if hit is None:
                    hit = rx.search(strings[h]) is not None
                    if len(cache) < 100_000:
                        cache[h] = hit
                return hit
            tests.append(regex)
    if len(tests) == 1:
        return tests[0]
    return lambda c, i: all(t(c, i) for t in tests)


def _all_of(tests: list[Test]) -> Test:
    return lambda c, i: all(t(c, i) for t in tests)


def _required_values(token: dict) -> tuple[int, frozenset[int]] | None:
    """(attribute id, hashes) one of which a required token must carry, when that is finite."""
    for key, value in token.items():
        key_u = key.upper()
        if key_u in _STR_ATTRS:
            if isinstance(value, str):
                return _STR_ATTRS[key_u], frozenset([hash_string(value)])
            if isinstance(value, dict) and "IN" in value:
                return _STR_ATTRS[key_u], frozenset(hash_string(v) for v in value["IN"])
            if isinstance(value, dict) and "==" in value:
                return _STR_ATTRS[key_u], frozenset([hash_string(value["=="])])
    return None


def _first_regex(token: dict) -> tuple[int, Any] | None:
    """(attribute id, compiled regex) when a token's only string test is one REGEX."""
    for key, value in token.items():
        key_u = key.upper()
        if key_u in _STR_ATTRS and isinstance(value, dict) and set(value) == {"REGEX"}:
            return _STR_ATTRS[key_u], re.compile(value["REGEX"])
    return None


class _Variant:
    __slots__ = ("anchor", "key", "regex", "required", "steps")

    def __init__(self, key: str, steps, required, anchor, regex):
        self.key = key
        self.steps = steps          # [(test, low, high)]
        self.required = required    # bit mask of the value sets its required tokens need
        self.anchor = anchor        # (attr id, hashes) the first token must carry, or None
        self.regex = regex          # (attr id, regex) the first token must match, or None


class FastMatcher:
    """Run many token patterns on docs; ``__call__(doc) -> [(key, start, end)]``."""

    def __init__(self, strings, common: frozenset[str] = frozenset()):
        """``strings``: the vocab's StringStore; ``common``: frequent words, avoided as index keys."""
        self._strings = strings
        self._common = frozenset(hash_string(w) for w in common)
        # first-token regexes: per attribute, the hashes already tested and those that matched
        self._regex_of: dict[int, dict[str, Any]] = {}
        self._regex_known: dict[int, set[int]] = {}
        self._regex_yes: dict[tuple[int, str], set[int]] = {}
        self._variants: list[_Variant] = []
        # Each distinct value set of a required token gets an id; a document "satisfies" the ids
        # of the sets one of its tokens belongs to; a pattern can only match when the document
        # satisfies all of its ids.
        # (ids are bits of Python ints, so "satisfies all" is one AND)
        self._set_ids: dict[tuple[int, frozenset[int]], int] = {}
        self._members: dict[int, dict[int, int]] = {}          # attr -> hash -> mask of set ids
        self._member_keys: dict[int, frozenset[int]] = {}
        self._index: dict[int, dict[int, list[_Variant]]] = {}  # attr -> hash -> variants
        self._index_keys: dict[int, frozenset[int]] = {}
        # the same, as (required mask, variant) pairs for the candidate scan
        self._index_pairs: dict[int, dict[int, tuple[tuple[int, _Variant], ...]]] = {}
        self._always: list[int] = []                         # variants without a finite anchor
        self._attrs: list[int] = []

    def __len__(self) -> int:
        return len(self._variants)

    def add(self, key: str, pattern: Sequence[dict]) -> None:
        if not supported(pattern):
            raise ValueError(f"pattern {key} uses features FastMatcher does not support")
        for token in pattern:
            for k in token:
                k_u = k.upper()
                attr = _STR_ATTRS.get(k_u, _FLAG_ATTRS.get(k_u))
                if attr is not None and attr not in self._attrs:
                    self._attrs.append(attr)
        for variant in _variants(list(pattern)):
            steps = []
            required = []
            for token in variant:
                low, high = _op_range(token.get("OP"))  # type: ignore[misc]
                tests = [_compile_test(k.upper(), v, self._strings)
                         for k, v in token.items() if k.upper() != "OP"]
                if not tests:
                    test: Test = lambda c, i: True
                elif len(tests) == 1:
                    test = tests[0]
                else:
                    test = _all_of(tests)
                steps.append((test, low, high))
                if low >= 1:
                    values = _required_values(token)
                    if values is not None:
                        required.append(values)
            number = len(self._variants)
            first_low = steps[0][1]
            anchor = _required_values(variant[0]) if first_low >= 1 else None
            regex = _first_regex(variant[0]) if first_low >= 1 and anchor is None else None
            if regex is not None:
                self._regex_of.setdefault(regex[0], {})[regex[1].pattern] = regex[1]
                self._regex_known.pop(regex[0], None)  # new regex: re-test every string
            mask = 0
            for attr, hashes in required:
                mask |= 1 << self._set_id(attr, hashes)
            self._variants.append(_Variant(key, steps, mask, anchor, regex))
            if not required:
                self._always.append(number)
            else:
                # index by the most selective required token: fewest frequent words, then fewest values
                attr, hashes = min(required, key=lambda r: (len(r[1] & self._common), len(r[1])))
                bucket = self._index.setdefault(attr, {})
                for h in hashes:
                    bucket.setdefault(h, []).append(self._variants[number])
                self._index_keys[attr] = frozenset(bucket)
                pairs = self._index_pairs.setdefault(attr, {})
                for h in hashes:
                    pairs[h] = tuple((v.required, v) for v in bucket[h])

    def _set_id(self, attr: int, hashes: frozenset[int]) -> int:
        key = (attr, hashes)
        sid = self._set_ids.get(key)
        if sid is None:
            sid = self._set_ids[key] = len(self._set_ids)
            members = self._members.setdefault(attr, {})
            for h in hashes:
                members[h] = members.get(h, 0) | (1 << sid)
            self._member_keys[attr] = frozenset(members)
        return sid

    def _regex_hits(self, rx, attr: int, values: set[int]) -> set[int]:
        """The hashes among ``values`` whose string matches ``rx`` (results cached per hash)."""
        known = self._regex_known.setdefault(attr, set())
        unknown = values - known
        if unknown:
            if len(known) > 200_000:
                known.clear()
                for cache in self._regex_yes.values():
                    cache.clear()
                unknown = values
            strings = self._strings
            for pattern, other in self._regex_of.get(attr, {}).items():
                yes = self._regex_yes.setdefault((attr, pattern), set())
                for h in unknown:
                    if other.search(strings[h]) is not None:
                        yes.add(h)
            known |= unknown
        return values & self._regex_yes.get((attr, rx.pattern), set())

    def _longest(self, cols, n: int, steps, k: int, i: int) -> int:
        last = len(steps)
        # fixed single tokens: no branching
        while k < last:
            test, low, high = steps[k]
            if low != 1 or high != 1:
                break
            if i >= n or not test(cols, i):
                return -1
            i += 1
            k += 1
        if k == last:
            return i
        count = 0
        limit = min(high, n - i)
        while count < limit and test(cols, i + count):
            count += 1
        best = -1
        while count >= low:
            end = self._longest(cols, n, steps, k + 1, i + count)
            best = max(best, end)
            count -= 1
        return best

    @property
    def attrs(self) -> tuple[int, ...]:
        """The token attribute ids the patterns read (the keys ``cols`` of ``__call__`` needs)."""
        return tuple(self._attrs)

    def __call__(self, doc, cols: dict[int, list[int]] | None = None
                 ) -> list[tuple[str, int, int]]:
        """``cols``: the doc's attribute values, attr id -> per-token ints, when the caller
        already has them (``doc.to_array`` values of :attr:`attrs`; for ``SENT_START`` only
        whether a value is 1 matters)."""
        n = len(doc)
        if n == 0 or not self._variants:
            return []
        if cols is None:
            table = doc.to_array(self._attrs)
            if table.ndim == 1:
                table = table.reshape(-1, 1)
            cols = dict(zip(self._attrs, table.T.tolist()))
        present: dict[int, set[int]] = {attr: set(cols[attr]) for attr in self._members}
        satisfied = 0
        for attr, members in self._members.items():
            for h in present[attr] & self._member_keys[attr]:
                satisfied |= members[h]
        chosen: dict[int, _Variant] = {}
        for attr, bucket in self._index_pairs.items():
            for h in present[attr] & self._index_keys[attr]:
                for required, v in bucket[h]:
                    if required & satisfied == required:
                        chosen[id(v)] = v
        candidates = list(chosen.values())
        candidates.extend(self._variants[number] for number in self._always)
        positions: dict[int, dict[int, list[int]]] = {}
        regex_hits: dict[tuple[int, str], set[int]] = {}
        found: dict[str, list[tuple[int, int]]] = {}
        longest = self._longest
        for variant in candidates:
            steps = variant.steps
            first = steps[0][0]
            if variant.anchor is not None:
                attr, hashes = variant.anchor
                where = positions.get(attr)
                if where is None:
                    where = positions[attr] = {}
                    for i, v in enumerate(cols[attr]):
                        where.setdefault(v, []).append(i)
                hits = hashes & present[attr] if attr in present else hashes
                starts: Sequence[int]
                if len(hits) == 1:
                    for h in hits:
                        starts = where.get(h, ())   # already in token order
                else:
                    starts = sorted(i for h in hits for i in where.get(h, ()))
            elif variant.regex is not None:
                attr, rx = variant.regex
                hits = regex_hits.get((attr, rx.pattern))
                if hits is None:
                    values = present.get(attr)
                    if not values:
                        values = present[attr] = set(cols[attr])
                    hits = regex_hits[(attr, rx.pattern)] = self._regex_hits(rx, attr, values)
                starts = [i for i, v in enumerate(cols[attr]) if v in hits] if hits else ()
            else:
                starts = range(n)
            # a fixed first token (no operator) is tested here, the rest by _longest
            fixed = steps[0][1] == 1 and steps[0][2] == 1
            single = fixed and len(steps) == 1
            for start in starts:
                if not first(cols, start):
                    continue
                if single:
                    found.setdefault(variant.key, []).append((start, start + 1))
                    continue
                if fixed:
                    end = longest(cols, n, steps, 1, start + 1)
                else:
                    end = longest(cols, n, steps, 0, start)
                if end > start:
                    found.setdefault(variant.key, []).append((start, end))
        out: list[tuple[str, int, int]] = []
        for key, spans in found.items():
            # greedy LONGEST: longest first (earlier start on ties), no overlaps within a key
            taken: list[tuple[int, int]] = []
            for start, end in sorted(set(spans), key=lambda se: (se[0] - se[1], se[0])):
                if all(end <= s or start >= e for s, e in taken):
                    taken.append((start, end))
            out.extend((key, s, e) for s, e in taken)
        out.sort(key=lambda m: (m[1], m[2], m[0]))
        return out


def _variants(pattern: list[dict], depth: int = 0) -> list[list[dict]]:
    """Expand leading optional tokens so that every variant starts with a required token."""
    if not pattern:
        return []
    first = pattern[0]
    low, high = _op_range(first.get("OP"))  # type: ignore[misc]
    if low >= 1 or depth > 3:
        return [pattern]
    with_it = dict(first)
    if high == 1:
        with_it.pop("OP", None)
    elif high >= _INF:
        with_it["OP"] = "+"
    else:
        with_it["OP"] = f"{{1,{high}}}"
    out = [[with_it] + pattern[1:]]
    out.extend(_variants(pattern[1:], depth + 1))
    return out
