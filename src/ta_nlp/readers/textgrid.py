"""Praat TextGrid files, long ("ooTextFile" with ``xmin = …`` labels) and short text forms, in
UTF-8 or UTF-16 (Praat's own choice when a label has non-ASCII characters).

- One ``IntervalTier`` per speaker: the tier name is the speaker label. Point tiers are ignored.
- Intervals whose text is empty or blank are silence and are dropped; all others are units, kept as
  they are (never merged), ordered by start time across tiers (ties: tier order).
- Several single-tier files make one transcript (one file per speaker channel, as PriMock57):
  see :func:`merge_channels` and the grouping rules in :mod:`ta_nlp.readers`.

The parser reads the file as a token stream — numbers, ``"strings"`` (``""`` is a quote),
``<exists>`` — skipping the ``name =`` labels and ``[n]:`` indices of the long form, which is how
Praat itself reads both forms.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

from ta_nlp.errors import ReaderError
from ta_nlp.model import Transcript, Utterance
from ta_nlp.readers._common import finish, format_clock
from ta_nlp.readers.encoding import read_text

_STRING = re.compile(r'"((?:[^"]|"")*)"')
# outside strings: [n] indices and ! comments are skipped; flags and numbers are tokens
_BARE = re.compile(r"\[[^\]\n]*\]|!.*|(<exists>|<absent>)|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")


@dataclass
class Tier:
    name: str
    kind: str                                  # IntervalTier | TextTier
    intervals: list[tuple[float, float, str, int]] = field(default_factory=list)  # xmin,xmax,text,line


class _Tokens:
    def __init__(self, text: str, path: Path):
        self.text = text
        self.path = path
        self._newlines: list[int] | None = None
        self.items: list[tuple[str, str, int]] = []  # (kind, value, offset)
        append = self.items.append
        offset = 0
        # split() alternates text outside strings and string contents: much faster than a
        # token-by-token scan of the long form's labels
        for index, part in enumerate(_STRING.split(text)):
            if index % 2:
                append(("str", part, offset))
                offset += len(part) + 2
                continue
            if '"' in part:
                raise ReaderError.make("E103", path=path,
                                       line=self.line_of(offset + part.index('"')),
                                       what="text string", found="a quote that is never closed")
            for flag, number in _BARE.findall(part):
                # the chunk's offset; _take finds the token's own position only for a message
                if number:
                    append(("num", number, offset))
                elif flag:
                    append(("flag", flag, offset))
            offset += len(part)
        self.i = 0

    def line_of(self, offset: int) -> int:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_right(self._newlines, offset) + 1

    def _take(self, kind: str, what: str):
        if self.i >= len(self.items):
            raise ReaderError.make("E103", path=self.path, line=self.text.count("\n") + 1,
                                   what="TextGrid", found=f"end of file where {what} was expected")
        got_kind, value, offset = self.items[self.i]
        if got_kind != kind:
            if got_kind != "str":
                offset = max(offset, self.text.find(value, offset))
            raise ReaderError.make("E101", path=self.path, line=self.line_of(offset),
                                   expected=what, found=value[:40],
                                   fix="The TextGrid is malformed; save it again from Praat.")
        self.i += 1
        return value, offset

    def string(self, what: str) -> tuple[str, int]:
        value, offset = self._take("str", what)
        return value.replace('""', '"'), offset

    def number(self, what: str) -> float:
        value, _ = self._take("num", what)
        return float(value)

    def count(self, what: str) -> int:
        value, offset = self._take("num", what)
        number = float(value)
        if number < 0 or number != int(number) or number > 10_000_000:
            offset = max(offset, self.text.find(value, offset))
            raise ReaderError.make("E101", path=self.path, line=self.line_of(offset), expected=what,
                                   found=value, fix="The TextGrid is malformed; save it again.")
        return int(number)

    def flag(self) -> str:
        if self.i < len(self.items) and self.items[self.i][0] == "flag":
            self.i += 1
            return self.items[self.i - 1][1]
        return "<exists>"


def parse_tiers(text: str, path: str | Path) -> list[Tier]:
    """All tiers of a TextGrid (long or short text form)."""
    path = Path(path)
    head = text.lstrip()[:200]
    if "ooTextFile" not in head and "TextGrid" not in head:
        raise ReaderError.make("E101", path=path, line=1,
                               expected='a Praat header \'File type = "ooTextFile"\'',
                               found=head.split("\n", 1)[0][:40],
                               fix="Pass --format if this is not a TextGrid.")
    tokens = _Tokens(text, path)
    file_type, _ = tokens.string("the file type")
    if file_type != "ooTextFile":
        raise ReaderError.make("E101", path=path, line=1, expected='"ooTextFile"',
                               found=file_type[:40],
                               fix="Save the TextGrid from Praat as a text file (not binary).")
    object_class, offset = tokens.string("the object class")
    if not object_class.startswith("TextGrid"):
        raise ReaderError.make("E101", path=path, line=tokens.line_of(offset),
                               expected='Object class = "TextGrid"', found=object_class[:40],
                               fix="Only TextGrid objects hold transcripts.")
    tokens.number("the grid's xmin")
    tokens.number("the grid's xmax")
    if tokens.flag() == "<absent>":
        return []
    n_tiers = tokens.count("the number of tiers")
    tiers = []
    for _ in range(n_tiers):
        kind, offset = tokens.string('a tier class ("IntervalTier" or "TextTier")')
        if kind not in ("IntervalTier", "TextTier"):
            raise ReaderError.make("E101", path=path, line=tokens.line_of(offset),
                                   expected='"IntervalTier" or "TextTier"', found=kind[:40],
                                   fix="The TextGrid is malformed; save it again from Praat.")
        name, _ = tokens.string("a tier name")
        tier = Tier(name.strip(), kind)
        tokens.number("the tier's xmin")
        tokens.number("the tier's xmax")
        n_items = tokens.count("the number of intervals")
        block = tokens.items[tokens.i:tokens.i + 3 * n_items] if kind == "IntervalTier" else []
        if block and len(block) == 3 * n_items and all(
                k == e for (k, _, _), e in zip(block, ("num", "num", "str") * n_items)):
            for j in range(0, len(block), 3):
                label = block[j + 2][1]
                if label.strip():
                    tier.intervals.append((float(block[j][1]), float(block[j + 1][1]),
                                           label.replace('""', '"'), block[j + 2][2]))
            tokens.i += 3 * n_items
            n_items = 0  # done; the loop below only runs for point tiers or to report errors
        for _ in range(n_items):
            if kind == "IntervalTier":
                xmin = tokens.number("an interval's xmin")
                xmax = tokens.number("an interval's xmax")
                label, offset = tokens.string("an interval's text")
                if label.strip():
                    tier.intervals.append((xmin, xmax, label, offset))
            else:
                tokens.number("a point's time")
                tokens.string("a point's mark")
        tiers.append(tier)
    # line numbers only for the kept intervals (bisect over newline offsets)
    for tier in tiers:
        tier.intervals = [(a, b, t, tokens.line_of(o)) for a, b, t, o in tier.intervals]
    return tiers


def tiers_to_utterances(tiers: list[tuple[str, Tier]], path: Path,
                        allow_unordered: bool = False) -> list[Utterance]:
    """Units of all (speaker, tier) pairs, checked and ordered by start time (stable)."""
    utterances: list[Utterance] = []
    for speaker, tier in tiers:
        previous_end = None
        for xmin, xmax, label, line in tier.intervals:
            if xmax < xmin:
                raise ReaderError.make("E101", path=path, line=line,
                                       expected="an interval whose xmax is after its xmin",
                                       found=f"{xmin} .. {xmax}", fix="Fix the interval in Praat.")
            if previous_end is not None and xmin < previous_end - 1e-6 and not allow_unordered:
                raise ReaderError.make("E102", path=path, line=line, found=format_clock(xmin),
                                       previous=format_clock(previous_end))
            previous_end = xmax
            utterances.append(Utterance(id="", speaker=speaker, text=label.strip(), start=xmin,
                                        end=xmax, line=line))
    utterances.sort(key=lambda u: u.start)
    return utterances


def parse(text: str, path: str | Path, transcript_id: str | None = None,
          allow_unordered: bool = False) -> Transcript:
    path = Path(path)
    tiers = [t for t in parse_tiers(text, path) if t.kind == "IntervalTier"]
    utterances = tiers_to_utterances([(t.name or f"tier{i + 1}", t) for i, t in enumerate(tiers)],
                                     path, allow_unordered)
    transcript = Transcript(id=transcript_id or path.stem, sources=[path], utterances=utterances,
                            metadata={"format": "textgrid", "merge_turns": False,
                                      "tiers": [t.name for t in tiers]})
    return finish(transcript, path)


def read(path: str | Path, allow_unordered: bool = False, **_) -> list[Transcript]:
    return [parse(read_text(path), path, allow_unordered=allow_unordered)]


def merge_channels(channels: list[tuple[str, Path, list[Tier]]], transcript_id: str,
                   allow_unordered: bool = False) -> Transcript:
    """One transcript from single-speaker files: ``[(speaker, path, tiers), ...]``.

    All interval tiers of a file belong to its speaker (normally there is exactly one). Units are
    ordered by start time; ties keep the channel order.
    """
    utterances: list[Utterance] = []
    for speaker, path, tiers in channels:
        for tier in tiers:
            if tier.kind == "IntervalTier":
                utterances.extend(tiers_to_utterances([(speaker, tier)], path, allow_unordered))
    utterances.sort(key=lambda u: u.start)
    sources = [path for _, path, _ in channels]
    transcript = Transcript(id=transcript_id, sources=sources, utterances=utterances,
                            metadata={"format": "textgrid", "merge_turns": False,
                                      "channels": [s for s, _, _ in channels]})
    return finish(transcript, sources[0])
