"""Shared cue parsing for WebVTT and SRT: blocks, timing lines, speaker prefixes, inline tags."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from ta_nlp.errors import ReaderError
from ta_nlp.model import Utterance
from ta_nlp.readers._common import LABEL, TIME, accept_labels, check_span, clean_label, parse_clock
from ta_nlp.roles import normalize_label

TIMING = re.compile(rf"^\s*(?P<start>{TIME})\s*-->\s*(?P<end>{TIME})(?:\s+.*)?$")
# "Name: text" (Zoom), "NAME: text" / "- NAME: text" / ">> NAME: text" (captions), "[NAME] text".
PREFIX = re.compile(
    rf"^\s*(?:-\s*|>>\s*)?(?:\[(?P<bracketed>[^\]\n]{{1,60}})\]\s+|(?P<label>{LABEL}|[^:\n<>]{{1,60}}?)\s*:(?:\s+|$))"
    r"(?P<text>.*)$")
_TAG = re.compile(r"</?[a-zA-Z][^>\n]*>|<\d[\d:.]*>")
_VOICE = re.compile(r"<v(?:\.[\w.\-]+)?(?:\s+(?P<name>[^>\n]*))?>")
_VOICE_END = re.compile(r"</v\s*>")


@dataclass
class Block:
    line: int           # 1-based line of the block's first line
    lines: list[str]


def blocks(text: str) -> list[Block]:
    out: list[Block] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line.rstrip())
        elif current:
            out.append(Block(first, current))
            current = []
    if current:
        out.append(Block(first, current))
    return out


@dataclass
class Cue:
    line: int            # line of the timing line
    start: float
    end: float
    payload: list[str]


def parse_cue(block: Block, path: Path, last: bool, fmt: str) -> Cue | None:
    """A cue from a block (optional id line, timing line, payload); None for an empty cue."""
    timing_at = next((i for i, line in enumerate(block.lines[:2]) if "-->" in line), None)
    if timing_at is None:
        if last and any(re.match(r"\s*\d{1,3}:\d", line) for line in block.lines[:2]):
            raise ReaderError.make("E103", path=path, line=block.line + len(block.lines) - 1,
                                   what="cue timing line", found=block.lines[-1][:30])
        raise ReaderError.make(
            "E101", path=path, line=block.line,
            expected="a cue timing line such as '00:00:01.000 --> 00:00:04.000'",
            found=_shape(block.lines[0]),
            fix=f"Check that this is a {fmt} file and that cues are separated by one blank line.")
    number = block.line + timing_at
    timing = block.lines[timing_at]
    m = TIMING.match(timing)
    if not m:
        if last:
            raise ReaderError.make("E103", path=path, line=number, what="cue timing line",
                                   found=timing[:60])
        raise ReaderError.make("E101", path=path, line=number,
                               expected="'START --> END' with times such as 00:00:01.000",
                               found=timing[:60], fix="Fix the cue's timing line.")
    try:
        start, end = parse_clock(m["start"]), parse_clock(m["end"])
    except ValueError:
        raise ReaderError.make("E101", path=path, line=number, expected="valid times",
                               found=timing[:60], fix="Fix the cue's timing line.") from None
    payload = block.lines[timing_at + 1:]
    if not payload:
        if last:
            raise ReaderError.make("E103", path=path, line=number, what="cue",
                                   found=f"{timing.strip()} with no text")
        return None
    cue = Cue(number, start, end, payload)
    return cue


def _shape(line: str) -> str:
    """A line for an error message without quoting speech: its first word and length."""
    words = line.split()
    head = words[0][:20] if words else ""
    return f"{head}… ({len(line)} characters)" if len(words) > 1 else head


def strip_tags(text: str) -> str:
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())


@dataclass
class Piece:
    line: int
    start: float
    end: float
    speaker: str | None   # None: no label in the cue
    text: str
    candidate: bool       # speaker came from a "Name:" prefix (to be checked), not a <v> tag


def split_payload(cue: Cue) -> list[Piece]:
    """Split a cue into speaker pieces: ``<v Name>`` voices (closing tag optional), or lines that
    start with ``Name:``; other lines continue the piece before them.

    When one cue holds several speakers, its time is shared out in proportion to their words (the
    cue gives no finer timing), so that they do not appear to talk over each other.
    """
    return _share_time(_split_payload(cue))


def _share_time(pieces: list[Piece]) -> list[Piece]:
    if len(pieces) < 2 or len({p.speaker for p in pieces}) < 2:
        return pieces
    start, end = pieces[0].start, pieces[0].end
    weights = [max(1, len(p.text.split())) for p in pieces]
    total = sum(weights)
    t = start
    for piece, weight in zip(pieces, weights):
        piece.start = round(t, 3)
        t += (end - start) * weight / total
        piece.end = round(t, 3)
    pieces[-1].end = end
    return pieces


def _split_payload(cue: Cue) -> list[Piece]:
    joined = "\n".join(cue.payload)
    pieces: list[Piece] = []
    if "<v" in joined and _VOICE.search(joined):
        position = 0
        matches = list(_VOICE.finditer(joined))
        if matches[0].start() > 0:
            lead = _VOICE_END.sub("", joined[:matches[0].start()])
            if lead.strip():
                pieces.append(Piece(cue.line, cue.start, cue.end, None, strip_tags(lead), False))
        for i, m in enumerate(matches):
            position = matches[i + 1].start() if i + 1 < len(matches) else len(joined)
            body = joined[m.end():position]
            close = _VOICE_END.search(body)
            trailing = ""
            if close:
                body, trailing = body[:close.start()], body[close.end():]
            name = clean_label(m["name"] or "") or None
            pieces.append(Piece(cue.line, cue.start, cue.end, name, strip_tags(body), False))
            if trailing.strip():
                pieces.append(Piece(cue.line, cue.start, cue.end, None, strip_tags(trailing), False))
        return [p for p in pieces if p.text]
    for line in cue.payload:
        m = PREFIX.match(line)
        if m:
            label = clean_label(m["bracketed"] or m["label"])
            pieces.append(Piece(cue.line, cue.start, cue.end, label, strip_tags(m["text"]), True))
        elif pieces:
            extra = strip_tags(line)
            pieces[-1].text = f"{pieces[-1].text} {extra}".strip()
        else:
            pieces.append(Piece(cue.line, cue.start, cue.end, None, strip_tags(line), False))
    return [p for p in pieces if p.text or p.speaker]


def pieces_to_utterances(pieces: list[Piece], path: Path) -> list[Utterance]:
    """Check prefix labels (used twice or a role word, as in plain text); unlabelled pieces take the
    previous speaker (a cue continuing a turn), or ``unknown`` before any speaker."""
    accepted = accept_labels([p.speaker for p in pieces if p.candidate and p.speaker])
    utterances: list[Utterance] = []
    previous: str | None = None
    for piece in pieces:
        speaker, text = piece.speaker, piece.text
        if piece.candidate and normalize_label(speaker) not in accepted:
            text = f"{speaker}: {text}".strip()
            speaker = None
        if speaker is None:
            speaker = previous or "unknown"
        previous = speaker
        if not text:
            continue
        utt = Utterance(id="", speaker=speaker, text=text, start=piece.start, end=piece.end,
                        line=piece.line)
        check_span(utt, path)
        utterances.append(utt)
    return utterances
