"""Helpers shared by the readers: time stamps, speaker labels, utterance ids, order checks."""

from __future__ import annotations

import math
import re
from pathlib import Path

from ta_nlp.errors import ReaderError
from ta_nlp.model import Transcript, Utterance

#: A clock time: ``1:23``, ``01:23``, ``00:01:23``, ``0:0:0.570``, ``00:01:23,456`` or ``00:01:23.4``.
TIME = r"\d{1,3}:\d{1,2}(?::\d{1,3})?(?:[.,]\d+)?"
_TIME_RE = re.compile(rf"^{TIME}$")

# A speaker label at the start of a line: one to five words, each starting with a capital letter or a
# digit (names, "Speaker 1", "SPEAKER_00", "Dr. Nair", "Mary-Jane O'Brien") or a role word in any case.
LABEL = r"[^\W\d_][\w.'’\-]*(?:[ \t]+[\w.'’\-()#]+){0,4}?"


def parse_clock(text: str) -> float:
    """Seconds from ``h:mm:ss(.fff)``, ``mm:ss`` (or Teams' unpadded ``0:0:0.570``). ValueError if bad."""
    text = text.strip().replace(",", ".")
    parts = text.split(":")
    if not 1 <= len(parts) <= 3 or any(not p for p in parts):
        raise ValueError(text)
    seconds = float(parts[-1])
    minutes = int(parts[-2]) if len(parts) >= 2 else 0
    hours = int(parts[-3]) if len(parts) == 3 else 0
    if len(parts) >= 2 and not parts[-2].isdigit():
        raise ValueError(text)
    if len(parts) == 3 and not parts[-3].isdigit():
        raise ValueError(text)
    value = hours * 3600 + minutes * 60 + seconds
    if not math.isfinite(value) or value < 0:
        raise ValueError(text)
    return value


def format_clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    minutes, sec = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours:02d}:{minutes:02d}:{sec:06.3f}"


def utterance_id(transcript_id: str, index: int) -> str:
    """``<transcript_id>-<index>`` with the index zero-padded to 4 digits (PriMock57 style)."""
    return f"{transcript_id}-{index:04d}"


def number_utterances(transcript: Transcript) -> Transcript:
    for index, utt in enumerate(transcript.utterances):
        utt.id = utterance_id(transcript.id, index)
    return transcript


def check_order(utterances: list[Utterance], path: str | Path, allow_unordered: bool,
                tolerance: float = 1e-6) -> None:
    """E102 when a unit starts before the unit before it (unless ``allow_unordered``)."""
    if allow_unordered:
        return
    previous: Utterance | None = None
    for utt in utterances:
        if utt.start is None:
            continue
        if previous is not None and utt.start < previous.start - tolerance:
            raise ReaderError.make("E102", path=path, line=utt.line if utt.line is not None else "?",
                                   found=format_clock(utt.start),
                                   previous=format_clock(previous.start))
        previous = utt


def check_span(utt: Utterance, path: str | Path) -> None:
    """E101 when a unit ends before it starts."""
    if utt.start is not None and utt.end is not None and utt.end < utt.start - 1e-6:
        raise ReaderError.make(
            "E101", path=path, line=utt.line if utt.line is not None else "?",
            expected="an end time after the start time",
            found=f"{format_clock(utt.start)} --> {format_clock(utt.end)}",
            fix="Fix the cue's times.")


def clean_label(label: str) -> str:
    """Speaker label as written, without surrounding space, brackets or markdown emphasis."""
    label = label.strip().strip("*_").strip()
    if label.startswith("[") and label.endswith("]"):
        label = label[1:-1].strip()
    return re.sub(r"\s+", " ", label)


def finish(transcript: Transcript, path: str | Path) -> Transcript:
    """Refuse a transcript with no utterances (E004) and give units their generated ids."""
    if not transcript.utterances:
        raise ReaderError.make("E004", path=path)
    return number_utterances(transcript)


_PARTICLES = frozenset({"de", "da", "del", "della", "di", "van", "von", "der", "den", "le", "la",
                        "du", "dos", "das", "bin", "bint", "al", "el", "ter", "y"})


def plausible_label(label: str) -> bool:
    """A speaker label of free text: each word starts with a capital or digit, or it is a role word.

    "Priya Nair", "Speaker 1", "SPEAKER_00", "Dr. Nair", "PT", "patient" pass; "I woke at 10" fails.
    """
    from ta_nlp.roles import label_role

    if not label or len(label) > 60:
        return False
    if label_role(label) is not None:
        return True
    words = label.split()
    if len(words) > 5:
        return False
    if not (words[0][0].isupper() or words[0][0].isdigit() or words[0][0] in "([#"):
        return False
    return all(w[0].isupper() or w[0].isdigit() or w[0] in "([#" or w in _PARTICLES
               for w in words[1:])


def accept_labels(candidates: list[str], min_count: int = 2) -> set[str]:
    """Normalised labels seen at least ``min_count`` times, or known to the role lexicon.

    A word followed by a colon once ("Anyway: …") is speech, not a speaker.
    """
    from ta_nlp.roles import label_role, normalize_label

    counts: dict[str, int] = {}
    for label in candidates:
        key = normalize_label(label)
        counts[key] = counts.get(key, 0) + 1
    return {key for key, n in counts.items() if n >= min_count or label_role(key) is not None}
