"""Plain-text transcripts: ``Speaker: text`` lines, with or without time stamps.

Recognised line shapes (``TIME`` is ``1:23``, ``01:23``, ``00:01:23`` or ``00:01:23.5``):

- ``Speaker: text`` — a new unit; the stamp may come first (``[00:01:23] PT: …``,
  ``00:01:23 PT: …``, ``(1:23) PT: …``), after the label (``PT (1:23): …``, ``PT [00:01:23]: …``) or
  open the text (``PT: [00:01:23] …``).
- ``Name  0:15`` — an Otter/Teams-style header line (label, spaces, time, nothing else); the speech
  follows on the next lines.
- ``[00:01:23]`` alone — the time of the next unit.
- Any other non-blank line continues the last speaker's unit (wrapped lines, paragraphs). Lines
  before the first speaker are a preamble (title, date) and are counted, not read as speech.

A label is accepted when it looks like a name or role (each word capitalised or a digit, at most
five words, no colon) and either appears at least twice in the file, is a role word (PT, Patient,
Dr …) or sits on a time-stamped line: "Anyway: …" said once stays speech. Units carry start times
only (no end).
"""

from __future__ import annotations

import re
from pathlib import Path

from ta_nlp.errors import ReaderError
from ta_nlp.model import Transcript, Utterance
from ta_nlp.readers._common import (
    LABEL,
    TIME,
    accept_labels,
    check_order,
    clean_label,
    finish,
    parse_clock,
    plausible_label,
)
from ta_nlp.readers.encoding import read_text
from ta_nlp.roles import normalize_label

_SPEAKER_LINE = re.compile(
    rf"^\s*(?:[\[(]?(?P<pre>{TIME})[\])]?\s*(?:[-–|]\s*)?)?"
    rf"(?P<label>\*{{0,2}}\[?{LABEL}\]?\*{{0,2}})"
    rf"\s*(?:[\[(](?P<post>{TIME})[\])])?\s*\*{{0,2}}:\*{{0,2}}(?:\s+|$)(?P<text>.*)$")
_HEADER_LINE = re.compile(
    rf"^\s*(?P<label>\[?{LABEL}\]?)\s+(?:[-–|]\s*)?[\[(]?(?P<time>{TIME})[\])]?\s*$")
_STAMP_LINE = re.compile(rf"^\s*[\[(]?(?P<time>{TIME})[\])]?\s*$")
_LEADING_STAMP = re.compile(rf"^\s*[\[(](?P<time>{TIME})[\])]\s*")


def _classify(line: str):
    """('header'|'speaker'|'stamp'|'text', label, time, text)."""
    m = _STAMP_LINE.match(line)
    if m:
        return "stamp", None, m["time"], ""
    m = _HEADER_LINE.match(line)
    if m:
        return "header", clean_label(m["label"]), m["time"], ""
    m = _SPEAKER_LINE.match(line)
    if m:
        return "speaker", clean_label(m["label"]), m["pre"] or m["post"], m["text"]
    return "text", None, None, line


def parse(text: str, path: str | Path, transcript_id: str | None = None,
          allow_unordered: bool = False, fmt: str = "text") -> Transcript:
    path = Path(path)
    lines = text.split("\n")
    parsed = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        kind, label, time, rest = _classify(line)
        if kind in ("header", "speaker") and not plausible_label(label):
            kind, label, time, rest = "text", None, None, line
        parsed.append((number, kind, label, time, rest, line))
    accepted = accept_labels([p[2] for p in parsed if p[1] in ("header", "speaker")])
    # a label on a time-stamped line (Otter header, "[00:01:23] Name: …") is structural: keep it
    accepted |= {normalize_label(p[2]) for p in parsed if p[1] in ("header", "speaker") and p[3]}

    utterances: list[Utterance] = []
    pending_time: float | None = None
    preamble = 0
    current: Utterance | None = None
    for number, kind, label, time, rest, line in parsed:
        if kind in ("header", "speaker") and normalize_label(label) not in accepted:
            kind, rest = "text", line
        if kind == "stamp":
            pending_time = _clock(time, path, number)
            continue
        if kind == "text":
            if current is None:
                preamble += 1
            else:
                current.text = f"{current.text} {rest.strip()}" if current.text else rest.strip()
            continue
        start = _clock(time, path, number) if time else None
        rest = rest.strip()
        if start is None:
            m = _LEADING_STAMP.match(rest)
            if m:
                start = _clock(m["time"], path, number)
                rest = rest[m.end():]
        if start is None and pending_time is not None:
            start = pending_time
        pending_time = None
        current = Utterance(id="", speaker=label, text=rest, start=start, line=number)
        utterances.append(current)
    if not utterances:
        raise ReaderError.make(
            "E101", path=path, line=parsed[0][0] if parsed else 1,
            expected="lines of the form 'Speaker: text' (or Otter-style 'Name  0:15' headers)",
            found=f"no speaker label used twice or known as a role in {len(parsed)} lines",
            fix="Put the speaker's name and a colon before each turn, or pass --format.")
    if not utterances[-1].text:
        raise ReaderError.make("E103", path=path, line=utterances[-1].line, what="turn",
                               found=f"{utterances[-1].speaker} header with no speech after it")
    utterances = [u for u in utterances if u.text]
    check_order(utterances, path, allow_unordered)
    transcript = Transcript(id=transcript_id or path.stem, sources=[path], utterances=utterances,
                            metadata={"format": fmt, "merge_turns": True, "preamble_lines": preamble})
    return finish(transcript, path)


def _clock(value: str, path: Path, line: int) -> float:
    try:
        return parse_clock(value)
    except ValueError:
        raise ReaderError.make("E101", path=path, line=line, expected="a time such as 00:01:23",
                               found=value, fix="Fix the time stamp.") from None


def read(path: str | Path, allow_unordered: bool = False, **_) -> list[Transcript]:
    return [parse(read_text(path), path, allow_unordered=allow_unordered)]
